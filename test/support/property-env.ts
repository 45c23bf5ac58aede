import type { ResolvedTools } from '../../config/resolve-tools.ts';
import { DEFAULT_CANDIDATE_TIME_POLICY, type CandidateTimePolicy } from '../../drivers/candidate-time-limit.ts';
import { ImageCache } from '../../images/materialise.ts';
import { RunStats } from '../../oracles/run-stats.ts';
import type { Tool } from '../../drivers/tool.ts';

/** What most property environments share, for tests: the tools, default timing, an image cache of its own, fresh counters. */
export interface TestPropertyEnv {
  readonly reference: Tool;
  readonly candidate: Tool;
  readonly timeoutMs: number;
  readonly candidateTime: CandidateTimePolicy;
  readonly images: ImageCache;
  readonly stats: RunStats;
}

export function testPropertyEnv(tools: ResolvedTools, property: string, timeoutMs = 30_000): TestPropertyEnv {
  const qemuImg = tools.reference.command[0] ?? 'qemu-img';
  return {
    reference: tools.reference,
    candidate: tools.candidate,
    timeoutMs,
    candidateTime: DEFAULT_CANDIDATE_TIME_POLICY,
    images: new ImageCache({ qemuImg, qemuIo: tools.qemuIo, timeoutMs: 30_000 }),
    stats: new RunStats(property),
  };
}
