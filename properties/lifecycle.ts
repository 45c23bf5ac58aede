import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LifecycleCase, LifecycleStep } from '../arbitraries/lifecycle-case.ts';
import { referenceVersionOf } from '../config/reference-version.ts';
import type { CandidateTimePolicy } from '../drivers/candidate-time-limit.ts';
import { exitedWith, type ProcessOutcome } from '../drivers/process-outcome.ts';
import type { Operation } from '../drivers/requests.ts';
import { runReferenceAndCandidate } from '../drivers/run-pair.ts';
import { runProcess } from '../drivers/run-process.ts';
import { argvFor, type Tool } from '../drivers/tool.ts';
import { describeSpec } from '../images/image-spec.ts';
import type { ImageCache } from '../images/materialise.ts';
import { recipeFor } from '../images/recipe.ts';
import { contentDivergence, compareContent, describeContentDifference } from '../oracles/content.ts';
import { cleanlinessDivergence } from '../oracles/create-check.ts';
import { divergence, type Divergence, type JsonValue, type Observation } from '../oracles/divergence.ts';
import { compareCreateInfo, normaliseCreateInfo } from '../oracles/info-json.ts';
import { initialModel, planStep, resolveTarget, type LifecycleModel, type PlannedStep } from '../oracles/lifecycle-model.ts';
import { infoState, modelState, stateDisagreement, withoutSnapshotDates } from '../oracles/lifecycle-state.ts';
import { compareOutcomes } from '../oracles/outcome.ts';
import { readImage } from '../oracles/read-image.ts';
import { readBitmapBits } from '../oracles/bitmap-bits.ts';
import { describeRanges } from '../oracles/dirty-ranges.ts';
import { readerFailureLine } from '../oracles/reader-failure.ts';
import type { RunStats } from '../oracles/run-stats.ts';
import { firstDifferentLine, normaliseSnapshotList } from '../oracles/snapshot-list.ts';
import { FindingError, renameDivergence, renameOutcome, type Finding, type ReproCommand } from '../reports/finding.ts';
import { lociOf } from '../reports/signature.ts';
import { lifecycleWhitelist, matchWhitelist, type LifecycleFacts } from '../whitelist.ts';
import { withCaseDir } from './case-workspace.ts';
import { isFailedReading, readInfoJson } from '../oracles/info-json-reading.ts';
import { lifecycleCompareLines } from './lifecycle-repro.ts';
import { blamedOperation, numberedLabels, runSequence, type SequenceOutcome, type StepFailure, type StepRecord, type StepVerdict } from './sequence-run.ts';

export interface LifecyclePropertyEnv {
  readonly reference: Tool;
  readonly candidate: Tool;
  readonly qemuIo: string;
  /** For reading bitmaps' bits (oracles/bitmap-bits.ts); undefined: bits are not compared (the run says so). */
  readonly qemuNbd: string | undefined;
  readonly timeoutMs: number;
  readonly candidateTime: CandidateTimePolicy;
  readonly images: ImageCache;
  readonly stats: RunStats;
}

/** Each side's copy, by the name repro.sh gives it too. */
const REFERENCE_FILE = 'reference.qcow2';
const CANDIDATE_FILE = 'candidate.qcow2';

/** The signature's step: the command without its arguments, e.g. "snapshot -c", "qemu-io write". */
export function stepKind(step: LifecycleStep): string {
  switch (step.do) {
    case 'write':
    case 'write-zeroes':
    case 'discard':
      return `qemu-io ${step.do === 'write-zeroes' ? 'write -z' : step.do}`;
    case 'snapshot-create':
      return 'snapshot -c';
    case 'snapshot-delete':
      return 'snapshot -d';
    case 'snapshot-apply':
      return 'snapshot -a';
    case 'snapshot-list':
      return 'snapshot -l';
    case 'resize':
      return 'resize';
    case 'amend':
      return 'amend';
    default:
      return `bitmap --${step.do.slice('bitmap-'.length)}`;
  }
}

const NAME_CLASSES: ReadonlyArray<readonly [string, (name: string) => boolean]> = [
  ['multibyte', (n) => Buffer.byteLength(n) !== n.length],
  ['digits', (n) => /^\d+$/.test(n)],
  ['spaces', (n) => n.includes(' ')],
  ['255-bytes', (n) => Buffer.byteLength(n) === 255],
];

/** Whether some step of kind `first` comes before some step of kind `then`. */
function followedBy(steps: readonly LifecycleStep[], first: (s: LifecycleStep) => boolean, then: (s: LifecycleStep) => boolean): boolean {
  const at = steps.findIndex(first);
  return at >= 0 && steps.slice(at + 1).some(then);
}

/** Input classes for the coverage tally: the base, the commands, and the orders in which bugs live. */
export function lifecycleInputClasses(lifecycleCase: LifecycleCase): string[] {
  const { base, steps } = lifecycleCase;
  const is = (kind: LifecycleStep['do']) => (s: LifecycleStep): boolean => s.do === kind;
  const isWrite = (s: LifecycleStep): boolean => s.do === 'write' || s.do === 'write-zeroes' || s.do === 'discard';
  const enabledBitmap = (s: LifecycleStep): boolean => s.do === 'bitmap-add' && !s.disabled;
  const names = steps.flatMap((s) => (s.do === 'snapshot-create' ? [s.name] : []));
  return [
    `cluster=${base.layout.format === 'qcow2' ? base.layout.clusterSize : 'n/a'}`,
    `steps=${steps.length}`,
    ...new Set(steps.map((s) => `step=${stepKind(s)}`)),
    ...(base.extents.length > 0 ? ['base-has-data'] : []),
    ...NAME_CLASSES.filter(([, test]) => names.some(test)).map(([name]) => `name=${name}`),
    ...(followedBy(steps, is('snapshot-create'), is('snapshot-apply')) ? ['order=create-then-apply'] : []),
    ...(followedBy(steps, is('snapshot-create'), is('snapshot-delete')) ? ['order=create-then-delete'] : []),
    ...(followedBy(steps, is('snapshot-create'), is('snapshot-list')) ? ['order=create-then-list'] : []),
    ...(followedBy(steps, is('snapshot-create'), isWrite) ? ['order=write-after-snapshot'] : []),
    ...(followedBy(steps, enabledBitmap, isWrite) ? ['order=write-after-enabled-bitmap'] : []),
    ...(followedBy(steps, is('resize'), is('snapshot-apply')) ? ['order=resize-then-apply'] : []),
  ];
}

interface Sides {
  readonly dir: string;
  readonly referencePath: string;
  readonly candidatePath: string;
}

async function runStep(env: LifecyclePropertyEnv, sides: Sides, planned: PlannedStep): Promise<[ProcessOutcome, ProcessOutcome]> {
  const { command } = planned;
  if (command.via === 'qemu-io') {
    const io = (path: string): Promise<ProcessOutcome> => runProcess([env.qemuIo, '-f', 'qcow2', '-c', command.command, path], { timeoutMs: env.timeoutMs });
    return Promise.all([io(sides.referencePath), io(sides.candidatePath)]);
  }
  return runReferenceAndCandidate(env, command.request(sides.referencePath), command.request(sides.candidatePath));
}


async function sameBytes(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([readFile(a), readFile(b)]);
  return x.equals(y);
}

/**
 * The state after a step, both sides against the model and against each
 * other: content (flattened by qemu-img), normalised info (snapshots and
 * bitmaps included, dates dropped) and a clean check. qemu-img against the
 * model comes first: a disagreement there is the model's or qemu-img's
 * ('model-mismatch'), never blamed on the candidate.
 */
async function stateDivergence(env: LifecyclePropertyEnv, sides: Sides, model: LifecycleModel): Promise<Divergence | undefined> {
  const qemuImg = env.reference.command[0] ?? 'qemu-img';
  const { dir, referencePath, candidatePath } = sides;
  // Byte-identical copies read the same: then only qemu-img against the model is left to see.
  const identical = await sameBytes(referencePath, candidatePath);
  const [ref, cand] = await Promise.all([
    readImage(qemuImg, referencePath, 'qcow2', dir, env.timeoutMs),
    identical ? undefined : readImage(qemuImg, candidatePath, 'qcow2', dir, env.timeoutMs),
  ]);
  if (ref.kind === 'unreadable') return divergence('model-mismatch', `qemu-img cannot read its own image: ${readerFailureLine(ref.outcome)}`);
  const modelContent = compareContent(model.content, ref.bytes);
  if (modelContent !== undefined) {
    return divergence('model-mismatch', "qemu-img's image disagrees with the life-cycle model's content", describeContentDifference(modelContent, 'the model', 'qemu-img'));
  }
  if (cand?.kind === 'unreadable') {
    return divergence('output-unreadable', `qemu-img cannot read the candidate's image: ${readerFailureLine(cand.outcome)}`, '', { reader: 'qemu-img' });
  }
  const content = cand === undefined ? undefined : contentDivergence(ref.bytes, cand.bytes);
  if (content !== undefined) return content;

  const [refInfo, candInfo] = await Promise.all([readInfoJson(qemuImg, referencePath, 'qcow2', env.timeoutMs), identical ? undefined : readInfoJson(qemuImg, candidatePath, 'qcow2', env.timeoutMs)]);
  if (isFailedReading(refInfo)) return divergence('model-mismatch', `qemu-img info fails on qemu-img's own image: ${readerFailureLine(refInfo)}`);
  const modelProblem = stateDisagreement(modelState(model), infoState(refInfo));
  if (modelProblem !== undefined) return divergence('model-mismatch', "qemu-img info disagrees with the life-cycle model", modelProblem);
  if (candInfo === undefined) return undefined;
  if (isFailedReading(candInfo)) {
    return divergence('metadata', `qemu-img info fails on the candidate's image: ${readerFailureLine(candInfo)}`, '', { document: 'info', fields: [{ field: 'readable' }] });
  }
  const normalise = (json: JsonValue, file: string): JsonValue => withoutSnapshotDates(normaliseCreateInfo(json, { file, target: 'qcow2', askedLogSize: false }));
  const info = compareCreateInfo(normalise(refInfo, referencePath), normalise(candInfo, candidatePath));
  if (info.differences.length > 0) {
    return divergence('metadata', `normalised qemu-img info differs at ${info.differences.map((d) => d.path).join(', ')}`, info.diffText, {
      document: 'info',
      differences: info.differences.map((d) => ({ path: d.path })),
    });
  }
  return cleanlinessDivergence(qemuImg, referencePath, candidatePath, 'qcow2', env.timeoutMs);
}

/**
 * Every bitmap's bits, qemu-img's against the model first, then the
 * candidate's against qemu-img's (skipped for byte-identical copies).
 */
async function bitsDivergence(env: LifecyclePropertyEnv, sides: Sides, model: LifecycleModel): Promise<Divergence | undefined> {
  if (env.qemuNbd === undefined) return undefined;
  const tools = { qemuImg: env.reference.command[0] ?? 'qemu-img', qemuNbd: env.qemuNbd };
  const identical = await sameBytes(sides.referencePath, sides.candidatePath);
  for (const bitmap of model.bitmaps) {
    const ref = await readBitmapBits(tools, sides.referencePath, bitmap.name, sides.dir, env.timeoutMs);
    if (ref.kind === 'failed') return divergence('model-mismatch', `${ref.why} on qemu-img's image: ${readerFailureLine(ref.outcome)}`);
    if (describeRanges(ref.dirty) !== describeRanges(bitmap.dirty)) {
      return divergence('model-mismatch', `bitmap ${bitmap.name}'s bits disagree with the life-cycle model`, `model: ${describeRanges(bitmap.dirty)}\nqemu-img: ${describeRanges(ref.dirty)}`);
    }
    if (identical) continue;
    const cand = await readBitmapBits(tools, sides.candidatePath, bitmap.name, sides.dir, env.timeoutMs);
    const fields = [{ field: 'dirty ranges' }];
    if (cand.kind === 'failed') return divergence('metadata', `${cand.why} on the candidate's image: ${readerFailureLine(cand.outcome)}`, '', { document: 'bitmap bits', fields });
    if (describeRanges(cand.dirty) !== describeRanges(ref.dirty)) {
      return divergence('metadata', `bitmap ${bitmap.name}'s bits differ`, `reference: ${describeRanges(ref.dirty)}\ncandidate: ${describeRanges(cand.dirty)}`, {
        document: 'bitmap bits',
        fields,
        bitmap: bitmap.name,
      });
    }
  }
  return undefined;
}

const firstLine = (text: string): string => text.trim().split('\n')[0] ?? '';


/**
 * One step on both copies: the exit statuses (and the model's prediction
 * for qemu-img's), `-l`'s table, then the state. A documented refusal the
 * whitelist accepts rolls both copies back; the sequence goes on from there.
 */
async function checkStep(
  env: LifecyclePropertyEnv,
  sides: Sides,
  model: LifecycleModel,
  step: LifecycleStep,
  planned: PlannedStep,
): Promise<StepVerdict<LifecycleModel>> {
  const backup = { reference: `${sides.referencePath}.before`, candidate: `${sides.candidatePath}.before` };
  if (!planned.readOnly) await Promise.all([copyFile(sides.referencePath, backup.reference), copyFile(sides.candidatePath, backup.candidate)]);
  const [reference, candidate] = await runStep(env, sides, planned);
  const observed = (d: Divergence): { kind: 'diverged'; observation: Observation } => ({ kind: 'diverged', observation: { divergence: d, reference, candidate } });

  const verdict = compareOutcomes(reference, candidate);
  if (verdict.kind === 'inconclusive') {
    env.stats.inconclusive.push(`life cycle, ${planned.label}: ${verdict.reason}`);
    return { kind: 'stop' };
  }
  const referenceSucceeded = exitedWith(reference, 0);
  if (referenceSucceeded !== planned.expect.succeeds) {
    return observed(
      divergence(
        'model-mismatch',
        `the life-cycle model says qemu-img ${planned.expect.succeeds ? 'succeeds' : 'fails'} at \`${planned.label}\`; it ${referenceSucceeded ? 'succeeded' : 'failed'}`,
        `qemu-img stderr: ${firstLine(reference.stderr) || '(empty)'}`,
      ),
    );
  }
  const facts: LifecycleFacts = { step, before: model, argument: 'target' in step ? resolveTarget(step.target, model.snapshots) : undefined };
  if (verdict.kind === 'diverge') {
    const d = verdict.divergence;
    if (planned.command.via === 'qemu-io') {
      // The same qemu-io on both copies: only the candidate's image can make it fail.
      return observed(divergence('output-unreadable', `qemu-io \`${planned.command.command}\` fails on the candidate's image and not on qemu-img's`, firstLine(candidate.stderr), { reader: 'qemu-io' }));
    }
    const candidateUnchanged = planned.readOnly ? true : await sameBytes(sides.candidatePath, backup.candidate);
    const detail = `reference stderr: ${firstLine(reference.stderr) || '(empty)'}\ncandidate stderr: ${firstLine(candidate.stderr) || '(empty)'}`;
    const observation: Observation = { divergence: { ...d, detail, data: { ...d.data, referenceMessage: firstLine(reference.stderr), candidateUnchanged } }, reference, candidate };
    const accepted = matchWhitelist(lifecycleWhitelist, facts, observation, env.stats, referenceVersionOf(env.reference));
    if (accepted === undefined) return { kind: 'diverged', observation };
    await Promise.all([copyFile(backup.reference, sides.referencePath), copyFile(backup.candidate, sides.candidatePath)]);
    return { kind: 'next', model, rolledBack: accepted.id };
  }
  // Known refusals need an eligible tally even when no divergence shows.
  matchWhitelist(lifecycleWhitelist, facts, undefined, env.stats, referenceVersionOf(env.reference));

  if (step.do === 'snapshot-list' && referenceSucceeded) {
    const differs = firstDifferentLine(normaliseSnapshotList(reference.stdout), normaliseSnapshotList(candidate.stdout));
    if (differs !== undefined) {
      return observed(
        divergence('output-text', `\`snapshot -l\` differs at line ${differs.line} (dates normalised)`, `reference: ${JSON.stringify(differs.reference)}\ncandidate: ${JSON.stringify(differs.candidate)}`, {
          document: 'snapshot -l',
          fields: [{ field: differs.line <= 2 ? 'header' : 'row' }],
        }),
      );
    }
  }
  if (planned.readOnly) return { kind: 'next', model };
  if (!referenceSucceeded) {
    // Both refused. qemu-img may still rewrite its header (a failed bitmap
    // merge does): then the states are compared; a candidate that alone
    // changed its image on a refusal is a finding.
    const [candidateSame, referenceSame] = await Promise.all([sameBytes(sides.candidatePath, backup.candidate), sameBytes(sides.referencePath, backup.reference)]);
    if (candidateSame) return { kind: 'next', model };
    if (referenceSame) return observed(divergence('input-modified', `both refused \`${planned.label}\`, but the candidate changed its image`));
    const state = await stateDivergence(env, sides, model);
    return state === undefined ? { kind: 'next', model } : observed(state);
  }
  const next = planned.expect.succeeds ? planned.expect.model : model;
  const state = (await stateDivergence(env, sides, next)) ?? (planned.bitsMayChange ? await bitsDivergence(env, sides, next) : undefined);
  return state === undefined ? { kind: 'next', model: next } : observed(state);
}

/**
 * One life-cycle case: a qcow2 with data, copied byte for byte to each
 * side, then every step applied to both copies (qemu-io writes alike; the
 * tool's commands to the reference and the candidate). After each step the
 * exit statuses must agree, qemu-img must meet the model (content, each
 * snapshot's id, name and content, bitmaps, size), and the candidate's copy
 * must read the same, give the same normalised info and check as clean.
 */
export async function checkLifecycleCase(env: LifecyclePropertyEnv, lifecycleCase: LifecycleCase): Promise<void> {
  env.stats.runs++;
  const inputClasses = lifecycleInputClasses(lifecycleCase);
  env.stats.classify(inputClasses);
  const source = await env.images.get(lifecycleCase.base);

  const names = new Map<string, string>();
  const { records, failure } = await withCaseDir(async (dir): Promise<SequenceOutcome<PlannedStep>> => {
    const sides: Sides = { dir, referencePath: join(dir, REFERENCE_FILE), candidatePath: join(dir, CANDIDATE_FILE) };
    names.set(`${sides.referencePath}.before`, REFERENCE_FILE).set(`${sides.candidatePath}.before`, CANDIDATE_FILE);
    names.set(sides.referencePath, REFERENCE_FILE).set(sides.candidatePath, CANDIDATE_FILE).set(dir, '.');
    await Promise.all([copyFile(source.path, sides.referencePath), copyFile(source.path, sides.candidatePath)]);
    return runSequence(lifecycleCase.steps, initialModel(lifecycleCase.base), planStep, (model, step, planned) => checkStep(env, sides, model, step, planned));
  });
  if (failure === undefined) return;
  throw new FindingError(finding(env, lifecycleCase, inputClasses, records, failure, names));
}

const toolOperation = (p: PlannedStep): Operation | undefined => (p.command.via === 'tool' ? p.command.request('').op : undefined);

function argsOf(tool: Tool, planned: PlannedStep, file: string): string[] {
  const { command } = planned;
  if (command.via === 'qemu-io') return ['-f', 'qcow2', '-c', command.command, file];
  return argvFor(tool, command.request(file)).slice(tool.command.length);
}

function finding(
  env: LifecyclePropertyEnv,
  lifecycleCase: LifecycleCase,
  inputClasses: string[],
  records: readonly StepRecord<PlannedStep>[],
  failure: StepFailure<PlannedStep>,
  names: ReadonlyMap<string, string>,
): Finding {
  const found = failure.observation.divergence;
  const numbered = numberedLabels(records, failure.planned);
  const sequence: ReproCommand[] = records
    .filter((r) => r.rolledBack === undefined)
    .map((r) => ({
      title: r.planned.label,
      via: r.planned.command.via === 'qemu-io' ? 'qemu-io' : 'tools',
      referenceArgs: argsOf(env.reference, r.planned, REFERENCE_FILE),
      candidateArgs: argsOf(env.candidate, r.planned, CANDIDATE_FILE),
    }));
  const operation = blamedOperation(failure.planned, records, toolOperation, 'snapshot');
  const divergenceOut: Divergence = renameDivergence(found, names);
  return {
    operation,
    caseValue: lifecycleCase as unknown as JsonValue,
    caseInWords:
      `A qcow2 (${describeSpec(lifecycleCase.base)}), copied to each side, then ${numbered.length} command(s) on both copies; step ${numbered.length} diverges:\n\n` +
      numbered.map((label, i) => `${i + 1}. \`${label}\``).join('\n'),
    divergence: divergenceOut,
    reference: renameOutcome(failure.observation.reference, names),
    candidate: renameOutcome(failure.observation.candidate, names),
    inputClasses,
    // The step is part of where: "snapshot -l" padding and "snapshot -d" damage are different bugs.
    signature: {
      operation,
      kind: found.kind,
      // lociOf names an output-text line by the reference's text; `-l` rows hold names and dates, so the row kind in `fields` says where instead.
      loci: [`step ${stepKind(lifecycleCase.steps[failure.index] ?? { do: 'snapshot-list' })}`, ...lociOf(divergenceOut).filter((l) => !l.endsWith('line (no line)'))].sort(),
    },
    repro: {
      inputs: [
        { file: REFERENCE_FILE, steps: recipeFor(lifecycleCase.base, REFERENCE_FILE) },
        { file: CANDIDATE_FILE, steps: recipeFor(lifecycleCase.base, CANDIDATE_FILE) },
      ],
      sequence,
      lastVia: failure.planned.command.via === 'qemu-io' ? 'qemu-io' : 'tools',
      referenceArgs: argsOf(env.reference, failure.planned, REFERENCE_FILE),
      candidateArgs: argsOf(env.candidate, failure.planned, CANDIDATE_FILE),
      compare: lifecycleCompareLines(
        REFERENCE_FILE,
        CANDIDATE_FILE,
        lifecycleCase.steps[failure.index]?.do === 'snapshot-list',
        typeof found.data['bitmap'] === 'string' ? found.data['bitmap'] : undefined,
      ),
    },
  };
}
