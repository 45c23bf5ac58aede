import { mkdirSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readKnownFile } from '../hunting/known-signatures.ts';
import type { Env } from '../config/env-values.ts';
import { announce, loadSuiteContext, referenceLine, staleWhitelistMeansFixed } from '../config/suite-context.ts';
import { renderIndex, writeIndex, type IndexEntry } from '../reports/index.ts';
import { ABORT_FILE, STOP_FILE } from '../hunting/campaign-child-settings.ts';
import { corpusRoot, listCorpus, shownPath } from '../hunting/corpus.ts';
import { discoverProperties, selectProperties, type PropertyFile } from './discover.ts';
import { CAMPAIGN_KNOWN_FILE, writeCampaignKnown } from './campaign-known.ts';
import { JobState, runJob, type JobEnvironment } from './job-runner.ts';
import type { CampaignOptions } from './options.ts';
import { plainProgressLine, progressRow, TerminalBlock, type ProgressRow } from './progress-view.ts';
import { drawCampaignSeed } from './seeds.ts';
import { formatDuration, renderPropertySummary, summarise, type PropertySummary } from './summary.ts';

export interface CampaignIO {
  readonly write: (text: string) => void;
  readonly isTTY: boolean;
  /** The terminal's width, when there is one. */
  readonly columns?: () => number | undefined;
}

/** Stop requests from outside (signals in the CLI, tests call it directly). */
export class CampaignControl {
  stopRequested = false;
  abortRequested = false;
  private readonly listeners: Array<(kind: 'stop' | 'abort') => void> = [];

  requestStop(): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    for (const l of this.listeners) l('stop');
  }

  requestAbort(): void {
    this.stopRequested = true;
    this.abortRequested = true;
    for (const l of this.listeners) l('abort');
  }

  onRequest(listener: (kind: 'stop' | 'abort') => void): void {
    this.listeners.push(listener);
  }
}

export interface CampaignResult {
  readonly exitCode: number;
  readonly seed: number;
  readonly summaries: readonly PropertySummary[];
  readonly index: readonly IndexEntry[];
  readonly findingsDir: string;
  readonly runDir: string;
  readonly interrupted: boolean;
}

const TTY_REFRESH_MS = 500;

function plan(properties: readonly PropertyFile[], options: CampaignOptions, corpus: Map<string, string[]>): JobState[] {
  // Spare workers run extra replicas (other seeds) of the same properties.
  const replicas = Math.max(1, Math.floor(options.workers / properties.length));
  const runsPerReplica = options.runs === undefined ? undefined : Math.ceil(options.runs / replicas);
  return properties.flatMap((property) =>
    Array.from({ length: replicas }, (_, replica) => new JobState({ property, replica, corpus: corpus.get(property.name) ?? [], runs: runsPerReplica })),
  );
}

/**
 * When a job starting now must stop: what is left of the budget, shared
 * among the waves of jobs still to run (this one included). Whole
 * milliseconds, as the property processes read it.
 */
export function jobDeadline(now: number, end: number, jobsLeft: number, workers: number): number {
  const waves = Math.ceil(jobsLeft / workers);
  return Math.round(now + Math.max(0, end - now) / waves);
}

/** The command that runs the same processes with the same seeds (the budget decides how far each gets). */
function replayCampaign(seed: number, options: CampaignOptions, properties: readonly PropertyFile[]): string {
  const { index, total } = options.shard;
  return [
    'npm run campaign --',
    `--seed ${seed}`,
    options.durationSeconds !== undefined ? `--duration ${options.durationSeconds}s` : '',
    options.runs !== undefined ? `--runs ${options.runs}` : '',
    ...options.known.map((k) => `--known ${k}`),
    `--workers ${options.workers}`,
    total > 1 ? `--shard ${index}/${total}` : '',
    options.properties.length > 0 ? properties.map((p) => p.name).join(' ') : '',
  ]
    .filter((part) => part !== '')
    .join(' ');
}

function exitCodeOf(summaries: readonly PropertySummary[], control: CampaignControl): number {
  if (summaries.some((s) => s.findings.length > 0 || s.rescued.length > 0)) return 1;
  if (summaries.some((s) => s.errors.length > 0)) return 3;
  return control.stopRequested ? 130 : 0;
}

/**
 * The campaign: every selected property in its own processes, as many at a
 * time as there are workers, each until its share of the budget runs out;
 * live progress; then the merged summary and the findings index.
 */
export async function runCampaign(options: CampaignOptions, env: Env, io: CampaignIO, control: CampaignControl): Promise<CampaignResult> {
  const context = await loadSuiteContext(env);
  // Checked before anything runs: a bad --known file is a one-line error, not a failed property.
  const knownFiles = options.known.map((k) => resolve(k));
  const knownCount = knownFiles.reduce((n, f) => n + readKnownFile(f, '--known').length, 0);
  const properties = selectProperties(discoverProperties(), options.properties);
  const root = corpusRoot(env);
  const corpus = new Map(properties.map((p) => [p.name, listCorpus(root, p.name).map((e) => e.name)]));
  const seed = options.seed ?? drawCampaignSeed();
  const { index: shard, total: shards } = options.shard;
  const shardText = shards > 1 ? ` (shard ${shard}/${shards})` : '';
  io.write(`campaign seed ${seed}${shardText}\n`);
  io.write(`${announce(context)}\n`);

  const started = Date.now();
  const end = options.durationSeconds !== undefined ? started + options.durationSeconds * 1000 : undefined;
  const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
  const runDir = join(context.findingsDir, '.campaign', `${stamp}-seed${seed}-shard${shard}of${shards}`);
  mkdirSync(runDir, { recursive: true });
  // Signatures filed during this campaign: every later attempt counts them instead of stopping.
  writeCampaignKnown(runDir, []);
  const jobs = plan(properties, options, corpus);
  const examples = [...corpus.values()].reduce((n, c) => n + c.length, 0);
  const budget = [
    options.durationSeconds !== undefined ? `budget ${formatDuration(options.durationSeconds * 1000)}` : 'no time limit',
    options.runs !== undefined ? `${options.runs} cases per property` : '',
  ].filter((t) => t !== '');
  io.write(
    `properties: ${properties.map((p) => p.name).join(', ')}; ${budget.join(', ')}; ${Math.min(options.workers, jobs.length)} worker(s)` +
      `${jobs.length > properties.length ? `, ${jobs.length / properties.length} seeds per property` : ''}\n` +
      `corpus: ${examples} example(s) replayed first (${shownPath(root)}); reports: ${shownPath(context.findingsDir)}\n` +
      (knownFiles.length > 0 ? `known: ${knownCount} signature(s) counted, not stopped for (${knownFiles.map(shownPath).join(', ')})\n` : '') +
      `replay: ${replayCampaign(seed, options, properties)}\n`,
  );

  const jobEnv: JobEnvironment = {
    runDir,
    campaignSeed: seed,
    shard,
    findingsDir: context.findingsDir,
    corpusRoot: root,
    shrinkGraceMs: options.shrinkGraceSeconds * 1000,
    knownFiles: [join(runDir, CAMPAIGN_KNOWN_FILE), ...knownFiles],
    stopping: () => control.stopRequested,
    env,
  };
  control.onRequest((kind) => {
    writeFileSync(join(runDir, kind === 'stop' ? STOP_FILE : ABORT_FILE), new Date().toISOString());
    io.write(
      kind === 'stop'
        ? 'stopping: running cases finish, findings being shrunk are reported (Ctrl-C again to stop at once)\n'
        : 'stopping now: cases being shrunk are saved to the corpus\n',
    );
  });

  const summaries = (): PropertySummary[] =>
    properties.map((p) => {
      const own = jobs.filter((j) => j.plan.property === p);
      return summarise(p, own.flatMap((j) => j.snapshots(runDir)), { rescued: own.flatMap((j) => j.rescued), errors: own.flatMap((j) => j.errors) });
    });
  const rows = (): ProgressRow[] =>
    summaries().map((summary) => {
      const own = jobs.filter((j) => j.plan.property.name === summary.name);
      const status = own.some((j) => j.status === 'running') ? 'running' : own.every((j) => j.status === 'done') ? 'done' : 'waiting';
      const deadlines = own.map((j) => j.deadline).filter((d): d is number => d !== undefined);
      const timeLeftMs = deadlines.length > 0 ? Math.max(...deadlines) - Date.now() : end !== undefined ? end - Date.now() : undefined;
      return { summary, status, timeLeftMs };
    });

  const block = new TerminalBlock(io.write, io.columns ?? (() => undefined));
  const showProgress = (): void => {
    try {
      if (io.isTTY) block.draw(rows().map(progressRow));
      else io.write(`${plainProgressLine(Date.now() - started, rows(), end !== undefined ? end - Date.now() : undefined)}\n`);
    } catch {
      // A snapshot vanished between listing and reading: the next tick shows it.
    }
  };
  const timer = setInterval(showProgress, io.isTTY ? TTY_REFRESH_MS : options.progressEverySeconds * 1000);

  await new Promise<void>((resolve) => {
    let active = 0;
    const queue = [...jobs];
    const next = (): void => {
      while (active < options.workers && queue.length > 0 && !control.stopRequested) {
        const job = queue.shift() as JobState;
        const deadline = end === undefined ? undefined : jobDeadline(Date.now(), end, queue.length + 1, options.workers);
        active++;
        runJob(job, jobEnv, deadline)
          .catch((error: unknown) => job.errors.push(error instanceof Error ? error.message : String(error)))
          .finally(() => {
            active--;
            next();
          });
      }
      if (active === 0) resolve();
    };
    next();
  });
  clearInterval(timer);
  showProgress();

  const final = summaries();
  const index = await writeIndex(context.findingsDir);
  io.write(`\nsummary (${formatDuration(Date.now() - started)}${control.stopRequested ? ', interrupted' : ''}), seed ${seed}${shardText}\n`);
  io.write(`${referenceLine(context)}\n\n`);
  io.write(`${final.map((s) => renderPropertySummary(s, shownPath, staleWhitelistMeansFixed(context))).join('\n\n')}\n\n`);
  io.write(`findings index (${shownPath(join(context.findingsDir, 'index.txt'))}), all signatures in ${shownPath(context.findingsDir)}:\n${renderIndex(index)}`);
  const exitCode = exitCodeOf(final, control);
  await writeFile(
    join(context.findingsDir, 'campaign-summary.json'),
    `${JSON.stringify(
      {
        seed,
        shard: options.shard,
        startedAt: new Date(started).toISOString(),
        reference: { version: context.reference.version, qemuRef: context.referenceChoice ?? null, judgedAs: context.referenceVersion },
        candidate: { version: context.candidate.version, selectedBy: context.candidate.selectedBy },
        exitCode,
        interrupted: control.stopRequested,
        properties: final,
      },
      null,
      2,
    )}\n`,
  );
  return { exitCode, seed, summaries: final, index, findingsDir: context.findingsDir, runDir, interrupted: control.stopRequested };
}
