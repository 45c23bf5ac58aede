import { exitedWith, type ProcessOutcome } from '../drivers/process-outcome.ts';
import { runProcess } from '../drivers/run-process.ts';
import type { JsonValue } from './divergence.ts';
import { parseExactJson } from './exact-json.ts';
import type { ImageFormat } from '../images/image-spec.ts';

/**
 * `qemu-img info -f FORMAT --output=json` of one image, parsed exactly
 * (sizes past 2^53 stay exact); the process outcome when it fails or its
 * output is not JSON, so the caller can quote it.
 */
export async function readInfoJson(qemuImg: string, path: string, format: ImageFormat, timeoutMs: number): Promise<JsonValue | ProcessOutcome> {
  const outcome = await runProcess([qemuImg, 'info', '-f', format, '--output=json', path], { timeoutMs });
  if (!exitedWith(outcome, 0)) return outcome;
  try {
    return parseExactJson(outcome.stdout) as JsonValue;
  } catch {
    return outcome;
  }
}

/** The reading failed: a process outcome, not a document. */
export const isFailedReading = (value: JsonValue | ProcessOutcome): value is ProcessOutcome =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && 'termination' in value;
