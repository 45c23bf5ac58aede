import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Env } from '../config/env-values.ts';
import { PROJECT_ROOT } from '../config/project-root.ts';
import { describeTermination } from '../drivers/process-outcome.ts';
import { runProcess } from '../drivers/run-process.ts';
import { addCampaignKnown } from './campaign-known.ts';
import { SNAPSHOT_SUFFIX } from '../hunting/campaign-child-settings.ts';
import { addToCorpus } from '../hunting/corpus.ts';
import type { PropertyFile } from './discover.ts';
import { deriveSeed } from './seeds.ts';
import type { JobSnapshot } from '../hunting/job-snapshot.ts';
import type { RescuedCase } from './summary.ts';

const VITEST = join(PROJECT_ROOT, 'node_modules', 'vitest', 'vitest.mjs');
/** A restart with less time than this would only pay vitest's start-up. */
const MIN_ATTEMPT_MS = 3_000;
/** Past the shrink deadline, a property process gets this long to write its report and exit. */
const EXIT_GRACE_MS = 120_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** One property process chain: a property, one replica of it, restarted with a new seed after each finding. */
export interface JobPlan {
  readonly property: PropertyFile;
  readonly replica: number;
  /** Corpus examples to replay first (file names); only replica 0 replays them. */
  readonly corpus: readonly string[];
  /** Generated cases for this job (undefined: until its deadline). */
  readonly runs: number | undefined;
}

export interface JobEnvironment {
  readonly runDir: string;
  readonly campaignSeed: number;
  readonly shard: number;
  readonly findingsDir: string;
  readonly corpusRoot: string;
  readonly shrinkGraceMs: number;
  /** Known-signatures files every property process reads (KNOWN_FINDINGS): the campaign's own first. */
  readonly knownFiles: readonly string[];
  readonly stopping: () => boolean;
  /** The campaign's environment: what chooses the tools reaches every property process. */
  readonly env: Env;
}

/** Variables a property process takes from the campaign's environment (set or unset alike). */
const PASSED_ON = ['QEMU_IMG', 'QEMU_IO', 'INSTAR', 'CANDIDATE', 'TOOL_TIMEOUT', 'CANDIDATE_TIME_FLOOR', 'CANDIDATE_TIME_FACTOR', 'SCRATCH_DIR'];

/** A job's live state: what progress and the summary read. */
export class JobState {
  status: 'waiting' | 'running' | 'done' = 'waiting';
  attempt = 0;
  label: string | undefined;
  deadline: number | undefined;
  readonly finished: JobSnapshot[] = [];
  readonly rescued: RescuedCase[] = [];
  readonly errors: string[] = [];

  constructor(readonly plan: JobPlan) {}

  /** Finished attempts plus the running one's latest snapshots. */
  snapshots(runDir: string): JobSnapshot[] {
    return this.status === 'running' && this.label !== undefined ? [...this.finished, ...readSnapshots(runDir, this.label)] : this.finished;
  }
}

export function readSnapshots(runDir: string, label: string): JobSnapshot[] {
  const snapshots: JobSnapshot[] = [];
  for (const name of readdirSync(runDir)) {
    if (!name.startsWith(`${label}.`) || !name.endsWith(SNAPSHOT_SUFFIX)) continue;
    try {
      snapshots.push(JSON.parse(readFileSync(join(runDir, name), 'utf8')) as JobSnapshot);
    } catch {
      // Written by rename, so never half a file; a vanished file is simply skipped.
    }
  }
  return snapshots;
}

/** The part of a vitest log that says what went wrong: from the first error line on, else the end. */
function excerpt(text: string, lines = 12): string {
  const all = text.trim().split('\n').filter((l) => l.trim() !== '' && !/^\s*⎯+/.test(l));
  const first = all.findIndex((l) => /\b(\w*Error|FAIL)\b/.test(l));
  return (first >= 0 ? all.slice(first, first + lines) : all.slice(-lines)).join('\n');
}

/**
 * Runs a job until its deadline, its run count, or a stop request: each
 * attempt is one `vitest run <property file>` with its own seed; after a
 * finding the next attempt continues with a new seed (and skips the corpus
 * examples already replayed), so one bug does not end the campaign.
 */
export async function runJob(state: JobState, env: JobEnvironment, deadline: number | undefined): Promise<void> {
  const { plan } = state;
  state.status = 'running';
  state.deadline = deadline;
  let corpus = plan.replica === 0 ? plan.corpus : [];
  let casesDone = 0;
  try {
    for (;;) {
      if (env.stopping()) return;
      if (deadline !== undefined && deadline - Date.now() < MIN_ATTEMPT_MS) return;
      const remaining = plan.runs === undefined ? undefined : plan.runs - casesDone;
      if (remaining !== undefined && remaining <= 0) return;
      const label = `${plan.property.name}.r${plan.replica}.a${state.attempt}`;
      state.label = label;
      const seed = deriveSeed(env.campaignSeed, { shard: env.shard, replica: plan.replica, property: plan.property.name, attempt: state.attempt });
      const shrinkDeadline = deadline === undefined ? undefined : deadline + env.shrinkGraceMs;
      const argv = [
        'env',
        ...['FC_TIME_LIMIT', 'FC_PATH', 'FC_NUM_RUNS', 'CORPUS_REPLAY', 'CAMPAIGN_DEADLINE', 'CAMPAIGN_SHRINK_DEADLINE', 'KNOWN_FINDINGS'].flatMap((v) => [
          '-u',
          v,
        ]),
        ...PASSED_ON.flatMap((v) => (env.env[v] !== undefined ? [] : ['-u', v])),
        ...PASSED_ON.flatMap((v) => (env.env[v] !== undefined ? [`${v}=${env.env[v]}`] : [])),
        `FC_SEED=${seed}`,
        ...(remaining !== undefined ? [`FC_NUM_RUNS=${remaining}`] : []),
        `CAMPAIGN_RUN_DIR=${env.runDir}`,
        `CAMPAIGN_JOB=${label}`,
        ...(deadline !== undefined ? [`CAMPAIGN_DEADLINE=${deadline}`] : []),
        ...(shrinkDeadline !== undefined ? [`CAMPAIGN_SHRINK_DEADLINE=${shrinkDeadline}`] : []),
        `CORPUS_REPLAY=${corpus.length > 0 ? corpus.join(',') : 'none'}`,
        `CORPUS_DIR=${env.corpusRoot}`,
        `FINDINGS_DIR=${env.findingsDir}`,
        ...(env.knownFiles.length > 0 ? [`KNOWN_FINDINGS=${env.knownFiles.join(',')}`] : []),
        process.execPath,
        VITEST,
        'run',
        plan.property.file,
        '--reporter=dot',
      ];
      const timeoutMs = shrinkDeadline === undefined ? MAX_TIMER_MS : Math.min(MAX_TIMER_MS, shrinkDeadline + EXIT_GRACE_MS - Date.now());
      const outcome = await runProcess(argv, { timeoutMs, cwd: PROJECT_ROOT, maxCaptureBytes: 64 * 1024 });
      await writeFile(join(env.runDir, `${label}.log`), `$ ${argv.join(' ')}\n${describeTermination(outcome.termination)}\n${outcome.stdout}\n${outcome.stderr}`);
      const snapshots = readSnapshots(env.runDir, label);
      state.finished.push(...snapshots);
      if (snapshots.length === 0) {
        state.errors.push(`${label} ended (${describeTermination(outcome.termination)}) before the property started; log ${join(env.runDir, `${label}.log`)}:\n${excerpt(outcome.stdout + outcome.stderr)}`);
        return;
      }
      const rescued = snapshots.filter((s) => s.pending !== undefined);
      for (const s of rescued) {
        // The process died mid-shrink (second interrupt, crash, time-out): keep the case.
        const pending = s.pending as NonNullable<JobSnapshot['pending']>;
        const saved = addToCorpus(env.corpusRoot, {
          property: plan.property.name,
          signature: `${plan.property.name}-unreported`,
          summary: pending.summary,
          from: `campaign ${label} seed ${s.seed}, stopped while shrinking`,
          case: pending.case,
        });
        state.rescued.push({ corpusFile: saved.file, summary: pending.summary });
      }
      casesDone += snapshots.reduce((n, s) => n + s.cases, 0);
      const findings = snapshots.flatMap((s) => s.findings);
      // Filed now, known from the next attempt on (in every job of this campaign).
      addCampaignKnown(env.runDir, findings.map((f) => f.signature));
      const suiteBroke = snapshots.some((s) => s.errors.length > 0);
      if (rescued.length > 0 || suiteBroke) return;
      if (findings.length === 0) {
        // Stopped by its deadline, its run count or a stop request; a failing exit here is unexplained.
        const failed = outcome.termination.kind !== 'exited' || outcome.termination.code !== 0;
        if (failed && !env.stopping()) state.errors.push(`${label} failed without a finding (${describeTermination(outcome.termination)}); log ${join(env.runDir, `${label}.log`)}:\n${excerpt(outcome.stdout + outcome.stderr)}`);
        return;
      }
      // Examples up to the one that failed were replayed; continue after it.
      const lastExample = findings.map((f) => f.fromExample).filter((n) => n !== undefined).pop();
      corpus = lastExample !== undefined ? corpus.slice(corpus.indexOf(lastExample) + 1) : [];
      state.attempt++;
    }
  } finally {
    state.status = 'done';
  }
}
