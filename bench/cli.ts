import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { discoverProperties, selectProperties } from '../campaign/discover.ts';
import { parseDuration } from '../campaign/options.ts';
import { CampaignControl, runCampaign } from '../campaign/run-campaign.ts';
import { ConfigError } from '../config/config-error.ts';
import { PROJECT_ROOT } from '../config/project-root.ts';
import { describeTermination } from '../drivers/process-outcome.ts';
import { runProcess } from '../drivers/run-process.ts';
import { scratchDir } from '../images/scratch.ts';
import type { MutantScenario } from '../test/mutants/scenarios.ts';
import type { HuntResult } from './hunt.ts';
import { median, pool, table } from './stats.ts';

const USAGE = `Usage: npm run bench -- [options]

1. Calibration (qemu-img against itself), per property: cases per second and
   the share of wall time inside tool processes, with 1 and 2 workers.
   Then, per property with 1 worker, a pass-through candidate that costs
   about 150 ms a call (bench/pass-through-150ms.sh, no bug): candidate calls
   per second, cases per second and processes per case, the figures that
   compare across suites.
2. Per bug-injecting candidate (test/mutants/*.scenarios.ts): time from start
   to a SHRUNK counterexample, median over 5 seeds, with 1 and 2 workers.
Prints a table; writes bench-results/bench-<time>.json.

Options:
  --calibration <time>   seconds per calibration run (default 20s)
  --seeds <n>            seeds per mutant (default 5)
  --cap <time>           give up a hunt after this long (default 120s)
  --only <a,b>           properties to bench (default: all)
  --hunt <a,b>           only these mutants' hunts, e.g. dd-vpc-hang (implies
                         --skip-calibration)
  --skip-calibration     only the mutant hunts (no pass-through rows either)
  --skip-pass-through    no pass-through rows
  --skip-mutants         only the calibration
  --workers <list>       worker counts to compare (default 1,2)`;

interface BenchOptions {
  readonly calibrationSeconds: number;
  readonly seeds: number;
  readonly capSeconds: number;
  readonly only: readonly string[];
  /** Mutant names (test/mutants/<name>.sh); empty: every mutant. */
  readonly hunt: readonly string[];
  readonly calibration: boolean;
  readonly passThrough: boolean;
  readonly mutants: boolean;
  readonly workers: readonly number[];
}

function parseOptions(args: readonly string[]): BenchOptions | undefined {
  const value = (flag: string): string | undefined => {
    const at = args.indexOf(flag);
    return at >= 0 ? args[at + 1] : undefined;
  };
  if (args.includes('--help') || args.includes('-h')) return undefined;
  const known = new Set(['--calibration', '--seeds', '--cap', '--only', '--hunt', '--skip-calibration', '--skip-pass-through', '--skip-mutants', '--workers']);
  for (const arg of args) if (arg.startsWith('--') && !known.has(arg)) throw new ConfigError(arg, 'is not a bench option; see npm run bench -- --help.');
  const seeds = Number(value('--seeds') ?? '5');
  if (!Number.isInteger(seeds) || seeds < 1) throw new ConfigError('--seeds', 'give a whole number of seeds, at least 1.');
  const workers = (value('--workers') ?? '1,2').split(',').map(Number);
  const hunt = value('--hunt')?.split(',').map((name) => name.replace(/\.sh$/, '')) ?? [];
  if (args.includes('--hunt') && (hunt.length === 0 || hunt.some((name) => name === '' || name.startsWith('--')))) {
    throw new ConfigError('--hunt', 'give mutant names such as dd-vpc-hang (see test/mutants/*.sh).');
  }
  if (workers.some((w) => !Number.isInteger(w) || w < 1)) throw new ConfigError('--workers', 'give worker counts such as 1,2.');
  return {
    calibrationSeconds: parseDuration('--calibration', value('--calibration') ?? '20'),
    seeds,
    capSeconds: parseDuration('--cap', value('--cap') ?? '120'),
    only: value('--only')?.split(',') ?? [],
    hunt,
    calibration: hunt.length === 0 && !args.includes('--skip-calibration'),
    passThrough: hunt.length === 0 && !args.includes('--skip-calibration') && !args.includes('--skip-pass-through'),
    mutants: !args.includes('--skip-mutants'),
    workers,
  };
}

/** The environment of a calibration run: qemu-img against itself, scratch findings and corpus. */
function calibrationEnv(scratch: string): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, FINDINGS_DIR: join(scratch, 'findings'), CORPUS_DIR: join(scratch, 'corpus') };
  for (const name of ['INSTAR', 'CANDIDATE', 'FC_SEED', 'FC_PATH', 'FC_NUM_RUNS', 'FC_TIME_LIMIT', 'CORPUS_REPLAY']) delete env[name];
  return env;
}

/** A faithful candidate with a real candidate's latency (about 150 ms a call); it tallies its calls. */
export const PASS_THROUGH = join(PROJECT_ROOT, 'bench', 'pass-through-150ms.sh');

interface CalibrationRow {
  readonly property: string;
  readonly workers: number;
  readonly cases: number;
  readonly casesPerSecond: number;
  readonly toolBusyShare: number;
  readonly processesPerCase: number;
  readonly findings: number;
}

interface PassThroughRow {
  readonly property: string;
  readonly cases: number;
  readonly casesPerSecond: number;
  readonly candidateCallsPerSecond: number;
  readonly processesPerCase: number;
  readonly findings: number;
}

/** One worker against the pass-through candidate: what a user comparing suites would count. */
async function passThrough(property: string, seconds: number, scratch: string): Promise<PassThroughRow> {
  const dir = join(scratch, `${property}-pass-through`);
  mkdirSync(dir, { recursive: true });
  const tally = join(dir, 'candidate-calls');
  writeFileSync(tally, '');
  // Property processes inherit this process's environment (the campaign passes on only the tool variables).
  process.env['PASS_THROUGH_TALLY'] = tally;
  let s: Awaited<ReturnType<typeof summaryOf>>;
  try {
    s = await summaryOf(property, 1, seconds, { ...calibrationEnv(dir), CANDIDATE: PASS_THROUGH });
  } finally {
    delete process.env['PASS_THROUGH_TALLY'];
  }
  const checks = s.cases + s.shrinks;
  const perSecond = (n: number): number => (s.elapsedMs > 0 ? (n * 1000) / s.elapsedMs : 0);
  // Version probes at start-up are candidate calls too, but count for nothing: only those made by cases.
  const calls = readFileSync(tally, 'utf8').split('\n').filter((line) => line !== '' && line !== '--version').length;
  return {
    property,
    cases: checks,
    casesPerSecond: perSecond(checks),
    candidateCallsPerSecond: perSecond(calls),
    processesPerCase: checks > 0 ? s.processes.spawned / checks : 0,
    findings: s.findings.length,
  };
}

async function summaryOf(property: string, workers: number, seconds: number, env: Record<string, string | undefined>) {
  const result = await runCampaign(
    { durationSeconds: seconds, runs: undefined, seed: 1, properties: [property], workers, shard: { index: 1, total: 1 }, progressEverySeconds: 3600, shrinkGraceSeconds: 5, known: [], help: false },
    env,
    { write: () => undefined, isTTY: false },
    new CampaignControl(),
  );
  const s = result.summaries[0];
  if (s === undefined) throw new Error(`no summary for ${property}`);
  if (s.errors.length > 0) throw new Error(`${property} could not run: ${s.errors.join('\n')}`);
  return s;
}

async function calibrate(property: string, workers: number, seconds: number, scratch: string): Promise<CalibrationRow> {
  const env = calibrationEnv(join(scratch, `${property}-${workers}`));
  const s = await summaryOf(property, workers, seconds, env);
  const checks = s.cases + s.shrinks;
  // Replicas run side by side: throughput is per process, summed.
  const perProcessSeconds = s.elapsedMs / 1000 / workers;
  return {
    property,
    workers,
    cases: checks,
    casesPerSecond: perProcessSeconds > 0 ? checks / perProcessSeconds : 0,
    toolBusyShare: s.elapsedMs > 0 ? s.processes.busyMs / s.elapsedMs : 0,
    processesPerCase: checks > 0 ? s.processes.spawned / checks : 0,
    findings: s.findings.length,
  };
}

interface HuntRow {
  readonly scenario: string;
  readonly property: string;
  readonly mutant: string;
  readonly workers: number;
  readonly seeds: readonly number[];
  readonly results: readonly HuntResult[];
  readonly wallMs: number;
}

async function loadScenarios(only: readonly string[], mutants: readonly string[]): Promise<Array<{ file: string; index: number; scenario: MutantScenario }>> {
  const dir = join(PROJECT_ROOT, 'test', 'mutants');
  const found: Array<{ file: string; index: number; scenario: MutantScenario }> = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.scenarios.ts')).sort()) {
    const file = `test/mutants/${name}`;
    const module = (await import(join(PROJECT_ROOT, file))) as { scenarios: MutantScenario[] };
    module.scenarios.forEach((scenario, index) => {
      const wanted = (only.length === 0 || only.includes(scenario.property)) && (mutants.length === 0 || mutants.includes(scenario.mutant.replace(/\.sh$/, '')));
      if (wanted) found.push({ file, index, scenario });
    });
  }
  const unknown = mutants.filter((m) => !found.some((f) => f.scenario.mutant.replace(/\.sh$/, '') === m));
  if (unknown.length > 0) throw new ConfigError('--hunt', `no scenario uses ${unknown.join(', ')}; see test/mutants/*.scenarios.ts.`);
  return found;
}

async function hunt(file: string, index: number, seed: number, numRuns: number, capSeconds: number): Promise<HuntResult> {
  const outcome = await runProcess([process.execPath, '--import', 'tsx', 'bench/hunt.ts', file, String(index), String(seed), String(numRuns)], {
    timeoutMs: (capSeconds + 30) * 1000,
    cwd: PROJECT_ROOT,
  });
  const last = outcome.stdout.trim().split('\n').pop() ?? '';
  try {
    const result = JSON.parse(last) as HuntResult;
    return result.ms > capSeconds * 1000 ? { ...result, ok: false, error: `over the ${capSeconds} s cap` } : result;
  } catch {
    const why = outcome.termination.kind === 'timed-out' ? `over the ${capSeconds} s cap` : `${describeTermination(outcome.termination)}: ${outcome.stderr.trim().split('\n').slice(-3).join(' ')}`;
    return { ok: false, ms: capSeconds * 1000, numRuns: 0, numShrinks: 0, minimal: false, unmet: [], processes: 0, toolBusyMs: 0, error: why };
  }
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === undefined) {
    console.log(USAGE);
    return;
  }
  const scratch = await scratchDir('bench');
  const started = new Date();
  const calibration: CalibrationRow[] = [];
  const passThroughRows: PassThroughRow[] = [];
  const hunts: HuntRow[] = [];
  try {
    if (options.calibration) {
      const properties = selectProperties(discoverProperties(), options.only);
      for (const p of properties) {
        for (const workers of options.workers) {
          process.stderr.write(`calibration: ${p.name} with ${workers} worker(s), ${options.calibrationSeconds} s…\n`);
          calibration.push(await calibrate(p.name, workers, options.calibrationSeconds, scratch.path));
        }
      }
      const rows = selectProperties(discoverProperties(), options.only).map((p) => {
        const base = calibration.find((c) => c.property === p.name && c.workers === options.workers[0]);
        return [
          p.name,
          ...options.workers.map((w) => calibration.find((c) => c.property === p.name && c.workers === w)?.casesPerSecond.toFixed(1) ?? '-'),
          ...options.workers.slice(1).map((w) => {
            const other = calibration.find((c) => c.property === p.name && c.workers === w);
            return base && other && base.casesPerSecond > 0 ? `${(other.casesPerSecond / base.casesPerSecond).toFixed(2)}x` : '-';
          }),
          base ? `${(100 * base.toolBusyShare).toFixed(0)}%` : '-',
          base ? `${(100 * (1 - base.toolBusyShare)).toFixed(0)}%` : '-',
          base ? base.processesPerCase.toFixed(1) : '-',
        ];
      });
      console.log(`\ncalibration (qemu-img against itself), ${options.calibrationSeconds} s per run; cases include shrink steps`);
      console.log(
        table(
          ['property', ...options.workers.map((w) => `cases/s ${w}w`), ...options.workers.slice(1).map((w) => `speed-up ${w}w`), 'in tools', 'suite', 'procs/case'],
          rows,
        ),
      );
    }
    if (options.passThrough) {
      for (const p of selectProperties(discoverProperties(), options.only)) {
        process.stderr.write(`pass-through candidate: ${p.name}, 1 worker, ${options.calibrationSeconds} s…\n`);
        passThroughRows.push(await passThrough(p.name, options.calibrationSeconds, scratch.path));
      }
      console.log(`\npass-through candidate (bench/pass-through-150ms.sh: qemu-img after a ~150 ms sleep, no bug), 1 worker, ${options.calibrationSeconds} s per run; cases include shrink steps`);
      console.log(
        table(
          ['property', 'cases', 'cases/s', 'candidate calls/s', 'procs/case', 'findings'],
          passThroughRows.map((r) => [r.property, String(r.cases), r.casesPerSecond.toFixed(2), r.candidateCallsPerSecond.toFixed(2), r.processesPerCase.toFixed(1), String(r.findings)]),
        ),
      );
    }
    if (options.mutants) {
      const scenarios = await loadScenarios(options.only, options.hunt);
      for (const workers of options.workers) {
        for (const { file, index, scenario } of scenarios) {
          const seeds = Array.from({ length: options.seeds }, (_, k) => scenario.seed + k);
          process.stderr.write(`hunting: ${scenario.mutant}, seeds ${seeds.join(',')}, ${workers} worker(s)…\n`);
          const t0 = performance.now();
          const results = await pool(seeds, workers, async (seed) => {
            const r = await hunt(file, index, seed, Math.max(scenario.numRuns, 2000), options.capSeconds);
            const how = r.ok ? `${seconds(r.ms)}, ${r.numRuns} run(s), ${r.numShrinks} shrink(s)${r.minimal ? '' : `, not minimal (${r.unmet.join('; ')})`}` : (r.error ?? 'failed');
            process.stderr.write(`  seed ${seed}: ${how}\n`);
            return r;
          });
          hunts.push({ scenario: scenario.title, property: scenario.property, mutant: scenario.mutant, workers, seeds, results, wallMs: Math.round(performance.now() - t0) });
        }
      }
      // One row per scenario: a mutant may serve several (e.g. convert's two compression promises).
      const rows = [...new Set(hunts.map((h) => h.scenario))].map((scenario) => {
        const base = hunts.find((h) => h.scenario === scenario && h.workers === options.workers[0]) as HuntRow;
        const times = base.results.map((r) => (r.ok ? r.ms : Number.POSITIVE_INFINITY));
        const worst = Math.max(...times);
        return [
          base.mutant,
          base.seeds.length === 1 ? String(base.seeds[0]) : `${base.seeds[0]}..${base.seeds[base.seeds.length - 1]}`,
          Number.isFinite(median(times)) ? seconds(median(times)) : `>${options.capSeconds} s`,
          Number.isFinite(worst) ? seconds(worst) : `>${options.capSeconds} s`,
          `${base.results.filter((r) => r.ok && r.minimal).length}/${base.results.length}`,
          ...options.workers.map((w) => seconds(hunts.find((h) => h.scenario === scenario && h.workers === w)?.wallMs ?? 0)),
          ...options.workers.slice(1).map((w) => {
            const other = hunts.find((h) => h.scenario === scenario && h.workers === w);
            return other && other.wallMs > 0 ? `${(base.wallMs / other.wallMs).toFixed(2)}x` : '-';
          }),
        ];
      });
      console.log(`\ntime from start to a shrunk counterexample (per seed, inside the hunt process; cap ${options.capSeconds} s; targets: median ≤ 30 s, the hang mutant ≤ 20 s, none over 120 s)`);
      console.log(
        table(
          ['mutant', 'seeds', 'median', 'max', 'minimal', ...options.workers.map((w) => `all seeds ${w}w`), ...options.workers.slice(1).map((w) => `speed-up ${w}w`)],
          rows,
        ),
      );
      for (const h of hunts) for (const r of h.results) if (!r.ok || !r.minimal) console.log(`  ${h.mutant} (${h.workers}w): ${r.error ?? `not minimal: ${r.unmet.join('; ')}`}`);
    }
  } finally {
    await scratch.cleanup();
  }
  const dir = join(PROJECT_ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ startedAt: started.toISOString(), loadAverage: loadavg(), options, calibration, passThrough: passThroughRows, hunts }, null, 2)}\n`);
  console.log(`\nwritten: ${file}`);
}

main().catch((error: unknown) => {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`error: ${error.message}\n`);
  process.exitCode = 2;
});
