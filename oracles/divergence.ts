import type { ProcessOutcome } from '../drivers/process-outcome.ts';

/**
 * What kind of disagreement a case showed. The kind is part of a finding's
 * signature, so keep the set small and each meaning sharp.
 */
export type DivergenceKind =
  /** One tool succeeded, the other failed. */
  | 'exit-status'
  /** Both failed or both succeeded, with different exit codes where codes carry meaning. */
  | 'exit-code'
  /** The candidate hung while the reference finished. */
  | 'candidate-timeout'
  /** The candidate died on a signal while the reference finished. */
  | 'candidate-crash'
  /** The candidate could not be started at all. */
  | 'candidate-unrunnable'
  /** qemu-img cannot read the candidate's output but can read the reference's. */
  | 'output-unreadable'
  | 'virtual-size'
  | 'content'
  /** A metadata document (info/check/measure JSON) differs after normalising. */
  | 'metadata'
  /** Human-readable output differs after normalising. */
  | 'output-text'
  /** The candidate changed its input image. */
  | 'input-modified'
  /** qemu-img disagrees with the suite's executable model: model or qemu-img version, not the candidate. */
  | 'model-mismatch'
  /** Compression was asked for and the source was compressible, but the candidate's output holds none. */
  | 'compression'
  /** A figure the candidate printed breaks a bound checked against real outputs (measure targets qemu-img cannot measure). */
  | 'bound';

export type JsonValue = string | number | bigint | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export interface Divergence {
  readonly kind: DivergenceKind;
  /** One line, e.g. "candidate exit 0, reference exit 1". */
  readonly summary: string;
  /** Longer text for the report: a hex view, a json-diff. */
  readonly detail: string;
  /** Structured facts for machines and whitelist signatures. */
  readonly data: Readonly<Record<string, JsonValue>>;
}

/** Everything the oracles saw for one case; whitelist signatures look here. */
export interface Observation {
  readonly divergence: Divergence;
  readonly reference: ProcessOutcome;
  readonly candidate: ProcessOutcome;
}

export function divergence(
  kind: DivergenceKind,
  summary: string,
  detail = '',
  data: Readonly<Record<string, JsonValue>> = {},
): Divergence {
  return { kind, summary, detail, data };
}
