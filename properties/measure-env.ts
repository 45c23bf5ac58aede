import type { ResolvedTools } from '../config/resolve-tools.ts';
import type { CandidateTimePolicy } from '../drivers/candidate-time-limit.ts';
import { ReferenceMemo } from '../drivers/reference-memo.ts';
import { ImageCache } from '../images/materialise.ts';
import { RunStats } from '../oracles/run-stats.ts';
import { DerivedImages } from './check-derived-images.ts';
import type { MeasurePropertyEnv } from './measure.ts';

/** A measure environment with its own caches; `dispose` removes their files. */
export function measureEnv(
  tools: ResolvedTools,
  timeoutMs: number,
  candidateTime: CandidateTimePolicy,
): MeasurePropertyEnv & { readonly dispose: () => Promise<void> } {
  const qemuImg = tools.reference.command[0] ?? 'qemu-img';
  const imageTools = { qemuImg, qemuIo: tools.qemuIo, timeoutMs: Math.max(timeoutMs, 30_000) };
  const images = new ImageCache(imageTools);
  const derived = new DerivedImages(images, imageTools);
  return {
    reference: tools.reference,
    candidate: tools.candidate,
    qemuImg,
    timeoutMs,
    candidateTime,
    referenceMemo: new ReferenceMemo(),
    images,
    derived,
    stats: new RunStats('measure'),
    dispose: async () => {
      await derived.dispose();
      await images.dispose();
    },
  };
}
