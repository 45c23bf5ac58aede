import { readFastCheckSettings, type FastCheckSettings } from './fast-check-settings.ts';
import type { Env } from './env-values.ts';
import { PROJECT_ROOT } from './project-root.ts';
import { resolveTools, type ResolvedTools } from './resolve-tools.ts';
import { CANDIDATE_TIME_VARIABLES, readSuiteSettings, type SuiteSettings } from './suite-settings.ts';

/** Everything a property needs to know about this run, validated once. */
export interface SuiteContext extends ResolvedTools, SuiteSettings {
  readonly fastCheck: FastCheckSettings;
}

export async function loadSuiteContext(env: Env): Promise<SuiteContext> {
  const fastCheck = readFastCheckSettings(env);
  const settings = readSuiteSettings(env, PROJECT_ROOT);
  const tools = await resolveTools(env);
  // A replay judges the candidate's time, and lets known signatures pass, as
  // the run that found the case did.
  const replayEnv: Record<string, string> = { ...tools.replayEnv };
  for (const name of [...CANDIDATE_TIME_VARIABLES, 'KNOWN_FINDINGS']) {
    const value = env[name];
    if (value !== undefined) replayEnv[name] = value;
  }
  return { ...tools, ...settings, replayEnv, fastCheck };
}

let shared: Promise<SuiteContext> | undefined;

/** The context for this process's environment, loaded on first use. */
export function suiteContext(): Promise<SuiteContext> {
  shared ??= loadSuiteContext(process.env);
  return shared;
}

/**
 * Whether a whitelist entry that was never needed means something: the
 * entries document instar's divergences, so only against instar does
 * "eligible often, never hit" suggest the divergence was fixed. Against
 * qemu-img itself (calibration) or another qemu-img (a cross-version run)
 * no entry is ever expected to be needed.
 */
export function staleWhitelistMeansFixed(context: Pick<SuiteContext, 'candidate'>): boolean {
  return context.candidate.dialect === 'instar';
}

/** The reference in one line, for summaries: its version and how it was chosen. */
export function referenceLine(context: SuiteContext): string {
  return `reference: ${context.reference.version} (${context.reference.command[0] ?? ''}, chosen by ${context.reference.selectedBy}; judged by qemu-img ${context.referenceVersion}'s known behaviour)`;
}

export function announce(context: SuiteContext): string {
  const note = context.referenceNote === undefined ? '' : `\nnote: ${context.referenceNote}.`;
  if (context.calibration) {
    return `calibration: no INSTAR or CANDIDATE set, so the candidate is the reference itself (${context.reference.version}); any divergence is a false positive in the suite.${note}`;
  }
  return `candidate ${context.candidate.selectedBy} (${context.candidate.version}, ${context.candidate.dialect} dialect) against ${context.reference.version}${note}`;
}
