import { divergence, type Divergence } from './divergence.ts';

/**
 * Size-aware content equality: the virtual size AND every byte must match.
 * A zero tail is still a difference (qemu-img compare without -s hides it).
 */
export type ContentDifference =
  | {
      readonly kind: 'size';
      readonly expectedSize: number;
      readonly actualSize: number;
      /** True when the shorter one is a prefix and the rest is zeros. */
      readonly onlyZeroTail: boolean;
      /** First differing byte in the common prefix, if any. */
      readonly firstDifference: ByteDifference | undefined;
    }
  | ({ readonly kind: 'bytes' } & ByteDifference);

export interface ByteDifference {
  readonly offset: number;
  /** A short hex view of both sides around the offset. */
  readonly expectedHex: string;
  readonly actualHex: string;
  /** Bytes that differ in total (in the common prefix). */
  readonly differingBytes: number;
}

const VIEW_BYTES = 16;

export function hexView(bytes: Uint8Array, offset: number): string {
  const start = Math.max(0, offset - (offset % VIEW_BYTES));
  const slice = bytes.subarray(start, Math.min(bytes.length, start + VIEW_BYTES));
  const hex = Array.from(slice, (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `${start.toString(16).padStart(8, '0')}: ${hex}`;
}

function firstDifference(expected: Uint8Array, actual: Uint8Array): ByteDifference | undefined {
  const common = Math.min(expected.length, actual.length);
  if (Buffer.compare(expected.subarray(0, common), actual.subarray(0, common)) === 0) return undefined;
  let offset = -1;
  let differing = 0;
  // Compare in chunks first so equal megabytes cost little.
  const CHUNK = 4096;
  for (let at = 0; at < common; at += CHUNK) {
    const end = Math.min(common, at + CHUNK);
    if (Buffer.compare(expected.subarray(at, end), actual.subarray(at, end)) === 0) continue;
    for (let i = at; i < end; i++) {
      if (expected[i] !== actual[i]) {
        if (offset < 0) offset = i;
        differing++;
      }
    }
  }
  return { offset, expectedHex: hexView(expected, offset), actualHex: hexView(actual, offset), differingBytes: differing };
}

function isAllZero(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0) return false;
  return true;
}

export function compareContent(expected: Uint8Array, actual: Uint8Array): ContentDifference | undefined {
  const diff = firstDifference(expected, actual);
  if (expected.length !== actual.length) {
    const longer = expected.length > actual.length ? expected : actual;
    const common = Math.min(expected.length, actual.length);
    return {
      kind: 'size',
      expectedSize: expected.length,
      actualSize: actual.length,
      onlyZeroTail: diff === undefined && isAllZero(longer.subarray(common)),
      firstDifference: diff,
    };
  }
  return diff === undefined ? undefined : { kind: 'bytes', ...diff };
}

export function describeContentDifference(d: ContentDifference, expectedName: string, actualName: string): string {
  if (d.kind === 'size') {
    const tail = d.onlyZeroTail ? ' (otherwise equal: the longer one has only a zero tail)' : '';
    const first = d.firstDifference ? `; first differing byte at offset ${d.firstDifference.offset}` : '';
    return `virtual size differs: ${expectedName} ${d.expectedSize} bytes, ${actualName} ${d.actualSize} bytes${tail}${first}`;
  }
  return `content differs at offset ${d.offset} (${d.differingBytes} byte(s) differ):\n  ${expectedName.padEnd(10)} ${d.expectedHex}\n  ${actualName.padEnd(10)} ${d.actualHex}`;
}

/**
 * The candidate's output against the reference's, as a divergence: a size
 * difference (zero tail flagged) or the first differing byte; undefined when
 * equal. Shared by every property that compares two written images.
 */
export function contentDivergence(referenceBytes: Uint8Array, candidateBytes: Uint8Array): Divergence | undefined {
  const diff = compareContent(referenceBytes, candidateBytes);
  if (diff === undefined) return undefined;
  const detail = describeContentDifference(diff, 'reference', 'candidate');
  if (diff.kind === 'size') {
    return divergence('virtual-size', `virtual size: reference ${diff.expectedSize}, candidate ${diff.actualSize}`, detail, {
      referenceSize: diff.expectedSize,
      candidateSize: diff.actualSize,
      onlyZeroTail: diff.onlyZeroTail,
    });
  }
  return divergence('content', `content differs from offset ${diff.offset}`, detail, {
    offset: diff.offset,
    differingBytes: diff.differingBytes,
  });
}
