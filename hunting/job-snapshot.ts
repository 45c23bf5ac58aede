import type { ProcessCounters } from '../drivers/run-process.ts';
import type { SignatureCount } from './signature-gate.ts';
import type { JsonValue } from '../oracles/divergence.ts';
import type { Signature } from '../reports/signature.ts';

/** RunStats.toJSON(), as the campaign reads it back. */
export interface RunStatsJson {
  readonly property: string;
  readonly runs: number;
  readonly inconclusive: readonly string[];
  readonly whitelistEligible: Readonly<Record<string, number>>;
  readonly whitelistHits: Readonly<Record<string, number>>;
  readonly classes: Readonly<Record<string, number>>;
}

export interface SnapshotFinding {
  /** Signature id and its report folder. */
  readonly id: string;
  readonly signature: Signature;
  readonly folder: string;
  /** The signature's count after this finding. */
  readonly count: number;
  readonly newSignature: boolean;
  readonly corpusFile: string | undefined;
  /** The corpus example that failed, when the finding came from one. */
  readonly fromExample: string | undefined;
}

/** The failing case being shrunk: saved by the campaign if the process dies before its report. */
export interface PendingFailure {
  readonly case: JsonValue;
  readonly summary: string;
  readonly fromExample: string | undefined;
}

/**
 * What one property process reports about itself, rewritten (atomically)
 * after cases and at every change of phase. The campaign reads these for
 * progress and merges them for the summary.
 */
export interface JobSnapshot {
  readonly job: string;
  readonly propertyFile: string;
  readonly property: string;
  readonly pid: number;
  readonly seed: number;
  readonly startedAt: number;
  readonly updatedAt: number;
  readonly phase: 'running' | 'shrinking' | 'done';
  /** Cases run before any failure (corpus examples included). */
  readonly cases: number;
  /** Predicate runs spent shrinking. */
  readonly shrinks: number;
  /** Corpus examples replayed first, by file name. */
  readonly examples: readonly string[];
  readonly pending: PendingFailure | undefined;
  readonly findings: readonly SnapshotFinding[];
  /** The property could not run a case (a suite problem, not a finding). */
  readonly errors: readonly string[];
  readonly stoppedBy: 'deadline' | 'stop' | undefined;
  /** Known signatures met and counted without stopping the property. */
  readonly known: readonly SignatureCount[];
  /** New signatures met while another was being shrunk (left for a later run). */
  readonly setAside: readonly SignatureCount[];
  /** RunStats of this process, as they were before shrinking began. */
  readonly stats: readonly RunStatsJson[];
  readonly processes: ProcessCounters;
}
