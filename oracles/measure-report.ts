import { parseFlatJson, type FlatJson } from './check-flat-json.ts';
import type { JsonValue } from './divergence.ts';
import { exactInteger, parseExactJson } from './exact-json.ts';

/**
 * `qemu-img measure` prints three figures, in JSON as `required`,
 * `fully-allocated` and (for qcow2 sources and targets) `bitmaps`, and in
 * human output as "required size: N", "fully allocated size: N" and
 * "bitmaps size: N". Both forms are read into the JSON field names, so one
 * comparison covers both.
 */

const HUMAN_LABELS: ReadonlyArray<readonly [label: string, field: string]> = [
  ['required size', 'required'],
  ['fully allocated size', 'fully-allocated'],
  ['bitmaps size', 'bitmaps'],
];

/** The figures, or undefined when the output is not a measure report at all. */
export function parseMeasureOutput(stdout: string, mode: 'json' | 'human'): FlatJson | undefined {
  if (mode === 'json') return parseFlatJson(stdout);
  const figures: Record<string, JsonValue> = {};
  for (const line of stdout.split('\n')) {
    const match = /^([a-z ]+): (\d+)$/.exec(line.trim());
    const field = match === null ? undefined : HUMAN_LABELS.find(([label]) => label === match[1])?.[1];
    // Read as JSON would read the digits: exact above 2^53, like the JSON form.
    if (match !== null && field !== undefined) figures[field] = parseExactJson(match[2] ?? '');
  }
  return Object.keys(figures).length > 0 ? figures : undefined;
}

/** Exact: fully-allocated exceeds 2^53 for large `--size` inputs. */
export interface MeasureFigures {
  readonly required: bigint;
  readonly fullyAllocated: bigint;
}

/** The two figures every measure report has, or undefined when either is missing or not an integer. */
export function measureFigures(report: FlatJson | undefined): MeasureFigures | undefined {
  const required = exactInteger(report?.['required']);
  const fullyAllocated = exactInteger(report?.['fully-allocated']);
  if (required === undefined || fullyAllocated === undefined) return undefined;
  return { required, fullyAllocated };
}

/** Shell: `figure FIELD LABEL` prints a figure from candidate.stdout in either output form. */
export const FIGURE_SHELL_FUNCTION =
  'figure() { sed -n -e "s/^$2: *\\([0-9]*\\)$/\\1/p" -e "s/.*\\"$1\\": *\\([0-9]*\\).*/\\1/p" candidate.stdout | head -n 1; }';
