import type { MeasureCase, MeasureInput } from '../arbitraries/measure-case.ts';
import type { ConvertRequest, CreateRequest, MeasureRequest } from '../drivers/requests.ts';
import { describeSpec, type ImageFormat } from '../images/image-spec.ts';
import type { ImageCache, MaterialisedImage } from '../images/materialise.ts';
import { recipeFor, type RecipeStep } from '../images/recipe.ts';
import type { Derivation, DerivedImages } from './check-derived-images.ts';

/** A materialised measure source and how repro.sh rebuilds it. */
export interface MeasureSource {
  readonly image: MaterialisedImage;
  readonly stepsFor: (file: string) => RecipeStep[];
  /** Forget the image (a tool may have changed it). */
  readonly evict: () => void;
}

function bitmapSteps(granularities: readonly number[], file: string): RecipeStep[] {
  return granularities.map((g, i) => ({
    tool: 'qemu-img' as const,
    args: ['bitmap', '--add', '-g', String(g), '-f', 'qcow2', file, `bitmap${i}`],
  }));
}

export async function measureSource(
  images: ImageCache,
  derived: DerivedImages,
  input: Extract<MeasureInput, { kind: 'source' }>,
): Promise<MeasureSource> {
  const spec = input.source;
  if (input.bitmaps.length === 0) {
    return { image: await images.get(spec), stepsFor: (file) => recipeFor(spec, file), evict: () => images.evict(spec) };
  }
  const derivation: Derivation = {
    key: `bitmaps:${JSON.stringify(input.bitmaps)}`,
    steps: (_clean, file) => bitmapSteps(input.bitmaps, file),
  };
  return {
    image: await derived.get(spec, derivation),
    stepsFor: (file) => [...recipeFor(spec, file), ...bitmapSteps(input.bitmaps, file)],
    evict: () => derived.evict(spec, derivation),
  };
}

/** Where the source is, for requests; undefined exactly when the input is a size. */
export type SourceFile = { readonly path: string; readonly format: ImageFormat } | undefined;

function sourceOf(measureCase: MeasureCase, source: SourceFile): { readonly path: string; readonly format: ImageFormat } | undefined {
  if (measureCase.input.kind === 'size') return undefined;
  if (source === undefined) throw new Error('a measure case with a source image needs its file');
  return source;
}

function sizeOf(measureCase: MeasureCase): string {
  return measureCase.input.kind === 'size' ? measureCase.input.size : '0';
}

export function measureRequest(measureCase: MeasureCase, source: SourceFile): MeasureRequest {
  const file = sourceOf(measureCase, source);
  return {
    op: 'measure',
    input: file === undefined ? { size: sizeOf(measureCase) } : { file: file.path, format: file.format },
    outputFormat: measureCase.target.format,
    options: measureCase.target.options,
    output: measureCase.output,
  };
}

/** The output the measured figures describe: convert of the source, or create of the size. */
export function writeRequest(measureCase: MeasureCase, source: SourceFile, output: string): ConvertRequest | CreateRequest {
  const { target } = measureCase;
  const file = sourceOf(measureCase, source);
  if (file === undefined) {
    return { op: 'create', format: target.format, options: target.options, file: output, size: sizeOf(measureCase) };
  }
  return {
    op: 'convert',
    input: file.path,
    inputFormat: file.format,
    output,
    outputFormat: target.format,
    compress: false,
    options: target.options,
  };
}

export function describeMeasureCase(measureCase: MeasureCase, source: MaterialisedImage | undefined): string {
  const { input, target, output } = measureCase;
  const options = target.options.length > 0 ? ` -o ${target.options.map(([k, v]) => `${k}=${v}`).join(',')}` : '';
  const what = `\`measure -O ${target.format}${options}\` (${output} output)`;
  if (input.kind === 'size') return `${what} of --size ${input.size}.`;
  const bitmaps = input.bitmaps.length > 0 ? `, with ${input.bitmaps.length} persistent bitmap(s) of granularity ${input.bitmaps.join(', ')}` : '';
  return `${what} of a source image: ${describeSpec(input.source)}${bitmaps} (virtual size ${source?.virtualSize ?? '?'}).`;
}

export function measureInputClasses(measureCase: MeasureCase): string[] {
  const { input, target, output } = measureCase;
  const classes = [`target=${target.format}`, `output=${output}`, ...target.options.map(([k, v]) => `${k}=${v}`)];
  if (input.kind === 'size') {
    classes.push('input=size');
  } else {
    const layout = input.source.layout;
    classes.push(`source=${layout.format}`);
    if (layout.format === 'vpc' || layout.format === 'vmdk') classes.push(`source-subformat=${layout.subformat}`);
    if (input.bitmaps.length > 0) classes.push('bitmaps');
  }
  return classes;
}
