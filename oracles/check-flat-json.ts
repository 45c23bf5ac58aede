import type { JsonValue } from './divergence.ts';
import { parseExactJson, stringifyExactJson } from './exact-json.ts';

/**
 * check and measure print flat JSON objects (numbers and strings only;
 * integers above 2^53, such as image-end-offset, are parsed exactly).
 * This module parses them, compares them field by field, and gives the
 * same comparison as shell lines for repro.sh (grep/sed/sort/diff, no jq).
 */

export type FlatJson = Readonly<Record<string, JsonValue>>;

/** The object a tool printed, or undefined when stdout is not a JSON object. */
export function parseFlatJson(stdout: string): FlatJson | undefined {
  try {
    const parsed = parseExactJson(stdout);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    return parsed as FlatJson;
  } catch {
    return undefined;
  }
}

export interface FieldDifference {
  readonly field: string;
  /** undefined = the field is absent on that side. */
  readonly reference: JsonValue | undefined;
  readonly candidate: JsonValue | undefined;
}

/** Every field that is absent on one side or differs in value, in a stable order. */
export function fieldDifferences(reference: FlatJson, candidate: FlatJson, ignore: readonly string[] = []): FieldDifference[] {
  const fields = [...new Set([...Object.keys(reference), ...Object.keys(candidate)])]
    .filter((f) => !ignore.includes(f))
    .sort();
  return fields
    .map((field) => ({ field, reference: reference[field], candidate: candidate[field] }))
    .filter((d) => shown(d.reference) !== shown(d.candidate));
}

function shown(value: JsonValue | undefined): string {
  return value === undefined ? '(absent)' : stringifyExactJson(value);
}

export function describeFieldDifferences(differences: readonly FieldDifference[]): string {
  return differences.map((d) => `${d.field}: reference ${shown(d.reference)}, candidate ${shown(d.candidate)}`).join('\n');
}

/** Structured form for a divergence's data (absent fields become null). */
export function fieldDifferencesData(differences: readonly FieldDifference[]): JsonValue {
  return differences.map((d) => ({ field: d.field, reference: d.reference ?? null, candidate: d.candidate ?? null }));
}

/**
 * Shell lines that reduce each tool's JSON stdout to sorted `"key": value`
 * lines (dropping `ignoredField`) and set diverged=1 when they differ. Only
 * run when the reference printed something.
 */
export function flatJsonCompareLines(ignoredField: string | undefined): string[] {
  const drop = ignoredField !== undefined ? ` | grep -v '^"${ignoredField}"'` : '';
  return [
    `fields() { grep -o '"[a-z-]*": *[^,}]*' "$1" | sed -e 's/: */: /' -e 's/ *$//'${drop} | sort; }`,
    'if [ -s reference.stdout ]; then',
    '  fields reference.stdout >reference.fields; fields candidate.stdout >candidate.fields',
    '  diff reference.fields candidate.fields && echo "JSON fields agree" || { echo "JSON fields differ (< reference, > candidate)"; diverged=1; }',
    'fi',
  ];
}
