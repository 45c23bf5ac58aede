import { describeTermination, type ProcessOutcome } from '../drivers/process-outcome.ts';
import type { Finding } from './finding.ts';
import type { ReferenceOfRun } from './reference-of-run.ts';
import { shellJoin } from './shell-quote.ts';

export interface ReportContext {
  readonly referenceVersion: string;
  readonly referenceOfRun: ReferenceOfRun;
  readonly candidateVersion: string;
  readonly candidateSelectedBy: string;
  readonly replay: string;
  readonly seed: number;
  readonly path: string | undefined;
  readonly numShrinks: number;
  /** Simplification moves the reduction pass kept after shrinking, in order. */
  readonly reductionMoves?: readonly string[];
}

function trimmed(text: string, max = 1500): string {
  const t = text.trim();
  if (t === '') return '(empty)';
  return t.length > max ? `${t.slice(0, max)}\n… (${t.length - max} more characters)` : t;
}

/**
 * The command, then what it printed, each stream labelled: an unlabelled
 * "(empty)" under a command read as if the tool had printed nothing when
 * only its stderr was empty.
 */
function outcomeBlock(name: string, o: ProcessOutcome): string[] {
  return [
    `### ${name}: ${describeTermination(o.termination)} (${o.wallMs} ms)`,
    '',
    '```',
    `$ ${shellJoin(o.argv)}`,
    '--- stdout',
    trimmed(o.stdout),
    '--- stderr',
    trimmed(o.stderr),
    '```',
    '',
  ];
}

export function reportTitle(finding: Finding): string {
  return `${finding.operation}: ${finding.divergence.kind} — ${finding.divergence.summary.split('\n')[0]}`;
}

/** A report ready to paste into a bug tracker. */
export function renderMarkdown(finding: Finding, ctx: ReportContext): string {
  const { divergence } = finding;
  const lines = [
    `# ${reportTitle(finding)}`,
    '',
    `**Operation:** \`${finding.operation}\`  `,
    `**Divergence:** ${divergence.kind}${divergence.kind === 'model-mismatch' ? ' (model or qemu-img version: qemu-img disagrees with the suite\'s model, not a candidate bug)' : ''}  `,
    `**Input classes:** ${finding.inputClasses.join(', ') || '(none)'}`,
    '',
    '## The case',
    '',
    finding.caseInWords,
    '',
    '## What differs',
    '',
    '```',
    divergence.summary,
    divergence.detail,
    '```',
    '',
    '## The two runs',
    '',
    ...outcomeBlock('reference (qemu-img)', finding.reference),
    ...outcomeBlock('candidate', finding.candidate),
    '## Versions',
    '',
    `- reference: ${ctx.referenceVersion}${ctx.referenceOfRun.choice === undefined ? '' : ` (QEMU_REF=${ctx.referenceOfRun.choice})`}`,
    `- candidate: ${ctx.candidateVersion} (${ctx.candidateSelectedBy})`,
    '',
    '## Reproduce',
    '',
    'Without Node.js: `bash repro.sh` (exits 1 when the divergence shows).',
    '',
    'With the suite (replays the shrunk case):',
    '',
    '```',
    ctx.replay,
    '```',
    '',
    `Shrunk in ${ctx.numShrinks} step(s) from seed ${ctx.seed}${ctx.path !== undefined ? `, path ${ctx.path}` : ''}` +
      ((ctx.reductionMoves ?? []).length > 0 ? `, then reduced: ${(ctx.reductionMoves ?? []).join('; ')}.` : '.'),
    '',
    '<details><summary>Case as JSON</summary>',
    '',
    '```json',
    JSON.stringify(finding.caseValue, null, 2),
    '```',
    '',
    '</details>',
    '',
  ];
  return lines.join('\n');
}
