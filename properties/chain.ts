import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OTHER, TOP, type ChainCase, type ChainStep } from '../arbitraries/chain-case.ts';
import { referenceVersionOf } from '../config/reference-version.ts';
import type { CandidateTimePolicy } from '../drivers/candidate-time-limit.ts';
import { exitedWith, type ProcessOutcome } from '../drivers/process-outcome.ts';
import { workingDirectoryOf, type Operation } from '../drivers/requests.ts';
import { runReferenceAndCandidate } from '../drivers/run-pair.ts';
import { runProcess } from '../drivers/run-process.ts';
import { argvFor, type Tool } from '../drivers/tool.ts';
import { chainRecipe, layersRecipe, otherRecipe } from '../images/chain-recipe.ts';
import type { RecipeStep } from '../images/recipe.ts';
import { chainBelow, filesOf, initialModel, ownContent, planStep, targetsOf, visible, type ChainModel, type PlannedStep } from '../oracles/chain-model.ts';
import { compareContent, contentDivergence, describeContentDifference } from '../oracles/content.ts';
import { cleanlinessDivergence } from '../oracles/create-check.ts';
import { divergence, type Divergence, type JsonValue, type Observation } from '../oracles/divergence.ts';
import { compareCreateInfo, normaliseCreateInfo } from '../oracles/info-json.ts';
import { compareOutcomes } from '../oracles/outcome.ts';
import { readImage, type ImageReading } from '../oracles/read-image.ts';
import { readerFailureLine } from '../oracles/reader-failure.ts';
import type { RunStats } from '../oracles/run-stats.ts';
import { FindingError, renameDivergence, renameOutcome, type Finding, type ReproCommand } from '../reports/finding.ts';
import { lociOf } from '../reports/signature.ts';
import { chainWhitelist, matchWhitelist, type ChainFacts } from '../whitelist.ts';
import { withCaseDir } from './case-workspace.ts';
import { isFailedReading, readInfoJson } from '../oracles/info-json-reading.ts';
import { blamedOperation, numberedLabels, runSequence, type SequenceOutcome, type StepFailure, type StepRecord, type StepVerdict } from './sequence-run.ts';
import { chainCompareLines } from './chain-repro.ts';

export interface ChainPropertyEnv {
  readonly reference: Tool;
  readonly candidate: Tool;
  readonly qemuIo: string;
  readonly timeoutMs: number;
  readonly candidateTime: CandidateTimePolicy;
  readonly stats: RunStats;
}

/** Each side's directory, by the name repro.sh gives it too. */
const SIDE_DIRS = { reference: 'reference', candidate: 'candidate' } as const;

/** Stands for a side's directory in info JSON, so both sides' backing paths compare equal. */
const DIR_PLACEHOLDER = '$SIDE_DIR';

/** The signature's step: the command without its file arguments, e.g. "rebase -u", "commit -b". */
export function stepKind(step: ChainStep): string {
  switch (step.do) {
    case 'write':
      return 'qemu-io write';
    case 'rebase':
      return `rebase${step.onto === null ? " -b ''" : ''}${step.unsafe ? ' -u' : ''}`;
    case 'commit':
      return `commit${step.base === null ? '' : ' -b'}${step.drop ? ' -d' : ''}`;
  }
}

/** Input classes for the coverage tally. */
export function chainInputClasses(chainCase: ChainCase): string[] {
  const sizes = new Set(chainCase.layers.map((l) => l.clusterSize));
  return [
    `layers=${chainCase.layers.length}`,
    `steps=${chainCase.steps.length}`,
    ...(sizes.size > 1 ? ['mixed-cluster-sizes'] : [`cluster=${chainCase.layers[0]?.clusterSize ?? 'n/a'}`]),
    ...(chainCase.baseSize < chainCase.size ? ['smaller-base'] : []),
    ...new Set(chainCase.steps.map((s) => `step=${stepKind(s)}`)),
  ];
}

interface Sides {
  readonly reference: string;
  readonly candidate: string;
}

type SideName = keyof Sides;

async function runRecipe(steps: readonly RecipeStep[], env: ChainPropertyEnv, cwd: string): Promise<void> {
  const qemuImg = env.reference.command[0] ?? 'qemu-img';
  for (const step of steps) {
    if (step.tool === 'mkdir') {
      await mkdir(join(cwd, step.args[step.args.length - 1] ?? '.'), { recursive: true });
      continue;
    }
    const bin = step.tool === 'qemu-img' ? qemuImg : step.tool === 'qemu-io' ? env.qemuIo : step.tool;
    const outcome = await runProcess([bin, ...step.args], { timeoutMs: env.timeoutMs, cwd });
    if (!exitedWith(outcome, 0) || /failed/i.test(outcome.stdout + outcome.stderr)) {
      throw new Error(`building the chain failed at "${outcome.argv.join(' ')}": ${outcome.stderr.trim()} ${outcome.stdout.trim()}`);
    }
  }
}


/** Every string that names the side's directory says `$SIDE_DIR` instead. */
function withoutSideDir(value: JsonValue, dir: string): JsonValue {
  if (typeof value === 'string') return value.split(dir).join(DIR_PLACEHOLDER);
  if (Array.isArray(value)) return (value as readonly JsonValue[]).map((v) => withoutSideDir(v, dir));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSideDir(v, dir)]));
  return value;
}

function field(document: JsonValue, key: string): JsonValue | undefined {
  return typeof document === 'object' && document !== null && !Array.isArray(document) ? (document as { readonly [k: string]: JsonValue })[key] : undefined;
}

/** The top alone, its backing left out: what it holds itself (unallocated clusters read as zeros). */
function ownSpec(path: string): string {
  return `json:${JSON.stringify({ driver: 'qcow2', backing: null, file: { driver: 'file', filename: path } })}`;
}

/** The two side directories hold the same files with the same bytes (backups aside). */
async function sameDirectories(a: string, b: string): Promise<boolean> {
  const [left, right] = await Promise.all([readdir(a), readdir(b)]);
  const files = left.filter((f) => !f.endsWith('.before')).sort();
  if (files.join('\0') !== right.filter((f) => !f.endsWith('.before')).sort().join('\0')) return false;
  for (const file of files) {
    const [x, y] = await Promise.all([readFile(join(a, file)), readFile(join(b, file))]);
    if (!x.equals(y)) return false;
  }
  return true;
}

const named = (d: Divergence, file: string): Divergence => ({ ...d, summary: `${file}: ${d.summary}`, data: { ...d.data, file } });

/**
 * The state of `check` files after a step: qemu-img against the model
 * first (content through the backing chain, the top's own clusters,
 * virtual size and backing pointer), then the candidate's files against
 * the reference's (content, the top's own clusters, normalised info, check).
 * Info and check only for the files in `described` (those the tool rewrote).
 */
async function stateDivergence(env: ChainPropertyEnv, sides: Sides, model: ChainModel, check: readonly string[], described: ReadonlySet<string>): Promise<Divergence | undefined> {
  const qemuImg = env.reference.command[0] ?? 'qemu-img';
  // Byte-identical sides read the same: then only qemu-img against the model is left to see.
  const identical = await sameDirectories(sides.reference, sides.candidate);
  const read = (side: SideName, target: string): Promise<ImageReading> => readImage(qemuImg, target, 'qcow2', sides[side], env.timeoutMs);
  const readBoth = async (file: (side: SideName) => string): Promise<[ImageReading, ImageReading]> => {
    const [ref, cand] = await Promise.all([read('reference', file('reference')), identical ? undefined : read('candidate', file('candidate'))]);
    return [ref, cand ?? ref];
  };
  // Every reading at once (the tools are independent); judged in order below.
  const withTop = check.includes(TOP);
  const [readings, alone] = await Promise.all([
    Promise.all(check.map((file) => readBoth((side) => join(sides[side], file)))),
    withTop ? readBoth((side) => ownSpec(join(sides[side], TOP))) : undefined,
  ]);
  for (const [index, file] of check.entries()) {
    const [ref, cand] = readings[index] ?? [];
    if (ref === undefined || cand === undefined) continue;
    if (ref.kind === 'unreadable') return divergence('model-mismatch', `qemu-img cannot read its own ${file}: ${readerFailureLine(ref.outcome)}`);
    const modelContent = compareContent(visible(model, file), ref.bytes);
    if (modelContent !== undefined) return named(divergence('model-mismatch', 'qemu-img disagrees with the chain model on what the file shows', describeContentDifference(modelContent, 'the model', 'qemu-img')), file);
    if (cand.kind === 'unreadable') return named(divergence('output-unreadable', `qemu-img cannot read the candidate's ${file}: ${readerFailureLine(cand.outcome)}`, '', { reader: 'qemu-img' }), file);
    const content = contentDivergence(ref.bytes, cand.bytes);
    if (content !== undefined) return named(content, file);
  }
  if (alone !== undefined) {
    const [ref, cand] = alone;
    const top = model.get(TOP);
    if (ref.kind === 'unreadable' || top === undefined) return divergence('model-mismatch', `qemu-img cannot read its own ${TOP} without its backing`);
    const modelOwn = compareContent(ownContent(top), ref.bytes);
    if (modelOwn !== undefined) return divergence('model-mismatch', `qemu-img disagrees with the chain model on ${TOP}'s own clusters`, describeContentDifference(modelOwn, 'the model', 'qemu-img'));
    if (cand.kind === 'unreadable') return divergence('output-unreadable', `qemu-img cannot read the candidate's ${TOP} without its backing`, readerFailureLine(cand.outcome), { reader: 'qemu-img' });
    const own = contentDivergence(ref.bytes, cand.bytes);
    if (own !== undefined) return { ...own, summary: `${TOP}'s own clusters (its backing left out): ${own.summary}`, data: { ...own.data, file: TOP, document: 'own clusters' } };
  }
  // Identical sides: info and check of the candidate's files are the reference's; the model check below still runs.
  const documented = check.filter((f) => described.has(f));
  const documents = await Promise.all(
    documented.map((file) =>
      identical
        ? Promise.all([readInfoJson(qemuImg, join(sides.reference, file), 'qcow2', env.timeoutMs), undefined, undefined])
        : Promise.all([
            readInfoJson(qemuImg, join(sides.reference, file), 'qcow2', env.timeoutMs),
            readInfoJson(qemuImg, join(sides.candidate, file), 'qcow2', env.timeoutMs),
            cleanlinessDivergence(qemuImg, join(sides.reference, file), join(sides.candidate, file), 'qcow2', env.timeoutMs),
          ]),
    ),
  );
  for (const [index, file] of documented.entries()) {
    const [refInfo, candInfo, clean] = documents[index] ?? [];
    if (refInfo === undefined) continue;
    if (isFailedReading(refInfo)) return divergence('model-mismatch', `qemu-img info fails on its own ${file}: ${readerFailureLine(refInfo)}`);
    const expected = model.get(file);
    const backing = field(refInfo, 'backing-filename') ?? null;
    if (expected !== undefined && (field(refInfo, 'virtual-size') !== expected.size || backing !== expected.backing)) {
      return divergence('model-mismatch', `qemu-img info of ${file} disagrees with the chain model`, `model: size ${expected.size}, backing ${String(expected.backing)}; info: size ${String(field(refInfo, 'virtual-size'))}, backing ${String(backing)}`);
    }
    if (candInfo === undefined) continue;
    if (isFailedReading(candInfo)) return named(divergence('metadata', `qemu-img info fails on the candidate's ${file}: ${readerFailureLine(candInfo)}`, '', { document: 'info', fields: [{ field: 'readable' }] }), file);
    const normalise = (json: JsonValue, side: SideName): JsonValue => withoutSideDir(normaliseCreateInfo(json, { file: join(sides[side], file), target: 'qcow2', askedLogSize: false }), sides[side]);
    const info = compareCreateInfo(normalise(refInfo, 'reference'), normalise(candInfo, 'candidate'));
    if (info.differences.length > 0) {
      return named(
        divergence('metadata', `normalised qemu-img info differs at ${info.differences.map((d) => d.path).join(', ')}`, info.diffText, { document: 'info', differences: info.differences.map((d) => ({ path: d.path })) }),
        file,
      );
    }
    if (clean !== undefined) return named(clean, file);
  }
  return undefined;
}

const firstLine = (text: string): string => text.trim().split('\n')[0] ?? '';

/** The files whose bytes differ from their `.before` copies on a side. */
async function changedFiles(dir: string, files: readonly string[]): Promise<Set<string>> {
  const changed = new Set<string>();
  await Promise.all(
    files.map(async (file) => {
      const [now, before] = await Promise.all([readFile(join(dir, file)), readFile(join(dir, `${file}.before`))]);
      if (!now.equals(before)) changed.add(file);
    }),
  );
  return changed;
}

const backUp = (dir: string, files: readonly string[]): Promise<unknown> => Promise.all(files.map((f) => copyFile(join(dir, f), join(dir, `${f}.before`))));
const restore = (dir: string, files: readonly string[]): Promise<unknown> => Promise.all(files.map((f) => copyFile(join(dir, `${f}.before`), join(dir, f))));

async function runStep(env: ChainPropertyEnv, sides: Sides, planned: PlannedStep): Promise<[ProcessOutcome, ProcessOutcome]> {
  const { command } = planned;
  if (command.via === 'qemu-io') {
    const io = (dir: string): Promise<ProcessOutcome> => runProcess([env.qemuIo, '-f', 'qcow2', '-c', command.command, join(dir, command.file)], { timeoutMs: env.timeoutMs });
    return Promise.all([io(sides.reference), io(sides.candidate)]);
  }
  return runReferenceAndCandidate(env, command.request(sides.reference), command.request(sides.candidate));
}

export function chainFactsOf(chainCase: ChainCase, step: ChainStep, before: ChainModel): ChainFacts {
  const targets = targetsOf(chainCase);
  const pick = (n: number): string => targets[n % targets.length] ?? OTHER;
  if (step.do === 'rebase') return { step, before, target: step.onto === null ? null : pick(step.onto) };
  if (step.do === 'commit') return { step, before, target: step.base === null ? chainBelow(before, TOP)[0] : pick(step.base) };
  return { step, before, target: undefined };
}

type StepResult = StepVerdict<ChainModel>;

/**
 * One step on both sides: exit statuses (and the model's prediction for
 * qemu-img's), then the state of every file the step rewrote and every file
 * that reads through one. A documented refusal the whitelist accepts rolls
 * both sides back; the sequence goes on from there.
 */
async function checkStep(env: ChainPropertyEnv, chainCase: ChainCase, sides: Sides, model: ChainModel, step: ChainStep, planned: PlannedStep): Promise<StepResult> {
  const files = filesOf(chainCase);
  await Promise.all([backUp(sides.reference, files), backUp(sides.candidate, files)]);
  const [reference, candidate] = await runStep(env, sides, planned);
  const observed = (d: Divergence): StepResult => ({ kind: 'diverged', observation: { divergence: d, reference, candidate } });
  const verdict = compareOutcomes(reference, candidate);
  if (verdict.kind === 'inconclusive') {
    env.stats.inconclusive.push(`chain, ${planned.label}: ${verdict.reason}`);
    return { kind: 'stop' };
  }
  const referenceSucceeded = exitedWith(reference, 0);
  if (referenceSucceeded !== planned.expect.succeeds) {
    return observed(
      divergence(
        'model-mismatch',
        `the chain model says qemu-img ${planned.expect.succeeds ? 'succeeds' : 'fails'} at \`${planned.label}\`; it ${referenceSucceeded ? 'succeeded' : 'failed'}`,
        `qemu-img stderr: ${firstLine(reference.stderr) || '(empty)'}`,
      ),
    );
  }
  const facts = chainFactsOf(chainCase, step, model);
  const [candidateChanged, referenceChanged] = await Promise.all([changedFiles(sides.candidate, files), changedFiles(sides.reference, files)]);
  if (verdict.kind === 'diverge') {
    const d = verdict.divergence;
    if (planned.command.via === 'qemu-io') {
      return observed(divergence('output-unreadable', `qemu-io \`${planned.command.command}\` on ${planned.command.file} fails on the candidate's side and not on qemu-img's`, firstLine(candidate.stderr), { reader: 'qemu-io' }));
    }
    const detail = `reference stderr: ${firstLine(reference.stderr) || '(empty)'}\ncandidate stderr: ${firstLine(candidate.stderr) || '(empty)'}`;
    const observation: Observation = { divergence: { ...d, detail, data: { ...d.data, referenceMessage: firstLine(reference.stderr), candidateUnchanged: candidateChanged.size === 0 } }, reference, candidate };
    const accepted = matchWhitelist(chainWhitelist, facts, observation, env.stats, referenceVersionOf(env.reference));
    if (accepted === undefined) return { kind: 'diverged', observation };
    await Promise.all([restore(sides.reference, files), restore(sides.candidate, files)]);
    return { kind: 'next', model, rolledBack: accepted.id };
  }
  // Known refusals need an eligible tally even when no divergence shows.
  matchWhitelist(chainWhitelist, facts, undefined, env.stats, referenceVersionOf(env.reference));
  if (!referenceSucceeded) {
    if (candidateChanged.size === 0) return { kind: 'next', model };
    if (referenceChanged.size === 0) return observed(divergence('input-modified', `both refused \`${planned.label}\`, but the candidate changed ${[...candidateChanged].sort().join(', ')}`));
  }
  const next = planned.expect.succeeds ? planned.expect.model : model;
  const rewritten = new Set([...candidateChanged, ...referenceChanged]);
  // qemu-io is the same tool on both sides: after its write, what the files show is the question, not their metadata.
  const described = planned.command.via === 'qemu-io' ? new Set<string>() : rewritten;
  // A file shows what the files below it hold: it is checked when any of them was rewritten.
  const check = files.filter((f) => [f, ...chainBelow(next, f), ...chainBelow(model, f)].some((g) => rewritten.has(g)));
  const state = await stateDivergence(env, sides, next, check, described);
  return state === undefined ? { kind: 'next', model: next } : observed(state);
}

/**
 * One chain case: the chain and other.qcow2 built in the reference's
 * directory and copied byte for byte to the candidate's (backing names are
 * relative, so each side's chain stays in its directory), then every step
 * on both sides. After each step the exit statuses must agree, qemu-img
 * must meet the model, and the candidate's files must read the same, give
 * the same normalised info and check as clean.
 */
export async function checkChainCase(env: ChainPropertyEnv, chainCase: ChainCase): Promise<void> {
  env.stats.runs++;
  const inputClasses = chainInputClasses(chainCase);
  env.stats.classify(inputClasses);
  const names = new Map<string, string>();
  const { records, failure } = await withCaseDir(async (dir): Promise<SequenceOutcome<PlannedStep>> => {
    const sides: Sides = { reference: join(dir, SIDE_DIRS.reference), candidate: join(dir, SIDE_DIRS.candidate) };
    names.set(sides.reference, SIDE_DIRS.reference).set(sides.candidate, SIDE_DIRS.candidate).set(dir, '.');
    await Promise.all([mkdir(sides.reference), mkdir(sides.candidate)]);
    await Promise.all([runRecipe(layersRecipe(chainCase, SIDE_DIRS.reference), env, dir), runRecipe(otherRecipe(chainCase, SIDE_DIRS.reference), env, dir)]);
    await Promise.all(filesOf(chainCase).map((f) => copyFile(join(sides.reference, f), join(sides.candidate, f))));
    return runSequence(
      chainCase.steps,
      initialModel(chainCase),
      (model, step) => planStep(chainCase, model, step),
      (model, step, planned) => checkStep(env, chainCase, sides, model, step, planned),
    );
  });
  if (failure === undefined) return;
  throw new FindingError(finding(env, chainCase, inputClasses, records, failure, names));
}

const toolOperation = (p: PlannedStep): Operation | undefined => (p.command.via === 'tool' ? p.command.request('').op : undefined);

/**
 * Arguments for repro.sh, from its working directory (the side's directory
 * a relative path), or from inside the side's directory for a command that
 * runs there (commit).
 */
function argsOf(tool: Tool, planned: PlannedStep, side: string): string[] {
  const { command } = planned;
  if (command.via === 'qemu-io') return ['-f', 'qcow2', '-c', command.command, `${side}/${command.file}`];
  const request = command.request(side);
  return argvFor(tool, workingDirectoryOf(request) === undefined ? request : command.request('.')).slice(tool.command.length);
}

/** Where repro.sh runs a step on each side, when the step needs a working directory (commit). */
function cwdOf(planned: PlannedStep): { cwd?: { reference: string; candidate: string } } {
  const { command } = planned;
  return command.via === 'tool' && workingDirectoryOf(command.request('')) !== undefined ? { cwd: { reference: SIDE_DIRS.reference, candidate: SIDE_DIRS.candidate } } : {};
}

function describeLayers(chainCase: ChainCase): string {
  const layers = chainCase.layers.map((l, i) => {
    const data = l.extents.length === 0 ? 'no data' : l.extents.map((e) => `${e.length} byte(s) of 0x${e.fill.toString(16)} at ${e.offset}`).join('; ');
    return `layer ${i + 1} (cluster_size=${l.clusterSize}, size ${i === 0 ? chainCase.baseSize : chainCase.size}): ${data}`;
  });
  const other = chainCase.other.extents.map((e) => `${e.length} byte(s) of 0x${e.fill.toString(16)} at ${e.offset}`).join('; ') || 'no data';
  return `${layers.join('; ')}; other.qcow2 (cluster_size=${chainCase.other.clusterSize}, size ${chainCase.other.size}): ${other}`;
}

function finding(env: ChainPropertyEnv, chainCase: ChainCase, inputClasses: string[], records: readonly StepRecord<PlannedStep>[], failure: StepFailure<PlannedStep>, names: ReadonlyMap<string, string>): Finding {
  const found = failure.observation.divergence;
  const numbered = numberedLabels(records, failure.planned);
  const sequence: ReproCommand[] = records
    .filter((r) => r.rolledBack === undefined)
    .map((r) => ({
      title: r.planned.label,
      via: r.planned.command.via === 'qemu-io' ? 'qemu-io' : 'tools',
      referenceArgs: argsOf(env.reference, r.planned, SIDE_DIRS.reference),
      candidateArgs: argsOf(env.candidate, r.planned, SIDE_DIRS.candidate),
      ...cwdOf(r.planned),
    }));
  const operation = blamedOperation(failure.planned, records, toolOperation, 'rebase');
  const divergenceOut: Divergence = renameDivergence(found, names);
  const lastCwd = cwdOf(failure.planned).cwd;
  const step = chainCase.steps[failure.index] ?? { do: 'write', file: 0, region: { at: 0, sectors: 1 }, fill: 1 };
  return {
    operation,
    caseValue: chainCase as unknown as JsonValue,
    caseInWords:
      `A qcow2 backing chain (${describeLayers(chainCase)}), copied to each side's directory, then ${numbered.length} command(s) on both sides; step ${numbered.length} diverges:\n\n` +
      numbered.map((label, i) => `${i + 1}. \`${label}\``).join('\n'),
    divergence: divergenceOut,
    reference: renameOutcome(failure.observation.reference, names),
    candidate: renameOutcome(failure.observation.candidate, names),
    inputClasses,
    signature: { operation, kind: found.kind, loci: [`step ${stepKind(step)}`, ...lociOf(divergenceOut)].sort() },
    repro: {
      inputs: [
        { file: SIDE_DIRS.reference, steps: chainRecipe(chainCase, SIDE_DIRS.reference) },
        { file: SIDE_DIRS.candidate, steps: chainRecipe(chainCase, SIDE_DIRS.candidate) },
      ],
      sequence,
      lastVia: failure.planned.command.via === 'qemu-io' ? 'qemu-io' : 'tools',
      referenceArgs: argsOf(env.reference, failure.planned, SIDE_DIRS.reference),
      candidateArgs: argsOf(env.candidate, failure.planned, SIDE_DIRS.candidate),
      ...(lastCwd === undefined ? {} : { lastCwd }),
      compare: chainCompareLines(filesOf(chainCase), TOP),
    },
  };
}
