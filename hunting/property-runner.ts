import fc from 'fast-check';
import { basename, join } from 'node:path';
import type { Simplifier } from '../arbitraries/simplification.ts';
import { readCampaignChildSettings } from './campaign-child-settings.ts';
import { addToCorpus, corpusRoot, propertyNameOf, readCorpusSelection, selectCorpus, shownPath, type CorpusExample } from './corpus.ts';
import { CampaignProbe } from './campaign-probe.ts';
import type { SuiteContext } from '../config/suite-context.ts';
import type { JsonValue } from '../oracles/divergence.ts';
import { FindingError } from '../reports/finding.ts';
import { writeIndex } from '../reports/index.ts';
import { replayCommand } from '../reports/replay-command.ts';
import { signatureId, signatureOf, signatureText } from '../reports/signature.ts';
import { recordKnownOccurrences, writeReport } from '../reports/write-report.ts';
import { readKnownSignatures, type KnownSignatures } from './known-signatures.ts';
import { reduceCounterexample } from './reduce.ts';
import { CaseLookahead, type LookaheadOptions } from './lookahead.ts';
import { SignatureGate } from './signature-gate.ts';
import { referenceOfRun } from '../reports/reference-of-run.ts';

/** Where reduced cases go when the run has no corpus (tests): a corpus of the findings directory's own. */
export const REDUCED_CASES_DIR = 'reduced-cases';

/**
 * Cases per property when neither FC_NUM_RUNS nor FC_TIME_LIMIT is set (so
 * under `npm test`): enough for every class with a share of 5% or more to
 * come up about five times per run, few enough that `npm test` stays within
 * 10 minutes; longer calibration runs belong to `npm run campaign`.
 */
export const DEFAULT_NUM_RUNS = 100;

export interface PropertyRun<T = unknown> {
  /** e.g. "properties/dd.prop.test.ts", as the replay command names it. */
  readonly propertyFile: string;
  readonly context: SuiteContext;
  /** The property's check: resolves when the tools agree, throws a FindingError when they do not. */
  readonly check: (value: T) => Promise<void>;
  /** Simplification moves for the reduction pass after shrinking; none when absent. */
  readonly simplify?: Simplifier<T>;
  /** Signatures that do not stop the search; default: KNOWN_FINDINGS. */
  readonly known?: KnownSignatures;
  /** Called with every written report folder (tests collect them). */
  readonly onReport?: (folder: string) => void;
  /** Overrides the environment's settings (tests use fixed seeds). */
  readonly overrides?: Partial<fc.Parameters<unknown>>;
  /**
   * Cases when neither FC_NUM_RUNS nor FC_TIME_LIMIT says (that is, under
   * `npm test`), for a property whose cases cost more than most; default
   * DEFAULT_NUM_RUNS. A campaign runs until its budget whatever this says.
   */
  readonly defaultNumRuns?: number;
  /**
   * The failure corpus: replayed first, and where new findings are added.
   * Default: CORPUS_DIR or ./corpus. `false` for none (a test that provokes
   * findings on purpose must not add them to the committed corpus).
   */
  readonly corpus?: string | false;
  /** Turns a corpus case (plain JSON) back into the arbitrary's value; default: as is. */
  readonly fromJson?: (json: JsonValue) => T;
  /** Work to start for the coming cases while the current one runs (hunting/lookahead.ts); none when absent. */
  readonly lookahead?: LookaheadOptions<T>;
}

/** What a property file hands to fast-check: the parameters and the gated predicate. */
export interface DifferentialProperty<T> {
  readonly parameters: fc.Parameters<[T]>;
  readonly predicate: (value: T) => Promise<void>;
  /** Known signatures met and new ones set aside, as counted so far. */
  readonly gate: SignatureGate;
}

/** Millisecond budget for the vitest test wrapping a property. */
export function testTimeoutMs(context: SuiteContext): number {
  const campaign = readCampaignChildSettings(process.env);
  if (campaign !== undefined) {
    // The campaign bounds the process itself (deadline, shrink grace, stop requests).
    const end = campaign.shrinkDeadline ?? campaign.deadline;
    return end === undefined ? 2 ** 31 - 1 : Math.min(2 ** 31 - 1, Math.max(0, end - Date.now()) + 600_000);
  }
  const limit = context.fastCheck.timeLimitSeconds;
  // Generous: shrinking a real finding can take minutes; a per-call timeout
  // already bounds every tool, so a stuck test is impossible.
  return limit !== undefined ? (limit + 900) * 1000 : 3_600_000;
}

function drawSeed(): number {
  return (Date.now() ^ (Math.random() * 0x100000000)) | 0;
}

/**
 * Where a failure came from. fast-check runs `examples` first, so a path's
 * first index below the number of examples names a corpus example; above
 * it, a generated case whose replay path is shifted by that number (a path
 * replay runs without the corpus).
 */
function failureOrigin(path: string, examples: readonly CorpusExample[]): { example: CorpusExample | undefined; replayPath: string } {
  const [first = '0', ...rest] = path.split(':');
  const index = Number(first);
  const example = examples[index];
  if (example !== undefined) return { example, replayPath: ['0', ...rest].join(':') };
  return { example: undefined, replayPath: [String(index - examples.length), ...rest].join(':') };
}

/**
 * A differential property, wired for fast-check: seed, path, run count and
 * time limit from FC_*; the failure corpus replayed first as `examples`; a
 * predicate that lets known signatures pass (counted) and locks the first
 * new one; and a reporter that reduces the shrunk counterexample with the
 * simplification moves, files it under its signature (one report folder per
 * signature), adds it to the corpus, and fails with the report path and the
 * replay command. Inside a campaign (CAMPAIGN_RUN_DIR), a probe plugin
 * reports progress and honours the campaign's deadline and stop requests.
 */
export function differentialProperty<T>(run: PropertyRun<T>): DifferentialProperty<T> {
  const { context } = run;
  const settings = context.fastCheck;
  const property = propertyNameOf(run.propertyFile);
  const campaign = readCampaignChildSettings(process.env);
  const root = run.corpus === false ? undefined : (run.corpus ?? corpusRoot(process.env));
  const selection = readCorpusSelection(process.env);
  // A path replays one generated counterexample: the corpus stays out of it
  // unless CORPUS_REPLAY names the example the path starts from.
  const effective = settings.path !== undefined && selection.kind === 'all' ? ({ kind: 'none' } as const) : selection;
  const examples = root === undefined ? [] : selectCorpus(root, property, effective);
  const fromJson = run.fromJson ?? ((json: JsonValue) => json as T);
  const seed = settings.seed ?? drawSeed();
  const numRuns =
    settings.numRuns ?? (settings.timeLimitSeconds !== undefined || campaign !== undefined ? 2 ** 31 - 1 : (run.defaultNumRuns ?? DEFAULT_NUM_RUNS));
  const gate = new SignatureGate(run.known ?? readKnownSignatures(process.env));
  const predicate = gate.predicate(run.check);
  const probe =
    campaign === undefined
      ? undefined
      : new CampaignProbe(campaign, { propertyFile: run.propertyFile, property, seed, examples: examples.map((e) => e.name), gate });

  const parameters: fc.Parameters<[T]> = {
    seed,
    numRuns,
    endOnFailure: false,
    ...(settings.path !== undefined ? { path: settings.path } : {}),
    ...(settings.timeLimitSeconds !== undefined && probe === undefined
      ? { interruptAfterTimeLimit: settings.timeLimitSeconds * 1000 }
      : {}),
    examples: examples.map((e): [T] => [fromJson(e.case)]),
    ...(run.overrides as Partial<fc.Parameters<[T]>> | undefined),
    // The campaign's own settings win over a property's overrides.
    ...(probe !== undefined ? { seed, numRuns, plugins: [probe.plugin<[T]>()] } : {}),
    asyncReporter: async (details) => {
      try {
        await report(details);
      } finally {
        // After the report: known signatures met by the reduction pass count too.
        try {
          const hits = [...gate.knownHits.values()];
          await recordKnownOccurrences(context.findingsDir, hits, { seed: details.seed, candidate: context.candidate.selectedBy });
          // The index shows the raised counts at once, not at the next new finding.
          if (hits.length > 0) await writeIndex(context.findingsDir);
          const met = knownSummary(gate);
          if (met !== '' && probe === undefined) console.log(met);
        } finally {
          probe?.finish();
        }
      }
    },
  };

  /** The case to report: fast-check's shrunk counterexample, reduced by the simplification moves. */
  async function reduced(value: T, error: FindingError): Promise<{ value: T; error: FindingError; moves: readonly string[] }> {
    if (run.simplify === undefined) return { value, error, moves: [] };
    return reduceCounterexample({ value, error }, run.simplify, predicate, {
      shouldStop: () => probe?.shrinkingShouldStop() ?? false,
      onKept: (kept, keptError) => probe?.noteSmallerCase(kept as JsonValue, keptError.message.split('\n')[0] ?? ''),
    });
  }

  async function report(details: fc.RunDetails<[T]>): Promise<void> {
    if (!details.failed) return;
    // Stopped (deadline or interrupt) before any case ran: nothing failed.
    if (details.interrupted && details.counterexample === null) return;
    const origin = failureOrigin(details.counterexamplePath ?? '0', examples);
    const fromCorpus = origin.example !== undefined ? ` (corpus example ${shownPath(origin.example.file)})` : '';
    // The case fast-check stopped at: a corpus example by name, or a generated case by its path.
    const originTarget = {
      path: details.counterexamplePath === null ? undefined : origin.replayPath,
      env: origin.example !== undefined ? { ...context.replayEnv, CORPUS_REPLAY: origin.example.name } : context.replayEnv,
    };
    const error = details.errorInstance;
    if (!(error instanceof FindingError) || details.counterexample === null) {
      // Not a divergence: the suite itself broke (e.g. an input could not be built).
      const replay = replayCommand({ propertyFile: run.propertyFile, seed: details.seed, ...originTarget });
      const why = error instanceof Error ? error.message : String(error);
      const message = `${run.propertyFile}: the property could not run a case${fromCorpus}: ${why}\nReplay: ${replay}`;
      probe?.recordError(message);
      throw new Error(message);
    }
    const final = await reduced(details.counterexample[0], error);
    const finding = { ...final.error.finding, caseValue: final.value as JsonValue };
    const signature = signatureOf(finding);
    // The corpus first: one small file, so even an interrupted report loses nothing.
    // A reduced case no seed and path can name is replayed from a corpus, so it needs one.
    const corpusDir = root ?? (final.moves.length > 0 ? join(context.findingsDir, REDUCED_CASES_DIR) : undefined);
    const corpus =
      corpusDir === undefined
        ? undefined
        : addToCorpus(corpusDir, {
            property,
            signature: signatureId(signature),
            summary: `${signatureText(signature)}: ${finding.divergence.summary.split('\n')[0] ?? ''}`,
            from: `${run.propertyFile} seed ${details.seed}`,
            case: finding.caseValue,
          });
    const reducedTarget = (file: string, dir: string): { path: string; env: Readonly<Record<string, string>> } => {
      const dirEnv: Record<string, string> = dir === corpusRoot(process.env) ? {} : { CORPUS_DIR: dir };
      return { path: '0', env: { ...context.replayEnv, ...dirEnv, CORPUS_REPLAY: basename(file) } };
    };
    const target = final.moves.length > 0 && corpus !== undefined && corpusDir !== undefined ? reducedTarget(corpus.file, corpusDir) : originTarget;
    const replay = replayCommand({ propertyFile: run.propertyFile, seed: details.seed, path: target.path, env: target.env });
    const written = await writeReport(
      context.findingsDir,
      finding,
      {
        referenceVersion: context.reference.version,
        referenceOfRun: referenceOfRun(context),
        candidateVersion: context.candidate.version,
        candidateSelectedBy: context.candidate.selectedBy,
        replay,
        seed: details.seed,
        path: target.path,
        numShrinks: details.numShrinks,
        reductionMoves: final.moves,
      },
      context.candidate,
      Math.round(context.timeoutMs / 1000),
      { propertyFile: run.propertyFile },
    );
    await writeIndex(context.findingsDir);
    probe?.recordFinding({
      id: written.id,
      signature,
      folder: written.folder,
      count: written.count,
      newSignature: written.newSignature,
      corpusFile: corpus?.file,
      fromExample: origin.example?.name,
    });
    run.onReport?.(written.folder);
    const seen = written.newSignature ? 'new signature' : `signature seen ${written.count} times; the folder keeps the smallest case`;
    throw new Error(
      [
        `${finding.operation}: ${finding.divergence.kind}: ${finding.divergence.summary}${fromCorpus}`,
        finding.divergence.detail,
        `Case: ${finding.caseInWords}`,
        final.moves.length > 0 ? `Reduced after shrinking: ${final.moves.join('; ')}` : '',
        `Signature: ${signatureText(signature)}`,
        `Report: ${written.folder} (${seen})`,
        corpus?.added === true && corpusDir === root ? `Corpus: added ${shownPath(corpus.file)}; commit it so every run replays it first` : '',
        `Replay: ${replay}`,
      ]
        .filter((line) => line !== '')
        .join('\n'),
    );
  }

  // The coming cases are prepared from the run's final parameters; a path replay takes none.
  const lookahead =
    run.lookahead === undefined || parameters.path !== undefined || parameters.seed === undefined || parameters.numRuns === undefined
      ? undefined
      : new CaseLookahead(run.lookahead, {
          seed: parameters.seed,
          numRuns: parameters.numRuns,
          examples: (parameters.examples ?? []).map(([value]) => value),
          ...(campaign?.deadline !== undefined ? { deadline: campaign.deadline } : {}),
        });
  const predicateAhead =
    lookahead === undefined
      ? predicate
      : async (value: T): Promise<void> => {
          lookahead.seen(value);
          try {
            await predicate(value);
          } catch (error) {
            lookahead.failed();
            throw error;
          }
        };

  return { parameters, predicate: predicateAhead, gate };
}

/** "known signatures met: info metadata [json:x] ×36": empty when none. */
export function knownSummary(gate: SignatureGate): string {
  const lines = [
    ...[...gate.knownHits.values()].map((k) => `  known, not stopped for: ${k.text} ×${k.count}`),
    ...[...gate.setAside.values()].map((k) => `  new, set aside while shrinking another: ${k.text} ×${k.count}`),
  ];
  return lines.length === 0 ? '' : `signatures met without stopping:\n${lines.join('\n')}`;
}
