import { readInteger, readNonEmpty, type Env } from '../config/env-values.ts';

/**
 * What a campaign tells each property process it starts, through the
 * environment. Absent (CAMPAIGN_RUN_DIR unset) outside campaigns: `npm test`
 * and replay commands behave exactly as before.
 */
export interface CampaignChildSettings {
  /** Where the process writes its snapshots and finds stop requests. */
  readonly runDir: string;
  /** Names this process's snapshot files. */
  readonly job: string;
  /** Epoch ms after which no new case starts. */
  readonly deadline: number | undefined;
  /** Epoch ms after which shrinking stops too (the best case so far is reported). */
  readonly shrinkDeadline: number | undefined;
}

const EPOCH_BOUNDS = { min: 0, max: 2 ** 50 };

export function readCampaignChildSettings(env: Env): CampaignChildSettings | undefined {
  const runDir = readNonEmpty(env, 'CAMPAIGN_RUN_DIR', 'unset it (only the campaign sets it)');
  if (runDir === undefined) return undefined;
  return {
    runDir,
    job: readNonEmpty(env, 'CAMPAIGN_JOB', 'unset CAMPAIGN_RUN_DIR (only the campaign sets them)') ?? 'job',
    deadline: readInteger(env, 'CAMPAIGN_DEADLINE', EPOCH_BOUNDS),
    shrinkDeadline: readInteger(env, 'CAMPAIGN_SHRINK_DEADLINE', EPOCH_BOUNDS),
  };
}

/** File names inside a run directory shared by the campaign and its processes. */
export const STOP_FILE = 'stop';
export const ABORT_FILE = 'abort';
export const SNAPSHOT_SUFFIX = '.snapshot.json';
