import { CHAIN_CLUSTER_SIZES, fillOf, type ChainCase, type ChainStep, type LayerSpec } from './chain-case.ts';
import { dropEach, type Complexity, type Simplification } from './simplification.ts';

/** Fills as the arbitrary gives them, by layer and extent position (they follow a dropped layer or extent). */
function refilled<L extends LayerSpec>(layer: L, file: number): L {
  return { ...layer, extents: layer.extents.map((e, i) => ({ ...e, fill: fillOf(file, i) })) };
}

const clusterRank = (clusterSize: number): number => CHAIN_CLUSTER_SIZES.indexOf(clusterSize);

/** Simpler variants of one step: a plain commit, a safe rebase, a detach turned into a rebase onto the first target. */
function simplerSteps(step: ChainStep): Array<{ move: string; step: ChainStep }> {
  const out: Array<{ move: string; step: ChainStep }> = [];
  if (step.do === 'rebase') {
    if (step.unsafe) out.push({ move: '-u → left out', step: { ...step, unsafe: false } });
    if (step.onto !== null && step.onto > 0) out.push({ move: `onto ${step.onto} → 0`, step: { ...step, onto: 0 } });
  }
  if (step.do === 'commit') {
    if (step.drop) out.push({ move: '-d → left out', step: { ...step, drop: false } });
    if (step.base !== null) out.push({ move: '-b → left out', step: { ...step, base: null } });
  }
  if (step.do === 'write' && step.file > 0) out.push({ move: `file ${step.file} → the top`, step: { ...step, file: 0 } });
  return out;
}

/**
 * Simpler chain cases: a step or a layer left out, an extent left out, a
 * layer's cluster size toward 64 KiB, the base at full size, a simpler step.
 */
export function simplifyChainCase(chainCase: ChainCase): readonly Simplification<ChainCase>[] {
  const moves: Simplification<ChainCase>[] = [];
  if (chainCase.steps.length > 1) {
    for (const { index, rest } of dropEach(chainCase.steps)) moves.push({ move: `drop step ${index + 1}`, value: { ...chainCase, steps: rest } });
  }
  if (chainCase.layers.length > 1) {
    for (const { index, rest } of dropEach(chainCase.layers)) {
      moves.push({ move: `drop layer ${index + 1}`, value: { ...chainCase, baseSize: chainCase.size, layers: rest.map((l, i) => refilled(l, i)) } });
    }
  }
  chainCase.layers.forEach((layer, i) => {
    for (const { index, rest } of dropEach(layer.extents)) {
      const layers = chainCase.layers.map((l, j) => (j === i ? refilled({ ...l, extents: rest }, j) : l));
      moves.push({ move: `layer ${i + 1}: drop extent ${index + 1}`, value: { ...chainCase, layers } });
    }
    if (clusterRank(layer.clusterSize) > 0) {
      const layers = chainCase.layers.map((l, j) => (j === i ? { ...l, clusterSize: CHAIN_CLUSTER_SIZES[0] ?? 65536 } : l));
      moves.push({ move: `layer ${i + 1}: cluster_size ${layer.clusterSize} → 65536`, value: { ...chainCase, layers } });
    }
  });
  for (const { index, rest } of dropEach(chainCase.other.extents)) {
    moves.push({ move: `other: drop extent ${index + 1}`, value: { ...chainCase, other: refilled({ ...chainCase.other, extents: rest }, 3) } });
  }
  if (clusterRank(chainCase.other.clusterSize) > 0) moves.push({ move: `other: cluster_size ${chainCase.other.clusterSize} → 65536`, value: { ...chainCase, other: { ...chainCase.other, clusterSize: 65536 } } });
  if (chainCase.baseSize < chainCase.size && chainCase.layers[0]?.extents.every((e) => e.offset + e.length <= chainCase.size)) {
    moves.push({ move: `base size ${chainCase.baseSize} → ${chainCase.size}`, value: { ...chainCase, baseSize: chainCase.size } });
  }
  chainCase.steps.forEach((step, i) => {
    for (const { move, step: simpler } of simplerSteps(step)) moves.push({ move: `step ${i + 1}: ${move}`, value: { ...chainCase, steps: chainCase.steps.map((s, j) => (j === i ? simpler : s)) } });
  });
  return moves;
}

const stepFlags = (step: ChainStep): number =>
  step.do === 'rebase' ? Number(step.unsafe) + Number(step.onto !== null && step.onto > 0) : step.do === 'commit' ? Number(step.drop) + Number(step.base !== null) : Number(step.file > 0);

/** [steps, layers, extents, cluster ranks, base cut, step flags]. */
export function chainCaseComplexity(chainCase: ChainCase): Complexity {
  const layers = [...chainCase.layers, chainCase.other];
  return [
    chainCase.steps.length,
    chainCase.layers.length,
    layers.reduce((n, l) => n + l.extents.length, 0),
    layers.reduce((n, l) => n + clusterRank(l.clusterSize), 0),
    (chainCase.size - chainCase.baseSize) / 65536,
    chainCase.steps.reduce((n, s) => n + stepFlags(s), 0),
  ];
}
