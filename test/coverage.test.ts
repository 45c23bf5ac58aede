import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ddCaseArbitrary } from '../arbitraries/dd-case.ts';
import { coverageGoal, type RegisteredGoal } from '../campaign/coverage-goal.ts';
import { PROJECT_ROOT } from '../config/project-root.ts';
import { classifyDdCase } from './coverage/dd.coverage.ts';

/**
 * Every property's generator keeps producing its important classes: a
 * sample of generated values (no tool runs) must give each class its
 * minimum share. Goals live in test/coverage/<property>.coverage.ts.
 */
const dir = join(PROJECT_ROOT, 'test', 'coverage');
const files = readdirSync(dir).filter((name) => name.endsWith('.coverage.ts')).sort();
const registered = await Promise.all(
  files.map(async (name) => ({ name, goals: ((await import(pathToFileURL(join(dir, name)).href)) as { goals: RegisteredGoal[] }).goals })),
);

describe('coverage of generated cases', () => {
  test('every coverage file registers goals', () => {
    expect(files).toContain('dd.coverage.ts');
    for (const file of registered) expect(file.goals.length, file.name).toBeGreaterThan(0);
  });

  test('a class the generator stops producing is caught', () => {
    const narrowed = coverageGoal({
      name: 'dd without vpc targets',
      arbitrary: ddCaseArbitrary.map((c) => ({ ...c, target: 'raw' as const })),
      classify: classifyDdCase,
      minimumShare: { 'target=vpc': 0.1, 'target=raw': 0.5 },
      sampleSize: 200,
    });
    expect(narrowed.measure(1).shortfalls).toEqual(['target=vpc 0.0% < 10.0%']);
  });

  for (const { name, goals } of registered) {
    for (const goal of goals) {
      test(`${goal.name} (${name}): each important class reaches its minimum share`, () => {
        const measured = goal.measure(20_241_123);
        expect(measured.sampled).toBeGreaterThanOrEqual(1000);
        expect(measured.shortfalls).toEqual([]);
      });
    }
  }
});
