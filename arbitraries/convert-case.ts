import fc from 'fast-check';
import type { KeyValue } from '../drivers/requests.ts';
import type { ImageFormat, ImageSpec } from '../images/image-spec.ts';
import { imageSpecArbitrary } from './image-spec.ts';

/** The output of a convert: a format and its `-o` options, in a fixed order. */
export interface ConvertTarget {
  readonly format: ImageFormat;
  readonly options: readonly KeyValue[];
}

export interface ConvertCase {
  readonly source: ImageSpec;
  readonly target: ConvertTarget;
  /** `-c`; only drawn for the targets qemu-img can compress (qcow2, vmdk). */
  readonly compress: boolean;
}

/**
 * How a conversion promises compressed output, if it does:
 * `-c` to qcow2 (compressed clusters), or a streamOptimized vmdk (deflated
 * grains, with or without `-c`). `-c` to a monolithicSparse vmdk is not one:
 * qemu-img accepts it and writes plain grains.
 */
export type CompressionPromise = 'qcow2-compressed-clusters' | 'vmdk-stream-optimized';

export function optionValue(target: ConvertTarget, key: string): string | undefined {
  return target.options.find(([k]) => k === key)?.[1];
}

export function compressionPromise(convertCase: ConvertCase): CompressionPromise | undefined {
  const { target, compress } = convertCase;
  if (target.format === 'qcow2' && compress) return 'qcow2-compressed-clusters';
  if (target.format === 'vmdk' && optionValue(target, 'subformat') === 'streamOptimized') return 'vmdk-stream-optimized';
  return undefined;
}

/** "-O qcow2 -c -o cluster_size=512", for reports. */
export function describeConversion(convertCase: ConvertCase): string {
  const { target, compress } = convertCase;
  const options = target.options.map(([k, v]) => `${k}=${v}`).join(',');
  return [`-O ${target.format}`, compress ? '-c' : '', options !== '' ? `-o ${options}` : ''].filter((s) => s !== '').join(' ');
}

/** Absent half the time, so each option shrinks to "not given" on its own. */
function optional<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(arbitrary, { nil: undefined, freq: 2 });
}

const onOff = (value: boolean): string => (value ? 'on' : 'off');

/**
 * Every option is drawn whatever the format and the unused ones dropped, so
 * each shrinks independently; `format` shrinks toward raw. Some combinations
 * qemu-img refuses (compat=0.10 with v3-only features, extended_l2 with small
 * clusters): the candidate must refuse them too.
 */
export const convertTargetArbitrary: fc.Arbitrary<ConvertTarget> = fc
  .record({
    format: fc.constantFrom<ImageFormat>('raw', 'qcow2', 'vmdk', 'vpc', 'vhdx'),
    clusterBits: optional(fc.integer({ min: 9, max: 21 })),
    extendedL2: optional(fc.boolean()),
    lazyRefcounts: optional(fc.boolean()),
    // 0.10 rarely: it makes most other qcow2 options invalid.
    compat: optional(fc.constantFrom('1.1', '1.1', '0.10')),
    refcountBits: optional(fc.constantFrom(16, 1, 2, 4, 8, 32, 64)),
    compressionType: optional(fc.constantFrom('zlib', 'zstd')),
    vmdkSubformat: optional(fc.constantFrom('monolithicSparse', 'streamOptimized')),
    zeroedGrain: optional(fc.boolean()),
    vpcSubformat: optional(fc.constantFrom('dynamic', 'fixed')),
    forceSize: optional(fc.boolean()),
    vhdxSubformat: optional(fc.constantFrom('dynamic', 'fixed')),
    vhdxBlockMiB: optional(fc.constantFrom(1, 8, 32)),
  })
  .map((d): ConvertTarget => {
    const options: KeyValue[] = [];
    const add = (key: string, value: string | undefined): void => {
      if (value !== undefined) options.push([key, value]);
    };
    switch (d.format) {
      case 'raw':
        break;
      case 'qcow2':
        add('cluster_size', d.clusterBits !== undefined ? String(2 ** d.clusterBits) : undefined);
        add('extended_l2', d.extendedL2 !== undefined ? onOff(d.extendedL2) : undefined);
        add('lazy_refcounts', d.lazyRefcounts !== undefined ? onOff(d.lazyRefcounts) : undefined);
        add('compat', d.compat);
        add('refcount_bits', d.refcountBits !== undefined ? String(d.refcountBits) : undefined);
        add('compression_type', d.compressionType);
        break;
      case 'vmdk':
        add('subformat', d.vmdkSubformat);
        add('zeroed_grain', d.zeroedGrain !== undefined ? onOff(d.zeroedGrain) : undefined);
        break;
      case 'vpc':
        add('subformat', d.vpcSubformat);
        add('force_size', d.forceSize !== undefined ? onOff(d.forceSize) : undefined);
        break;
      case 'vhdx':
        add('subformat', d.vhdxSubformat);
        add('block_size', d.vhdxBlockMiB !== undefined ? String(d.vhdxBlockMiB * 1024 * 1024) : undefined);
        break;
    }
    return { format: d.format, options };
  });

export const convertCaseArbitrary: fc.Arbitrary<ConvertCase> = fc
  .record({ source: imageSpecArbitrary, target: convertTargetArbitrary, compress: fc.boolean() })
  .map(({ source, target, compress }) => ({
    source,
    target,
    compress: compress && (target.format === 'qcow2' || target.format === 'vmdk'),
  }));
