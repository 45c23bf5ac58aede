/**
 * How long the candidate may take on one call, judged by how long the
 * reference took on the same call: a hang then shows in seconds instead of
 * at TOOL_TIMEOUT, which matters most while shrinking (every shrink step that
 * still hangs pays the limit once).
 */
export interface CandidateTimePolicy {
  /** CANDIDATE_TIME_FLOOR: the least the candidate is ever given, however fast the reference was. */
  readonly floorMs: number;
  /** CANDIDATE_TIME_FACTOR: how many times the reference's wall time the candidate may take. */
  readonly factor: number;
}

/**
 * Defaults, chosen for instar, the slowest correct candidate in sight: each
 * of its calls boots a tiny KVM guest, 150-300 ms on top of the work and more
 * on a loaded machine, while qemu-img answers most calls in 10-50 ms. A 2 s
 * floor leaves that boot six times its usual cost before a call counts as
 * hung, yet a hanging case is still found and shrunk in seconds. The factor
 * covers calls whose real work dominates (a 70 MiB convert takes qemu-img
 * about a second): 10 times the reference allows a candidate an order of
 * magnitude slower, and both tools slow down together when the machine is
 * loaded, which the floor alone would not follow.
 */
export const DEFAULT_CANDIDATE_TIME_POLICY: CandidateTimePolicy = { floorMs: 2_000, factor: 10 };

/** Why a candidate's limit is what it is, for reports: max(floor, factor × reference). */
export interface DerivedLimit {
  readonly floorMs: number;
  readonly factor: number;
  readonly referenceMs: number;
}

/**
 * The candidate's limit for a call on which the reference took `referenceMs`:
 * min(cap, max(floor, factor × reference)). `derivedFrom` is absent when the
 * cap (TOOL_TIMEOUT) is the smaller, so a report names the limit that applied.
 */
export function candidateLimit(
  policy: CandidateTimePolicy,
  capMs: number,
  referenceMs: number,
): { readonly limitMs: number; readonly derivedFrom: DerivedLimit | undefined } {
  const derived = Math.max(policy.floorMs, Math.ceil(policy.factor * referenceMs));
  if (derived >= capMs) return { limitMs: capMs, derivedFrom: undefined };
  return { limitMs: derived, derivedFrom: { floorMs: policy.floorMs, factor: policy.factor, referenceMs } };
}
