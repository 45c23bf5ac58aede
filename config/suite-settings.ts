import { accessSync, constants, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from './config-error.ts';
import { readInteger, readNonEmpty, type Env } from './env-values.ts';

export interface SuiteSettings {
  /** TOOL_TIMEOUT (seconds, default 30): the limit for every tool call. */
  readonly timeoutMs: number;
  /** FINDINGS_DIR (default ./findings): where reports are written. */
  readonly findingsDir: string;
}

export const DEFAULT_TIMEOUT_SECONDS = 30;

export function readSuiteSettings(env: Env, projectRoot: string): SuiteSettings {
  const seconds = readInteger(env, 'TOOL_TIMEOUT', { min: 1, max: 3600 }) ?? DEFAULT_TIMEOUT_SECONDS;
  const dir = resolve(projectRoot, readNonEmpty(env, 'FINDINGS_DIR', 'give a writable directory') ?? 'findings');
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ConfigError('FINDINGS_DIR', `"${dir}" is not a writable directory (${why}); point FINDINGS_DIR somewhere writable.`);
  }
  return { timeoutMs: seconds * 1000, findingsDir: dir };
}
