import { parseFlatJson, type FlatJson } from './check-flat-json.ts';
import { toSafeNumber } from './exact-json.ts';

/**
 * What `qemu-img check --output=json` says of an image's health: the counts
 * the repair oracles compare (instar-ops.md section 0, `_qemu_check_metrics`:
 * an absent count is 0). undefined when stdout holds no report.
 */
export interface CheckCounts {
  readonly corruptions: number;
  readonly leaks: number;
  readonly checkErrors: number;
}

function count(report: FlatJson, field: string): number {
  const value = report[field];
  if (value === undefined || value === null) return 0;
  if (typeof value === 'bigint') return toSafeNumber(value);
  return typeof value === 'number' ? value : Number.NaN;
}

export function checkCounts(stdout: string): CheckCounts | undefined {
  const report = parseFlatJson(stdout);
  if (report === undefined) return undefined;
  return { corruptions: count(report, 'corruptions'), leaks: count(report, 'leaks'), checkErrors: count(report, 'check-errors') };
}

export function isClean(counts: CheckCounts): boolean {
  return counts.corruptions === 0 && counts.leaks === 0 && counts.checkErrors === 0;
}

/**
 * Why an image after repair is worse than before it, or undefined when it
 * is not: it must still be checkable, without check errors, with no more
 * corruptions and no more leaks than the input had.
 */
export function worseThan(before: CheckCounts, after: CheckCounts | undefined): string | undefined {
  if (after === undefined) return 'qemu-img check cannot report on the repaired image';
  const problems = [
    ...(after.checkErrors > 0 ? [`${after.checkErrors} check error(s)`] : []),
    ...(after.corruptions > before.corruptions ? [`corruptions ${before.corruptions} → ${after.corruptions}`] : []),
    ...(after.leaks > before.leaks ? [`leaks ${before.leaks} → ${after.leaks}`] : []),
  ];
  return problems.length === 0 ? undefined : problems.join(', ');
}
