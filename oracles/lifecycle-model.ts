import { Buffer } from 'node:buffer';
import {
  bitmapName,
  clusterAligned,
  resolveRegion,
  type LifecycleStep,
  type SnapshotTarget,
} from '../arbitraries/lifecycle-case.ts';
import type { ImageSpec } from '../images/image-spec.ts';
import type { ToolRequest } from '../drivers/requests.ts';
import { markDirty, type DirtyRanges } from './dirty-ranges.ts';

/**
 * The guest-visible state of a qcow2 image under in-place commands, as
 * qemu-img 7.2 and 10.0 behave (both checked by hand, and held to it by
 * every calibration run: a disagreement is a 'model-mismatch', never the
 * candidate's). It knows the content, each internal snapshot's id, name and
 * content at the time it was taken, and the persistent bitmaps.
 */
export interface SnapshotEntry {
  readonly id: string;
  readonly name: string;
  readonly content: Buffer;
}

export interface BitmapEntry {
  readonly name: string;
  readonly granularity: number;
  readonly enabled: boolean;
  /** The set bits, as byte ranges of whole granules. */
  readonly dirty: DirtyRanges;
}

export interface LifecycleModel {
  readonly content: Buffer;
  readonly snapshots: readonly SnapshotEntry[];
  readonly bitmaps: readonly BitmapEntry[];
  readonly clusterSize: number;
  readonly lazyRefcounts: boolean;
}

/** A command both sides run: qemu-io (the same tool on both) or the tool under test. */
export type PlannedCommand =
  | { readonly via: 'qemu-io'; readonly command: string }
  | { readonly via: 'tool'; readonly request: (file: string) => ToolRequest };

export interface PlannedStep {
  /** The command as a reader would type it (without the file), e.g. `snapshot -c 'alpha'`. */
  readonly label: string;
  readonly command: PlannedCommand;
  /** The model's prediction: qemu-img fails (state unchanged) or succeeds with this state. */
  readonly expect: { readonly succeeds: false } | { readonly succeeds: true; readonly model: LifecycleModel };
  /** Whether the command only reads (no state comparison needed afterwards). */
  readonly readOnly: boolean;
  /** Whether a bitmap's bits may change (so they are read afterwards). */
  readonly bitsMayChange: boolean;
}

/** qemu keeps snapshot names in a 256-byte buffer: longer names are cut to 255 bytes. */
export const SNAPSHOT_NAME_MAX_BYTES = 255;

/** The model of a freshly built base image. */
export function initialModel(base: ImageSpec): LifecycleModel {
  if (base.layout.format !== 'qcow2') throw new Error('the life cycle runs on qcow2 bases only');
  const content = Buffer.alloc(base.size);
  for (const extent of base.extents) content.fill(extent.fill, extent.offset, extent.offset + extent.length);
  return { content, snapshots: [], bitmaps: [], clusterSize: base.layout.clusterSize, lazyRefcounts: base.layout.lazyRefcounts };
}

/** qemu's default bitmap granularity: the cluster size, kept within 4 KiB … 64 KiB. */
export function defaultBitmapGranularity(clusterSize: number): number {
  return Math.min(65536, Math.max(4096, clusterSize));
}

function truncatedName(name: string): string {
  const bytes = Buffer.from(name, 'utf8');
  return bytes.length <= SNAPSHOT_NAME_MAX_BYTES ? name : bytes.subarray(0, SNAPSHOT_NAME_MAX_BYTES).toString('utf8');
}

/** The next id qemu assigns: one past the largest numeric id in the table. */
function nextSnapshotId(snapshots: readonly SnapshotEntry[]): string {
  const largest = snapshots.reduce((max, s) => Math.max(max, Number.parseInt(s.id, 10) || 0), 0);
  return String(largest + 1);
}

/** The argument a `-d`/`-a` target stands for, given the live snapshots. */
export function resolveTarget(target: SnapshotTarget, snapshots: readonly SnapshotEntry[]): string {
  if (target.by === 'literal') return target.value;
  const chosen = snapshots[target.pick % Math.max(1, snapshots.length)];
  if (chosen === undefined) return target.by === 'id' ? '1' : 'alpha';
  return target.by === 'id' ? chosen.id : chosen.name;
}

const shellWord = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** Labels stay readable for the 255-byte names. */
function shownName(name: string): string {
  return name.length > 24 ? `'${name.slice(0, 3)}…' (${Buffer.byteLength(name)} bytes)` : shellWord(name);
}

const fails = { succeeds: false } as const;
const succeeds = (model: LifecycleModel) => ({ succeeds: true, model }) as const;

/** A guest write of [offset, offset+length): new content, and every enabled bitmap dirtied there. */
function written(model: LifecycleModel, offset: number, length: number, fill: number): LifecycleModel {
  const content = Buffer.from(model.content);
  content.fill(fill, offset, offset + length);
  const bitmaps = model.bitmaps.map((b) => (b.enabled ? { ...b, dirty: markDirty(b.dirty, [[offset, offset + length]], b.granularity, content.length) } : b));
  return { ...model, content, bitmaps };
}

/** Grown by `grow` zero bytes: a dirty granule cut short by the old end now reaches as far as the new size allows. */
function grown(model: LifecycleModel, grow: number): LifecycleModel {
  const content = Buffer.concat([model.content, Buffer.alloc(grow)]);
  const bitmaps = model.bitmaps.map((b) => ({ ...b, dirty: markDirty([], b.dirty, b.granularity, content.length) }));
  return { ...model, content, bitmaps };
}

const hasEnabledBitmap = (model: LifecycleModel): boolean => model.bitmaps.some((b) => b.enabled);

/**
 * Turns a generated step into the concrete command for the current state,
 * with the model's prediction of what qemu-img does.
 */
export function planStep(model: LifecycleModel, step: LifecycleStep): PlannedStep {
  const size = model.content.length;
  switch (step.do) {
    case 'write': {
      const { offset, length } = resolveRegion(step.region, size);
      return {
        label: `qemu-io: write -P ${step.fill} ${offset} ${length}`,
        command: { via: 'qemu-io', command: `write -P ${step.fill} ${offset} ${length}` },
        expect: succeeds(written(model, offset, length, step.fill)),
        readOnly: false,
        bitsMayChange: hasEnabledBitmap(model),
      };
    }
    case 'write-zeroes': {
      const { offset, length } = resolveRegion(step.region, size);
      return {
        label: `qemu-io: write -z ${offset} ${length}`,
        command: { via: 'qemu-io', command: `write -z ${offset} ${length}` },
        expect: succeeds(written(model, offset, length, 0)),
        readOnly: false,
        bitsMayChange: hasEnabledBitmap(model),
      };
    }
    case 'discard': {
      const { offset, length } = clusterAligned(resolveRegion(step.region, size), model.clusterSize, size);
      return {
        label: `qemu-io: discard ${offset} ${length}`,
        command: { via: 'qemu-io', command: `discard ${offset} ${length}` },
        expect: succeeds(written(model, offset, length, 0)),
        readOnly: false,
        bitsMayChange: hasEnabledBitmap(model),
      };
    }
    case 'snapshot-create': {
      const entry: SnapshotEntry = { id: nextSnapshotId(model.snapshots), name: truncatedName(step.name), content: Buffer.from(model.content) };
      return {
        label: `snapshot -c ${shownName(step.name)}`,
        command: { via: 'tool', request: (file) => ({ op: 'snapshot', file, action: 'create', argument: step.name }) },
        expect: succeeds({ ...model, snapshots: [...model.snapshots, entry] }),
        readOnly: false,
        bitsMayChange: false,
      };
    }
    case 'snapshot-delete': {
      const argument = resolveTarget(step.target, model.snapshots);
      // qemu-img's -d matches names only (ids too in instar; the exit status will tell).
      const index = model.snapshots.findIndex((s) => s.name === argument);
      return {
        label: `snapshot -d ${shownName(argument)}`,
        command: { via: 'tool', request: (file) => ({ op: 'snapshot', file, action: 'delete', argument }) },
        expect: index < 0 ? fails : succeeds({ ...model, snapshots: model.snapshots.filter((_, i) => i !== index) }),
        readOnly: false,
        bitsMayChange: false,
      };
    }
    case 'snapshot-apply': {
      const argument = resolveTarget(step.target, model.snapshots);
      const byId = model.snapshots.find((s) => s.id === argument);
      const found = byId ?? model.snapshots.find((s) => s.name === argument);
      // qemu-img refuses to revert while the image has any persistent bitmap ("Device has active dirty bitmaps").
      const refused = found === undefined || model.bitmaps.length > 0;
      return {
        label: `snapshot -a ${shownName(argument)}`,
        command: { via: 'tool', request: (file) => ({ op: 'snapshot', file, action: 'apply', argument }) },
        expect: refused || found === undefined ? fails : succeeds({ ...model, content: Buffer.from(found.content) }),
        readOnly: false,
        bitsMayChange: false,
      };
    }
    case 'snapshot-list':
      return {
        label: 'snapshot -l',
        command: { via: 'tool', request: (file) => ({ op: 'snapshot', file, action: 'list', argument: undefined }) },
        expect: succeeds(model),
        readOnly: true,
        bitsMayChange: false,
      };
    case 'bitmap-add': {
      const name = bitmapName(step.bitmap);
      const granularity = step.granularity ?? defaultBitmapGranularity(model.clusterSize);
      const exists = model.bitmaps.some((b) => b.name === name);
      return {
        label: `bitmap --add${step.granularity !== null ? ` -g ${step.granularity}` : ''}${step.disabled ? ' --disable' : ''} ${name}`,
        command: {
          via: 'tool',
          request: (file) => ({ op: 'bitmap', file, action: 'add', name, granularity: step.granularity ?? undefined, disabled: step.disabled }),
        },
        expect: exists ? fails : succeeds({ ...model, bitmaps: [...model.bitmaps, { name, granularity, enabled: !step.disabled, dirty: [] }] }),
        readOnly: false,
        bitsMayChange: !exists,
      };
    }
    case 'bitmap-remove':
    case 'bitmap-clear':
    case 'bitmap-enable':
    case 'bitmap-disable': {
      const action = step.do.slice('bitmap-'.length) as 'remove' | 'clear' | 'enable' | 'disable';
      const name = bitmapName(step.bitmap);
      const exists = model.bitmaps.some((b) => b.name === name);
      const bitmaps =
        action === 'remove'
          ? model.bitmaps.filter((b) => b.name !== name)
          : action === 'clear'
            ? model.bitmaps.map((b) => (b.name === name ? { ...b, dirty: [] } : b))
            : model.bitmaps.map((b) => (b.name === name ? { ...b, enabled: action === 'enable' } : b));
      return {
        label: `bitmap --${action} ${name}`,
        command: { via: 'tool', request: (file) => ({ op: 'bitmap', file, action, name }) },
        expect: exists ? succeeds({ ...model, bitmaps }) : fails,
        readOnly: false,
        bitsMayChange: exists && action === 'clear',
      };
    }
    case 'bitmap-merge': {
      const name = bitmapName(step.bitmap);
      const source = bitmapName(step.source);
      const from = model.bitmaps.find((b) => b.name === source);
      const both = from !== undefined && model.bitmaps.some((b) => b.name === name);
      const size = model.content.length;
      const bitmaps = model.bitmaps.map((b) => (b.name === name && from !== undefined ? { ...b, dirty: markDirty(b.dirty, from.dirty, b.granularity, size) } : b));
      return {
        label: `bitmap --merge ${source} ${name}`,
        command: { via: 'tool', request: (file) => ({ op: 'bitmap', file, action: 'merge', name, source }) },
        // qemu-img merges across granularities and into disabled bitmaps alike.
        expect: both ? succeeds({ ...model, bitmaps }) : fails,
        readOnly: false,
        bitsMayChange: both,
      };
    }
    case 'resize': {
      const grow = step.grow64k * 65536;
      return {
        label: `resize +${grow}`,
        command: { via: 'tool', request: (file) => ({ op: 'resize', file, format: 'qcow2', shrink: false, preallocation: undefined, size: `+${grow}` }) },
        expect: succeeds(grown(model, grow)),
        readOnly: false,
        bitsMayChange: model.bitmaps.length > 0,
      };
    }
    case 'amend': {
      const value = step.lazyRefcounts ? 'on' : 'off';
      return {
        label: `amend -o lazy_refcounts=${value}`,
        command: { via: 'tool', request: (file) => ({ op: 'amend', file, format: 'qcow2', options: [['lazy_refcounts', value]] }) },
        expect: succeeds({ ...model, lazyRefcounts: step.lazyRefcounts }),
        readOnly: false,
        bitsMayChange: false,
      };
    }
  }
}
