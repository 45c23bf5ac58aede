import { ConfigError } from './config-error.ts';

/** The environment as a plain record, so tests can pass their own. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads an optional integer. Unset means "not given"; set but empty or
 * non-numeric is an error naming the variable, never a silent 0 or NaN.
 */
export function readInteger(
  env: Env,
  name: string,
  bounds: { min: number; max: number },
): number | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') {
    throw new ConfigError(name, `is set but empty; unset it or give an integer from ${bounds.min} to ${bounds.max}.`);
  }
  if (!/^-?\d+$/.test(text)) {
    throw new ConfigError(name, `"${raw}" is not an integer; give an integer from ${bounds.min} to ${bounds.max}.`);
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
    throw new ConfigError(name, `${text} is out of range; give an integer from ${bounds.min} to ${bounds.max}.`);
  }
  return value;
}

/**
 * Reads an optional plain decimal such as "2" or "0.5" (no sign, exponent or
 * hex). Like {@link readInteger}, set-but-wrong is an error naming the variable.
 */
export function readDecimal(env: Env, name: string, bounds: { min: number; max: number }): number | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const text = raw.trim();
  const range = `give a number from ${bounds.min} to ${bounds.max}, such as ${bounds.min}`;
  if (text === '') throw new ConfigError(name, `is set but empty; unset it or ${range}.`);
  if (!/^\d+(\.\d+)?$/.test(text)) throw new ConfigError(name, `"${raw}" is not a plain decimal number; ${range}.`);
  const value = Number(text);
  if (value < bounds.min || value > bounds.max) throw new ConfigError(name, `${text} is out of range; ${range}.`);
  return value;
}

/** Reads an optional non-empty string; set-but-blank is an error. */
export function readNonEmpty(env: Env, name: string, hint: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  if (raw.trim() === '') {
    throw new ConfigError(name, `is set but empty; unset it or ${hint}.`);
  }
  return raw;
}
