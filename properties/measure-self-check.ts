import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { MeasureCase } from '../arbitraries/measure-case.ts';
import { describeTermination, succeeded, type ProcessOutcome } from '../drivers/process-outcome.ts';
import { runReferenceAndCandidate } from '../drivers/run-pair.ts';
import { runProcess } from '../drivers/run-process.ts';
import { argvFor, runTool, type Tool } from '../drivers/tool.ts';
import { fingerprintOf } from '../images/materialise.ts';
import { divergence, type Divergence, type JsonValue } from '../oracles/divergence.ts';
import { FIGURE_SHELL_FUNCTION, measureFigures, parseMeasureOutput } from '../oracles/measure-report.ts';
import {
  boundViolations,
  DATA_BYTES_SHELL_FUNCTION,
  dataBytesFromMap,
  violationsData,
} from '../oracles/measure-self-bounds.ts';
import { FindingError, renameOutcome, renamePaths, type Finding } from '../reports/finding.ts';
import { shellJoin } from '../reports/shell-quote.ts';
import { withCaseDir } from './case-workspace.ts';
import type { MeasurePropertyEnv } from './measure.ts';
import {
  describeMeasureCase,
  measureInputClasses,
  measureRequest,
  writeRequest,
  type MeasureSource,
  type SourceFile,
} from './measure-input.ts';

/**
 * Above this virtual size the self-check writes no outputs (a vmdk of 1 TiB
 * preallocates 128 MiB of grain tables); the figures' own bounds still run.
 */
const WRITE_LIMIT = 64n * 1024n ** 3n;

/** Counted, never silently passed: the summary lists skipped cases by reason. */
function skip(env: MeasurePropertyEnv, reason: string): void {
  env.stats.classify([`skipped: ${reason}`]);
}

/** A candidate that did not finish at all is a finding even without a reference. */
function abnormalEnd(candidate: ProcessOutcome): Divergence | undefined {
  const t = candidate.termination;
  const what = `candidate ${describeTermination(t)} (qemu-img cannot measure this target; no reference)`;
  switch (t.kind) {
    case 'timed-out':
      return divergence('candidate-timeout', what, '', { afterMs: t.afterMs });
    case 'signaled':
      return divergence('candidate-crash', what, '', { signal: t.signal });
    case 'spawn-failed':
      return divergence('candidate-unrunnable', what, t.message);
    case 'exited':
      return undefined;
  }
}

interface Written {
  readonly ownOutputLength: bigint | undefined;
  readonly referenceData: bigint | undefined;
  readonly referenceOutcome: ProcessOutcome;
}

interface Outputs {
  readonly reference: string;
  readonly candidate: string;
}

/** The candidate's own output (its length) and qemu-img's (its guest data), each when it could be written. */
async function writeOutputs(env: MeasurePropertyEnv, measureCase: MeasureCase, file: SourceFile, outputs: Outputs): Promise<Written> {
  const format = measureCase.target.format;
  const [referenceOutcome, ownOutcome] = await runReferenceAndCandidate(
    env,
    writeRequest(measureCase, file, outputs.reference),
    writeRequest(measureCase, file, outputs.candidate),
  );
  let ownOutputLength: bigint | undefined;
  if (succeeded(ownOutcome)) ownOutputLength = (await stat(outputs.candidate, { bigint: true })).size;
  else skip(env, `candidate cannot write this -O ${format} output (fully-allocated bound not checked)`);
  let referenceData: bigint | undefined;
  const compressed = measureCase.target.options.some(([k, v]) => k === 'subformat' && v === 'streamOptimized');
  if (compressed) {
    skip(env, 'streamOptimized target: compressed data has no writer-independent size (required bound not checked)');
  } else if (!succeeded(referenceOutcome)) {
    skip(env, `qemu-img cannot write this -O ${format} output (required bound not checked)`);
  } else {
    const map = await runProcess([env.qemuImg, 'map', '--output=json', '-f', format, outputs.reference], { timeoutMs: env.timeoutMs });
    referenceData = succeeded(map) ? dataBytesFromMap(map.stdout) : undefined;
    if (referenceData === undefined) skip(env, `qemu-img cannot map its own -O ${format} output (required bound not checked)`);
  }
  return { ownOutputLength, referenceData, referenceOutcome };
}

interface Judgement {
  readonly found: Divergence | undefined;
  readonly referenceOutcome: ProcessOutcome | undefined;
}

/** The candidate's figures against the bounds. */
async function judge(
  env: MeasurePropertyEnv,
  measureCase: MeasureCase,
  source: MeasureSource | undefined,
  candidate: ProcessOutcome,
  outputs: Outputs,
): Promise<Judgement> {
  const format = measureCase.target.format;
  const figures = measureFigures(parseMeasureOutput(candidate.stdout, measureCase.output));
  if (figures === undefined) {
    const found = divergence('metadata', `the candidate printed no ${measureCase.output} measure figures for -O ${format}`, candidate.stdout.trim());
    return { found, referenceOutcome: undefined };
  }
  const requestedSize = measureCase.input.kind === 'size' ? BigInt(measureCase.input.size) : undefined;
  const virtualSize = requestedSize ?? BigInt(source?.image.virtualSize ?? 0);
  let written: Written | undefined;
  if (virtualSize <= WRITE_LIMIT) {
    const file: SourceFile = source === undefined ? undefined : { path: source.image.path, format: source.image.format };
    written = await writeOutputs(env, measureCase, file, outputs);
  } else {
    skip(env, `virtual size above ${WRITE_LIMIT}: no outputs written (only the figures' own bounds checked)`);
  }
  const violations = boundViolations({
    figures,
    requestedSize,
    ownOutputLength: written?.ownOutputLength,
    referenceData: written?.referenceData,
  });
  if (violations.length === 0) return { found: undefined, referenceOutcome: written?.referenceOutcome };
  const found = divergence(
    'bound',
    `-O ${format}: ${violations.map((v) => v.bound).join('; ')}`,
    violations.map((v) => v.text).join('\n'),
    { violations: violationsData(violations), required: figures.required, fullyAllocated: figures.fullyAllocated },
  );
  return { found, referenceOutcome: written?.referenceOutcome };
}

function compareLines(measureCase: MeasureCase, candidate: Tool, renamed: SourceFile): string[] {
  const format = measureCase.target.format;
  const ownArgs = argvFor(candidate, writeRequest(measureCase, renamed, `candidate.${format}`)).slice(candidate.command.length);
  const lines = [
    '# qemu-img cannot measure this target: the candidate is checked against real outputs.',
    FIGURE_SHELL_FUNCTION,
    DATA_BYTES_SHELL_FUNCTION,
    'required=$(figure required "required size"); full=$(figure fully-allocated "fully allocated size")',
    'echo "candidate: required ${required:-?}, fully-allocated ${full:-?}"',
    'if [ "$candidate_rc" -ne 0 ] || [ -z "$required" ] || [ -z "$full" ]; then echo "candidate gave no figures"; diverged=1; else',
    '  [ "$required" -le "$full" ] || { echo "required > fully-allocated"; diverged=1; }',
  ];
  if (measureCase.input.kind === 'size') {
    lines.push(`  [ "$full" -ge ${measureCase.input.size} ] || { echo "fully-allocated < requested size"; diverged=1; }`);
  }
  lines.push(
    `  timeout -s KILL "$limit" "\${candidate[@]}" ${shellJoin(ownArgs)} >/dev/null 2>&1 && own=$(stat -c %s candidate.${format}) || own=''`,
    '  if [ -n "$own" ]; then echo "own output: $own bytes"; [ "$full" -ge "$own" ] || { echo "fully-allocated < own output length"; diverged=1; }; fi',
    `  if [ "$reference_rc" -eq 0 ]; then data=$(data_bytes ${format} reference.${format}); echo "qemu-img output data: $data bytes"; [ "$required" -ge "$data" ] || { echo "required < qemu-img output data"; diverged=1; }; fi`,
    'fi',
  );
  return lines;
}

/**
 * vmdk, vpc and vhdx targets: qemu-img refuses to measure them, so the
 * candidate's figures are checked against bounds (measure-self-bounds.ts).
 * A candidate that refuses too (qemu-img itself, under calibration) is
 * skipped with a counted reason.
 */
export async function selfCheckMeasureCase(env: MeasurePropertyEnv, measureCase: MeasureCase, source: MeasureSource | undefined): Promise<void> {
  const format = measureCase.target.format;
  const inputClasses = measureInputClasses(measureCase);
  const file: SourceFile = source === undefined ? undefined : { path: source.image.path, format: source.image.format };
  // Alone, so the cap applies: qemu-img cannot measure this target, and no
  // other call's time says how long this measure should take.
  const candidate = await runTool(env.candidate, measureRequest(measureCase, file), env.timeoutMs);
  const abnormal = abnormalEnd(candidate);
  if (abnormal === undefined && !succeeded(candidate)) {
    skip(env, `candidate does not measure -O ${format}, as qemu-img does not`);
    return;
  }
  await withCaseDir(async (dir) => {
    const outputs: Outputs = { reference: join(dir, `reference.${format}`), candidate: join(dir, `candidate.${format}`) };
    let { found, referenceOutcome } =
      abnormal !== undefined ? { found: abnormal, referenceOutcome: undefined } : await judge(env, measureCase, source, candidate, outputs);
    if (source !== undefined && fingerprintOf(source.image.path) !== source.image.fingerprint) {
      source.evict();
      found ??= divergence('input-modified', 'measure or convert changed the source image');
    }
    if (found === undefined) return;
    // The reference side of the report is qemu-img's own output of the same
    // input (the required bound's floor): qemu-img cannot measure it.
    referenceOutcome ??= await runTool(env.reference, writeRequest(measureCase, file, outputs.reference), env.timeoutMs);

    const sourceName = `source.${source?.image.format ?? 'raw'}`;
    const names = new Map<string, string>([
      ...(source === undefined ? [] : [[source.image.path, sourceName] as const]),
      [outputs.reference, `reference.${format}`],
      [outputs.candidate, `candidate.${format}`],
      [dir, '.'],
    ]);
    const renamed: SourceFile = source === undefined ? undefined : { path: sourceName, format: source.image.format };
    const finding: Finding = {
      operation: 'measure',
      caseValue: measureCase as unknown as JsonValue,
      caseInWords: `${describeMeasureCase(measureCase, source?.image)} qemu-img cannot measure -O ${format}; the candidate's figures are checked against real outputs.`,
      divergence: { ...found, summary: renamePaths(found.summary, names), detail: renamePaths(found.detail, names) },
      reference: renameOutcome(referenceOutcome, names),
      candidate: renameOutcome(candidate, names),
      inputClasses: [...inputClasses, 'self-check'],
      repro: {
        inputs: source === undefined ? [] : [{ file: sourceName, steps: source.stepsFor(sourceName) }],
        referenceArgs: argvFor(env.reference, writeRequest(measureCase, renamed, `reference.${format}`)).slice(env.reference.command.length),
        candidateArgs: argvFor(env.candidate, measureRequest(measureCase, renamed)).slice(env.candidate.command.length),
        compare: compareLines(measureCase, env.candidate, renamed),
      },
    };
    throw new FindingError(finding);
  });
}
