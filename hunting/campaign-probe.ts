import fc from 'fast-check';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processCounters } from '../drivers/run-process.ts';
import type { SignatureGate } from './signature-gate.ts';
import type { JsonValue } from '../oracles/divergence.ts';
import { liveRunStats } from '../oracles/run-stats.ts';
import { ABORT_FILE, SNAPSHOT_SUFFIX, STOP_FILE, type CampaignChildSettings } from './campaign-child-settings.ts';
import type { JobSnapshot, PendingFailure, RunStatsJson, SnapshotFinding } from './job-snapshot.ts';

const WRITE_EVERY_MS = 250;
const POLL_EVERY_MS = 200;
let probesInProcess = 0;

/**
 * Exits even inside a vitest worker, where process.exit is replaced by a
 * throw: 'exit' listeners still run first (runProcess kills the tool
 * process groups still alive there), then the real exit.
 */
function exitNow(code: number): void {
  process.exitCode = code;
  process.emit('exit', code);
  (process as unknown as { reallyExit: (code: number) => void }).reallyExit(code);
}

function failureSummary(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? '';
}

/**
 * A property process's side of a campaign: a fast-check plugin that counts
 * every case, notices the first failure and each smaller failing case while
 * shrinking, stops starting cases at the deadline or on a stop request, and
 * keeps a snapshot file up to date for the campaign to read.
 */
export class CampaignProbe {
  private cases = 0;
  private shrinks = 0;
  private phase: JobSnapshot['phase'] = 'running';
  private pending: PendingFailure | undefined;
  private readonly findings: SnapshotFinding[] = [];
  private readonly errors: string[] = [];
  private stoppedBy: JobSnapshot['stoppedBy'];
  private frozenStats: RunStatsJson[] | undefined;
  private dirty = true;
  private lastWrite = 0;
  private readonly file: string;
  private readonly startedAt = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly settings: CampaignChildSettings,
    private readonly meta: { propertyFile: string; property: string; seed: number; examples: readonly string[]; gate?: SignatureGate },
  ) {
    this.file = join(settings.runDir, `${settings.job}.${probesInProcess++}${SNAPSHOT_SUFFIX}`);
    this.timer = setInterval(() => this.tick(), POLL_EVERY_MS);
    this.timer.unref();
    this.write();
  }

  /** The plugin to pass in fast-check's `plugins`. */
  plugin<Ts>(): fc.Plugin<Ts> {
    return () => ({
      decorateRun: (nestedRun) => (value) => {
        const stop = this.stopReason();
        if (stop !== undefined) {
          this.stoppedBy = stop;
          this.dirty = true;
          return new fc.PreconditionFailure(true);
        }
        return Promise.resolve(nestedRun(value)).then((outcome) => {
          this.afterCase(value, outcome);
          return outcome;
        });
      },
    });
  }

  private stopReason(): JobSnapshot['stoppedBy'] {
    if (existsSync(join(this.settings.runDir, STOP_FILE))) return 'stop';
    const limit = this.phase === 'shrinking' ? this.settings.shrinkDeadline : this.settings.deadline;
    return limit !== undefined && Date.now() >= limit ? 'deadline' : undefined;
  }

  private afterCase(value: unknown, outcome: fc.PreconditionFailure | fc.PropertyFailure | null): void {
    const failure = outcome !== null && !fc.PreconditionFailure.isFailure(outcome) ? outcome : undefined;
    const failed = failure !== undefined;
    if (this.phase === 'running') {
      const index = this.cases++;
      if (failure !== undefined) {
        this.phase = 'shrinking';
        this.frozenStats = liveRunStats().map((s) => s.toJSON() as RunStatsJson);
        this.pending = {
          case: (Array.isArray(value) ? value[0] : value) as JsonValue,
          summary: failureSummary(failure.error),
          fromExample: this.meta.examples[index],
        };
      }
    } else {
      this.shrinks++;
      if (failure !== undefined && this.pending !== undefined) {
        this.pending = { ...this.pending, case: (Array.isArray(value) ? value[0] : value) as JsonValue, summary: failureSummary(failure.error) };
      }
    }
    this.dirty = true;
    // A new failing case is written at once: it must survive a kill.
    if (failed || Date.now() - this.lastWrite >= WRITE_EVERY_MS) this.write();
  }

  /** True once the shrink deadline passed or a stop was requested: the reduction pass ends with what it has. */
  shrinkingShouldStop(): boolean {
    return this.stopReason() !== undefined;
  }

  /** The reduction pass kept a smaller failing case: it replaces the pending one at once. */
  noteSmallerCase(value: JsonValue, summary: string): void {
    if (this.pending === undefined) return;
    this.pending = { ...this.pending, case: value, summary };
    this.write();
  }

  recordFinding(finding: SnapshotFinding): void {
    this.findings.push(finding);
    this.pending = undefined;
    this.write();
  }

  recordError(message: string): void {
    this.errors.push(message);
    this.pending = undefined;
    this.write();
  }

  /** The run is over: final snapshot, no more polling. */
  finish(): void {
    this.phase = 'done';
    clearInterval(this.timer);
    this.write();
  }

  private tick(): void {
    if (existsSync(join(this.settings.runDir, ABORT_FILE))) {
      this.write();
      // A second interrupt: the campaign wants out now. The pending case is in the snapshot.
      exitNow(130);
    }
    if (this.dirty) this.write();
  }

  snapshot(): JobSnapshot {
    return {
      job: this.settings.job,
      propertyFile: this.meta.propertyFile,
      property: this.meta.property,
      pid: process.pid,
      seed: this.meta.seed,
      startedAt: this.startedAt,
      updatedAt: Date.now(),
      phase: this.phase,
      cases: this.cases,
      shrinks: this.shrinks,
      examples: this.meta.examples,
      pending: this.pending,
      findings: this.findings,
      errors: this.errors,
      stoppedBy: this.stoppedBy,
      known: [...(this.meta.gate?.knownHits.values() ?? [])],
      setAside: [...(this.meta.gate?.setAside.values() ?? [])],
      stats: this.frozenStats ?? liveRunStats().map((s) => s.toJSON() as RunStatsJson),
      processes: processCounters(),
    };
  }

  private write(): void {
    const partial = `${this.file}.partial`;
    writeFileSync(partial, JSON.stringify(this.snapshot()));
    renameSync(partial, this.file);
    this.lastWrite = Date.now();
    this.dirty = false;
  }
}
