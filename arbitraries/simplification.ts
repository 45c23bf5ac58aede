/**
 * Simplification moves for the reduction pass that runs after fast-check's
 * shrink (hunting/reduce.ts): each case type has a Simplifier listing every
 * strictly simpler variant of a case, one move each. The pass keeps a move
 * whose case still fails with the same signature and stops when none
 * applies, so a reported case is 1-minimal with respect to these moves.
 *
 * Termination. Every case type has a complexity: a fixed-length vector of
 * natural numbers (format rank, option count, size, extent count, …).
 * Every move lowers at least one component and raises none (`strictlySimpler`).
 * The product order on ℕ^k is well-founded, so any chain of moves is finite;
 * in particular the sum of the components falls by at least 1 per move.
 * test/simplify.test.ts checks this for every move over the real arbitraries.
 *
 * Validity. A simplifier yields only values the case type's arbitrary could
 * have produced (same invariants and filters); a move that would break one
 * is not offered.
 */

/** One simplification move applied to a case: what it did, and the simpler case. */
export interface Simplification<T> {
  /** For people and tests, e.g. "source size 33554433 → 1 (smallest of its band)", "drop extent 2", "target vpc → raw". */
  readonly move: string;
  readonly value: T;
}

/** Every strictly simpler variant of a case, one move each; [] when none applies. */
export type Simplifier<T> = (value: T) => readonly Simplification<T>[];

/** Non-negative integers (or safe non-negative numbers), one per aspect of a case, same length for a case type. */
export type Complexity = readonly number[];

/** True when `simpler` is no greater in any component and smaller in at least one. */
export function strictlySimpler(simpler: Complexity, than: Complexity): boolean {
  if (simpler.length !== than.length) throw new Error(`complexities of different lengths: ${simpler.length} vs ${than.length}`);
  let smaller = false;
  for (let i = 0; i < than.length; i++) {
    const a = simpler[i] as number;
    const b = than[i] as number;
    if (a > b) return false;
    if (a < b) smaller = true;
  }
  return smaller;
}

/** Prefixes every move's description, for simplifications of a part of a case. */
export function lift<P, T>(parts: readonly Simplification<P>[], prefix: string, wrap: (part: P) => T): Simplification<T>[] {
  return parts.map(({ move, value }) => ({ move: `${prefix}${move}`, value: wrap(value) }));
}

/** Each item left out in turn ("drop extent 2"); indices count from 0. */
export function dropEach<I>(items: readonly I[]): Array<{ readonly index: number; readonly rest: I[] }> {
  return items.map((_, index) => ({ index, rest: items.filter((__, j) => j !== index) }));
}
