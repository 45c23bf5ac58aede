import type { ReferenceVersion } from '../config/reference-version.ts';
import type { ResolvedTools } from '../config/resolve-tools.ts';

/** The reference as the run chose it, so that repro.sh chooses it the same way. */
export interface ReferenceOfRun {
  /** QEMU_REF as the run was given it. */
  readonly choice: ReferenceVersion | undefined;
  /** The tools the run used, as absolute paths. */
  readonly qemuImg: string;
  readonly qemuIo: string;
}

export function referenceOfRun(tools: ResolvedTools): ReferenceOfRun {
  return { choice: tools.referenceChoice, qemuImg: tools.reference.command[0] ?? 'qemu-img', qemuIo: tools.qemuIo };
}
