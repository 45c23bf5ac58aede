import fc from 'fast-check';
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, test } from 'vitest';
import { corruptQcow2Arbitrary } from '../arbitraries/qcow2-corruption.ts';
import { DEFAULT_CANDIDATE_TIME_POLICY } from '../drivers/candidate-time-limit.ts';
import { runProcess } from '../drivers/run-process.ts';
import { processCounters } from '../drivers/run-process.ts';
import { applyFault, faultSteps, parseQcow2, Qcow2ParseError, readRefcount, resolveFault } from '../images/qcow2-corrupt.ts';
import { checkEnv } from '../properties/check-env.ts';
import { calibrationTools } from './support/tools.ts';

const env = checkEnv(await calibrationTools(), 30_000, DEFAULT_CANDIDATE_TIME_POLICY);
afterAll(() => env.dispose());

describe('qcow2 byte-level faults', () => {
  test('a file that is not qcow2 is refused, not misread', () => {
    expect(() => parseQcow2(Buffer.alloc(4096))).toThrow(Qcow2ParseError);
  });

  test('the qemu-img/qemu-io steps change exactly the bytes the fault names, and nothing else', async () => {
    // Sampled across cluster sizes, extended L2 and every fault kind.
    for (const { base, fault } of fc.sample(corruptQcow2Arbitrary, { seed: 21, numRuns: 12 })) {
      const clean = await readFile((await env.images.get(base)).path);
      const layout = parseQcow2(clean);
      const resolved = resolveFault(clean, layout, fault);
      if (resolved === undefined) continue;
      const derived = await env.derived.get(base, { key: JSON.stringify(fault), steps: (_b, file) => faultSteps(resolved, file) });
      const corrupted = await readFile(derived.path);
      expect(corrupted.equals(applyFault(clean, resolved)), `${fault.kind} on ${JSON.stringify(base.layout)}`).toBe(true);
      expect(corrupted.equals(clean)).toBe(false);
      // The check property writes the same bytes in-process, with no qemu-img/qemu-io run.
      const spawned = processCounters().spawned;
      const inProcess = await env.derived.get(base, {
        key: `${JSON.stringify(fault)} in-process`,
        steps: (_b, file) => faultSteps(resolved, file),
        apply: (bytes) => applyFault(bytes, resolved),
      });
      expect(processCounters().spawned).toBe(spawned);
      expect((await readFile(inProcess.path)).equals(corrupted)).toBe(true);
    }
  });

  test('each fault gives qemu-img check the exit code it stands for', async () => {
    const base = { layout: { format: 'qcow2', clusterSize: 512, extendedL2: false, lazyRefcounts: false }, size: 8192, extents: [{ offset: 0, length: 1024, fill: 7 }] } as const;
    const clean = await readFile((await env.images.get(base)).path);
    const layout = parseQcow2(clean);
    // Cluster 0 (the header) has no COPIED flag anywhere: a too-high
    // refcount there is a leak only.
    const expected = [
      { fault: { kind: 'leak', site: 0 }, exit: 3 },
      { fault: { kind: 'refcount-zero', site: 0 }, exit: 2 },
      { fault: { kind: 'refcount-high', site: 0 }, exit: 3 },
      { fault: { kind: 'stale-copied', site: 0 }, exit: 2 },
    ] as const;
    for (const { fault, exit } of expected) {
      const resolved = resolveFault(clean, layout, fault);
      if (resolved === undefined) throw new Error(`${fault.kind}: no site`);
      const image = await env.derived.get(base, { key: JSON.stringify(fault), steps: (_b, file) => faultSteps(resolved, file) });
      const outcome = await runProcess(['qemu-img', 'check', '-f', 'qcow2', image.path], { timeoutMs: 30_000 });
      expect(outcome.termination, `${fault.kind}: ${outcome.stderr}`).toEqual({ kind: 'exited', code: exit });
    }
    expect(readRefcount(clean, layout, 0)).toBe(1);
  });
});
