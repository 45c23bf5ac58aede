import fc from 'fast-check';

/** What a property prepares ahead of its cases, and how. */
export interface LookaheadOptions<T> {
  /** The property's arbitrary, exactly as handed to fast-check. */
  readonly arbitrary: fc.Arbitrary<T>;
  /**
   * Starts work a case will need, e.g. building its source image into a
   * cache keyed by spec. It must be harmless for a case that never comes:
   * a misprediction may only cost the work.
   */
  readonly prepare: (value: T) => void;
  /** Cases prepared ahead of the one being checked; default 1. */
  readonly depth?: number;
}

/** The run's own fast-check parameters, which decide its cases. */
export interface LookaheadRun<T> {
  readonly seed: number;
  readonly numRuns: number;
  readonly examples: readonly T[];
  /** Epoch ms after which no new case starts (a campaign's deadline); undefined: none. */
  readonly deadline?: number;
}

/** Nothing is prepared this close to the deadline: the coming case would likely not run. */
export const DEADLINE_MARGIN_MS = 1000;

/** Enough cases planned at once for a short run; a long one doubles it. */
const FIRST_PLAN = 32;

/** Structural identity of a case (corpus examples and generated values alike). */
function keyOf(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

/**
 * fast-check's coming cases, so a property can prepare case i+1 while case
 * i waits on the candidate (issue 12); none in the last second before a
 * campaign's deadline, where the coming case would likely be skipped. They come from fc.sample on the
 * run's seed, run count and examples: the values fc.assert generates for
 * those parameters (examples first, then the seeded draws; the property's
 * arbitrary is the tuple of its arbitraries, hence fc.tuple here).
 *
 * The plan is trusted only while the cases seen match it: the first case
 * that differs, or the first failure (shrinking follows), ends the
 * lookahead for the run. Every case is still checked on the value
 * fast-check gave; a wrong plan only wastes a preparation. Path replays
 * (FC_PATH) take no lookahead at all.
 */
export class CaseLookahead<T> {
  private planned: readonly T[] = [];
  /** The plan's index of the case expected next. */
  private expected = 0;
  /** Plan indices below this one were prepared or seen. */
  private preparedUpTo = 0;
  private active = true;
  /** Cases prepared ahead, for tests and the run's log. */
  prepared = 0;

  constructor(
    private readonly options: LookaheadOptions<T>,
    private readonly run: LookaheadRun<T>,
  ) {}

  /** Called with each case before it is checked; prepares the coming ones while the plan holds. */
  seen(value: T): void {
    if (!this.active) return;
    const planned = this.planAt(this.expected);
    if (planned === undefined || keyOf(planned) !== keyOf(value)) {
      this.active = false;
      return;
    }
    this.expected++;
    this.preparedUpTo = Math.max(this.preparedUpTo, this.expected);
    if (this.run.deadline !== undefined && Date.now() + DEADLINE_MARGIN_MS >= this.run.deadline) return;
    const until = Math.min(this.expected + (this.options.depth ?? 1), this.run.numRuns);
    for (; this.preparedUpTo < until; this.preparedUpTo++) {
      const coming = this.planAt(this.preparedUpTo);
      if (coming === undefined) break;
      this.prepared++;
      this.options.prepare(coming);
    }
  }

  /** A case failed: shrinking follows, whose cases no plan predicts. */
  failed(): void {
    this.active = false;
  }

  get isActive(): boolean {
    return this.active;
  }

  private planAt(index: number): T | undefined {
    if (index >= this.run.numRuns) return undefined;
    if (index >= this.planned.length) {
      const numRuns = Math.min(this.run.numRuns, Math.max(FIRST_PLAN, 2 * this.planned.length, index + 1));
      this.planned = fc
        .sample(fc.tuple(this.options.arbitrary), { seed: this.run.seed, numRuns, examples: this.run.examples.map((e): [T] => [e]) })
        .map(([value]) => value);
    }
    return this.planned[index];
  }
}
