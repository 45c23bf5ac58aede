import { describe, expect, test } from 'vitest';
import type { ImageSpec } from '../images/image-spec.ts';
import { acceptedNewSizes, resizeModelProblem } from '../oracles/resize-model.ts';

/** The calibration case that found the model wrong: 858 bytes of data, the raw file cut to 857. */
const spec: ImageSpec = { layout: { format: 'raw' }, size: 20481, extents: [{ offset: 0, length: 858, fill: 0x12 }] };

function readBack(length: number, dataUpTo: number): Uint8Array {
  const bytes = Buffer.alloc(length);
  bytes.fill(0x12, 0, dataUpTo);
  return bytes;
}

describe('the resize model', () => {
  test('a raw file cut to 857 bytes reads as 1024: its data ends at 857, not at the read-back size', () => {
    expect(acceptedNewSizes('raw', 857)).toEqual([1024]);
    expect(resizeModelProblem(spec, 'raw', 20992, 857, readBack(1024, 857))).toBeUndefined();
    // Data past the new end is what a buggy shrink leaves: the model says so.
    expect(resizeModelProblem(spec, 'raw', 20992, 857, readBack(1024, 858))).toMatch(/offset 857/);
  });

  test('a grow keeps the data and reads zeros past the old end; a wrong size is named', () => {
    expect(resizeModelProblem(spec, 'raw', 20992, 30000, readBack(30208, 858))).toBeUndefined();
    expect(resizeModelProblem(spec, 'raw', 20992, 30000, readBack(30000, 858))).toMatch(/reads back as 30000 bytes; asked 30000 \(accepted: 30208\)/);
  });
});
