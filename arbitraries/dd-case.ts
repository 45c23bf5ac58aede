import fc from 'fast-check';
import type { ImageFormat, ImageSpec } from '../images/image-spec.ts';
import { predictedVirtualSize } from '../images/virtual-size.ts';
import { imageSpecArbitrary } from './image-spec.ts';

const MiB = 1024 * 1024;

/**
 * A count or skip operand before the image is known: absent, a small
 * absolute number of blocks, or a share of the image's blocks (up to twice
 * the image, so "beyond EOF" and "past the end" are reachable at any size).
 */
export type BlockOperand =
  | { readonly kind: 'absent' }
  | { readonly kind: 'blocks'; readonly n: number }
  | { readonly kind: 'share'; readonly permille: number };

export interface DdCase {
  readonly source: ImageSpec;
  readonly target: ImageFormat;
  readonly bs: number;
  readonly count: BlockOperand;
  readonly skip: BlockOperand;
}

/** The concrete operands once the source's virtual size is known. */
export interface DdWindow {
  readonly bs: number;
  readonly count: number | undefined;
  readonly skip: number | undefined;
}

/**
 * At most this many blocks are copied per case: qemu-img dd does one read and
 * one write per block, so bs=1 over megabytes would take minutes.
 */
export const MAX_BLOCKS_COPIED = 4096;

/**
 * Block sizes. The boundary values come first: cross-shrinking aims at the
 * first group, so a bug that needs a non-512 bs shrinks to bs=1 from any
 * group, while one that needs a 512-multiple shrinks within its own to 512.
 */
export const bsArbitrary: fc.Arbitrary<number> = fc.oneof(
  { withCrossShrink: true },
  fc.constantFrom(1, 999, 1000, 4095, 65537),
  fc.constantFrom(512, 1024, 4096, 65536, MiB),
  fc.integer({ min: 0, max: 32767 }).map((n) => 2 * n + 1),
  fc.integer({ min: MiB, max: 8 * MiB }),
);

function blockOperandArbitrary(absentWeight: number): fc.Arbitrary<BlockOperand> {
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: fc.constant<BlockOperand>({ kind: 'absent' }), weight: absentWeight },
    { arbitrary: fc.integer({ min: 0, max: 16 }).map((n): BlockOperand => ({ kind: 'blocks', n })), weight: 2 },
    {
      arbitrary: fc.integer({ min: 0, max: 2000 }).map((permille): BlockOperand => ({ kind: 'share', permille })),
      weight: 3,
    },
  );
}

export const ddTargetArbitrary: fc.Arbitrary<ImageFormat> = fc.constantFrom('raw', 'qcow2', 'vmdk', 'vpc', 'vhdx');

/**
 * dd cases. Windows that would copy more than MAX_BLOCKS_COPIED blocks are
 * not generated (rather than cut short), so a shrunk case's operands are
 * exactly what it ran with and shrinking cannot get stuck on a cap.
 */
export const ddCaseArbitrary: fc.Arbitrary<DdCase> = fc
  .record({
    source: imageSpecArbitrary,
    target: ddTargetArbitrary,
    bs: bsArbitrary,
    count: blockOperandArbitrary(2),
    skip: blockOperandArbitrary(2),
  })
  .filter(withinBlockLimit);

/** The arbitrary's filter: the case copies at most MAX_BLOCKS_COPIED blocks of its (predicted) source. */
export function withinBlockLimit(ddCase: DdCase): boolean {
  return blocksCopied(ddCase, predictedVirtualSize(ddCase.source)) <= MAX_BLOCKS_COPIED;
}

function resolveOperand(operand: BlockOperand, blocksInImage: number): number | undefined {
  switch (operand.kind) {
    case 'absent':
      return undefined;
    case 'blocks':
      return operand.n;
    case 'share':
      return Math.floor((operand.permille * blocksInImage) / 1000);
  }
}

function uncappedWindow(ddCase: DdCase, sourceVirtualSize: number): DdWindow {
  const blocksInImage = Math.ceil(sourceVirtualSize / ddCase.bs);
  return {
    bs: ddCase.bs,
    count: resolveOperand(ddCase.count, blocksInImage),
    skip: resolveOperand(ddCase.skip, blocksInImage),
  };
}

/** Blocks qemu-img dd loops over: count stops at the end of the image. */
function blocksCopied(ddCase: DdCase, sourceVirtualSize: number): number {
  const window = uncappedWindow(ddCase, sourceVirtualSize);
  const blocksInImage = Math.ceil(sourceVirtualSize / ddCase.bs);
  const lastBlock = Math.min(window.count ?? blocksInImage, blocksInImage);
  return lastBlock - (window.skip ?? 0);
}

/**
 * Turns a case's operands into numbers. The cap is a safety net only: the
 * arbitrary already keeps windows under it, using the predicted virtual size.
 */
export function resolveDdWindow(ddCase: DdCase, sourceVirtualSize: number): DdWindow {
  const window = uncappedWindow(ddCase, sourceVirtualSize);
  if (blocksCopied(ddCase, sourceVirtualSize) <= MAX_BLOCKS_COPIED) return window;
  return { ...window, count: (window.skip ?? 0) + MAX_BLOCKS_COPIED };
}
