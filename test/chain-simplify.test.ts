import fc from 'fast-check';
import { expect, test } from 'vitest';
import { chainCaseComplexity, simplifyChainCase } from '../arbitraries/chain-case-simplify.ts';
import { chainCaseArbitrary, fillOf, type ChainCase } from '../arbitraries/chain-case.ts';
import { strictlySimpler } from '../arbitraries/simplification.ts';

/** What the arbitrary guarantees: extents inside their file, fills by position, the base no larger than the top. */
function valid(c: ChainCase): boolean {
  const inside = (extents: ChainCase['other']['extents'], size: number, file: number): boolean =>
    extents.every((e, i) => e.offset >= 0 && e.length > 0 && e.offset + e.length <= size && e.fill === fillOf(file, i));
  return (
    c.layers.length >= 1 &&
    c.steps.length >= 1 &&
    c.baseSize <= c.size &&
    (c.layers.length > 1 || c.baseSize === c.size) &&
    c.layers.every((l, i) => inside(l.extents, i === 0 ? c.baseSize : c.size, i)) &&
    inside(c.other.extents, c.other.size, 3)
  );
}

test('every chain simplification move is strictly simpler and yields a case the arbitrary could give', () => {
  fc.assert(
    fc.property(chainCaseArbitrary, (c) => {
      expect(valid(c)).toBe(true);
      for (const { move, value } of simplifyChainCase(c)) {
        expect(strictlySimpler(chainCaseComplexity(value), chainCaseComplexity(c)), move).toBe(true);
        expect(valid(value), move).toBe(true);
      }
    }),
    { seed: 11, numRuns: 300 },
  );
});
