import { join } from 'node:path';
import type { DdCase, DdWindow } from '../arbitraries/dd-case.ts';
import { resolveDdWindow } from '../arbitraries/dd-case.ts';
import type { CandidateTimePolicy } from '../drivers/candidate-time-limit.ts';
import { describeTermination, succeeded, type ProcessOutcome } from '../drivers/process-outcome.ts';
import type { DdRequest } from '../drivers/requests.ts';
import { runReferenceAndCandidate } from '../drivers/run-pair.ts';
import { argvFor, type Tool } from '../drivers/tool.ts';
import { describeSpec, type ImageFormat } from '../images/image-spec.ts';
import { expectedContent } from '../images/expected-content.ts';
import { fingerprintOf, type ImageCache, type MaterialisedImage } from '../images/materialise.ts';
import { recipeFor } from '../images/recipe.ts';
import { compareContent, contentDivergence, describeContentDifference } from '../oracles/content.ts';
import { predictDd, predictDdContent, type DdPrediction } from '../oracles/dd-model.ts';
import { divergence, type Divergence, type JsonValue } from '../oracles/divergence.ts';
import { compareOutcomes } from '../oracles/outcome.ts';
import { describeReaderFailure, readerFailureLine } from '../oracles/reader-failure.ts';
import { readImage } from '../oracles/read-image.ts';
import type { RunStats } from '../oracles/run-stats.ts';
import { FindingError, renameOutcome, renamePaths, type Finding } from '../reports/finding.ts';
import { flattenAndCompareLines } from '../reports/repro-script.ts';
import { ddWhitelist, matchWhitelist, type DdFacts } from '../whitelist.ts';
import { withCaseDir } from './case-workspace.ts';
import { referenceVersionOf } from '../config/reference-version.ts';

export interface DdPropertyEnv {
  readonly reference: Tool;
  readonly candidate: Tool;
  /** qemu-img used as the neutral reader. */
  readonly qemuImg: string;
  readonly timeoutMs: number;
  /** The candidate's limit per call, from the reference's time (drivers/candidate-time-limit.ts). */
  readonly candidateTime: CandidateTimePolicy;
  readonly images: ImageCache;
  readonly stats: RunStats;
}

/** The bs class a value falls in, for coverage and signatures. */
export function bsClass(bs: number): string {
  if (bs % 512 === 0) return bs > 1024 * 1024 ? 'bs=large' : 'bs=512-multiple';
  return bs > 1024 * 1024 ? 'bs=large' : 'bs=non-512';
}

export function ddInputClasses(ddCase: DdCase, facts: Omit<DdFacts, 'ddCase'>): string[] {
  const { window, sourceVirtualSize, prediction } = facts;
  const classes = [`target=${ddCase.target}`, `source=${ddCase.source.layout.format}`, bsClass(window.bs)];
  const empty = prediction.kind === 'fails' || prediction.length === 0;
  if (empty) classes.push('empty-window');
  if (window.skip !== undefined && window.skip * window.bs >= sourceVirtualSize) classes.push('skip-past-eof');
  if (window.count !== undefined && window.count * window.bs > sourceVirtualSize) classes.push('count-beyond-eof');
  return classes;
}

function describeWindow(w: DdWindow): string {
  return [`bs=${w.bs}`, w.count !== undefined ? `count=${w.count}` : '', w.skip !== undefined ? `skip=${w.skip}` : '']
    .filter((s) => s !== '')
    .join(' ');
}

function describeCase(ddCase: DdCase, source: MaterialisedImage, window: DdWindow): string {
  return `\`dd -O ${ddCase.target} ${describeWindow(window)}\` from a source image: ${describeSpec(ddCase.source)} (virtual size ${source.virtualSize}).`;
}

function request(source: MaterialisedImage, output: string, target: ImageFormat, window: DdWindow): DdRequest {
  return {
    op: 'dd',
    input: source.path,
    inputFormat: source.format,
    output,
    outputFormat: target,
    bs: window.bs,
    count: window.count,
    skip: window.skip,
  };
}

interface Observed {
  readonly divergence: Divergence | undefined;
  readonly inconclusive: string | undefined;
}

/** The oracles, in order: outcome, model, readability, size and content. */
async function observe(
  env: DdPropertyEnv,
  source: MaterialisedImage,
  target: ImageFormat,
  prediction: DdPrediction,
  outcomes: { reference: ProcessOutcome; candidate: ProcessOutcome },
  outputs: { reference: string; candidate: string },
  dir: string,
): Promise<Observed> {
  const { reference, candidate } = outcomes;
  const verdict = compareOutcomes(reference, candidate);
  if (verdict.kind === 'inconclusive') return { divergence: undefined, inconclusive: verdict.reason };
  // The model is checked first: when qemu-img itself disagrees with the
  // written contract, that is reported as such, never as a candidate bug.
  const referenceOk = succeeded(reference);
  if (referenceOk !== (prediction.kind === 'succeeds')) {
    const expected = prediction.kind === 'succeeds' ? 'success' : `failure (${prediction.reason})`;
    return {
      divergence: divergence('model-mismatch', `the model predicts ${expected}; qemu-img gave ${describeTermination(reference.termination)}`),
      inconclusive: undefined,
    };
  }
  let referenceBytes: Buffer | undefined;
  if (referenceOk && prediction.kind === 'succeeds') {
    const reading = await readImage(env.qemuImg, outputs.reference, target, dir, env.timeoutMs);
    if (reading.kind === 'unreadable') {
      return { divergence: undefined, inconclusive: `qemu-img cannot read its own dd output: ${readerFailureLine(reading.outcome)}` };
    }
    const sourceBytes = expectedContent(source.spec, source.virtualSize);
    const modelDiff = compareContent(predictDdContent(sourceBytes, prediction), reading.bytes);
    if (modelDiff !== undefined) {
      return {
        divergence: divergence('model-mismatch', 'qemu-img output differs from the dd model', describeContentDifference(modelDiff, 'model', 'qemu-img')),
        inconclusive: undefined,
      };
    }
    referenceBytes = reading.bytes;
  }
  if (verdict.kind === 'diverge') {
    if (verdict.divergence.kind !== 'exit-status' || !succeeded(candidate)) {
      return { divergence: verdict.divergence, inconclusive: undefined };
    }
    // The candidate succeeded where qemu-img failed: what it wrote is part of
    // the outcome (the vmdk whitelist entry accepts only an empty output).
    const reading = await readImage(env.qemuImg, outputs.candidate, target, dir, env.timeoutMs);
    const candidateVirtualSize = reading.kind === 'read' ? reading.virtualSize : null;
    const { data, detail } = verdict.divergence;
    const written =
      candidateVirtualSize === null
        ? `qemu-img cannot read the candidate's ${target} output`
        : `qemu-img reads the candidate's ${target} output as ${candidateVirtualSize} bytes`;
    return {
      divergence: { ...verdict.divergence, detail: [detail, written].filter((t) => t !== '').join('\n'), data: { ...data, candidateVirtualSize } },
      inconclusive: undefined,
    };
  }
  if (referenceBytes === undefined) return { divergence: undefined, inconclusive: undefined };
  const candidateReading = await readImage(env.qemuImg, outputs.candidate, target, dir, env.timeoutMs);
  if (candidateReading.kind === 'unreadable') {
    return {
      divergence: divergence(
        'output-unreadable',
        `qemu-img cannot read the candidate's ${target} output (the reference's reads as ${referenceBytes.length} bytes)`,
        describeReaderFailure(candidateReading.outcome),
        { referenceVirtualSize: referenceBytes.length },
      ),
      inconclusive: undefined,
    };
  }
  return { divergence: contentDivergence(referenceBytes, candidateReading.bytes), inconclusive: undefined };
}

/**
 * One dd case: both tools run the same window on the same source; the
 * reference must match the model and the candidate must match the reference.
 * Throws a FindingError on a divergence no whitelist entry accepts.
 */
export async function checkDdCase(env: DdPropertyEnv, ddCase: DdCase): Promise<void> {
  env.stats.runs++;
  const source = await env.images.get(ddCase.source);
  const window = resolveDdWindow(ddCase, source.virtualSize);
  const prediction = predictDd(source.virtualSize, window, ddCase.target);
  const facts: DdFacts = { ddCase, window, sourceVirtualSize: source.virtualSize, prediction };
  const inputClasses = ddInputClasses(ddCase, facts);
  env.stats.classify(inputClasses);

  await withCaseDir(async (dir) => {
    const outputs = {
      reference: join(dir, `reference.${ddCase.target}`),
      candidate: join(dir, `candidate.${ddCase.target}`),
    };
    const [reference, candidate] = await runReferenceAndCandidate(
      env,
      request(source, outputs.reference, ddCase.target, window),
      request(source, outputs.candidate, ddCase.target, window),
    );
    let observed = await observe(env, source, ddCase.target, prediction, { reference, candidate }, outputs, dir);
    if (fingerprintOf(source.path) !== source.fingerprint) {
      env.images.evict(ddCase.source);
      if (observed.divergence === undefined) {
        observed = { divergence: divergence('input-modified', 'the source image changed during the case'), inconclusive: undefined };
      }
    }
    if (observed.inconclusive !== undefined) {
      env.stats.inconclusive.push(`${describeWindow(window)} -O ${ddCase.target}: ${observed.inconclusive}`);
      return;
    }
    const found = observed.divergence;
    const accepted = matchWhitelist(
      ddWhitelist,
      facts,
      found === undefined ? undefined : { divergence: found, reference, candidate },
      env.stats,
    referenceVersionOf(env.reference),
    );
    if (found === undefined || accepted !== undefined) return;

    const sourceName = `source.${source.format}`;
    const names = new Map([
      [source.path, sourceName],
      [outputs.reference, `reference.${ddCase.target}`],
      [outputs.candidate, `candidate.${ddCase.target}`],
      [dir, '.'],
    ]);
    const argsOf = (tool: Tool, out: string): string[] =>
      argvFor(tool, request({ ...source, path: sourceName }, out, ddCase.target, window)).slice(tool.command.length);
    const finding: Finding = {
      operation: 'dd',
      caseValue: ddCase as unknown as JsonValue,
      caseInWords: describeCase(ddCase, source, window),
      // Reader messages quote scratch paths too.
      divergence: { ...found, summary: renamePaths(found.summary, names), detail: renamePaths(found.detail, names) },
      reference: renameOutcome(reference, names),
      candidate: renameOutcome(candidate, names),
      inputClasses,
      repro: {
        inputs: [{ file: sourceName, steps: recipeFor(ddCase.source, sourceName) }],
        referenceArgs: argsOf(env.reference, `reference.${ddCase.target}`),
        candidateArgs: argsOf(env.candidate, `candidate.${ddCase.target}`),
        compare: flattenAndCompareLines(`reference.${ddCase.target}`, `candidate.${ddCase.target}`, ddCase.target),
      },
    };
    throw new FindingError(finding);
  });
}
