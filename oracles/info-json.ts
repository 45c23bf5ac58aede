import { diffString } from 'json-diff';
import type { ImageFormat } from '../images/image-spec.ts';
import type { JsonValue } from './divergence.ts';
import { withBigintsAsText } from './exact-json.ts';
import { diffJson, type JsonDifference } from './info-output.ts';

/**
 * The faithful normaliser for `qemu-img info --output=json` on two files
 * made by two writers (create): only what must differ between two correct
 * writers is removed, everything else is kept, `format-specific` included.
 *
 * - every `filename` naming the image itself becomes a placeholder;
 * - `actual-size` (allocation on the host) and `dirty-flag` go;
 * - runtime cache hints go (they describe qemu's open, not the file);
 * - vmdk `cid` and `parent-cid` go (random per creation);
 * - `children[*].info.virtual-size` goes (the wrapping file's size);
 * - vhdx `log-size` goes only when the case did not ask for a log size.
 */
export const FILENAME_PLACEHOLDER = '$FILENAME';

const ALWAYS_DROPPED = new Set([
  'actual-size',
  'dirty-flag',
  'refcount-block-cache-size',
  'l2-cache-size',
  'l2-cache-entry-size',
  'cache-clean-interval',
]);

const DROPPED_BY_TARGET: Readonly<Record<ImageFormat, readonly string[]>> = {
  vmdk: ['cid', 'parent-cid'],
  raw: [],
  qcow2: [],
  vpc: [],
  vhdx: [],
};

export interface InfoNormalisation {
  /** The path the tool was given, as qemu-img info prints it. */
  readonly file: string;
  readonly target: ImageFormat;
  /** The case passed `log_size`: then a reported log size must match. */
  readonly askedLogSize: boolean;
}

type Mutable = JsonValue | { [key: string]: JsonValue } | JsonValue[];

function isRecord(value: JsonValue | undefined): value is { readonly [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strip(value: JsonValue, dropped: ReadonlySet<string>, file: string): Mutable {
  if (Array.isArray(value)) return value.map((item: JsonValue) => strip(item, dropped, file) as JsonValue);
  if (!isRecord(value)) return value;
  const out: { [key: string]: JsonValue } = {};
  for (const [key, item] of Object.entries(value)) {
    if (dropped.has(key)) continue;
    out[key] = key === 'filename' && item === file ? FILENAME_PLACEHOLDER : (strip(item, dropped, file) as JsonValue);
  }
  return out;
}

/** The keys the normaliser drops for a target; repro.sh drops the same ones. */
export function droppedInfoKeys(target: ImageFormat, askedLogSize: boolean): string[] {
  return [...ALWAYS_DROPPED, ...DROPPED_BY_TARGET[target], ...(target === 'vhdx' && !askedLogSize ? ['log-size'] : [])];
}

/** The normalised document; the input is not changed. */
export function normaliseCreateInfo(document: JsonValue, how: InfoNormalisation): JsonValue {
  const dropped = new Set(droppedInfoKeys(how.target, how.askedLogSize));
  const out = strip(document, dropped, how.file) as JsonValue;
  if (!isRecord(out) || !Array.isArray(out['children'])) return out;
  const children = (out['children'] as readonly JsonValue[]).map((child) => {
    if (!isRecord(child) || !isRecord(child['info'])) return child;
    const { ['virtual-size']: _wrappingFileSize, ...info } = child['info'];
    return { ...child, info };
  });
  return { ...out, children };
}

export interface InfoComparison {
  /** Every differing leaf, e.g. "format-specific.data.refcount-bits". */
  readonly differences: readonly JsonDifference[];
  /** json-diff of the two normalised documents (reference first), uncoloured. */
  readonly diffText: string;
}

/** Structural comparison: object key order does not matter, array order does. */
export function compareCreateInfo(reference: JsonValue, candidate: JsonValue): InfoComparison {
  type Json = Parameters<typeof diffJson>[0];
  const differences = diffJson(reference as Json, candidate as Json);
  if (differences.length === 0) return { differences, diffText: '' };
  // json-diff cannot serialise bigints (sizes past 2^53): it shows them as digit strings.
  const diffText = diffString(withBigintsAsText(reference), withBigintsAsText(candidate), { color: false, full: true });
  return { differences, diffText: diffText.trimEnd() };
}
