import type { ToolRequest, KeyValue } from './requests.ts';
import { benchArgs, bitmapArgs, commitArgs, mapWindowArgs, rebaseArgs, resizeArgs, snapshotArgs } from './qemu-img-dialect.ts';

/**
 * Arguments for instar, whose dialect differs from qemu-img's (see
 * shared/reference/FACTS.md, "instar's command line compared with
 * qemu-img's"). Only the spellings differ; the request is the same.
 */

/** convert takes dedicated flags where qemu-img takes `-o k=v`. */
const CONVERT_FLAGS: Readonly<Record<string, string>> = {
  cluster_size: '--cluster-size',
  subformat: '--subformat',
};

/**
 * On/off options that instar's convert takes as a bare flag (instar's
 * docs/convert.md: `--extended-l2`); "off" is its default, so no flag.
 */
const CONVERT_SWITCHES: Readonly<Record<string, string>> = {
  extended_l2: '--extended-l2',
};

/** Valued options instar's convert spells as flags (docs/convert.md: vhdx `--block-size`). */
const CONVERT_VALUED_FLAGS: Readonly<Record<string, string>> = {
  block_size: '--block-size',
};

function convertOptionArgs(options: readonly KeyValue[]): string[] {
  return options.flatMap(([key, value]) => {
    const toggle = CONVERT_SWITCHES[key];
    if (toggle !== undefined && (value === 'on' || value === 'off')) return value === 'on' ? [toggle] : [];
    const flag = CONVERT_FLAGS[key] ?? CONVERT_VALUED_FLAGS[key];
    // Keys without a documented flag are passed as `-o`, which instar's
    // measure and create accept; a rejection shows up as an exit divergence.
    return flag !== undefined ? [flag, value] : ['-o', `${key}=${value}`];
  });
}

function repeatedOptions(options: readonly KeyValue[]): string[] {
  return options.flatMap(([key, value]) => ['-o', `${key}=${value}`]);
}

export function instarArgs(request: ToolRequest): string[] {
  switch (request.op) {
    case 'dd':
      return [
        'dd',
        // instar accepts -f but detects the format from content; passing it
        // keeps the two command lines parallel.
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
      return ['create', '-f', request.format, ...repeatedOptions(request.options), request.file, request.size];
    case 'convert':
      return [
        'convert',
        '-O',
        request.outputFormat,
        ...(request.compress ? ['--compress'] : []),
        ...convertOptionArgs(request.options),
        request.input,
        request.output,
      ];
    case 'info':
      return ['info', ...(request.output === 'json' ? ['--output', 'json'] : []), request.file];
    case 'check':
      return ['check', ...(request.output === 'json' ? ['--output', 'json'] : []), request.file];
    case 'measure':
      return [
        'measure',
        '--output',
        request.output,
        '-O',
        request.outputFormat,
        ...repeatedOptions(request.options),
        ...('size' in request.input ? ['-s', request.input.size] : [request.input.file]),
      ];
    case 'map':
      // instar-ops.md section 2: no -f (the format is probed), the window as
      // separate tokens before `--output json`.
      return ['map', ...mapWindowArgs(request), ...(request.output === 'json' ? ['--output', 'json'] : []), request.file];
    case 'resize':
      // instar-ops.md section 3: "Identical argv for both tools".
      return resizeArgs(request);
    case 'bench':
      // instar-ops.md section 10: "Identical argv for both tools".
      return benchArgs(request);
    case 'repair':
      // instar-ops.md section 9: the tier in the `=` form, the output as two tokens.
      return ['check', `--repair=${request.tier}`, '--output', 'json', request.file];
    case 'amend':
      // instar-ops.md section 4: one `-o` per option.
      return ['amend', '-f', request.format, ...repeatedOptions(request.options), request.file];
    case 'snapshot':
      // instar-ops.md section 7: `snapshot -c|-d|-a ARG FILE`, `snapshot -l FILE`.
      return snapshotArgs(request);
    case 'bitmap':
      // instar-ops.md section 8: "Identical argv for both tools".
      return bitmapArgs(request);
    case 'rebase':
      // instar-ops.md section 5: "Identical argv order for both tools".
      return rebaseArgs(request);
    case 'commit':
      // instar-ops.md section 6: "Identical argv for both tools", cwd = the side's directory.
      return commitArgs(request);
  }
}
