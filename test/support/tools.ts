import { resolve } from 'node:path';
import { resolveTools, type ResolvedTools } from '../../config/resolve-tools.ts';
import { PROJECT_ROOT } from '../../config/project-root.ts';

/** The suite's tools with a test/mutants/ script (or any command) as the candidate. */
export function toolsWithCandidate(candidate: string): Promise<ResolvedTools> {
  const env: Record<string, string | undefined> = { ...process.env, CANDIDATE: candidate };
  delete env['INSTAR'];
  return resolveTools(env);
}

/** The calibration tools: qemu-img against itself. */
export function calibrationTools(): Promise<ResolvedTools> {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env['INSTAR'];
  delete env['CANDIDATE'];
  return resolveTools(env);
}

export function mutantPath(name: string): string {
  return resolve(PROJECT_ROOT, 'test', 'mutants', name);
}
