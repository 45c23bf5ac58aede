import { candidateLimit, type CandidateTimePolicy } from './candidate-time-limit.ts';
import { AdjustableDeadline } from './deadline.ts';
import type { ProcessOutcome } from './process-outcome.ts';
import type { ToolRequest } from './requests.ts';
import { runProcess } from './run-process.ts';
import { argvFor, type Tool } from './tool.ts';

/** What running both tools on one call needs to know. */
export interface ToolPairEnv {
  readonly reference: Tool;
  readonly candidate: Tool;
  /** TOOL_TIMEOUT: the reference's limit and the candidate's absolute cap. */
  readonly timeoutMs: number;
  readonly candidateTime: CandidateTimePolicy;
}

/**
 * Runs the reference and the candidate side by side. The candidate starts
 * with the cap; once the reference has finished, its limit becomes
 * max(floor, factor × the reference's time), never more than the cap, so a
 * hang is killed in seconds. A reference that runs into the cap leaves the
 * candidate at the cap too (the call is inconclusive anyway).
 */
export async function runReferenceAndCandidate(
  env: ToolPairEnv,
  referenceRequest: ToolRequest,
  candidateRequest: ToolRequest,
): Promise<[reference: ProcessOutcome, candidate: ProcessOutcome]> {
  const deadline = new AdjustableDeadline();
  const referenceRun = runProcess(argvFor(env.reference, referenceRequest), { timeoutMs: env.timeoutMs }).then((outcome) => {
    const { limitMs, derivedFrom } = candidateLimit(env.candidateTime, env.timeoutMs, outcome.wallMs);
    deadline.tighten(limitMs, derivedFrom);
    return outcome;
  });
  const candidateRun = runProcess(argvFor(env.candidate, candidateRequest), { timeoutMs: env.timeoutMs, deadline });
  return Promise.all([referenceRun, candidateRun]);
}
