import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseCampaignOptions, parseDuration } from '../campaign/options.ts';
import { TerminalBlock } from '../campaign/progress-view.ts';
import { CampaignControl, jobDeadline, runCampaign, type CampaignResult } from '../campaign/run-campaign.ts';
import { deriveSeed } from '../campaign/seeds.ts';
import { PROJECT_ROOT } from '../config/project-root.ts';
import { runProcess } from '../drivers/run-process.ts';
import { scratchDir } from '../images/scratch.ts';
import { mutantPath } from './support/tools.ts';
import { configErrorOf } from './support/config-error-of.ts';

let scratch: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  scratch = await scratchDir('campaign-test');
});
afterAll(() => scratch.cleanup());

describe('campaign options', () => {
  test('durations in seconds, minutes and hours', () => {
    expect(parseDuration('--duration', '90')).toBe(90);
    expect(parseDuration('--duration', '90s')).toBe(90);
    expect(parseDuration('--duration', '10m')).toBe(600);
    expect(parseDuration('--duration', '1h30m')).toBe(5400);
  });

  test('flags win over FC_* variables; without either the budget is 10 minutes', () => {
    const env = { FC_TIME_LIMIT: '30', FC_NUM_RUNS: '50', FC_SEED: '9' };
    expect(parseCampaignOptions(['--duration', '2m', '--runs=7', '--seed', '-3', 'dd'], env)).toMatchObject({
      durationSeconds: 120,
      runs: 7,
      seed: -3,
      properties: ['dd'],
    });
    expect(parseCampaignOptions([], env)).toMatchObject({ durationSeconds: 30, runs: 50, seed: 9 });
    expect(parseCampaignOptions([], {})).toMatchObject({ durationSeconds: 600, runs: undefined, seed: undefined });
    // A run count alone means no time limit.
    expect(parseCampaignOptions(['--runs', '5'], {}).durationSeconds).toBeUndefined();
  });

  test('each mistake names the flag or variable and the fix', () => {
    expect(configErrorOf(() => parseCampaignOptions(['--bogus'], {})).message).toBe('--bogus: is not a campaign option; see npm run campaign -- --help.');
    expect(configErrorOf(() => parseCampaignOptions(['--duration', '5x'], {})).variable).toBe('--duration');
    expect(configErrorOf(() => parseCampaignOptions(['--workers', '0'], {})).variable).toBe('--workers');
    expect(configErrorOf(() => parseCampaignOptions(['--shard', '3/2'], {})).message).toMatch(/^--shard: "3\/2" is not a shard; give <index>\/<total>/);
    expect(configErrorOf(() => parseCampaignOptions(['--seed'], {})).message).toMatch(/^--seed: needs a value/);
    expect(configErrorOf(() => parseCampaignOptions([], { FC_NUM_RUNS: 'many' })).variable).toBe('FC_NUM_RUNS');
    expect(configErrorOf(() => parseCampaignOptions([], { FC_SEED: '1', FC_PATH: '3:1' })).message).toMatch(/^FC_PATH: replays one counterexample/);
  });

  test('the budget is shared among the waves of jobs still to run, in whole milliseconds', () => {
    // Six properties on two workers: three waves of 20 s in a minute.
    expect(jobDeadline(1_000, 61_000, 6, 2)).toBe(21_000);
    expect(jobDeadline(1_000, 61_001, 7, 2)).toBe(16_000);
    // The last wave gets whatever is left; past the end, nothing.
    expect(jobDeadline(50_000, 61_000, 2, 2)).toBe(61_000);
    expect(jobDeadline(70_000, 61_000, 1, 2)).toBe(70_000);
  });

  test('seeds: the first process of shard 1 runs the campaign seed; every other one its own', () => {
    const at = { shard: 1, replica: 0, property: 'dd', attempt: 0 };
    expect(deriveSeed(42, at)).toBe(42);
    const others = [
      deriveSeed(42, { ...at, attempt: 1 }),
      deriveSeed(42, { ...at, replica: 1 }),
      deriveSeed(42, { ...at, shard: 2 }),
      deriveSeed(42, { ...at, property: 'convert', attempt: 1 }),
    ];
    expect(new Set([42, ...others]).size).toBe(5);
    expect(deriveSeed(42, { ...at, attempt: 1 })).toBe(others[0]);
  });
});

describe('live progress on a terminal', () => {
  test('each redraw goes back over the previous block, and lines never wrap', () => {
    let screen = '';
    const block = new TerminalBlock((t) => (screen += t), () => 12);
    block.draw(['dd 1 case', 'convert 2 cases and more']);
    block.draw(['dd 3 cases', 'convert 4 cases']);
    expect(screen).toBe('\x1b[2Kdd 1 case\n\x1b[2Kconvert 2 c\n\x1b[2A\x1b[2Kdd 3 cases\n\x1b[2Kconvert 4 c\n');
  });
});

describe('the campaign command on bad input', () => {
  async function cli(env: readonly string[], args: readonly string[]): Promise<{ code: number | undefined; stderr: string }> {
    const outcome = await runProcess(['env', ...env, process.execPath, '--import', 'tsx', 'campaign/cli.ts', ...args], {
      timeoutMs: 60_000,
      cwd: PROJECT_ROOT,
    });
    return { code: outcome.termination.kind === 'exited' ? outcome.termination.code : undefined, stderr: outcome.stderr };
  }

  test('a bad flag or variable: one line naming it, exit 2, no stack trace', async () => {
    const [flag, variable] = await Promise.all([cli([], ['--duration', 'soon']), cli(['FC_NUM_RUNS=abc'], [])]);
    expect(flag.stderr).toBe('error: --duration: "soon" is not a duration; give seconds or a time such as 90s, 10m or 1h30m.\n');
    expect(flag.code).toBe(2);
    expect(variable.stderr).toBe('error: FC_NUM_RUNS: "abc" is not an integer; give an integer from 1 to 10000000.\n');
    expect(variable.code).toBe(2);
  });
});

/** A campaign in this process, with its own findings and corpus directories. */
async function campaign(
  name: string,
  args: readonly string[],
  vars: Record<string, string>,
  onOutput: (text: string, control: CampaignControl) => void = () => undefined,
): Promise<{ result: CampaignResult; output: string; corpus: string }> {
  const corpus = join(scratch.path, name, 'corpus');
  const env: Record<string, string | undefined> = { ...process.env, FINDINGS_DIR: join(scratch.path, name, 'findings'), CORPUS_DIR: corpus, ...vars };
  for (const v of ['INSTAR', 'FC_SEED', 'FC_PATH', 'FC_NUM_RUNS', 'FC_TIME_LIMIT', 'CORPUS_REPLAY']) delete env[v];
  Object.assign(env, vars);
  const control = new CampaignControl();
  let output = '';
  const io = {
    isTTY: false,
    write: (text: string) => {
      output += text;
      onOutput(text, control);
    },
  };
  const result = await runCampaign(parseCampaignOptions(args, env), env, io, control);
  return { result, output, corpus };
}

function corpusFiles(corpus: string): string[] {
  const dir = join(corpus, 'dd');
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Cases in the smoke campaign: a finding (case 5 of seed 42) and a restart that runs the rest. */
const SMOKE_RUNS = 8;
/** Cases for the hang campaigns: far more than seed 3 needs to reach its first vpc hang. */
const HANG_RUNS = 100;
/**
 * Seconds per tool call in the hang campaigns. The hang costs it once or twice
 * before the stop request; a shorter one lets an ordinary call on a busy
 * machine time out first and be filed instead of the hang.
 */
const HANG_TOOL_TIMEOUT = '10';

describe('a campaign against a bug-injecting candidate', () => {
  test('prints the seed first, files each signature once with its count, adds the cases to the corpus, exits 1', async () => {
    // A run count, not a duration: what the campaign checks is then the same on any machine.
    const { result, output, corpus } = await campaign('smoke', ['dd', '--runs', String(SMOKE_RUNS), '--seed', '42', '--workers', '1', '--progress-every', '2'], {
      CANDIDATE: mutantPath('dd-gnu-count.sh'),
    });
    expect(output.split('\n')[0]).toBe('campaign seed 42');
    expect(result.exitCode).toBe(1);
    const [dd] = result.summaries;
    expect(dd?.findings.length).toBeGreaterThan(0);
    // One folder per signature, its count the number of findings with it.
    const ids = new Set(dd?.findings.map((f) => f.id));
    expect(result.index.map((e) => e.id).sort()).toEqual([...ids].sort());
    expect(result.index.reduce((n, e) => n + e.count, 0)).toBe(dd?.findings.length);
    for (const entry of result.index) {
      for (const file of ['report.md', 'report.json', 'repro.sh', 'signature.json']) expect(existsSync(join(result.findingsDir, entry.folder, file))).toBe(true);
    }
    expect(readFileSync(join(result.findingsDir, 'index.txt'), 'utf8')).toContain(result.index[0]?.folder);
    expect(corpusFiles(corpus).length).toBeGreaterThan(0);
    // The summary: runs, findings, inconclusive, whitelist, coverage.
    // The run count is exact: every restart after a finding runs only what is left.
    expect(output).toMatch(new RegExp(`^ {2}runs {9}${SMOKE_RUNS} cases`, 'm'));
    expect(output).toMatch(/^ {2}findings {5}\d+ \(\d+ signatures?\)/m);
    expect(output).toMatch(/^ {2}inconclusive 0/m);
    expect(output).toMatch(/^ {2}whitelist {4}/m);
    // Coverage over every case: each has one target, so the target shares add up to 100%.
    expect(output).toContain(`coverage     over ${SMOKE_RUNS} checked case(s):`);
    const targets = /^ {4}target {5}(.*)$/m.exec(output)?.[1] ?? '';
    const shares = [...targets.matchAll(/target=\w+ (\d+\.\d)%/g)].map((m) => Number(m[1]));
    expect(shares.length).toBeGreaterThan(0);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
    expect(output).toMatch(/^\[\d+s\] dd .*cases/m);
    // The summary and its JSON name the reference the run was judged against.
    expect(output).toMatch(/^reference: qemu-img version \d+\.\d+\.\d+.*judged by qemu-img (7\.2|10\.0)'s known behaviour\)$/m);
    const saved = JSON.parse(readFileSync(join(result.findingsDir, 'campaign-summary.json'), 'utf8')) as { reference: { version: string } };
    expect(saved.reference.version).toMatch(/^qemu-img version /);
  });

  // No time budget: with a run count the hang is reached on any machine, and the stop request ends the run.
  test('Ctrl-C while a finding shrinks: the shrink ends early, its report is written, exit 1', async () => {
    let asked = false;
    const { result, output, corpus } = await campaign(
      'interrupt',
      ['dd', '--runs', String(HANG_RUNS), '--seed', '3', '--workers', '1', '--progress-every', '1'],
      // A hang: every failing case costs the whole tool time-out, so shrinking is slow.
      { CANDIDATE: mutantPath('dd-vpc-hang.sh'), TOOL_TIMEOUT: HANG_TOOL_TIMEOUT },
      (text, control) => {
        if (!asked && /shrinking \(\d+ steps\)/.test(text)) {
          asked = true;
          control.requestStop();
        }
      },
    );
    expect(asked).toBe(true);
    expect(result.interrupted).toBe(true);
    expect(result.exitCode).toBe(1);
    expect(output).toContain('stopping: running cases finish');
    expect(result.index).toHaveLength(1);
    expect(result.index[0]?.id).toMatch(/^dd-candidate-timeout-/);
    expect(corpusFiles(corpus)).toHaveLength(1);
  });

  test('a second Ctrl-C stops at once: no report, but the case being shrunk is saved to the corpus', async () => {
    let asked = false;
    const { result, output, corpus } = await campaign(
      'abort',
      ['dd', '--runs', String(HANG_RUNS), '--seed', '3', '--workers', '1', '--progress-every', '1'],
      { CANDIDATE: mutantPath('dd-vpc-hang.sh'), TOOL_TIMEOUT: HANG_TOOL_TIMEOUT },
      (text, control) => {
        if (!asked && /shrinking \(\d+ steps\)/.test(text)) {
          asked = true;
          control.requestAbort();
        }
      },
    );
    expect(asked).toBe(true);
    expect(result.exitCode).toBe(1);
    expect(result.index).toHaveLength(0);
    const saved = corpusFiles(corpus);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatch(/^dd-unreported--[0-9a-f]{10}\.json$/);
    expect(output).toContain(`interrupted while shrinking; case saved to ${join(corpus, 'dd', saved[0] ?? '')}`);
    const example = JSON.parse(readFileSync(join(corpus, 'dd', saved[0] ?? ''), 'utf8')) as { case: { target: string } };
    expect(example.case.target).toBe('vpc');
  });
});
