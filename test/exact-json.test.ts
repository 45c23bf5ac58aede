import { describe, expect, test } from 'vitest';
import { fieldDifferences, parseFlatJson } from '../oracles/check-flat-json.ts';
import type { JsonValue } from '../oracles/divergence.ts';
import { exactInteger, parseExactJson, stringifyExactJson, toSafeNumber, withBigintsAsText } from '../oracles/exact-json.ts';
import { compareCreateInfo } from '../oracles/info-json.ts';
import { diffJson, parseInfoJson } from '../oracles/info-output.ts';

/** 2^53 + 1 and 2^53: JSON.parse reads both as 2^53. */
const ODD = '9007199254740993';
const EVEN = '9007199254740992';

describe('exact JSON', () => {
  test('JSON.parse cannot tell the two apart; parseExactJson can', () => {
    expect(JSON.parse(ODD)).toBe(JSON.parse(EVEN));
    expect(parseExactJson(ODD)).toBe(2n ** 53n + 1n);
    expect(parseExactJson(EVEN)).toBe(2n ** 53n);
  });

  test('safe numbers stay numbers, as JSON.parse gives them; text round-trips exactly', () => {
    const text = `{"virtual-size":2305843009213693952,"cluster-size":2097152,"ratio":1.5,"neg":-9223372036854775808,"list":[0,${ODD}],"s":"x"}`;
    const parsed = parseExactJson(text);
    expect(parsed).toEqual({
      'virtual-size': 2n ** 61n,
      'cluster-size': 2097152,
      ratio: 1.5,
      neg: -(2n ** 63n),
      list: [0, 2n ** 53n + 1n],
      s: 'x',
    });
    expect(stringifyExactJson(parsed)).toBe(text);
    expect(() => parseExactJson('{"a": ')).toThrow(SyntaxError);
  });

  test('exactInteger accepts integers of either kind and nothing else', () => {
    expect(exactInteger(512)).toBe(512n);
    expect(exactInteger(2n ** 61n)).toBe(2n ** 61n);
    for (const other of [1.5, '512', null, undefined, [1], { a: 1 }] as const) expect(exactInteger(other as JsonValue | undefined)).toBeUndefined();
  });

  test('toSafeNumber refuses to round', () => {
    expect(toSafeNumber(2n ** 53n - 1n)).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => toSafeNumber(2n ** 53n + 1n)).toThrow(RangeError);
  });

  test('withBigintsAsText leaves everything but bigints alone', () => {
    expect(withBigintsAsText({ a: [1, 2n ** 61n], b: { c: 'x', d: null } })).toEqual({ a: [1, '2305843009213693952'], b: { c: 'x', d: null } });
  });
});

describe('the readers built on it tell numbers one apart past 2^53', () => {
  test('info JSON: virtual-size', () => {
    const reference = parseInfoJson(`{"virtual-size": ${ODD}, "format": "qcow2"}`);
    const candidate = parseInfoJson(`{"virtual-size": ${EVEN}, "format": "qcow2"}`);
    if (reference.kind !== 'parsed' || candidate.kind !== 'parsed') throw new Error('not parsed');
    expect(diffJson(reference.document, candidate.document)).toEqual([{ path: 'virtual-size', reference: ODD, candidate: EVEN }]);
    const comparison = compareCreateInfo(reference.document, candidate.document);
    expect(comparison.differences).toHaveLength(1);
    expect(comparison.diffText).toContain(ODD);
    expect(comparison.diffText).toContain(EVEN);
  });

  test('check JSON: image-end-offset', () => {
    const reference = parseFlatJson(`{"image-end-offset": ${ODD}, "check-errors": 0}`);
    const candidate = parseFlatJson(`{"image-end-offset": ${EVEN}, "check-errors": 0}`);
    if (reference === undefined || candidate === undefined) throw new Error('not parsed');
    expect(fieldDifferences(reference, candidate)).toEqual([{ field: 'image-end-offset', reference: 2n ** 53n + 1n, candidate: 2n ** 53n }]);
    expect(fieldDifferences(reference, reference)).toEqual([]);
  });
});
