import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runProcess } from '../drivers/run-process.ts';
import { scratchDir } from '../images/scratch.ts';
import { compressionEvidence, GRAIN_BYTES, sourceData, STREAM_EVIDENCE_GRAINS } from '../oracles/compression.ts';
import { calibrationTools } from './support/tools.ts';

/**
 * The streamOptimized size evidence, on files qemu-img writes: it must accept
 * compressible data and reject a file that is not smaller than its data.
 * Incompressible (random) grains stand in for stored, uncompressed ones:
 * both leave the file as large as the data.
 */
describe('compression oracle: streamOptimized size evidence', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>> | undefined;
  let dir = '';
  let qemuImg = '';
  const grains = STREAM_EVIDENCE_GRAINS;

  beforeAll(async () => {
    scratch = await scratchDir('compression');
    dir = scratch.path;
    qemuImg = (await calibrationTools()).reference.command[0] ?? 'qemu-img';
  });
  afterAll(async () => {
    await scratch?.cleanup();
  });

  async function streamOptimized(name: string, bytes: Buffer): Promise<string> {
    const raw = join(dir, `${name}.raw`);
    const vmdk = join(dir, `${name}.vmdk`);
    await writeFile(raw, bytes);
    const outcome = await runProcess(
      [qemuImg, 'convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', raw, vmdk],
      { timeoutMs: 30_000 },
    );
    expect(outcome.termination).toEqual({ kind: 'exited', code: 0 });
    return vmdk;
  }

  test('a file of deflated one-byte runs is accepted', async () => {
    const bytes = Buffer.alloc(grains * GRAIN_BYTES, 0x47);
    const path = await streamOptimized('runs', bytes);
    const evidence = await compressionEvidence(qemuImg, path, 'vmdk-stream-optimized', sourceData(bytes), 30_000);
    expect(evidence.kind).toBe('compressed');
  });

  test('a file as large as its data is rejected, though its header says compressed', async () => {
    const bytes = randomBytes(grains * GRAIN_BYTES);
    const path = await streamOptimized('random', bytes);
    const evidence = await compressionEvidence(qemuImg, path, 'vmdk-stream-optimized', sourceData(bytes), 30_000);
    expect(evidence.kind).toBe('not-compressed');
    expect(evidence.kind === 'not-compressed' && evidence.facts['createType']).toBe('streamOptimized');
  });
});
