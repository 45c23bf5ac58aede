import { describeTermination, type ProcessOutcome } from '../drivers/process-outcome.ts';

/**
 * How a report quotes a reader that failed (qemu-img convert or info,
 * qemu-io, check, a libyal tool): the command, how it ended, and both
 * streams. Both, because qemu-io prints its errors ("read failed:
 * Input/output error") on stdout and exits 1 with an empty stderr.
 */
export function describeReaderFailure(outcome: ProcessOutcome): string {
  const stdout = outcome.stdout.trim();
  const stderr = outcome.stderr.trim();
  return [
    `${outcome.argv.join(' ')}: ${describeTermination(outcome.termination)}`,
    stdout === '' ? 'stdout: (empty)' : `stdout: ${stdout}`,
    stderr === '' ? 'stderr: (empty)' : `stderr: ${stderr}`,
  ].join('\n');
}

/** The same on one line, for an inconclusive reason in a run summary. */
export function readerFailureLine(outcome: ProcessOutcome): string {
  return describeReaderFailure(outcome).replace(/\s*\n\s*/g, '; ');
}
