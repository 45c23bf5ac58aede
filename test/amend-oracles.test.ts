import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { amendCaseArbitrary, amendCreateOptions, amendOptions, type AmendCase } from '../arbitraries/amend-case.ts';
import { PROJECT_ROOT } from '../config/project-root.ts';
import { resolveTools } from '../config/resolve-tools.ts';
import { instarArgs } from '../drivers/instar-dialect.ts';
import { qemuImgArgs } from '../drivers/qemu-img-dialect.ts';
import type { AmendRequest } from '../drivers/requests.ts';
import { amendModel, checkAmendCase } from '../properties/amend.ts';
import { amendEnv } from './mutants/amend.scenarios.ts';

const source = { layout: { format: 'qcow2', clusterSize: 65536, extendedL2: false, lazyRefcounts: false }, size: 1, extents: [{ offset: 0, length: 1, fill: 1 }] } as const;
const amendCase = (change: AmendCase['change'], refcountBits = 16, extendedL2 = false): AmendCase => ({
  source: { ...source, layout: { ...source.layout, extendedL2 } },
  refcountBits,
  change,
});

describe('amend request in both dialects', () => {
  const request: AmendRequest = { op: 'amend', file: 'a.qcow2', format: 'qcow2', options: [['compat', '1.1'], ['lazy_refcounts', 'on']] };
  test('qemu-img: one -o with the options joined', () => {
    expect(qemuImgArgs(request)).toEqual(['amend', '-f', 'qcow2', '-o', 'compat=1.1,lazy_refcounts=on', 'a.qcow2']);
  });
  test('instar: one -o per option (instar-ops.md section 4)', () => {
    expect(instarArgs(request)).toEqual(['amend', '-f', 'qcow2', '-o', 'compat=1.1', '-o', 'lazy_refcounts=on', 'a.qcow2']);
  });
});

describe('amend cases and the model of qemu-img amend', () => {
  test('v2 sources never carry a refcount width or extended L2 (qemu-img cannot create them)', () => {
    expect(amendCreateOptions(amendCase('upgrade', 8, true))).toEqual([['compat', '0.10'], ['cluster_size', '65536']]);
    expect(amendCreateOptions(amendCase('lazy-off', 8, true))).toEqual([
      ['compat', '1.1'],
      ['cluster_size', '65536'],
      ['refcount_bits', '8'],
      ['extended_l2', 'on'],
      ['lazy_refcounts', 'on'],
    ]);
    expect(amendOptions('upgrade-lazy')).toEqual([['compat', '1.1'], ['lazy_refcounts', 'on']]);
  });

  test('refusals: a downgrade with refcount_bits other than 16 or extended L2, lazy refcounts on a v2 image', () => {
    expect(amendModel(amendCase('downgrade', 8)).exit).toBe(1);
    expect(amendModel(amendCase('downgrade', 16, true))).toEqual({ exit: 1, compat: '1.1', lazyRefcounts: false });
    expect(amendModel(amendCase('lazy-on-v2'))).toEqual({ exit: 1, compat: '0.10', lazyRefcounts: undefined });
    expect(amendModel(amendCase('downgrade'))).toEqual({ exit: 0, compat: '0.10', lazyRefcounts: undefined });
    expect(amendModel(amendCase('upgrade-lazy'))).toEqual({ exit: 0, compat: '1.1', lazyRefcounts: true });
    expect(amendModel(amendCase('lazy-off', 64))).toEqual({ exit: 0, compat: '1.1', lazyRefcounts: false });
  });
});

test('the fake instar amends in instar\'s dialect and passes a short run of the amend property', async () => {
  const env: Record<string, string | undefined> = { ...process.env, INSTAR: join(PROJECT_ROOT, 'test/fake-instar/instar') };
  delete env['CANDIDATE'];
  const tools = await resolveTools(env);
  expect(tools.candidate.dialect).toBe('instar');
  const environment = { ...amendEnv(tools), candidateTime: { floorMs: 20_000, factor: 10 } };
  await fc.assert(fc.asyncProperty(amendCaseArbitrary, (c) => checkAmendCase(environment, c)), { seed: 11, numRuns: 8 });
  expect(environment.stats.runs).toBe(8);
});
