import type { ImageSpec } from '../images/image-spec.ts';
import { expectedContent } from '../images/expected-content.ts';
import { compareContent, describeContentDifference } from './content.ts';

/** What the schedule of a `qemu-img bench` run depends on. */
export interface BenchSchedule {
  readonly count: number;
  readonly bufferSize: number;
  /** As passed with -S; 0 means the buffer size. */
  readonly step: number;
  readonly offset: number;
}

/**
 * How the offset wraps after each step. 'whole-size' is qemu-img 7.2.22's
 * and 10.0.2's (checked here, and qemu-img.c's bench_cb before commit
 * ff2ab634: `offset %= image_size`), which can hand a request an offset
 * whose buffer runs past the end ("Failed request: Input/output error").
 * 'usable-range' is QEMU master's fix, `offset %= image_size - bufsize`
 * (0 when the buffer is not smaller than the image), which instar adopted
 * (instar-ops.md section 10, `wrap-rule-10-0-8`).
 */
export type WrapRule = 'whole-size' | 'usable-range';

/**
 * The request offsets, in submission order. The first request uses -o as
 * given, unwrapped; each later one is the previous plus the step, wrapped.
 */
export function requestOffsets(schedule: BenchSchedule, virtualSize: number, rule: WrapRule): number[] {
  const step = schedule.step === 0 ? schedule.bufferSize : schedule.step;
  const offsets: number[] = [];
  let offset = schedule.offset;
  for (let i = 0; i < schedule.count; i++) {
    offsets.push(offset);
    offset += step;
    if (rule === 'whole-size') offset = virtualSize === 0 ? 0 : offset % virtualSize;
    else offset = virtualSize <= schedule.bufferSize ? 0 : offset % (virtualSize - schedule.bufferSize);
  }
  return offsets;
}

/** The first request whose buffer runs past the end of the image, if any (qemu-img then fails the run). */
export function firstOverrun(schedule: BenchSchedule, virtualSize: number, rule: WrapRule): number | undefined {
  return requestOffsets(schedule, virtualSize, rule).find((o) => o + schedule.bufferSize > virtualSize);
}

/**
 * What a successful `bench -w` leaves, read through qemu-img: the source's
 * bytes, with the pattern byte over every request's buffer. Requests in
 * flight together write the same byte, so their order does not matter.
 * Checked against qemu-img 7.2.22 and 10.0.2 on raw and qcow2 (step larger
 * than, equal to and smaller than the buffer; wrapped offsets).
 */
export function contentAfterBenchWrite(spec: ImageSpec, virtualSize: number, schedule: BenchSchedule, pattern: number, rule: WrapRule): Buffer {
  const bytes = expectedContent(spec, virtualSize);
  for (const offset of requestOffsets(schedule, virtualSize, rule)) bytes.fill(pattern, offset, Math.min(virtualSize, offset + schedule.bufferSize));
  return bytes;
}

/** undefined when `bytes` read back as the model says; else why not, in words. */
export function benchModelProblem(expected: Buffer, bytes: Uint8Array): string | undefined {
  if (bytes.length !== expected.length) return `reads back as ${bytes.length} bytes; the image had ${expected.length}`;
  const difference = compareContent(expected, bytes);
  return difference === undefined ? undefined : describeContentDifference(difference, 'the model', 'the image');
}

/**
 * stdout with the timing figure replaced: "Run completed in 0.006 seconds."
 * becomes "Run completed in N seconds.". Timings are never compared; every
 * other line (the "Sending …" header, "Sending flush every …") is.
 */
export function normaliseBenchOutput(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.replace(/^Run completed in [0-9.]+ seconds\.$/, 'Run completed in N seconds.'));
}
