import fc from 'fast-check';
import type { Extent, ImageSpec } from '../images/image-spec.ts';
import { imageSpecArbitrary } from './image-spec.ts';

export type InfoOutput = 'json' | 'human';

/**
 * `info` on one source image, in one output mode or both. A case asks for
 * one mode or both on the same built source: one source serves two checks
 * in a third of the cases, and a case costs four processes instead of six
 * in the rest (issue 12). A shrunk case names one mode where one suffices.
 */
export interface InfoCase {
  readonly source: ImageSpec;
  /** Non-empty, each at most once, JSON first. */
  readonly outputs: readonly InfoOutput[];
}

/** Simplest first: shrinking moves toward JSON alone, then human alone. */
export const INFO_OUTPUT_SETS: ReadonlyArray<readonly InfoOutput[]> = [['json'], ['human'], ['json', 'human']];

/** An MBR with one partition entry, as a partitioning tool would write it. */
export interface MbrTable {
  readonly bootable: boolean;
  /** Linux, NTFS, FAT32 LBA, or a protective GPT MBR. */
  readonly partitionType: number;
  readonly startLba: number;
}

const SECTOR = 512;

/** Linux, NTFS, FAT32 LBA, a protective GPT MBR. */
export const MBR_PARTITION_TYPES: readonly number[] = [0x83, 0x07, 0x0c, 0xee];
/** The first partition's sector, simplest first. */
export const MBR_START_LBAS: readonly number[] = [1, 63, 2048];

export const mbrTableArbitrary: fc.Arbitrary<MbrTable> = fc.record({
  bootable: fc.boolean(),
  partitionType: fc.constantFrom(...MBR_PARTITION_TYPES),
  startLba: fc.constantFrom(...MBR_START_LBAS),
});

/** One-byte extents for the non-zero bytes of a little-endian 32-bit field. */
function littleEndianExtents(offset: number, value: number): Extent[] {
  const extents: Extent[] = [];
  for (let i = 0; i < 4; i++) {
    const byte = Math.floor(value / 256 ** i) % 256;
    if (byte !== 0) extents.push({ offset: offset + i, length: 1, fill: byte });
  }
  return extents;
}

/**
 * The spec with an MBR written over its first sector, as extents (so the
 * recipe and repro.sh build it with qemu-io alone). The image grows, when it
 * must, to hold the partition's first sector; the partition runs to the end.
 * The table area is zeroed first, so data extents cannot leave stray entries.
 */
export function withMbr(spec: ImageSpec, mbr: MbrTable): ImageSpec {
  const size = Math.max(spec.size, (mbr.startLba + 1) * SECTOR);
  const sectors = Math.ceil(size / SECTOR) - mbr.startLba;
  const table: Extent[] = [
    { offset: 446, length: 64, fill: 0 },
    ...(mbr.bootable ? [{ offset: 446, length: 1, fill: 0x80 }] : []),
    { offset: 450, length: 1, fill: mbr.partitionType },
    ...littleEndianExtents(454, mbr.startLba),
    ...littleEndianExtents(458, sectors),
    { offset: 510, length: 1, fill: 0x55 },
    { offset: 511, length: 1, fill: 0xaa },
  ];
  return { ...spec, size, extents: [...spec.extents, ...table] };
}

/**
 * Every source format; about half the sources carry an MBR. On raw it is
 * what instar needs to accept the file; on other formats it is guest data
 * in sector 0, where a fixed VHD's detection must not look for its cookie.
 */
export const infoCaseArbitrary: fc.Arbitrary<InfoCase> = fc
  .record({
    spec: imageSpecArbitrary,
    mbr: fc.option(mbrTableArbitrary, { nil: undefined, freq: 2 }),
    outputs: fc.constantFrom(...INFO_OUTPUT_SETS),
  })
  .map(({ spec, mbr, outputs }) => ({ source: mbr === undefined ? spec : withMbr(spec, mbr), outputs }));

/** A corpus case from before output modes were drawn asked for both. */
export function infoCaseFromJson(json: unknown): InfoCase {
  const value = json as { source: ImageSpec; outputs?: readonly InfoOutput[] };
  return { source: value.source, outputs: value.outputs ?? ['json', 'human'] };
}
