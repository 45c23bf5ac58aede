import { simplifyMapCase } from '../../arbitraries/map-case-simplify.ts';
import { mapCaseArbitrary, resolveMapWindow, type MapCase } from '../../arbitraries/map-case.ts';
import type { ResolvedTools } from '../../config/resolve-tools.ts';
import { checkMapCase, type MapPropertyEnv } from '../../properties/map.ts';
import { is, mutantScenario, type MutantScenario, type PropertyHarness, type ScenarioSpec } from './scenarios.ts';
import { testPropertyEnv } from '../support/property-env.ts';

/** A map property environment for tests, with its own image cache. */
export function mapEnv(tools: ResolvedTools, timeoutMs = 30_000): MapPropertyEnv {
  return testPropertyEnv(tools, 'map', timeoutMs);
}

const mapHarness: PropertyHarness<MapCase, MapPropertyEnv> = {
  property: 'map',
  arbitrary: mapCaseArbitrary,
  makeEnv: (tools, toolTimeoutMs) => mapEnv(tools, toolTimeoutMs),
  check: checkMapCase,
  simplify: simplifyMapCase,
  dispose: (env) => env.images.dispose(),
};

const mapScenario = (s: ScenarioSpec<MapCase, MapPropertyEnv>): MutantScenario => mutantScenario(mapHarness, s);

/** Each mutant wraps qemu-img and injects one map bug; "minimal" is spelled out per mutant. */
export const scenarios: MutantScenario[] = [
  mapScenario({
    title: 'the tail past the last whole cluster goes unreported: shrunk to the smallest raw image, whole window',
    mutant: 'map-drops-partial-tail.sh',
    seed: 1,
    numRuns: 50,
    // Minimal: any image smaller than one 64 KiB cluster loses all of its
    // bytes; raw, 1 byte (512 once rounded), no data, no window.
    minimal: (found) => [
      is('case', found.value, { source: { layout: { format: 'raw' }, size: 1, extents: [] }, start: { kind: 'absent' }, length: { kind: 'absent' } }),
      is('divergence', found.finding.divergence.kind, 'metadata'),
      is('fields', found.finding.divergence.data['fields'], [{ field: 'coverage' }]),
      // A raw file of 1 byte, rounded to 512: qemu-img maps its sector as
      // data (the bytes past the file's end are read as zeros, not a hole).
      is('transitions', found.finding.divergence.data['transitions'], [{ where: 'inside', reference: 'present,-zero,data', candidate: 'uncovered' }]),
    ],
    // repro.sh prints both maps as runs: the candidate's has no line for [0, 512).
    reproShows: ['-0 512 true,false,true'],
  }),
  mapScenario({
    title: 'human host offsets lose the offset within the cluster: shrunk to the smallest raw image mapped from offset 1',
    mutant: 'map-host-offset-cluster-start.sh',
    seed: 2,
    numRuns: 100,
    // Minimal: a mapped line must start off a 64 KiB boundary: a window
    // starting at byte 1 of the smallest raw image, whose one sector qemu-img
    // maps as data (a 1-byte file). The start may be drawn as 1 byte or as
    // 2‰ of 512 bytes: both are offset 1.
    minimal: (found) => [
      is('source', found.value.source, { layout: { format: 'raw' }, size: 1, extents: [] }),
      is('window', resolveMapWindow(found.value, 512), { startOffset: 1, maxLength: undefined }),
      is('divergence', found.finding.divergence.kind, 'metadata'),
      is('mode', found.finding.divergence.data['mode'], 'human'),
      is('fields', found.finding.divergence.data['fields'], [{ field: 'host-offset' }]),
    ],
  }),
];
