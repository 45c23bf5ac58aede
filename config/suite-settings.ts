import { accessSync, constants, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_CANDIDATE_TIME_POLICY, type CandidateTimePolicy } from '../drivers/candidate-time-limit.ts';
import { ConfigError } from './config-error.ts';
import { readDecimal, readInteger, readNonEmpty, type Env } from './env-values.ts';

export interface SuiteSettings {
  /** TOOL_TIMEOUT (seconds, default 30): the reference's limit, and the cap on every tool call. */
  readonly timeoutMs: number;
  /**
   * CANDIDATE_TIME_FLOOR (seconds, default 2) and CANDIDATE_TIME_FACTOR
   * (default 10): the candidate's limit on a call is max(floor, factor × the
   * reference's time on it), capped by TOOL_TIMEOUT (drivers/candidate-time-limit.ts).
   */
  readonly candidateTime: CandidateTimePolicy;
  /** FINDINGS_DIR (default ./findings): where reports are written. */
  readonly findingsDir: string;
}

export const DEFAULT_TIMEOUT_SECONDS = 30;

/** The variables that tune the candidate's limit, for replay commands when set. */
export const CANDIDATE_TIME_VARIABLES = ['CANDIDATE_TIME_FLOOR', 'CANDIDATE_TIME_FACTOR'] as const;

function readCandidateTime(env: Env): CandidateTimePolicy {
  const floorSeconds = readDecimal(env, 'CANDIDATE_TIME_FLOOR', { min: 0.1, max: 3600 });
  const factor = readDecimal(env, 'CANDIDATE_TIME_FACTOR', { min: 1, max: 1000 });
  return {
    floorMs: floorSeconds === undefined ? DEFAULT_CANDIDATE_TIME_POLICY.floorMs : Math.round(floorSeconds * 1000),
    factor: factor ?? DEFAULT_CANDIDATE_TIME_POLICY.factor,
  };
}

export function readSuiteSettings(env: Env, projectRoot: string): SuiteSettings {
  const seconds = readInteger(env, 'TOOL_TIMEOUT', { min: 1, max: 3600 }) ?? DEFAULT_TIMEOUT_SECONDS;
  const candidateTime = readCandidateTime(env);
  const dir = resolve(projectRoot, readNonEmpty(env, 'FINDINGS_DIR', 'give a writable directory') ?? 'findings');
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ConfigError('FINDINGS_DIR', `"${dir}" is not a writable directory (${why}); point FINDINGS_DIR somewhere writable.`);
  }
  return { timeoutMs: seconds * 1000, candidateTime, findingsDir: dir };
}
