/**
 * A mistake in how the suite was invoked: a bad environment variable, a
 * missing binary, an unwritable directory. Entry points print only the
 * message (one line that names the variable and the fix) and exit non-zero;
 * never a stack trace.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    /** The variable or setting at fault, e.g. `FC_SEED`. */
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}
