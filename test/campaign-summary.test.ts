import { describe, expect, test } from 'vitest';
import { renderPropertySummary, type PropertySummary } from '../campaign/summary.ts';
import { staleWhitelistMeansFixed } from '../config/suite-context.ts';

function summaryWith(eligible: number, hits: number): PropertySummary {
  return {
    name: 'dd',
    file: 'properties/dd.prop.test.ts',
    cases: 100,
    shrinks: 0,
    elapsedMs: 10_000,
    wallMs: 10_000,
    processes: { spawned: 600, childWallMs: 9_000, busyMs: 9_000 },
    findings: [],
    known: [],
    setAside: [],
    rescued: [],
    errors: [],
    shrinking: false,
    stats: [
      {
        name: 'dd',
        runs: 100,
        inconclusive: [],
        whitelistEligible: { 'dd-empty-window-vmdk': eligible },
        whitelistHits: hits > 0 ? { 'dd-empty-window-vmdk': hits } : {},
        classes: {},
      },
    ],
  };
}

describe('campaign summary: whitelist entries that were never needed', () => {
  test('an entry eligible 20 times and never hit is named in a warning', () => {
    const text = renderPropertySummary(summaryWith(20, 0), (p) => p);
    expect(text).toMatch(/warning: dd-empty-window-vmdk applied to 20 case\(s\) and was never needed/);
  });

  test('no warning when the entry was hit, when it was rarely eligible, or where no entry is expected to be needed', () => {
    expect(renderPropertySummary(summaryWith(50, 1), (p) => p)).not.toMatch(/warning/);
    expect(renderPropertySummary(summaryWith(19, 0), (p) => p)).not.toMatch(/warning/);
    expect(renderPropertySummary(summaryWith(50, 0), (p) => p, false)).not.toMatch(/warning/);
  });

  test('stale warnings are for instar, whose divergences the entries document; not for calibration or another qemu-img', () => {
    const tool = (dialect: 'instar' | 'qemu-img') => ({ candidate: { role: 'candidate', command: ['x'], dialect, version: 'v', selectedBy: 'x' } as const });
    expect(staleWhitelistMeansFixed(tool('instar'))).toBe(true);
    expect(staleWhitelistMeansFixed(tool('qemu-img'))).toBe(false);
  });
});
