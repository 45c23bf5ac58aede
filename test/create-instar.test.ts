import fc from 'fast-check';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { createCaseArbitrary } from '../arbitraries/create-case.ts';
import { PROJECT_ROOT } from '../config/project-root.ts';
import { resolveTools } from '../config/resolve-tools.ts';
import { checkCreateCase } from '../properties/create.ts';
import { createEnv } from './support/create-env.ts';

/**
 * The create property through INSTAR: the fake instar (test/fake-instar/)
 * speaks instar's dialect (repeated `-o k=v`, "Created:" on stdout) and
 * writes what qemu-img writes, so every case must pass.
 */
test('create through the instar dialect: the faithful fake passes random cases', async () => {
  const env: Record<string, string | undefined> = { ...process.env, INSTAR: join(PROJECT_ROOT, 'test/fake-instar/instar') };
  delete env['CANDIDATE'];
  const tools = await resolveTools(env);
  expect(tools.candidate.dialect).toBe('instar');
  const createEnvironment = createEnv(tools);
  await fc.assert(fc.asyncProperty(createCaseArbitrary, (c) => checkCreateCase(createEnvironment, c)), { seed: 17, numRuns: 25 });
  expect(createEnvironment.stats.runs).toBeGreaterThanOrEqual(25);
});
