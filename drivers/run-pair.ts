import { CandidatePace, candidateLimit, type CandidateTimePolicy } from './candidate-time-limit.ts';
import { AdjustableDeadline } from './deadline.ts';
import type { ProcessOutcome } from './process-outcome.ts';
import type { ReferenceMemo } from './reference-memo.ts';
import { workingDirectoryOf, type ToolRequest } from './requests.ts';
import { runProcess } from './run-process.ts';
import { argvFor, type Tool } from './tool.ts';

/** What running both tools on one call needs to know. */
export interface ToolPairEnv {
  readonly reference: Tool;
  readonly candidate: Tool;
  /** TOOL_TIMEOUT: the reference's limit and the candidate's absolute cap. */
  readonly timeoutMs: number;
  readonly candidateTime: CandidateTimePolicy;
  /** The reference's outcomes on read-only calls, reused within the property run (none: always run). */
  readonly referenceMemo?: ReferenceMemo;
}

function cwdOf(request: ToolRequest): { cwd?: string } {
  const cwd = workingDirectoryOf(request);
  return cwd === undefined ? {} : { cwd };
}

/** Each candidate command's pace in this process. */
const paces = new Map<string, CandidatePace>();

function paceOf(tool: Tool): CandidatePace {
  const key = tool.command.join('\0');
  let pace = paces.get(key);
  if (pace === undefined) {
    pace = new CandidatePace();
    paces.set(key, pace);
  }
  return pace;
}

/**
 * Runs the reference and the candidate side by side. The candidate starts
 * with the cap; once the reference has finished, its limit becomes
 * max(floor, factor × the reference's time), never more than the cap, so a
 * hang is killed in seconds. A reference that runs into the cap leaves the
 * candidate at the cap too (the call is inconclusive anyway). With a
 * memo, a read-only reference call already made on the same input is not
 * run again.
 */
export async function runReferenceAndCandidate(
  env: ToolPairEnv,
  referenceRequest: ToolRequest,
  candidateRequest: ToolRequest,
): Promise<[reference: ProcessOutcome, candidate: ProcessOutcome]> {
  const { reference, candidate } = startReferenceAndCandidate(env, referenceRequest, candidateRequest);
  return Promise.all([reference, candidate]);
}

/**
 * runReferenceAndCandidate with each side's outcome on its own, so a caller
 * can start work on the reference's output while the candidate still runs.
 */
export function startReferenceAndCandidate(
  env: ToolPairEnv,
  referenceRequest: ToolRequest,
  candidateRequest: ToolRequest,
): { reference: Promise<ProcessOutcome>; candidate: Promise<ProcessOutcome> } {
  const deadline = new AdjustableDeadline();
  const pace = paceOf(env.candidate);
  const memoKey = env.referenceMemo?.keyOf(env.reference.command, referenceRequest);
  const remembered = memoKey === undefined ? undefined : env.referenceMemo?.get(memoKey);
  // The candidate starts first: it is the slower of the two, and spawning a
  // process takes milliseconds the reference can wait.
  const candidateRun = runProcess(argvFor(env.candidate, candidateRequest), { timeoutMs: env.timeoutMs, deadline, ...cwdOf(candidateRequest) }).then((outcome) => {
    if (outcome.termination.kind === 'exited') pace.record(outcome.wallMs);
    return outcome;
  });
  // A remembered outcome sets the candidate's limit as the live call did.
  const reference = remembered !== undefined ? Promise.resolve(remembered) : runProcess(argvFor(env.reference, referenceRequest), { timeoutMs: env.timeoutMs, ...cwdOf(referenceRequest) });
  const referenceRun = reference.then((outcome) => {
    if (memoKey !== undefined && remembered === undefined) env.referenceMemo?.remember(memoKey, outcome);
    const { limitMs, derivedFrom } = candidateLimit(env.candidateTime, env.timeoutMs, outcome.wallMs, pace.medianMs());
    deadline.tighten(limitMs, derivedFrom);
    return outcome;
  });
  return { reference: referenceRun, candidate: candidateRun };
}
