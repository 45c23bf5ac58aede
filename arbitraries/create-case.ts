import fc from 'fast-check';
import type { KeyValue } from '../drivers/requests.ts';
import { IMAGE_FORMATS, type ImageFormat } from '../images/image-spec.ts';
import { toSafeNumber } from '../oracles/exact-json.ts';
import { vpcVirtualSize } from '../oracles/vpc-geometry.ts';
import {
  BAD_SUFFIXES,
  OVERFLOWING_SIZES,
  allocatingSizeArbitrary,
  nearLimitArbitrary,
  nearLimitSize,
  pastLimitSize,
  sparseSizeArbitrary,
  type NearLimit,
  type SizeText,
} from './create-size.ts';

/**
 * `create` cases: a (target, size, options) triple as a user would type it.
 * About one case in ten carries a deliberate flaw that qemu-img 7.2 rejects;
 * for those the two tools must agree on failure.
 *
 * Shrinking moves toward the raw target (the first format), the size "0"
 * and no options: every option is drawn as "absent or a value" and shrinks
 * to absent first.
 */
export interface CreateCase {
  readonly target: ImageFormat;
  /** The SIZE argument as typed: "1.5k", "1048576", "2040G". */
  readonly size: string;
  /**
   * What qemu-img reads from `size`, in decimal digits, or null when it is
   * not a size. Digits, not a number: qcow2 sizes reach 2^61, and the case
   * JSON (corpus, reports) must keep them exact. See requestedBytesOf.
   */
  readonly requestedBytes: string | null;
  /** `-o` options in a fixed order (each dialect spells them its own way). */
  readonly options: readonly KeyValue[];
  /** Why qemu-img should reject the case, or null for a valid case. */
  readonly flaw: CreateFlaw | null;
}

export type CreateFlaw =
  | 'unknown-key'
  | 'bad-cluster-size'
  | 'extended-l2-small-clusters'
  | 'size-too-large'
  | 'bad-size-suffix'
  | 'compat-0.10-with-v3-feature'
  | 'bad-option-value';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;

/** The 64 KiB default cluster of qcow2 and vmdk grains. */
const DEFAULT_QCOW2_CLUSTER = 64 * KiB;
/** vmdk's cost in `check` grows with the size (about 1 s per TiB here): keep it cheap. */
const VMDK_SIZE_CAP = 16 * GiB;

/** Absent (the shrink target) or a value, present about `presentPercent`% of the time. */
function sometimes<T>(arbitrary: fc.Arbitrary<T>, presentPercent = 35): fc.Arbitrary<T | undefined> {
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: fc.constant(undefined), weight: 100 - presentPercent },
    { arbitrary, weight: presentPercent },
  );
}

const onOff = fc.constantFrom('on', 'off');

interface Qcow2Choice {
  readonly clusterBits: number | undefined;
  readonly extendedL2: string | undefined;
  readonly lazyRefcounts: string | undefined;
  readonly refcountBits: number | undefined;
  readonly compat: string | undefined;
  readonly preallocation: string | undefined;
  readonly compressionType: string | undefined;
}

const qcow2ChoiceArbitrary: fc.Arbitrary<Qcow2Choice> = fc.record({
  // 512 B … 2 MiB, shrinking toward 512.
  clusterBits: sometimes(fc.integer({ min: 9, max: 21 })),
  extendedL2: sometimes(onOff, 25),
  lazyRefcounts: sometimes(onOff, 25),
  refcountBits: sometimes(fc.constantFrom(1, 2, 4, 8, 16, 32, 64), 30),
  compat: sometimes(fc.constantFrom('1.1', '0.10'), 25),
  preallocation: sometimes(fc.constantFrom('off', 'metadata', 'falloc', 'full'), 20),
  compressionType: sometimes(fc.constantFrom('zlib', 'zstd'), 25),
});

interface VmdkChoice {
  readonly subformat: string | undefined;
  readonly compat6: string | undefined;
  readonly hwversion: string | undefined;
}

const vmdkChoiceArbitrary: fc.Arbitrary<VmdkChoice> = fc.record({
  subformat: sometimes(fc.constantFrom('monolithicSparse', 'streamOptimized'), 50),
  compat6: sometimes(onOff, 25),
  hwversion: sometimes(fc.constantFrom('4', '6', '7', '21'), 25),
});

interface VpcChoice {
  readonly subformat: string | undefined;
  readonly forceSize: string | undefined;
}

const vpcChoiceArbitrary: fc.Arbitrary<VpcChoice> = fc.record({
  subformat: sometimes(fc.constantFrom('dynamic', 'fixed'), 40),
  forceSize: sometimes(onOff, 30),
});

interface VhdxChoice {
  /** 0 is qemu-img's explicit "default", as is leaving the option out. */
  readonly blockSizeMiB: number | undefined;
  readonly logSizeMiB: number | undefined;
  readonly subformat: string | undefined;
}

const vhdxChoiceArbitrary: fc.Arbitrary<VhdxChoice> = fc.record({
  blockSizeMiB: sometimes(fc.constantFrom(1, 2, 4, 8, 16, 32, 64, 128, 256, 0), 40),
  // Capped: the log is written out in full at creation.
  logSizeMiB: sometimes(fc.constantFrom(1, 2, 4, 8), 25),
  subformat: sometimes(fc.constantFrom('dynamic', 'fixed'), 30),
});

interface RawChoice {
  readonly preallocation: string | undefined;
}

const rawChoiceArbitrary: fc.Arbitrary<RawChoice> = fc.record({
  preallocation: sometimes(fc.constantFrom('off', 'falloc', 'full'), 25),
});

/** Every field is drawn whatever the target; the target's own are used. */
interface CaseDraw {
  readonly target: ImageFormat;
  readonly sparseSize: SizeText;
  readonly allocatingSize: SizeText;
  /** Use a size near the format's limit (formats that have one). */
  readonly nearLimit: NearLimit | undefined;
  readonly qcow2: Qcow2Choice;
  readonly vmdk: VmdkChoice;
  readonly vpc: VpcChoice;
  readonly vhdx: VhdxChoice;
  readonly raw: RawChoice;
}

const caseDrawArbitrary: fc.Arbitrary<CaseDraw> = fc.record({
  target: fc.constantFrom(...IMAGE_FORMATS),
  sparseSize: sparseSizeArbitrary,
  allocatingSize: allocatingSizeArbitrary,
  nearLimit: sometimes(nearLimitArbitrary, 4),
  qcow2: qcow2ChoiceArbitrary,
  vmdk: vmdkChoiceArbitrary,
  vpc: vpcChoiceArbitrary,
  vhdx: vhdxChoiceArbitrary,
  raw: rawChoiceArbitrary,
});

function option(key: string, value: string | number | undefined): KeyValue[] {
  return value === undefined ? [] : [[key, String(value)]];
}

/** qcow2 options that qemu-img accepts together: v3-only features are left out under compat=0.10. */
function qcow2Options(c: Qcow2Choice): KeyValue[] {
  const v2 = c.compat === '0.10';
  const cluster = c.clusterBits === undefined ? DEFAULT_QCOW2_CLUSTER : 2 ** c.clusterBits;
  const extendedL2 = c.extendedL2 === 'on' && (v2 || cluster < 16 * KiB) ? undefined : c.extendedL2;
  return [
    ...option('cluster_size', c.clusterBits === undefined ? undefined : 2 ** c.clusterBits),
    ...option('extended_l2', extendedL2),
    ...option('lazy_refcounts', v2 && c.lazyRefcounts === 'on' ? undefined : c.lazyRefcounts),
    ...option('refcount_bits', v2 && c.refcountBits !== 16 ? undefined : c.refcountBits),
    ...option('compat', c.compat),
    ...option('preallocation', c.preallocation),
    ...option('compression_type', v2 && c.compressionType === 'zstd' ? undefined : c.compressionType),
  ];
}

function vmdkOptions(c: VmdkChoice): KeyValue[] {
  // qemu-img refuses compat6 together with hwversion.
  const hwversion = c.compat6 === 'on' ? undefined : c.hwversion;
  return [...option('subformat', c.subformat), ...option('compat6', c.compat6), ...option('hwversion', hwversion)];
}

function vpcOptions(c: VpcChoice): KeyValue[] {
  return [...option('subformat', c.subformat), ...option('force_size', c.forceSize)];
}

function vhdxOptions(c: VhdxChoice): KeyValue[] {
  return [
    ...option('block_size', c.blockSizeMiB === undefined ? undefined : c.blockSizeMiB === 0 ? 0 : `${c.blockSizeMiB}M`),
    ...option('log_size', c.logSizeMiB === undefined ? undefined : `${c.logSizeMiB}M`),
    ...option('subformat', c.subformat),
  ];
}

function rawOptions(c: RawChoice): KeyValue[] {
  return option('preallocation', c.preallocation);
}

function optionsFor(draw: CaseDraw): KeyValue[] {
  switch (draw.target) {
    case 'qcow2':
      return qcow2Options(draw.qcow2);
    case 'vmdk':
      return vmdkOptions(draw.vmdk);
    case 'vpc':
      return vpcOptions(draw.vpc);
    case 'vhdx':
      return vhdxOptions(draw.vhdx);
    case 'raw':
      return rawOptions(draw.raw);
  }
}

export function optionValue(options: readonly KeyValue[], key: string): string | undefined {
  return options.find(([k]) => k === key)?.[1];
}

/** Layouts that write every block at creation get a small size. */
export function writesRealBlocks(target: ImageFormat, options: readonly KeyValue[]): boolean {
  const preallocation = optionValue(options, 'preallocation');
  if (preallocation !== undefined && preallocation !== 'off') return true;
  return (target === 'vpc' || target === 'vhdx') && optionValue(options, 'subformat') === 'fixed';
}

/** The largest size qemu-img 7.2 creates, for formats with a limit of their own. */
export function sizeLimit(target: ImageFormat, options: readonly KeyValue[]): bigint | undefined {
  switch (target) {
    case 'qcow2': {
      // The L1 table may hold 4 Mi entries; each maps cluster²/8 bytes
      // (cluster²/16 with extended L2 entries).
      const cluster = BigInt(optionValue(options, 'cluster_size') ?? DEFAULT_QCOW2_CLUSTER);
      const entryBytes = optionValue(options, 'extended_l2') === 'on' ? 16n : 8n;
      return 4n * 1024n * 1024n * ((cluster * cluster) / entryBytes);
    }
    case 'vpc':
      // 0xff000000 sectors: 2040 GiB, with or without force_size.
      return 2040n * BigInt(GiB);
    case 'vhdx':
      return 64n * BigInt(TiB);
    case 'vmdk':
    case 'raw':
      // vmdk has no limit in qemu-img 7.2 (and checking a huge one is slow);
      // raw's is the host file system's, not the format's.
      return undefined;
  }
}

/**
 * vhdx's block allocation table grows as size / block size: at 64 TiB with
 * 1 MiB blocks it is 512 MiB. Near the limit, only blocks of 32 MiB or more
 * (or the default, 64 MiB there) keep a case cheap.
 */
function cheapAtLimit(target: ImageFormat, options: readonly KeyValue[]): boolean {
  if (target !== 'vhdx') return true;
  const block = optionValue(options, 'block_size');
  return block === undefined || block === '0' || Number.parseInt(block, 10) >= 32;
}

function sizeFor(draw: CaseDraw, options: readonly KeyValue[]): SizeText {
  if (writesRealBlocks(draw.target, options)) return draw.allocatingSize;
  const limit = sizeLimit(draw.target, options);
  if (draw.nearLimit !== undefined && limit !== undefined && cheapAtLimit(draw.target, options)) {
    return nearLimitSize(limit, draw.nearLimit);
  }
  const sparse = draw.sparseSize;
  const bytes = sparse.bytes ?? 0n;
  if (limit !== undefined && bytes > limit) return draw.allocatingSize;
  if (draw.target === 'vmdk' && bytes > BigInt(VMDK_SIZE_CAP)) return draw.allocatingSize;
  return sparse;
}

function digitsOf(size: SizeText): string | null {
  return size.bytes === null ? null : size.bytes.toString();
}

/** The requested size, exactly, or null when the case's size is not one. */
export function requestedBytesOf(c: CreateCase): bigint | null {
  return c.requestedBytes === null ? null : BigInt(c.requestedBytes);
}

function validCase(draw: CaseDraw): CreateCase {
  const options = optionsFor(draw);
  const size = sizeFor(draw, options);
  return { target: draw.target, size: size.text, requestedBytes: digitsOf(size), options, flaw: null };
}

/** Sets `key` (replacing an existing value) at its place, or appends it. */
function withOption(options: readonly KeyValue[], key: string, value: string): KeyValue[] {
  return optionValue(options, key) === undefined
    ? [...options, [key, value]]
    : options.map(([k, v]): KeyValue => (k === key ? [k, value] : [k, v]));
}

function withoutOption(options: readonly KeyValue[], key: string): KeyValue[] {
  return options.filter(([k]) => k !== key);
}

/** The parameters of a flaw; each shrinks toward its first, simplest form. */
type FlawDraw =
  | { readonly flaw: 'unknown-key'; readonly key: string }
  | { readonly flaw: 'bad-cluster-size'; readonly clusterSize: number }
  | { readonly flaw: 'extended-l2-small-clusters'; readonly clusterBits: number }
  | { readonly flaw: 'size-too-large'; readonly pastBy: number; readonly overflow: number | undefined }
  | { readonly flaw: 'bad-size-suffix'; readonly whole: number; readonly suffix: string }
  | { readonly flaw: 'compat-0.10-with-v3-feature'; readonly feature: KeyValue }
  | { readonly flaw: 'bad-option-value'; readonly pick: number };

/** Option keys no format knows, for `unknown-key`. */
export const UNKNOWN_OPTION_KEYS: readonly string[] = ['bogus', 'no_such_option', 'clustersize'];

const flawDrawArbitrary: fc.Arbitrary<FlawDraw> = fc.oneof(
  fc.constantFrom(...UNKNOWN_OPTION_KEYS).map((key): FlawDraw => ({ flaw: 'unknown-key', key })),
  fc
    .constantFrom(1536, 3000, 65537, 100_000, 256, 4 * MiB)
    .map((clusterSize): FlawDraw => ({ flaw: 'bad-cluster-size', clusterSize })),
  fc.integer({ min: 9, max: 13 }).map((clusterBits): FlawDraw => ({ flaw: 'extended-l2-small-clusters', clusterBits })),
  fc
    .record({ pastBy: fc.integer({ min: 1, max: 4096 }), overflow: sometimes(fc.nat(OVERFLOWING_SIZES.length - 1), 30) })
    .map(({ pastBy, overflow }): FlawDraw => ({ flaw: 'size-too-large', pastBy, overflow })),
  fc
    .record({ whole: fc.integer({ min: 1, max: 64 }), suffix: fc.constantFrom(...BAD_SUFFIXES) })
    .map(({ whole, suffix }): FlawDraw => ({ flaw: 'bad-size-suffix', whole, suffix })),
  fc
    .constantFrom<KeyValue>(['lazy_refcounts', 'on'], ['refcount_bits', '8'], ['compression_type', 'zstd'], ['extended_l2', 'on'])
    .map((feature): FlawDraw => ({ flaw: 'compat-0.10-with-v3-feature', feature })),
  fc.nat(20).map((pick): FlawDraw => ({ flaw: 'bad-option-value', pick })),
);

/** One rejected value per target for `bad-option-value`. */
export const BAD_VALUES: Readonly<Record<ImageFormat, readonly KeyValue[]>> = {
  raw: [['preallocation', 'metadata'], ['preallocation', 'bogus']],
  qcow2: [['compat', '0.9'], ['preallocation', 'bogus'], ['lazy_refcounts', 'maybe']],
  vmdk: [['subformat', 'bogus']],
  vpc: [['subformat', 'bogus'], ['force_size', 'maybe']],
  vhdx: [['block_size', '3M'], ['log_size', '0'], ['subformat', 'bogus']],
};

/** Turns a valid draw into a case qemu-img rejects, changing as little as possible. */
function flawedCase(draw: CaseDraw, flaw: FlawDraw): CreateCase {
  const qcow2Draw: CaseDraw = { ...draw, target: 'qcow2' };
  switch (flaw.flaw) {
    case 'unknown-key': {
      const base = validCase(draw);
      return { ...base, options: [...base.options, [flaw.key, 'on']], flaw: flaw.flaw };
    }
    case 'bad-cluster-size': {
      const base = validCase({ ...qcow2Draw, nearLimit: undefined });
      return { ...base, options: withOption(base.options, 'cluster_size', String(flaw.clusterSize)), flaw: flaw.flaw };
    }
    case 'extended-l2-small-clusters': {
      const base = validCase({ ...qcow2Draw, nearLimit: undefined });
      const options = withOption(
        withOption(withoutOption(base.options, 'compat'), 'cluster_size', String(2 ** flaw.clusterBits)),
        'extended_l2',
        'on',
      );
      return { ...base, options, flaw: flaw.flaw };
    }
    case 'size-too-large': {
      const base = validCase({ ...draw, nearLimit: undefined });
      const limit = sizeLimit(draw.target, base.options);
      const overflowing = flaw.overflow === undefined ? undefined : OVERFLOWING_SIZES[flaw.overflow];
      const size =
        limit !== undefined && overflowing === undefined && !writesRealBlocks(draw.target, base.options)
          ? pastLimitSize(limit, flaw.pastBy)
          : (overflowing ?? OVERFLOWING_SIZES[0]!);
      return { ...base, size: size.text, requestedBytes: digitsOf(size), flaw: flaw.flaw };
    }
    case 'bad-size-suffix': {
      const base = validCase(draw);
      return { ...base, size: `${flaw.whole}${flaw.suffix}`, requestedBytes: null, flaw: flaw.flaw };
    }
    case 'compat-0.10-with-v3-feature': {
      const base = validCase({ ...qcow2Draw, nearLimit: undefined });
      let options = withOption(base.options, 'compat', '0.10');
      // extended_l2 must be refused for the version alone, not the cluster size.
      if (flaw.feature[0] === 'extended_l2') options = withoutOption(options, 'cluster_size');
      return { ...base, options: withOption(options, flaw.feature[0], flaw.feature[1]), flaw: flaw.flaw };
    }
    case 'bad-option-value': {
      const base = validCase(draw);
      const choices = BAD_VALUES[draw.target];
      const [key, value] = choices[flaw.pick % choices.length]!;
      return { ...base, options: withOption(base.options, key, value), flaw: flaw.flaw };
    }
  }
}

/** Cases for the given targets (all five by default); about 1 in 10 is flawed. */
export function createCaseArbitraryOf(targets: readonly ImageFormat[] = IMAGE_FORMATS): fc.Arbitrary<CreateCase> {
  const draws = caseDrawArbitrary.map((draw) => (targets.includes(draw.target) ? draw : { ...draw, target: targets[0]! }));
  // Flaws that force qcow2 stay out when qcow2 is not among the targets.
  const flaws = targets.includes('qcow2')
    ? flawDrawArbitrary
    : flawDrawArbitrary.filter((f) => !['bad-cluster-size', 'extended-l2-small-clusters', 'compat-0.10-with-v3-feature'].includes(f.flaw));
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: draws.map(validCase), weight: 9 },
    { arbitrary: fc.tuple(draws, flaws).map(([draw, flaw]) => flawedCase(draw, flaw)), weight: 1 },
  );
}

export const createCaseArbitrary: fc.Arbitrary<CreateCase> = createCaseArbitraryOf();

/** `-f qcow2 -o cluster_size=512 FILE 1.5k`, for reports. */
export function describeCreateCommand(c: CreateCase): string {
  const options = c.options.length > 0 ? ` -o ${c.options.map(([k, v]) => `${k}=${v}`).join(',')}` : '';
  return `create -f ${c.target}${options} FILE ${c.size}`;
}

/** What qemu-img 7.2 makes of the size: CHS rounding for vpc, 512-byte sectors elsewhere. */
export function expectedVirtualSize(c: CreateCase): bigint | undefined {
  const bytes = requestedBytesOf(c);
  if (bytes === null || c.flaw !== null) return undefined;
  // vpc sizes stay below its 2040 GiB limit, so a number is exact there.
  if (c.target === 'vpc') return BigInt(vpcVirtualSize(toSafeNumber(bytes), optionValue(c.options, 'force_size') === 'on'));
  return ((bytes + 511n) / 512n) * 512n;
}

