import type { JsonValue } from './divergence.ts';
import { exactInteger, parseExactJson } from './exact-json.ts';
import type { MeasureFigures } from './measure-report.ts';

/**
 * Bounds for `measure` on targets qemu-img cannot measure (vmdk, vpc, vhdx),
 * where the candidate can only be checked against itself and against real
 * outputs:
 *
 * - required <= fully-allocated: by definition (a partly allocated image
 *   never needs more than a fully allocated one).
 * - with `--size N`: fully-allocated >= N, every guest byte must fit.
 * - fully-allocated >= the file length of the candidate's OWN output of the
 *   same input (convert of the source, or create for `--size`): a fully
 *   allocated image is the largest image of that input and options, so a
 *   real output can never be larger. File length (not blocks on disk) is
 *   what a copy to a non-sparse medium needs.
 * - required >= the guest data qemu-img's output of the same input and
 *   options stores: the sum of `qemu-img map` extents with data=true (whole
 *   grains/blocks for sparse formats, everything for fixed VHD). Any writer
 *   of the format with the same grain/block size must store every grain or
 *   block that holds a non-zero byte, and qemu-img allocates only those
 *   (it skips zeros), so this is a floor no correct `required` goes below.
 *   Metadata is left out on purpose: layouts legitimately differ (vmdk's
 *   redundant grain directory, vhdx's log and region sizes), so qemu-img's
 *   file length would flag correct candidates. Compressed data
 *   (streamOptimized) is left out too: its size depends on the compressor.
 */

export type BoundName =
  | 'required <= fully-allocated'
  | 'fully-allocated >= requested size'
  | "fully-allocated >= own output's length"
  | "required >= qemu-img output's data";

/** Every figure exact (bigint): `--size` and fully-allocated may exceed 2^53. */
export interface BoundObservations {
  readonly figures: MeasureFigures;
  /** `--size N`, when the input was a size. */
  readonly requestedSize: bigint | undefined;
  /** File length of the candidate's own output, when it wrote one. */
  readonly ownOutputLength: bigint | undefined;
  /** Guest data bytes of qemu-img's output, when it applies. */
  readonly referenceData: bigint | undefined;
}

export interface BoundViolation {
  readonly bound: BoundName;
  readonly text: string;
  readonly figure: bigint;
  readonly limit: bigint;
}

export function boundViolations(o: BoundObservations): BoundViolation[] {
  const { required, fullyAllocated } = o.figures;
  const violations: BoundViolation[] = [];
  if (required > fullyAllocated) {
    violations.push({
      bound: 'required <= fully-allocated',
      text: `required ${required} exceeds fully-allocated ${fullyAllocated}`,
      figure: required,
      limit: fullyAllocated,
    });
  }
  if (o.requestedSize !== undefined && fullyAllocated < o.requestedSize) {
    violations.push({
      bound: 'fully-allocated >= requested size',
      text: `fully-allocated ${fullyAllocated} is below the requested size ${o.requestedSize}`,
      figure: fullyAllocated,
      limit: o.requestedSize,
    });
  }
  if (o.ownOutputLength !== undefined && fullyAllocated < o.ownOutputLength) {
    violations.push({
      bound: "fully-allocated >= own output's length",
      text: `fully-allocated ${fullyAllocated} is below the ${o.ownOutputLength}-byte file the candidate itself wrote for this input`,
      figure: fullyAllocated,
      limit: o.ownOutputLength,
    });
  }
  if (o.referenceData !== undefined && required < o.referenceData) {
    violations.push({
      bound: "required >= qemu-img output's data",
      text: `required ${required} is below the ${o.referenceData} bytes of guest data qemu-img's output of this input stores`,
      figure: required,
      limit: o.referenceData,
    });
  }
  return violations;
}

export function violationsData(violations: readonly BoundViolation[]): JsonValue {
  return violations.map((v) => ({ bound: v.bound, figure: v.figure, limit: v.limit }));
}

/** Sum of the data=true extents of `qemu-img map --output=json` (exact), or undefined if unparseable. */
export function dataBytesFromMap(stdout: string): bigint | undefined {
  let parsed: JsonValue;
  try {
    parsed = parseExactJson(stdout);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  let total = 0n;
  for (const entry of parsed as readonly JsonValue[]) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return undefined;
    const e = entry as { readonly [key: string]: JsonValue };
    const length = exactInteger(e['length']);
    if (length === undefined) return undefined;
    if (e['data'] === true) total += length;
  }
  return total;
}

/** Shell: `data_bytes FMT FILE` prints the same sum, without jq. */
export const DATA_BYTES_SHELL_FUNCTION =
  'data_bytes() { "$QEMU_IMG" map --output=json -f "$1" "$2" | grep \'"data": true\' | sed -n \'s/.*"length": \\([0-9]*\\).*/\\1/p\' | awk \'{ s += $1 } END { print s + 0 }\'; }';
