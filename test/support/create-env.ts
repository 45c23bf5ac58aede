import type { ResolvedTools } from '../../config/resolve-tools.ts';
import { DEFAULT_CANDIDATE_TIME_POLICY } from '../../drivers/candidate-time-limit.ts';
import { LibyalReaders } from '../../oracles/create-libyal.ts';
import { RunStats } from '../../oracles/run-stats.ts';
import type { CreatePropertyEnv } from '../../properties/create.ts';

/** A create property environment for tests: the given tools, fresh counters. */
export function createEnv(tools: ResolvedTools, timeoutMs = 30_000): CreatePropertyEnv {
  return {
    reference: tools.reference,
    candidate: tools.candidate,
    qemuImg: tools.reference.command[0] ?? 'qemu-img',
    qemuIo: tools.qemuIo,
    timeoutMs,
    candidateTime: DEFAULT_CANDIDATE_TIME_POLICY,
    stats: new RunStats('create'),
    libyal: new LibyalReaders(process.env),
  };
}
