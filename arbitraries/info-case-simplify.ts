import type { ImageSpec } from '../images/image-spec.ts';
import { imageSpecComplexity, simplifyImageSpec } from './image-spec-simplify.ts';
import { MBR_PARTITION_TYPES, MBR_START_LBAS, withMbr, type InfoCase, type MbrTable } from './info-case.ts';
import type { Complexity, Simplification } from './simplification.ts';

/** A source read back as the arbitrary built it: guest data, and the MBR withMbr wrote over it (if any). */
interface InfoSource {
  readonly data: ImageSpec;
  readonly mbr: MbrTable | undefined;
}

function sameSpec(a: ImageSpec, b: ImageSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The byte at `offset` written by a one-byte extent of the table, 0 when there is none. */
function tableByte(table: ImageSpec['extents'], offset: number): number {
  return table.find((e) => e.offset === offset && e.length === 1)?.fill ?? 0;
}

/**
 * Finds the MBR extents withMbr appended (they start with the zeroed table
 * area) and checks that withMbr rebuilds the very same source from the rest,
 * so an MBR is recognised only when it is one the arbitrary could write.
 * The data keeps the source's size: withMbr leaves a size it grew as it is.
 */
export function splitInfoSource(source: ImageSpec): InfoSource {
  for (let start = source.extents.length - 1; start >= 0; start--) {
    const e = source.extents[start]!;
    if (e.offset !== 446 || e.length !== 64 || e.fill !== 0) continue;
    const data: ImageSpec = { layout: source.layout, size: source.size, extents: source.extents.slice(0, start) };
    const table = source.extents.slice(start);
    const startLba = [0, 1, 2, 3].reduce((sum, i) => sum + tableByte(table, 454 + i) * 256 ** i, 0);
    const mbr: MbrTable = { bootable: tableByte(table, 446) === 0x80, partitionType: tableByte(table, 450), startLba };
    const known = MBR_PARTITION_TYPES.includes(mbr.partitionType) && MBR_START_LBAS.includes(mbr.startLba);
    if (known && sameSpec(withMbr(data, mbr), source)) return { data, mbr };
  }
  return { data: source, mbr: undefined };
}

function sourceOf({ data, mbr }: InfoSource): ImageSpec {
  return mbr === undefined ? data : withMbr(data, mbr);
}

/**
 * Simpler info cases. A source with an MBR is simplified as guest data plus
 * the MBR, never byte by byte (a torn table is not a case the arbitrary
 * makes): the MBR dropped, not bootable, its partition at sector 1, or the
 * data simplified under the same MBR. A move the MBR undoes entirely (a
 * size below the partition's first sector, which withMbr grows back, with
 * nothing to clip) is left out.
 */
export function simplifyInfoCase(infoCase: InfoCase): readonly Simplification<InfoCase>[] {
  const { data, mbr } = splitInfoSource(infoCase.source);
  const { outputs } = infoCase;
  const moves: Simplification<InfoCase>[] = [];
  if (outputs.length > 1) {
    for (const output of outputs) moves.push({ move: `${output} output only`, value: { source: infoCase.source, outputs: [output] } });
  }
  const withSource = (source: ImageSpec): InfoCase => ({ source, outputs });
  const sourceMoves: Simplification<InfoCase>[] = [];
  if (mbr !== undefined) {
    sourceMoves.push({ move: 'drop the MBR', value: withSource(data) });
    if (mbr.bootable) sourceMoves.push({ move: 'MBR not bootable', value: withSource(sourceOf({ data, mbr: { ...mbr, bootable: false } })) });
    if (mbr.startLba !== MBR_START_LBAS[0]) {
      const startLba = MBR_START_LBAS[0]!;
      sourceMoves.push({ move: `MBR partition start ${mbr.startLba} → ${startLba}`, value: withSource(sourceOf({ data, mbr: { ...mbr, startLba } })) });
    }
  }
  for (const { move, value } of simplifyImageSpec(data)) {
    sourceMoves.push({ move: `source ${move}`, value: withSource(sourceOf({ data: value, mbr })) });
  }
  return [...moves, ...sourceMoves.filter(({ value }) => !sameSpec(value.source, infoCase.source))];
}

/** [output modes, MBR present, bootable, partition start rank, then the guest data's]. */
export function infoCaseComplexity(infoCase: InfoCase): Complexity {
  const { data, mbr } = splitInfoSource(infoCase.source);
  return [
    infoCase.outputs.length,
    mbr === undefined ? 0 : 1,
    mbr?.bootable === true ? 1 : 0,
    mbr === undefined ? 0 : MBR_START_LBAS.indexOf(mbr.startLba),
    ...imageSpecComplexity(data),
  ];
}
