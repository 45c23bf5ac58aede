import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../drivers/run-process.ts';
import { describeTermination } from '../drivers/process-outcome.ts';
import { specKey, type ImageFormat, type ImageSpec } from './image-spec.ts';
import { recipeFor, type RecipeStep } from './recipe.ts';
import { scratchDir } from './scratch.ts';
import { predictedVirtualSize } from './virtual-size.ts';

export interface ImageTools {
  readonly qemuImg: string;
  readonly qemuIo: string;
  readonly timeoutMs: number;
}

export interface MaterialisedImage {
  readonly spec: ImageSpec;
  readonly path: string;
  readonly format: ImageFormat;
  /**
   * As `qemu-img info` reports it (formats round the requested size), taken
   * from the spec's prediction: test/virtual-size.test.ts holds the
   * prediction to qemu-img over the real arbitraries, so no case pays a
   * process for it.
   */
  readonly virtualSize: number;
  /** Size and mtime at creation, to notice a tool writing to its input. */
  readonly fingerprint: string;
}

/** Building an input failed: a suite or environment problem, not a finding. */
export class MaterialiseError extends Error {
  override readonly name = 'MaterialiseError';
}

/** "missing" when a tool deleted the file: that, too, must read as a change. */
export function fingerprintOf(path: string): string {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
  } catch {
    return 'missing';
  }
}

function argvOf(step: RecipeStep, tools: ImageTools): string[] {
  const bin = step.tool === 'qemu-img' ? tools.qemuImg : step.tool === 'qemu-io' ? tools.qemuIo : step.tool;
  return [bin, ...step.args];
}

/** `rm -f <files>` done here: repro.sh prints the step, a case need not pay a process for it. */
function removeFiles(step: RecipeStep): void {
  for (const file of step.args.filter((arg) => !arg.startsWith('-'))) rmSync(file, { force: true });
}

async function build(spec: ImageSpec, path: string, tools: ImageTools): Promise<MaterialisedImage> {
  for (const step of recipeFor(spec, path)) {
    if (step.tool === 'rm') {
      removeFiles(step);
      continue;
    }
    const outcome = await runProcess(argvOf(step, tools), { timeoutMs: tools.timeoutMs });
    // qemu-io reports a failed write on stdout and may still exit 0.
    const failedWrite = step.tool === 'qemu-io' && /failed/i.test(outcome.stdout + outcome.stderr);
    if (outcome.termination.kind !== 'exited' || outcome.termination.code !== 0 || failedWrite) {
      throw new MaterialiseError(
        `building ${JSON.stringify(spec)} failed at "${outcome.argv.join(' ')}": ${describeTermination(outcome.termination)} ${outcome.stderr.trim()} ${outcome.stdout.trim()}`,
      );
    }
  }
  return { spec, path, format: spec.layout.format, virtualSize: predictedVirtualSize(spec), fingerprint: fingerprintOf(path) };
}

/**
 * Builds source images on demand and keeps them for the life of the process,
 * keyed by spec, so that shrinking (which revisits specs) reuses files.
 */
export class ImageCache {
  /** Enough for any shrink; a long campaign keeps disk use flat. */
  static readonly CAPACITY = 256;
  private readonly images = new Map<string, Promise<MaterialisedImage>>();
  private dir: Promise<{ path: string; cleanup: () => Promise<void> }> | undefined;
  private counter = 0;

  constructor(private readonly tools: ImageTools) {}

  get(spec: ImageSpec): Promise<MaterialisedImage> {
    const key = specKey(spec);
    let image = this.images.get(key);
    if (image !== undefined) {
      // Most recently used moves to the back of the eviction queue.
      this.images.delete(key);
      this.images.set(key, image);
    } else {
      image = this.create(spec);
      this.images.set(key, image);
      // A failed build is not cached: the next call retries it.
      image.catch(() => this.images.delete(key));
      this.trim();
    }
    return image;
  }

  /** Forget an image whose file a tool may have changed. */
  evict(spec: ImageSpec): void {
    const key = specKey(spec);
    const image = this.images.get(key);
    this.images.delete(key);
    image?.then((i) => rmSync(i.path, { force: true })).catch(() => undefined);
  }

  private trim(): void {
    while (this.images.size > ImageCache.CAPACITY) {
      const oldest = this.images.entries().next().value;
      if (oldest === undefined) return;
      const [key, image] = oldest;
      this.images.delete(key);
      image.then((i) => rmSync(i.path, { force: true })).catch(() => undefined);
    }
  }

  get size(): number {
    return this.images.size;
  }

  private async create(spec: ImageSpec): Promise<MaterialisedImage> {
    this.dir ??= scratchDir('sources');
    const dir = await this.dir;
    const path = join(dir.path, `source-${this.counter++}.${spec.layout.format}`);
    return build(spec, path, this.tools);
  }

  async dispose(): Promise<void> {
    if (this.dir !== undefined) await (await this.dir).cleanup();
    this.images.clear();
    this.dir = undefined;
  }
}
