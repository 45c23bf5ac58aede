import { describeTermination, type ProcessOutcome } from '../drivers/process-outcome.ts';
import { divergence, type Divergence } from './divergence.ts';

export type OutcomeVerdict =
  | { readonly kind: 'agree'; readonly bothSucceeded: boolean }
  /** The reference did not finish normally: nothing to compare against. */
  | { readonly kind: 'inconclusive'; readonly reason: string }
  | { readonly kind: 'diverge'; readonly divergence: Divergence };

export interface OutcomeRules {
  /** Compare exact exit codes (check: 0, 2, 3 and 63 differ in meaning). */
  readonly exactExitCodes: boolean;
}

/**
 * Outcome agreement. A reference timeout or crash is inconclusive; a
 * candidate timeout or crash while the reference finished is a divergence
 * (a hang is a bug).
 */
export function compareOutcomes(
  reference: ProcessOutcome,
  candidate: ProcessOutcome,
  rules: OutcomeRules = { exactExitCodes: false },
): OutcomeVerdict {
  const ref = reference.termination;
  const cand = candidate.termination;
  if (ref.kind !== 'exited') {
    return { kind: 'inconclusive', reason: `reference ${describeTermination(ref)}` };
  }
  const both = `candidate ${describeTermination(cand)}, reference ${describeTermination(ref)}`;
  switch (cand.kind) {
    case 'timed-out':
      return { kind: 'diverge', divergence: divergence('candidate-timeout', both, '', { afterMs: cand.afterMs }) };
    case 'signaled':
      return { kind: 'diverge', divergence: divergence('candidate-crash', both, '', { signal: cand.signal }) };
    case 'spawn-failed':
      return { kind: 'diverge', divergence: divergence('candidate-unrunnable', both, cand.message) };
    case 'exited':
      break;
  }
  const data = { referenceExit: ref.code, candidateExit: cand.code };
  if ((ref.code === 0) !== (cand.code === 0)) {
    return { kind: 'diverge', divergence: divergence('exit-status', both, '', data) };
  }
  if (rules.exactExitCodes && ref.code !== cand.code) {
    return { kind: 'diverge', divergence: divergence('exit-code', both, '', data) };
  }
  return { kind: 'agree', bothSucceeded: ref.code === 0 };
}
