import type { InfoCase } from '../arbitraries/info-case.ts';
import type { CandidateTimePolicy } from '../drivers/candidate-time-limit.ts';
import type { ProcessOutcome } from '../drivers/process-outcome.ts';
import type { InfoRequest } from '../drivers/requests.ts';
import type { ReferenceMemo } from '../drivers/reference-memo.ts';
import { runReferenceAndCandidate } from '../drivers/run-pair.ts';
import { argvFor, type Tool } from '../drivers/tool.ts';
import { describeLayout, describeSpec, type ImageFormat } from '../images/image-spec.ts';
import { expectedContent } from '../images/expected-content.ts';
import { fingerprintOf, type ImageCache, type MaterialisedImage } from '../images/materialise.ts';
import { recipeFor } from '../images/recipe.ts';
import { divergence, type Divergence, type JsonValue, type Observation } from '../oracles/divergence.ts';
import {
  describeJsonDifferences,
  diffJson,
  DISK_SIZE_PLACEHOLDER,
  FILE_PLACEHOLDER,
  firstLineDifference,
  normaliseInfoHuman,
  normaliseInfoJson,
  parseInfoJson,
} from '../oracles/info-output.ts';
import { hasPartitionTable } from '../oracles/info-partition-table.ts';
import { compareOutcomes } from '../oracles/outcome.ts';
import type { RunStats } from '../oracles/run-stats.ts';
import { FindingError, renameOutcome, renamePaths, type Finding } from '../reports/finding.ts';
import { infoWhitelist, matchWhitelist, type InfoFacts, type WhitelistTally } from '../whitelist.ts';
import { referenceVersionOf } from '../config/reference-version.ts';

export interface InfoPropertyEnv {
  readonly reference: Tool;
  readonly candidate: Tool;
  readonly timeoutMs: number;
  /** The candidate's limit per call, from the reference's time (drivers/candidate-time-limit.ts). */
  readonly candidateTime: CandidateTimePolicy;
  /** The reference's outcomes on this run's inputs (drivers/reference-memo.ts); none: every call runs. */
  readonly referenceMemo?: ReferenceMemo;
  readonly images: ImageCache;
  readonly stats: RunStats;
}

type Mode = InfoRequest['output'];

type Observed =
  | { readonly kind: 'agree' }
  | { readonly kind: 'inconclusive'; readonly reason: string }
  | { readonly kind: 'diverge'; readonly divergence: Divergence };

const agree: Observed = { kind: 'agree' };

/**
 * The source's format is given (`-f`; instar's dialect has no such flag and
 * always probes). qemu-img's own probe takes a fixed VHD for raw, because its
 * vpc probe looks for the cookie in sector 0 only (verified on 7.2.22 and 10.0.2); told
 * the format, it reports what the image is, which a probing candidate must
 * then find too (instar reads the footer).
 */
function request(file: string, format: ImageFormat, output: Mode): InfoRequest {
  return { op: 'info', file, format, output };
}

export function infoInputClasses(infoCase: InfoCase, facts: InfoFacts): string[] {
  return [
    `source=${infoCase.source.layout.format}`,
    `layout=${describeLayout(infoCase.source.layout)}`,
    facts.hasPartitionTable ? 'partition-table' : 'no-partition-table',
  ];
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

/** One output mode: outcome agreement, then the normalised documents. */
function observeMode(mode: Mode, reference: ProcessOutcome, candidate: ProcessOutcome): Observed {
  const verdict = compareOutcomes(reference, candidate);
  if (verdict.kind === 'inconclusive') return verdict;
  if (verdict.kind === 'diverge') {
    const { divergence: d } = verdict;
    const said = `reference stderr: ${firstLine(reference.stderr) || '(empty)'}\ncandidate stderr: ${firstLine(candidate.stderr) || '(empty)'}`;
    return { kind: 'diverge', divergence: { ...d, summary: `info (${mode}): ${d.summary}`, detail: said, data: { ...d.data, mode } } };
  }
  if (!verdict.bothSucceeded) return agree;
  if (mode === 'json') {
    const ref = parseInfoJson(reference.stdout);
    if (ref.kind === 'invalid') return { kind: 'inconclusive', reason: `qemu-img's info JSON does not parse: ${ref.reason}` };
    const cand = parseInfoJson(candidate.stdout);
    if (cand.kind === 'invalid') {
      return { kind: 'diverge', divergence: divergence('metadata', `info (json): the candidate's output is not a JSON object: ${cand.reason}`, candidate.stdout.slice(0, 500), { mode }) };
    }
    const differences = diffJson(normaliseInfoJson(ref.document), normaliseInfoJson(cand.document));
    if (differences.length === 0) return agree;
    const paths = differences.map((d) => d.path);
    return {
      kind: 'diverge',
      divergence: divergence('metadata', `info (json) differs at ${paths.join(', ')}`, describeJsonDifferences(differences), { mode, paths }),
    };
  }
  const difference = firstLineDifference(normaliseInfoHuman(reference.stdout), normaliseInfoHuman(candidate.stdout));
  if (difference === undefined) return agree;
  return {
    kind: 'diverge',
    divergence: divergence(
      'output-text',
      `info (human) differs at line ${difference.line}`,
      `reference: ${difference.reference}\ncandidate: ${difference.candidate}`,
      { mode, line: difference.line, reference: difference.reference, candidate: difference.candidate },
    ),
  };
}

/** repro.sh lines: the exit statuses, then the normalised outputs, as the oracle compares them. */
function reproCompare(mode: Mode): string[] {
  const normalise =
    mode === 'json'
      ? // Top-level keys of qemu-img's pretty JSON are indented by four spaces,
        // those of a child node's info (qemu-img 8.0 and later) by sixteen.
        `sed -E -e 's/^(    |                )"filename": .*/\\1"filename": "${FILE_PLACEHOLDER}",/' -e 's/^(    |                )"actual-size": .*/\\1"actual-size": "${DISK_SIZE_PLACEHOLDER}",/'`
      : `sed -E -e 's/^image: .*/image: ${FILE_PLACEHOLDER}/' -e 's/^disk size: .*/disk size: ${DISK_SIZE_PLACEHOLDER}/' -e '/^Child node /,/^[^ ]/{s/^( +)filename: .*/\\1filename: ${FILE_PLACEHOLDER}/;s/^( +)disk size: .*/\\1disk size: ${DISK_SIZE_PLACEHOLDER}/}'`;
  return [
    'if [ "$reference_rc" -ne 0 ] && [ "$candidate_rc" -ne 0 ]; then :',
    'elif [ "$reference_rc" -ne 0 ] || [ "$candidate_rc" -ne 0 ]; then echo "exit status differs"; diverged=1',
    'else',
    `  ${normalise} reference.stdout > reference.normalised`,
    `  ${normalise} candidate.stdout > candidate.normalised`,
    mode === 'json'
      ? '  # A textual diff: a candidate ordering keys differently shows here though the suite ignores key order.'
      : '  # Only the image name and disk size lines are replaced.',
    '  diff -u reference.normalised candidate.normalised || diverged=1',
    'fi',
  ];
}

const silentTally: WhitelistTally = { eligible: () => undefined, hit: () => undefined };

/**
 * One info case: both tools run `info` in each of the case's output modes
 * (JSON, human or both, side by side) on the same source file. Outcomes must agree, and the outputs must be equal once the file name
 * and disk size are replaced. Throws a FindingError on a divergence no
 * whitelist entry accepts.
 */
export async function checkInfoCase(env: InfoPropertyEnv, infoCase: InfoCase): Promise<void> {
  env.stats.runs++;
  const source = await env.images.get(infoCase.source);
  const facts: InfoFacts = {
    infoCase,
    hasPartitionTable: hasPartitionTable(expectedContent(infoCase.source, Math.min(512, source.virtualSize))),
  };
  const inputClasses = infoInputClasses(infoCase, facts);
  env.stats.classify([...inputClasses, `outputs=${infoCase.outputs.join('+')}`]);

  const runs = await Promise.all(
    infoCase.outputs.map(async (mode) => {
      const call = request(source.path, source.format, mode);
      const [reference, candidate] = await runReferenceAndCandidate(env, call, call);
      return { mode, reference, candidate, observed: observeMode(mode, reference, candidate) };
    }),
  );
  const sourceChanged = fingerprintOf(source.path) !== source.fingerprint;
  if (sourceChanged) env.images.evict(infoCase.source);

  const inconclusive = runs.find((r) => r.observed.kind === 'inconclusive');
  if (inconclusive !== undefined && inconclusive.observed.kind === 'inconclusive') {
    env.stats.inconclusive.push(`info ${inconclusive.mode} on ${describeLayout(infoCase.source.layout)}: ${inconclusive.observed.reason}`);
    return;
  }
  const observations: Array<Observation & { mode: Mode }> = runs.flatMap((r) =>
    r.observed.kind === 'diverge' ? [{ mode: r.mode, divergence: r.observed.divergence, reference: r.reference, candidate: r.candidate }] : [],
  );
  if (sourceChanged && observations.length === 0) {
    const first = runs[0];
    if (first !== undefined) {
      observations.push({ ...first, divergence: divergence('input-modified', 'info changed the source image') });
    }
  }
  if (observations.length === 0) {
    matchWhitelist(infoWhitelist, facts, undefined, env.stats, referenceVersionOf(env.reference));
    return;
  }
  // Each mode's divergence needs its own acceptance; the case is tallied once.
  const unaccepted = observations.filter(
    (o, i) => matchWhitelist(infoWhitelist, facts, o, i === 0 ? env.stats : silentTally, referenceVersionOf(env.reference)) === undefined,
  );
  const [first, ...others] = unaccepted.map((o) => finding(env, infoCase, source, facts, inputClasses, o));
  if (first === undefined) return;
  // Both modes travel: a JSON divergence already known must not hide a human one.
  throw new FindingError(first, others);
}

function finding(
  env: InfoPropertyEnv,
  infoCase: InfoCase,
  source: MaterialisedImage,
  facts: InfoFacts,
  inputClasses: string[],
  observation: Observation & { mode: Mode },
): Finding {
  const sourceName = `source.${source.format}`;
  const names = new Map([[source.path, sourceName]]);
  const argsOf = (tool: Tool): string[] => argvFor(tool, request(sourceName, source.format, observation.mode)).slice(tool.command.length);
  const found = observation.divergence;
  const partition = facts.hasPartitionTable ? ' Its first sector holds a valid MBR partition table.' : '';
  return {
    operation: 'info',
    caseValue: infoCase as unknown as JsonValue,
    caseInWords: `\`info\` (${observation.mode} output; qemu-img is told -f ${source.format}, instar probes) on a source image: ${describeSpec(infoCase.source)} (virtual size ${source.virtualSize}).${partition}`,
    divergence: { ...found, summary: renamePaths(found.summary, names), detail: renamePaths(found.detail, names) },
    reference: renameOutcome(observation.reference, names),
    candidate: renameOutcome(observation.candidate, names),
    inputClasses,
    repro: {
      inputs: [{ file: sourceName, steps: recipeFor(infoCase.source, sourceName) }],
      referenceArgs: argsOf(env.reference),
      candidateArgs: argsOf(env.candidate),
      compare: reproCompare(observation.mode),
    },
  };
}

