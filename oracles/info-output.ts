import type { JsonValue } from './divergence.ts';
import { parseExactJson, stringifyExactJson } from './exact-json.ts';

/**
 * The narrow normalisation of `info` output for comparing two tools run on
 * the SAME file. Only what must vary is replaced: the image's file name
 * (a tool may print the path differently) and its disk size (allocation as
 * each tool measures it; instar derives it from format metadata). Everything
 * else, `format-specific` included, must match: the peer fuzzer strips
 * `format-specific` wholesale and so misses a wrong subformat or create-type.
 */

export const FILE_PLACEHOLDER = '<FILE>';
export const DISK_SIZE_PLACEHOLDER = '<DISK-SIZE>';

type Json = JsonValue;

export type ParsedInfo = { readonly kind: 'parsed'; readonly document: Json } | { readonly kind: 'invalid'; readonly reason: string };

export function parseInfoJson(stdout: string): ParsedInfo {
  try {
    // Exact: virtual sizes and offsets above 2^53 must not round.
    const document = parseExactJson(stdout);
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      return { kind: 'invalid', reason: 'the document is not a JSON object' };
    }
    return { kind: 'parsed', document };
  } catch (error) {
    return { kind: 'invalid', reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Top-level `filename` and `actual-size` become placeholders; a missing key
 * stays missing. qemu-img 8.0 and later (10.0 here; not 7.2) also list the
 * image's protocol node under `children[*].info`: the same file, so its
 * `filename` and `actual-size` are the same two values and are replaced the
 * same way. Everything else in a child (`virtual-size`, the file's length,
 * included) must match.
 */
export function normaliseInfoJson(document: Json): Json {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return document;
  const out: { [key: string]: Json } = { ...(document as { readonly [key: string]: Json }) };
  if ('filename' in out) out['filename'] = FILE_PLACEHOLDER;
  if ('actual-size' in out) out['actual-size'] = DISK_SIZE_PLACEHOLDER;
  const children = out['children'];
  if (Array.isArray(children)) {
    out['children'] = children.map((child: Json) =>
      isObject(child) && 'info' in child ? { ...child, info: normaliseInfoJson(child['info'] ?? null) } : child,
    );
  }
  return out;
}

export interface JsonDifference {
  /** e.g. "format-specific.data.create-type", "extents[0].compressed". */
  readonly path: string;
  /** JSON text of each side; "(absent)" when the key is missing. */
  readonly reference: string;
  readonly candidate: string;
}

const ABSENT = '(absent)';

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: Json | undefined): string {
  return value === undefined ? ABSENT : stringifyExactJson(value);
}

/** Every differing leaf path; object key order is not significant, array order is. */
export function diffJson(reference: Json | undefined, candidate: Json | undefined, path = ''): JsonDifference[] {
  if (isObject(reference) && isObject(candidate)) {
    const keys = [...new Set([...Object.keys(reference), ...Object.keys(candidate)])];
    return keys.flatMap((key) => diffJson(reference[key], candidate[key], path === '' ? key : `${path}.${key}`));
  }
  if (Array.isArray(reference) && Array.isArray(candidate)) {
    const length = Math.max(reference.length, candidate.length);
    return Array.from({ length }, (_, i) => diffJson(reference[i], candidate[i], `${path}[${i}]`)).flat();
  }
  if (show(reference) === show(candidate)) return [];
  return [{ path: path === '' ? '(document)' : path, reference: show(reference), candidate: show(candidate) }];
}

export function describeJsonDifferences(differences: readonly JsonDifference[]): string {
  return differences.map((d) => `${d.path}: reference ${d.reference}, candidate ${d.candidate}`).join('\n');
}

/**
 * Only the top-level "image:" and "disk size:" lines become placeholders,
 * and their counterparts in a "Child node '/file':" section (qemu-img 8.0
 * and later): its indented "filename:" and "disk size:" lines.
 */
export function normaliseInfoHuman(stdout: string): string[] {
  let inChildNode = false;
  return stdout.split('\n').map((line) => {
    if (!line.startsWith(' ')) inChildNode = line.startsWith('Child node ');
    if (line.startsWith('image: ')) return `image: ${FILE_PLACEHOLDER}`;
    if (line.startsWith('disk size: ')) return `disk size: ${DISK_SIZE_PLACEHOLDER}`;
    if (inChildNode) {
      const child = /^(\s+)(filename|disk size): /.exec(line);
      if (child !== null) return `${child[1]}${child[2]}: ${child[2] === 'filename' ? FILE_PLACEHOLDER : DISK_SIZE_PLACEHOLDER}`;
    }
    return line;
  });
}

export interface LineDifference {
  /** 1-based. */
  readonly line: number;
  readonly reference: string;
  readonly candidate: string;
}

export function firstLineDifference(reference: readonly string[], candidate: readonly string[]): LineDifference | undefined {
  const length = Math.max(reference.length, candidate.length);
  for (let i = 0; i < length; i++) {
    if (reference[i] !== candidate[i]) {
      return { line: i + 1, reference: reference[i] ?? ABSENT, candidate: candidate[i] ?? ABSENT };
    }
  }
  return undefined;
}

/** Whether an info output (JSON or human) says the file is raw. */
export function reportsRawFormat(stdout: string): boolean {
  const parsed = parseInfoJson(stdout);
  if (parsed.kind === 'parsed') return isObject(parsed.document) && parsed.document['format'] === 'raw';
  return /^file format: raw$/m.test(stdout);
}
