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
 * on a loaded machine, while qemu-img answers most calls in 10-50 ms. The
 * factor applies to the reference's time on the same call (a 70 MiB convert
 * takes qemu-img about a second) AND to the candidate's own median time on
 * the calls it finished (its pace): 10 times a 300 ms boot is 3 s, and when
 * the machine is loaded both paces rise and the limit follows. The 1 s floor
 * only matters for fast candidates (a qemu-img wrapper), whose pace is far
 * below it, so a hanging case costs about a second per shrink step.
 */
export const DEFAULT_CANDIDATE_TIME_POLICY: CandidateTimePolicy = { floorMs: 1_000, factor: 10 };

/** Why a candidate's limit is what it is, for reports: max(floor, factor × reference, factor × candidate's pace). */
export interface DerivedLimit {
  readonly floorMs: number;
  readonly factor: number;
  readonly referenceMs: number;
  /** The candidate's median time on the calls it finished so far, once there are enough of them. */
  readonly candidatePaceMs?: number;
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
  candidatePaceMs?: number,
): { readonly limitMs: number; readonly derivedFrom: DerivedLimit | undefined } {
  const derived = Math.max(policy.floorMs, Math.ceil(policy.factor * referenceMs), Math.ceil(policy.factor * (candidatePaceMs ?? 0)));
  if (derived >= capMs) return { limitMs: capMs, derivedFrom: undefined };
  const pace = candidatePaceMs === undefined ? {} : { candidatePaceMs };
  return { limitMs: derived, derivedFrom: { floorMs: policy.floorMs, factor: policy.factor, referenceMs, ...pace } };
}

/** Calls a pace needs before it counts: one slow start-up must not set it. */
const PACE_MIN_SAMPLES = 3;
/** The latest calls only: a pace follows the machine's load. */
const PACE_WINDOW = 31;

/**
 * A candidate's pace: the median wall time of its latest calls that ended on
 * their own (a hang never counts). Per process and per candidate command.
 */
export class CandidatePace {
  readonly #recent: number[] = [];

  record(wallMs: number): void {
    this.#recent.push(wallMs);
    if (this.#recent.length > PACE_WINDOW) this.#recent.shift();
  }

  /** The median, or undefined before enough calls. */
  medianMs(): number | undefined {
    if (this.#recent.length < PACE_MIN_SAMPLES) return undefined;
    const sorted = [...this.#recent].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  }
}
