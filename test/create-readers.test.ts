import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CreateCase } from '../arbitraries/create-case.ts';
import { scratchDir } from '../images/scratch.ts';
import { checkCreateCase } from '../properties/create.ts';
import { FindingError } from '../reports/finding.ts';
import { shellQuote } from '../reports/shell-quote.ts';
import { createEnv } from './support/create-env.ts';
import { calibrationTools } from './support/tools.ts';

/**
 * The suite's readers are judged symmetrically: the zero read-back reads
 * the reference's output the same way as the candidate's. A reader that
 * fails on both is inconclusive (reason listed), on the candidate's alone a
 * finding; either way the failure is quoted from stdout AND stderr with its
 * exit status, since qemu-io prints "read failed: Input/output error" on
 * stdout and exits 1 (issue 13: a rounded end-window offset did exactly that).
 */

let dir: { path: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  dir = await scratchDir('create-readers');
});
afterAll(async () => {
  await dir.cleanup();
});

/** A qemu-io stand-in that fails like a read past the end, on every file or on the candidate's only. */
async function failingQemuIo(name: string, onlyCandidate: boolean): Promise<string> {
  const path = join(dir.path, name);
  const real = shellQuote((await calibrationTools()).qemuIo);
  const guard = onlyCandidate ? `case "$*" in *candidate.*) ;; *) exec ${real} "$@" ;; esac\n` : '';
  await writeFile(path, `#!/bin/sh\n${guard}echo "read failed: Input/output error"\nexit 1\n`);
  await chmod(path, 0o755);
  return path;
}

/** Above the 4 MiB flattening limit, so the end windows are read with qemu-io. */
const largeQcow2: CreateCase = { target: 'qcow2', size: '64M', requestedBytes: '67108864', options: [], flaw: null };

describe('create: the zero read-back reads both outputs alike', () => {
  test('the reader failing on the reference too is inconclusive, with the reason, exit status and stdout listed', async () => {
    const env = { ...createEnv(await calibrationTools()), qemuIo: await failingQemuIo('qemu-io-fails', false) };
    await checkCreateCase(env, largeQcow2);
    expect(env.stats.inconclusive).toHaveLength(1);
    const reason = env.stats.inconclusive[0] ?? '';
    expect(reason).toContain("qemu-img's own output cannot be read");
    expect(reason).toContain('exit 1');
    expect(reason).toContain('stdout: read failed: Input/output error');
  });

  test("the reader failing on the candidate's output alone is a finding that quotes both streams and the exit status", async () => {
    const env = { ...createEnv(await calibrationTools()), qemuIo: await failingQemuIo('qemu-io-fails-on-candidate', true) };
    const error = await checkCreateCase(env, largeQcow2).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FindingError);
    const { divergence } = (error as FindingError).finding;
    expect(divergence.kind).toBe('output-unreadable');
    expect(divergence.detail).toContain('exit 1');
    expect(divergence.detail).toContain('stdout: read failed: Input/output error');
    expect(divergence.detail).toContain('stderr: (empty)');
    expect(env.stats.inconclusive).toEqual([]);
  });
});
