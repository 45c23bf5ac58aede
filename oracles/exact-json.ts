import { isInteger, isSafeNumber, parse, stringify } from 'lossless-json';
import type { JsonValue } from './divergence.ts';

/**
 * JSON with exact integers. qemu-img prints 64-bit sizes and offsets
 * (virtual-size, image-end-offset, measure's fully-allocated) that can
 * exceed 2^53, where a JavaScript number rounds: two different sizes would
 * parse to the same value, and arithmetic on them lands elsewhere. Every
 * tool document the suite judges is therefore parsed here: an integer
 * beyond Number.MAX_SAFE_INTEGER becomes a bigint, every other number stays
 * a number, as JSON.parse would give it.
 */

function exactNumber(text: string): number | bigint {
  return isInteger(text) && !isSafeNumber(text) ? BigInt(text) : Number(text);
}

/** Throws a SyntaxError, like JSON.parse, when the text is not JSON. */
export function parseExactJson(text: string): JsonValue {
  return parse(text, null, exactNumber) as JsonValue;
}

/** JSON text with every bigint written as the number it is (JSON.stringify throws on them). */
export function stringifyExactJson(value: JsonValue, indent?: number): string {
  return stringify(value, null, indent) ?? 'null';
}

/** The integer a JSON value holds, exactly; undefined for anything else (a fraction, a string, absent). */
export function exactInteger(value: JsonValue | undefined): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  return undefined;
}

/** A number for a bigint that fits exactly; throws rather than round. */
export function toSafeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`${value} is beyond 2^53 and would be rounded as a JavaScript number`);
  }
  return Number(value);
}

/**
 * The same value with every bigint written as its decimal string, for
 * libraries that cannot serialise bigints (json-diff). Display only:
 * comparisons use the exact values.
 */
export function withBigintsAsText(value: JsonValue): JsonValue {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map((item: JsonValue) => withBigintsAsText(item));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withBigintsAsText(item)]));
  }
  return value;
}
