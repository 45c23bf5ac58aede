import type { ToolRequest, KeyValue, MapRequest, ResizeRequest, BenchRequest, SnapshotRequest, BitmapRequest, RebaseRequest, CommitRequest } from './requests.ts';

function joinOptions(options: readonly KeyValue[]): string[] {
  return options.length > 0 ? ['-o', options.map(([k, v]) => `${k}=${v}`).join(',')] : [];
}

/** `--start-offset N --max-length N`, each only when given; the same tokens in both dialects. */
export function mapWindowArgs(request: MapRequest): string[] {
  return [
    ...(request.startOffset !== undefined ? ['--start-offset', String(request.startOffset)] : []),
    ...(request.maxLength !== undefined ? ['--max-length', String(request.maxLength)] : []),
  ];
}

/**
 * `resize -f FMT [--shrink] [--preallocation M] FILE SIZE`: the same tokens
 * in both dialects (instar-ops.md section 3). A "-N" size needs no `--`:
 * qemu-img takes the size off the end of argv before reading options, and
 * the peer fuzzer passes "-512K" to instar as is.
 */
export function resizeArgs(request: ResizeRequest): string[] {
  return [
    'resize',
    '-f',
    request.format,
    ...(request.shrink ? ['--shrink'] : []),
    ...(request.preallocation !== undefined ? ['--preallocation', request.preallocation] : []),
    request.file,
    request.size,
  ];
}

/**
 * `bench -f F -c C -d D -s S -S T --pattern P -o O [-w [--flush-interval N
 * [--no-drain]]] FILE`: the same tokens in both dialects (instar-ops.md
 * section 10). `-f` is always given. The flush options go out whenever the
 * request has them, -w or not: qemu-img refuses them without -w, and so
 * should the candidate.
 */
export function benchArgs(request: BenchRequest): string[] {
  return [
    'bench',
    '-f',
    request.format,
    '-c',
    String(request.count),
    '-d',
    String(request.depth),
    '-s',
    String(request.bufferSize),
    '-S',
    String(request.step),
    '--pattern',
    String(request.pattern),
    '-o',
    String(request.offset),
    ...(request.write ? ['-w'] : []),
    ...(request.flushInterval !== undefined ? ['--flush-interval', String(request.flushInterval)] : []),
    ...(request.flushInterval !== undefined && !request.drain ? ['--no-drain'] : []),
    request.file,
  ];
}

const SNAPSHOT_FLAGS = { create: '-c', delete: '-d', apply: '-a' } as const;

/** `rebase -f qcow2 -b NEW [-F FMT] [-u] FILE`: the same tokens in both dialects (instar-ops.md section 5). */
export function rebaseArgs(request: RebaseRequest): string[] {
  return [
    'rebase',
    '-f',
    'qcow2',
    '-b',
    request.backing,
    ...(request.backingFormat !== undefined ? ['-F', request.backingFormat] : []),
    ...(request.unsafe ? ['-u'] : []),
    request.file,
  ];
}

/** `commit [-b BASE] [-d] FILE`: the same tokens in both dialects (instar-ops.md section 6). */
export function commitArgs(request: CommitRequest): string[] {
  return ['commit', ...(request.base !== undefined ? ['-b', request.base] : []), ...(request.drop ? ['-d'] : []), request.file];
}

/** `snapshot -c|-d|-a ARG FILE` or `snapshot -l FILE`: the same tokens in both dialects (instar-ops.md section 7). */
export function snapshotArgs(request: SnapshotRequest): string[] {
  if (request.action === 'list') return ['snapshot', '-l', request.file];
  return ['snapshot', SNAPSHOT_FLAGS[request.action], request.argument ?? '', request.file];
}

/** `bitmap --ACTION [...] FILE NAME`: "identical argv for both tools", no -f (instar-ops.md section 8). */
export function bitmapArgs(request: BitmapRequest): string[] {
  switch (request.action) {
    case 'add':
      return [
        'bitmap',
        '--add',
        ...(request.granularity !== undefined ? ['-g', String(request.granularity)] : []),
        ...(request.disabled ? ['--disable'] : []),
        request.file,
        request.name,
      ];
    case 'merge':
      return ['bitmap', '--merge', request.source, request.file, request.name];
    default:
      return ['bitmap', `--${request.action}`, request.file, request.name];
  }
}

/** Arguments for qemu-img (and any candidate speaking its dialect). */
export function qemuImgArgs(request: ToolRequest): string[] {
  switch (request.op) {
    case 'dd':
      return [
        'dd',
        '-f',
        request.inputFormat,
        '-O',
        request.outputFormat,
        `bs=${request.bs}`,
        ...(request.count !== undefined ? [`count=${request.count}`] : []),
        ...(request.skip !== undefined ? [`skip=${request.skip}`] : []),
        `if=${request.input}`,
        `of=${request.output}`,
      ];
    case 'create':
      return ['create', '-q', '-f', request.format, ...joinOptions(request.options), request.file, request.size];
    case 'convert':
      return [
        'convert',
        '-f',
        request.inputFormat,
        '-O',
        request.outputFormat,
        ...(request.compress ? ['-c'] : []),
        ...joinOptions(request.options),
        request.input,
        request.output,
      ];
    case 'info':
      return [
        'info',
        ...(request.format !== undefined ? ['-f', request.format] : []),
        ...(request.output === 'json' ? ['--output=json'] : []),
        request.file,
      ];
    case 'check':
      return ['check', '-f', request.format, ...(request.output === 'json' ? ['--output=json'] : []), request.file];
    case 'measure':
      return [
        'measure',
        ...(request.output === 'json' ? ['--output=json'] : []),
        '-O',
        request.outputFormat,
        ...joinOptions(request.options),
        ...('size' in request.input
          ? ['--size', request.input.size]
          : ['-f', request.input.format, request.input.file]),
      ];
    case 'resize':
      return resizeArgs(request);
    case 'bench':
      return benchArgs(request);
    case 'map':
      return ['map', '-f', request.format, ...mapWindowArgs(request), ...(request.output === 'json' ? ['--output=json'] : []), request.file];
    case 'repair':
      return ['check', '-f', request.format, '-r', request.tier, '--output=json', request.file];
    case 'amend':
      return ['amend', '-f', request.format, ...joinOptions(request.options), request.file];
    case 'snapshot':
      return snapshotArgs(request);
    case 'bitmap':
      return bitmapArgs(request);
    case 'rebase':
      return rebaseArgs(request);
    case 'commit':
      return commitArgs(request);
  }
}
