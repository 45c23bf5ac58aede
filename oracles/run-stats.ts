import type { WhitelistTally } from '../whitelist.ts';

/** Every RunStats made in this process, so a campaign can snapshot them. */
const everyRunStats = new Set<RunStats>();

export function liveRunStats(): readonly RunStats[] {
  return [...everyRunStats];
}

/**
 * Counters for one property in one process: what the summary prints.
 * Inconclusive cases (the reference timed out) are listed, not failed.
 */
export class RunStats implements WhitelistTally {
  runs = 0;
  readonly inconclusive: string[] = [];
  readonly eligibleCounts = new Map<string, number>();
  readonly hitCounts = new Map<string, number>();
  readonly classes = new Map<string, number>();

  constructor(readonly property: string) {
    everyRunStats.add(this);
  }

  eligible(id: string): void {
    this.eligibleCounts.set(id, (this.eligibleCounts.get(id) ?? 0) + 1);
  }

  hit(id: string): void {
    this.hitCounts.set(id, (this.hitCounts.get(id) ?? 0) + 1);
  }

  classify(labels: readonly string[]): void {
    for (const label of labels) this.classes.set(label, (this.classes.get(label) ?? 0) + 1);
  }

  /**
   * Entries eligible at least `minEligible` times in this run and never hit:
   * the candidate probably no longer diverges there, so the entry may be
   * removed. A warning for the summary, never a failure.
   */
  staleWhitelistWarnings(minEligible = 20): string[] {
    return [...this.eligibleCounts]
      .filter(([id, eligible]) => eligible >= minEligible && (this.hitCounts.get(id) ?? 0) === 0)
      .map(
        ([id, eligible]) =>
          `warning: whitelist entry ${id} was eligible in ${eligible} case(s) and never needed; the divergence may be fixed, consider removing the entry`,
      );
  }

  toJSON(): object {
    return {
      property: this.property,
      runs: this.runs,
      inconclusive: this.inconclusive,
      whitelistEligible: Object.fromEntries(this.eligibleCounts),
      whitelistHits: Object.fromEntries(this.hitCounts),
      classes: Object.fromEntries(this.classes),
    };
  }

  summary(): string {
    const hits = [...this.eligibleCounts.keys()]
      .map((id) => `${id} ${this.hitCounts.get(id) ?? 0}/${this.eligibleCounts.get(id) ?? 0}`)
      .join(', ');
    const lines = [
      `${this.property}: ${this.runs} case(s), ${this.inconclusive.length} inconclusive` +
        (hits ? `; whitelist hits/eligible: ${hits}` : ''),
      ...this.inconclusive.slice(0, 10).map((reason) => `  inconclusive: ${reason}`),
    ];
    return lines.join('\n');
  }
}
