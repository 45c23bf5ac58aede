import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCaseArbitrary, type CreateCase } from '../arbitraries/create-case.ts';
import { runTool } from '../drivers/tool.ts';
import { succeeded } from '../drivers/process-outcome.ts';
import type { ResolvedTools } from '../config/resolve-tools.ts';
import { scratchDir } from '../images/scratch.ts';
import { LibyalReaders, predictedVhdiType } from '../oracles/create-libyal.ts';
import { calibrationTools } from './support/tools.ts';

/**
 * create reads vhdiinfo's view of the reference's VHD/VHDX only when the
 * candidate's type is not the one predicted for the request (issue 12).
 * This holds the prediction to vhdiinfo on qemu-img's own images, over the
 * requests the real arbitrary draws (a fixed sample), so a wrong
 * prediction fails here rather than letting a candidate of the wrong type
 * through.
 */
const CASES = 24;

const sample: readonly CreateCase[] = fc
  .sample(createCaseArbitrary, { seed: 12, numRuns: 600 })
  .filter((c) => c.flaw === null && (c.target === 'vpc' || c.target === 'vhdx'))
  .slice(0, CASES);

const readers = new LibyalReaders(process.env);

describe('the predicted vhdiinfo type of qemu-img\'s VHD/VHDX', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let tools: ResolvedTools;
  beforeAll(async () => {
    dir = await scratchDir('vhdi-type');
    tools = await calibrationTools();
  });
  afterAll(() => dir.cleanup());

  test('the sample holds both formats, each with and without subformat=fixed', () => {
    expect(sample).toHaveLength(CASES);
    const kinds = new Set(sample.map((c) => `${c.target}/${c.options.some(([k, v]) => k === 'subformat' && v === 'fixed') ? 'fixed' : 'dynamic'}`));
    expect([...kinds].sort()).toEqual(['vhdx/dynamic', 'vhdx/fixed', 'vpc/dynamic', 'vpc/fixed']);
  });

  test('only VHD and VHDX have a prediction', () => {
    expect(predictedVhdiType('vpc', [['subformat', 'fixed']])).toBe('VHD (version 1) Fixed');
    expect(predictedVhdiType('vhdx', [['block_size', '8M']])).toBe('VHDX (version 2) Dynamic');
    expect(predictedVhdiType('qcow2', [])).toBeUndefined();
  });

  test.runIf(readers.readerFor('vpc') !== undefined)('vhdiinfo names the predicted type on every image of the sample it parses', async () => {
    let parsed = 0;
    for (const [index, c] of sample.entries()) {
      const file = join(dir.path, `${index}.${c.target}`);
      const created = await runTool(tools.reference, { op: 'create', format: c.target, options: c.options, file, size: c.size }, 60_000);
      expect(succeeded(created), `${JSON.stringify(c)}: ${created.stderr}`).toBe(true);
      const reading = await readers.read(c.target, file, 30_000);
      if (reading?.kind === 'parsed') {
        parsed++;
        expect(reading.type, JSON.stringify(c)).toBe(predictedVhdiType(c.target, c.options));
      }
    }
    // Refusals (size 0) judge nothing; most of the sample must be judged.
    expect(parsed).toBeGreaterThan(CASES / 2);
  }, 180_000);
});
