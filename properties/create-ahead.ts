import type { CreateCase } from '../arbitraries/create-case.ts';

/** A case's creates, started: its directory, and whatever the start returned. */
export interface StartedCase<S> {
  readonly state: S;
  /** Waits for everything the start launched, then removes the case's directory. */
  readonly finish: () => Promise<void>;
}

/** Structural identity of a case. */
function keyOf(c: CreateCase): string {
  return JSON.stringify(c);
}

/**
 * The coming create case, started as soon as the current case's candidate
 * has finished (issue 12): the candidate's next create then runs while the
 * suite still reads this case's outputs. The candidate still runs one call
 * at a time, and every case runs exactly its own calls: a started case is
 * used only by the case it was started for (same value); any other case
 * leaves it to finish and be removed, and starts its own.
 *
 * `queue` names the coming case (from the run's lookahead), `release` says
 * the current candidate is done, `take` hands a case what was started for
 * it, if anything.
 */
export class CreatesAhead<S> {
  private queued: CreateCase | undefined;
  private started: { key: string; ready: StartedCase<S> } | undefined;
  /** Cases that found their start ready, for tests and the run's log. */
  used = 0;

  /** `start` launches the case's first processes before it returns, so nothing queued behind them delays them. */
  constructor(private readonly start: (c: CreateCase) => StartedCase<S>) {}

  queue(next: CreateCase): void {
    this.queued = next;
  }

  /** The current case's candidate has finished: the queued case starts, if none is started. */
  release(): void {
    const next = this.queued;
    if (next === undefined || this.started !== undefined) return;
    this.queued = undefined;
    try {
      this.started = { key: keyOf(next), ready: this.start(next) };
    } catch {
      // A start that fails is the case's own to report when it runs it itself.
    }
  }

  /** What was started for `c`, or undefined (then anything started for another case is discarded). */
  async take(c: CreateCase): Promise<StartedCase<S> | undefined> {
    const started = this.started;
    this.started = undefined;
    if (started === undefined) return undefined;
    if (started.key === keyOf(c)) {
      this.used++;
      return started.ready;
    }
    await started.ready.finish();
    return undefined;
  }

  /** End of the run: a case started for nothing is finished and removed. */
  async dispose(): Promise<void> {
    this.queued = undefined;
    const started = this.started;
    this.started = undefined;
    await started?.ready.finish();
  }
}
