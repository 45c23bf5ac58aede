import { describe, expect, test } from 'vitest';
import { measureFigures, parseMeasureOutput } from '../oracles/measure-report.ts';
import { boundViolations, dataBytesFromMap } from '../oracles/measure-self-bounds.ts';

describe('measure reports', () => {
  test('human and JSON output read into the same fields, bitmaps only when printed', () => {
    const human = parseMeasureOutput('required size: 393216\nfully allocated size: 458752\nbitmaps size: 0\n', 'human');
    const json = parseMeasureOutput('{\n    "bitmaps": 0,\n    "required": 393216,\n    "fully-allocated": 458752\n}\n', 'json');
    expect(human).toEqual(json);
    expect(parseMeasureOutput('required size: 1024\nfully allocated size: 1024\n', 'human')).toEqual({ required: 1024, 'fully-allocated': 1024 });
  });

  test('figures above 2^53 are read exactly, in both output forms', () => {
    // 2^53 + 1 and 2^53 + 2 are one number apart; as JavaScript numbers they would not be.
    const human = parseMeasureOutput('required size: 9007199254740993\nfully allocated size: 9007199254740994\n', 'human');
    const json = parseMeasureOutput('{"required": 9007199254740993, "fully-allocated": 9007199254740994}', 'json');
    expect(human).toEqual(json);
    expect(measureFigures(json)).toEqual({ required: 2n ** 53n + 1n, fullyAllocated: 2n ** 53n + 2n });
    expect(measureFigures(parseMeasureOutput('{"required": 1024, "fully-allocated": 9223372036854775807}', 'json'))).toEqual({
      required: 1024n,
      fullyAllocated: 2n ** 63n - 1n,
    });
  });

  test('output that is not a report is no report', () => {
    expect(parseMeasureOutput('qemu-img: error\n', 'human')).toBeUndefined();
    expect(parseMeasureOutput('required size: 1\n', 'json')).toBeUndefined();
    expect(measureFigures(parseMeasureOutput('required size: 1\n', 'human'))).toBeUndefined();
  });
});

describe('self-check bounds', () => {
  const figures = { required: 1000n, fullyAllocated: 5000n };

  test('figures within every bound pass', () => {
    expect(boundViolations({ figures, requestedSize: 5000n, ownOutputLength: 5000n, referenceData: 1000n })).toEqual([]);
  });

  test('each bound fails on its own', () => {
    const bounds = (o: Parameters<typeof boundViolations>[0]): string[] => boundViolations(o).map((v) => v.bound);
    const none = { requestedSize: undefined, ownOutputLength: undefined, referenceData: undefined };
    expect(bounds({ ...none, figures: { required: 5001n, fullyAllocated: 5000n } })).toEqual(['required <= fully-allocated']);
    expect(bounds({ ...none, figures, requestedSize: 5001n })).toEqual(['fully-allocated >= requested size']);
    expect(bounds({ ...none, figures, ownOutputLength: 5001n })).toEqual(["fully-allocated >= own output's length"]);
    expect(bounds({ ...none, figures, referenceData: 1001n })).toEqual(["required >= qemu-img output's data"]);
  });

  test("qemu-img map's data extents are summed; holes and zero-but-unallocated extents are not", () => {
    const map = `[{ "start": 0, "length": 65536, "depth": 0, "present": true, "zero": false, "data": true, "offset": 65536},
{ "start": 65536, "length": 36864, "depth": 0, "present": false, "zero": true, "data": false},
{ "start": 102400, "length": 512, "depth": 0, "present": true, "zero": true, "data": true, "offset": 4096}]`;
    expect(dataBytesFromMap(map)).toBe(66048n);
    expect(dataBytesFromMap('not json')).toBeUndefined();
  });
});
