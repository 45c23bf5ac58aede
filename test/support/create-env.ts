import type { ResolvedTools } from '../../config/resolve-tools.ts';
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
    stats: new RunStats('create'),
    libyal: new LibyalReaders(process.env),
  };
}
