/** One simplification move applied to a case: what it did, and the simpler case. */
export interface Simplification<T> {
  /** For people and tests, e.g. "source size 33554433 → 1 (smallest of its band)", "drop extent 2", "target vpc → raw". */
  readonly move: string;
  readonly value: T;
}
/** Every strictly simpler variant of a case, one move each; [] when none applies. */
export type Simplifier<T> = (value: T) => readonly Simplification<T>[];
