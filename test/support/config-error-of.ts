import { ConfigError } from '../../config/config-error.ts';

/** The ConfigError `run` throws; anything else (or nothing) fails the test. */
export function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no ConfigError');
}
