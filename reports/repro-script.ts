import { REFERENCE_VERSIONS, referenceSource } from '../config/reference-version.ts';
import type { Tool } from '../drivers/tool.ts';
import type { Finding } from './finding.ts';
import type { ReferenceOfRun } from './reference-of-run.ts';
import { shellJoin, shellQuote } from './shell-quote.ts';

/** Who ran, as repro.sh needs to know it. */
export interface ReproTools {
  readonly candidate: Tool;
  readonly reference: ReferenceOfRun;
  /** The reference's `--version` line in the failing run. */
  readonly referenceVersion: string;
}

/**
 * Chooses the reference as the suite does: QEMU_IMG/QEMU_IO win, then
 * QEMU_REF; with neither, the very tools the failing run used.
 */
function referenceChoiceLines(reference: ReferenceOfRun, referenceVersion: string): string[] {
  const branches = REFERENCE_VERSIONS.map((version) => {
    const source = referenceSource(version);
    return `  ${version}) reference_img=${shellQuote(source.qemuImg)}; reference_io=${shellQuote(source.qemuIo)} ;;`;
  });
  return [
    `# The failing run's reference: ${referenceVersion}${reference.choice === undefined ? '' : ` (QEMU_REF=${reference.choice})`}.`,
    `# QEMU_REF (${REFERENCE_VERSIONS.join(' or ')}) and QEMU_IMG/QEMU_IO choose another, as in the suite.`,
    `case "\${QEMU_REF:-${reference.choice ?? ''}}" in`,
    `  '') reference_img=${shellQuote(reference.qemuImg)}; reference_io=${shellQuote(reference.qemuIo)} ;;`,
    ...branches,
    `  *) echo "QEMU_REF takes ${REFERENCE_VERSIONS.join(' or ')}" >&2; exit 2 ;;`,
    'esac',
    'QEMU_IMG="${QEMU_IMG:-$reference_img}"',
    'QEMU_IO="${QEMU_IO:-$reference_io}"',
    'echo "reference: $("$QEMU_IMG" --version | head -n 1)"',
  ];
}

const TOOL_VARS: Readonly<Record<string, string>> = { 'qemu-img': '"$QEMU_IMG"', 'qemu-io': '"$QEMU_IO"', rm: 'rm', mkdir: 'mkdir' };

/**
 * A stand-alone bash script: rebuilds the input with qemu-img and qemu-io,
 * runs both tools, and exits 1 when the divergence reproduces (0 when not).
 * Needs neither Node.js nor this suite.
 */
export function reproScript(finding: Finding, tools: ReproTools, timeoutSeconds: number): string {
  const { candidate } = tools;
  const lines: string[] = [
    '#!/usr/bin/env bash',
    `# Reproduces: ${finding.operation}: ${finding.divergence.summary.replace(/\n/g, ' ')}`,
    '# Exit status: 1 when the divergence shows, 0 when it does not.',
    'set -u',
    ...referenceChoiceLines(tools.reference, tools.referenceVersion),
    '# The candidate as the failing run invoked it; edit to point elsewhere.',
    `candidate=(${candidate.command.map(shellQuote).join(' ')})`,
    `limit=${timeoutSeconds}`,
    'work="$(mktemp -d)"',
    'trap \'rm -rf "$work"\' EXIT',
    'cd "$work" || exit 2',
    'diverged=0',
    '',
    '# 1. The input, built with qemu-img and qemu-io alone.',
  ];
  for (const input of finding.repro.inputs) {
    for (const step of input.steps) {
      const tool = TOOL_VARS[step.tool] ?? step.tool;
      lines.push(`${tool} ${shellJoin(step.args)} >/dev/null || { echo "could not build ${input.file}" >&2; exit 2; }`);
    }
  }
  const sequence = finding.repro.sequence ?? [];
  const lastViaQemuIo = finding.repro.lastVia === 'qemu-io';
  if (sequence.length > 0) lines.push('', `# 2. The ${sequence.length} earlier command(s) of the sequence, on both copies.`);
  sequence.forEach((command, index) => {
    const [reference, candidate] = command.via === 'qemu-io' ? ['"$QEMU_IO"', '"$QEMU_IO"'] : ['"$QEMU_IMG"', '"${candidate[@]}"'];
    lines.push(
      `echo ${shellQuote(`step ${index + 1}: ${command.title}`)}`,
      `${inDir(command.cwd?.reference, `timeout -s KILL "$limit" ${reference} ${shellJoin(command.referenceArgs)}`)} >/dev/null 2>&1; echo "  reference exit $?"`,
      `${inDir(command.cwd?.candidate, `timeout -s KILL "$limit" ${candidate} ${shellJoin(command.candidateArgs)}`)} >/dev/null 2>&1; echo "  candidate exit $?"`,
    );
  });
  const lastCwd = finding.repro.lastCwd;
  const [lastReference, lastCandidate] = lastViaQemuIo ? ['"$QEMU_IO"', '"$QEMU_IO"'] : ['"$QEMU_IMG"', '"${candidate[@]}"'];
  lines.push(
    '',
    sequence.length > 0
      ? `# 3. Step ${sequence.length + 1}, where the sequence diverges, each side with a time limit (a hang is a finding too).`
      : '# 2. Both tools, each with a time limit (a hang is a finding too).',
    `${inDir(lastCwd?.reference, `timeout -s KILL "$limit" ${lastReference} ${shellJoin(finding.repro.referenceArgs)}`)} >reference.stdout 2>reference.stderr; reference_rc=$?`,
    `${inDir(lastCwd?.candidate, `timeout -s KILL "$limit" ${lastCandidate} ${shellJoin(finding.repro.candidateArgs)}`)} >candidate.stdout 2>candidate.stderr; candidate_rc=$?`,
    'echo "reference exit $reference_rc; candidate exit $candidate_rc (137 = killed, e.g. by the time limit)"',
    'echo "--- reference stderr"; head -c 2000 reference.stderr',
    'echo "--- candidate stderr"; head -c 2000 candidate.stderr',
    '',
    sequence.length > 0 ? '# 4. The oracle.' : '# 3. The oracle.',
    ...finding.repro.compare,
    '',
    'if [ "$diverged" = 1 ]; then echo "DIVERGENCE REPRODUCED"; exit 1; fi',
    'echo "divergence did not reproduce"',
    'exit 0',
    '',
  );
  return lines.join('\n');
}

/** `command` run in `dir` (relative to repro.sh's directory) by a subshell, so the script stays where it is; as it is without a dir. */
function inDir(dir: string | undefined, command: string): string {
  return dir === undefined ? command : `(cd ${shellQuote(dir)} && ${command})`;
}

/** Oracle lines shared by producers: exit status, then flattened content. */
export function flattenAndCompareLines(referenceOut: string, candidateOut: string, format: string): string[] {
  return [
    'if [ "$reference_rc" -ne 0 ] && [ "$candidate_rc" -ne 0 ]; then :',
    'elif [ "$reference_rc" -ne 0 ] || [ "$candidate_rc" -ne 0 ]; then echo "exit status differs"; diverged=1',
    'else',
    `  "$QEMU_IMG" convert -f ${format} -O raw ${shellQuote(referenceOut)} reference.flat.raw || { echo "reference output unreadable"; exit 2; }`,
    `  if ! "$QEMU_IMG" convert -f ${format} -O raw ${shellQuote(candidateOut)} candidate.flat.raw; then echo "candidate output unreadable by qemu-img"; diverged=1`,
    '  else',
    '    echo "virtual sizes: reference $(stat -c %s reference.flat.raw), candidate $(stat -c %s candidate.flat.raw)"',
    '    cmp reference.flat.raw candidate.flat.raw || diverged=1',
    '  fi',
    'fi',
  ];
}
