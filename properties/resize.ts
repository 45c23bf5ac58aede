import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FORMATS_QEMU_CANNOT_RESIZE, newSizeOf, sizeArgumentOf, type ResizeCase } from '../arbitraries/resize-case.ts';
import type { CandidateTimePolicy } from '../drivers/candidate-time-limit.ts';
import { describeTermination, exitedWith, type ProcessOutcome } from '../drivers/process-outcome.ts';
import type { ResizeRequest } from '../drivers/requests.ts';
import { runReferenceAndCandidate } from '../drivers/run-pair.ts';
import { runProcess } from '../drivers/run-process.ts';
import { argvFor, type Tool } from '../drivers/tool.ts';
import { describeSpec, type ImageFormat } from '../images/image-spec.ts';
import type { ImageCache, MaterialisedImage } from '../images/materialise.ts';
import { recipeFor } from '../images/recipe.ts';
import { contentDivergence } from '../oracles/content.ts';
import { cleanlinessDivergence, runCheckJson } from '../oracles/create-check.ts';
import { divergence, type Divergence, type JsonValue, type Observation } from '../oracles/divergence.ts';
import { parseExactJson } from '../oracles/exact-json.ts';
import { compareCreateInfo, normaliseCreateInfo } from '../oracles/info-json.ts';
import { compareOutcomes } from '../oracles/outcome.ts';
import { readImage } from '../oracles/read-image.ts';
import { readerFailureLine } from '../oracles/reader-failure.ts';
import { resizeModelProblem } from '../oracles/resize-model.ts';
import type { RunStats } from '../oracles/run-stats.ts';
import { FindingError, renameDivergence, renameOutcome, type Finding } from '../reports/finding.ts';
import { flattenAndCompareLines } from '../reports/repro-script.ts';
import { referenceVersionOf } from '../config/reference-version.ts';
import { matchWhitelist, resizeWhitelist, type ResizeFacts } from '../whitelist.ts';
import { withCaseDir } from './case-workspace.ts';

export interface ResizePropertyEnv {
  readonly reference: Tool;
  readonly candidate: Tool;
  readonly timeoutMs: number;
  readonly candidateTime: CandidateTimePolicy;
  readonly images: ImageCache;
  readonly stats: RunStats;
}

/** Each tool's copy of the source, by the name repro.sh gives it too. */
const sideFile = (side: 'reference' | 'candidate', format: ImageFormat): string => `${side}.${format}`;

function request(file: string, format: ImageFormat, resizeCase: ResizeCase, size: string): ResizeRequest {
  const { shrink, preallocation } = resizeCase;
  return { op: 'resize', file, format, shrink, preallocation: preallocation === 'omitted' ? undefined : preallocation, size };
}

export function resizeFactsOf(resizeCase: ResizeCase, virtualSize: number): ResizeFacts {
  return { resizeCase, format: resizeCase.source.layout.format, virtualSize, newSize: newSizeOf(resizeCase.target, virtualSize) };
}

export function resizeInputClasses(facts: ResizeFacts): string[] {
  const { newSize, virtualSize } = facts;
  const change = newSize > virtualSize ? 'grow' : newSize < virtualSize ? 'shrink' : 'no-op';
  const dataCut = facts.resizeCase.source.extents.some((e) => e.fill !== 0 && e.offset + e.length > newSize);
  return [
    `source=${facts.format}`,
    `change=${change}`,
    `preallocation=${facts.resizeCase.preallocation}`,
    ...(newSize % 512 !== 0 ? ['new-size-unaligned'] : []),
    ...(dataCut ? ['shrink-cuts-data'] : []),
  ];
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

async function infoJson(qemuImg: string, path: string, format: ImageFormat, timeoutMs: number): Promise<{ json: JsonValue } | { failed: ProcessOutcome }> {
  const outcome = await runProcess([qemuImg, 'info', '-f', format, '--output=json', path], { timeoutMs });
  if (!exitedWith(outcome, 0)) return { failed: outcome };
  try {
    return { json: parseExactJson(outcome.stdout) as JsonValue };
  } catch {
    return { failed: outcome };
  }
}


interface Sides {
  readonly qemuImg: string;
  readonly timeoutMs: number;
  readonly dir: string;
  readonly source: MaterialisedImage;
  readonly newSize: number;
}

/** qemu-img check's verdict on an image alone: undefined when clean (0) or the format has no checks (63). */
function uncleanCheck(outcome: ProcessOutcome): string | undefined {
  if (exitedWith(outcome, 0) || exitedWith(outcome, 63)) return undefined;
  return `qemu-img check: ${describeTermination(outcome.termination)} ${firstLine(outcome.stdout)} ${firstLine(outcome.stderr)}`.trim();
}

/**
 * The candidate's image alone against the model: readable, the new size,
 * the old data below it and zeros past it, a clean check. For the class
 * where the reference refuses and the candidate succeeds, so "accepted
 * where qemu-img refuses" still means "resized correctly".
 */
async function candidateResultProblem(sides: Sides, path: string): Promise<Divergence | undefined> {
  const { source, qemuImg, timeoutMs, dir, newSize } = sides;
  const reading = await readImage(qemuImg, path, source.format, dir, timeoutMs);
  if (reading.kind === 'unreadable') {
    return divergence('output-unreadable', `qemu-img cannot read the candidate's resized image: ${readerFailureLine(reading.outcome)}`, '', { reader: 'qemu-img' });
  }
  const problem = resizeModelProblem(source.spec, source.format, source.virtualSize, newSize, reading.bytes);
  if (problem !== undefined) {
    const sizeWrong = problem.startsWith('reads back');
    return divergence(sizeWrong ? 'virtual-size' : 'content', `the candidate's resized image ${sizeWrong ? problem : 'breaks the content model'}`, problem, {});
  }
  const check = uncleanCheck(await runCheckJson(qemuImg, path, source.format, timeoutMs));
  return check === undefined ? undefined : divergence('metadata', `the candidate's resized image is not clean: ${check}`, '', { document: 'check', fields: [{ field: 'clean' }] });
}

/** Both succeeded: the reference against the model, then content, info and check side by side. */
async function compareResults(sides: Sides, referencePath: string, candidatePath: string): Promise<Divergence | undefined> {
  const { source, qemuImg, timeoutMs, dir, newSize } = sides;
  const format = source.format;
  const ref = await readImage(qemuImg, referencePath, format, dir, timeoutMs);
  if (ref.kind === 'unreadable') return divergence('model-mismatch', `qemu-img cannot read its own resized image: ${readerFailureLine(ref.outcome)}`);
  const modelProblem = resizeModelProblem(source.spec, format, source.virtualSize, newSize, ref.bytes);
  if (modelProblem !== undefined) return divergence('model-mismatch', `qemu-img's resized image disagrees with the resize model`, modelProblem);
  const cand = await readImage(qemuImg, candidatePath, format, dir, timeoutMs);
  if (cand.kind === 'unreadable') {
    return divergence('output-unreadable', `qemu-img cannot read the candidate's resized image: ${readerFailureLine(cand.outcome)}`, '', { reader: 'qemu-img' });
  }
  const content = contentDivergence(ref.bytes, cand.bytes);
  if (content !== undefined) return content;

  const [refInfo, candInfo] = await Promise.all([infoJson(qemuImg, referencePath, format, timeoutMs), infoJson(qemuImg, candidatePath, format, timeoutMs)]);
  if ('failed' in refInfo) return divergence('model-mismatch', `qemu-img info fails on qemu-img's own resized image: ${firstLine(refInfo.failed.stderr)}`);
  if ('failed' in candInfo) {
    return divergence('metadata', `qemu-img info fails on the candidate's resized image: ${firstLine(candInfo.failed.stderr)}`, '', { document: 'info', fields: [{ field: 'readable' }] });
  }
  const normalise = (json: JsonValue, file: string): JsonValue => normaliseCreateInfo(json, { file, target: format, askedLogSize: false });
  const info = compareCreateInfo(normalise(refInfo.json, referencePath), normalise(candInfo.json, candidatePath));
  if (info.differences.length > 0) {
    return divergence('metadata', `normalised qemu-img info differs at ${info.differences.map((d) => d.path).join(', ')}`, info.diffText, {
      document: 'info',
      differences: info.differences.map((d) => ({ path: d.path })),
    });
  }
  return cleanlinessDivergence(qemuImg, referencePath, candidatePath, format, timeoutMs);
}

/**
 * One resize case: each tool resizes its own byte-identical copy of a
 * source built from an image spec with data. Exit statuses must agree;
 * when both succeed, qemu-img's image must match the resize model (else
 * the model or qemu-img is wrong, reported as 'model-mismatch', never
 * blamed on the candidate), and the candidate's must read the same
 * (virtual size and every byte), give the same normalised info
 * (format-specific kept) and check at least as clean. On a format qemu-img
 * cannot resize (vmdk, vpc, vhdx), where the candidate succeeds, its image
 * is checked against the model on its own before any whitelist entry may
 * accept it; a wrong image is filed as what is wrong with it.
 */
export async function checkResizeCase(env: ResizePropertyEnv, resizeCase: ResizeCase): Promise<void> {
  env.stats.runs++;
  const source = await env.images.get(resizeCase.source);
  const facts = resizeFactsOf(resizeCase, source.virtualSize);
  const inputClasses = resizeInputClasses(facts);
  env.stats.classify(inputClasses);
  const size = sizeArgumentOf(resizeCase.target, source.virtualSize);
  const qemuImg = env.reference.command[0] ?? 'qemu-img';

  const names = new Map<string, string>();
  const observation = await withCaseDir(async (dir): Promise<Observation | undefined> => {
    const referencePath = join(dir, sideFile('reference', source.format));
    const candidatePath = join(dir, sideFile('candidate', source.format));
    names.set(referencePath, sideFile('reference', source.format)).set(candidatePath, sideFile('candidate', source.format)).set(dir, '.');
    await Promise.all([copyFile(source.path, referencePath), copyFile(source.path, candidatePath)]);
    const [reference, candidate] = await runReferenceAndCandidate(
      env,
      request(referencePath, source.format, resizeCase, size),
      request(candidatePath, source.format, resizeCase, size),
    );
    const sides: Sides = { qemuImg, timeoutMs: env.timeoutMs, dir, source, newSize: facts.newSize };
    const verdict = compareOutcomes(reference, candidate);
    if (verdict.kind === 'inconclusive') {
      env.stats.inconclusive.push(`resize on ${describeSpec(resizeCase.source)}: ${verdict.reason}`);
      return undefined;
    }
    if (verdict.kind === 'diverge') {
      const d = verdict.divergence;
      const detail = `reference stderr: ${firstLine(reference.stderr) || '(empty)'}\ncandidate stderr: ${firstLine(candidate.stderr) || '(empty)'}`;
      if (d.kind === 'exit-status' && exitedWith(candidate, 0) && FORMATS_QEMU_CANNOT_RESIZE.includes(source.format)) {
        // Accepted where qemu-img cannot resize at all: the result must still be right.
        const problem = await candidateResultProblem(sides, candidatePath);
        if (problem !== undefined) {
          return { divergence: { ...problem, summary: `${problem.summary} (the reference refused: ${firstLine(reference.stderr)})` }, reference, candidate };
        }
        return { divergence: { ...d, detail, data: { ...d.data, referenceMessage: firstLine(reference.stderr), candidateResultSound: true } }, reference, candidate };
      }
      // A refusal the whitelist may know must have left the candidate's copy as it was.
      const candidateUnchanged = exitedWith(reference, 0) ? (await readFile(candidatePath)).equals(await readFile(source.path)) : null;
      return { divergence: { ...d, detail, data: { ...d.data, referenceMessage: firstLine(reference.stderr), candidateUnchanged } }, reference, candidate };
    }
    if (!verdict.bothSucceeded) return undefined;
    const found = await compareResults(sides, referencePath, candidatePath);
    return found === undefined ? undefined : { divergence: found, reference, candidate };
  });

  const version = referenceVersionOf(env.reference);
  // A model mismatch is qemu-img's or the model's, never whitelisted.
  const accepted = matchWhitelist(resizeWhitelist, facts, observation?.divergence.kind === 'model-mismatch' ? undefined : observation, env.stats, version);
  if (observation === undefined || accepted !== undefined) return;
  throw new FindingError(finding(env, resizeCase, source, size, inputClasses, observation, names));
}

function describeRequest(resizeCase: ResizeCase, size: string): string {
  return [
    ...(resizeCase.shrink ? ['--shrink'] : []),
    ...(resizeCase.preallocation !== 'omitted' ? [`--preallocation ${resizeCase.preallocation}`] : []),
    size,
  ].join(' ');
}

function finding(
  env: ResizePropertyEnv,
  resizeCase: ResizeCase,
  source: MaterialisedImage,
  size: string,
  inputClasses: string[],
  observation: Observation,
  names: ReadonlyMap<string, string>,
): Finding {
  const referenceName = sideFile('reference', source.format);
  const candidateName = sideFile('candidate', source.format);
  const found = observation.divergence;
  return {
    operation: 'resize',
    caseValue: resizeCase as unknown as JsonValue,
    caseInWords: `\`resize ${describeRequest(resizeCase, size)}\` (from ${source.virtualSize} to ${newSizeOf(resizeCase.target, source.virtualSize)} bytes) on a copy of a source image: ${describeSpec(resizeCase.source)} (virtual size ${source.virtualSize}).`,
    divergence: renameDivergence(found, names),
    reference: renameOutcome(observation.reference, names),
    candidate: renameOutcome(observation.candidate, names),
    inputClasses,
    repro: {
      // Each tool gets its own copy, built by the same recipe.
      inputs: [
        { file: referenceName, steps: recipeFor(resizeCase.source, referenceName) },
        { file: candidateName, steps: recipeFor(resizeCase.source, candidateName) },
      ],
      referenceArgs: argvFor(env.reference, request(referenceName, source.format, resizeCase, size)).slice(env.reference.command.length),
      candidateArgs: argvFor(env.candidate, request(candidateName, source.format, resizeCase, size)).slice(env.candidate.command.length),
      compare: flattenAndCompareLines(referenceName, candidateName, source.format),
    },
  };
}
