import type { RecipeStep } from './recipe.ts';

/**
 * Just enough of the qcow2 on-disk format (docs/interop/qcow2.txt in QEMU)
 * to find refcounts and L1/L2 entries, and to express small realistic
 * faults as byte edits. Edits become qemu-img/qemu-io steps, so repro.sh
 * rebuilds the corrupted input without Node.js.
 */

const QCOW2_MAGIC = 0x514649fb;
/** Offset bits of L1/L2 entries (bits 9–55) and of refcount table entries. */
const ENTRY_OFFSET_MASK = 0x00fffffffffffe00n;
const COPIED = 1n << 63n;
const COMPRESSED = 1n << 62n;
const EXTENDED_L2_FEATURE = 1n << 4n;

export interface Qcow2Layout {
  readonly fileLength: number;
  readonly clusterSize: number;
  readonly refcountBits: number;
  readonly extendedL2: boolean;
  readonly refcountTableOffset: number;
  /** Refcount block offsets by refcount table index (0 = not allocated). */
  readonly refcountBlocks: readonly number[];
  /** Byte offsets of every L1 entry whose COPIED flag is set. */
  readonly copiedL1Entries: readonly number[];
  /** Byte offsets of every L2 entry (of an uncompressed data cluster) whose COPIED flag is set. */
  readonly copiedL2Entries: readonly number[];
  /** How many times each cluster index is referenced by the metadata. */
  readonly references: ReadonlyMap<number, number>;
}

/** The file is not a qcow2 this module understands: a suite defect, not a finding. */
export class Qcow2ParseError extends Error {
  override readonly name = 'Qcow2ParseError';
}

function u32(bytes: Buffer, at: number): number {
  return bytes.readUInt32BE(at);
}

function u64(bytes: Buffer, at: number): bigint {
  return bytes.readBigUInt64BE(at);
}

function offsetOf(entry: bigint): number {
  return Number(entry & ENTRY_OFFSET_MASK);
}

function refcountEntriesPerBlock(layout: Pick<Qcow2Layout, 'clusterSize' | 'refcountBits'>): number {
  return (layout.clusterSize * 8) / layout.refcountBits;
}

/** Byte offset of cluster `index`'s refcount, or undefined when no refcount block covers it. */
export function refcountOffset(layout: Qcow2Layout, index: number): number | undefined {
  const perBlock = refcountEntriesPerBlock(layout);
  const block = layout.refcountBlocks[Math.floor(index / perBlock)];
  if (block === undefined || block === 0) return undefined;
  return block + (index % perBlock) * (layout.refcountBits / 8);
}

export function readRefcount(bytes: Buffer, layout: Qcow2Layout, index: number): number {
  const at = refcountOffset(layout, index);
  if (at === undefined) return 0;
  return Number(bytes.readUIntBE(at, layout.refcountBits / 8));
}

/**
 * Parses a clean qcow2 v2/v3 image without snapshots, bitmaps or a backing
 * file (what the suite's recipes build), and checks that every cluster's
 * refcount equals its references: a parser that misreads the file fails
 * here rather than producing wrong faults.
 */
export function parseQcow2(bytes: Buffer): Qcow2Layout {
  if (bytes.length < 104 || u32(bytes, 0) !== QCOW2_MAGIC) throw new Qcow2ParseError('not a qcow2 file');
  const version = u32(bytes, 4);
  const clusterSize = 2 ** u32(bytes, 20);
  const l1Size = u32(bytes, 36);
  const l1Offset = Number(u64(bytes, 40));
  const refcountTableOffset = Number(u64(bytes, 48));
  const refcountTableClusters = u32(bytes, 56);
  if (u32(bytes, 60) !== 0) throw new Qcow2ParseError('snapshots are not supported');
  const incompatible = version >= 3 ? u64(bytes, 72) : 0n;
  const refcountBits = version >= 3 ? 2 ** u32(bytes, 96) : 16;
  if (refcountBits < 8) throw new Qcow2ParseError(`refcount_bits=${refcountBits} is not byte-aligned`);
  const extendedL2 = (incompatible & EXTENDED_L2_FEATURE) !== 0n;

  const references = new Map<number, number>();
  const reference = (offset: number, length: number): void => {
    const first = Math.floor(offset / clusterSize);
    const last = Math.floor((offset + Math.max(length, 1) - 1) / clusterSize);
    for (let c = first; c <= last; c++) references.set(c, (references.get(c) ?? 0) + 1);
  };
  reference(0, clusterSize);
  reference(refcountTableOffset, refcountTableClusters * clusterSize);
  reference(l1Offset, l1Size * 8);

  const refcountBlocks: number[] = [];
  for (let i = 0; i < (refcountTableClusters * clusterSize) / 8; i++) {
    const block = offsetOf(u64(bytes, refcountTableOffset + i * 8));
    refcountBlocks.push(block);
    if (block !== 0) reference(block, clusterSize);
  }

  const l2EntryBytes = extendedL2 ? 16 : 8;
  const copiedL1Entries: number[] = [];
  const copiedL2Entries: number[] = [];
  for (let i = 0; i < l1Size; i++) {
    const l1Entry = u64(bytes, l1Offset + i * 8);
    const l2Offset = offsetOf(l1Entry);
    if (l2Offset === 0) continue;
    reference(l2Offset, clusterSize);
    if ((l1Entry & COPIED) !== 0n) copiedL1Entries.push(l1Offset + i * 8);
    for (let j = 0; j < clusterSize / l2EntryBytes; j++) {
      const at = l2Offset + j * l2EntryBytes;
      const l2Entry = u64(bytes, at);
      if ((l2Entry & COMPRESSED) !== 0n) throw new Qcow2ParseError('compressed clusters are not supported');
      const dataOffset = offsetOf(l2Entry);
      if (dataOffset === 0) continue;
      reference(dataOffset, clusterSize);
      if ((l2Entry & COPIED) !== 0n) copiedL2Entries.push(at);
    }
  }

  const layout: Qcow2Layout = {
    fileLength: bytes.length,
    clusterSize,
    refcountBits,
    extendedL2,
    refcountTableOffset,
    refcountBlocks,
    copiedL1Entries,
    copiedL2Entries,
    references,
  };
  const clusters = Math.ceil(bytes.length / clusterSize);
  for (let c = 0; c < clusters; c++) {
    const refcount = readRefcount(bytes, layout, c);
    if (refcount !== (references.get(c) ?? 0)) {
      throw new Qcow2ParseError(`cluster ${c}: refcount ${refcount}, referenced ${references.get(c) ?? 0} time(s)`);
    }
  }
  return layout;
}

/** The faults the check property injects (issue 4). */
export type Qcow2FaultKind = 'leak' | 'refcount-zero' | 'refcount-high' | 'stale-copied';

export const QCOW2_FAULT_KINDS: readonly Qcow2FaultKind[] = ['leak', 'refcount-zero', 'refcount-high', 'stale-copied'];

export interface Qcow2Fault {
  readonly kind: Qcow2FaultKind;
  /** Picks among the fault's possible sites (modulo their number); 0 is the first. */
  readonly site: number;
}

/** New bytes at a file offset. */
export interface ByteEdit {
  readonly offset: number;
  readonly bytes: readonly number[];
}

/** A fault resolved against one file: what changes, and in words. */
export interface ResolvedFault {
  /** The file grows to this length first (zero-filled), when set. */
  readonly growTo: number | undefined;
  readonly edits: readonly ByteEdit[];
  readonly description: string;
}

function refcountEdit(layout: Qcow2Layout, cluster: number, value: number): ByteEdit {
  const at = refcountOffset(layout, cluster);
  if (at === undefined) throw new Qcow2ParseError(`no refcount block covers cluster ${cluster}`);
  const width = layout.refcountBits / 8;
  const bytes: number[] = [];
  for (let i = width - 1; i >= 0; i--) bytes.push(Math.floor(value / 256 ** i) % 256);
  return { offset: at, bytes };
}

function usedClusters(layout: Qcow2Layout): number[] {
  return [...layout.references.keys()].sort((a, b) => a - b);
}

/**
 * Turns a fault into byte edits on this file, or undefined when the file has
 * no site for it (e.g. no refcount block covers the cluster after the end).
 *
 * - leak: a cluster appended at the end with refcount 1 and no reference
 *   (an allocation whose L2 update was lost): leaks only.
 * - refcount-zero: a used cluster's refcount set to 0: a corruption.
 * - refcount-high: a used cluster's refcount one above its references: a
 *   leak, plus a COPIED corruption when the cluster is data or an L2 table.
 * - stale-copied: the COPIED flag cleared on an L2 (data) or L1 entry whose
 *   cluster has refcount 1, as a snapshot deletion that forgot to restore it.
 */
export function resolveFault(bytes: Buffer, layout: Qcow2Layout, fault: Qcow2Fault): ResolvedFault | undefined {
  switch (fault.kind) {
    case 'leak': {
      const cluster = Math.ceil(layout.fileLength / layout.clusterSize);
      if (refcountOffset(layout, cluster) === undefined) return undefined;
      return {
        growTo: (cluster + 1) * layout.clusterSize,
        edits: [refcountEdit(layout, cluster, 1)],
        description: `cluster ${cluster} appended at the end of the file with refcount 1 and no reference (a leak)`,
      };
    }
    case 'refcount-zero':
    case 'refcount-high': {
      const used = usedClusters(layout);
      const cluster = used[fault.site % used.length] as number;
      const refs = layout.references.get(cluster) ?? 0;
      const value = fault.kind === 'refcount-zero' ? 0 : refs + 1;
      return {
        growTo: undefined,
        edits: [refcountEdit(layout, cluster, value)],
        description: `refcount of used cluster ${cluster} set to ${value} (it has ${refs} reference(s))`,
      };
    }
    case 'stale-copied': {
      const sites = [...layout.copiedL2Entries, ...layout.copiedL1Entries];
      if (sites.length === 0) return undefined;
      const at = sites[fault.site % sites.length] as number;
      const table = layout.copiedL2Entries.includes(at) ? 'L2' : 'L1';
      return {
        growTo: undefined,
        edits: [{ offset: at, bytes: [(bytes[at] as number) & 0x7f] }],
        description: `COPIED flag cleared on the ${table} entry at byte ${at} (its cluster has refcount 1)`,
      };
    }
  }
}

/** Applies a resolved fault in memory (tests compare it with the steps' result). */
export function applyFault(bytes: Buffer, fault: ResolvedFault): Buffer {
  const out = Buffer.alloc(Math.max(bytes.length, fault.growTo ?? 0));
  bytes.copy(out);
  for (const edit of fault.edits) Buffer.from(edit.bytes).copy(out, edit.offset);
  return out;
}

/** Runs of equal bytes, so one qemu-io `write -P` covers each. */
function patternWrites(edit: ByteEdit): string[] {
  const commands: string[] = [];
  let start = 0;
  for (let i = 1; i <= edit.bytes.length; i++) {
    if (i === edit.bytes.length || edit.bytes[i] !== edit.bytes[start]) {
      const value = edit.bytes[start] as number;
      commands.push('-c', `write -P 0x${value.toString(16).padStart(2, '0')} ${edit.offset + start} ${i - start}`);
      start = i;
    }
  }
  return commands;
}

/**
 * The fault as qemu-img/qemu-io steps on `file`: the file is opened as raw,
 * so the writes land on exactly these bytes. `qemu-img resize -f raw` grows
 * the file (a raw write past the end fails).
 */
export function faultSteps(fault: ResolvedFault, file: string): RecipeStep[] {
  return [
    ...(fault.growTo !== undefined
      ? [{ tool: 'qemu-img' as const, args: ['resize', '-q', '-f', 'raw', file, String(fault.growTo)] }]
      : []),
    { tool: 'qemu-io', args: ['-f', 'raw', ...fault.edits.flatMap(patternWrites), file] },
  ];
}
