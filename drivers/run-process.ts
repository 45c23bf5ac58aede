import { execa } from 'execa';
import type { Readable } from 'node:stream';
import type { AdjustableDeadline, LimitInForce } from './deadline.ts';
import type { ProcessOutcome, Termination } from './process-outcome.ts';

export interface RunOptions {
  /** Kill the whole process group after this long. */
  readonly timeoutMs: number;
  /**
   * May shorten `timeoutMs` while the child runs (never lengthen it): the
   * candidate's limit, once the reference's time is known.
   */
  readonly deadline?: AdjustableDeadline;
  /** Bytes kept per stream; the rest is drained and dropped. */
  readonly maxCaptureBytes?: number;
  readonly cwd?: string;
}

const DEFAULT_CAPTURE_BYTES = 256 * 1024;

/** This process's children in total, for the benchmark's time split. */
export interface ProcessCounters {
  /** Children started. */
  readonly spawned: number;
  /** Sum of every child's wall time (overlapping children add up). */
  readonly childWallMs: number;
  /** Wall time during which at least one child was running. */
  readonly busyMs: number;
}

const counters = { spawned: 0, childWallMs: 0, busyMs: 0 };
let runningChildren = 0;
let busySince = 0;

export function processCounters(): ProcessCounters {
  const open = runningChildren > 0 ? performance.now() - busySince : 0;
  return { spawned: counters.spawned, childWallMs: Math.round(counters.childWallMs), busyMs: Math.round(counters.busyMs + open) };
}

/** Process groups still alive, so an interrupted run leaves no orphans. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number): void {
  try {
    // Negative pid: the whole group, so a wrapper script's children die too.
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid);
  });
}

function capture(stream: Readable | null | undefined, limit: number): { text: () => string; truncated: () => boolean } {
  const chunks: Buffer[] = [];
  let kept = 0;
  let dropped = false;
  stream?.on('data', (chunk: Buffer) => {
    if (kept >= limit) {
      dropped = true;
      return;
    }
    const room = limit - kept;
    const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (piece.length < chunk.length) dropped = true;
    chunks.push(piece);
    kept += piece.length;
  });
  return { text: () => Buffer.concat(chunks).toString('utf8'), truncated: () => dropped };
}

/**
 * Runs one command from an argument array (never a shell), in its own
 * process group, with LC_ALL=C so messages are comparable. Never throws for
 * the child's sake: every ending is a typed {@link Termination}.
 */
export async function runProcess(argv: readonly string[], options: RunOptions): Promise<ProcessOutcome> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('runProcess: empty argv');
  installExitHook();
  const limit = options.maxCaptureBytes ?? DEFAULT_CAPTURE_BYTES;
  const started = performance.now();
  const child = execa(file, args, {
    reject: false,
    buffer: false,
    detached: true,
    stdin: 'ignore',
    cwd: options.cwd,
    env: { LC_ALL: 'C', LANG: 'C' },
    extendEnv: true,
  });
  counters.spawned++;
  if (runningChildren++ === 0) busySince = started;
  const out = capture(child.stdout, limit);
  const err = capture(child.stderr, limit);
  const pid = child.pid;
  if (pid !== undefined) liveGroups.add(pid);
  let timedOut = false;
  let applied: LimitInForce = { limitMs: options.timeoutMs, derivedFrom: undefined };
  let timer: NodeJS.Timeout | undefined;
  const arm = (chosen: LimitInForce): void => {
    clearTimeout(timer);
    applied = chosen;
    // A tightened limit that is already past kills at once.
    const remaining = Math.max(0, started + chosen.limitMs - performance.now());
    timer = setTimeout(() => {
      timedOut = true;
      if (pid !== undefined) killGroup(pid);
    }, remaining);
  };
  const tighten = (chosen: LimitInForce): void => {
    if (!timedOut && chosen.limitMs < applied.limitMs) arm(chosen);
  };
  arm(applied);
  const early = options.deadline?.current;
  if (early !== undefined) tighten(early);
  const unsubscribe = options.deadline?.subscribe(tighten);
  const result = await child;
  clearTimeout(timer);
  unsubscribe?.();
  if (pid !== undefined) {
    liveGroups.delete(pid);
    // Reap anything the child left behind in its group.
    killGroup(pid);
  }
  const ended = performance.now();
  counters.childWallMs += ended - started;
  if (--runningChildren === 0) counters.busyMs += ended - busySince;
  const wallMs = Math.round(ended - started);
  let termination: Termination;
  if (timedOut) {
    termination =
      applied.derivedFrom === undefined
        ? { kind: 'timed-out', afterMs: applied.limitMs }
        : { kind: 'timed-out', afterMs: applied.limitMs, derivedFrom: applied.derivedFrom };
  } else if (result.failed && result.exitCode === undefined && result.signal === undefined) {
    termination = { kind: 'spawn-failed', message: result.shortMessage ?? 'unknown error' };
  } else if (result.signal !== undefined) {
    termination = { kind: 'signaled', signal: result.signal };
  } else {
    termination = { kind: 'exited', code: result.exitCode ?? -1 };
  }
  return {
    argv: [...argv],
    termination,
    stdout: out.text(),
    stderr: err.text(),
    truncated: out.truncated() || err.truncated(),
    wallMs,
  };
}
