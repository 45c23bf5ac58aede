import type { JsonValue } from './divergence.ts';
import type { LifecycleModel } from './lifecycle-model.ts';

/**
 * What `qemu-img info --output=json` says of the state the life-cycle model
 * tracks, and where it disagrees with the model. Snapshot dates are the one
 * field two faithful runs never share; they are dropped before two
 * documents are compared.
 */

type Json = { readonly [key: string]: JsonValue };

function isRecord(value: JsonValue | undefined): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: JsonValue | undefined): readonly JsonValue[] {
  return Array.isArray(value) ? (value as readonly JsonValue[]) : [];
}

/** The document without the snapshots' creation dates. */
export function withoutSnapshotDates(document: JsonValue): JsonValue {
  if (!isRecord(document) || !Array.isArray(document['snapshots'])) return document;
  const snapshots = list(document['snapshots']).map((s) => {
    if (!isRecord(s)) return s;
    const { ['date-sec']: _sec, ['date-nsec']: _nsec, ...rest } = s;
    return rest;
  });
  return { ...document, snapshots };
}

export interface InfoState {
  readonly virtualSize: JsonValue | undefined;
  readonly snapshots: ReadonlyArray<{ readonly id: JsonValue | undefined; readonly name: JsonValue | undefined }>;
  readonly bitmaps: ReadonlyArray<{ readonly name: JsonValue | undefined; readonly granularity: JsonValue | undefined; readonly enabled: boolean }>;
  readonly lazyRefcounts: JsonValue | undefined;
}

export function infoState(document: JsonValue): InfoState {
  const top = isRecord(document) ? document : {};
  const specific = top['format-specific'];
  const data = isRecord(specific) && isRecord(specific['data']) ? specific['data'] : {};
  return {
    virtualSize: top['virtual-size'],
    snapshots: list(top['snapshots']).map((s) => (isRecord(s) ? { id: s['id'], name: s['name'] } : { id: undefined, name: undefined })),
    bitmaps: list(data['bitmaps']).map((b) =>
      isRecord(b)
        ? { name: b['name'], granularity: b['granularity'], enabled: list(b['flags']).includes('auto') }
        : { name: undefined, granularity: undefined, enabled: false },
    ),
    lazyRefcounts: data['lazy-refcounts'],
  };
}

/** The model's view in the same shape, for one comparison and one message. */
export function modelState(model: LifecycleModel): InfoState {
  return {
    virtualSize: model.content.length,
    snapshots: model.snapshots.map((s) => ({ id: s.id, name: s.name })),
    bitmaps: model.bitmaps.map((b) => ({ name: b.name, granularity: b.granularity, enabled: b.enabled })),
    lazyRefcounts: model.lazyRefcounts,
  };
}

/** The first field where info and the model part ways, in words; undefined when they agree. */
export function stateDisagreement(expected: InfoState, actual: InfoState): string | undefined {
  const show = (v: unknown): string => JSON.stringify(v);
  if (expected.virtualSize !== actual.virtualSize) return `virtual-size: model ${show(expected.virtualSize)}, info ${show(actual.virtualSize)}`;
  if (show(expected.snapshots) !== show(actual.snapshots)) return `snapshots (id, name): model ${show(expected.snapshots)}, info ${show(actual.snapshots)}`;
  if (show(expected.bitmaps) !== show(actual.bitmaps)) return `bitmaps (name, granularity, enabled): model ${show(expected.bitmaps)}, info ${show(actual.bitmaps)}`;
  if (expected.lazyRefcounts !== actual.lazyRefcounts) return `lazy-refcounts: model ${show(expected.lazyRefcounts)}, info ${show(actual.lazyRefcounts)}`;
  return undefined;
}
