import { expect, test } from 'vitest';
import { scenarios as amend } from './mutants/amend.scenarios.ts';
import { scenarios as check } from './mutants/check.scenarios.ts';
import { scenarios as convert } from './mutants/convert.scenarios.ts';
import { scenarios as create } from './mutants/create.scenarios.ts';
import { scenarios as dd } from './mutants/dd.scenarios.ts';
import { scenarios as info } from './mutants/info.scenarios.ts';
import { scenarios as map } from './mutants/map.scenarios.ts';
import { scenarios as measure } from './mutants/measure.scenarios.ts';
import { scenarios as resize } from './mutants/resize.scenarios.ts';
import { scenarios as bench } from './mutants/bench-op.scenarios.ts';
import { scenarios as repair } from './mutants/repair.scenarios.ts';
import { scenarios as chain } from './mutants/chain.scenarios.ts';
import { scenarios as lifecycle } from './mutants/lifecycle.scenarios.ts';

/**
 * The report and repro.sh must agree: a divergence that repro.sh cannot
 * reproduce from the shrunk case is a suite bug. The mutation tests run the
 * repro.sh of every scenario that says what it shows (test/support/
 * scenario-tests.ts); this keeps at least one such scenario per property,
 * so no property's repro.sh goes untried.
 */
test('every property has a mutant scenario whose repro.sh is run and must reproduce', () => {
  const all = [...amend, ...bench, ...chain, ...check, ...convert, ...create, ...dd, ...info, ...lifecycle, ...map, ...measure, ...repair, ...resize];
  const covered = new Set(all.filter((s) => s.reproShows !== undefined && s.reproShows.length > 0).map((s) => s.property));
  expect([...covered].sort()).toEqual(['amend', 'bench', 'chain', 'check', 'convert', 'create', 'dd', 'info', 'lifecycle', 'map', 'measure', 'repair', 'resize']);
});
