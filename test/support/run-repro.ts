import { join } from 'node:path';
import type { Tool } from '../../drivers/tool.ts';
import { runProcess } from '../../drivers/run-process.ts';
import { scratchDir } from '../../images/scratch.ts';
import type { Finding } from '../../reports/finding.ts';
import { writeReport } from '../../reports/write-report.ts';

/** Writes a finding's report to a scratch folder and runs its repro.sh (bash, qemu-img, qemu-io; no Node). */
export async function runReproOf(finding: Finding, candidate: Tool): Promise<{ code: number | undefined; output: string }> {
  const dir = await scratchDir('repro-test');
  try {
    const context = { referenceVersion: 'r', candidateVersion: 'c', candidateSelectedBy: 'CANDIDATE=x', replay: 'x', seed: 1, path: undefined, numShrinks: 0 };
    const { folder } = await writeReport(dir.path, finding, context, candidate, 30);
    const outcome = await runProcess(['bash', join(folder, 'repro.sh')], { timeoutMs: 60_000 });
    const code = outcome.termination.kind === 'exited' ? outcome.termination.code : undefined;
    return { code, output: outcome.stdout + outcome.stderr };
  } finally {
    await dir.cleanup();
  }
}
