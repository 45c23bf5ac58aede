import { layerNames, OTHER, type ChainCase, type LayerSpec } from '../arbitraries/chain-case.ts';
import type { RecipeStep } from './recipe.ts';

function layerSteps(dir: string, name: string, layer: LayerSpec, size: number, backing: string | undefined): RecipeStep[] {
  const path = `${dir}/${name}`;
  const writes = layer.extents.flatMap((e) => ['-c', `write -P ${e.fill} ${e.offset} ${e.length}`]);
  return [
    // A relative -b resolves against the new image's directory and is stored as typed, so the chain stays inside `dir`.
    { tool: 'qemu-img', args: ['create', '-q', '-f', 'qcow2', '-o', `cluster_size=${layer.clusterSize}`, ...(backing === undefined ? [] : ['-b', backing, '-F', 'qcow2']), path, String(size)] },
    ...(writes.length > 0 ? [{ tool: 'qemu-io' as const, args: ['-f', 'qcow2', ...writes, path] }] : []),
  ];
}

/**
 * The commands that build a chain case's files in `dir`: the layers bottom-up
 * (each written right after it is created, as the model assumes), then
 * other.qcow2. The property runs them; repro.sh prints them.
 */
export function chainRecipe(chainCase: ChainCase, dir: string): RecipeStep[] {
  return [{ tool: 'mkdir', args: ['-p', dir] }, ...layersRecipe(chainCase, dir), ...otherRecipe(chainCase, dir)];
}

/** The chain's layers alone, bottom-up. */
export function layersRecipe(chainCase: ChainCase, dir: string): RecipeStep[] {
  const names = layerNames(chainCase.layers.length);
  return chainCase.layers.flatMap((layer, i) => layerSteps(dir, names[i] ?? 'top.qcow2', layer, i === 0 ? chainCase.baseSize : chainCase.size, i === 0 ? undefined : names[i - 1]));
}

/** other.qcow2 alone: independent of the chain, so it can be built alongside. */
export function otherRecipe(chainCase: ChainCase, dir: string): RecipeStep[] {
  return layerSteps(dir, OTHER, chainCase.other, chainCase.other.size, undefined);
}
