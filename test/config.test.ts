import { chmod, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../config/config-error.ts';
import type { Env } from '../config/env-values.ts';
import { readFastCheckSettings } from '../config/fast-check-settings.ts';
import { PROJECT_ROOT } from '../config/project-root.ts';
import { resolveTools } from '../config/resolve-tools.ts';
import { splitCommand } from '../config/split-command.ts';
import { loadSuiteContext } from '../config/suite-context.ts';
import { readSuiteSettings } from '../config/suite-settings.ts';
import { DEFAULT_CANDIDATE_TIME_POLICY } from '../drivers/candidate-time-limit.ts';
import { runProcess } from '../drivers/run-process.ts';
import { scratchDir } from '../images/scratch.ts';

/** The error must be a ConfigError for `variable`, on one line, and say what to do. */
async function expectConfigError(run: () => unknown, variable: string, fix: RegExp): Promise<void> {
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a ConfigError for ${variable}`).toBeInstanceOf(ConfigError);
  const error = caught as ConfigError;
  expect(error.variable).toBe(variable);
  expect(error.message.startsWith(`${variable}: `)).toBe(true);
  expect(error.message).not.toContain('\n');
  expect(error.message).toMatch(fix);
}

/** QEMU_REF as this test run was given it: every replay command carries it. */
const referenceChoice: Record<string, string> = process.env['QEMU_REF'] === undefined ? {} : { QEMU_REF: process.env['QEMU_REF'] };

/** The machine's environment without any candidate choice, plus `extra`. */
function envWith(extra: Record<string, string>): Env {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of ['INSTAR', 'CANDIDATE', 'QEMU_IMG', 'QEMU_IO', 'CANDIDATE_TIME_FLOOR', 'CANDIDATE_TIME_FACTOR', 'KNOWN_FINDINGS']) delete env[name];
  return { ...env, ...extra };
}

describe('FC_* settings', () => {
  test('unset means not given', () => {
    expect(readFastCheckSettings({})).toEqual({ seed: undefined, path: undefined, numRuns: undefined, timeLimitSeconds: undefined });
  });

  test('valid values are read, surrounding blanks ignored', () => {
    expect(readFastCheckSettings({ FC_SEED: ' -42 ', FC_PATH: ' 3:1:0 ', FC_NUM_RUNS: '300', FC_TIME_LIMIT: '60' })).toEqual({
      seed: -42,
      path: '3:1:0',
      numRuns: 300,
      timeLimitSeconds: 60,
    });
  });

  test.each([
    ['FC_SEED', '', /empty; unset it or give an integer/],
    ['FC_SEED', '   ', /empty; unset it or give an integer/],
    ['FC_SEED', 'abc', /"abc" is not an integer; give an integer/],
    ['FC_SEED', '1e3', /not an integer/],
    ['FC_SEED', '0x10', /not an integer/],
    ['FC_SEED', '12.5', /not an integer/],
    ['FC_SEED', '99999999999', /out of range; give an integer from -2147483648 to 4294967295/],
    ['FC_NUM_RUNS', '', /empty/],
    ['FC_NUM_RUNS', 'NaN', /not an integer/],
    ['FC_NUM_RUNS', '0', /out of range; give an integer from 1/],
    ['FC_NUM_RUNS', '-5', /out of range/],
    ['FC_TIME_LIMIT', '', /empty/],
    ['FC_TIME_LIMIT', '1.5', /not an integer/],
    ['FC_TIME_LIMIT', '0', /out of range; give an integer from 1/],
  ])('%s=%j is an error naming the variable, never 0 or NaN', async (name, value, fix) => {
    await expectConfigError(() => readFastCheckSettings({ [name]: value }), name, fix);
  });

  test('FC_PATH needs FC_SEED and the shape of a fast-check path', async () => {
    await expectConfigError(() => readFastCheckSettings({ FC_PATH: '3:1:0' }), 'FC_PATH', /needs FC_SEED/);
    await expectConfigError(() => readFastCheckSettings({ FC_SEED: '1', FC_PATH: '' }), 'FC_PATH', /empty; unset it or give the path/);
    await expectConfigError(() => readFastCheckSettings({ FC_SEED: '1', FC_PATH: '3;1' }), 'FC_PATH', /colon-separated integers/);
    await expectConfigError(() => readFastCheckSettings({ FC_SEED: '1', FC_PATH: '3::1' }), 'FC_PATH', /colon-separated integers/);
  });
});

describe('TOOL_TIMEOUT and FINDINGS_DIR', () => {
  test('defaults: 30 s per tool call, ./findings under the project root', async () => {
    const root = await scratchDir('config');
    try {
      expect(readSuiteSettings({}, root.path)).toEqual({
        timeoutMs: 30_000,
        candidateTime: DEFAULT_CANDIDATE_TIME_POLICY,
        findingsDir: join(root.path, 'findings'),
      });
      expect(readSuiteSettings({ TOOL_TIMEOUT: '5', FINDINGS_DIR: 'out/x' }, root.path)).toEqual({
        timeoutMs: 5_000,
        candidateTime: DEFAULT_CANDIDATE_TIME_POLICY,
        findingsDir: join(root.path, 'out/x'),
      });
    } finally {
      await root.cleanup();
    }
  });

  test.each([
    ['', /empty/],
    ['ten', /"ten" is not an integer/],
    ['0', /out of range; give an integer from 1 to 3600/],
    ['3601', /out of range/],
  ])('TOOL_TIMEOUT=%j is an error', async (value, fix) => {
    await expectConfigError(() => readSuiteSettings({ TOOL_TIMEOUT: value }, PROJECT_ROOT), 'TOOL_TIMEOUT', fix);
  });

  test('CANDIDATE_TIME_FLOOR (seconds, decimals allowed) and CANDIDATE_TIME_FACTOR set the candidate limit', () => {
    expect(DEFAULT_CANDIDATE_TIME_POLICY).toEqual({ floorMs: 1_000, factor: 10 });
    expect(readSuiteSettings({ CANDIDATE_TIME_FLOOR: '0.5', CANDIDATE_TIME_FACTOR: '4' }, PROJECT_ROOT).candidateTime).toEqual({
      floorMs: 500,
      factor: 4,
    });
    expect(readSuiteSettings({ CANDIDATE_TIME_FLOOR: ' 3 ', CANDIDATE_TIME_FACTOR: '2.5' }, PROJECT_ROOT).candidateTime).toEqual({
      floorMs: 3_000,
      factor: 2.5,
    });
  });

  test.each([
    ['CANDIDATE_TIME_FLOOR', '', /empty; unset it or give a number from 0.1 to 3600/],
    ['CANDIDATE_TIME_FLOOR', 'two', /"two" is not a plain decimal number/],
    ['CANDIDATE_TIME_FLOOR', '-1', /"-1" is not a plain decimal number/],
    ['CANDIDATE_TIME_FLOOR', '1e3', /"1e3" is not a plain decimal number/],
    ['CANDIDATE_TIME_FLOOR', '0', /0 is out of range; give a number from 0.1 to 3600/],
    ['CANDIDATE_TIME_FLOOR', '3601', /out of range/],
    ['CANDIDATE_TIME_FACTOR', '', /empty/],
    ['CANDIDATE_TIME_FACTOR', '10x', /"10x" is not a plain decimal number/],
    ['CANDIDATE_TIME_FACTOR', '0.5', /0.5 is out of range; give a number from 1 to 1000/],
    ['CANDIDATE_TIME_FACTOR', '1001', /out of range/],
  ])('%s=%j is an error', async (variable, value, fix) => {
    await expectConfigError(() => readSuiteSettings({ [variable]: value }, PROJECT_ROOT), variable, fix);
  });

  test('replay commands carry the candidate-time variables that were set, as typed', async () => {
    const root = await scratchDir('config');
    try {
      const context = await loadSuiteContext(envWith({ CANDIDATE_TIME_FLOOR: '1.5', FINDINGS_DIR: root.path }));
      expect(context.candidateTime).toEqual({ floorMs: 1_500, factor: DEFAULT_CANDIDATE_TIME_POLICY.factor });
      expect(context.replayEnv).toEqual({ ...referenceChoice, CANDIDATE_TIME_FLOOR: '1.5' });
    } finally {
      await root.cleanup();
    }
  });

  test('replay commands carry KNOWN_FINDINGS when set: the same signatures pass on replay', async () => {
    const root = await scratchDir('config');
    try {
      const context = await loadSuiteContext(envWith({ KNOWN_FINDINGS: 'findings/index.json', FINDINGS_DIR: root.path }));
      expect(context.replayEnv).toEqual({ ...referenceChoice, KNOWN_FINDINGS: 'findings/index.json' });
    } finally {
      await root.cleanup();
    }
  });

  test('an unwritable or empty FINDINGS_DIR is an error that says where to point it', async () => {
    const root = await scratchDir('config');
    try {
      // Under a regular file no directory can be made (even as root).
      const file = join(root.path, 'a-file');
      await writeFile(file, '');
      await expectConfigError(
        () => readSuiteSettings({ FINDINGS_DIR: join(file, 'findings') }, root.path),
        'FINDINGS_DIR',
        /is not a writable directory .*point FINDINGS_DIR somewhere writable/,
      );
      await expectConfigError(() => readSuiteSettings({ FINDINGS_DIR: ' ' }, root.path), 'FINDINGS_DIR', /empty; unset it or give a writable directory/);
    } finally {
      await root.cleanup();
    }
  });
});

describe('CANDIDATE splitting', () => {
  test.each([
    ['/opt/tool', ['/opt/tool']],
    ['  /opt/tool   --flag  x ', ['/opt/tool', '--flag', 'x']],
    [`"/opt/my tool/qemu-img" --x 'a b'`, ['/opt/my tool/qemu-img', '--x', 'a b']],
    [`a"b c"d`, ['ab cd']],
    [`tool "" 'it"s'`, ['tool', '', 'it"s']],
    // Nothing is expanded: the words are run without a shell.
    ['tool $HOME * ~', ['tool', '$HOME', '*', '~']],
  ])('%j → %j', (text, words) => {
    expect(splitCommand('CANDIDATE', text)).toEqual(words);
  });

  test('an unclosed quote or nothing at all is an error', async () => {
    await expectConfigError(() => splitCommand('CANDIDATE', `"/opt/tool --x`), 'CANDIDATE', /unclosed " quote; close it or drop it/);
    await expectConfigError(() => splitCommand('CANDIDATE', `tool 'x`), 'CANDIDATE', /unclosed ' quote/);
    await expectConfigError(() => splitCommand('CANDIDATE', '  '), 'CANDIDATE', /empty; give a command/);
  });
});

describe('choosing the tools', () => {
  test('with neither INSTAR nor CANDIDATE the candidate is the reference (calibration)', async () => {
    const tools = await resolveTools(envWith({}));
    expect(tools.calibration).toBe(true);
    expect(tools.candidate.command).toEqual(tools.reference.command);
    expect(tools.candidate.role).toBe('candidate');
    expect(tools.reference.version).toMatch(/^qemu-img version \d/);
    expect(tools.replayEnv).toEqual(referenceChoice);
  });

  test('CANDIDATE is split into a command and fixed arguments, resolved, and kept as typed for replay', async () => {
    const dir = await scratchDir('config');
    try {
      // A quoted path with a space, then two fixed arguments the mutant reads first.
      const spaced = join(dir.path, 'my tool');
      await symlink(join(PROJECT_ROOT, 'test/mutants/dd-empty-window.sh'), spaced);
      const typed = `"${spaced}" vmdk like-instar`;
      const tools = await resolveTools(envWith({ CANDIDATE: typed }));
      expect(tools.calibration).toBe(false);
      expect(tools.candidate.dialect).toBe('qemu-img');
      expect(tools.candidate.command).toEqual([spaced, 'vmdk', 'like-instar']);
      expect(tools.candidate.version).toBe(tools.reference.version);
      expect(tools.replayEnv).toEqual({ ...referenceChoice, CANDIDATE: typed });
      // A bare name is looked up on PATH, as execvp would.
      const onPath = await resolveTools(envWith({ CANDIDATE: 'qemu-img' }));
      expect(onPath.candidate.command).toEqual([expect.stringMatching(/^\/.*\/qemu-img$/)]);
      expect(onPath.calibration).toBe(false);
    } finally {
      await dir.cleanup();
    }
  });

  test('INSTAR selects the instar dialect', async () => {
    const tools = await resolveTools(envWith({ INSTAR: 'test/fake-instar/instar' }));
    expect(tools.candidate.dialect).toBe('instar');
    expect(tools.candidate.command).toEqual([join(PROJECT_ROOT, 'test/fake-instar/instar')]);
    expect(tools.candidate.version).toMatch(/^instar /);
    expect(tools.candidate.selectedBy).toBe('INSTAR=test/fake-instar/instar');
  });

  test('INSTAR and CANDIDATE together is an error', async () => {
    await expectConfigError(
      () => resolveTools(envWith({ INSTAR: 'test/fake-instar/instar', CANDIDATE: 'qemu-img' })),
      'INSTAR',
      /both set; set only one/,
    );
  });

  test('a missing, non-executable or unrunnable binary names its variable', async () => {
    const dir = await scratchDir('config');
    try {
      const notExecutable = join(dir.path, 'tool');
      await writeFile(notExecutable, '#!/bin/sh\n');
      await chmod(notExecutable, 0o644);
      await expectConfigError(() => resolveTools(envWith({ CANDIDATE: '/nonexistent/tool' })), 'CANDIDATE', /"\/nonexistent\/tool" does not exist or is not executable; point CANDIDATE at an executable/);
      await expectConfigError(() => resolveTools(envWith({ CANDIDATE: notExecutable })), 'CANDIDATE', /not executable/);
      await expectConfigError(() => resolveTools(envWith({ CANDIDATE: 'no-such-tool-anywhere' })), 'CANDIDATE', /"no-such-tool-anywhere" is not on PATH; point CANDIDATE/);
      await expectConfigError(() => resolveTools(envWith({ INSTAR: '/nonexistent/instar' })), 'INSTAR', /point INSTAR at an executable/);
      await expectConfigError(() => resolveTools(envWith({ INSTAR: '' })), 'INSTAR', /empty; unset it or give the path/);
      await expectConfigError(() => resolveTools(envWith({ CANDIDATE: '' })), 'CANDIDATE', /empty; give a command/);
      await expectConfigError(() => resolveTools(envWith({ QEMU_IMG: '/nonexistent/qemu-img' })), 'QEMU_IMG', /point QEMU_IMG at an executable/);
      // Runs, but `--version` fails: not a qemu-img-compatible tool.
      await expectConfigError(() => resolveTools(envWith({ CANDIDATE: 'false' })), 'CANDIDATE', /--version" did not succeed \(exit 1\); check that CANDIDATE names a working/);
    } finally {
      await dir.cleanup();
    }
  });
});

describe('entry point', () => {
  /** Runs the dd property file the way a user would, with `extra` in the environment. */
  async function runDdPropertyWith(extra: Record<string, string>): Promise<{ code: number | undefined; output: string[] }> {
    const saved = { ...process.env };
    for (const name of ['INSTAR', 'CANDIDATE', 'FC_SEED', 'FC_PATH', 'FC_NUM_RUNS', 'FC_TIME_LIMIT']) delete process.env[name];
    Object.assign(process.env, extra);
    try {
      // The run stops in its global setup; the generous limit only covers a machine too busy to start vitest quickly.
      const outcome = await runProcess(['npx', 'vitest', 'run', 'properties/dd.prop.test.ts'], { timeoutMs: 300_000, cwd: PROJECT_ROOT });
      // npm's own warnings about the machine's npmrc are not ours.
      const output = `${outcome.stdout}\n${outcome.stderr}`.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));
      return { code: outcome.termination.kind === 'exited' ? outcome.termination.code : undefined, output };
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  }

  test.each([
    [{ CANDIDATE: '/nonexistent' }, 'error: CANDIDATE: "/nonexistent" does not exist or is not executable; point CANDIDATE at an executable'],
    [{ FC_SEED: 'abc' }, 'error: FC_SEED: "abc" is not an integer; give an integer from -2147483648 to 4294967295.'],
  ])('%j stops the run with one clear line, non-zero, no stack trace', async (extra, line) => {
    const { code, output } = await runDdPropertyWith(extra);
    expect(code).not.toBe(0);
    expect(code).not.toBeUndefined();
    const errors = output.filter((l) => /error/i.test(l));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(line);
    expect(output.filter((l) => /^\s+at /.test(l) || /ConfigError|Error:|\.ts:\d+/.test(l))).toEqual([]);
  });
});
