import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { AdjustableDeadline } from '../drivers/deadline.ts';
import type { ToolRequest } from '../drivers/requests.ts';
import { runReferenceAndCandidate } from '../drivers/run-pair.ts';
import { runProcess } from '../drivers/run-process.ts';
import type { Tool } from '../drivers/tool.ts';
import { scratchDir } from '../images/scratch.ts';
import { goneWithin } from './support/process-alive.ts';

/** A stand-in tool: a bash script (the request's arguments land in $0, $1, … and are ignored). */
function scriptTool(role: Tool['role'], script: string): Tool {
  return { role, command: ['bash', '-c', script], dialect: 'qemu-img', version: 'fake', selectedBy: `fake ${role}` };
}

const request: ToolRequest = { op: 'info', file: 'unused', format: 'raw', output: 'json' };
const CAP_MS = 30_000;

describe('runReferenceAndCandidate', () => {
  test('a hanging candidate is killed with its process group at max(floor, factor × reference), well before the cap', async () => {
    const dir = await scratchDir('run-pair');
    try {
      const pidFile = join(dir.path, 'grandchild.pid');
      const env = {
        reference: scriptTool('reference', 'sleep 0.2'),
        // The grandchild would outlive its parent if only the parent were killed.
        candidate: scriptTool('candidate', `sleep 600 & echo $! > '${pidFile}'; wait`),
        timeoutMs: CAP_MS,
        candidateTime: { floorMs: 300, factor: 2 },
      };
      const [reference, candidate] = await runReferenceAndCandidate(env, request, request);
      expect(reference.termination).toEqual({ kind: 'exited', code: 0 });
      expect(candidate.termination).toEqual({
        kind: 'timed-out',
        afterMs: Math.max(300, Math.ceil(2 * reference.wallMs)),
        derivedFrom: { floorMs: 300, factor: 2, referenceMs: reference.wallMs },
      });
      expect(candidate.wallMs).toBeLessThan(CAP_MS);
      const grandchild = Number((await readFile(pidFile, 'utf8')).trim());
      expect(grandchild).toBeGreaterThan(0);
      expect(await goneWithin(grandchild, 5_000)).toBe(true);
    } finally {
      await dir.cleanup();
    }
  });

  test('a candidate that finishes is left alone, however the reference ends', async () => {
    const env = {
      reference: scriptTool('reference', 'sleep 0.3; exit 1'),
      candidate: scriptTool('candidate', 'exit 0'),
      timeoutMs: CAP_MS,
      candidateTime: { floorMs: 100, factor: 1 },
    };
    const [reference, candidate] = await runReferenceAndCandidate(env, request, request);
    expect(reference.termination).toEqual({ kind: 'exited', code: 1 });
    expect(candidate.termination).toEqual({ kind: 'exited', code: 0 });
  });

  test('a reference that runs into the cap leaves the candidate at the cap, named as a plain timeout', async () => {
    const env = {
      reference: scriptTool('reference', 'sleep 600'),
      candidate: scriptTool('candidate', 'sleep 600'),
      timeoutMs: 500,
      candidateTime: { floorMs: 100, factor: 2 },
    };
    const [reference, candidate] = await runReferenceAndCandidate(env, request, request);
    expect(reference.termination).toEqual({ kind: 'timed-out', afterMs: 500 });
    expect(candidate.termination).toEqual({ kind: 'timed-out', afterMs: 500 });
  });
});

describe('runProcess with an adjustable deadline', () => {
  test('a limit tightened to a point already past kills at once', async () => {
    const deadline = new AdjustableDeadline();
    const derivedFrom = { floorMs: 50, factor: 1, referenceMs: 10 };
    const running = runProcess(['sleep', '600'], { timeoutMs: CAP_MS, deadline });
    await new Promise((r) => setTimeout(r, 300));
    deadline.tighten(50, derivedFrom);
    const outcome = await running;
    expect(outcome.termination).toEqual({ kind: 'timed-out', afterMs: 50, derivedFrom });
    expect(outcome.wallMs).toBeLessThan(CAP_MS);
  });

  test('a limit tightened before the child starts applies from its start; a looser one never lengthens the timeout', async () => {
    const early = new AdjustableDeadline();
    early.tighten(200, undefined);
    expect((await runProcess(['sleep', '600'], { timeoutMs: CAP_MS, deadline: early })).termination).toEqual({ kind: 'timed-out', afterMs: 200 });
    const loose = new AdjustableDeadline();
    loose.tighten(60_000, undefined);
    expect((await runProcess(['sleep', '600'], { timeoutMs: 300, deadline: loose })).termination).toEqual({ kind: 'timed-out', afterMs: 300 });
  });
});
