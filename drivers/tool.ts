import { instarArgs } from './instar-dialect.ts';
import { qemuImgArgs } from './qemu-img-dialect.ts';
import type { ProcessOutcome } from './process-outcome.ts';
import type { ToolRequest } from './requests.ts';
import { runProcess } from './run-process.ts';

export type Dialect = 'qemu-img' | 'instar';

/** A disk-image tool the suite can drive: a command prefix plus a dialect. */
export interface Tool {
  /** "reference" or "candidate". */
  readonly role: 'reference' | 'candidate';
  /** The command and any fixed leading arguments, e.g. ["/usr/bin/qemu-img"]. */
  readonly command: readonly string[];
  readonly dialect: Dialect;
  /** First line of `--version`, for reports. */
  readonly version: string;
  /** The variable that chose it, as a user would type it: `INSTAR=/x/instar`. */
  readonly selectedBy: string;
}

export function argvFor(tool: Tool, request: ToolRequest): string[] {
  const args = tool.dialect === 'instar' ? instarArgs(request) : qemuImgArgs(request);
  return [...tool.command, ...args];
}

export function runTool(tool: Tool, request: ToolRequest, timeoutMs: number): Promise<ProcessOutcome> {
  return runProcess(argvFor(tool, request), { timeoutMs });
}
