import type { DdCase, DdWindow } from './arbitraries/dd-case.ts';
import { exitedWith } from './drivers/process-outcome.ts';
import type { Operation } from './drivers/requests.ts';
import type { JsonValue, Observation } from './oracles/divergence.ts';
import type { DdPrediction } from './oracles/dd-model.ts';
import type { CheckCase } from './arbitraries/check-case.ts';
import { parseFlatJson } from './oracles/check-flat-json.ts';
import type { MeasureCase } from './arbitraries/measure-case.ts';
import type { InfoCase } from './arbitraries/info-case.ts';
import { reportsRawFormat } from './oracles/info-output.ts';
import { optionValue, requestedBytesOf, type CreateCase } from './arbitraries/create-case.ts';
import { toSafeNumber } from './oracles/exact-json.ts';
import type { JsonDifference } from './oracles/info-output.ts';
import { vpcVirtualSize } from './oracles/vpc-geometry.ts';
import { INSTAR_VHDX_DEFAULT_BLOCK_SIZE, vhdxDefaultBlockSize } from './oracles/create-defaults.ts';
import { holdsFor, type KnownFor, type ReferenceVersion } from './config/reference-version.ts';
import type { MapCase, MapWindow } from './arbitraries/map-case.ts';
import type { RepairCase } from './arbitraries/repair-case.ts';
import type { AmendCase } from './arbitraries/amend-case.ts';
import { FORMATS_QEMU_CANNOT_RESIZE, type ResizeCase } from './arbitraries/resize-case.ts';
import type { BenchOpCase } from './arbitraries/bench-op-case.ts';
import { firstOverrun, type BenchSchedule } from './oracles/bench-op-model.ts';
import type { ImageFormat } from './images/image-spec.ts';
import type { LifecycleStep } from './arbitraries/lifecycle-case.ts';
import type { LifecycleModel } from './oracles/lifecycle-model.ts';
import { TOP, type ChainStep } from './arbitraries/chain-case.ts';
import { chainBelow, type ChainModel } from './oracles/chain-model.ts';

/**
 * Known divergences. Each entry names ONE input class (`appliesTo`) and ONE
 * outcome signature inside it (`accepts`). Anything else in that class, a
 * crash, a hang, a readable output of the wrong size, is still a finding.
 * Every entry says why it exists and where that is documented.
 */
export interface WhitelistEntry<Facts> {
  readonly id: string;
  readonly operation: Operation;
  readonly reason: string;
  /** Where the divergence is documented. */
  readonly documentedAt: string;
  /** The single outcome accepted, in words, for reports and notes. */
  readonly signature: string;
  /**
   * The reference versions whose behaviour the signature was checked
   * against. Against any other reference the entry is never eligible.
   */
  readonly knownFor: KnownFor;
  readonly appliesTo: (facts: Facts) => boolean;
  readonly accepts: (observation: Observation) => boolean;
}

/** What a dd whitelist entry may look at. */
export interface DdFacts {
  readonly ddCase: DdCase;
  readonly window: DdWindow;
  readonly sourceVirtualSize: number;
  readonly prediction: DdPrediction;
}

function emptyWindow(facts: DdFacts): boolean {
  return facts.prediction.kind === 'fails' || facts.prediction.length === 0;
}

const FACTS_DD = 'shared/reference/FACTS.md, "Known divergences", dd empty window; instar PLAN-dd phase 09 (shared/seeds/000_9efbf673fd970646.txt)';

export const ddWhitelist: ReadonlyArray<WhitelistEntry<DdFacts>> = [
  {
    id: 'dd-empty-window-vmdk',
    operation: 'dd',
    reason:
      'qemu-img cannot create a zero-capacity monolithicSparse vmdk and exits 1; instar writes an (unreadable) empty vmdk and exits 0.',
    documentedAt: FACTS_DD,
    knownFor: 'all',
    signature: 'reference exits 1 and candidate exits 0 with an output qemu-img cannot read or reads as empty',
    appliesTo: (f) => f.ddCase.target === 'vmdk' && emptyWindow(f),
    accepts: (o) =>
      o.divergence.kind === 'exit-status' &&
      exitedWith(o.reference, 1) &&
      exitedWith(o.candidate, 0) &&
      // A readable image with data in it is a wrong size, not this divergence.
      (o.divergence.data['candidateVirtualSize'] === null || o.divergence.data['candidateVirtualSize'] === 0),
  },
  {
    id: 'dd-empty-window-vhdx',
    operation: 'dd',
    reason:
      "instar's zero-size vhdx is rejected by qemu-img info/convert (instar's phase-4 limitation); qemu-img's own empty vhdx is readable.",
    documentedAt: FACTS_DD,
    knownFor: 'all',
    signature: "both exit 0; qemu-img reads the reference's output as 0 bytes and cannot read the candidate's",
    appliesTo: (f) => f.ddCase.target === 'vhdx' && emptyWindow(f),
    accepts: (o) =>
      o.divergence.kind === 'output-unreadable' &&
      o.divergence.data['referenceVirtualSize'] === 0 &&
      exitedWith(o.reference, 0) &&
      exitedWith(o.candidate, 0),
  },
];

/**
 * The entry that accepts this observation, if any. Entries that apply to the
 * case are counted as eligible, so a campaign can list entries that were
 * eligible often and never hit (probably fixed; time to remove them).
 */
export function matchWhitelist<Facts>(
  entries: ReadonlyArray<WhitelistEntry<Facts>>,
  facts: Facts,
  observation: Observation | undefined,
  tally: WhitelistTally,
  reference: ReferenceVersion,
): WhitelistEntry<Facts> | undefined {
  let accepted: WhitelistEntry<Facts> | undefined;
  for (const entry of entries) {
    if (!eligible(entry, facts, reference)) continue;
    tally.eligible(entry.id);
    if (accepted === undefined && observation !== undefined && entry.accepts(observation)) {
      accepted = entry;
      tally.hit(entry.id);
    }
  }
  return accepted;
}

/** The entry applies to this case, against this reference version. */
export function eligible<Facts>(entry: WhitelistEntry<Facts>, facts: Facts, reference: ReferenceVersion): boolean {
  return holdsFor(entry.knownFor, reference) && entry.appliesTo(facts);
}

export interface WhitelistTally {
  eligible(id: string): void;
  hit(id: string): void;
}

// ---------------------------------------------------------------------------
// check
// ---------------------------------------------------------------------------

/** What a check whitelist entry may look at. */
export interface CheckFacts {
  readonly checkCase: CheckCase;
}

/** True when the candidate's JSON is a clean report: no corruptions, leaks or check errors. */
function cleanCheckReport(stdout: string): boolean {
  const report = parseFlatJson(stdout);
  if (report === undefined) return false;
  return ['corruptions', 'leaks', 'check-errors'].every((f) => report[f] === undefined || report[f] === 0);
}

export const checkWhitelist: ReadonlyArray<WhitelistEntry<CheckFacts>> = [
  {
    id: 'check-vpc-unchecked-by-reference',
    operation: 'check',
    reason:
      'qemu-img 7.2 has no consistency check for vpc ("This image format does not support checks", exit 63); instar checks vpc images too. ' +
      'Of the formats instar adds (vmdk, vpc, vhdx), only vpc is unchecked by 7.2: vmdk and vhdx exit 0 on clean images.',
    documentedAt:
      'shared/reference/FACTS.md, "instar\'s command line", check row ("also checks vmdk, vpc and vhdx") and "qemu-img behaviour" (63 = no checks); verified with qemu-img 7.2.22 and 10.0.2 (10.0 has no vpc check either)',
    knownFor: 'all',
    signature: 'reference exits 63; candidate exits 0 and prints a JSON report with no corruptions, leaks or check errors',
    appliesTo: (f) => f.checkCase.kind === 'clean' && f.checkCase.source.layout.format === 'vpc',
    accepts: (o) =>
      o.divergence.kind === 'exit-status' &&
      exitedWith(o.reference, 63) &&
      exitedWith(o.candidate, 0) &&
      cleanCheckReport(o.candidate.stdout),
  },
];

// ---------------------------------------------------------------------------
// info
// ---------------------------------------------------------------------------

/** What an info whitelist entry may look at. */
export interface InfoFacts {
  readonly infoCase: InfoCase;
  /** The first sector passes instar's documented MBR/GPT rule (oracles/info-partition-table.ts). */
  readonly hasPartitionTable: boolean;
}

/** instar's refusal, narrowly: "unknown format" or "unknown image format". */
const UNKNOWN_FORMAT_MESSAGE = /\bunknown (image )?format\b/i;

export const infoWhitelist: ReadonlyArray<WhitelistEntry<InfoFacts>> = [
  {
    id: 'info-raw-without-partition-table',
    operation: 'info',
    reason:
      'instar refuses to take a file without a format header as raw unless its first sector holds a valid MBR or GPT ' +
      '(a guard against backing-file disclosure, CVE-2015-5163/CVE-2024-32498); qemu-img takes any such file as raw. ' +
      '`--unsafe-quirks` restores qemu-img behaviour; the suite runs instar as users do, without it.',
    documentedAt:
      'shared/reference/FACTS.md, "instar\'s command line", info row, and "Known divergences", info; instar README "RAW Format Validation"',
    knownFor: 'all',
    signature:
      'reference exits 0 and reports format raw; candidate exits non-zero (not a crash or hang) with "unknown format" on stderr',
    appliesTo: (f) => f.infoCase.source.layout.format === 'raw' && !f.hasPartitionTable,
    accepts: (o) =>
      o.divergence.kind === 'exit-status' &&
      exitedWith(o.reference, 0) &&
      reportsRawFormat(o.reference.stdout) &&
      o.candidate.termination.kind === 'exited' &&
      o.candidate.termination.code !== 0 &&
      UNKNOWN_FORMAT_MESSAGE.test(o.candidate.stderr),
  },
];

// ---------------------------------------------------------------------------
// measure
// ---------------------------------------------------------------------------

/** What a measure whitelist entry may look at. */
export interface MeasureFacts {
  readonly measureCase: MeasureCase;
}

/**
 * No known measure divergence (FACTS.md lists none: instar's fixed-VHD and
 * small-VPC measure bugs are fixed bugs, not tolerated differences). The
 * targets only the candidate measures (vmdk, vpc, vhdx) need no entry: they
 * are checked against bounds, never against qemu-img's refusal.
 */
export const measureWhitelist: ReadonlyArray<WhitelistEntry<MeasureFacts>> = [];

// ---------------------------------------------------------------------------
// create
// ---------------------------------------------------------------------------

/** What a create whitelist entry may look at. */
export interface CreateFacts {
  readonly createCase: CreateCase;
}

/**
 * A create entry's one signature is a list of `info` differences (after the
 * faithful normaliser, oracles/info-json.ts), exact in path and in both
 * values, computed from the case: the metadata divergence must show exactly
 * these and nothing else. The divergence carries what it saw
 * (data.differences) and the case it saw it in (data.createCase).
 */
export interface CreateWhitelistEntry extends WhitelistEntry<CreateFacts> {
  readonly expectedDifferences: (createCase: CreateCase) => JsonDifference[];
}

const FACTS_CREATE =
  'shared/reference/FACTS.md, "Known divergences", create; instar PLAN-create phase 8b KNOWN_WRITER_DIVERGENCES, listed in phase 10 (shared/seeds/001_1118724922a87295.txt)';

const difference = (path: string, reference: unknown, candidate: unknown): JsonDifference => ({
  path,
  reference: reference === undefined ? '(absent)' : JSON.stringify(reference),
  candidate: candidate === undefined ? '(absent)' : JSON.stringify(candidate),
});

/** The requested size as a number, for vpc and vhdx cases (their limits are far below 2^53). */
function requestedNumber(c: CreateCase): number {
  return toSafeNumber(requestedBytesOf(c) ?? 0n);
}

function differenceKey(d: JsonDifference): string {
  return JSON.stringify([d.path, d.reference, d.candidate]);
}

function sameDifferences(seen: readonly JsonDifference[], expected: readonly JsonDifference[]): boolean {
  const a = seen.map(differenceKey).sort();
  const b = expected.map(differenceKey).sort();
  return a.length === b.length && a.every((key, i) => key === b[i]);
}

/** The differences and case a create metadata divergence carries, when it is one. */
function infoDivergenceOf(o: Observation): { differences: JsonDifference[]; createCase: CreateCase } | undefined {
  const { kind, data } = o.divergence;
  if (kind !== 'metadata' || data['document'] !== 'info') return undefined;
  if (!exitedWith(o.reference, 0) || !exitedWith(o.candidate, 0)) return undefined;
  const differences = data['differences'];
  const createCase = data['createCase'];
  if (!Array.isArray(differences) || typeof createCase !== 'object' || createCase === null) return undefined;
  return { differences: differences as unknown as JsonDifference[], createCase: createCase as unknown as CreateCase };
}

function createEntry(
  entry: Omit<CreateWhitelistEntry, 'operation' | 'accepts'>,
): CreateWhitelistEntry {
  return {
    ...entry,
    operation: 'create',
    accepts: (o) => {
      const seen = infoDivergenceOf(o);
      return seen !== undefined && sameDifferences(seen.differences, entry.expectedDifferences(seen.createCase));
    },
  };
}

const qcow2Data = (field: string): string => `format-specific.data.${field}`;

function validQcow2(f: CreateFacts): boolean {
  return f.createCase.target === 'qcow2' && f.createCase.flaw === null;
}

export const createWhitelist: ReadonlyArray<CreateWhitelistEntry> = [
  createEntry({
    id: 'create-vpc-chs-size',
    reason:
      "qemu-img rounds a vpc image's size up to the next size a CHS geometry can express (unless force_size=on); instar writes the size asked for.",
    documentedAt: `${FACTS_CREATE}; "qemu-img behaviour" (vpc CHS rounding); the rounding is modelled in oracles/vpc-geometry.ts`,
    knownFor: 'all',
    signature:
      'only virtual-size differs: the reference reports the CHS-rounded size of the request (vpcVirtualSize), the candidate the request rounded up to a whole sector',
    appliesTo: (f) => {
      const c = f.createCase;
      if (c.target !== 'vpc' || c.flaw !== null || c.requestedBytes === null) return false;
      if (optionValue(c.options, 'force_size') === 'on') return false;
      return vpcVirtualSize(requestedNumber(c)) !== vpcVirtualSize(requestedNumber(c), true);
    },
    expectedDifferences: (c) => [
      difference('virtual-size', vpcVirtualSize(requestedNumber(c)), vpcVirtualSize(requestedNumber(c), true)),
    ],
  }),
  createEntry({
    id: 'create-qcow2-refcount-bits',
    reason: 'instar writes 16-bit refcounts whatever refcount_bits asks (historically hard-coded).',
    documentedAt: FACTS_CREATE,
    knownFor: 'all',
    signature: 'only format-specific.data.refcount-bits differs: the reference reports the width asked, the candidate 16',
    appliesTo: (f) => {
      const bits = optionValue(f.createCase.options, 'refcount_bits');
      return validQcow2(f) && bits !== undefined && bits !== '16';
    },
    expectedDifferences: (c) => [difference(qcow2Data('refcount-bits'), Number(optionValue(c.options, 'refcount_bits')), 16)],
  }),
  createEntry({
    id: 'create-qcow2-compat-0.10',
    reason: 'instar writes a version 3 (compat 1.1) header when compat=0.10 is asked.',
    documentedAt: FACTS_CREATE,
    knownFor: 'all',
    signature:
      'only format-specific.data differs: compat "0.10" becomes "1.1", and the candidate adds the v3 fields lazy-refcounts, corrupt and extended-l2, all false',
    appliesTo: (f) => validQcow2(f) && optionValue(f.createCase.options, 'compat') === '0.10',
    expectedDifferences: () => [
      difference(qcow2Data('compat'), '0.10', '1.1'),
      difference(qcow2Data('lazy-refcounts'), undefined, false),
      difference(qcow2Data('corrupt'), undefined, false),
      difference(qcow2Data('extended-l2'), undefined, false),
    ],
  }),
  createEntry({
    id: 'create-qcow2-zstd',
    reason: 'instar accepts compression_type=zstd and writes a zlib image.',
    documentedAt: FACTS_CREATE,
    knownFor: 'all',
    signature: 'only format-specific.data.compression-type differs: "zstd" in the reference, "zlib" in the candidate',
    appliesTo: (f) => validQcow2(f) && optionValue(f.createCase.options, 'compression_type') === 'zstd',
    expectedDifferences: () => [difference(qcow2Data('compression-type'), 'zstd', 'zlib')],
  }),
  createEntry({
    id: 'create-vhdx-default-block-size',
    reason:
      "With no block_size, instar writes 8 MiB blocks at every size; qemu-img's default grows with the image (8 MiB up to 1 GiB, 16 MiB to 100 GiB, 32 MiB to 32 TiB, then 64 MiB), so the two differ above 1 GiB.",
    documentedAt: `${FACTS_CREATE}; qemu-img's defaults (the same in 7.2 and 10.0) verified at each boundary and modelled in oracles/create-defaults.ts`,
    knownFor: 'all',
    signature: "only cluster-size differs: the reference reports qemu-img's default for the size, the candidate 8388608",
    appliesTo: (f) => {
      const c = f.createCase;
      const block = optionValue(c.options, 'block_size');
      if (c.target !== 'vhdx' || c.flaw !== null || c.requestedBytes === null) return false;
      if (block !== undefined && block !== '0') return false;
      return vhdxDefaultBlockSize(requestedNumber(c)) !== INSTAR_VHDX_DEFAULT_BLOCK_SIZE;
    },
    expectedDifferences: (c) => [
      difference('cluster-size', vhdxDefaultBlockSize(requestedNumber(c)), INSTAR_VHDX_DEFAULT_BLOCK_SIZE),
    ],
  }),
];

/**
 * The entries that together accept a create observation: one entry whose
 * signature is the whole difference, or (a case can ask for two documented
 * gaps at once, e.g. refcount_bits=8 with zstd) several applicable entries
 * whose signatures split the differences exactly between them. Eligibility
 * is counted once per case, through matchWhitelist.
 */
export function matchCreateWhitelist(
  facts: CreateFacts,
  observation: Observation | undefined,
  tally: WhitelistTally,
  reference: ReferenceVersion,
): readonly CreateWhitelistEntry[] | undefined {
  const single = matchWhitelist(createWhitelist, facts, observation, tally, reference);
  if (single !== undefined) return createWhitelist.filter((e) => e.id === single.id);
  const seen = observation === undefined ? undefined : infoDivergenceOf(observation);
  if (seen === undefined) return undefined;
  const applicable = createWhitelist.filter((e) => eligible(e, facts, reference));
  for (let mask = 1; mask < 1 << applicable.length; mask++) {
    const subset = applicable.filter((_, i) => (mask & (1 << i)) !== 0);
    if (subset.length < 2) continue;
    if (sameDifferences(seen.differences, subset.flatMap((e) => e.expectedDifferences(seen.createCase)))) {
      for (const entry of subset) tally.hit(entry.id);
      return subset;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// map
// ---------------------------------------------------------------------------

/** What a map whitelist entry may look at. */
export interface MapFacts {
  readonly mapCase: MapCase;
  readonly window: MapWindow;
  readonly virtualSize: number;
  /** The bytes the window covers (arbitraries/map-case.ts windowRange), and the same widened to whole allocation units. */
  readonly range: readonly [number, number];
  readonly widenedRange: readonly [number, number];
}

/**
 * One kind of byte-level difference a map divergence shows: what each side
 * says of some bytes (oracles/map-output.ts keys), and whether those bytes
 * lie inside the window the reference covers.
 */
export interface MapTransition {
  readonly where: 'inside' | 'outside';
  readonly reference: string;
  readonly candidate: string;
}

/** A map divergence as properties/map.ts records it in `data`. */
export interface MapDivergenceData {
  readonly mode: 'json' | 'human';
  readonly transitions: readonly MapTransition[];
  /** [first, last) byte each side covers (json) or maps (human); null when none. */
  readonly referenceSpan: readonly [number, number] | null;
  readonly candidateSpan: readonly [number, number] | null;
  /** [first, last) byte that differs. */
  readonly differenceSpan: readonly [number, number];
  /** The bytes the window covers, and the same widened to whole allocation units (arbitraries/map-case.ts). */
  readonly window: readonly [number, number];
  readonly widenedWindow: readonly [number, number];
  /** Extents (json) or lines (human) the candidate printed, and its maximal runs of equal state. */
  readonly candidateExtents: number;
  readonly candidateRuns: number;
  /** json: no claim of the image spec is broken by the candidate's map (oracles/map-spec.ts); human: true. */
  readonly candidateMeetsSpec: boolean;
}

/**
 * A map entry explains some transitions (`explains`) and, when it is among
 * the entries accepting an observation, requires its exact shape
 * (`requires`). An observation is accepted by a set of eligible entries when
 * both tools exit 0, the candidate breaks no claim of the spec, every
 * transition is explained by one of them, each explains at least one, and
 * each one's requirement holds. A crash, a hang, a failure, an unparsable
 * output or any other difference is therefore still a finding.
 */
export interface MapWhitelistEntry extends WhitelistEntry<MapFacts> {
  readonly explains: (t: MapTransition, d: MapDivergenceData) => boolean;
  readonly requires: (d: MapDivergenceData) => boolean;
}

export function mapDivergenceData(o: Observation): MapDivergenceData | undefined {
  const { kind, data } = o.divergence;
  if (kind !== 'metadata' || data['document'] !== 'map') return undefined;
  if (!exitedWith(o.reference, 0) || !exitedWith(o.candidate, 0)) return undefined;
  return data as unknown as MapDivergenceData;
}

function sameSpan(a: readonly [number, number] | null, b: readonly [number, number] | null): boolean {
  return a !== null && b !== null && a[0] === b[0] && a[1] === b[1];
}

function acceptedBy(entries: readonly MapWhitelistEntry[], o: Observation): boolean {
  const d = mapDivergenceData(o);
  if (d === undefined || !d.candidateMeetsSpec || d.transitions.length === 0 || entries.length === 0) return false;
  const explained = d.transitions.every((t) => entries.some((e) => e.explains(t, d)));
  const each = entries.every((e) => d.transitions.some((t) => e.explains(t, d)) && e.requires(d));
  return explained && each;
}

function mapEntry(entry: Omit<MapWhitelistEntry, 'operation' | 'accepts'>): MapWhitelistEntry {
  const whole: MapWhitelistEntry = { ...entry, operation: 'map', accepts: () => false };
  // Alone, the entry accepts exactly what it explains and requires.
  return { ...whole, accepts: (o) => acceptedBy([whole], o) };
}

const INSTAR_MAP = 'shared/reference/instar-ops.md section 2 (map), "Tolerated divergences"; instar docs/map.md and quirks.md';
const RAW_STATE = 'present,-zero,data';

export const mapWhitelist: ReadonlyArray<MapWhitelistEntry> = [
  mapEntry({
    id: 'map-raw-one-allocated-extent',
    reason:
      'On raw, instar reports the whole window as one allocated data extent; qemu-img asks the file system (SEEK_DATA/SEEK_HOLE) and reports holes as present zero extents. ' +
      'The human line follows from the same extent (inference: instar prints its extents as qemu-img does).',
    documentedAt: `${INSTAR_MAP} (raw is gated out of the peer fuzzer: "instar emits one fully-allocated extent")`,
    knownFor: 'all',
    signature:
      'json: the candidate prints exactly one extent, over exactly the window (or the window widened to whole units, with map-window-clipped-to-allocation-unit), present=true zero=false data=true; every differing byte inside the window is present,zero,-data in the reference. ' +
      'human: the candidate maps the same span as one run at host offset = guest offset in the same file; every differing byte inside the window is unmapped in the reference',
    appliesTo: (f) => f.mapCase.source.layout.format === 'raw',
    explains: (t, d) =>
      t.where === 'inside' &&
      (d.mode === 'json' ? t.reference === 'present,zero,-data' && t.candidate === RAW_STATE : t.reference === 'unmapped' && t.candidate.startsWith('mapped at +0 in ')),
    // Over the window, or the widened window when the clipping entry explains the bytes outside.
    requires: (d) =>
      d.candidateRuns === 1 &&
      (sameSpan(d.candidateSpan, d.window) || sameSpan(d.candidateSpan, d.widenedWindow)) &&
      (d.mode === 'human' || d.candidateExtents === 1),
  }),
  mapEntry({
    id: 'map-vpc-unallocated-not-present',
    reason:
      'For a dynamic VHD block with no BAT entry (0xFFFFFFFF) instar reports present=false; qemu-img reports present=true, zero=true ("ZeroAllocated"). zero and data agree.',
    documentedAt: `${INSTAR_MAP}; shared/reference/FACTS.md "Known divergences", map on vpc`,
    knownFor: 'all',
    signature: 'json only: every differing byte is present,zero,-data in the reference and -present,zero,-data in the candidate',
    appliesTo: (f) => f.mapCase.source.layout.format === 'vpc' && f.mapCase.source.layout.subformat === 'dynamic',
    explains: (t, d) => d.mode === 'json' && t.where === 'inside' && t.reference === 'present,zero,-data' && t.candidate === '-present,zero,-data',
    requires: () => true,
  }),
  mapEntry({
    id: 'map-window-clipped-to-allocation-unit',
    reason:
      'instar-ops.md: windows are aligned "to dodge the documented \'instar clips bytes, qemu-img clips clusters\' quirk": one tool clips an unaligned window to the byte, the other to whole allocation units. ' +
      'qemu-img 7.2.22 and 10.0.2 clip to the byte (checked: an unaligned window gives unaligned first and last extents), so the entry accepts the candidate widening the window to whole units, and nothing else.',
    documentedAt: INSTAR_MAP,
    knownFor: 'all',
    signature:
      'every differing byte lies outside the window the reference covers and inside that window widened to whole allocation units (qcow2 cluster, vmdk grain, VHD/VHDX block, 512 for raw and fixed VHD), capped at the virtual size; ' +
      'json: the candidate covers exactly the widened window',
    appliesTo: (f) => f.widenedRange[0] !== f.range[0] || f.widenedRange[1] !== f.range[1],
    explains: (t, d) => t.where === 'outside' && d.differenceSpan[0] >= d.widenedWindow[0] && d.differenceSpan[1] <= d.widenedWindow[1],
    requires: (d) => d.mode === 'human' || (sameSpan(d.referenceSpan, d.window) && sameSpan(d.candidateSpan, d.widenedWindow)),
  }),
];

/**
 * The entries that together accept a map observation: one alone, or
 * several eligible ones whose explanations split the transitions between
 * them (a dynamic VHD mapped over an unaligned window may show two).
 */
export function matchMapWhitelist(
  facts: MapFacts,
  observation: Observation | undefined,
  tally: WhitelistTally,
  reference: ReferenceVersion,
): readonly MapWhitelistEntry[] | undefined {
  const applicable = mapWhitelist.filter((e) => eligible(e, facts, reference));
  for (const entry of applicable) tally.eligible(entry.id);
  if (observation === undefined) return undefined;
  for (let mask = 1; mask < 1 << applicable.length; mask++) {
    const subset = applicable.filter((_, i) => (mask & (1 << i)) !== 0);
    if (acceptedBy(subset, observation)) {
      for (const entry of subset) tally.hit(entry.id);
      return subset;
    }
  }
  return undefined;
}

/**
 * A refusal, narrowly: the candidate exited (no signal, no timeout) with a
 * failure status and left its copy of the source byte for byte as it was
 * (`candidateUnchanged`, computed by the property: resize, bench), where
 * qemu-img ran to exit 0.
 */
function refusedUntouched(o: Observation): boolean {
  return (
    o.divergence.kind === 'exit-status' &&
    exitedWith(o.reference, 0) &&
    o.candidate.termination.kind === 'exited' &&
    o.candidate.termination.code !== 0 &&
    o.divergence.data['candidateUnchanged'] === true
  );
}

// ---------------------------------------------------------------------------
// resize
// ---------------------------------------------------------------------------

/** What a resize whitelist entry may look at. */
export interface ResizeFacts {
  readonly resizeCase: ResizeCase;
  readonly format: ImageFormat;
  /** The source's virtual size as qemu-img reads it, and the size asked for. */
  readonly virtualSize: number;
  readonly newSize: number;
}

/** qemu-img 7.2.22's and 10.0.2's refusal for vmdk, vpc and vhdx (checked on both), exit 1. */
export const QEMU_CANNOT_RESIZE_MESSAGE = 'qemu-img: Image format driver does not support resize';

export const resizeWhitelist: ReadonlyArray<WhitelistEntry<ResizeFacts>> = [
  {
    id: 'resize-grow-format-qemu-cannot-resize',
    operation: 'resize',
    reason:
      'qemu-img has no resize for vmdk, vpc or vhdx and refuses; instar grows them. The candidate\'s grown image must still read correctly: ' +
      'properties/resize.ts checks it against the resize model (readable by qemu-img, the new size, VHD CHS rounding allowed, the old data kept, zeros past it, a clean check) before this entry is asked.',
    documentedAt: 'shared/reference/instar-ops.md section 3 (resize), "Avoided" ("qemu-img can\'t resize vmdk/vhd/vhdx on any shipped version") and "instar quirks" ("instar can grow vmdk, vpc and vhdx")',
    knownFor: 'all',
    signature: `reference refuses with "${QEMU_CANNOT_RESIZE_MESSAGE}" (exit 1), candidate exits 0 and its image meets the resize model`,
    appliesTo: (f) => FORMATS_QEMU_CANNOT_RESIZE.includes(f.format) && f.newSize > f.virtualSize,
    accepts: (o) =>
      o.divergence.kind === 'exit-status' &&
      exitedWith(o.reference, 1) &&
      o.divergence.data['referenceMessage'] === QEMU_CANNOT_RESIZE_MESSAGE &&
      exitedWith(o.candidate, 0) &&
      o.divergence.data['candidateResultSound'] === true,
  },
  resizeRefusal({
    id: 'resize-qcow2-metadata-preallocation',
    reason: 'instar does not plan qcow2 metadata preallocation on resize and refuses `--preallocation metadata` on qcow2; qemu-img preallocates.',
    documented: '"Avoided" ("qcow2 preallocation=metadata: a planner gap") and "instar quirks" ("qcow2 metadata preallocation")',
    inClass: 'qcow2 with --preallocation metadata',
    appliesTo: (f) => f.resizeCase.source.layout.format === 'qcow2' && f.resizeCase.preallocation === 'metadata',
  }),
  resizeRefusal({
    id: 'resize-qcow2-2m-clusters',
    reason: 'instar refuses to resize a qcow2 with 2 MiB clusters ("image too large for the resize scratch buffer": they exceed its 32 MiB QCOW2_MAX_RESIZE_SCRATCH); qemu-img resizes it.',
    documented: '"Avoided" ("2 MiB clusters: they blow the 32M QCOW2_MAX_RESIZE_SCRATCH")',
    inClass: 'qcow2 with 2 MiB clusters',
    appliesTo: (f) => f.resizeCase.source.layout.format === 'qcow2' && f.resizeCase.source.layout.clusterSize === 2 * 1024 * 1024,
  }),
  resizeRefusal({
    id: 'resize-qcow2-extended-l2-preallocation',
    reason: 'instar refuses preallocation other than off on a qcow2 with extended L2 entries (PreallocationUnsupported); qemu-img preallocates.',
    documented: '"Avoided" ("extended_l2 with a non-off preallocation (PreallocationUnsupported)")',
    inClass: 'qcow2 with extended_l2=on and --preallocation metadata, falloc or full',
    appliesTo: (f) =>
      f.resizeCase.source.layout.format === 'qcow2' &&
      f.resizeCase.source.layout.extendedL2 &&
      f.resizeCase.preallocation !== 'omitted' &&
      f.resizeCase.preallocation !== 'off',
  }),
];

/** One of instar's documented resize refusals: qemu-img resizes, instar refuses and leaves the image as it was. */
function resizeRefusal(r: {
  id: string;
  reason: string;
  documented: string;
  inClass: string;
  appliesTo: (f: ResizeFacts) => boolean;
}): WhitelistEntry<ResizeFacts> {
  return {
    id: r.id,
    operation: 'resize',
    reason: `${r.reason} instar's message is not documented, so the entry asks for a refusal that leaves the image untouched instead.`,
    documentedAt: `shared/reference/instar-ops.md section 3 (resize), ${r.documented}`,
    knownFor: 'all',
    signature: `${r.inClass}: reference exits 0; candidate exits non-zero (no signal, no timeout) and leaves its copy of the image byte for byte unchanged`,
    appliesTo: r.appliesTo,
    accepts: refusedUntouched,
  };
}

// ---------------------------------------------------------------------------
// bench (the `qemu-img bench` operation)
// ---------------------------------------------------------------------------

/** What a bench whitelist entry may look at. */
export interface BenchOpFacts {
  readonly benchCase: BenchOpCase;
  readonly format: ImageFormat;
  /** The source's virtual size as qemu-img reads it. */
  readonly virtualSize: number;
  /** -c, -s, -S and -o in bytes. */
  readonly schedule: BenchSchedule;
  /** The source's first sector passes instar's MBR/GPT rule (oracles/info-partition-table.ts). */
  readonly hasPartitionTable: boolean;
}


/** qemu-img 7.2.22's and 10.0.2's message when a request runs past the end (checked on both), exit 1. */
export const BENCH_FAILED_REQUEST_MESSAGE = 'qemu-img: Failed request: Input/output error';

export const benchOpWhitelist: ReadonlyArray<WhitelistEntry<BenchOpFacts>> = [
  {
    id: 'bench-wrap-rule',
    operation: 'bench',
    reason:
      'qemu-img wraps the next offset modulo the whole image size, so a wrapped request can run past the end and the run fails with EIO; ' +
      'instar wraps modulo (size - buffer size), QEMU master\'s fix (commit ff2ab634), and completes the run. ' +
      "The candidate's image must still hold exactly the pattern over the requests master's rule schedules: properties/bench-op.ts checks it " +
      '(readable, every byte, a clean check) before this entry is asked. Both 7.2.22 and 10.0.2 still wrap the old way (checked here).',
    documentedAt: 'shared/reference/instar-ops.md section 10 (bench), "Steer-arounds", `wrap-rule-10-0-8`',
    knownFor: 'all',
    signature: `reference fails with "${BENCH_FAILED_REQUEST_MESSAGE}" (exit 1) where only the whole-size wrap overruns, candidate exits 0 and its image meets the bench model under the usable-range wrap (the pattern over its requests after -w, untouched after a read)`,
    appliesTo: (f) =>
      firstOverrun(f.schedule, f.virtualSize, 'whole-size') !== undefined &&
      firstOverrun(f.schedule, f.virtualSize, 'usable-range') === undefined,
    accepts: (o) =>
      o.divergence.kind === 'exit-status' &&
      exitedWith(o.reference, 1) &&
      o.divergence.data['referenceMessage'] === BENCH_FAILED_REQUEST_MESSAGE &&
      exitedWith(o.candidate, 0) &&
      o.divergence.data['candidateResultSound'] === true,
  },
  {
    id: 'bench-write-formats-limited',
    operation: 'bench',
    reason:
      'instar writes (`bench -w`) only to qcow2 and raw images and refuses -w on vmdk, vpc and vhdx; qemu-img writes to all five. ' +
      'instar\'s refusal message is not documented, so the entry asks for a refusal that leaves the image untouched instead.',
    documentedAt: 'shared/reference/instar-ops.md section 10 (bench), "Steer-arounds", `write-formats-limited` ("-w only for qcow2 and raw")',
    knownFor: 'all',
    signature: 'bench -w on vmdk, vpc or vhdx: reference exits 0; candidate exits non-zero (no signal, no timeout) and leaves its copy of the image byte for byte unchanged',
    appliesTo: (f) => f.benchCase.write && (f.format === 'vmdk' || f.format === 'vpc' || f.format === 'vhdx'),
    accepts: refusedUntouched,
  },
  {
    id: 'bench-raw-without-partition-table',
    operation: 'bench',
    reason:
      'instar refuses to take a file without a format header as raw unless its first sector holds a valid MBR or GPT (its secure raw detection, as for info); ' +
      'qemu-img, told -f raw, runs. The message is taken to be info\'s ("unknown format"), and the image must be left untouched.',
    documentedAt:
      'shared/reference/instar-ops.md section 10 (bench), "Steer-arounds", `secure-raw-detection` (the peer fuzzer writes a 55AA signature into raw fixtures to pass it); FACTS.md, info row',
    knownFor: 'all',
    signature: 'bench on raw without an MBR/GPT: reference exits 0; candidate exits non-zero (no signal, no timeout) with "unknown format" on stderr and leaves its copy untouched',
    appliesTo: (f) => f.format === 'raw' && !f.hasPartitionTable,
    accepts: (o) => refusedUntouched(o) && UNKNOWN_FORMAT_MESSAGE.test(o.candidate.stderr),
  },
];

// ---------------------------------------------------------------------------
// check --repair (op name `repair`)
// ---------------------------------------------------------------------------

/** What a repair whitelist entry may look at. */
export interface RepairFacts {
  readonly repairCase: RepairCase;
}

const REPAIR_DOCS = 'shared/reference/instar-ops.md section 9 (check --repair), "Tolerated" and "instar quirks"';

interface RepairCounts {
  readonly corruptions: number;
  readonly leaks: number;
  readonly checkErrors: number;
}

/** A repair divergence's picture (properties/repair.ts puts it in every divergence's data). */
function repairPicture(o: Observation): { baselineExit: number; baseline: RepairCounts; after: RepairCounts | undefined; intact: boolean } | undefined {
  const d = o.divergence.data;
  const counts = (v: unknown): RepairCounts | undefined => (v !== null && typeof v === 'object' ? (v as RepairCounts) : undefined);
  const baseline = counts(d['baseline']);
  if (typeof d['baselineExit'] !== 'number' || baseline === undefined || typeof d['candidateContentIntact'] !== 'boolean') return undefined;
  return { baselineExit: d['baselineExit'], baseline, after: counts(d['candidateAfter']), intact: d['candidateContentIntact'] };
}

const sameCounts = (a: RepairCounts, b: RepairCounts): boolean => a.corruptions === b.corruptions && a.leaks === b.leaks && a.checkErrors === b.checkErrors;

/** The fields instar's repair report adds where qemu-img prints nothing, with the only values the entry accepts. */
const INSTAR_EXTRA_REPAIR_FIELDS: Readonly<Record<string, JsonValue>> = { corruptions: 0, leaks: 0, 'refcount-errors': 0, 'repair-incomplete': false };

export const repairWhitelist: ReadonlyArray<WhitelistEntry<RepairFacts>> = [
  {
    id: 'repair-json-instar-fields',
    operation: 'repair',
    reason:
      "instar's check JSON always includes corruptions, leaks and refcount-errors, which qemu-img omits when they are zero, and a repair-incomplete flag qemu-img does not have.",
    documentedAt: `${REPAIR_DOCS}: "instar's check JSON always includes corruptions, leaks and refcount-errors; qemu omits them when they are zero" and "the \`repair-incomplete\` JSON key"`,
    knownFor: 'all',
    signature:
      'the repair reports differ only by fields qemu-img leaves out, each with the candidate value corruptions 0, leaks 0, refcount-errors 0 or repair-incomplete false, and the candidate\'s image reads as the image spec\'s content',
    appliesTo: () => true,
    accepts: (o) => {
      const p = repairPicture(o);
      const fields = o.divergence.data['fields'];
      return (
        p !== undefined &&
        p.intact &&
        o.divergence.kind === 'metadata' &&
        o.divergence.data['document'] === 'repair-json' &&
        Array.isArray(fields) &&
        fields.length > 0 &&
        fields.every((f) => {
          if (f === null || typeof f !== 'object' || Array.isArray(f)) return false;
          const d = f as Readonly<Record<string, JsonValue>>;
          const field = d['field'];
          return typeof field === 'string' && d['reference'] === null && Object.hasOwn(INSTAR_EXTRA_REPAIR_FIELDS, field) && d['candidate'] === INSTAR_EXTRA_REPAIR_FIELDS[field];
        })
      );
    },
  },
  {
    id: 'repair-exit-reflects-detected',
    operation: 'repair',
    reason:
      "instar's check exit code reflects the corruption it detected even after a complete repair (a refcount of zero exits 2, yet the image is qemu-clean); qemu-img exits 0 once it has repaired everything.",
    documentedAt: `${REPAIR_DOCS}: "instar's exit code reflects the *detected* corruption even after a clean repair"`,
    knownFor: 'all',
    signature:
      "reference exits 0; candidate exits with the status qemu-img's plain check gave on the input (2 or 3), and its repaired image checks clean and reads as the image spec's content",
    appliesTo: () => true,
    accepts: (o) => {
      const p = repairPicture(o);
      return (
        p !== undefined &&
        o.divergence.kind === 'exit-status' &&
        exitedWith(o.reference, 0) &&
        (p.baselineExit === 2 || p.baselineExit === 3) &&
        exitedWith(o.candidate, p.baselineExit) &&
        p.after !== undefined &&
        sameCounts(p.after, { corruptions: 0, leaks: 0, checkErrors: 0 }) &&
        p.intact
      );
    },
  },
  {
    id: 'repair-leaks-keeps-overcount',
    operation: 'repair',
    reason:
      "instar's leaks tier never lowers a referenced cluster's refcount; `qemu-img check -r leaks` also trims over-counts. A known, intentional scope difference: instar leaves such an image as it found it.",
    documentedAt: `${REPAIR_DOCS}: "The leaks tier is narrower in instar"`,
    knownFor: 'all',
    signature:
      "refcount one too high, repaired with the leaks tier: reference exits 0; candidate exits with the input's plain-check status and its image checks exactly as the input did (same corruptions and leaks, no check errors) and reads as the image spec's content; the repair report and the check after it differ only by that",
    appliesTo: (f) => f.repairCase.fault.kind === 'refcount-high' && f.repairCase.tier === 'leaks',
    accepts: (o) => {
      const p = repairPicture(o);
      if (p === undefined || p.after === undefined || !sameCounts(p.after, p.baseline) || !p.intact) return false;
      if (!exitedWith(o.reference, 0) || !exitedWith(o.candidate, p.baselineExit)) return false;
      const document = o.divergence.data['document'];
      return o.divergence.kind === 'exit-status' || (o.divergence.kind === 'metadata' && (document === 'repair-json' || document === 'post-repair-check'));
    },
  },
];

// ---------------------------------------------------------------------------
// amend
// ---------------------------------------------------------------------------

/** What an amend whitelist entry may look at. */
export interface AmendFacts {
  readonly amendCase: AmendCase;
  /** The suite's model says qemu-img refuses this amend. */
  readonly referenceRefuses: boolean;
}

export const amendWhitelist: ReadonlyArray<WhitelistEntry<AmendFacts>> = [
  {
    id: 'amend-zstd-downgrade-refused',
    operation: 'amend',
    reason:
      'instar refuses a compat=0.10 downgrade of a zstd-compressed image (ERROR_DOWNGRADE_BLOCKED_FEATURE); qemu-img downgrades it and rewrites compression_type to zlib.',
    documentedAt: 'shared/reference/instar-ops.md section 4 (amend), "Avoided inputs": "the one documented phase-6 divergence"; qemu-img 7.2.22 and 10.0.2 checked to downgrade such an image',
    knownFor: 'all',
    signature:
      'a downgrade of a zstd image qemu-img accepts: reference exits 0; candidate exits 1 and leaves its image byte for byte as it was, so qemu-img info differs (compat, compression type)',
    appliesTo: (f) => f.amendCase.change === 'downgrade-zstd' && !f.referenceRefuses,
    accepts: (o) =>
      o.divergence.data['candidateUnchanged'] === true &&
      exitedWith(o.reference, 0) &&
      exitedWith(o.candidate, 1) &&
      (o.divergence.kind === 'exit-status' || (o.divergence.kind === 'metadata' && o.divergence.data['document'] === 'info')),
  },
];

// ---------------------------------------------------------------------------
// life cycle (snapshot, bitmap, resize and amend in sequence)
// ---------------------------------------------------------------------------

/** What a life-cycle whitelist entry may look at: the step and the model's state before it. */
export interface LifecycleFacts {
  readonly step: LifecycleStep;
  readonly before: LifecycleModel;
  /** The `-d`/`-a` argument the step resolved to, when it names a snapshot. */
  readonly argument: string | undefined;
}

const INSTAR_SNAPSHOT = 'shared/reference/instar-ops.md section 7 (snapshot), "Avoided by generation" and "instar quirks"';
const INSTAR_BITMAP = 'shared/reference/instar-ops.md section 8 (bitmap), "Known divergences" (KNOWN_BITMAP_DIFFERENTIAL_DIVERGENCES)';

const isSnapshotChange = (step: LifecycleStep): boolean => step.do === 'snapshot-create' || step.do === 'snapshot-delete' || step.do === 'snapshot-apply';

/**
 * One of instar's documented refusals inside a sequence: qemu-img carries
 * the step out, instar refuses it and leaves its image byte for byte as it
 * was. The property then rolls both copies back to before the step, so the
 * sequence goes on from the same state on both sides.
 */
function lifecycleRefusal(r: {
  id: string;
  operation: 'snapshot' | 'bitmap';
  reason: string;
  documentedAt: string;
  inClass: string;
  appliesTo: (f: LifecycleFacts) => boolean;
}): WhitelistEntry<LifecycleFacts> {
  return {
    id: r.id,
    operation: r.operation,
    reason: `${r.reason} instar's message is not documented, so the entry asks for a refusal that leaves the image untouched instead.`,
    documentedAt: r.documentedAt,
    knownFor: 'all',
    signature: `${r.inClass}: reference exits 0; candidate exits non-zero (no signal, no timeout) and leaves its copy byte for byte unchanged`,
    appliesTo: r.appliesTo,
    accepts: refusedUntouched,
  };
}

export const lifecycleWhitelist: ReadonlyArray<WhitelistEntry<LifecycleFacts>> = [
  lifecycleRefusal({
    id: 'snapshot-empty-name',
    operation: 'snapshot',
    reason: 'qemu-img creates a snapshot with an empty name; instar refuses the empty name.',
    documentedAt: `${INSTAR_SNAPSHOT}: "empty name | qemu accepts, instar refuses"`,
    inClass: "snapshot -c ''",
    appliesTo: (f) => f.step.do === 'snapshot-create' && f.step.name === '',
  }),
  lifecycleRefusal({
    id: 'snapshot-name-over-255-bytes',
    operation: 'snapshot',
    reason: 'qemu-img cuts a snapshot name longer than 255 bytes to 255; instar refuses it.',
    documentedAt: `${INSTAR_SNAPSHOT}: "name >255 bytes | qemu truncates, instar refuses"`,
    inClass: 'snapshot -c with a name of more than 255 bytes',
    appliesTo: (f) => f.step.do === 'snapshot-create' && Buffer.byteLength(f.step.name, 'utf8') > 255,
  }),
  lifecycleRefusal({
    id: 'snapshot-table-full',
    operation: 'snapshot',
    reason: 'instar keeps at most 16 live snapshots (ERROR_SNAPSHOT_TABLE_FULL); qemu-img creates a 17th.',
    documentedAt: `${INSTAR_SNAPSHOT}: "17th live snapshot | instar ERROR_SNAPSHOT_TABLE_FULL"`,
    inClass: 'snapshot -c with 16 snapshots live',
    appliesTo: (f) => f.step.do === 'snapshot-create' && f.before.snapshots.length >= 16,
  }),
  lifecycleRefusal({
    id: 'snapshot-image-has-bitmaps',
    operation: 'snapshot',
    reason: "instar's mutating snapshot modes refuse an image with persistent bitmaps (ERROR_UNSUPPORTED_FEATURE); qemu-img creates and deletes snapshots on it.",
    documentedAt: `${INSTAR_SNAPSHOT}: "dirty, compressed, encrypted, external-data or bitmap images | instar mutating modes give ERROR_UNSUPPORTED_FEATURE"`,
    inClass: 'snapshot -c/-d/-a on an image holding bitmaps',
    appliesTo: (f) => isSnapshotChange(f.step) && f.before.bitmaps.length > 0,
  }),
  lifecycleRefusal({
    id: 'snapshot-apply-other-size',
    operation: 'snapshot',
    reason: "after a resize, qemu-img's `-a` brings back the snapshot's own size; instar refuses a snapshot whose size differs (ERROR_L1_SIZE_MISMATCH).",
    documentedAt: `${INSTAR_SNAPSHOT}: "resize inside the chain | qemu -a truncates, instar ERROR_L1_SIZE_MISMATCH"`,
    inClass: 'snapshot -a of a snapshot taken at another virtual size',
    appliesTo: (f) => {
      if (f.step.do !== 'snapshot-apply' || f.argument === undefined) return false;
      const target = f.before.snapshots.find((s) => s.id === f.argument) ?? f.before.snapshots.find((s) => s.name === f.argument);
      return target !== undefined && target.content.length !== f.before.content.length;
    },
  }),
  lifecycleRefusal({
    id: 'snapshot-512-byte-clusters-above-4m',
    operation: 'snapshot',
    reason: 'instar never grows the refcount structures of a 512-byte-cluster qcow2, so snapshots of one above 4 MiB fail (ERROR_ALLOCATION_FAILED); qemu-img grows them.',
    documentedAt: `${INSTAR_SNAPSHOT}: "512-byte clusters above 4M | instar never grows refblocks, so ERROR_ALLOCATION_FAILED"`,
    inClass: 'snapshot -c/-d/-a on a 512-byte-cluster qcow2 larger than 4 MiB',
    appliesTo: (f) => isSnapshotChange(f.step) && f.before.clusterSize === 512 && f.before.content.length > 4 * 1024 * 1024,
  }),
  lifecycleRefusal({
    id: 'bitmap-merge-granularity',
    operation: 'bitmap',
    reason: 'instar refuses to merge bitmaps of different granularities ("bitmaps have incompatible granularity for merge"); qemu-img 7.2 and 10.0 merge them.',
    documentedAt: `${INSTAR_BITMAP}: "merge_granularity"; qemu-img 7.2.22 and 10.0.2 checked to merge 512 into 2 GiB granularity`,
    inClass: 'bitmap --merge between bitmaps of different granularity',
    appliesTo: (f) => {
      if (f.step.do !== 'bitmap-merge') return false;
      const step = f.step;
      const granularity = (index: number): number | undefined => f.before.bitmaps.find((b) => b.name === `b${index}`)?.granularity;
      const source = granularity(step.source);
      const target = granularity(step.bitmap);
      return source !== undefined && target !== undefined && source !== target;
    },
  }),
];

// ---------------------------------------------------------------------------
// chain (rebase and commit over a backing chain with data, in sequence)
// ---------------------------------------------------------------------------

/** What a chain whitelist entry may look at: the step, the model before it, and the files the step names. */
export interface ChainFacts {
  readonly step: ChainStep;
  readonly before: ChainModel;
  /** rebase: the new backing (null on detach); commit: the file committed into (undefined when there is none). */
  readonly target: string | null | undefined;
}

const INSTAR_REBASE = 'shared/reference/instar-ops.md section 5 (rebase), "instar quirks"';
const INSTAR_COMMIT = 'shared/reference/instar-ops.md section 6 (commit), "instar quirks"';

/** The layers a commit of the top into `target` passes through: the top and everything above the target. */
function committedLayers(f: ChainFacts): string[] {
  if (f.step.do !== 'commit' || typeof f.target !== 'string') return [];
  const below = chainBelow(f.before, TOP);
  const at = below.indexOf(f.target);
  return at < 0 ? [] : [TOP, ...below.slice(0, at)];
}

/**
 * One of instar's documented refusals inside a chain sequence: qemu-img
 * carries the step out, instar refuses it and leaves every file byte for
 * byte as it was. The property then rolls both sides back to before the
 * step, so the sequence goes on from the same state.
 */
function chainRefusal(r: { id: string; operation: 'rebase' | 'commit'; reason: string; documentedAt: string; inClass: string; appliesTo: (f: ChainFacts) => boolean }): WhitelistEntry<ChainFacts> {
  return {
    id: r.id,
    operation: r.operation,
    reason: `${r.reason} instar's message is not documented, so the entry asks for a refusal that leaves every file untouched instead.`,
    documentedAt: r.documentedAt,
    knownFor: 'all',
    signature: `${r.inClass}: reference exits 0; candidate exits non-zero (no signal, no timeout) and leaves all its files byte for byte unchanged`,
    appliesTo: r.appliesTo,
    accepts: refusedUntouched,
  };
}

export const chainWhitelist: ReadonlyArray<WhitelistEntry<ChainFacts>> = [
  chainRefusal({
    id: 'rebase-safe-cross-cluster-size',
    operation: 'rebase',
    reason: "instar's safe rebase refuses a new backing whose cluster size differs from the overlay's (ERROR_NEW_BACKING_INCOMPATIBLE); qemu-img copies what differs.",
    documentedAt: `${INSTAR_REBASE}: "cross-cluster-size safe rebase (ERROR_NEW_BACKING_INCOMPATIBLE)"`,
    inClass: 'rebase without -u onto a file of another cluster size',
    appliesTo: (f) => f.step.do === 'rebase' && !f.step.unsafe && typeof f.target === 'string' && f.before.get(f.target)?.clusterSize !== f.before.get(TOP)?.clusterSize,
  }),
  chainRefusal({
    id: 'commit-drop-not-implemented',
    operation: 'commit',
    reason: "instar does not implement commit's -d; qemu-img commits and leaves the overlay as it was.",
    documentedAt: `${INSTAR_COMMIT}: "Flags: -d, -p, -r and -t are not implemented"`,
    inClass: 'commit -d',
    appliesTo: (f) => f.step.do === 'commit' && f.step.drop,
  }),
  chainRefusal({
    id: 'commit-through-intermediate-layer',
    operation: 'commit',
    reason: 'instar refuses to commit through an intermediate layer (-b naming a file below the overlay\'s own backing); qemu-img commits the top and every layer between into it.',
    documentedAt: `${INSTAR_COMMIT}: "Refused: intermediate-layer commit"`,
    inClass: 'commit -b naming a layer below the immediate backing',
    appliesTo: (f) => committedLayers(f).length > 1,
  }),
  chainRefusal({
    id: 'commit-mismatched-cluster-sizes',
    operation: 'commit',
    reason: 'instar refuses a commit between images of different cluster sizes; qemu-img commits.',
    documentedAt: `${INSTAR_COMMIT}: "Refused: ... mismatched cluster sizes"`,
    inClass: 'commit into a file whose cluster size differs from a committed layer\'s',
    appliesTo: (f) => {
      const target = typeof f.target === 'string' ? f.before.get(f.target) : undefined;
      return target !== undefined && committedLayers(f).some((name) => f.before.get(name)?.clusterSize !== target.clusterSize);
    },
  }),
];
