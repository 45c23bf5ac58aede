import { qemuMeasures, type MeasureCase } from '../arbitraries/measure-case.ts';
import type { CandidateTimePolicy } from '../drivers/candidate-time-limit.ts';
import { succeeded, type ProcessOutcome } from '../drivers/process-outcome.ts';
import type { ReferenceMemo } from '../drivers/reference-memo.ts';
import { runReferenceAndCandidate } from '../drivers/run-pair.ts';
import { argvFor, type Tool } from '../drivers/tool.ts';
import { fingerprintOf, type ImageCache } from '../images/materialise.ts';
import {
  describeFieldDifferences,
  fieldDifferences,
  fieldDifferencesData,
  flatJsonCompareLines,
} from '../oracles/check-flat-json.ts';
import { divergence, type Divergence, type JsonValue } from '../oracles/divergence.ts';
import { parseMeasureOutput } from '../oracles/measure-report.ts';
import { compareOutcomes } from '../oracles/outcome.ts';
import type { RunStats } from '../oracles/run-stats.ts';
import { FindingError, renameOutcome, renamePaths, type Finding } from '../reports/finding.ts';
import { matchWhitelist, measureWhitelist, type MeasureFacts } from '../whitelist.ts';
import type { DerivedImages } from './check-derived-images.ts';
import {
  describeMeasureCase,
  measureInputClasses,
  measureRequest,
  measureSource,
  type MeasureSource,
  type SourceFile,
} from './measure-input.ts';
import { selfCheckMeasureCase } from './measure-self-check.ts';
import { referenceVersionOf } from '../config/reference-version.ts';

export interface MeasurePropertyEnv {
  readonly reference: Tool;
  readonly candidate: Tool;
  /** qemu-img for the self-checks' reference outputs and maps. */
  readonly qemuImg: string;
  readonly timeoutMs: number;
  /** The candidate's limit per call, from the reference's time (drivers/candidate-time-limit.ts). */
  readonly candidateTime: CandidateTimePolicy;
  /** The reference's outcomes on this run's inputs (drivers/reference-memo.ts); none: every call runs. */
  readonly referenceMemo?: ReferenceMemo;
  readonly images: ImageCache;
  readonly derived: DerivedImages;
  readonly stats: RunStats;
}

/** Field-by-field figures, then (human output) the exact text. */
function compareReports(measureCase: MeasureCase, reference: ProcessOutcome, candidate: ProcessOutcome): Divergence | string | undefined {
  const referenceReport = parseMeasureOutput(reference.stdout, measureCase.output);
  if (referenceReport === undefined) return `qemu-img printed no measure report: ${reference.stdout.trim()}`;
  const candidateReport = parseMeasureOutput(candidate.stdout, measureCase.output);
  if (candidateReport === undefined) {
    return divergence('metadata', `the candidate printed no ${measureCase.output} measure report`, candidate.stdout.trim());
  }
  // Exact equality of every figure, presence included (bitmaps appears only
  // for qcow2 sources and targets).
  const differences = fieldDifferences(referenceReport, candidateReport);
  if (differences.length > 0) {
    return divergence(
      'metadata',
      `measure figures differ (${measureCase.output} output): ${differences.map((d) => d.field).join(', ')}`,
      describeFieldDifferences(differences),
      { fields: fieldDifferencesData(differences), output: measureCase.output },
    );
  }
  if (measureCase.output === 'human' && reference.stdout !== candidate.stdout) {
    return divergence('output-text', 'same figures, different human output text', `reference:\n${reference.stdout}\ncandidate:\n${candidate.stdout}`);
  }
  return undefined;
}

function observe(measureCase: MeasureCase, reference: ProcessOutcome, candidate: ProcessOutcome): Divergence | string | undefined {
  const verdict = compareOutcomes(reference, candidate);
  if (verdict.kind === 'inconclusive') return verdict.reason;
  if (verdict.kind === 'diverge') return verdict.divergence;
  if (!succeeded(reference)) return undefined;
  return compareReports(measureCase, reference, candidate);
}

function compareLines(measureCase: MeasureCase): string[] {
  return [
    'if [ "$reference_rc" -ne 0 ] && [ "$candidate_rc" -ne 0 ]; then :',
    'elif [ "$reference_rc" -ne 0 ] || [ "$candidate_rc" -ne 0 ]; then echo "exit status differs"; diverged=1',
    ...(measureCase.output === 'json'
      ? ['else', ...flatJsonCompareLines(undefined).map((l) => `  ${l}`)]
      : ['else', '  diff reference.stdout candidate.stdout && echo "human output agrees" || { echo "human output differs (< reference, > candidate)"; diverged=1; }']),
    'fi',
  ];
}

/** raw and qcow2 targets: both tools measure, every figure must agree. */
async function compareMeasureCase(env: MeasurePropertyEnv, measureCase: MeasureCase, source: MeasureSource | undefined): Promise<void> {
  const inputClasses = measureInputClasses(measureCase);
  const file: SourceFile = source === undefined ? undefined : { path: source.image.path, format: source.image.format };
  const call = measureRequest(measureCase, file);
  const [reference, candidate] = await runReferenceAndCandidate(env, call, call);
  let observed = observe(measureCase, reference, candidate);
  if (source !== undefined && fingerprintOf(source.image.path) !== source.image.fingerprint) {
    source.evict();
    if (observed === undefined || typeof observed === 'string') observed = divergence('input-modified', 'measure changed its source image');
  }
  if (typeof observed === 'string') {
    env.stats.inconclusive.push(`measure ${inputClasses.join(' ')}: ${observed}`);
    return;
  }
  const facts: MeasureFacts = { measureCase };
  const accepted = matchWhitelist(
    measureWhitelist,
    facts,
    observed === undefined ? undefined : { divergence: observed, reference, candidate },
    env.stats,
    referenceVersionOf(env.reference),
  );
  if (observed === undefined || accepted !== undefined) return;

  const sourceName = `source.${source?.image.format ?? 'raw'}`;
  const names = new Map(source === undefined ? [] : [[source.image.path, sourceName] as const]);
  const renamed: SourceFile = source === undefined ? undefined : { path: sourceName, format: source.image.format };
  const argsOf = (tool: Tool): string[] => argvFor(tool, measureRequest(measureCase, renamed)).slice(tool.command.length);
  const finding: Finding = {
    operation: 'measure',
    caseValue: measureCase as unknown as JsonValue,
    caseInWords: describeMeasureCase(measureCase, source?.image),
    divergence: { ...observed, summary: renamePaths(observed.summary, names), detail: renamePaths(observed.detail, names) },
    reference: renameOutcome(reference, names),
    candidate: renameOutcome(candidate, names),
    inputClasses,
    repro: {
      inputs: source === undefined ? [] : [{ file: sourceName, steps: source.stepsFor(sourceName) }],
      referenceArgs: argsOf(env.reference),
      candidateArgs: argsOf(env.candidate),
      compare: compareLines(measureCase),
    },
  };
  throw new FindingError(finding);
}

/**
 * One measure case. raw and qcow2 targets are compared with qemu-img
 * figure by figure; vmdk, vpc and vhdx targets, which qemu-img cannot
 * measure, are checked against the candidate's own outputs
 * (measure-self-check.ts). Throws a FindingError on a divergence no
 * whitelist entry accepts.
 */
export async function checkMeasureCase(env: MeasurePropertyEnv, measureCase: MeasureCase): Promise<void> {
  env.stats.runs++;
  env.stats.classify(measureInputClasses(measureCase));
  const source = measureCase.input.kind === 'source' ? await measureSource(env.images, env.derived, measureCase.input) : undefined;
  if (qemuMeasures(measureCase.target.format)) await compareMeasureCase(env, measureCase, source);
  else await selfCheckMeasureCase(env, measureCase, source);
}
