import type { ResolvedTools } from '../config/resolve-tools.ts';
import type { CandidateTimePolicy } from '../drivers/candidate-time-limit.ts';
import { ImageCache } from '../images/materialise.ts';
import { RunStats } from '../oracles/run-stats.ts';
import { DerivedImages } from './check-derived-images.ts';
import type { RepairPropertyEnv } from './repair.ts';

/** A repair environment with its own caches; `dispose` removes their files. */
export function repairEnv(
  tools: ResolvedTools,
  timeoutMs: number,
  candidateTime: CandidateTimePolicy,
): RepairPropertyEnv & { readonly dispose: () => Promise<void> } {
  const imageTools = { qemuImg: tools.reference.command[0] ?? 'qemu-img', qemuIo: tools.qemuIo, timeoutMs: Math.max(timeoutMs, 30_000) };
  const images = new ImageCache(imageTools);
  const derived = new DerivedImages(images, imageTools);
  return {
    reference: tools.reference,
    candidate: tools.candidate,
    timeoutMs,
    candidateTime,
    images,
    derived,
    stats: new RunStats('repair'),
    dispose: async () => {
      await derived.dispose();
      await images.dispose();
    },
  };
}
