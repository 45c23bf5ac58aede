import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createCaseArbitrary, optionValue, requestedBytesOf, sizeLimit, writesRealBlocks, type CreateCase } from '../arbitraries/create-case.ts';
import { ALLOCATING_SIZE_CAP } from '../arbitraries/create-size.ts';
import type { CreateRequest } from '../drivers/requests.ts';
import { runProcess } from '../drivers/run-process.ts';
import { argvFor, type Tool } from '../drivers/tool.ts';
import { scratchDir } from '../images/scratch.ts';
import { createSizeClasses } from '../properties/create.ts';

const sample = fc.sample(createCaseArbitrary, { seed: 2024, numRuns: 3000 });

function share(predicate: (c: CreateCase) => boolean): number {
  return sample.filter(predicate).length / sample.length;
}

describe('create cases: the generated space', () => {
  test('about one case in ten is deliberately invalid, with every kind of flaw', () => {
    expect(share((c) => c.flaw !== null)).toBeGreaterThan(0.07);
    expect(share((c) => c.flaw !== null)).toBeLessThan(0.14);
    const flaws = new Set(sample.map((c) => c.flaw));
    for (const flaw of [
      'unknown-key',
      'bad-cluster-size',
      'extended-l2-small-clusters',
      'size-too-large',
      'bad-size-suffix',
      'compat-0.10-with-v3-feature',
      'bad-option-value',
    ]) {
      expect(flaws, flaw).toContain(flaw);
    }
  });

  test("every target, and every option of the issue's table, appears", () => {
    const seen = new Set(sample.flatMap((c) => [c.target, ...c.options.map(([k, v]) => `${c.target}:${k}=${v}`)]));
    for (const target of ['raw', 'qcow2', 'vmdk', 'vpc', 'vhdx']) expect(seen).toContain(target);
    for (const option of [
      'qcow2:cluster_size=512',
      'qcow2:cluster_size=2097152',
      'qcow2:extended_l2=on',
      'qcow2:lazy_refcounts=on',
      'qcow2:refcount_bits=1',
      'qcow2:refcount_bits=64',
      'qcow2:compat=0.10',
      'qcow2:compat=1.1',
      'qcow2:preallocation=metadata',
      'qcow2:preallocation=falloc',
      'qcow2:preallocation=full',
      'qcow2:compression_type=zstd',
      'vmdk:subformat=streamOptimized',
      'vmdk:compat6=on',
      'vmdk:hwversion=6',
      'vpc:subformat=fixed',
      'vpc:force_size=on',
      'vhdx:block_size=0',
      'vhdx:block_size=32M',
      'vhdx:log_size=8M',
      'vhdx:subformat=fixed',
      'raw:preallocation=full',
    ]) {
      expect(seen, option).toContain(option);
    }
    // The vhdx default block size stays in the space, past 1 GiB too.
    expect(sample.some((c) => c.target === 'vhdx' && optionValue(c.options, 'block_size') === undefined && (requestedBytesOf(c) ?? 0n) > 2n ** 30n)).toBe(true);
  });

  test('sizes: plain and suffixed, fractions, unaligned, zero and near each format limit', () => {
    const classes = new Set(sample.flatMap(createSizeClasses));
    for (const cls of ['size=plain', 'size=suffix', 'size=fraction', 'size=unaligned', 'size=zero', 'size>1TiB']) expect(classes).toContain(cls);
    for (const target of ['qcow2', 'vpc', 'vhdx'] as const) {
      const near = sample.filter((c) => {
        const limit = sizeLimit(c.target, c.options);
        return c.target === target && c.flaw === null && limit !== undefined && (requestedBytesOf(c) ?? 0n) > (limit * 99n) / 100n;
      });
      expect(near.length, target).toBeGreaterThan(0);
    }
  });

  test('layouts that write every block stay small; vmdk stays under 16 GiB', () => {
    for (const c of sample.filter((x) => x.flaw === null)) {
      if (writesRealBlocks(c.target, c.options)) expect(requestedBytesOf(c), JSON.stringify(c)).toBeLessThanOrEqual(BigInt(ALLOCATING_SIZE_CAP));
      if (c.target === 'vmdk') expect(requestedBytesOf(c), JSON.stringify(c)).toBeLessThanOrEqual(16n * 2n ** 30n);
    }
  });

  test('shrinking heads for the raw target, the size "0" and no options', () => {
    const everything = fc.check(fc.property(createCaseArbitrary, () => false), { seed: 1 });
    expect(everything.counterexample?.[0]).toEqual({ target: 'raw', size: '0', requestedBytes: '0', options: [], flaw: null });
    // A bug that needs one qcow2 option keeps that option alone, at its smallest value.
    const needsCluster = fc.check(
      fc.property(createCaseArbitrary, (c) => !(c.target === 'qcow2' && c.flaw === null && optionValue(c.options, 'cluster_size') !== undefined)),
      { seed: 1 },
    );
    expect(needsCluster.counterexample?.[0]).toEqual({
      target: 'qcow2',
      size: '0',
      requestedBytes: '0',
      options: [['cluster_size', '512']],
      flaw: null,
    });
  });
});

describe('create cases against qemu-img 7.2: the flaw label is right', () => {
  test('valid cases are accepted and flawed ones refused', async () => {
    const qemuImg = process.env['QEMU_IMG'] ?? 'qemu-img';
    const flawed = sample.filter((c) => c.flaw !== null).slice(0, 70);
    const valid = sample.filter((c) => c.flaw === null).slice(0, 70);
    const dir = await scratchDir('create-case');
    const wrong: string[] = [];
    try {
      for (const [i, c] of [...flawed, ...valid].entries()) {
        const file = `${dir.path}/case-${i}.${c.target}`;
        const options = c.options.length > 0 ? ['-o', c.options.map(([k, v]) => `${k}=${v}`).join(',')] : [];
        const outcome = await runProcess([qemuImg, 'create', '-q', '-f', c.target, ...options, file, c.size], { timeoutMs: 30_000 });
        const accepted = outcome.termination.kind === 'exited' && outcome.termination.code === 0;
        if (accepted !== (c.flaw === null)) wrong.push(`${JSON.stringify(c)}: ${outcome.stderr.trim()}`);
        await runProcess(['rm', '-f', file], { timeoutMs: 30_000 });
      }
    } finally {
      await dir.cleanup();
    }
    expect(wrong).toEqual([]);
  });
});

describe('create requests in each dialect', () => {
  const request: CreateRequest = {
    op: 'create',
    format: 'qcow2',
    options: [
      ['cluster_size', '512'],
      ['refcount_bits', '8'],
    ],
    file: 'out.qcow2',
    size: '1.5k',
  };
  const tool = (dialect: Tool['dialect']): Tool => ({ role: 'candidate', command: ['tool'], dialect, version: 'x', selectedBy: 'test' });

  test('qemu-img takes one -o with comma-separated options; instar takes -o once per option', () => {
    expect(argvFor(tool('qemu-img'), request)).toEqual(['tool', 'create', '-q', '-f', 'qcow2', '-o', 'cluster_size=512,refcount_bits=8', 'out.qcow2', '1.5k']);
    expect(argvFor(tool('instar'), request)).toEqual([
      'tool',
      'create',
      '-f',
      'qcow2',
      '-o',
      'cluster_size=512',
      '-o',
      'refcount_bits=8',
      'out.qcow2',
      '1.5k',
    ]);
  });
});
