import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../config/project-root.ts';
import { processCounters } from '../drivers/run-process.ts';
import { comparable, unmet, type MutantScenario } from '../test/mutants/scenarios.ts';

/**
 * One benchmark hunt in its own process (so workers run side by side):
 * `hunt.ts <scenarios file> <index> <seed> <numRuns>` finds and shrinks the
 * counterexample, then prints one JSON line with the time it took.
 */
export interface HuntResult {
  readonly ok: boolean;
  readonly ms: number;
  readonly numRuns: number;
  readonly numShrinks: number;
  readonly minimal: boolean;
  readonly unmet: readonly string[];
  readonly processes: number;
  readonly toolBusyMs: number;
  readonly error: string | undefined;
}

async function main(): Promise<void> {
  const [file = '', index = '0', seed = '0', numRuns = '1000'] = process.argv.slice(2);
  const module = (await import(pathToFileURL(join(PROJECT_ROOT, file)).href)) as { scenarios: MutantScenario[] };
  const scenario = module.scenarios[Number(index)];
  if (scenario === undefined) throw new Error(`${file} has no scenario ${index}`);
  const started = performance.now();
  let result: HuntResult;
  try {
    const hunt = await scenario.hunt({ seed: Number(seed), numRuns: Number(numRuns) });
    const missed = unmet(hunt.minimal).map((e) => `${e.what}: ${comparable(e.actual)}`);
    result = {
      ok: true,
      ms: Math.round(performance.now() - started),
      numRuns: hunt.found.numRuns,
      numShrinks: hunt.found.numShrinks,
      minimal: missed.length === 0,
      unmet: missed,
      processes: processCounters().spawned,
      toolBusyMs: processCounters().busyMs,
      error: undefined,
    };
  } catch (error) {
    result = {
      ok: false,
      ms: Math.round(performance.now() - started),
      numRuns: 0,
      numShrinks: 0,
      minimal: false,
      unmet: [],
      processes: processCounters().spawned,
      toolBusyMs: processCounters().busyMs,
      error: error instanceof Error ? error.message : String(error),
    };
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
