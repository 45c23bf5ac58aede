import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ReferenceMemo } from '../drivers/reference-memo.ts';
import type { ToolRequest } from '../drivers/requests.ts';
import { runReferenceAndCandidate } from '../drivers/run-pair.ts';
import type { Tool } from '../drivers/tool.ts';
import { scratchDir } from '../images/scratch.ts';

/**
 * A stand-in tool that appends one line to a tally file per run and prints
 * a counter, so a test sees exactly which calls ran (the request's
 * arguments land in $0, $1, … and are ignored).
 */
function tallyTool(role: Tool['role'], tally: string, exit = 0): Tool {
  const script = `echo run >> '${tally}'; wc -l < '${tally}'; exit ${exit}`;
  return { role, command: ['bash', '-c', script], dialect: 'qemu-img', version: 'fake', selectedBy: `fake ${role}` };
}

async function runs(tally: string): Promise<number> {
  return (await readFile(tally, 'utf8')).split('\n').filter((l) => l === 'run').length;
}

describe('ReferenceMemo through runReferenceAndCandidate', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let input: string;
  beforeAll(async () => {
    dir = await scratchDir('reference-memo');
    input = join(dir.path, 'source.raw');
    await writeFile(input, Buffer.alloc(512));
  });
  afterAll(() => dir.cleanup());

  function env(name: string, referenceExit = 0) {
    const referenceTally = join(dir.path, `${name}-reference.tally`);
    const candidateTally = join(dir.path, `${name}-candidate.tally`);
    return {
      referenceTally,
      candidateTally,
      pair: {
        reference: tallyTool('reference', referenceTally, referenceExit),
        candidate: tallyTool('candidate', candidateTally),
        timeoutMs: 30_000,
        candidateTime: { floorMs: 1000, factor: 10 },
        referenceMemo: new ReferenceMemo(),
      },
    };
  }

  test('a read-only call on an unchanged input runs the reference once and the candidate every time', async () => {
    const { referenceTally, candidateTally, pair } = env('repeat');
    const info: ToolRequest = { op: 'info', file: input, format: 'raw', output: 'json' };
    const [first] = await runReferenceAndCandidate(pair, info, info);
    const [second] = await runReferenceAndCandidate(pair, info, info);
    expect(second).toEqual(first);
    expect(await runs(referenceTally)).toBe(1);
    expect(await runs(candidateTally)).toBe(2);
    expect(pair.referenceMemo.hits).toBe(1);
    // Another request on the same file is another key.
    await runReferenceAndCandidate(pair, { ...info, output: 'human' }, { ...info, output: 'human' });
    expect(await runs(referenceTally)).toBe(2);
  });

  test('an input that changed (size, mtime or ctime) is a miss', async () => {
    const { referenceTally, pair } = env('changed');
    const check: ToolRequest = { op: 'check', file: input, format: 'raw', output: 'json' };
    await runReferenceAndCandidate(pair, check, check);
    await appendFile(input, Buffer.alloc(512));
    await runReferenceAndCandidate(pair, check, check);
    expect(await runs(referenceTally)).toBe(2);
  });

  test('calls that write an output and calls on a missing input always run', async () => {
    const { referenceTally, pair } = env('writes');
    const create: ToolRequest = { op: 'create', format: 'raw', options: [], file: join(dir.path, 'out.raw'), size: '1M' };
    await runReferenceAndCandidate(pair, create, create);
    await runReferenceAndCandidate(pair, create, create);
    const missing: ToolRequest = { op: 'info', file: join(dir.path, 'absent.raw'), format: 'raw', output: 'json' };
    await runReferenceAndCandidate(pair, missing, missing);
    await runReferenceAndCandidate(pair, missing, missing);
    expect(await runs(referenceTally)).toBe(4);
    expect(pair.referenceMemo.size).toBe(0);
  });

  test('measure from a size (no input file) is remembered; the exit status is part of what is replayed', async () => {
    const { referenceTally, pair } = env('measure', 1);
    const measure: ToolRequest = { op: 'measure', input: { size: '1048576' }, outputFormat: 'qcow2', options: [], output: 'json' };
    const [first] = await runReferenceAndCandidate(pair, measure, measure);
    const [second] = await runReferenceAndCandidate(pair, measure, measure);
    expect(first.termination).toEqual({ kind: 'exited', code: 1 });
    expect(second).toEqual(first);
    expect(await runs(referenceTally)).toBe(1);
  });

  test('a reference that did not run to its exit is not kept', () => {
    const memo = new ReferenceMemo();
    const key = memo.keyOf(['qemu-img'], { op: 'measure', input: { size: '1' }, outputFormat: 'raw', options: [], output: 'json' });
    expect(key).toBeDefined();
    const outcome = { argv: ['qemu-img'], stdout: '', stderr: '', truncated: false, wallMs: 30_000 };
    memo.remember(key as string, { ...outcome, termination: { kind: 'timed-out', afterMs: 30_000 } });
    memo.remember(key as string, { ...outcome, termination: { kind: 'signaled', signal: 'SIGSEGV' } });
    expect(memo.get(key as string)).toBeUndefined();
  });
});
