import { statSync } from 'node:fs';
import type { ProcessOutcome } from './process-outcome.ts';
import type { ToolRequest } from './requests.ts';

/**
 * The reference's outcomes on calls that only read their input, kept while a
 * property runs, so shrink steps and corpus replays that revisit an input do
 * not run qemu-img again (issue 12). The reference is deterministic for a
 * given input; the candidate is never memoised.
 *
 * The key is the reference's command, the whole request (file paths
 * included) and each input file's size, mtime and ctime. Paths are part of
 * the key on purpose: `info` prints the file name, so an outcome is only
 * reused on the very file it came from, and a source rebuilt elsewhere (or
 * changed in place) is a miss. Calls that write an output (create, dd,
 * convert) are never memoised: later oracles read the reference's file.
 * Only outcomes that ran to their exit are kept: a timeout or a signal
 * says more about the machine's load than about the input.
 */
const READ_ONLY: ReadonlySet<ToolRequest['op']> = new Set(['info', 'check', 'measure']);

/** Size, mtime and ctime: a file rebuilt or touched reads as another input. */
function stamp(file: string): string | undefined {
  try {
    const s = statSync(file);
    return `${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
  } catch {
    return undefined;
  }
}

/** The files a read-only request reads. */
function inputsOf(request: ToolRequest): string[] {
  switch (request.op) {
    case 'info':
    case 'check':
      return [request.file];
    case 'measure':
      return 'file' in request.input ? [request.input.file] : [];
    default:
      return [];
  }
}

export class ReferenceMemo {
  /** Enough for a long shrink; oldest first out. */
  static readonly CAPACITY = 2048;
  private readonly outcomes = new Map<string, ProcessOutcome>();
  hits = 0;

  /** The memo key, or undefined when the request must always run. */
  keyOf(command: readonly string[], request: ToolRequest): string | undefined {
    if (!READ_ONLY.has(request.op)) return undefined;
    const stamps = inputsOf(request).map(stamp);
    // A missing input is not an input: its outcome is an error worth rerunning.
    if (stamps.some((s) => s === undefined)) return undefined;
    return JSON.stringify([command, request, stamps]);
  }

  get(key: string): ProcessOutcome | undefined {
    const outcome = this.outcomes.get(key);
    if (outcome !== undefined) this.hits++;
    return outcome;
  }

  remember(key: string, outcome: ProcessOutcome): void {
    if (outcome.termination.kind !== 'exited' || outcome.truncated) return;
    this.outcomes.set(key, outcome);
    while (this.outcomes.size > ReferenceMemo.CAPACITY) {
      const oldest = this.outcomes.keys().next().value;
      if (oldest === undefined) break;
      this.outcomes.delete(oldest);
    }
  }

  get size(): number {
    return this.outcomes.size;
  }
}
