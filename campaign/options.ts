import { availableParallelism } from 'node:os';
import { ConfigError } from '../config/config-error.ts';
import { readInteger, type Env } from '../config/env-values.ts';
import { readFastCheckSettings } from '../config/fast-check-settings.ts';

/** How a campaign runs: from flags first, then FC_* variables, then defaults. */
export interface CampaignOptions {
  /** Wall-clock budget for the whole campaign, in seconds (undefined: until the run count). */
  readonly durationSeconds: number | undefined;
  /** Generated cases per property (undefined: until the budget). */
  readonly runs: number | undefined;
  readonly seed: number | undefined;
  /** Property names (e.g. "dd"); empty means all. */
  readonly properties: readonly string[];
  /** Property processes at a time on this machine. */
  readonly workers: number;
  /** This runner's share of a sharded campaign: 1-based index and total. */
  readonly shard: { readonly index: number; readonly total: number };
  /** Off a terminal, a progress line this often. */
  readonly progressEverySeconds: number;
  /** Shrinking may go on this long past the budget, so findings are handed over minimal. */
  readonly shrinkGraceSeconds: number;
  /**
   * Known-signatures files (findings index.json or findings directories):
   * findings with these signatures are counted, not stopped for.
   */
  readonly known: readonly string[];
  readonly help: boolean;
}

export const DEFAULT_DURATION_SECONDS = 600;

export const USAGE = `Usage: npm run campaign -- [options] [property…]

Runs every property (or the ones named, e.g. "dd convert") against the
configured candidate (INSTAR, CANDIDATE, or calibration when neither is set)
until the time budget runs out or the run count is reached.

Options:
  --duration <time>      whole campaign budget: 90, 90s, 10m, 1h30m (default 10m;
                         FC_TIME_LIMIT in seconds also sets it)
  --runs <n>             generated cases per property (FC_NUM_RUNS also sets it);
                         with --runs and no --duration there is no time limit
  --seed <n>             replay a campaign exactly (FC_SEED also sets it; default: random)
  --properties <a,b>     the properties to run (same as naming them)
  --workers <n>          property processes at a time (default: CPU count)
  --shard <i>/<n>        this runner's share of an n-runner campaign (seeds differ per shard)
  --progress-every <t>   progress line interval off a terminal (default 30s)
  --shrink-grace <t>     extra time a finding may spend shrinking after the budget (default 60s)
  --known <index>        a findings index.json (or findings directory) whose signatures are
                         already reported: counted, never stopped for (repeatable;
                         KNOWN_FINDINGS=a,b also sets it)
  -h, --help             this text

Ctrl-C (or SIGTERM) stops cleanly: running cases finish, a finding being
shrunk is reported with its smallest case so far, the summary is printed.
A second Ctrl-C stops at once; a case being shrunk is still saved to the corpus.
Exit status: 0 no finding, 1 findings, 2 bad invocation, 3 a property could not run.`;

/** "90", "90s", "10m", "1h30m" → seconds. */
export function parseDuration(name: string, text: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$/.exec(text.trim());
  const [, h = '0', m = '0', s = '0'] = match ?? [];
  const seconds = Number(h) * 3600 + Number(m) * 60 + Number(s);
  if (match === null || text.trim() === '' || seconds <= 0) {
    throw new ConfigError(name, `"${text}" is not a duration; give seconds or a time such as 90s, 10m or 1h30m.`);
  }
  return seconds;
}

function parsePositive(name: string, text: string, max: number): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || Number(text) > max) {
    throw new ConfigError(name, `"${text}" is not a whole number from 1 to ${max}.`);
  }
  return Number(text);
}

function parseSeed(text: string): number {
  return readInteger({ '--seed': text }, '--seed', { min: -(2 ** 31), max: 2 ** 32 - 1 }) as number;
}

function parseShard(text: string): { index: number; total: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const total = Number(match?.[2]);
  if (match === null || index < 1 || total < 1 || index > total) {
    throw new ConfigError('--shard', `"${text}" is not a shard; give <index>/<total> with 1 ≤ index ≤ total, e.g. 2/4.`);
  }
  return { index, total };
}

const FLAGS_WITH_VALUES = new Set([
  '--duration',
  '--runs',
  '--seed',
  '--properties',
  '--workers',
  '--shard',
  '--progress-every',
  '--shrink-grace',
  '--known',
]);

/** Flags and environment into options; any mistake is a ConfigError naming the flag or variable. */
export function parseCampaignOptions(argv: readonly string[], env: Env): CampaignOptions {
  const values = new Map<string, string>();
  const names: string[] = [];
  const known: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('-')) {
      names.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    if (!FLAGS_WITH_VALUES.has(flag)) {
      throw new ConfigError(flag, 'is not a campaign option; see npm run campaign -- --help.');
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new ConfigError(flag, 'needs a value; see npm run campaign -- --help.');
    if (flag === '--known') known.push(value);
    else values.set(flag, value);
  }
  const fc = readFastCheckSettings(env);
  if (fc.path !== undefined) {
    throw new ConfigError('FC_PATH', 'replays one counterexample of one property; run its replay command (npx vitest run …) instead of a campaign, or unset FC_PATH.');
  }
  const flag = (name: string): string | undefined => values.get(name);
  const runs = flag('--runs') !== undefined ? parsePositive('--runs', flag('--runs') as string, 10_000_000) : fc.numRuns;
  const given =
    flag('--duration') !== undefined ? parseDuration('--duration', flag('--duration') as string) : fc.timeLimitSeconds;
  const properties = [...names, ...(flag('--properties')?.split(',') ?? [])].map((n) => n.trim()).filter((n) => n !== '');
  return {
    durationSeconds: given ?? (runs === undefined ? DEFAULT_DURATION_SECONDS : undefined),
    runs,
    seed: flag('--seed') !== undefined ? parseSeed(flag('--seed') as string) : fc.seed,
    properties,
    workers: flag('--workers') !== undefined ? parsePositive('--workers', flag('--workers') as string, 256) : availableParallelism(),
    shard: flag('--shard') !== undefined ? parseShard(flag('--shard') as string) : { index: 1, total: 1 },
    progressEverySeconds: flag('--progress-every') !== undefined ? parseDuration('--progress-every', flag('--progress-every') as string) : 30,
    shrinkGraceSeconds: flag('--shrink-grace') !== undefined ? parseDuration('--shrink-grace', flag('--shrink-grace') as string) : 60,
    known: [...known, ...(env['KNOWN_FINDINGS']?.split(',') ?? [])].map((k) => k.trim()).filter((k) => k !== ''),
    help,
  };
}
