import { join } from 'node:path';
import type { ResolvedTools } from '../../config/resolve-tools.ts';
import { runProcess } from '../../drivers/run-process.ts';
import { scratchDir } from '../../images/scratch.ts';
import type { Finding } from '../../reports/finding.ts';
import { referenceOfRun } from '../../reports/reference-of-run.ts';
import { writeReport } from '../../reports/write-report.ts';

/** Writes a finding's report to a scratch folder and runs its repro.sh (bash, qemu-img, qemu-io; no Node). */
export async function runReproOf(finding: Finding, tools: ResolvedTools): Promise<{ code: number | undefined; output: string }> {
  const dir = await scratchDir('repro-test');
  try {
    const context = {
      referenceVersion: tools.reference.version,
      referenceOfRun: referenceOfRun(tools),
      candidateVersion: 'c',
      candidateSelectedBy: 'CANDIDATE=x',
      replay: 'x',
      seed: 1,
      path: undefined,
      numShrinks: 0,
    };
    const { folder } = await writeReport(dir.path, finding, context, tools.candidate, 30);
    const outcome = await runProcess(['bash', join(folder, 'repro.sh')], { timeoutMs: 60_000 });
    const code = outcome.termination.kind === 'exited' ? outcome.termination.code : undefined;
    return { code, output: outcome.stdout + outcome.stderr };
  } finally {
    await dir.cleanup();
  }
}
