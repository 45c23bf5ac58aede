/**
 * `snapshot -l` as a table both tools print. The creation date (local time,
 * to the second) differs between two runs by design, so it becomes a
 * placeholder of the same width; everything else, the column padding
 * included (instar once padded multibyte names by characters, not bytes),
 * is compared as printed.
 */
const DATE = /\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\b/g;
export const DATE_PLACEHOLDER = 'YYYY-MM-DD hh:mm:ss';

export function normaliseSnapshotList(stdout: string): string {
  return stdout.replace(DATE, DATE_PLACEHOLDER);
}

/** The sed expression repro.sh applies for the same normalisation. */
export const SNAPSHOT_LIST_SED = `s/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}/${DATE_PLACEHOLDER}/g`;

/** The first differing line (1-based), with both texts, or undefined when equal. */
export function firstDifferentLine(reference: string, candidate: string): { line: number; reference: string; candidate: string } | undefined {
  const a = reference.split('\n');
  const b = candidate.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return { line: i + 1, reference: a[i] ?? '(absent)', candidate: b[i] ?? '(absent)' };
  }
  return undefined;
}
