import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { CreateCase } from '../arbitraries/create-case.ts';
import { CreatesAhead, type StartedCase } from '../properties/create-ahead.ts';
import { checkCreateCase, startCreateCase, type CreateCaseStart } from '../properties/create.ts';
import { FindingError } from '../reports/finding.ts';
import { createEnv } from './support/create-env.ts';
import { calibrationTools, mutantPath, toolsWithCandidate } from './support/tools.ts';

/**
 * The coming create case starts once the current candidate is done
 * (issue 12). A start is only ever used by the case it was made for; any
 * other case runs its own calls, and nothing started is left behind.
 */

const qcow2: CreateCase = { target: 'qcow2', size: '0', requestedBytes: '0', options: [], flaw: null };
const raw: CreateCase = { target: 'raw', size: '1024', requestedBytes: '1024', options: [], flaw: null };

/** A stand-in start that records what was started and finished. */
function recordingAhead(): { ahead: CreatesAhead<CreateCase>; started: CreateCase[]; finished: CreateCase[] } {
  const started: CreateCase[] = [];
  const finished: CreateCase[] = [];
  const ahead = new CreatesAhead<CreateCase>((c): StartedCase<CreateCase> => {
    started.push(c);
    return { state: c, finish: async () => void finished.push(c) };
  });
  return { ahead, started, finished };
}

describe('the coming create case', () => {
  test('starts only on release, once, and goes to the case it was started for', async () => {
    const { ahead, started, finished } = recordingAhead();
    ahead.release();
    expect(started).toEqual([]);
    ahead.queue(qcow2);
    expect(started).toEqual([]);
    ahead.release();
    ahead.release();
    expect(started).toEqual([qcow2]);
    // A structurally equal value is the same case.
    expect((await ahead.take({ ...qcow2, options: [] }))?.state).toEqual(qcow2);
    expect(finished).toEqual([]);
    expect(ahead.used).toBe(1);
    expect(await ahead.take(qcow2)).toBeUndefined();
  });

  test('another case gets nothing, and the start is finished and removed', async () => {
    const { ahead, started, finished } = recordingAhead();
    ahead.queue(qcow2);
    ahead.release();
    expect(await ahead.take(raw)).toBeUndefined();
    expect(started).toEqual([qcow2]);
    expect(finished).toEqual([qcow2]);
    expect(ahead.used).toBe(0);
    ahead.queue(raw);
    ahead.release();
    await ahead.dispose();
    expect(finished).toEqual([qcow2, raw]);
  });

  test('a real start made for another case: the case checks its own outputs and the start leaves no directory', async () => {
    const env = createEnv(await calibrationTools());
    let startedDir: string | undefined;
    const recording = new CreatesAhead<CreateCaseStart>((c) => {
      const s = startCreateCase(env, c);
      startedDir = s.state.dir;
      return s;
    });
    recording.queue(qcow2);
    recording.release();
    await checkCreateCase({ ...env, ahead: recording }, raw);
    expect(env.stats.classes.get('target=raw')).toBe(1);
    expect(env.stats.classes.get('content=flattened')).toBe(1);
    expect(startedDir).toBeDefined();
    expect(existsSync(startedDir ?? '')).toBe(false);
  });

  test('a start used by its case: a bug in the candidate is still found on that case', async () => {
    const tools = await toolsWithCandidate(mutantPath('create-ignores-cluster-size.sh'));
    const env = createEnv(tools);
    const ahead = new CreatesAhead<CreateCaseStart>((c) => startCreateCase(env, c));
    const buggy: CreateCase = { target: 'qcow2', size: '0', requestedBytes: '0', options: [['cluster_size', '512']], flaw: null };
    ahead.queue(buggy);
    ahead.release();
    const error = await checkCreateCase({ ...env, ahead }, buggy).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(ahead.used).toBe(1);
    expect(error).toBeInstanceOf(FindingError);
    expect((error as FindingError).finding.divergence.kind).toBe('metadata');
  });
});
