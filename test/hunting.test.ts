import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Simplifier } from '../arbitraries/simplification.ts';
import { scratchDir } from '../images/scratch.ts';
import { KnownSignatures, knownEntry, readKnownFile, readKnownSignatures } from '../hunting/known-signatures.ts';
import { reduceCounterexample } from '../hunting/reduce.ts';
import { SignatureGate } from '../hunting/signature-gate.ts';
import { divergence, type Divergence, type DivergenceKind, type JsonValue } from '../oracles/divergence.ts';
import { FindingError, type Finding } from '../reports/finding.ts';
import { lociOf, signatureOf, signatureText, type Signature } from '../reports/signature.ts';
import { configErrorOf } from './support/config-error-of.ts';
import { exited, syntheticOutcome } from './support/synthetic-outcome.ts';

let scratch: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  scratch = await scratchDir('hunting-test');
});
afterAll(() => scratch.cleanup());

function findingWith(d: Divergence, caseValue: JsonValue = null, inputClasses: string[] = []): Finding {
  const outcome = syntheticOutcome(exited(0));
  return {
    operation: 'info',
    caseValue,
    caseInWords: String(caseValue),
    divergence: d,
    reference: outcome,
    candidate: outcome,
    inputClasses,
    repro: { inputs: [], referenceArgs: [], candidateArgs: [], compare: [] },
  };
}

const sig = (kind: DivergenceKind, loci: string[]): Signature => ({ operation: 'info', kind, loci });
const pathsDivergence = (paths: string[]): Divergence => divergence('metadata', 'differs', '', { mode: 'json', paths });

describe('a signature says where the outputs differ, never what the input was', () => {
  test('loci from each data shape', () => {
    expect(lociOf(pathsDivergence(['b', 'a', 'a']))).toEqual(['json:a', 'json:b']);
    expect(lociOf(divergence('metadata', '', '', { document: 'info', differences: [{ path: 'cluster-size', reference: 1, candidate: 2 }] }))).toEqual([
      'info:cluster-size',
    ]);
    expect(lociOf(divergence('metadata', '', '', { fields: [{ field: 'leaks' }], output: 'json' }))).toEqual(['json:leaks']);
    expect(lociOf(divergence('exit-status', '', '', { referenceExit: 0, candidateExit: 1 }))).toEqual(['reference succeeded, candidate failed']);
    expect(lociOf(divergence('exit-status', '', '', { referenceExit: 1, candidateExit: 0 }))).toEqual(['reference failed, candidate succeeded']);
    expect(lociOf(divergence('exit-code', '', '', { referenceExit: 3, candidateExit: 2 }))).toEqual(['reference exit 3, candidate exit 2']);
    expect(lociOf(divergence('candidate-crash', '', '', { signal: 'SIGSEGV' }))).toEqual(['signal SIGSEGV']);
    expect(lociOf(divergence('output-text', '', '', { mode: 'human', reference: 'cluster_size: 65536' }))).toEqual(['human:line cluster_size']);
    // A line only the candidate prints is named by the candidate's line, not by the reference's blank.
    expect(lociOf(divergence('output-text', '', '', { mode: 'human', reference: '', candidate: "Child node '/file':" }))).toEqual([
      "human:line Child node '/file' (candidate only)",
    ]);
    expect(lociOf(divergence('output-text', '', '', { mode: 'human', reference: '(absent)', candidate: 'extra: 1' }))).toEqual(['human:line extra (candidate only)']);
    expect(lociOf(divergence('output-text', '', '', { mode: 'human', reference: 'disk size: 4 KiB', candidate: '' }))).toEqual(['human:line disk size']);
    expect(lociOf(divergence('output-unreadable', '', '', { reader: '/usr/bin/qemu-io' }))).toEqual(['qemu-io']);
    expect(lociOf(divergence('content', 'content differs from offset 7', '', { offset: 7 }))).toEqual([]);
  });

  test('the same bug met on different inputs (offsets, sizes, classes) has one signature', () => {
    const a = findingWith(divergence('content', 'from offset 7', '', { offset: 7 }), 1, ['source=qcow2']);
    const b = findingWith(divergence('content', 'from offset 99', '', { offset: 99 }), 2, ['source=raw', 'bs=non-512']);
    expect(signatureText(signatureOf(a))).toBe(signatureText(signatureOf(b)));
    expect(signatureText(signatureOf(a))).toBe('info content []');
  });
});

describe('known signatures', () => {
  const known = new KnownSignatures([sig('metadata', ['json:x-build-id']), sig('content', [])]);

  test('a finding whose loci are all covered is known; the covering signatures are named', () => {
    const r = known.classify(sig('metadata', ['json:x-build-id']));
    expect(r.unknown).toBeUndefined();
    expect(r.covering.map(signatureText)).toEqual(['info metadata [json:x-build-id]']);
    expect(known.classify(sig('content', [])).unknown).toBeUndefined();
  });

  test('a known divergence plus a new one is new, under the new part alone', () => {
    const r = known.classify(sig('metadata', ['json:cluster-size', 'json:x-build-id']));
    expect(r.unknown).toEqual(sig('metadata', ['json:cluster-size']));
  });

  test('another kind or operation is never covered', () => {
    expect(known.classify(sig('output-text', ['human:line x'])).unknown).toBeDefined();
    expect(known.classify({ operation: 'dd', kind: 'content', loci: [] }).unknown).toBeDefined();
  });

  test('read from findings indexes and directories; bad files are one ConfigError naming the variable', () => {
    const dir = join(scratch.path, 'findings');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.json'), JSON.stringify([knownEntry(sig('metadata', ['json:b', 'json:a']))]));
    expect(readKnownFile(dir)).toEqual([sig('metadata', ['json:a', 'json:b'])]);
    const other = join(scratch.path, 'other.json');
    writeFileSync(other, JSON.stringify([knownEntry(sig('content', []))]));
    expect(readKnownSignatures({ KNOWN_FINDINGS: `${join(dir, 'index.json')}, ${other}` }).size).toBe(2);
    expect(readKnownSignatures({}).size).toBe(0);
    expect(configErrorOf(() => readKnownSignatures({ KNOWN_FINDINGS: join(scratch.path, 'gone.json') })).message).toMatch(
      /^KNOWN_FINDINGS: ".*gone\.json" does not exist; give a findings index/,
    );
    writeFileSync(other, '{ not json');
    expect(configErrorOf(() => readKnownFile(other, '--known')).message).toMatch(/^--known: ".*other\.json" is not JSON/);
    writeFileSync(other, JSON.stringify([{ id: 'dd-content-1234' }]));
    expect(configErrorOf(() => readKnownFile(other)).message).toContain('entry 0 has no signature');
    expect(configErrorOf(() => readKnownSignatures({ KNOWN_FINDINGS: ' ' })).variable).toBe('KNOWN_FINDINGS');
  });
});

describe('the signature gate', () => {
  const throwing = (d: Divergence) => async (): Promise<void> => {
    throw new FindingError(findingWith(d));
  };

  test('known findings pass and are counted; the first new one is locked and filed under its new part', async () => {
    const gate = new SignatureGate(new KnownSignatures([sig('metadata', ['json:x'])]));
    await expect(gate.predicate(throwing(pathsDivergence(['x'])))(0)).resolves.toBeUndefined();
    await expect(gate.predicate(throwing(pathsDivergence(['x'])))(0)).resolves.toBeUndefined();
    expect([...gate.knownHits.values()].map((k) => [k.text, k.count])).toEqual([['info metadata [json:x]', 2]]);
    const error = await gate.predicate(throwing(pathsDivergence(['x', 'y'])))(0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FindingError);
    expect(signatureText(signatureOf((error as FindingError).finding))).toBe('info metadata [json:y]');
    expect(gate.locked).toEqual(sig('metadata', ['json:y']));
  });

  test('while one signature is locked, another new one passes and is set aside', async () => {
    const gate = new SignatureGate(new KnownSignatures());
    await expect(gate.predicate(throwing(pathsDivergence(['a'])))(0)).rejects.toBeInstanceOf(FindingError);
    await expect(gate.predicate(throwing(pathsDivergence(['b'])))(0)).resolves.toBeUndefined();
    await expect(gate.predicate(throwing(pathsDivergence(['a'])))(0)).rejects.toBeInstanceOf(FindingError);
    expect([...gate.setAside.values()].map((k) => k.text)).toEqual(['info metadata [json:b]']);
  });

  test('a known divergence does not hide another one the same case showed (info JSON known, human text new)', async () => {
    const human = divergence('output-text', 'info (human) differs at line 5', '', { line: 5, reference: '(absent)', candidate: "Child node '/file':" });
    const both = async (): Promise<void> => {
      throw new FindingError(findingWith(pathsDivergence(['children'])), [findingWith(human)]);
    };
    const gate = new SignatureGate(new KnownSignatures([sig('metadata', ['json:children'])]));
    const error = await gate.predicate(both)(0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FindingError);
    expect((error as FindingError).finding.divergence.kind).toBe('output-text');
    expect(gate.locked?.kind).toBe('output-text');
    // While shrinking, a case with the locked divergence second still fails with it.
    await expect(gate.predicate(both)(0)).rejects.toBeInstanceOf(FindingError);
    // With both known, the case passes and each is counted.
    const allKnown = new SignatureGate(new KnownSignatures([sig('metadata', ['json:children']), signatureOf(findingWith(human))]));
    await expect(allKnown.predicate(both)(0)).resolves.toBeUndefined();
    expect([...allKnown.knownHits.values()].map((k) => k.count)).toEqual([1, 1]);
  });

  test('a suite error is never taken for a pass', async () => {
    const gate = new SignatureGate(new KnownSignatures([sig('metadata', ['json:x'])]));
    await expect(
      gate.predicate(async () => {
        throw new Error('qemu-io could not build the source');
      })(0),
    ).rejects.toThrow('could not build the source');
  });
});

describe('the reduction pass', () => {
  interface Case {
    readonly size: number;
    readonly extents: readonly number[];
  }
  /** Size toward 1, then one extent fewer: two kinds of move, like the real simplifiers. */
  const simplify: Simplifier<Case> = (c) => [
    ...(c.size > 1 ? [{ move: `size ${c.size} → 1`, value: { ...c, size: 1 } }] : []),
    ...c.extents.map((_, i) => ({ move: `drop extent ${i}`, value: { ...c, extents: c.extents.filter((__, j) => j !== i) } })),
  ];
  /** Fails (signature A) when extent 7 is present, whatever the size; extent 3 alone gives another signature B. */
  const check = async (c: Case): Promise<void> => {
    if (c.extents.includes(7)) throw new FindingError(findingWith(pathsDivergence(['a']), c as unknown as JsonValue));
    if (c.extents.includes(3)) throw new FindingError(findingWith(pathsDivergence(['b']), c as unknown as JsonValue));
  };
  const start = async (c: Case) => ({ value: c, error: (await check(c).catch((e: unknown) => e)) as FindingError });

  test('keeps every move that still fails with the same signature, until none applies (1-minimal)', async () => {
    const big: Case = { size: 33_554_433, extents: [3, 7, 9] };
    const reduced = await reduceCounterexample(await start(big), simplify, check);
    expect(reduced.value).toEqual({ size: 1, extents: [7] });
    expect(reduced.moves).toEqual(['size 33554433 → 1', 'drop extent 0', 'drop extent 1']);
    expect(reduced.cutShort).toBe(false);
    // 1-minimal: no single move still fails with signature A.
    for (const s of simplify(reduced.value)) await expect(check(s.value)).resolves.toBeUndefined();
    expect(signatureText(signatureOf(reduced.error.finding))).toBe('info metadata [json:a]');
  });

  test('a move that fails with another signature is not kept', async () => {
    // Dropping 7 leaves extent 3, which fails as B: that must not replace A.
    const reduced = await reduceCounterexample(await start({ size: 1, extents: [7, 3] }), simplify, check);
    expect(reduced.value).toEqual({ size: 1, extents: [7] });
  });

  test('a stop request ends the pass with the smallest case so far, marked cut short', async () => {
    let asked = 0;
    const kept: Case[] = [];
    const reduced = await reduceCounterexample(await start({ size: 5, extents: [3, 7] }), simplify, check, {
      shouldStop: () => ++asked > 1,
      onKept: (c) => kept.push(c),
    });
    expect(reduced.cutShort).toBe(true);
    expect(reduced.value).toEqual({ size: 1, extents: [3, 7] });
    expect(kept).toEqual([{ size: 1, extents: [3, 7] }]);
  });
});
