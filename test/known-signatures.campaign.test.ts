import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseCampaignOptions } from '../campaign/options.ts';
import { CampaignControl, runCampaign, type CampaignResult } from '../campaign/run-campaign.ts';
import { scratchDir } from '../images/scratch.ts';
import { mutantPath } from './support/tools.ts';

/**
 * One pervasive divergence must not starve the search. The candidate has two
 * independent info bugs: an extra top-level JSON key on every image, and a
 * wrong cluster-size on vpc images only. Budgets are run counts and seeds
 * are fixed, so what the campaigns find does not depend on machine speed.
 */
const MUTANT = mutantPath('info-extra-key-and-vpc-cluster.sh');
const PERVASIVE = /^info metadata \[json:.*x-build-id.*\]$/;
const RARE = /^info metadata \[json:.*cluster-size.*\]$/;

let scratch: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  scratch = await scratchDir('known-signatures-test');
});
afterAll(() => scratch.cleanup());

async function campaign(name: string, args: readonly string[]): Promise<{ result: CampaignResult; output: string }> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const v of ['INSTAR', 'FC_SEED', 'FC_PATH', 'FC_NUM_RUNS', 'FC_TIME_LIMIT', 'CORPUS_REPLAY', 'KNOWN_FINDINGS']) delete env[v];
  Object.assign(env, {
    CANDIDATE: MUTANT,
    FINDINGS_DIR: join(scratch.path, name, 'findings'),
    // An empty corpus: the committed one must neither be replayed nor grow.
    CORPUS_DIR: join(scratch.path, name, 'corpus'),
  });
  let output = '';
  const io = { isTTY: false, write: (text: string) => void (output += text) };
  const result = await runCampaign(parseCampaignOptions(['info', '--workers', '1', '--seed', '7', ...args], env), env, io, new CampaignControl());
  return { result, output };
}

function newSignatures(result: CampaignResult): string[] {
  return (result.summaries[0]?.findings ?? []).map((f) => `${f.signature.operation} ${f.signature.kind} [${f.signature.loci.join(', ')}]`);
}

describe('known signatures do not stop the search', () => {
  test('a campaign reports the pervasive bug once, then keeps going and reports the rare one', async () => {
    const { result, output } = await campaign('both', ['--runs', '80']);
    const found = newSignatures(result);
    expect(found, output).toHaveLength(2);
    expect(found.some((s) => PERVASIVE.test(s)), found.join('\n')).toBe(true);
    expect(found.some((s) => RARE.test(s)), found.join('\n')).toBe(true);
    // After its filing, the pervasive one was met again and counted, not re-shrunk.
    const known = result.summaries[0]?.known ?? [];
    expect(known.some((k) => PERVASIVE.test(k.text) && k.count > 0), output).toBe(true);
    expect(output).toMatch(/^ {4}known: info metadata .*x-build-id.* ×\d+ \(counted, not stopped for\)$/m);
    // Its report folder counts every occurrence: filed once, then met and counted.
    const metAgain = known.find((k) => PERVASIVE.test(k.text))?.count ?? 0;
    expect(result.index.find((e) => PERVASIVE.test(e.text))?.count).toBe(1 + metAgain);
    // The rare case shows the known key too, yet is filed under its own part alone.
    const rareFolder = result.index.find((e) => RARE.test(e.text));
    expect(rareFolder?.text).not.toMatch(/x-build-id/);
  }, 240_000);

  test('with --known pointing at an earlier index, only the rare signature is new', async () => {
    // A first campaign of one case files the pervasive bug alone.
    const first = await campaign('first', ['--runs', '1']);
    expect(newSignatures(first.result).map((s) => PERVASIVE.test(s)), first.output).toEqual([true]);
    const second = await campaign('second', ['--runs', '80', '--known', join(first.result.findingsDir, 'index.json')]);
    const found = newSignatures(second.result);
    expect(found, second.output).toHaveLength(1);
    expect(found[0]).toMatch(RARE);
    expect(second.output).toContain('known: 1 signature(s) counted, not stopped for');
    expect(second.result.index.map((e) => e.text).filter((t) => PERVASIVE.test(t))).toEqual([]);
  }, 240_000);
});
