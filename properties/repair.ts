import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RepairCase, RepairTier } from '../arbitraries/repair-case.ts';
import type { CandidateTimePolicy } from '../drivers/candidate-time-limit.ts';
import { describeTermination, exitedWith, type ProcessOutcome } from '../drivers/process-outcome.ts';
import type { RepairRequest } from '../drivers/requests.ts';
import { runProcess } from '../drivers/run-process.ts';
import { runReferenceAndCandidate } from '../drivers/run-pair.ts';
import { argvFor, type Tool } from '../drivers/tool.ts';
import { expectedContent } from '../images/expected-content.ts';
import { describeSpec } from '../images/image-spec.ts';
import type { ImageCache } from '../images/materialise.ts';
import { applyFault, faultSteps, parseQcow2, resolveFault, type ResolvedFault } from '../images/qcow2-corrupt.ts';
import { recipeFor } from '../images/recipe.ts';
import { fieldDifferences, describeFieldDifferences, fieldDifferencesData, flatJsonCompareLines, parseFlatJson } from '../oracles/check-flat-json.ts';
import { contentDivergence } from '../oracles/content.ts';
import { divergence, type Divergence, type JsonValue, type Observation } from '../oracles/divergence.ts';
import { compareOutcomes } from '../oracles/outcome.ts';
import { readImage, type ImageReading } from '../oracles/read-image.ts';
import { checkCounts, isClean, worseThan, type CheckCounts } from '../oracles/repair-state.ts';
import type { RunStats } from '../oracles/run-stats.ts';
import { FindingError, renameOutcome, renamePaths, type Finding } from '../reports/finding.ts';
import { matchWhitelist, repairWhitelist, type RepairFacts, type WhitelistTally } from '../whitelist.ts';
import { referenceVersionOf } from '../config/reference-version.ts';
import type { DerivedImages } from './check-derived-images.ts';
import { withCaseDir } from './case-workspace.ts';

export interface RepairPropertyEnv {
  readonly reference: Tool;
  readonly candidate: Tool;
  readonly timeoutMs: number;
  readonly candidateTime: CandidateTimePolicy;
  readonly images: ImageCache;
  readonly derived: DerivedImages;
  readonly stats: RunStats;
}

/**
 * The suite's model of `qemu-img check -r` on the suite's faults, checked
 * with qemu-img 7.2.22 and 10.0.2 (they agree): every fault is repaired with
 * exit 0 and a clean image after, except a refcount of zero under
 * `-r leaks`, which qemu-img refuses to touch ("need to rebuild refcount
 * structures", exit 1, no JSON, image unchanged). A stale COPIED flag is
 * repaired under either tier. No repair changes the guest-visible content.
 */
export function expectedReferenceExit(repairCase: RepairCase): number {
  return repairCase.fault.kind === 'refcount-zero' && repairCase.tier === 'leaks' ? 1 : 0;
}

export function repairInputClasses(repairCase: RepairCase): string[] {
  const layout = repairCase.source.layout;
  const classes = [`fault=${repairCase.fault.kind}`, `tier=${repairCase.tier}`];
  if (layout.format === 'qcow2') {
    classes.push(`cluster=${layout.clusterSize}`);
    if (layout.extendedL2) classes.push('extended_l2');
  }
  return classes;
}

function request(file: string, tier: RepairTier): RepairRequest {
  return { op: 'repair', file, format: 'qcow2', tier };
}

/** A plain `qemu-img check --output=json`: the reference reads every image, the input and both repaired ones. */
async function plainCheck(env: RepairPropertyEnv, file: string): Promise<ProcessOutcome> {
  const qemuImg = env.reference.command[0] ?? 'qemu-img';
  return runProcess([qemuImg, 'check', '-f', 'qcow2', '--output=json', file], { timeoutMs: Math.max(env.timeoutMs, 30_000) });
}

function countsData(counts: CheckCounts | undefined): JsonValue {
  return counts === undefined ? null : { corruptions: counts.corruptions, leaks: counts.leaks, checkErrors: counts.checkErrors };
}

function exitOf(outcome: ProcessOutcome): number | null {
  return outcome.termination.kind === 'exited' ? outcome.termination.code : null;
}

/** What every repair divergence carries: the whole picture, so a whitelist entry can demand all of it. */
interface Picture {
  readonly baselineExit: number | null;
  readonly baseline: CheckCounts;
  readonly candidateAfter: CheckCounts | undefined;
  readonly candidateContentIntact: boolean;
}

function pictureData(p: Picture): Record<string, JsonValue> {
  return {
    baselineExit: p.baselineExit,
    baseline: countsData(p.baseline),
    candidateAfter: countsData(p.candidateAfter),
    candidateContentIntact: p.candidateContentIntact,
  };
}

interface Sides {
  readonly repair: ProcessOutcome;
  readonly after: ProcessOutcome;
  readonly reading: ImageReading;
}

function fieldsDivergence(document: string, what: string, reference: string, candidate: string, picture: Picture): Divergence | undefined {
  const ref = parseFlatJson(reference);
  if (ref === undefined) return undefined;
  const cand = parseFlatJson(candidate);
  if (cand === undefined) {
    return divergence('metadata', `${what}: the candidate printed no JSON object where qemu-img printed one`, candidate.trim().slice(0, 500), {
      document,
      fields: [{ field: 'shape', reference: null, candidate: null }],
      ...pictureData(picture),
    });
  }
  const differences = fieldDifferences(ref, cand, ['filename']);
  if (differences.length === 0) return undefined;
  return divergence('metadata', `${what}: fields differ: ${differences.map((d) => d.field).join(', ')}`, describeFieldDifferences(differences), {
    document,
    fields: fieldDifferencesData(differences),
    ...pictureData(picture),
  });
}

type Observed = { readonly kind: 'inconclusive'; readonly reason: string } | { readonly kind: 'divergences'; readonly list: Divergence[] };

/**
 * The oracles, in order: the repair's exit status (exact), qemu-img against
 * the model (a disagreement is 'model-mismatch', never the candidate's),
 * the candidate never leaving the image worse than it found it, the repair
 * JSON, the plain check after the repair, and the content after it.
 */
function observe(repairCase: RepairCase, expected: Buffer, picture: Picture, reference: Sides, candidate: Sides): Observed {
  const verdict = compareOutcomes(reference.repair, candidate.repair, { exactExitCodes: true });
  if (verdict.kind === 'inconclusive') return { kind: 'inconclusive', reason: verdict.reason };
  const list: Divergence[] = [];

  const referenceAfter = checkCounts(reference.after.stdout);
  const modelExit = expectedReferenceExit(repairCase);
  const modelProblems = [
    ...(exitedWith(reference.repair, modelExit) ? [] : [`qemu-img check -r ${repairCase.tier} should exit ${modelExit}; it gave ${describeTermination(reference.repair.termination)}`]),
    ...(referenceAfter === undefined
      ? ['qemu-img check cannot report on qemu-img\'s repaired image']
      : modelExit === 0 && !isClean(referenceAfter)
        ? [`qemu-img's repaired image is not clean: ${JSON.stringify(referenceAfter)}`]
        : []),
    ...(reference.reading.kind === 'read' && reference.reading.bytes.equals(expected) ? [] : ["qemu-img's repaired image does not read as the image spec's content"]),
  ];
  if (modelProblems.length > 0) return { kind: 'divergences', list: [divergence('model-mismatch', modelProblems[0]!, modelProblems.join('\n'), pictureData(picture))] };

  if (verdict.kind === 'diverge') list.push({ ...verdict.divergence, data: { ...verdict.divergence.data, ...pictureData(picture) } });

  const worse = worseThan(picture.baseline, picture.candidateAfter);
  if (candidate.reading.kind === 'unreadable') {
    list.push(divergence('output-unreadable', "qemu-img cannot read the candidate's repaired image", candidate.reading.outcome.stderr.trim(), pictureData(picture)));
  } else if (worse !== undefined) {
    list.push(divergence('metadata', `the candidate left the image worse than it found it: ${worse}`, candidate.after.stdout.trim(), { document: 'repair-safety', ...pictureData(picture) }));
  }

  const json = fieldsDivergence('repair-json', `check -r ${repairCase.tier} report`, reference.repair.stdout, candidate.repair.stdout, picture);
  if (json !== undefined) list.push(json);
  const afterExits = compareOutcomes(reference.after, candidate.after, { exactExitCodes: true });
  if (afterExits.kind === 'diverge') {
    const d = afterExits.divergence;
    list.push(divergence('metadata', `check after the repair: ${d.summary}`, candidate.after.stdout.trim(), { document: 'post-repair-check', fields: [{ field: 'exit', reference: exitOf(reference.after), candidate: exitOf(candidate.after) }], ...pictureData(picture) }));
  } else {
    const after = fieldsDivergence('post-repair-check', 'check after the repair', reference.after.stdout, candidate.after.stdout, picture);
    if (after !== undefined) list.push(after);
  }
  if (candidate.reading.kind === 'read') {
    const content = contentDivergence(expected, candidate.reading.bytes);
    if (content !== undefined) list.push({ ...content, data: { ...content.data, ...pictureData(picture) } });
  }
  return { kind: 'divergences', list };
}

interface RepairInput {
  readonly path: string;
  readonly virtualSize: number;
  readonly fault: ResolvedFault;
}

async function repairInput(env: RepairPropertyEnv, repairCase: RepairCase): Promise<RepairInput | undefined> {
  const clean = await env.images.get(repairCase.source);
  const bytes = await readFile(clean.path);
  const fault = resolveFault(bytes, parseQcow2(bytes), repairCase.fault);
  if (fault === undefined) return undefined;
  const image = await env.derived.get(repairCase.source, {
    key: JSON.stringify(repairCase.fault),
    steps: (_: Buffer, file: string) => faultSteps(fault, file),
    apply: (b: Buffer) => applyFault(b, fault),
  });
  return { path: image.path, virtualSize: clean.virtualSize, fault };
}

/** Later divergences of a case count their hits, not their eligibility again (once per case). */
const hitsOnly = (stats: WhitelistTally): WhitelistTally => ({ eligible: () => undefined, hit: (id) => stats.hit(id) });

/**
 * One repair case: the corrupted qcow2 is copied twice, each tool repairs
 * its own copy, then qemu-img checks and flattens both. Throws a
 * FindingError on the first divergence no whitelist entry accepts.
 */
export async function checkRepairCase(env: RepairPropertyEnv, repairCase: RepairCase): Promise<void> {
  env.stats.runs++;
  const input = await repairInput(env, repairCase);
  if (input === undefined) {
    env.stats.classify([`skipped: no site for ${repairCase.fault.kind}`]);
    return;
  }
  const inputClasses = repairInputClasses(repairCase);
  env.stats.classify(inputClasses);
  const qemuImg = env.reference.command[0] ?? 'qemu-img';
  const expected = expectedContent(repairCase.source, input.virtualSize);

  await withCaseDir(async (dir) => {
    const baselineOutcome = await plainCheck(env, input.path);
    const baseline = checkCounts(baselineOutcome.stdout);
    if (baseline === undefined) {
      env.stats.inconclusive.push(`repair ${inputClasses.join(' ')}: qemu-img check gives no report on the corrupted input`);
      return;
    }
    const paths = { reference: join(dir, 'reference.qcow2'), candidate: join(dir, 'candidate.qcow2') };
    await copyFile(input.path, paths.reference);
    await copyFile(input.path, paths.candidate);
    const [referenceRepair, candidateRepair] = await runReferenceAndCandidate(env, request(paths.reference, repairCase.tier), request(paths.candidate, repairCase.tier));
    const sideAfter = async (path: string, repair: ProcessOutcome): Promise<Sides> => ({
      repair,
      after: await plainCheck(env, path),
      reading: await readImage(qemuImg, path, 'qcow2', dir, Math.max(env.timeoutMs, 30_000)),
    });
    const reference = await sideAfter(paths.reference, referenceRepair);
    const candidate = await sideAfter(paths.candidate, candidateRepair);
    const picture: Picture = {
      baselineExit: exitOf(baselineOutcome),
      baseline,
      candidateAfter: checkCounts(candidate.after.stdout),
      candidateContentIntact: candidate.reading.kind === 'read' && candidate.reading.bytes.equals(expected),
    };
    const observed = observe(repairCase, expected, picture, reference, candidate);
    if (observed.kind === 'inconclusive') {
      env.stats.inconclusive.push(`repair ${inputClasses.join(' ')}: ${observed.reason}`);
      return;
    }
    const facts: RepairFacts = { repairCase };
    const version = referenceVersionOf(env.reference);
    if (observed.list.length === 0) {
      matchWhitelist(repairWhitelist, facts, undefined, env.stats, version);
      return;
    }
    // Each divergence needs its own acceptance: a known one never hides another.
    const observations: Observation[] = observed.list.map((d) => ({ divergence: d, reference: referenceRepair, candidate: candidateRepair }));
    const unaccepted = observations.find((o, i) => o.divergence.kind === 'model-mismatch' || matchWhitelist(repairWhitelist, facts, o, i === 0 ? env.stats : hitsOnly(env.stats), version) === undefined);
    if (unaccepted === undefined) return;
    throw new FindingError(finding(env, repairCase, input, inputClasses, unaccepted, paths));
  });
}

function finding(env: RepairPropertyEnv, repairCase: RepairCase, input: RepairInput, inputClasses: string[], observation: Observation, paths: { reference: string; candidate: string }): Finding {
  const names = new Map([
    [paths.reference, 'reference.qcow2'],
    [paths.candidate, 'candidate.qcow2'],
    [input.path, 'source.qcow2'],
  ]);
  const argsOf = (tool: Tool, file: string): string[] => argvFor(tool, request(file, repairCase.tier)).slice(tool.command.length);
  const found = observation.divergence;
  return {
    operation: 'repair',
    caseValue: repairCase as unknown as JsonValue,
    caseInWords: `\`check --repair=${repairCase.tier}\` on ${describeSpec(repairCase.source)}, corrupted: ${input.fault.description}.`,
    divergence: { ...found, summary: renamePaths(found.summary, names), detail: renamePaths(found.detail, names) },
    reference: renameOutcome(observation.reference, names),
    candidate: renameOutcome(observation.candidate, names),
    inputClasses,
    repro: {
      // Each tool repairs its own copy of the same corrupted bytes.
      inputs: [
        { file: 'reference.qcow2', steps: [...recipeFor(repairCase.source, 'reference.qcow2'), ...faultSteps(input.fault, 'reference.qcow2')] },
        { file: 'candidate.qcow2', steps: [...recipeFor(repairCase.source, 'candidate.qcow2'), ...faultSteps(input.fault, 'candidate.qcow2')] },
      ],
      referenceArgs: argsOf(env.reference, 'reference.qcow2'),
      candidateArgs: argsOf(env.candidate, 'candidate.qcow2'),
      compare: [
        'if [ "$reference_rc" -ne "$candidate_rc" ]; then echo "repair exit codes differ"; diverged=1; fi',
        ...flatJsonCompareLines('filename'),
      ],
    },
  };
}
