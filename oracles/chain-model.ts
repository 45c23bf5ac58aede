import { Buffer } from 'node:buffer';
import { clusterAligned, resolveRegion } from '../arbitraries/lifecycle-case.ts';
import { layerNames, OTHER, TOP, type ChainCase, type ChainStep } from '../arbitraries/chain-case.ts';
import type { ToolRequest } from '../drivers/requests.ts';

/**
 * The files of a backing chain as qemu-img 7.2 and 10.0 leave them (both
 * checked by hand, and held to it by every calibration run: a disagreement
 * is a 'model-mismatch', never the candidate's). Each file has its own
 * clusters (what it holds, per 512-byte sector, allocated a whole cluster
 * at a time) and a backing pointer; what a guest sees is its own data over
 * what its backing shows, zeros past the backing's end.
 */
export interface FileModel {
  readonly size: number;
  readonly clusterSize: number;
  readonly backing: string | null;
  /** The file's own data, meaningful where `allocated`. */
  readonly own: Buffer;
  /** One byte per 512-byte sector: 1 where the file holds the data itself. */
  readonly allocated: Uint8Array;
}

export type ChainModel = ReadonlyMap<string, FileModel>;

const SECTOR = 512;

function emptyFile(size: number, clusterSize: number, backing: string | null): FileModel {
  return { size, clusterSize, backing, own: Buffer.alloc(size), allocated: new Uint8Array(size / SECTOR) };
}

/** What a guest reads from `name`: its own sectors over its backing's view. */
export function visible(model: ChainModel, name: string): Buffer {
  const file = model.get(name);
  if (file === undefined) throw new Error(`no ${name} in the chain model`);
  const out = Buffer.alloc(file.size);
  if (file.backing !== null) visible(model, file.backing).copy(out, 0, 0, Math.min(file.size, model.get(file.backing)?.size ?? 0));
  for (let s = 0; s < file.allocated.length; s++) if (file.allocated[s] === 1) file.own.copy(out, s * SECTOR, s * SECTOR, (s + 1) * SECTOR);
  return out;
}

/** The file's own data alone (its backing left out): unallocated sectors read as zeros. */
export function ownContent(file: FileModel): Buffer {
  const out = Buffer.alloc(file.size);
  for (let s = 0; s < file.allocated.length; s++) if (file.allocated[s] === 1) file.own.copy(out, s * SECTOR, s * SECTOR, (s + 1) * SECTOR);
  return out;
}

function cloneFile(file: FileModel, size = file.size): { own: Buffer; allocated: Uint8Array } {
  const own = Buffer.alloc(size);
  file.own.copy(own, 0, 0, Math.min(size, file.size));
  const allocated = new Uint8Array(size / SECTOR);
  allocated.set(file.allocated.subarray(0, Math.min(allocated.length, file.allocated.length)));
  return { own, allocated };
}

/** Marks [start, end) allocated, taking `source`'s bytes where a sector was not yet. */
function allocate(file: { own: Buffer; allocated: Uint8Array }, start: number, end: number, source: Buffer): void {
  for (let s = start / SECTOR; s < end / SECTOR; s++) {
    if (file.allocated[s] === 1) continue;
    source.copy(file.own, s * SECTOR, s * SECTOR, (s + 1) * SECTOR);
    file.allocated[s] = 1;
  }
}

/** A guest write: whole clusters copied up from what the file showed, then the bytes written. */
export function modelWrite(model: ChainModel, name: string, offset: number, length: number, fill: number): ChainModel {
  const file = model.get(name);
  if (file === undefined) throw new Error(`no ${name} in the chain model`);
  const next = cloneFile(file);
  const span = clusterAligned({ offset, length }, file.clusterSize, file.size);
  allocate(next, span.offset, span.offset + span.length, visible(model, name));
  next.own.fill(fill, offset, offset + length);
  return new Map(model).set(name, { ...file, ...next });
}

/** The model of a freshly built case: layers created bottom-up, each written right after it is created. */
export function initialModel(chainCase: ChainCase): ChainModel {
  const names = layerNames(chainCase.layers.length);
  let model: ChainModel = new Map();
  chainCase.layers.forEach((layer, i) => {
    const name = names[i] ?? TOP;
    model = new Map(model).set(name, emptyFile(i === 0 ? chainCase.baseSize : chainCase.size, layer.clusterSize, i === 0 ? null : (names[i - 1] ?? null)));
    for (const e of layer.extents) model = modelWrite(model, name, e.offset, e.length, e.fill);
  });
  model = new Map(model).set(OTHER, emptyFile(chainCase.other.size, chainCase.other.clusterSize, null));
  for (const e of chainCase.other.extents) model = modelWrite(model, OTHER, e.offset, e.length, e.fill);
  return model;
}

/** Files by the steps' positions: the top, the layers below it top-down, then other. */
export function filesOf(chainCase: ChainCase): readonly string[] {
  return [...layerNames(chainCase.layers.length)].reverse().concat(OTHER);
}

/** Every file but the top, bottom-up order reversed as in `filesOf`: the rebase and commit targets. */
export function targetsOf(chainCase: ChainCase): readonly string[] {
  return filesOf(chainCase).slice(1);
}

/** The backing chain below `name`, nearest first. */
export function chainBelow(model: ChainModel, name: string): string[] {
  const out: string[] = [];
  for (let at = model.get(name)?.backing ?? null; at !== null; at = model.get(at)?.backing ?? null) out.push(at);
  return out;
}

/** A command both sides run: qemu-io on one file (the same tool on both), or the tool under test on the top. */
export type PlannedCommand =
  | { readonly via: 'qemu-io'; readonly file: string; readonly command: string }
  | { readonly via: 'tool'; readonly request: (dir: string) => ToolRequest };

export interface PlannedStep {
  /** As a reader would type it, e.g. `rebase -u -b other.qcow2 top.qcow2`. */
  readonly label: string;
  readonly command: PlannedCommand;
  /** qemu-img fails (nothing changes) or succeeds with this model. */
  readonly expect: { readonly succeeds: false } | { readonly succeeds: true; readonly model: ChainModel };
}

const fails = { succeeds: false } as const;
const succeeds = (model: ChainModel) => ({ succeeds: true, model }) as const;

/** Safe mode copies up every cluster of the top whose view would change; unsafe mode only repoints. */
function modelRebase(model: ChainModel, onto: string | null, unsafe: boolean): ChainModel {
  const top = model.get(TOP);
  if (top === undefined) throw new Error('no top in the chain model');
  if (unsafe) return new Map(model).set(TOP, { ...top, backing: onto });
  const before = visible(model, TOP);
  const after = visible(new Map(model).set(TOP, { ...emptyFile(top.size, top.clusterSize, onto) }), TOP);
  const next = cloneFile(top);
  for (let start = 0; start < top.size; start += top.clusterSize) {
    const end = Math.min(top.size, start + top.clusterSize);
    if (next.allocated[start / SECTOR] === 1) continue;
    if (!before.subarray(start, end).equals(after.subarray(start, end))) allocate(next, start, end, before);
  }
  return new Map(model).set(TOP, { ...top, ...next, backing: onto });
}

/**
 * qemu-img commit is an active mirror of the top into `target`: every
 * stretch allocated above the target (top and any layer between), widened
 * to the mirror's granularity (the target's cluster size kept within
 * 4 KiB … 64 KiB), is written to the target as the top shows it; a smaller
 * target grows to the top's size. Without -b and -d the top is emptied
 * afterwards; -b implies -d (qemu-img.c img_commit: "-b implies -d").
 */
function modelCommit(model: ChainModel, target: string, drop: boolean): ChainModel {
  const top = model.get(TOP);
  const base = model.get(target);
  if (top === undefined || base === undefined) throw new Error('commit outside the chain model');
  const above = [TOP, ...chainBelow(model, TOP).slice(0, chainBelow(model, TOP).indexOf(target))];
  const shown = visible(model, TOP);
  const size = Math.max(base.size, top.size);
  const next = cloneFile(base, size);
  const grain = Math.min(65536, Math.max(4096, base.clusterSize));
  for (let start = 0; start < top.size; start += grain) {
    const end = Math.min(top.size, start + grain);
    const dirty = above.some((name) => {
      const layer = model.get(name);
      return layer !== undefined && layer.allocated.subarray(start / SECTOR, Math.min(end, layer.size) / SECTOR).includes(1);
    });
    if (!dirty) continue;
    shown.copy(next.own, start, start, end);
    next.allocated.fill(1, start / SECTOR, end / SECTOR);
  }
  const out = new Map(model).set(target, { ...base, size, ...next });
  return drop ? out : out.set(TOP, emptyFile(top.size, top.clusterSize, top.backing));
}

const shellWord = (text: string): string => (text === '' ? "''" : text);

/** The concrete command for a generated step in the current state, with the model's prediction of qemu-img. */
export function planStep(chainCase: ChainCase, model: ChainModel, step: ChainStep): PlannedStep {
  const files = filesOf(chainCase);
  const targets = targetsOf(chainCase);
  switch (step.do) {
    case 'write': {
      const file = files[step.file % files.length] ?? TOP;
      const size = model.get(file)?.size ?? 0;
      const { offset, length } = resolveRegion(step.region, size);
      const command = `write -P ${step.fill} ${offset} ${length}`;
      return { label: `qemu-io ${file}: ${command}`, command: { via: 'qemu-io', file, command }, expect: succeeds(modelWrite(model, file, offset, length, step.fill)) };
    }
    case 'rebase': {
      const onto = step.onto === null ? null : (targets[step.onto % targets.length] ?? OTHER);
      const backing = onto ?? '';
      return {
        label: `rebase -f qcow2 -b ${shellWord(backing)}${onto === null ? '' : ' -F qcow2'}${step.unsafe ? ' -u' : ''} ${TOP}`,
        command: { via: 'tool', request: (dir) => ({ op: 'rebase', file: `${dir}/${TOP}`, backing, backingFormat: onto === null ? undefined : 'qcow2', unsafe: step.unsafe }) },
        expect: succeeds(modelRebase(model, onto, step.unsafe)),
      };
    }
    case 'commit': {
      const named = step.base === null ? null : (targets[step.base % targets.length] ?? OTHER);
      const below = chainBelow(model, TOP);
      const target = named ?? below[0];
      const inChain = target !== undefined && below.includes(target);
      return {
        label: `commit${named === null ? '' : ` -b ${named}`}${step.drop ? ' -d' : ''} ${TOP}`,
        command: { via: 'tool', request: (dir) => ({ op: 'commit', file: `${dir}/${TOP}`, base: named ?? undefined, drop: step.drop, cwd: dir }) },
        expect: !inChain || target === undefined ? fails : succeeds(modelCommit(model, target, step.drop || named !== null)),
      };
    }
  }
}
