import type { RunStats } from '../oracles/run-stats.ts';

/** (check and measure) Cases a property counted as skipped (label "skipped: why"), one line per reason. */
export function skippedSummary(stats: RunStats): string[] {
  return [...stats.classes]
    .filter(([label]) => label.startsWith('skipped: '))
    .map(([label, count]) => `  ${label} (${count} case(s))`);
}

/** How many cases were skipped for a reason starting with `prefix`. */
export function skippedCount(stats: RunStats, prefix = ''): number {
  let total = 0;
  for (const [label, count] of stats.classes) if (label.startsWith(`skipped: ${prefix}`)) total += count;
  return total;
}
