import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import type { Tool } from '../drivers/tool.ts';
import type { Finding } from './finding.ts';
import { renderMarkdown, reportTitle, type ReportContext } from './render-markdown.ts';
import { reproScript } from './repro-script.ts';

export function caseHash(finding: Finding): string {
  return createHash('sha256').update(JSON.stringify(finding.caseValue)).digest('hex').slice(0, 10);
}

/** Folder name: stable for the same operation, kind and case. */
export function reportFolderName(finding: Finding): string {
  return `${finding.operation}-${finding.divergence.kind}-${caseHash(finding)}`;
}

/** Writes to a temporary name, then renames: an interrupted write leaves no half file. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const partial = `${path}.partial`;
  await writeFile(partial, text);
  await rename(partial, path);
}

export interface WrittenReport {
  readonly folder: string;
}

export async function writeReport(
  findingsDir: string,
  finding: Finding,
  ctx: ReportContext,
  candidate: Tool,
  timeoutSeconds: number,
): Promise<WrittenReport> {
  const folder = join(findingsDir, reportFolderName(finding));
  await mkdir(folder, { recursive: true });
  const json = {
    title: reportTitle(finding),
    operation: finding.operation,
    divergence: finding.divergence,
    inputClasses: finding.inputClasses,
    caseInWords: finding.caseInWords,
    case: finding.caseValue,
    reference: finding.reference,
    candidate: finding.candidate,
    versions: { reference: ctx.referenceVersion, candidate: ctx.candidateVersion, candidateSelectedBy: ctx.candidateSelectedBy },
    replay: { command: ctx.replay, seed: ctx.seed, path: ctx.path ?? null, numShrinks: ctx.numShrinks },
  };
  await writeAtomically(join(folder, 'report.json'), `${JSON.stringify(json, null, 2)}\n`);
  await writeAtomically(join(folder, 'repro.sh'), reproScript(finding, candidate, timeoutSeconds));
  await chmod(join(folder, 'repro.sh'), 0o755);
  await writeAtomically(join(folder, 'report.md'), renderMarkdown(finding, ctx));
  return { folder };
}
