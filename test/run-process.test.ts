import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runProcess } from '../drivers/run-process.ts';
import { scratchDir } from '../images/scratch.ts';
import { goneWithin } from './support/process-alive.ts';

/** A killed process is gone at once; the poll only waits this long on a machine too busy to schedule it. */
const GONE_WITHIN_MS = 20_000;

describe('runProcess', () => {
  test('a timeout kills the whole process group, grandchildren included', async () => {
    const dir = await scratchDir('run-process');
    try {
      const pidFile = join(dir.path, 'grandchild.pid');
      // The grandchild would outlive its parent if only the parent were killed.
      const script = `sleep 60 & echo $! > '${pidFile}'; wait`;
      const outcome = await runProcess(['bash', '-c', script], { timeoutMs: 300 });
      expect(outcome.termination).toEqual({ kind: 'timed-out', afterMs: 300 });
      expect(outcome.wallMs).toBeGreaterThanOrEqual(290);
      // Far below the 60 s sleep (so the time-out ended the call), far above any scheduling delay on a busy machine.
      expect(outcome.wallMs).toBeLessThan(30_000);
      const grandchild = Number((await readFile(pidFile, 'utf8')).trim());
      expect(grandchild).toBeGreaterThan(0);
      expect(await goneWithin(grandchild, GONE_WITHIN_MS)).toBe(true);
    } finally {
      await dir.cleanup();
    }
  });

  test('a child that finished leaves nothing behind in its group', async () => {
    const dir = await scratchDir('run-process');
    try {
      const pidFile = join(dir.path, 'straggler.pid');
      // The straggler keeps no pipe open, so the parent's exit ends the call.
      const script = `sleep 60 >/dev/null 2>&1 & echo $! > '${pidFile}'; exit 0`;
      const outcome = await runProcess(['bash', '-c', script], { timeoutMs: 10_000 });
      expect(outcome.termination).toEqual({ kind: 'exited', code: 0 });
      const straggler = Number((await readFile(pidFile, 'utf8')).trim());
      expect(await goneWithin(straggler, GONE_WITHIN_MS)).toBe(true);
    } finally {
      await dir.cleanup();
    }
  });

  test('endings are classified: exit code, signal, spawn failure', async () => {
    expect((await runProcess(['bash', '-c', 'exit 3'], { timeoutMs: 5_000 })).termination).toEqual({ kind: 'exited', code: 3 });
    expect((await runProcess(['true'], { timeoutMs: 5_000 })).termination).toEqual({ kind: 'exited', code: 0 });
    expect((await runProcess(['bash', '-c', 'kill -SEGV $$'], { timeoutMs: 5_000 })).termination).toEqual({
      kind: 'signaled',
      signal: 'SIGSEGV',
    });
    expect((await runProcess(['bash', '-c', 'kill -KILL $$'], { timeoutMs: 5_000 })).termination).toEqual({
      kind: 'signaled',
      signal: 'SIGKILL',
    });
    const missing = await runProcess(['/nonexistent/tool', 'dd'], { timeoutMs: 5_000 });
    expect(missing.termination.kind).toBe('spawn-failed');
    expect(missing.termination.kind === 'spawn-failed' && missing.termination.message).toMatch(/ENOENT/);
  });

  test('stdout and stderr are captured separately, and bounded without stalling the child', async () => {
    const both = await runProcess(['bash', '-c', 'echo out; echo err >&2'], { timeoutMs: 5_000 });
    expect(both).toMatchObject({ stdout: 'out\n', stderr: 'err\n', truncated: false });
    // 4 MiB through a 1000-byte bound: the rest is drained, so the child finishes.
    const flood = await runProcess(['bash', '-c', 'head -c 4194304 /dev/zero | tr "\\0" x; echo done >&2'], {
      timeoutMs: 10_000,
      maxCaptureBytes: 1000,
    });
    expect(flood.termination).toEqual({ kind: 'exited', code: 0 });
    expect(flood.stdout).toBe('x'.repeat(1000));
    expect(flood.stderr).toBe('done\n');
    expect(flood.truncated).toBe(true);
  });

  test('children run with LC_ALL=C and LANG=C whatever the parent has', async () => {
    const saved = { LC_ALL: process.env['LC_ALL'], LANG: process.env['LANG'] };
    process.env['LC_ALL'] = 'de_DE.UTF-8';
    process.env['LANG'] = 'de_DE.UTF-8';
    try {
      const outcome = await runProcess(['bash', '-c', 'echo "$LC_ALL/$LANG"'], { timeoutMs: 5_000 });
      expect(outcome.stdout).toBe('C/C\n');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  test('arguments reach the child verbatim: no shell expands them', async () => {
    const word = '$(echo hacked) *; `id` "q"';
    const outcome = await runProcess(['printf', '%s', word], { timeoutMs: 5_000 });
    expect(outcome.stdout).toBe(word);
    expect(outcome.argv).toEqual(['printf', '%s', word]);
  });
});
