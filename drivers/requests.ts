import type { ImageFormat } from '../images/image-spec.ts';

/**
 * What the suite asks a tool to do, independent of any dialect. A dialect
 * turns a request into an argument array; the same request goes to the
 * reference and to the candidate.
 */

export type KeyValue = readonly [key: string, value: string];

export interface DdRequest {
  readonly op: 'dd';
  readonly input: string;
  readonly inputFormat: ImageFormat;
  readonly output: string;
  readonly outputFormat: ImageFormat;
  readonly bs: number;
  readonly count: number | undefined;
  readonly skip: number | undefined;
}

export interface CreateRequest {
  readonly op: 'create';
  readonly format: ImageFormat;
  readonly options: readonly KeyValue[];
  readonly file: string;
  /** As typed by a user: "1M", "1.5k", "1000". */
  readonly size: string;
}

export interface ConvertRequest {
  readonly op: 'convert';
  readonly input: string;
  readonly inputFormat: ImageFormat;
  readonly output: string;
  readonly outputFormat: ImageFormat;
  readonly compress: boolean;
  readonly options: readonly KeyValue[];
}

export interface InfoRequest {
  readonly op: 'info';
  readonly file: string;
  /** Omitted means "probe", as a user typing `info FILE` would. */
  readonly format: ImageFormat | undefined;
  readonly output: 'json' | 'human';
}

export interface CheckRequest {
  readonly op: 'check';
  readonly file: string;
  readonly format: ImageFormat;
  readonly output: 'json' | 'human';
}

export interface MeasureRequest {
  readonly op: 'measure';
  /** Either a source image or a size (decimal digits, exact past 2^53), never both. */
  readonly input: { readonly file: string; readonly format: ImageFormat } | { readonly size: string };
  readonly outputFormat: ImageFormat;
  readonly options: readonly KeyValue[];
  readonly output: 'json' | 'human';
}

export interface MapRequest {
  readonly op: 'map';
  readonly file: string;
  readonly format: ImageFormat;
  /** Byte offsets as given on the command line; undefined leaves the option out. */
  readonly startOffset: number | undefined;
  readonly maxLength: number | undefined;
  readonly output: 'json' | 'human';
}

export type Preallocation = 'off' | 'metadata' | 'falloc' | 'full';

export interface ResizeRequest {
  readonly op: 'resize';
  readonly file: string;
  readonly format: ImageFormat;
  readonly shrink: boolean;
  /** undefined leaves `--preallocation` out. */
  readonly preallocation: Preallocation | undefined;
  /** As typed: "1048576", "+512" or "-512". */
  readonly size: string;
}

/** `qemu-img bench` (the I/O benchmark operation, not the suite's own `npm run bench`). */
export interface BenchRequest {
  readonly op: 'bench';
  readonly file: string;
  readonly format: ImageFormat;
  readonly count: number;
  readonly depth: number;
  readonly bufferSize: number;
  readonly step: number;
  readonly pattern: number;
  readonly offset: number;
  readonly write: boolean;
  /** undefined leaves `--flush-interval` out. */
  readonly flushInterval: number | undefined;
  /** false adds `--no-drain` (only with a flush interval). */
  readonly drain: boolean;
}

/** `check` with repair: the tool rewrites `file` in place (instar-ops.md section 9). */
export interface RepairRequest {
  readonly op: 'repair';
  readonly file: string;
  readonly format: ImageFormat;
  readonly tier: 'leaks' | 'all';
}

/** `amend`: the tool rewrites `file`'s qcow2 options in place (instar-ops.md section 4). */
export interface AmendRequest {
  readonly op: 'amend';
  readonly file: string;
  readonly format: 'qcow2';
  readonly options: readonly KeyValue[];
}

/**
 * `snapshot -c NAME | -d NAME | -a ID-OR-NAME | -l` on a qcow2 image, in
 * place (instar-ops.md section 7). qemu-img's `-d` matches names only and
 * `-a` tries ids first; the argument goes out exactly as given.
 */
export interface SnapshotRequest {
  readonly op: 'snapshot';
  readonly file: string;
  readonly action: 'create' | 'delete' | 'apply' | 'list';
  /** The name or id; undefined only for `list`. */
  readonly argument: string | undefined;
}

/** `bitmap` with one action on a qcow2 image, in place (instar-ops.md section 8). */
export type BitmapRequest =
  | { readonly op: 'bitmap'; readonly file: string; readonly action: 'add'; readonly name: string; readonly granularity: number | undefined; readonly disabled: boolean }
  | { readonly op: 'bitmap'; readonly file: string; readonly action: 'remove' | 'clear' | 'enable' | 'disable'; readonly name: string }
  | { readonly op: 'bitmap'; readonly file: string; readonly action: 'merge'; readonly name: string; readonly source: string };

/**
 * `rebase -f qcow2 -b NEW [-F FMT] [-u] FILE` (instar-ops.md section 5);
 * `backing: ''` detaches (no `-F` then). A relative NEW is resolved against
 * FILE's directory by both tools and stored verbatim.
 */
export interface RebaseRequest {
  readonly op: 'rebase';
  readonly file: string;
  readonly backing: string;
  readonly backingFormat: 'qcow2' | undefined;
  readonly unsafe: boolean;
}

/**
 * `commit [-b BASE] [-d] FILE` (instar-ops.md section 6), run with `cwd` as
 * the working directory (the side's directory, where the relative backing
 * names resolve).
 */
export interface CommitRequest {
  readonly op: 'commit';
  readonly file: string;
  readonly base: string | undefined;
  readonly drop: boolean;
  readonly cwd: string;
}

export type ToolRequest =
  | DdRequest
  | CreateRequest
  | ConvertRequest
  | InfoRequest
  | CheckRequest
  | MeasureRequest
  | MapRequest
  | ResizeRequest
  | BenchRequest
  | RepairRequest
  | AmendRequest
  | SnapshotRequest
  | BitmapRequest
  | RebaseRequest
  | CommitRequest;

/** The working directory a request runs in, when it needs one (commit). */
export function workingDirectoryOf(request: ToolRequest): string | undefined {
  return request.op === 'commit' ? request.cwd : undefined;
}

export type Operation = ToolRequest['op'];
