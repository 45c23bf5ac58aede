import fc from 'fast-check';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ddCaseArbitrary } from '../arbitraries/dd-case.ts';
import { PROJECT_ROOT } from '../config/project-root.ts';
import { resolveTools, type ResolvedTools } from '../config/resolve-tools.ts';
import { instarArgs } from '../drivers/instar-dialect.ts';
import type { ToolRequest } from '../drivers/requests.ts';
import { runProcess } from '../drivers/run-process.ts';
import { argvFor, runTool, type Tool } from '../drivers/tool.ts';
import { scratchDir } from '../images/scratch.ts';
import { checkDdCase } from '../properties/dd.ts';
import { ddEnv } from './support/dd-env.ts';

const FAKE_INSTAR = join(PROJECT_ROOT, 'test/fake-instar/instar');

describe('instar dialect: argument arrays as FACTS.md documents them', () => {
  test('dd: -f is passed (instar ignores it), operands as key=value, absent count/skip left out', () => {
    const dd = { op: 'dd', input: 'in.qcow2', inputFormat: 'qcow2', output: 'out.vpc', outputFormat: 'vpc', bs: 1000 } as const;
    expect(instarArgs({ ...dd, count: 7, skip: 3 })).toEqual(['dd', '-f', 'qcow2', '-O', 'vpc', 'bs=1000', 'count=7', 'skip=3', 'if=in.qcow2', 'of=out.vpc']);
    expect(instarArgs({ ...dd, count: undefined, skip: undefined })).toEqual(['dd', '-f', 'qcow2', '-O', 'vpc', 'bs=1000', 'if=in.qcow2', 'of=out.vpc']);
    expect(instarArgs({ ...dd, count: 0, skip: 0 })).toContain('count=0');
  });

  test('create: repeated -o k=v, FILE then SIZE, no -q', () => {
    const request: ToolRequest = {
      op: 'create',
      format: 'qcow2',
      options: [['cluster_size', '512'], ['lazy_refcounts', 'on']],
      file: 'out.qcow2',
      size: '1.5M',
    };
    expect(instarArgs(request)).toEqual(['create', '-f', 'qcow2', '-o', 'cluster_size=512', '-o', 'lazy_refcounts=on', 'out.qcow2', '1.5M']);
    expect(instarArgs({ ...request, options: [] })).toEqual(['create', '-f', 'qcow2', 'out.qcow2', '1.5M']);
  });

  test('convert: --compress, dedicated --cluster-size/--subformat flags, no -f', () => {
    const request: ToolRequest = {
      op: 'convert',
      input: 'in.raw',
      inputFormat: 'raw',
      output: 'out.vmdk',
      outputFormat: 'vmdk',
      compress: true,
      options: [['subformat', 'streamOptimized'], ['cluster_size', '65536'], ['adapter_type', 'lsilogic']],
    };
    expect(instarArgs(request)).toEqual([
      'convert', '-O', 'vmdk', '--compress',
      '--subformat', 'streamOptimized', '--cluster-size', '65536',
      // No documented flag: passed as -o, where a rejection shows as an exit divergence.
      '-o', 'adapter_type=lsilogic',
      'in.raw', 'out.vmdk',
    ]);
    expect(instarArgs({ ...request, compress: false, options: [] })).toEqual(['convert', '-O', 'vmdk', 'in.raw', 'out.vmdk']);
  });

  test('info and check: --output json as two words, no -f (instar detects the format)', () => {
    expect(instarArgs({ op: 'info', file: 'a.qcow2', format: 'qcow2', output: 'json' })).toEqual(['info', '--output', 'json', 'a.qcow2']);
    expect(instarArgs({ op: 'info', file: 'a.qcow2', format: undefined, output: 'human' })).toEqual(['info', 'a.qcow2']);
    expect(instarArgs({ op: 'check', file: 'a.vpc', format: 'vpc', output: 'json' })).toEqual(['check', '--output', 'json', 'a.vpc']);
    expect(instarArgs({ op: 'check', file: 'a.vpc', format: 'vpc', output: 'human' })).toEqual(['check', 'a.vpc']);
  });

  test('measure: --output human|json always given, -s SIZE or IN, repeated -o', () => {
    expect(
      instarArgs({ op: 'measure', input: { size: '1048576' }, outputFormat: 'qcow2', options: [['cluster_size', '512']], output: 'json' }),
    ).toEqual(['measure', '--output', 'json', '-O', 'qcow2', '-o', 'cluster_size=512', '-s', '1048576']);
    expect(
      instarArgs({ op: 'measure', input: { file: 'in.vpc', format: 'vpc' }, outputFormat: 'raw', options: [], output: 'human' }),
    ).toEqual(['measure', '--output', 'human', '-O', 'raw', 'in.vpc']);
  });

  test('argvFor puts the tool command first and picks the dialect from the tool', () => {
    const instar: Tool = { role: 'candidate', command: ['/opt/instar'], dialect: 'instar', version: 'x', selectedBy: 'INSTAR=/opt/instar' };
    const request: ToolRequest = { op: 'create', format: 'raw', options: [], file: 'f', size: '1M' };
    expect(argvFor(instar, request)).toEqual(['/opt/instar', 'create', '-f', 'raw', 'f', '1M']);
    expect(argvFor({ ...instar, dialect: 'qemu-img', command: ['/usr/bin/qemu-img'] }, request)).toEqual([
      '/usr/bin/qemu-img', 'create', '-q', '-f', 'raw', 'f', '1M',
    ]);
  });
});

describe('the fake instar behind INSTAR', () => {
  let tools: ResolvedTools;
  let dir: { path: string; cleanup: () => Promise<void> };
  const log = (): string => join(dir.path, 'instar.log');

  beforeAll(async () => {
    const env: Record<string, string | undefined> = { ...process.env, INSTAR: FAKE_INSTAR };
    delete env['CANDIDATE'];
    tools = await resolveTools(env);
    dir = await scratchDir('instar-adapter');
    // The fake appends every command line it receives here.
    process.env['FAKE_INSTAR_LOG'] = log();
    delete process.env['FAKE_INSTAR_QUIRKS'];
  });

  afterAll(async () => {
    delete process.env['FAKE_INSTAR_LOG'];
    await dir.cleanup();
  });

  test('is chosen with the instar dialect', () => {
    expect(tools.calibration).toBe(false);
    expect(tools.candidate.dialect).toBe('instar');
    expect(tools.candidate.version).toMatch(/^instar .*fake/);
  });

  test('translates every request kind faithfully: same outcomes as qemu-img', async () => {
    const t = 10_000;
    const at = (name: string): string => join(dir.path, name);
    const run = async (request: ToolRequest) => {
      const [reference, candidate] = [await runTool(tools.reference, request, t), await runTool(tools.candidate, request, t)];
      expect(candidate.termination, candidate.stderr).toEqual(reference.termination);
      return { reference, candidate };
    };
    // create: instar announces "Created:" where qemu-img -q is silent.
    for (const who of ['reference', 'candidate'] as const) {
      const outcome = await runTool(tools[who], { op: 'create', format: 'qcow2', options: [['cluster_size', '4096'], ['lazy_refcounts', 'on']], file: at(`${who}.qcow2`), size: '1000k' }, t);
      expect(outcome.termination).toEqual({ kind: 'exited', code: 0 });
      if (who === 'candidate') expect(outcome.stdout).toBe(`Created: ${at('candidate.qcow2')}\n`);
    }
    const info = await run({ op: 'info', file: at('candidate.qcow2'), format: 'qcow2', output: 'json' });
    const parsed = JSON.parse(info.candidate.stdout) as Record<string, unknown>;
    expect(parsed).toMatchObject({ format: 'qcow2', 'virtual-size': 1024000, 'cluster-size': 4096 });
    expect(parsed['format-specific']).toMatchObject({ data: { 'lazy-refcounts': true } });
    const check = await run({ op: 'check', file: at('candidate.qcow2'), format: 'qcow2', output: 'json' });
    expect(JSON.parse(check.candidate.stdout)).toEqual(JSON.parse(check.reference.stdout));
    const measure = await run({ op: 'measure', input: { size: '1048576' }, outputFormat: 'qcow2', options: [['cluster_size', '512']], output: 'json' });
    expect(JSON.parse(measure.candidate.stdout)).toEqual(JSON.parse(measure.reference.stdout));
    const measureFile = await run({ op: 'measure', input: { file: at('candidate.qcow2'), format: 'qcow2' }, outputFormat: 'raw', options: [], output: 'human' });
    expect(measureFile.candidate.stdout).toBe(measureFile.reference.stdout);
    for (const who of ['reference', 'candidate'] as const) {
      const outcome = await runTool(tools[who], { op: 'convert', input: at('candidate.qcow2'), inputFormat: 'qcow2', output: at(`${who}.vmdk`), outputFormat: 'vmdk', compress: true, options: [['subformat', 'streamOptimized']] }, t);
      expect(outcome.termination, outcome.stderr).toEqual({ kind: 'exited', code: 0 });
    }
    const converted = await run({ op: 'info', file: at('candidate.vmdk'), format: 'vmdk', output: 'json' });
    expect(JSON.parse(converted.candidate.stdout)).toMatchObject({ format: 'vmdk', 'virtual-size': 1024000, 'format-specific': { data: { 'create-type': 'streamOptimized' } } });
    // A failure is a failure on both sides.
    await run({ op: 'info', file: at('missing.qcow2'), format: 'qcow2', output: 'json' });
    // The fake rejects qemu-img's spellings, so the above went through instar's dialect.
    const rejected = await runTool({ ...tools.candidate, dialect: 'qemu-img' }, { op: 'create', format: 'raw', options: [], file: at('x.raw'), size: '1M' }, t);
    expect(rejected.termination).toEqual({ kind: 'exited', code: 1 });
    expect(rejected.stderr).toContain("unexpected argument '-q'");
  });

  test('spellings the requests do not use yet: --repair, --output=json, -c, dd -f warning', async () => {
    const t = { timeoutMs: 10_000 };
    const fake = tools.candidate.command[0]!;
    const qemuImg = tools.reference.command[0]!;
    const image = join(dir.path, 'repair.qcow2');
    await runProcess([qemuImg, 'create', '-q', '-f', 'qcow2', image, '1M'], t);
    const repaired = await runProcess([fake, 'check', '--repair=leaks', '--output', 'json', image], t);
    const reference = await runProcess([qemuImg, 'check', '-r', 'leaks', '--output=json', image], t);
    expect(repaired.termination).toEqual(reference.termination);
    expect(JSON.parse(repaired.stdout)).toEqual(JSON.parse(reference.stdout));
    expect((await runProcess([fake, 'check', '--repair', image], t)).termination).toEqual({ kind: 'exited', code: 0 });
    expect((await runProcess([fake, 'check', '-r', 'all', image], t)).stderr).toContain("unexpected argument '-r'");
    expect(JSON.parse((await runProcess([fake, 'info', '--output=json', image], t)).stdout)).toMatchObject({ format: 'qcow2' });
    const compressed = join(dir.path, 'compressed.qcow2');
    expect((await runProcess([fake, 'convert', '-O', 'qcow2', '-c', image, compressed], t)).termination).toEqual({ kind: 'exited', code: 0 });
    const dd = await runProcess([fake, 'dd', '-f', 'vmdk', '-O', 'raw', `if=${image}`, `of=${join(dir.path, 'dd.raw')}`, 'count=1'], t);
    expect(dd.termination).toEqual({ kind: 'exited', code: 0 });
    expect(dd.stderr).toMatch(/-f vmdk is ignored/);
    const badBs = await runProcess([fake, 'dd', '-O', 'raw', `if=${image}`, `of=${join(dir.path, 'dd.raw')}`, 'bs=0'], t);
    expect(badBs.termination).toEqual({ kind: 'exited', code: 1 });
    expect(badBs.stderr).toContain('bs must be from 1 to 2147483647');
  });

  test('the dd property passes a short run through the instar dialect', async () => {
    await writeFile(log(), '');
    const env = ddEnv(tools);
    try {
      await fc.assert(fc.asyncProperty(ddCaseArbitrary, (c) => checkDdCase(env, c)), { seed: 2024, numRuns: 30 });
    } finally {
      await env.images.dispose();
    }
    expect(env.stats.runs).toBe(30);
    const calls = (await readFile(log(), 'utf8')).split('\n').filter((l) => l !== '');
    // One dd per case, each in instar's spelling.
    expect(calls).toHaveLength(30);
    for (const call of calls) expect(call).toMatch(/^dd -f \S+ -O \S+ bs=\d+ (count=\d+ )?(skip=\d+ )?if=\S+ of=\S+$/);
  });
});
