import type { ResolvedTools } from '../../config/resolve-tools.ts';
import { DEFAULT_CANDIDATE_TIME_POLICY } from '../../drivers/candidate-time-limit.ts';
import { ImageCache } from '../../images/materialise.ts';
import { RunStats } from '../../oracles/run-stats.ts';
import type { DdPropertyEnv } from '../../properties/dd.ts';

/** A dd property environment for tests, with its own image cache. */
export function ddEnv(tools: ResolvedTools, timeoutMs = 30_000): DdPropertyEnv {
  const qemuImg = tools.reference.command[0] ?? 'qemu-img';
  return {
    reference: tools.reference,
    candidate: tools.candidate,
    qemuImg,
    timeoutMs,
    candidateTime: DEFAULT_CANDIDATE_TIME_POLICY,
    images: new ImageCache({ qemuImg, qemuIo: tools.qemuIo, timeoutMs: 30_000 }),
    stats: new RunStats('dd'),
  };
}
