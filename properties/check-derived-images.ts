import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeTermination } from '../drivers/process-outcome.ts';
import { runProcess } from '../drivers/run-process.ts';
import type { ImageSpec } from '../images/image-spec.ts';
import { fingerprintOf, MaterialiseError, type ImageCache, type ImageTools, type MaterialisedImage } from '../images/materialise.ts';
import type { RecipeStep } from '../images/recipe.ts';
import { scratchDir } from '../images/scratch.ts';

/**
 * Used by both check and measure. Images derived from a clean spec by extra qemu-img/qemu-io steps (check's
 * byte-level faults, measure's persistent bitmaps). The clean image comes
 * from the shared ImageCache; a copy gets the extra steps. The steps are
 * computed from the clean file's bytes, so they are what repro.sh prints
 * after the spec's own recipe.
 */
export interface Derivation {
  /** Stable key (with the spec's) for memoising. */
  readonly key: string;
  /** The extra steps for a file at `file`, given the clean image's bytes. */
  readonly steps: (clean: Buffer, file: string) => RecipeStep[];
  /**
   * The same change made in memory, when it is plain byte edits: the file is
   * then written here, with no process (repro.sh still prints the steps;
   * test/check-qcow2-corrupt.test.ts holds the two to the same bytes).
   */
  readonly apply?: (clean: Buffer) => Buffer;
}

export interface DerivedImage extends MaterialisedImage {
  /** The extra steps, with the file named `file` in repro.sh. */
  readonly stepsFor: (file: string) => RecipeStep[];
}

function argvOf(step: RecipeStep, tools: ImageTools): string[] {
  const bin = step.tool === 'qemu-img' ? tools.qemuImg : step.tool === 'qemu-io' ? tools.qemuIo : step.tool;
  return [bin, ...step.args];
}

export async function runSteps(steps: readonly RecipeStep[], tools: ImageTools): Promise<void> {
  for (const step of steps) {
    const outcome = await runProcess(argvOf(step, tools), { timeoutMs: tools.timeoutMs });
    // qemu-io reports a failed write on stdout and may still exit 0.
    const failedWrite = step.tool === 'qemu-io' && /failed/i.test(outcome.stdout + outcome.stderr);
    if (outcome.termination.kind !== 'exited' || outcome.termination.code !== 0 || failedWrite) {
      throw new MaterialiseError(
        `"${outcome.argv.join(' ')}" failed: ${describeTermination(outcome.termination)} ${outcome.stderr.trim()} ${outcome.stdout.trim()}`,
      );
    }
  }
}

/** Memoised derived images; files live until `dispose`. */
export class DerivedImages {
  static readonly CAPACITY = 128;
  private readonly images = new Map<string, Promise<DerivedImage>>();
  private dir: Promise<{ path: string; cleanup: () => Promise<void> }> | undefined;
  private counter = 0;

  constructor(
    private readonly clean: ImageCache,
    private readonly tools: ImageTools,
  ) {}

  get(spec: ImageSpec, derivation: Derivation): Promise<DerivedImage> {
    const key = `${JSON.stringify(spec)}|${derivation.key}`;
    let image = this.images.get(key);
    if (image !== undefined) {
      // Most recently used moves to the back of the eviction queue.
      this.images.delete(key);
      this.images.set(key, image);
    } else {
      image = this.create(spec, derivation);
      this.images.set(key, image);
      image.catch(() => this.images.delete(key));
      while (this.images.size > DerivedImages.CAPACITY) {
        const [oldKey, old] = this.images.entries().next().value as [string, Promise<DerivedImage>];
        this.images.delete(oldKey);
        old.then((i) => rm(i.path, { force: true })).catch(() => undefined);
      }
    }
    return image;
  }

  /** Forget an image a tool may have changed. */
  evict(spec: ImageSpec, derivation: Derivation): void {
    const key = `${JSON.stringify(spec)}|${derivation.key}`;
    const image = this.images.get(key);
    this.images.delete(key);
    image?.then((i) => rm(i.path, { force: true })).catch(() => undefined);
  }

  private async create(spec: ImageSpec, derivation: Derivation): Promise<DerivedImage> {
    const clean = await this.clean.get(spec);
    const bytes = await readFile(clean.path);
    this.dir ??= scratchDir('derived');
    const path = join((await this.dir).path, `derived-${this.counter++}.${clean.format}`);
    if (derivation.apply !== undefined) {
      await writeFile(path, derivation.apply(bytes));
    } else {
      await copyFile(clean.path, path);
      await runSteps(derivation.steps(bytes, path), this.tools);
    }
    return {
      ...clean,
      path,
      fingerprint: fingerprintOf(path),
      stepsFor: (file) => derivation.steps(bytes, file),
    };
  }

  async dispose(): Promise<void> {
    if (this.dir !== undefined) await (await this.dir).cleanup();
    this.images.clear();
    this.dir = undefined;
  }
}
