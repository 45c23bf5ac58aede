import { stat } from 'node:fs/promises';
import type { CompressionPromise } from '../arbitraries/convert-case.ts';
import { describeTermination, type ProcessOutcome } from '../drivers/process-outcome.ts';
import { runProcess } from '../drivers/run-process.ts';
import type { JsonValue } from './divergence.ts';
import { exactInteger, parseExactJson } from './exact-json.ts';

/**
 * Proof that a written image really holds compressed data, from what
 * qemu-img itself reports (verified on 7.2.22 and 10.0.2):
 * - qcow2: `qemu-img check --output=json` counts "compressed-clusters"
 *   (the key is absent when there are none).
 * - streamOptimized vmdk: `qemu-img info --output=json` shows create-type
 *   "streamOptimized" and `compressed: true` on the extent. That flag makes
 *   qemu-img inflate every grain it reads, so together with equal content it
 *   proves each grain is a deflate stream. A stream of *stored* (level 0)
 *   blocks would still pass that, so when the data spans many grains the file
 *   must also be smaller than the data it holds (see STREAM_EVIDENCE_GRAINS).
 */
export type CompressionEvidence =
  | { readonly kind: 'compressed'; readonly facts: Readonly<Record<string, JsonValue>> }
  | { readonly kind: 'not-compressed'; readonly reason: string; readonly facts: Readonly<Record<string, JsonValue>> }
  /** qemu-img could not inspect the file (or check found it damaged). */
  | { readonly kind: 'uninspectable'; readonly reason: string; readonly outcome: ProcessOutcome };

/** What the source holds, from the suite's content model. */
export interface SourceData {
  /** Bytes that are not zero: with none, nothing is worth compressing. */
  readonly nonZeroBytes: number;
  /** 64 KiB grains holding a non-zero byte. */
  readonly dataGrains: number;
}

export const GRAIN_BYTES = 64 * 1024;

/**
 * From this many data grains on, a compressing vmdk writer's file must be
 * at most half the grains' bytes. Our sources fill runs with one byte value,
 * so a grain deflates to well under 1 KiB; qemu-img's file for 8 such grains
 * is about 133 KiB against a bound of 256 KiB, while stored blocks would need
 * over 512 KiB. The margin leaves room for a writer with more metadata.
 */
export const STREAM_EVIDENCE_GRAINS = 8;

export function sourceData(bytes: Uint8Array): SourceData {
  let nonZeroBytes = 0;
  let dataGrains = 0;
  for (let start = 0; start < bytes.length; start += GRAIN_BYTES) {
    const grain = bytes.subarray(start, Math.min(bytes.length, start + GRAIN_BYTES));
    let inGrain = 0;
    for (const b of grain) if (b !== 0) inGrain++;
    nonZeroBytes += inGrain;
    if (inGrain > 0) dataGrains++;
  }
  return { nonZeroBytes, dataGrains };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = parseExactJson(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function qcow2Evidence(qemuImg: string, path: string, data: SourceData, timeoutMs: number): Promise<CompressionEvidence> {
  const outcome = await runProcess([qemuImg, 'check', '-f', 'qcow2', '--output=json', path], { timeoutMs });
  const report = parseObject(outcome.stdout);
  if (outcome.termination.kind !== 'exited' || outcome.termination.code !== 0 || report === undefined) {
    return {
      kind: 'uninspectable',
      reason: `qemu-img check: ${describeTermination(outcome.termination)} ${outcome.stderr.trim()}`.trim(),
      outcome,
    };
  }
  const compressedClusters = exactInteger(report['compressed-clusters'] as JsonValue | undefined) ?? 0n;
  const facts = { compressedClusters, sourceNonZeroBytes: data.nonZeroBytes };
  if (data.nonZeroBytes > 0 && compressedClusters === 0n) {
    return { kind: 'not-compressed', reason: 'qemu-img check counts no compressed clusters', facts };
  }
  return { kind: 'compressed', facts };
}

async function streamEvidence(qemuImg: string, path: string, data: SourceData, timeoutMs: number): Promise<CompressionEvidence> {
  const outcome = await runProcess([qemuImg, 'info', '-f', 'vmdk', '--output=json', path], { timeoutMs });
  const info = parseObject(outcome.stdout);
  if (outcome.termination.kind !== 'exited' || outcome.termination.code !== 0 || info === undefined) {
    return { kind: 'uninspectable', reason: `qemu-img info: ${describeTermination(outcome.termination)}`, outcome };
  }
  const specific = info['format-specific'] as { data?: { 'create-type'?: unknown; extents?: unknown } } | undefined;
  const createType = specific?.data?.['create-type'];
  const extents = Array.isArray(specific?.data?.extents) ? (specific.data.extents as Array<Record<string, unknown>>) : [];
  const flags = extents.map((e) => e['compressed'] === true);
  const fileBytes = (await stat(path)).size;
  const facts: Record<string, JsonValue> = {
    createType: typeof createType === 'string' ? createType : null,
    extentsCompressed: flags,
    fileBytes,
    dataGrains: data.dataGrains,
  };
  if (createType !== 'streamOptimized') {
    return { kind: 'not-compressed', reason: `create-type is ${JSON.stringify(createType ?? null)}, not "streamOptimized"`, facts };
  }
  if (flags.length === 0 || flags.includes(false)) {
    return { kind: 'not-compressed', reason: 'an extent is not flagged compressed', facts };
  }
  const bound = (data.dataGrains * GRAIN_BYTES) / 2;
  if (data.dataGrains >= STREAM_EVIDENCE_GRAINS && fileBytes > bound) {
    return {
      kind: 'not-compressed',
      reason: `the file (${fileBytes} bytes) is larger than half the ${data.dataGrains} data grains it holds (${bound} bytes)`,
      facts,
    };
  }
  return { kind: 'compressed', facts };
}

/** Inspects one output file for the compression a conversion promised. */
export function compressionEvidence(
  qemuImg: string,
  path: string,
  promise: CompressionPromise,
  data: SourceData,
  timeoutMs: number,
): Promise<CompressionEvidence> {
  return promise === 'qcow2-compressed-clusters'
    ? qcow2Evidence(qemuImg, path, data, timeoutMs)
    : streamEvidence(qemuImg, path, data, timeoutMs);
}

/** repro.sh lines that set diverged=1 when the candidate's output shows no compression. */
export function compressionCompareLines(candidateOut: string, promise: CompressionPromise, quoted: string): string[] {
  if (promise === 'qcow2-compressed-clusters') {
    return [
      `if [ "$candidate_rc" -eq 0 ]; then`,
      `  "$QEMU_IMG" check -f qcow2 --output=json ${quoted} > candidate.check.json; echo "qemu-img check on ${candidateOut}:"; cat candidate.check.json`,
      '  grep -q \'"compressed-clusters": [1-9]\' candidate.check.json || { echo "no compressed clusters"; diverged=1; }',
      'fi',
    ];
  }
  return [
    `if [ "$candidate_rc" -eq 0 ]; then`,
    `  "$QEMU_IMG" info -f vmdk --output=json ${quoted} > candidate.info.json; echo "size of ${candidateOut}: $(stat -c %s ${quoted})"`,
    '  grep -q \'"create-type": "streamOptimized"\' candidate.info.json || { echo "not streamOptimized"; diverged=1; }',
    '  grep -q \'"compressed": false\' candidate.info.json && { echo "an extent is not compressed"; diverged=1; }',
    '  grep -q \'"compressed": true\' candidate.info.json || { echo "no compressed extent"; diverged=1; }',
    'fi',
  ];
}
