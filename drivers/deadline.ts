import type { DerivedLimit } from './candidate-time-limit.ts';

/** The limit in force, as a child's start plus `limitMs`. */
export interface LimitInForce {
  readonly limitMs: number;
  /** Set when the limit was derived from the reference's time (absent: the caller's fixed timeout). */
  readonly derivedFrom: DerivedLimit | undefined;
}

/**
 * A time limit that can be shortened while a child runs: the candidate
 * starts with the cap, and once the reference has finished its limit is
 * tightened to what the reference's time allows. It never loosens.
 */
export class AdjustableDeadline {
  #current: LimitInForce | undefined;
  readonly #listeners = new Set<(limit: LimitInForce) => void>();

  /** The tightest limit so far, or undefined before any tightening. */
  get current(): LimitInForce | undefined {
    return this.#current;
  }

  /** Shortens the limit (counted from the child's start); a longer one is ignored. */
  tighten(limitMs: number, derivedFrom: DerivedLimit | undefined): void {
    if (this.#current !== undefined && this.#current.limitMs <= limitMs) return;
    this.#current = { limitMs, derivedFrom };
    for (const listener of this.#listeners) listener(this.#current);
  }

  /** Called on every tightening until the returned function is called. */
  subscribe(listener: (limit: LimitInForce) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
