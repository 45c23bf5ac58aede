import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { benchOffsetOf, type BenchOpCase } from '../arbitraries/bench-op-case.ts';
import type { CandidateTimePolicy } from '../drivers/candidate-time-limit.ts';
import { exitedWith, type ProcessOutcome } from '../drivers/process-outcome.ts';
import type { BenchRequest } from '../drivers/requests.ts';
import { runReferenceAndCandidate } from '../drivers/run-pair.ts';
import { argvFor, type Tool } from '../drivers/tool.ts';
import { describeSpec, type ImageFormat } from '../images/image-spec.ts';
import { expectedContent } from '../images/expected-content.ts';
import type { ImageCache, MaterialisedImage } from '../images/materialise.ts';
import { recipeFor } from '../images/recipe.ts';
import { benchModelProblem, contentAfterBenchWrite, firstOverrun, normaliseBenchOutput, type BenchSchedule, type WrapRule } from '../oracles/bench-op-model.ts';
import { contentDivergence } from '../oracles/content.ts';
import { checksClean, cleanlinessDivergence, runCheckJson } from '../oracles/create-check.ts';
import { divergence, type Divergence, type JsonValue, type Observation } from '../oracles/divergence.ts';
import { hasPartitionTable } from '../oracles/info-partition-table.ts';
import { compareOutcomes } from '../oracles/outcome.ts';
import { readImage } from '../oracles/read-image.ts';
import { readerFailureLine } from '../oracles/reader-failure.ts';
import type { RunStats } from '../oracles/run-stats.ts';
import { FindingError, renameDivergence, renameOutcome, type Finding } from '../reports/finding.ts';
import { flattenAndCompareLines } from '../reports/repro-script.ts';
import { referenceVersionOf } from '../config/reference-version.ts';
import { benchOpWhitelist, matchWhitelist, type BenchOpFacts } from '../whitelist.ts';
import { withCaseDir } from './case-workspace.ts';

export interface BenchOpPropertyEnv {
  readonly reference: Tool;
  readonly candidate: Tool;
  readonly timeoutMs: number;
  readonly candidateTime: CandidateTimePolicy;
  readonly images: ImageCache;
  readonly stats: RunStats;
}

/** Each tool's copy of the source, by the name repro.sh gives it too. */
const sideFile = (side: 'reference' | 'candidate', format: ImageFormat): string => `${side}.${format}`;

function request(file: string, format: ImageFormat, benchCase: BenchOpCase, offset: number): BenchRequest {
  const { count, depth, bufferSize, step, pattern, write, flush } = benchCase;
  return { op: 'bench', file, format, count, depth, bufferSize, step, pattern, offset, write, flushInterval: flush?.interval, drain: flush?.drain ?? true };
}

export function scheduleOf(benchCase: BenchOpCase, virtualSize: number): BenchSchedule {
  return { count: benchCase.count, bufferSize: benchCase.bufferSize, step: benchCase.step, offset: benchOffsetOf(benchCase, virtualSize) };
}

export function benchOpFactsOf(benchCase: BenchOpCase, virtualSize: number): BenchOpFacts {
  return {
    benchCase,
    format: benchCase.source.layout.format,
    virtualSize,
    schedule: scheduleOf(benchCase, virtualSize),
    hasPartitionTable: hasPartitionTable(expectedContent(benchCase.source, Math.min(512, virtualSize))),
  };
}

export function benchOpInputClasses(facts: BenchOpFacts): string[] {
  const { benchCase, schedule, virtualSize } = facts;
  const layout = benchCase.source.layout;
  const overrunsQemu = firstOverrun(schedule, virtualSize, 'whole-size') !== undefined;
  const overrunsMaster = firstOverrun(schedule, virtualSize, 'usable-range') !== undefined;
  const step = schedule.step === 0 ? schedule.bufferSize : schedule.step;
  return [
    `source=${facts.format}`,
    benchCase.write ? 'mode=write' : 'mode=read',
    ...(layout.format === 'qcow2' && layout.clusterSize < 65536 ? ['qcow2-small-cluster'] : []),
    ...(benchCase.flush !== null ? [benchCase.flush.drain ? 'flush' : 'flush-no-drain'] : []),
    ...(step < schedule.bufferSize ? ['requests-overlap'] : []),
    ...(schedule.offset + (schedule.count - 1) * step + schedule.bufferSize > virtualSize ? ['schedule-wraps'] : []),
    ...(overrunsQemu ? ['overruns-end'] : []),
    ...(overrunsQemu && !overrunsMaster ? ['wrap-rules-differ'] : []),
  ];
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

interface Sides {
  readonly qemuImg: string;
  readonly timeoutMs: number;
  readonly dir: string;
  readonly source: MaterialisedImage;
  readonly benchCase: BenchOpCase;
  readonly schedule: BenchSchedule;
}

/** The bytes a correct run leaves: the source untouched after reads, the pattern over every request after -w. */
function modelContent(sides: Sides, rule: WrapRule): Buffer {
  const { source, benchCase, schedule } = sides;
  return benchCase.write
    ? contentAfterBenchWrite(source.spec, source.virtualSize, schedule, benchCase.pattern, rule)
    : expectedContent(source.spec, source.virtualSize);
}


/** The printed lines, timing figures aside, line by line. */
function outputDivergence(reference: ProcessOutcome, candidate: ProcessOutcome): Divergence | undefined {
  const ref = normaliseBenchOutput(reference.stdout);
  const cand = normaliseBenchOutput(candidate.stdout);
  for (let i = 0; i < Math.max(ref.length, cand.length); i++) {
    if (ref[i] === cand[i]) continue;
    return divergence('output-text', `bench's printed line ${i + 1} differs (timings aside)`, `reference:\n${ref.join('\n')}\ncandidate:\n${cand.join('\n')}`, {
      line: i + 1,
      // Labelled by position: the signature takes the text before the first
      // colon, so a header whose figures change as a case shrinks keeps one signature.
      reference: ref[i] === undefined ? null : `line ${i + 1}: ${ref[i]}`,
      candidate: cand[i] === undefined ? null : `line ${i + 1}: ${cand[i]}`,
    });
  }
  return undefined;
}

/**
 * The candidate's image alone against the model under `rule`: readable,
 * every byte as the model says, a clean check. For the class where the
 * reference fails the run and the candidate, wrapping by QEMU master's
 * rule, completes it: "completed" must still mean "wrote the right bytes".
 */
async function candidateResultProblem(sides: Sides, path: string, rule: WrapRule): Promise<Divergence | undefined> {
  const { source, qemuImg, timeoutMs, dir } = sides;
  const reading = await readImage(qemuImg, path, source.format, dir, timeoutMs);
  if (reading.kind === 'unreadable') {
    return divergence('output-unreadable', `qemu-img cannot read the candidate's image after bench: ${readerFailureLine(reading.outcome)}`, '', { reader: 'qemu-img' });
  }
  const problem = benchModelProblem(modelContent(sides, rule), reading.bytes);
  if (problem !== undefined) return divergence('content', `the candidate's image after bench breaks the bench model (${rule} wrap)`, problem, {});
  const check = await runCheckJson(qemuImg, path, source.format, timeoutMs);
  // raw and vpc have no checks (63): nothing to be unclean about.
  return checksClean(check) || exitedWith(check, 63) ? undefined : divergence('metadata', `the candidate's image is not clean after bench: ${firstLine(check.stdout)}`, '', { document: 'check', fields: [{ field: 'clean' }] });
}

/** Both succeeded: printed lines, then qemu-img against the model, then content and check side by side. */
async function compareResults(sides: Sides, reference: ProcessOutcome, candidate: ProcessOutcome, referencePath: string, candidatePath: string): Promise<Divergence | undefined> {
  const { source, qemuImg, timeoutMs, dir, schedule } = sides;
  const output = outputDivergence(reference, candidate);
  if (output !== undefined) return output;
  const overrun = firstOverrun(schedule, source.virtualSize, 'whole-size');
  if (overrun !== undefined) return divergence('model-mismatch', `qemu-img completed a run the bench model says overruns the end (request at ${overrun} of ${schedule.bufferSize} bytes, virtual size ${source.virtualSize})`);
  const format = source.format;
  const ref = await readImage(qemuImg, referencePath, format, dir, timeoutMs);
  if (ref.kind === 'unreadable') return divergence('model-mismatch', `qemu-img cannot read its own image after bench: ${readerFailureLine(ref.outcome)}`);
  const modelProblem = benchModelProblem(modelContent(sides, 'whole-size'), ref.bytes);
  if (modelProblem !== undefined) return divergence('model-mismatch', "qemu-img's image after bench disagrees with the bench model", modelProblem);
  const cand = await readImage(qemuImg, candidatePath, format, dir, timeoutMs);
  if (cand.kind === 'unreadable') {
    return divergence('output-unreadable', `qemu-img cannot read the candidate's image after bench: ${readerFailureLine(cand.outcome)}`, '', { reader: 'qemu-img' });
  }
  const content = contentDivergence(ref.bytes, cand.bytes);
  if (content !== undefined) return content;
  if (!sides.benchCase.write) return undefined;
  return cleanlinessDivergence(qemuImg, referencePath, candidatePath, format, timeoutMs);
}

/**
 * One case of the bench OPERATION: each tool runs `bench` on its own
 * byte-identical copy of a source built from an image spec with data.
 * Timings are never compared. The exit status must agree; when both
 * succeed, every printed line but the timing figure must be the same,
 * qemu-img's image must meet the bench model (the source's bytes, with
 * the pattern over every request after -w; else 'model-mismatch', never
 * blamed on the candidate), the candidate's must read the same, and after
 * -w check at least as clean. Where qemu-img fails a run its wrap rule
 * overruns and the candidate completes it, the candidate's image is held
 * to the model under QEMU master's wrap rule before any whitelist entry
 * may accept it.
 */
export async function checkBenchOpCase(env: BenchOpPropertyEnv, benchCase: BenchOpCase): Promise<void> {
  env.stats.runs++;
  const source = await env.images.get(benchCase.source);
  const facts = benchOpFactsOf(benchCase, source.virtualSize);
  const inputClasses = benchOpInputClasses(facts);
  env.stats.classify(inputClasses);
  const offset = facts.schedule.offset;
  const qemuImg = env.reference.command[0] ?? 'qemu-img';

  const names = new Map<string, string>();
  const observation = await withCaseDir(async (dir): Promise<Observation | undefined> => {
    const referencePath = join(dir, sideFile('reference', source.format));
    const candidatePath = join(dir, sideFile('candidate', source.format));
    names.set(referencePath, sideFile('reference', source.format)).set(candidatePath, sideFile('candidate', source.format)).set(dir, '.');
    await Promise.all([copyFile(source.path, referencePath), copyFile(source.path, candidatePath)]);
    const [reference, candidate] = await runReferenceAndCandidate(
      env,
      request(referencePath, source.format, benchCase, offset),
      request(candidatePath, source.format, benchCase, offset),
    );
    const sides: Sides = { qemuImg, timeoutMs: env.timeoutMs, dir, source, benchCase, schedule: facts.schedule };
    const verdict = compareOutcomes(reference, candidate, { exactExitCodes: true });
    if (verdict.kind === 'inconclusive') {
      env.stats.inconclusive.push(`bench on ${describeSpec(benchCase.source)}: ${verdict.reason}`);
      return undefined;
    }
    if (verdict.kind === 'diverge') {
      const d = verdict.divergence;
      const detail = `reference stderr: ${firstLine(reference.stderr) || '(empty)'}\ncandidate stderr: ${firstLine(candidate.stderr) || '(empty)'}`;
      const data = { ...d.data, referenceMessage: firstLine(reference.stderr) };
      if (d.kind === 'exit-status' && exitedWith(candidate, 0)) {
        // Completed where qemu-img failed: the bytes must still be right under the candidate's wrap rule.
        const problem = await candidateResultProblem(sides, candidatePath, 'usable-range');
        if (problem !== undefined) return { divergence: { ...problem, summary: `${problem.summary} (the reference failed: ${firstLine(reference.stderr)})` }, reference, candidate };
        return { divergence: { ...d, detail, data: { ...data, candidateResultSound: true } }, reference, candidate };
      }
      // A refusal the whitelist may know must have left the candidate's copy as it was.
      const candidateUnchanged = exitedWith(reference, 0) ? (await readFile(candidatePath)).equals(await readFile(source.path)) : null;
      return { divergence: { ...d, detail, data: { ...data, candidateUnchanged } }, reference, candidate };
    }
    if (!verdict.bothSucceeded) return undefined;
    const found = await compareResults(sides, reference, candidate, referencePath, candidatePath);
    return found === undefined ? undefined : { divergence: found, reference, candidate };
  });

  const version = referenceVersionOf(env.reference);
  // A model mismatch is qemu-img's or the model's, never whitelisted.
  const accepted = matchWhitelist(benchOpWhitelist, facts, observation?.divergence.kind === 'model-mismatch' ? undefined : observation, env.stats, version);
  if (observation === undefined || accepted !== undefined) return;
  throw new FindingError(finding(env, benchCase, source, offset, inputClasses, observation, names));
}

/** The options as typed, for the report's one-line description. */
export function describeBenchOptions(benchCase: BenchOpCase, offset: number): string {
  const { count, depth, bufferSize, step, pattern, write, flush } = benchCase;
  return [
    `-c ${count} -d ${depth} -s ${bufferSize} -S ${step} --pattern ${pattern} -o ${offset}`,
    ...(write ? ['-w'] : []),
    ...(flush !== null ? [`--flush-interval ${flush.interval}`, ...(flush.drain ? [] : ['--no-drain'])] : []),
  ].join(' ');
}

function finding(
  env: BenchOpPropertyEnv,
  benchCase: BenchOpCase,
  source: MaterialisedImage,
  offset: number,
  inputClasses: string[],
  observation: Observation,
  names: ReadonlyMap<string, string>,
): Finding {
  const referenceName = sideFile('reference', source.format);
  const candidateName = sideFile('candidate', source.format);
  const found = observation.divergence;
  return {
    operation: 'bench',
    caseValue: benchCase as unknown as JsonValue,
    caseInWords: `\`bench ${describeBenchOptions(benchCase, offset)}\` on a copy of a source image: ${describeSpec(benchCase.source)} (virtual size ${source.virtualSize}).`,
    divergence: renameDivergence(found, names),
    reference: renameOutcome(observation.reference, names),
    candidate: renameOutcome(observation.candidate, names),
    inputClasses,
    repro: {
      // Each tool gets its own copy, built by the same recipe.
      inputs: [
        { file: referenceName, steps: recipeFor(benchCase.source, referenceName) },
        { file: candidateName, steps: recipeFor(benchCase.source, candidateName) },
      ],
      referenceArgs: argvFor(env.reference, request(referenceName, source.format, benchCase, offset)).slice(env.reference.command.length),
      candidateArgs: argvFor(env.candidate, request(candidateName, source.format, benchCase, offset)).slice(env.candidate.command.length),
      compare: [
        // The printed lines, timing figures aside, then the content.
        "sed -E 's/^Run completed in [0-9.]+ seconds\\.$/Run completed in N seconds./' reference.stdout >reference.lines",
        "sed -E 's/^Run completed in [0-9.]+ seconds\\.$/Run completed in N seconds./' candidate.stdout >candidate.lines",
        'if [ "$reference_rc" -eq 0 ] && [ "$candidate_rc" -eq 0 ] && ! diff reference.lines candidate.lines; then echo "printed lines differ"; diverged=1; fi',
        ...flattenAndCompareLines(referenceName, candidateName, source.format),
      ],
    },
  };
}
