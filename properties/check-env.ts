import type { ResolvedTools } from '../config/resolve-tools.ts';
import type { CandidateTimePolicy } from '../drivers/candidate-time-limit.ts';
import { ReferenceMemo } from '../drivers/reference-memo.ts';
import { ImageCache } from '../images/materialise.ts';
import { RunStats } from '../oracles/run-stats.ts';
import type { CheckPropertyEnv } from './check.ts';
import { DerivedImages } from './check-derived-images.ts';

/** A check environment with its own caches; `dispose` removes their files. */
export function checkEnv(
  tools: ResolvedTools,
  timeoutMs: number,
  candidateTime: CandidateTimePolicy,
): CheckPropertyEnv & { readonly dispose: () => Promise<void> } {
  const imageTools = { qemuImg: tools.reference.command[0] ?? 'qemu-img', qemuIo: tools.qemuIo, timeoutMs: Math.max(timeoutMs, 30_000) };
  const images = new ImageCache(imageTools);
  const derived = new DerivedImages(images, imageTools);
  return {
    reference: tools.reference,
    candidate: tools.candidate,
    timeoutMs,
    candidateTime,
    referenceMemo: new ReferenceMemo(),
    images,
    derived,
    stats: new RunStats('check'),
    dispose: async () => {
      await derived.dispose();
      await images.dispose();
    },
  };
}
