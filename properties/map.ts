import { allocationUnit, resolveMapWindow, snapOutward, windowRange, type MapCase, type MapWindow } from '../arbitraries/map-case.ts';
import type { CandidateTimePolicy } from '../drivers/candidate-time-limit.ts';
import type { ProcessOutcome } from '../drivers/process-outcome.ts';
import type { MapRequest } from '../drivers/requests.ts';
import { runReferenceAndCandidate } from '../drivers/run-pair.ts';
import { argvFor, type Tool } from '../drivers/tool.ts';
import { describeSpec, type ImageFormat } from '../images/image-spec.ts';
import { fingerprintOf, type ImageCache, type MaterialisedImage } from '../images/materialise.ts';
import { recipeFor } from '../images/recipe.ts';
import { divergence, type Divergence, type JsonValue, type Observation } from '../oracles/divergence.ts';
import {
  coveredSpan,
  coversExactly,
  diffRuns,
  humanStateKey,
  mapStateKey,
  mapTransitionKeys,
  parseMapHuman,
  parseMapJson,
  type HumanState,
  type MapState,
  type Parsed,
  type Run,
  type RunDifference,
} from '../oracles/map-output.ts';
import { describeViolation, specViolations } from '../oracles/map-spec.ts';
import { compareOutcomes } from '../oracles/outcome.ts';
import type { RunStats } from '../oracles/run-stats.ts';
import { FindingError, renameOutcome, renamePaths, type Finding } from '../reports/finding.ts';
import { matchMapWhitelist, type MapFacts, type MapTransition, type WhitelistTally } from '../whitelist.ts';
import { referenceVersionOf } from '../config/reference-version.ts';
import { mapReproCompare } from './map-repro.ts';

export interface MapPropertyEnv {
  readonly reference: Tool;
  readonly candidate: Tool;
  readonly timeoutMs: number;
  /** The candidate's limit per call, from the reference's time (drivers/candidate-time-limit.ts). */
  readonly candidateTime: CandidateTimePolicy;
  readonly images: ImageCache;
  readonly stats: RunStats;
}

type Mode = MapRequest['output'];
const MODES: readonly Mode[] = ['json', 'human'];

type Observed =
  | { readonly kind: 'agree' }
  | { readonly kind: 'inconclusive'; readonly reason: string }
  | { readonly kind: 'diverge'; readonly divergence: Divergence };

const agree: Observed = { kind: 'agree' };

function request(file: string, format: ImageFormat, window: MapWindow, output: Mode): MapRequest {
  return { op: 'map', file, format, startOffset: window.startOffset, maxLength: window.maxLength, output };
}

export function mapInputClasses(facts: MapFacts): string[] {
  const { window, range, widenedRange } = facts;
  const classes = [`source=${facts.mapCase.source.layout.format}`];
  if (window.startOffset === undefined && window.maxLength === undefined) classes.push('whole-image');
  if (range[0] === range[1]) classes.push('empty-window');
  else if (widenedRange[0] !== range[0] || widenedRange[1] !== range[1]) classes.push('window-unaligned');
  if (window.maxLength !== undefined && (window.startOffset ?? 0) + window.maxLength > facts.virtualSize) classes.push('window-past-end');
  return classes;
}

/** What one mode's comparison needs to know of the case. */
interface Context {
  readonly facts: MapFacts;
  readonly source: MaterialisedImage;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

function range(r: readonly [number, number] | undefined): string {
  return r === undefined ? 'nothing' : `[${r[0]}, ${r[1]})`;
}

/** Differences cut at the window's edges, so each lies wholly inside or outside it. */
function cutAtWindow<S>(differences: readonly RunDifference<S>[], window: readonly [number, number]): RunDifference<S>[] {
  return differences.flatMap((d) => {
    const cuts = [d.start, ...window.filter((c) => c > d.start && c < d.end), d.end];
    return cuts.slice(0, -1).map((start, i) => ({ ...d, start, end: cuts[i + 1]! }));
  });
}

/** Which output fields differ over one range (the finding's loci). */
function differingFields(mode: Mode, d: RunDifference<MapState | HumanState>): string[] {
  if (d.reference === undefined || d.candidate === undefined) return [mode === 'json' ? 'coverage' : 'mapped'];
  if (mode === 'json') {
    const [r, c] = [d.reference as MapState, d.candidate as MapState];
    return (['present', 'zero', 'data', 'compressed'] as const).filter((f) => r[f] !== c[f]);
  }
  const [r, c] = [d.reference as HumanState, d.candidate as HumanState];
  return [...(r.delta !== c.delta ? ['host-offset'] : []), ...(r.file !== c.file ? ['file'] : [])];
}

/** The reference against the window model and, for JSON, the spec's claims: a disagreement is the model's or qemu-img's. */
function referenceModelProblem(mode: Mode, parsed: Parsed<MapState> | Parsed<HumanState>, context: Context): string | undefined {
  if (parsed.kind !== 'parsed') return undefined;
  const { range: window } = context.facts;
  if (mode === 'json') {
    if (!coversExactly(parsed.runs as readonly Run<unknown>[], window[0], window[1])) {
      return `qemu-img's map covers ${range(coveredSpan(parsed.runs as readonly Run<unknown>[]))}; the window model says ${range(window[0] === window[1] ? undefined : window)}`;
    }
    const broken = specViolations(context.source.spec, context.source.virtualSize, (parsed as Parsed<MapState> & { kind: 'parsed' }).runs);
    return broken.length === 0 ? undefined : `qemu-img's map breaks the image spec: ${broken.slice(0, 3).map(describeViolation).join('; ')}`;
  }
  const span = coveredSpan(parsed.runs as readonly Run<unknown>[]);
  if (span !== undefined && (span[0] < window[0] || span[1] > window[1])) return `qemu-img's human map reaches ${range(span)}, outside the window ${range(window)}`;
  return undefined;
}

function describeDifferences(mode: Mode, differences: readonly RunDifference<MapState | HumanState>[]): string {
  const key = (s: MapState | HumanState | undefined): string => (mode === 'json' ? mapStateKey(s as MapState | undefined) : humanStateKey(s as HumanState | undefined));
  const shown = differences.slice(0, 8).map((d) => `bytes [${d.start}, ${d.end}): reference ${key(d.reference)}; candidate ${key(d.candidate)}`);
  if (differences.length > shown.length) shown.push(`… and ${differences.length - shown.length} more range(s)`);
  return shown.join('\n');
}

/** One output mode: outcome agreement, the reference against the models, then the two maps as functions of the offset. */
function observeMode(mode: Mode, reference: ProcessOutcome, candidate: ProcessOutcome, context: Context): Observed {
  const verdict = compareOutcomes(reference, candidate);
  if (verdict.kind === 'inconclusive') return verdict;
  if (verdict.kind === 'diverge') {
    const { divergence: d } = verdict;
    const said = `reference stderr: ${firstLine(reference.stderr) || '(empty)'}\ncandidate stderr: ${firstLine(candidate.stderr) || '(empty)'}`;
    return { kind: 'diverge', divergence: { ...d, summary: `map (${mode}): ${d.summary}`, detail: said, data: { ...d.data, mode } } };
  }
  if (!verdict.bothSucceeded) return agree;
  const parse = (text: string): Parsed<MapState> | Parsed<HumanState> => (mode === 'json' ? parseMapJson(text) : parseMapHuman(text));
  const ref = parse(reference.stdout);
  if (ref.kind === 'invalid') return { kind: 'inconclusive', reason: `qemu-img's map (${mode}) does not parse: ${ref.reason}` };
  const problem = referenceModelProblem(mode, ref, context);
  if (problem !== undefined) return { kind: 'diverge', divergence: divergence('model-mismatch', `map (${mode}): ${problem}`, '', { mode }) };
  const cand = parse(candidate.stdout);
  if (cand.kind === 'invalid') {
    return {
      kind: 'diverge',
      divergence: divergence('metadata', `map (${mode}): the candidate's output is not a map: ${cand.reason}`, candidate.stdout.slice(0, 500), {
        document: 'map',
        mode,
        fields: [{ field: 'shape' }],
      }),
    };
  }
  const key = (s: MapState | HumanState | undefined): string => (mode === 'json' ? mapStateKey(s as MapState | undefined) : humanStateKey(s as HumanState | undefined));
  const { range: window, widenedRange } = context.facts;
  const differences = cutAtWindow(diffRuns<MapState | HumanState>(ref.runs as readonly Run<MapState | HumanState>[], cand.runs as readonly Run<MapState | HumanState>[], key), window);
  if (differences.length === 0) return agree;
  const inside = (d: RunDifference<unknown>): boolean => d.start >= window[0] && d.end <= window[1];
  const transitions = new Map<string, MapTransition>();
  for (const d of differences) {
    const [referenceKey, candidateKey] =
      mode === 'json' ? mapTransitionKeys(d.reference as MapState | undefined, d.candidate as MapState | undefined) : [key(d.reference), key(d.candidate)];
    const t: MapTransition = { where: inside(d) ? 'inside' : 'outside', reference: referenceKey, candidate: candidateKey };
    transitions.set(JSON.stringify(t), t);
  }
  const fields = [...new Set(differences.flatMap((d) => differingFields(mode, d)))].sort();
  const candidateBroken =
    mode === 'json' ? specViolations(context.source.spec, context.source.virtualSize, (cand as Parsed<MapState> & { kind: 'parsed' }).runs) : [];
  const span = (s: readonly [number, number] | undefined): JsonValue => (s === undefined ? null : [s[0], s[1]]);
  const last = differences[differences.length - 1]!;
  const detail = [
    describeDifferences(mode, differences),
    ...(candidateBroken.length > 0 ? ['The candidate also breaks the image spec:', ...candidateBroken.slice(0, 4).map(describeViolation)] : []),
  ].join('\n');
  return {
    kind: 'diverge',
    divergence: divergence('metadata', `map (${mode}) differs at bytes [${differences[0]!.start}, ${differences[0]!.end}) (${fields.join(', ')})`, detail, {
      document: 'map',
      mode,
      fields: fields.map((field) => ({ field })),
      transitions: [...transitions.values()].map((t) => ({ ...t })),
      referenceSpan: span(coveredSpan(ref.runs as readonly Run<unknown>[])),
      candidateSpan: span(coveredSpan(cand.runs as readonly Run<unknown>[])),
      differenceSpan: [differences[0]!.start, last.end],
      window: [window[0], window[1]],
      widenedWindow: [widenedRange[0], widenedRange[1]],
      candidateExtents: cand.extents,
      candidateRuns: cand.runs.length,
      candidateMeetsSpec: candidateBroken.length === 0,
    }),
  };
}

const silentTally: WhitelistTally = { eligible: () => undefined, hit: () => undefined };

export function mapFactsOf(mapCase: MapCase, virtualSize: number): MapFacts {
  const window = resolveMapWindow(mapCase, virtualSize);
  const covered = windowRange(window, virtualSize);
  return { mapCase, window, virtualSize, range: covered, widenedRange: snapOutward(covered, allocationUnit(mapCase.source.layout), virtualSize) };
}

/**
 * One map case: both tools map the same source over the same window, in
 * JSON and in human form. Outcomes must agree; qemu-img's map must cover
 * exactly the window and keep the spec's claims (else the models or
 * qemu-img are wrong, reported as such); then every byte must be classed
 * alike (present, zero, data; in human form, mapped at the same host
 * offset), however either side splits its extents. Throws a FindingError on
 * a divergence no whitelist entry accepts.
 */
export async function checkMapCase(env: MapPropertyEnv, mapCase: MapCase): Promise<void> {
  env.stats.runs++;
  const source = await env.images.get(mapCase.source);
  const facts = mapFactsOf(mapCase, source.virtualSize);
  const inputClasses = mapInputClasses(facts);
  env.stats.classify(inputClasses);
  const context: Context = { facts, source };

  const runs = await Promise.all(
    MODES.map(async (mode) => {
      const call = request(source.path, source.format, facts.window, mode);
      const [reference, candidate] = await runReferenceAndCandidate(env, call, call);
      return { mode, reference, candidate, observed: observeMode(mode, reference, candidate, context) };
    }),
  );
  const sourceChanged = fingerprintOf(source.path) !== source.fingerprint;
  if (sourceChanged) env.images.evict(mapCase.source);

  const inconclusive = runs.find((r) => r.observed.kind === 'inconclusive');
  if (inconclusive !== undefined && inconclusive.observed.kind === 'inconclusive') {
    env.stats.inconclusive.push(`map ${inconclusive.mode} on ${describeSpec(mapCase.source)}: ${inconclusive.observed.reason}`);
    return;
  }
  const observations: Array<Observation & { mode: Mode }> = runs.flatMap((r) =>
    r.observed.kind === 'diverge' ? [{ mode: r.mode, divergence: r.observed.divergence, reference: r.reference, candidate: r.candidate }] : [],
  );
  if (sourceChanged && observations.length === 0 && runs[0] !== undefined) {
    observations.push({ ...runs[0], divergence: divergence('input-modified', 'map changed the source image') });
  }
  const version = referenceVersionOf(env.reference);
  if (observations.length === 0) {
    matchMapWhitelist(facts, undefined, env.stats, version);
    return;
  }
  // A model mismatch is never whitelisted; each mode's divergence needs its own acceptance.
  const unaccepted = observations.find((o, i) => matchMapWhitelist(facts, o, i === 0 ? env.stats : silentTally, version) === undefined);
  if (unaccepted === undefined) return;
  throw new FindingError(finding(env, mapCase, source, facts, inputClasses, unaccepted));
}

function describeWindow(window: MapWindow): string {
  const parts = [
    ...(window.startOffset !== undefined ? [`--start-offset ${window.startOffset}`] : []),
    ...(window.maxLength !== undefined ? [`--max-length ${window.maxLength}`] : []),
  ];
  return parts.length === 0 ? 'the whole image' : parts.join(' ');
}

function finding(env: MapPropertyEnv, mapCase: MapCase, source: MaterialisedImage, facts: MapFacts, inputClasses: string[], observation: Observation & { mode: Mode }): Finding {
  const sourceName = `source.${source.format}`;
  const names = new Map([[source.path, sourceName]]);
  const argsOf = (tool: Tool): string[] => argvFor(tool, request(sourceName, source.format, facts.window, observation.mode)).slice(tool.command.length);
  const found = observation.divergence;
  return {
    operation: 'map',
    caseValue: mapCase as unknown as JsonValue,
    caseInWords: `\`map\` (${observation.mode} output) over ${describeWindow(facts.window)} (bytes [${facts.range[0]}, ${facts.range[1]})) of a source image: ${describeSpec(mapCase.source)} (virtual size ${source.virtualSize}).`,
    divergence: { ...found, summary: renamePaths(found.summary, names), detail: renamePaths(found.detail, names), data: JSON.parse(renamePaths(JSON.stringify(found.data), names)) as Divergence['data'] },
    reference: renameOutcome(observation.reference, names),
    candidate: renameOutcome(observation.candidate, names),
    inputClasses,
    repro: {
      inputs: [{ file: sourceName, steps: recipeFor(mapCase.source, sourceName) }],
      referenceArgs: argsOf(env.reference),
      candidateArgs: argsOf(env.candidate),
      compare: mapReproCompare(observation.mode),
    },
  };
}
