import { layoutOptions, type ImageSpec } from './image-spec.ts';

/**
 * The commands that build a spec's image, as argument arrays. The
 * materialiser runs exactly these, and repro.sh prints exactly these, so a
 * report always rebuilds the same input. `qemu-img` and `qemu-io` are
 * placeholders the caller replaces with real binaries.
 */
export interface RecipeStep {
  readonly tool: 'qemu-img' | 'qemu-io' | 'rm' | 'mkdir';
  readonly args: readonly string[];
}

function writeCommands(spec: ImageSpec): string[] {
  return spec.extents.flatMap((e) => ['-c', `write -P ${e.fill} ${e.offset} ${e.length}`]);
}

/**
 * streamOptimized vmdk cannot be written in place, so it is built as raw
 * and converted; that is also how such images arise in practice.
 */
export function recipeFor(spec: ImageSpec, file: string): RecipeStep[] {
  const { layout } = spec;
  const writes = writeCommands(spec);
  if (layout.format === 'vmdk' && layout.subformat === 'streamOptimized') {
    const staging = `${file}.staging.raw`;
    return [
      { tool: 'qemu-img', args: ['create', '-q', '-f', 'raw', staging, String(spec.size)] },
      ...(writes.length > 0 ? [{ tool: 'qemu-io' as const, args: ['-f', 'raw', ...writes, staging] }] : []),
      {
        tool: 'qemu-img',
        args: ['convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', staging, file],
      },
      { tool: 'rm', args: ['-f', staging] },
    ];
  }
  const options = layoutOptions(layout);
  const optionArgs = options.length > 0 ? ['-o', options.map(([k, v]) => `${k}=${v}`).join(',')] : [];
  return [
    { tool: 'qemu-img', args: ['create', '-q', '-f', layout.format, ...optionArgs, file, String(spec.size)] },
    ...(writes.length > 0 ? [{ tool: 'qemu-io' as const, args: ['-f', layout.format, ...writes, file] }] : []),
  ];
}
