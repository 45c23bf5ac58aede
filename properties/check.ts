import { readFile } from 'node:fs/promises';
import type { CheckCase } from '../arbitraries/check-case.ts';
import type { CandidateTimePolicy } from '../drivers/candidate-time-limit.ts';
import { describeTermination, exitedWith, type ProcessOutcome } from '../drivers/process-outcome.ts';
import type { CheckRequest } from '../drivers/requests.ts';
import type { ReferenceMemo } from '../drivers/reference-memo.ts';
import { runReferenceAndCandidate } from '../drivers/run-pair.ts';
import { argvFor, type Tool } from '../drivers/tool.ts';
import { describeSpec } from '../images/image-spec.ts';
import { fingerprintOf, type ImageCache, type MaterialisedImage } from '../images/materialise.ts';
import { applyFault, parseQcow2, resolveFault, faultSteps, type ResolvedFault } from '../images/qcow2-corrupt.ts';
import { recipeFor, type RecipeStep } from '../images/recipe.ts';
import {
  describeFieldDifferences,
  fieldDifferences,
  fieldDifferencesData,
  flatJsonCompareLines,
  parseFlatJson,
} from '../oracles/check-flat-json.ts';
import { divergence, type Divergence, type JsonValue } from '../oracles/divergence.ts';
import { compareOutcomes } from '../oracles/outcome.ts';
import type { RunStats } from '../oracles/run-stats.ts';
import { FindingError, renameOutcome, renamePaths, type Finding } from '../reports/finding.ts';
import { checkWhitelist, matchWhitelist, type CheckFacts } from '../whitelist.ts';
import type { DerivedImages } from './check-derived-images.ts';
import { referenceVersionOf } from '../config/reference-version.ts';

export interface CheckPropertyEnv {
  readonly reference: Tool;
  readonly candidate: Tool;
  readonly timeoutMs: number;
  /** The candidate's limit per call, from the reference's time (drivers/candidate-time-limit.ts). */
  readonly candidateTime: CandidateTimePolicy;
  /** The reference's outcomes on this run's inputs (drivers/reference-memo.ts); none: every call runs. */
  readonly referenceMemo?: ReferenceMemo;
  readonly images: ImageCache;
  readonly derived: DerivedImages;
  readonly stats: RunStats;
}

/** Exit codes of `qemu-img check` (FACTS.md): they are compared exactly. */
const CLEAN = 0;
const CORRUPTIONS = 2;
const LEAKS_ONLY = 3;
const NO_CHECKS = 63;

/** What qemu-img must answer, from the case alone: the suite's model of check. */
function expectedReferenceExits(checkCase: CheckCase): readonly number[] {
  if (checkCase.kind === 'clean') {
    return ['raw', 'vpc'].includes(checkCase.source.layout.format) ? [NO_CHECKS] : [CLEAN];
  }
  switch (checkCase.fault.kind) {
    case 'leak':
      return [LEAKS_ONLY];
    case 'refcount-zero':
    case 'stale-copied':
      return [CORRUPTIONS];
    case 'refcount-high':
      // A leak; also a COPIED corruption when the cluster is data or an L2 table.
      return [CORRUPTIONS, LEAKS_ONLY];
  }
}

export function checkInputClasses(checkCase: CheckCase): string[] {
  const layout = checkCase.source.layout;
  const classes = [`source=${layout.format}`, checkCase.kind === 'clean' ? 'clean' : `fault=${checkCase.fault.kind}`];
  if (layout.format === 'qcow2') {
    classes.push(`cluster=${layout.clusterSize}`);
    if (layout.extendedL2) classes.push('extended_l2');
  }
  if (layout.format === 'vpc' || layout.format === 'vmdk') classes.push(`subformat=${layout.subformat}`);
  return classes;
}

interface CheckInput {
  readonly image: MaterialisedImage;
  /** Rebuilds the input at `file` with qemu-img/qemu-io alone. */
  readonly stepsFor: (file: string) => RecipeStep[];
  readonly fault: ResolvedFault | undefined;
  readonly evict: () => void;
}

/** The clean image, or the clean image with the fault's byte edits; undefined when the fault has no site. */
async function checkInput(env: CheckPropertyEnv, checkCase: CheckCase): Promise<CheckInput | undefined> {
  const spec = checkCase.source;
  if (checkCase.kind === 'clean') {
    const image = await env.images.get(spec);
    return { image, stepsFor: (file) => recipeFor(spec, file), fault: undefined, evict: () => env.images.evict(spec) };
  }
  const clean = await env.images.get(spec);
  const bytes = await readFile(clean.path);
  const fault = resolveFault(bytes, parseQcow2(bytes), checkCase.fault);
  if (fault === undefined) return undefined;
  const derivation = {
    key: JSON.stringify(checkCase.fault),
    steps: (_: Buffer, file: string) => faultSteps(fault, file),
    apply: (clean: Buffer) => applyFault(clean, fault),
  };
  const image = await env.derived.get(spec, derivation);
  return {
    image,
    stepsFor: (file) => [...recipeFor(spec, file), ...faultSteps(fault, file)],
    fault,
    evict: () => env.derived.evict(spec, derivation),
  };
}

function request(file: string, checkCase: CheckCase): CheckRequest {
  return { op: 'check', file, format: checkCase.source.layout.format, output: 'json' };
}

function describeCase(checkCase: CheckCase, input: CheckInput): string {
  const source = describeSpec(checkCase.source);
  if (input.fault === undefined) return `\`check --output=json\` on a clean image: ${source}.`;
  return `\`check --output=json\` on ${source}, corrupted: ${input.fault.description}.`;
}

/** The oracles, in order: the model of qemu-img's exit code, exact exit codes, then the JSON fields. */
function observe(checkCase: CheckCase, reference: ProcessOutcome, candidate: ProcessOutcome): Divergence | string | undefined {
  const verdict = compareOutcomes(reference, candidate, { exactExitCodes: true });
  if (verdict.kind === 'inconclusive') return verdict.reason;
  const expected = expectedReferenceExits(checkCase);
  if (!expected.some((code) => exitedWith(reference, code))) {
    return divergence(
      'model-mismatch',
      `the suite expects qemu-img check to exit ${expected.join(' or ')}; it gave ${describeTermination(reference.termination)}`,
      reference.stderr.trim(),
    );
  }
  if (verdict.kind === 'diverge') return verdict.divergence;
  const referenceReport = parseFlatJson(reference.stdout);
  // qemu-img prints no JSON when it cannot check (63): nothing more to compare.
  if (referenceReport === undefined) return undefined;
  const candidateReport = parseFlatJson(candidate.stdout);
  if (candidateReport === undefined) {
    return divergence('metadata', 'the candidate printed no JSON object where qemu-img printed its check report', candidate.stdout.trim());
  }
  // Only the filename may differ (each tool names the path it was given).
  const differences = fieldDifferences(referenceReport, candidateReport, ['filename']);
  if (differences.length === 0) return undefined;
  return divergence(
    'metadata',
    `check report fields differ: ${differences.map((d) => d.field).join(', ')}`,
    describeFieldDifferences(differences),
    { fields: fieldDifferencesData(differences) },
  );
}

/**
 * One check case: both tools check the same (clean or corrupted) image; exit
 * codes must agree exactly and so must every field of the JSON report.
 * Throws a FindingError on a divergence no whitelist entry accepts.
 */
export async function checkCheckCase(env: CheckPropertyEnv, checkCase: CheckCase): Promise<void> {
  env.stats.runs++;
  const inputClasses = checkInputClasses(checkCase);
  const input = await checkInput(env, checkCase);
  if (input === undefined) {
    // Counted, never silently passed: the summary lists skipped cases.
    env.stats.classify([`skipped: no site for ${checkCase.kind === 'corrupt' ? checkCase.fault.kind : 'fault'}`]);
    return;
  }
  env.stats.classify(inputClasses);
  const { image } = input;
  const call = request(image.path, checkCase);
  const [reference, candidate] = await runReferenceAndCandidate(env, call, call);
  let observed = observe(checkCase, reference, candidate);
  const modified = fingerprintOf(image.path) !== image.fingerprint;
  if (modified) {
    input.evict();
    if (observed === undefined || typeof observed === 'string') observed = divergence('input-modified', 'check (without repair) changed the image');
  }
  if (typeof observed === 'string') {
    env.stats.inconclusive.push(`check ${inputClasses.join(' ')}: ${observed}`);
    return;
  }
  const facts: CheckFacts = { checkCase };
  const accepted = matchWhitelist(
    checkWhitelist,
    facts,
    observed === undefined ? undefined : { divergence: observed, reference, candidate },
    env.stats,
    referenceVersionOf(env.reference),
  );
  if (observed === undefined || accepted !== undefined) return;

  const sourceName = `source.${image.format}`;
  const names = new Map([[image.path, sourceName]]);
  const argsOf = (tool: Tool): string[] => argvFor(tool, request(sourceName, checkCase)).slice(tool.command.length);
  const finding: Finding = {
    operation: 'check',
    caseValue: checkCase as unknown as JsonValue,
    caseInWords: describeCase(checkCase, input),
    divergence: { ...observed, summary: renamePaths(observed.summary, names), detail: renamePaths(observed.detail, names) },
    reference: renameOutcome(reference, names),
    candidate: renameOutcome(candidate, names),
    inputClasses,
    repro: {
      inputs: [{ file: sourceName, steps: input.stepsFor(sourceName) }],
      referenceArgs: argsOf(env.reference),
      candidateArgs: argsOf(env.candidate),
      compare: [
        'if [ "$reference_rc" -ne "$candidate_rc" ]; then echo "exit codes differ (0 clean, 2 corruptions, 3 leaks, 63 no checks)"; diverged=1; fi',
        ...flatJsonCompareLines('filename'),
      ],
    },
  };
  throw new FindingError(finding);
}
