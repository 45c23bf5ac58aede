import type { DerivedLimit } from './candidate-time-limit.ts';

/** How a child process ended. Exactly one of these, never a mix. */
export type Termination =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'signaled'; readonly signal: string }
  /** `derivedFrom`: the limit came from the reference's time, not the fixed timeout. */
  | { readonly kind: 'timed-out'; readonly afterMs: number; readonly derivedFrom?: DerivedLimit }
  | { readonly kind: 'spawn-failed'; readonly message: string };

export interface ProcessOutcome {
  readonly argv: readonly string[];
  readonly termination: Termination;
  readonly stdout: string;
  readonly stderr: string;
  /** True when output beyond the capture bound was dropped. */
  readonly truncated: boolean;
  readonly wallMs: number;
}

export function exitedWith(outcome: ProcessOutcome, code: number): boolean {
  return outcome.termination.kind === 'exited' && outcome.termination.code === code;
}

export function succeeded(outcome: ProcessOutcome): boolean {
  return exitedWith(outcome, 0);
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

/**
 * "exit 1", "signal SIGSEGV", "timed out after 30000 ms", "timed out after
 * 2000 ms (limit derived: max(floor 2 s, 10 × reference 35 ms))", "could not start: …".
 */
export function describeTermination(t: Termination): string {
  switch (t.kind) {
    case 'exited':
      return `exit ${t.code}`;
    case 'signaled':
      return `killed by ${t.signal}`;
    case 'timed-out':
      if (t.derivedFrom === undefined) return `timed out after ${t.afterMs} ms`;
      const { floorMs, factor, referenceMs, candidatePaceMs } = t.derivedFrom;
      const pace = candidatePaceMs === undefined ? '' : `, ${factor} × candidate's median ${candidatePaceMs} ms`;
      return `timed out after ${t.afterMs} ms (limit derived: max(floor ${seconds(floorMs)}, ${factor} × reference ${referenceMs} ms${pace}))`;
    case 'spawn-failed':
      return `could not start: ${t.message}`;
  }
}
