import type { ResolvedTools } from '../../config/resolve-tools.ts';
import type { DdPropertyEnv } from '../../properties/dd.ts';
import { testPropertyEnv } from './property-env.ts';

/** A dd property environment for tests, with its own image cache. */
export function ddEnv(tools: ResolvedTools, timeoutMs = 30_000): DdPropertyEnv {
  return { ...testPropertyEnv(tools, 'dd', timeoutMs), qemuImg: tools.reference.command[0] ?? 'qemu-img' };
}
