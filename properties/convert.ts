import { join } from 'node:path';
import {
  compressionPromise,
  describeConversion,
  type CompressionPromise,
  type ConvertCase,
} from '../arbitraries/convert-case.ts';
import type { CandidateTimePolicy } from '../drivers/candidate-time-limit.ts';
import { succeeded, type ProcessOutcome } from '../drivers/process-outcome.ts';
import type { ConvertRequest } from '../drivers/requests.ts';
import { runReferenceAndCandidate } from '../drivers/run-pair.ts';
import { argvFor, type Tool } from '../drivers/tool.ts';
import { describeLayout, describeSpec, type ImageFormat } from '../images/image-spec.ts';
import { expectedContent } from '../images/expected-content.ts';
import { fingerprintOf, type ImageCache, type MaterialisedImage } from '../images/materialise.ts';
import { recipeFor } from '../images/recipe.ts';
import { compressionCompareLines, compressionEvidence, sourceData, type SourceData } from '../oracles/compression.ts';
import { compareContent, contentDivergence, describeContentDifference } from '../oracles/content.ts';
import { divergence, type Divergence, type JsonValue } from '../oracles/divergence.ts';
import { stringifyExactJson } from '../oracles/exact-json.ts';
import { compareOutcomes } from '../oracles/outcome.ts';
import { describeReaderFailure, readerFailureLine } from '../oracles/reader-failure.ts';
import { readImage } from '../oracles/read-image.ts';
import type { RunStats } from '../oracles/run-stats.ts';
import { FindingError, renameOutcome, renamePaths, type Finding } from '../reports/finding.ts';
import { flattenAndCompareLines } from '../reports/repro-script.ts';
import { shellQuote } from '../reports/shell-quote.ts';
import { withCaseDir } from './case-workspace.ts';

export interface ConvertPropertyEnv {
  readonly reference: Tool;
  readonly candidate: Tool;
  /** qemu-img used as the neutral reader and inspector. */
  readonly qemuImg: string;
  readonly timeoutMs: number;
  /** The candidate's limit per call, from the reference's time (drivers/candidate-time-limit.ts). */
  readonly candidateTime: CandidateTimePolicy;
  readonly images: ImageCache;
  readonly stats: RunStats;
}

export function convertInputClasses(convertCase: ConvertCase, data: SourceData): string[] {
  const { target, compress } = convertCase;
  const promise = compressionPromise(convertCase);
  return [
    `target=${target.format}`,
    `source=${convertCase.source.layout.format}`,
    ...target.options.map(([key, value]) => (key === 'subformat' ? `${target.format}:${value}` : `option=${key}`)),
    ...(compress ? ['compress'] : []),
    ...(promise !== undefined ? [data.nonZeroBytes > 0 ? 'compression-expected' : 'compression-nothing-to-compress'] : []),
  ];
}

function describeCase(convertCase: ConvertCase, source: MaterialisedImage): string {
  return `\`convert ${describeConversion(convertCase)}\` from a source image: ${describeSpec(convertCase.source)} (virtual size ${source.virtualSize}).`;
}

function request(source: MaterialisedImage, output: string, convertCase: ConvertCase): ConvertRequest {
  return {
    op: 'convert',
    input: source.path,
    inputFormat: source.format,
    output,
    outputFormat: convertCase.target.format,
    compress: convertCase.compress,
    options: convertCase.target.options,
  };
}

interface Observed {
  readonly divergence: Divergence | undefined;
  readonly inconclusive: string | undefined;
}

const clean: Observed = { divergence: undefined, inconclusive: undefined };
const diverged = (d: Divergence): Observed => ({ divergence: d, inconclusive: undefined });
const inconclusive = (reason: string): Observed => ({ divergence: undefined, inconclusive: reason });

/**
 * convert copies content: the output reads as the source's bytes followed by
 * zeros up to the output's virtual size, which the format may round up (vpc's
 * CHS geometry, 512-byte multiples). Nothing else is the model's business:
 * the reference's size is the truth the candidate must match.
 */
function modelDifference(sourceBytes: Buffer, output: Buffer): string | undefined {
  if (output.length < sourceBytes.length) {
    return `the output (${output.length} bytes) is shorter than the source (${sourceBytes.length} bytes)`;
  }
  const diff = compareContent(sourceBytes, output.subarray(0, sourceBytes.length));
  if (diff !== undefined) return describeContentDifference(diff, 'source', 'qemu-img');
  const tail = output.subarray(sourceBytes.length);
  const nonZero = tail.findIndex((b) => b !== 0);
  return nonZero < 0 ? undefined : `the output has a non-zero byte at offset ${sourceBytes.length + nonZero}, past the source's end`;
}

/** The compression oracle: qemu-img must keep its promise (the model), then the candidate must too. */
async function observeCompression(
  env: ConvertPropertyEnv,
  promise: CompressionPromise,
  data: SourceData,
  outputs: { reference: string; candidate: string },
): Promise<Observed> {
  const [reference, candidate] = await Promise.all([
    compressionEvidence(env.qemuImg, outputs.reference, promise, data, env.timeoutMs),
    compressionEvidence(env.qemuImg, outputs.candidate, promise, data, env.timeoutMs),
  ]);
  if (reference.kind === 'uninspectable') return inconclusive(`qemu-img cannot inspect its own output: ${readerFailureLine(reference.outcome)}`);
  if (reference.kind === 'not-compressed') {
    return diverged(divergence('model-mismatch', `qemu-img's own output breaks the compression model: ${reference.reason}`, '', reference.facts));
  }
  if (candidate.kind === 'uninspectable') {
    return diverged(
      divergence('output-unreadable', `qemu-img cannot inspect the candidate's compressed output: ${candidate.reason}`, describeReaderFailure(candidate.outcome)),
    );
  }
  if (candidate.kind === 'not-compressed') {
    return diverged(
      divergence(
        'compression',
        `compression dropped: ${candidate.reason}`,
        `reference: ${stringifyExactJson(reference.facts)}\ncandidate: ${stringifyExactJson(candidate.facts)}`,
        { promise, ...candidate.facts },
      ),
    );
  }
  return clean;
}

/** The oracles, in order: outcome, model (reference content), content, compression. */
async function observe(
  env: ConvertPropertyEnv,
  convertCase: ConvertCase,
  sourceBytes: Buffer,
  data: SourceData,
  outcomes: { reference: ProcessOutcome; candidate: ProcessOutcome },
  outputs: { reference: string; candidate: string },
  dir: string,
): Promise<Observed> {
  const verdict = compareOutcomes(outcomes.reference, outcomes.candidate);
  if (verdict.kind === 'inconclusive') return inconclusive(verdict.reason);
  const format: ImageFormat = convertCase.target.format;
  const referenceOk = succeeded(outcomes.reference);
  const candidateOk = succeeded(outcomes.candidate);
  const [referenceReading, candidateReading] = await Promise.all([
    referenceOk ? readImage(env.qemuImg, outputs.reference, format, dir, env.timeoutMs) : undefined,
    referenceOk && candidateOk ? readImage(env.qemuImg, outputs.candidate, format, dir, env.timeoutMs) : undefined,
  ]);
  if (referenceReading?.kind === 'unreadable') {
    return inconclusive(`qemu-img cannot read its own convert output: ${readerFailureLine(referenceReading.outcome)}`);
  }
  if (referenceReading !== undefined) {
    const modelDiff = modelDifference(sourceBytes, referenceReading.bytes);
    if (modelDiff !== undefined) return diverged(divergence('model-mismatch', "qemu-img's output is not the source's content", modelDiff));
  }
  if (verdict.kind === 'diverge') return diverged(verdict.divergence);
  if (referenceReading === undefined || candidateReading === undefined) return clean;
  if (candidateReading.kind === 'unreadable') {
    return diverged(
      divergence(
        'output-unreadable',
        `qemu-img cannot read the candidate's ${format} output (the reference's reads as ${referenceReading.bytes.length} bytes)`,
        describeReaderFailure(candidateReading.outcome),
        { referenceVirtualSize: referenceReading.bytes.length },
      ),
    );
  }
  const content = contentDivergence(referenceReading.bytes, candidateReading.bytes);
  if (content !== undefined) return diverged(content);
  const promise = compressionPromise(convertCase);
  return promise === undefined ? clean : observeCompression(env, promise, data, outputs);
}

function reproCompare(convertCase: ConvertCase, divergenceKind: Divergence['kind']): string[] {
  const format = convertCase.target.format;
  const lines = flattenAndCompareLines(`reference.${format}`, `candidate.${format}`, format);
  const promise = compressionPromise(convertCase);
  if (divergenceKind !== 'compression' || promise === undefined) return lines;
  return [...lines, ...compressionCompareLines(`candidate.${format}`, promise, shellQuote(`candidate.${format}`))];
}

/**
 * One convert case: both tools convert the same source with the same target
 * options; qemu-img's output must hold the source's content, the candidate's
 * must read exactly like qemu-img's (size and every byte), and a promised
 * compression must really be there. Throws a FindingError on a divergence.
 */
export async function checkConvertCase(env: ConvertPropertyEnv, convertCase: ConvertCase): Promise<void> {
  env.stats.runs++;
  const source = await env.images.get(convertCase.source);
  const sourceBytes = expectedContent(convertCase.source, source.virtualSize);
  const data = sourceData(sourceBytes);
  const inputClasses = convertInputClasses(convertCase, data);
  env.stats.classify(inputClasses);
  const format = convertCase.target.format;

  await withCaseDir(async (dir) => {
    const outputs = { reference: join(dir, `reference.${format}`), candidate: join(dir, `candidate.${format}`) };
    const [reference, candidate] = await runReferenceAndCandidate(
      env,
      request(source, outputs.reference, convertCase),
      request(source, outputs.candidate, convertCase),
    );
    let observed = await observe(env, convertCase, sourceBytes, data, { reference, candidate }, outputs, dir);
    const sourceChanged = fingerprintOf(source.path) !== source.fingerprint;
    if (sourceChanged) {
      env.images.evict(convertCase.source);
      if (observed.divergence === undefined) observed = diverged(divergence('input-modified', 'the source image changed during the case'));
    }
    if (observed.inconclusive !== undefined) {
      env.stats.inconclusive.push(`convert ${describeConversion(convertCase)} from ${describeLayout(convertCase.source.layout)}: ${observed.inconclusive}`);
      return;
    }
    const found = observed.divergence;
    if (found === undefined) return;

    const sourceName = `source.${source.format}`;
    const names = new Map([
      [source.path, sourceName],
      [outputs.reference, `reference.${format}`],
      [outputs.candidate, `candidate.${format}`],
      [dir, '.'],
    ]);
    const argsOf = (tool: Tool, out: string): string[] =>
      argvFor(tool, request({ ...source, path: sourceName }, out, convertCase)).slice(tool.command.length);
    const finding: Finding = {
      operation: 'convert',
      caseValue: convertCase as unknown as JsonValue,
      caseInWords: describeCase(convertCase, source),
      // Reader messages quote scratch paths too.
      divergence: { ...found, summary: renamePaths(found.summary, names), detail: renamePaths(found.detail, names) },
      reference: renameOutcome(reference, names),
      candidate: renameOutcome(candidate, names),
      inputClasses,
      repro: {
        inputs: [{ file: sourceName, steps: recipeFor(convertCase.source, sourceName) }],
        referenceArgs: argsOf(env.reference, `reference.${format}`),
        candidateArgs: argsOf(env.candidate, `candidate.${format}`),
        compare: reproCompare(convertCase, found.kind),
      },
    };
    throw new FindingError(finding);
  });
}
