import { existsSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../config/config-error.ts';
import type { Env } from '../config/env-values.ts';
import { knowledgeFor, readReferenceChoice, referenceSource } from '../config/reference-version.ts';
import { resolveTools } from '../config/resolve-tools.ts';
import { PROJECT_ROOT } from '../config/project-root.ts';
import { runProcess } from '../drivers/run-process.ts';
import { scratchDir } from '../images/scratch.ts';
import { divergence, type Observation } from '../oracles/divergence.ts';
import { RunStats } from '../oracles/run-stats.ts';
import { matchWhitelist, type WhitelistEntry } from '../whitelist.ts';
import { configErrorOf } from './support/config-error-of.ts';
import { exited, syntheticOutcome } from './support/synthetic-outcome.ts';

/** The machine's environment without any tool choice, plus `extra`. */
function envWith(extra: Record<string, string>): Env {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of ['INSTAR', 'CANDIDATE', 'QEMU_IMG', 'QEMU_IO', 'QEMU_REF']) delete env[name];
  return { ...env, ...extra };
}

async function rejectionOf(run: () => Promise<unknown>): Promise<ConfigError> {
  const caught: unknown = await run().then(
    () => undefined,
    (error: unknown) => error,
  );
  if (caught instanceof ConfigError) return caught;
  throw new Error(`expected a ConfigError, got ${String(caught)}`);
}

describe('the knowledge a reference is judged by', () => {
  test.each([
    ['qemu-img version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)', '7.2'],
    ['qemu-img version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)', '10.0'],
    ['qemu-img version 10.0.8', '10.0'],
  ])('%s is a checked version: %s, with no note', (line, version) => {
    expect(knowledgeFor(line)).toEqual({ version, note: undefined });
  });

  test.each([
    ['qemu-img version 8.2.2 (Debian 1:8.2.2+ds-0ubuntu1)', '7.2'],
    ['qemu-img version 9.2.0', '7.2'],
    ['qemu-img version 10.1.0', '10.0'],
    ['qemu-img version 6.2.0', '7.2'],
  ])('%s was never checked: judged by %s, and the note says so', (line, version) => {
    const { version: judgedBy, note } = knowledgeFor(line);
    expect(judgedBy).toBe(version);
    expect(note).toMatch(new RegExp(`not a version the suite was checked against .*judging it by ${version.replace('.', '\\.')}'s behaviour`));
  });

  test('a tool that prints no version is judged by 7.2, with a note', () => {
    expect(knowledgeFor('mytool 1').note).toMatch(/printed no version/);
  });
});

describe('QEMU_REF', () => {
  test('unset is undefined; 7.2 and 10.0 are taken; anything else names the variable and the choices', () => {
    expect(readReferenceChoice({})).toBeUndefined();
    expect(readReferenceChoice({ QEMU_REF: '10.0' })).toBe('10.0');
    expect(readReferenceChoice({ QEMU_REF: ' 7.2 ' })).toBe('7.2');
    for (const bad of ['10', '9.2', '', 'latest']) {
      const error = configErrorOf(() => readReferenceChoice({ QEMU_REF: bad }));
      expect(error.variable).toBe('QEMU_REF');
      expect(error.message).toMatch(/give one of 7\.2, 10\.0/);
    }
  });

  test('10.0 lives in the project\'s own folder, never in the system\'s', () => {
    expect(referenceSource('10.0', '/repo')).toMatchObject({ qemuImg: '/repo/.qemu/10.0/usr/bin/qemu-img', qemuIo: '/repo/.qemu/10.0/usr/bin/qemu-io' });
    expect(referenceSource('7.2', '/repo')).toMatchObject({ qemuImg: 'qemu-img', qemuIo: 'qemu-io' });
  });

  test('a reference whose version is not the one QEMU_REF names stops the run, naming both', async () => {
    const dir = await scratchDir('qemu-ref');
    try {
      const fake = join(dir.path, 'qemu-img');
      await writeFile(fake, '#!/bin/sh\necho "qemu-img version 10.0.2 (fake)"\n');
      await chmod(fake, 0o755);
      const error = await rejectionOf(() => resolveTools(envWith({ QEMU_REF: '7.2', QEMU_IMG: fake })));
      expect(error.variable).toBe('QEMU_REF');
      expect(error.message).toContain('is 7.2, but the reference');
      expect(error.message).toContain('"qemu-img version 10.0.2 (fake)"');
      // The same tool without QEMU_REF is judged by its own version.
      const tools = await resolveTools(envWith({ QEMU_IMG: fake }));
      expect(tools.referenceVersion).toBe('10.0');
      expect(tools.referenceNote).toBeUndefined();
    } finally {
      await dir.cleanup();
    }
  });

  test('an unchecked version runs, judged by the nearest checked one, and the note reaches the context', async () => {
    const dir = await scratchDir('qemu-ref');
    try {
      const fake = join(dir.path, 'qemu-img');
      await writeFile(fake, '#!/bin/sh\necho "qemu-img version 8.2.2"\n');
      await chmod(fake, 0o755);
      const tools = await resolveTools(envWith({ QEMU_IMG: fake }));
      expect(tools.referenceVersion).toBe('7.2');
      expect(tools.referenceNote).toMatch(/qemu-img 8\.2 is not a version/);
    } finally {
      await dir.cleanup();
    }
  });

  test('replay commands carry QEMU_REF, and not the tool paths it implies', async () => {
    const tools = await resolveTools(envWith({ QEMU_REF: '7.2', QEMU_IMG: 'qemu-img', QEMU_IO: 'qemu-io' }));
    expect(tools.referenceVersion).toBe('7.2');
    expect(tools.replayEnv).toEqual({ QEMU_REF: '7.2' });
  });

  test('the reference says how it was chosen: QEMU_IMG, QEMU_REF, or qemu-img on PATH', async () => {
    expect((await resolveTools(envWith({ QEMU_IMG: 'qemu-img' }))).reference.selectedBy).toBe('QEMU_IMG=qemu-img');
    expect((await resolveTools(envWith({ QEMU_REF: '7.2' }))).reference.selectedBy).toBe('QEMU_REF=7.2');
    expect((await resolveTools(envWith({}))).reference.selectedBy).toBe('qemu-img on PATH');
  });

  test('set-up refuses a QEMU_REF it cannot install, in one line, before touching anything', async () => {
    const outcome = await runProcess(['env', 'QEMU_REF=9.9', 'bash', join(PROJECT_ROOT, 'scripts', 'setup.sh')], { timeoutMs: 60_000 });
    expect(outcome.termination).toEqual({ kind: 'exited', code: 1 });
    expect(outcome.stderr.trim()).toBe("setup: QEMU_REF='9.9' is not a reference version the suite knows; give 7.2 or 10.0.");
  });

  // Runs where set-up unpacked 10.0: in the QEMU_REF=10.0 CI job, and here.
  test.runIf(existsSync(referenceSource('10.0').qemuImg))('QEMU_REF=10.0 chooses the unpacked 10.0 for both tools', async () => {
    const tools = await resolveTools(envWith({ QEMU_REF: '10.0' }));
    expect(tools.reference.command).toEqual([referenceSource('10.0').qemuImg]);
    expect(tools.qemuIo).toBe(referenceSource('10.0').qemuIo);
    expect(tools.reference.version).toMatch(/^qemu-img version 10\.0\./);
    expect(tools.referenceVersion).toBe('10.0');
  });
});

describe('whitelist entries by reference version', () => {
  const entry: WhitelistEntry<{ readonly always: true }> = {
    id: 'only-on-10.0',
    operation: 'info',
    reason: 'a test entry',
    documentedAt: 'this test',
    signature: 'exit status 0 against 1',
    knownFor: ['10.0'],
    appliesTo: () => true,
    accepts: (o) => o.divergence.kind === 'exit-status',
  };
  const observation: Observation = {
    divergence: divergence('exit-status', 'exit status differs'),
    reference: syntheticOutcome(exited(0)),
    candidate: syntheticOutcome(exited(1)),
  };

  test('an entry known for 10.0 accepts against 10.0, and is never eligible against 7.2', () => {
    const on10 = new RunStats('info');
    expect(matchWhitelist([entry], { always: true }, observation, on10, '10.0')?.id).toBe('only-on-10.0');
    expect(on10.eligibleCounts.get('only-on-10.0')).toBe(1);

    const on72 = new RunStats('info');
    expect(matchWhitelist([entry], { always: true }, observation, on72, '7.2')).toBeUndefined();
    // Never eligible, so the stale-entry warning cannot name it either.
    expect(on72.eligibleCounts.size).toBe(0);
    expect(on72.staleWhitelistWarnings(1)).toEqual([]);
  });
});
