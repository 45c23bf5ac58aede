import fc from 'fast-check';
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ddCaseArbitrary, type DdCase } from '../arbitraries/dd-case.ts';
import { loadSuiteContext, type SuiteContext } from '../config/suite-context.ts';
import { runProcess } from '../drivers/run-process.ts';
import { scratchDir } from '../images/scratch.ts';
import { checkDdCase } from '../properties/dd.ts';
import { differentialProperty } from '../hunting/property-runner.ts';
import { FindingError } from '../reports/finding.ts';
import { writeReport } from '../reports/write-report.ts';
import { ddEnv } from './support/dd-env.ts';
import { mutantPath } from './support/tools.ts';
import { referenceOfRun } from '../reports/reference-of-run.ts';

const PROPERTY_FILE = 'properties/dd.prop.test.ts';
const MUTANT = mutantPath('dd-raw-rounds-4k.sh');

let scratch: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  scratch = await scratchDir('report-test');
});
afterAll(() => scratch.cleanup());

/** A suite context as the entry point would build it from these variables. */
function contextWith(vars: Record<string, string>): Promise<SuiteContext> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of ['INSTAR', 'CANDIDATE', 'FC_SEED', 'FC_PATH', 'FC_NUM_RUNS', 'FC_TIME_LIMIT', 'CAMPAIGN_RUN_DIR']) delete env[name];
  return loadSuiteContext({ ...env, FINDINGS_DIR: join(scratch.path, 'findings'), ...vars });
}

interface Failure {
  readonly message: string;
  readonly folder: string;
}

/** Runs the dd property as dd.prop.test.ts does, through the reporter; returns its failure. */
async function runProperty(context: SuiteContext, numRuns = 300): Promise<Failure> {
  const env = ddEnv(context);
  const folders: string[] = [];
  try {
    const property = differentialProperty<DdCase>({
      propertyFile: PROPERTY_FILE,
      context,
      check: (c) => checkDdCase(env, c),
      // Findings provoked on purpose stay out of the committed corpus.
      corpus: false,
      onReport: (folder) => folders.push(folder),
      overrides: { numRuns },
    });
    const error = await fc.assert(fc.asyncProperty(ddCaseArbitrary, property.predicate), property.parameters).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof Error)) throw new Error('the property passed: the injected bug went unseen');
    expect(folders).toHaveLength(1);
    return { message: error.message, folder: folders[0]! };
  } finally {
    await env.images.dispose();
  }
}

/** The line of a failure message that starts with `label: `. */
function line(message: string, label: string): string {
  const found = message.split('\n').find((l) => l.startsWith(`${label}: `));
  if (found === undefined) throw new Error(`no "${label}:" line in:\n${message}`);
  return found.slice(label.length + 2);
}

/** Runs a repro.sh with bash alone: a clean environment, and `node`/`npx` shadowed by stubs that leave a mark. */
async function runRepro(script: string, env: readonly string[] = []): Promise<{ code: number | undefined; output: string; nodeCalled: boolean }> {
  const stubs = join(scratch.path, 'stubs');
  const mark = join(scratch.path, 'node-was-called');
  await runProcess(['mkdir', '-p', stubs], { timeoutMs: 5_000 });
  for (const name of ['node', 'npx', 'npm']) {
    await writeFile(join(stubs, name), `#!/bin/sh\ntouch '${mark}'\nexit 99\n`);
    await chmod(join(stubs, name), 0o755);
  }
  const outcome = await runProcess(['env', '-i', `PATH=${stubs}:/usr/bin:/bin`, ...env, 'bash', script], { timeoutMs: 60_000, cwd: scratch.path });
  const nodeCalled = await readFile(mark).then(() => true, () => false);
  return {
    code: outcome.termination.kind === 'exited' ? outcome.termination.code : undefined,
    output: outcome.stdout + outcome.stderr,
    nodeCalled,
  };
}

describe('a finding from the raw-rounds-4k mutant, through the property reporter', () => {
  let context: SuiteContext;
  let first: Failure;
  beforeAll(async () => {
    context = await contextWith({ CANDIDATE: MUTANT, FC_SEED: '7' });
    first = await runProperty(context);
  });

  test('the failure message names the divergence, the case, the report folder and the replay command', () => {
    expect(first.message).toMatch(/^dd: virtual-size: virtual size: reference \d+, candidate \d+/);
    expect(line(first.message, 'Case')).toMatch(/^`dd -O raw bs=\d+.*` from a source image: raw, size \d+ bytes, no data/);
    expect(line(first.message, 'Report')).toContain(first.folder);
    expect(line(first.message, 'Replay')).toMatch(new RegExp(`^(QEMU_REF=\\S+ )?CANDIDATE=\\S+ FC_SEED=7 FC_PATH='?[\\d:]+'? npx vitest run ${PROPERTY_FILE}$`));
  });

  test('report.md is paste-ready: title, operation, case, exit codes, stderr, divergence, versions, replay', async () => {
    const md = await readFile(join(first.folder, 'report.md'), 'utf8');
    expect(md).toMatch(/^# dd: virtual-size — virtual size: reference (\d+), candidate (\d+)\n/);
    expect(md).toContain('**Operation:** `dd`');
    expect(md).toContain(`## The case\n\n${line(first.message, 'Case')}`);
    expect(md).toMatch(/### reference \(qemu-img\): exit 0 \(\d+ ms\)\n\n```\n\$ \S*qemu-img dd -f raw -O raw bs=\d+.* if=source\.raw of=reference\.raw\n--- stdout\n\(empty\)\n--- stderr\n\(empty\)\n```/);
    expect(md).toMatch(/### candidate: exit 0 \(\d+ ms\)\n\n```\n\$ \S*dd-raw-rounds-4k\.sh dd .* of=candidate\.raw\n/);
    expect(md).toMatch(/virtual size differs: reference \d+ bytes, candidate \d+ bytes \(otherwise equal: the longer one has only a zero tail\)/);
    expect(md).toContain(`- reference: ${context.reference.version}`);
    expect(md).toContain(`- candidate: ${context.candidate.version} (CANDIDATE=${MUTANT})`);
    expect(md).toContain(line(first.message, 'Replay'));
    expect(md).toContain('bash repro.sh');
  });

  test('report.json holds the same for machines', async () => {
    const json = JSON.parse(await readFile(join(first.folder, 'report.json'), 'utf8')) as Record<string, unknown>;
    expect(json['operation']).toBe('dd');
    expect(json['title']).toMatch(/^dd: virtual-size — /);
    expect(json['divergence']).toMatchObject({ kind: 'virtual-size', data: { onlyZeroTail: true } });
    expect(json['reference']).toMatchObject({ termination: { kind: 'exited', code: 0 } });
    expect(json['candidate']).toMatchObject({ termination: { kind: 'exited', code: 0 } });
    expect(json['versions']).toEqual({
      reference: context.reference.version,
      candidate: context.candidate.version,
      candidateSelectedBy: `CANDIDATE=${MUTANT}`,
    });
    expect(json['replay']).toMatchObject({ command: line(first.message, 'Replay'), seed: 7 });
    expect(json['case']).toMatchObject({ target: 'raw', source: { layout: { format: 'raw' }, extents: [] } });
  });

  test('repro.sh on its own (bash, no Node.js) reproduces: exit 1', async () => {
    const repro = await runRepro(join(first.folder, 'repro.sh'));
    expect(repro.nodeCalled).toBe(false);
    expect(repro.output).toContain('DIVERGENCE REPRODUCED');
    expect(repro.code, repro.output).toBe(1);
  });

  test('repro.sh names the reference it runs, and takes QEMU_REF as the suite does', async () => {
    const script = join(first.folder, 'repro.sh');
    const repro = await runRepro(script);
    expect(repro.output).toContain(`reference: ${context.reference.version}`);
    expect(await readFile(script, 'utf8')).toContain(`# The failing run's reference: ${context.reference.version}`);
    const unknown = await runRepro(script, ['QEMU_REF=9.9']);
    expect(unknown.output).toContain('QEMU_REF takes 7.2 or 10.0');
    expect(unknown.code).toBe(2);
    // QEMU_IMG still wins over QEMU_REF, as in the suite.
    const chosen = await runRepro(script, ['QEMU_REF=10.0', `QEMU_IMG=${context.reference.command[0] ?? ''}`]);
    expect(chosen.output).toContain(`reference: ${context.reference.version}`);
  });

  test('the same repro.sh against a candidate without the bug: exit 0', async () => {
    const script = await readFile(join(first.folder, 'repro.sh'), 'utf8');
    // What a user does after a fix: point the candidate line at the fixed tool.
    const fixed = script.replace(/^candidate=\(.*\)$/m, 'candidate=(qemu-img)');
    expect(fixed).not.toBe(script);
    const file = join(scratch.path, 'repro-fixed.sh');
    await writeFile(file, fixed);
    const repro = await runRepro(file);
    expect(repro.output).toContain('divergence did not reproduce');
    expect(repro.code, repro.output).toBe(0);
  });

  test('the same seed gives the same shrunk counterexample and replay command', async () => {
    const again = await runProperty(context);
    expect(again.folder).toBe(first.folder);
    expect(line(again.message, 'Case')).toBe(line(first.message, 'Case'));
    expect(line(again.message, 'Replay')).toBe(line(first.message, 'Replay'));
    const record = JSON.parse(await readFile(join(first.folder, 'signature.json'), 'utf8')) as { count: number };
    expect(record.count).toBe(2);
  });

  test('replaying the printed FC_SEED and FC_PATH goes straight to the same counterexample', async () => {
    const json = JSON.parse(await readFile(join(first.folder, 'report.json'), 'utf8')) as { case: DdCase; replay: { path: string } };
    const replayContext = await contextWith({ CANDIDATE: MUTANT, FC_SEED: '7', FC_PATH: json.replay.path });
    const env = ddEnv(replayContext);
    try {
      const details = await fc.check(fc.asyncProperty(ddCaseArbitrary, (c) => checkDdCase(env, c)), {
        seed: replayContext.fastCheck.seed,
        path: replayContext.fastCheck.path,
        numRuns: 300,
        endOnFailure: false,
      });
      expect(details.failed).toBe(true);
      expect(details.counterexample?.[0]).toEqual(json.case);
      expect(details.numShrinks).toBe(0);
      expect(details.errorInstance).toBeInstanceOf(FindingError);
    } finally {
      await env.images.dispose();
    }
  });

  test('no report file mentions a scratch path', async () => {
    for (const name of await readdir(first.folder)) {
      const text = await readFile(join(first.folder, name), 'utf8');
      // Every scratch directory is named diffsuite-*; the checkout itself may live under /tmp.
      expect(text, name).not.toMatch(/diffsuite-/);
    }
  });
});

test('an unreadable-output finding quotes qemu-img messages without scratch paths', async () => {
  // A candidate that writes an unreadable vhdx for every window: qemu-img's
  // error names the file it could not open.
  const context = await contextWith({ CANDIDATE: `"${mutantPath('dd-empty-window.sh')}" vhdx like-instar always` });
  const env = ddEnv(context);
  const ddCase: DdCase = {
    source: { layout: { format: 'qcow2', clusterSize: 65536, extendedL2: false, lazyRefcounts: false }, size: 4096, extents: [{ offset: 0, length: 512, fill: 7 }] },
    target: 'vhdx',
    bs: 512,
    count: { kind: 'absent' },
    skip: { kind: 'absent' },
  };
  try {
    const error = await checkDdCase(env, ddCase).then(() => undefined, (e: unknown) => e);
    if (!(error instanceof FindingError)) throw new Error(`expected a finding, got ${String(error)}`);
    expect(error.finding.divergence.kind).toBe('output-unreadable');
    expect(error.finding.divergence.detail).toContain('candidate.vhdx');
    const { folder } = await writeReport(
      context.findingsDir,
      error.finding,
      { referenceVersion: 'r', referenceOfRun: referenceOfRun(context), candidateVersion: 'c', candidateSelectedBy: 'CANDIDATE=x', replay: 'FC_SEED=1 npx vitest run x', seed: 1, path: '0', numShrinks: 0 },
      context.candidate,
      30,
    );
    for (const name of await readdir(folder)) {
      const text = await readFile(join(folder, name), 'utf8');
      // Every scratch directory is named diffsuite-*; the checkout itself may live under /tmp.
      expect(text, name).not.toMatch(/diffsuite-/);
    }
    const repro = await runRepro(join(folder, 'repro.sh'));
    expect(repro.output).toContain('candidate output unreadable by qemu-img');
    expect(repro.code, repro.output).toBe(1);
  } finally {
    await env.images.dispose();
  }
});
