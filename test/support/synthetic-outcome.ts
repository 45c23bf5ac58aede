import type { ProcessOutcome, Termination } from '../../drivers/process-outcome.ts';

/** A made-up process outcome, for unit tests of oracles and whitelist entries. */
export function syntheticOutcome(termination: Termination, stderr = ''): ProcessOutcome {
  return { argv: ['tool'], termination, stdout: '', stderr, truncated: false, wallMs: 1 };
}

export const exited = (code: number): Termination => ({ kind: 'exited', code });
export const signaled = (signal: string): Termination => ({ kind: 'signaled', signal });
export const timedOut = (afterMs: number): Termination => ({ kind: 'timed-out', afterMs });
export const spawnFailed = (message: string): Termination => ({ kind: 'spawn-failed', message });
