import { findExecutable } from '../config/resolve-tools.ts';
import type { Env } from '../config/env-values.ts';
import type { ProcessOutcome } from '../drivers/process-outcome.ts';
import type { KeyValue } from '../drivers/requests.ts';
import { runProcess } from '../drivers/run-process.ts';
import type { ImageFormat } from '../images/image-spec.ts';
import type { JsonValue } from './divergence.ts';

/**
 * Independent readers from libyal (Debian's libqcow-utils, libvmdk-utils,
 * libvhdi-utils), used only when installed. They share no code with
 * qemu-img, so they catch a file that qemu-img happens to tolerate.
 */
const READER_OF: Readonly<Partial<Record<ImageFormat, string>>> = {
  qcow2: 'qcowinfo',
  vmdk: 'vmdkinfo',
  vpc: 'vhdiinfo',
  vhdx: 'vhdiinfo',
};

const PACKAGE_OF: Readonly<Record<string, string>> = {
  qcowinfo: 'libqcow-utils',
  vmdkinfo: 'libvmdk-utils',
  vhdiinfo: 'libvhdi-utils',
};

export type LibyalReading =
  | { readonly kind: 'parsed'; readonly reader: string; readonly mediaSize: bigint; readonly type: string }
  /** `message` is one line for a summary; `outcome` is quoted in full (oracles/reader-failure.ts). */
  | { readonly kind: 'refused'; readonly reader: string; readonly message: string; readonly outcome: ProcessOutcome };

/** "Media size: 1.0 MiB (1048576 bytes)" */
const MEDIA_SIZE = /Media size\s*:\s*.*\((\d+) bytes\)/;
const FIELD = (name: string): RegExp => new RegExp(`^\\s*${name}\\s*:\\s*(.+?)\\s*$`, 'm');

/** The kind of image as the reader names it: "qcow version 3", "Monolithic sparse", "VHDX (version 2) Dynamic". */
export function readerType(reader: string, stdout: string): string {
  const field = (name: string): string => FIELD(name).exec(stdout)?.[1] ?? '?';
  switch (reader) {
    case 'qcowinfo':
      return `qcow version ${field('Format version')}`;
    case 'vmdkinfo':
      return field('Disk type');
    default:
      return `${field('Format')} ${field('Disk type')}`;
  }
}

export class LibyalReaders {
  private readonly found = new Map<string, string>();
  readonly missing: string[] = [];

  constructor(env: Env) {
    for (const reader of new Set(Object.values(READER_OF))) {
      try {
        this.found.set(reader, findExecutable(reader, reader, env));
      } catch {
        this.missing.push(reader);
      }
    }
  }

  /** One line for the run's log when some reader is absent, else undefined. */
  announcement(): string | undefined {
    if (this.missing.length === 0) return undefined;
    const packages = this.missing.map((r) => `${r} (${PACKAGE_OF[r]})`).join(', ');
    return `create: independent readers not installed, skipped: ${packages}`;
  }

  readerFor(format: ImageFormat): string | undefined {
    const reader = READER_OF[format];
    return reader === undefined ? undefined : this.found.get(reader);
  }

  async read(format: ImageFormat, path: string, timeoutMs: number): Promise<LibyalReading | undefined> {
    const binary = this.readerFor(format);
    if (binary === undefined) return undefined;
    const reader = READER_OF[format] ?? binary;
    const outcome = await runProcess([binary, path], { timeoutMs });
    const size = MEDIA_SIZE.exec(outcome.stdout);
    if (outcome.termination.kind !== 'exited' || outcome.termination.code !== 0 || size === null) {
      const firstLine = (text: string): string => text.trim().split('\n')[0] ?? '';
      const message = firstLine(outcome.stderr) || firstLine(outcome.stdout) || 'no media size printed';
      return { kind: 'refused', reader, message, outcome };
    }
    return { kind: 'parsed', reader, mediaSize: BigInt(size[1] ?? '0'), type: readerType(reader, outcome.stdout) };
  }
}

/** What qemu-img's info says the reader should report as the type, when it can say. */
function expectedType(reader: string, qemuInfo: JsonValue): string | undefined {
  if (typeof qemuInfo !== 'object' || qemuInfo === null || Array.isArray(qemuInfo)) return undefined;
  const specific = (qemuInfo as Record<string, JsonValue>)['format-specific'];
  const data =
    typeof specific === 'object' && specific !== null && !Array.isArray(specific)
      ? (specific as Record<string, JsonValue>)['data']
      : undefined;
  const field = (name: string): JsonValue | undefined =>
    typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, JsonValue>)[name] : undefined;
  if (reader === 'qcowinfo') {
    const compat = field('compat');
    return compat === '0.10' ? 'qcow version 2' : compat === '1.1' ? 'qcow version 3' : undefined;
  }
  if (reader === 'vmdkinfo') {
    const type = field('create-type');
    return type === 'monolithicSparse' ? 'Monolithic sparse' : type === 'streamOptimized' ? 'Stream optimized' : undefined;
  }
  return undefined;
}

export interface LibyalDisagreement {
  readonly summary: string;
  readonly data: Readonly<Record<string, JsonValue>>;
}

/**
 * The type vhdiinfo names for qemu-img's own VHD/VHDX made by this request,
 * when it parses it: the subformat asked for, else qemu-img's default,
 * dynamic. Only says whether the reference's file must be read
 * (libyalNeedsReference); a candidate reading of another type is still held
 * to the reader's view of the reference's file. test/vhdi-type-prediction.test.ts
 * holds the prediction to vhdiinfo on qemu-img's images over the
 * arbitrary's requests.
 */
export function predictedVhdiType(format: ImageFormat, options: readonly KeyValue[]): string | undefined {
  const fixed = options.some(([key, value]) => key === 'subformat' && value === 'fixed');
  const diskType = fixed ? 'Fixed' : 'Dynamic';
  if (format === 'vpc') return `VHD (version 1) ${diskType}`;
  if (format === 'vhdx') return `VHDX (version 2) ${diskType}`;
  return undefined;
}

/**
 * True when the candidate's reading can only be judged with the reader's
 * view of the reference's file: the reader refused it, it disagrees with
 * qemu-img, or (VHD/VHDX, whose type to expect comes from the reference's
 * file) its type is not the one predicted for the request. Otherwise
 * compareLibyal finds nothing whatever the reference's reading (for
 * VHD/VHDX: as long as the prediction holds), and the reference's file need
 * not be read.
 */
export function libyalNeedsReference(
  candidate: LibyalReading | undefined,
  candidateInfo: { readonly virtualSize: bigint; readonly document: JsonValue },
  predictedReferenceType?: string,
): boolean {
  if (candidate === undefined) return false;
  if (candidate.kind === 'refused') return true;
  if (candidate.mediaSize !== candidateInfo.virtualSize) return true;
  if (candidate.reader === 'vhdiinfo') return predictedReferenceType === undefined || candidate.type !== predictedReferenceType;
  const wanted = expectedType(candidate.reader, candidateInfo.document);
  return wanted !== undefined && candidate.type !== wanted;
}

/**
 * The candidate's file as the reader sees it must agree with qemu-img's
 * reading of the same file (size, and type where info names it) and, for
 * VHD/VHDX, with the reader's view of the reference's file (disk type).
 * When the reader cannot parse the reference's file, there is nothing to
 * hold the candidate to.
 */
export function compareLibyal(
  reference: LibyalReading | undefined,
  candidate: LibyalReading | undefined,
  candidateInfo: { readonly virtualSize: bigint; readonly document: JsonValue },
): LibyalDisagreement | undefined {
  if (reference === undefined || candidate === undefined || reference.kind !== 'parsed') return undefined;
  const reader = reference.reader;
  if (candidate.kind === 'refused') {
    return {
      summary: `${reader} parses the reference's image but not the candidate's: ${candidate.message}`,
      data: { reader, candidate: candidate.message },
    };
  }
  if (candidate.mediaSize !== candidateInfo.virtualSize) {
    return {
      summary: `${reader} reads the candidate's image as ${candidate.mediaSize} bytes; qemu-img as ${candidateInfo.virtualSize}`,
      data: { reader, readerSize: candidate.mediaSize, qemuImgSize: candidateInfo.virtualSize },
    };
  }
  const wanted = reader === 'vhdiinfo' ? reference.type : expectedType(reader, candidateInfo.document);
  if (wanted !== undefined && candidate.type !== wanted) {
    return {
      summary: `${reader} reads the candidate's image as "${candidate.type}", expected "${wanted}"`,
      data: { reader, readerType: candidate.type, expectedType: wanted },
    };
  }
  return undefined;
}
