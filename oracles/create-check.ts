import { describeTermination, type ProcessOutcome } from '../drivers/process-outcome.ts';
import type { ImageFormat } from '../images/image-spec.ts';
import { runProcess } from '../drivers/run-process.ts';
import { parseFlatJson } from './check-flat-json.ts';
import { divergence, type Divergence } from './divergence.ts';
import { exactInteger } from './exact-json.ts';

/**
 * "At least as clean": `qemu-img check` on the candidate's fresh image may
 * not report more trouble than on the reference's. Exit codes (FACTS.md):
 * 0 clean, 3 leaks only, 2 corruptions, 1 the check could not complete,
 * 63 the format has no checks (then both must say 63).
 */
const SEVERITY: Readonly<Record<number, number>> = { 0: 0, 3: 1, 2: 2, 1: 3 };
const NO_CHECKS = 63;
const COUNTED = ['corruptions', 'leaks', 'check-errors'] as const;

export interface CheckVerdict {
  readonly summary: string;
  readonly detail: string;
}

function counts(outcome: ProcessOutcome): Record<string, bigint> {
  const report = parseFlatJson(outcome.stdout);
  const out: Record<string, bigint> = {};
  for (const field of COUNTED) out[field] = exactInteger(report?.[field]) ?? 0n;
  return out;
}

/**
 * Formats qemu-img has no check for: it exits 63 on any file it is told is
 * one, so checking either side says nothing (test/create-oracles.test.ts
 * holds this to the reference).
 */
export const FORMATS_WITHOUT_CHECKS: ReadonlySet<ImageFormat> = new Set<ImageFormat>(['raw', 'vpc']);

/**
 * Exit 0 and no corruption, leak or check error: nothing the reference's
 * image could be cleaner than, so the reference's check need not run.
 */
export function checksClean(candidate: ProcessOutcome): boolean {
  if (candidate.termination.kind !== 'exited' || candidate.termination.code !== 0) return false;
  const found = counts(candidate);
  return COUNTED.every((field) => found[field] === 0n);
}

/** undefined when the candidate's image checks at least as clean as the reference's. */
export function compareCleanliness(reference: ProcessOutcome, candidate: ProcessOutcome): CheckVerdict | undefined {
  const ref = reference.termination;
  const cand = candidate.termination;
  // A check that did not finish on the reference's image proves nothing.
  if (ref.kind !== 'exited') return undefined;
  const detail = `reference: ${describeTermination(ref)} ${reference.stdout.trim()} ${reference.stderr.trim()}\ncandidate: ${describeTermination(cand)} ${candidate.stdout.trim()} ${candidate.stderr.trim()}`;
  if (cand.kind !== 'exited') {
    return { summary: `qemu-img check on the candidate's image: ${describeTermination(cand)}`, detail };
  }
  if (ref.code === NO_CHECKS || cand.code === NO_CHECKS) {
    return ref.code === cand.code
      ? undefined
      : { summary: `qemu-img check exits ${cand.code} on the candidate's image and ${ref.code} on the reference's`, detail };
  }
  const refSeverity = SEVERITY[ref.code] ?? 4;
  const candSeverity = SEVERITY[cand.code] ?? 4;
  if (candSeverity > refSeverity) {
    return { summary: `qemu-img check exits ${cand.code} on the candidate's image and ${ref.code} on the reference's`, detail };
  }
  const refCounts = counts(reference);
  const candCounts = counts(candidate);
  const worse = COUNTED.filter((field) => (candCounts[field] ?? 0n) > (refCounts[field] ?? 0n));
  if (worse.length === 0) return undefined;
  return {
    summary: `qemu-img check finds more ${worse.join(', ')} in the candidate's image (${worse.map((f) => `${candCounts[f]} vs ${refCounts[f]}`).join(', ')})`,
    detail,
  };
}

/** `qemu-img check --output=json` on one image, as the cleanliness oracles read it. */
export function runCheckJson(qemuImg: string, path: string, format: ImageFormat, timeoutMs: number): Promise<ProcessOutcome> {
  return runProcess([qemuImg, 'check', '-f', format, '--output=json', path], { timeoutMs });
}

/**
 * A divergence when qemu-img finds the candidate's image less clean than the
 * reference's. The reference's image is only checked when the candidate's
 * is not spotless: nothing can be cleaner than that.
 */
export async function cleanlinessDivergence(qemuImg: string, referencePath: string, candidatePath: string, format: ImageFormat, timeoutMs: number): Promise<Divergence | undefined> {
  const candidate = await runCheckJson(qemuImg, candidatePath, format, timeoutMs);
  if (checksClean(candidate)) return undefined;
  const reference = await runCheckJson(qemuImg, referencePath, format, timeoutMs);
  const check = compareCleanliness(reference, candidate);
  return check === undefined ? undefined : divergence('metadata', check.summary, check.detail, { document: 'check', fields: [{ field: 'clean' }] });
}
