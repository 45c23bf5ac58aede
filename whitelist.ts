import type { DdCase, DdWindow } from './arbitraries/dd-case.ts';
import { exitedWith } from './drivers/process-outcome.ts';
import type { Operation } from './drivers/requests.ts';
import type { Observation } from './oracles/divergence.ts';
import type { DdPrediction } from './oracles/dd-model.ts';
import type { CheckCase } from './arbitraries/check-case.ts';
import { parseFlatJson } from './oracles/check-flat-json.ts';
import type { MeasureCase } from './arbitraries/measure-case.ts';
import type { InfoCase } from './arbitraries/info-case.ts';
import { reportsRawFormat } from './oracles/info-output.ts';

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
): WhitelistEntry<Facts> | undefined {
  let accepted: WhitelistEntry<Facts> | undefined;
  for (const entry of entries) {
    if (!entry.appliesTo(facts)) continue;
    tally.eligible(entry.id);
    if (accepted === undefined && observation !== undefined && entry.accepts(observation)) {
      accepted = entry;
      tally.hit(entry.id);
    }
  }
  return accepted;
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
      'shared/reference/FACTS.md, "instar\'s command line", check row ("also checks vmdk, vpc and vhdx") and "qemu-img behaviour" (63 = no checks); verified with qemu-img 7.2.22',
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
