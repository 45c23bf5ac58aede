import { ConfigError } from './config-error.ts';
import { readInteger, readNonEmpty, type Env } from './env-values.ts';

/**
 * How fast-check is driven for one run, read from FC_* variables. The same
 * values go into every replay command, so a failure can be re-run alone.
 */
export interface FastCheckSettings {
  /** FC_SEED: replay this seed instead of drawing one. */
  readonly seed: number | undefined;
  /** FC_PATH: replay one counterexample path (needs FC_SEED). */
  readonly path: string | undefined;
  /** FC_NUM_RUNS: cases per property. */
  readonly numRuns: number | undefined;
  /** FC_TIME_LIMIT: whole seconds per property. */
  readonly timeLimitSeconds: number | undefined;
}

const PATH_SHAPE = /^\d+(:\d+)*$/;

export function readFastCheckSettings(env: Env): FastCheckSettings {
  const seed = readInteger(env, 'FC_SEED', { min: -(2 ** 31), max: 2 ** 32 - 1 });
  const path = readNonEmpty(env, 'FC_PATH', 'give the path printed by a failure, e.g. "3:1:0"');
  if (path !== undefined && !PATH_SHAPE.test(path.trim())) {
    throw new ConfigError('FC_PATH', `"${path}" is not a fast-check path; give colon-separated integers such as "3:1:0".`);
  }
  if (path !== undefined && seed === undefined) {
    throw new ConfigError('FC_PATH', 'needs FC_SEED as well; copy both from the replay command of the failure.');
  }
  const numRuns = readInteger(env, 'FC_NUM_RUNS', { min: 1, max: 10_000_000 });
  const timeLimitSeconds = readInteger(env, 'FC_TIME_LIMIT', { min: 1, max: 7 * 24 * 3600 });
  return { seed, path: path?.trim(), numRuns, timeLimitSeconds };
}
