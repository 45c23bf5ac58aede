import fc from 'fast-check';
import type { SuiteContext } from '../config/suite-context.ts';
import type { JsonValue } from '../oracles/divergence.ts';
import { FindingError } from '../reports/finding.ts';
import { replayCommand } from '../reports/replay-command.ts';
import { writeReport } from '../reports/write-report.ts';

/** Cases per property when neither FC_NUM_RUNS nor FC_TIME_LIMIT is set. */
export const DEFAULT_NUM_RUNS = 300;

export interface PropertyRun {
  /** e.g. "properties/dd.prop.test.ts", as the replay command names it. */
  readonly propertyFile: string;
  readonly context: SuiteContext;
  /** Called with every written report folder (tests collect them). */
  readonly onReport?: (folder: string) => void;
  /** Overrides the environment's settings (tests use fixed seeds). */
  readonly overrides?: Partial<fc.Parameters<unknown>>;
}

/** Millisecond budget for the vitest test wrapping a property. */
export function testTimeoutMs(context: SuiteContext): number {
  const limit = context.fastCheck.timeLimitSeconds;
  // Generous: shrinking a real finding can take minutes; a per-call timeout
  // already bounds every tool, so a stuck test is impossible.
  return limit !== undefined ? (limit + 900) * 1000 : 3_600_000;
}

function drawSeed(): number {
  return (Date.now() ^ (Math.random() * 0x100000000)) | 0;
}

/**
 * fast-check parameters for a property: seed, path, run count and time
 * limit from FC_*, and a reporter that turns the shrunk counterexample into
 * a report folder and a failure message with the replay command.
 */
export function propertyParameters<T>(run: PropertyRun): fc.Parameters<[T]> {
  const { context } = run;
  const settings = context.fastCheck;
  const seed = settings.seed ?? drawSeed();
  const numRuns =
    settings.numRuns ?? (settings.timeLimitSeconds !== undefined ? 2 ** 31 - 1 : DEFAULT_NUM_RUNS);
  const params: fc.Parameters<[T]> = {
    seed,
    numRuns,
    endOnFailure: false,
    ...(settings.path !== undefined ? { path: settings.path } : {}),
    ...(settings.timeLimitSeconds !== undefined ? { interruptAfterTimeLimit: settings.timeLimitSeconds * 1000 } : {}),
    ...(run.overrides as Partial<fc.Parameters<[T]>> | undefined),
    asyncReporter: async (details) => {
      if (!details.failed) return;
      const replay = replayCommand({
        propertyFile: run.propertyFile,
        seed: details.seed,
        path: details.counterexamplePath ?? undefined,
        env: context.replayEnv,
      });
      const error = details.errorInstance;
      if (!(error instanceof FindingError)) {
        // Not a divergence: the suite itself broke (e.g. an input could not be built).
        const why = error instanceof Error ? error.message : String(error);
        throw new Error(`${run.propertyFile}: the property could not run a case: ${why}\nReplay: ${replay}`);
      }
      const { folder } = await writeReport(
        context.findingsDir,
        { ...error.finding, caseValue: (details.counterexample?.[0] ?? null) as JsonValue },
        {
          referenceVersion: context.reference.version,
          candidateVersion: context.candidate.version,
          candidateSelectedBy: context.candidate.selectedBy,
          replay,
          seed: details.seed,
          path: details.counterexamplePath ?? undefined,
          numShrinks: details.numShrinks,
        },
        context.candidate,
        Math.round(context.timeoutMs / 1000),
      );
      run.onReport?.(folder);
      throw new Error(
        [
          `${error.finding.operation}: ${error.finding.divergence.kind}: ${error.finding.divergence.summary}`,
          error.finding.divergence.detail,
          `Case: ${error.finding.caseInWords}`,
          `Report: ${folder}`,
          `Replay: ${replay}`,
        ]
          .filter((line) => line !== '')
          .join('\n'),
      );
    },
  };
  return params;
}
