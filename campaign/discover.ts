import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config/config-error.ts';
import { PROJECT_ROOT } from '../config/project-root.ts';
import { propertyNameOf } from '../hunting/corpus.ts';

export interface PropertyFile {
  /** "dd": names the corpus folder and the summary's section. */
  readonly name: string;
  /** "properties/dd.prop.test.ts", relative to the project root. */
  readonly file: string;
}

/** Every properties/*.prop.test.ts: a new property joins campaigns by existing. */
export function discoverProperties(root = PROJECT_ROOT): PropertyFile[] {
  return readdirSync(join(root, 'properties'))
    .filter((name) => name.endsWith('.prop.test.ts'))
    .sort()
    .map((name) => ({ name: propertyNameOf(name), file: `properties/${name}` }));
}

/** The named properties (all when none are named); an unknown name is an error listing the known ones. */
export function selectProperties(all: readonly PropertyFile[], wanted: readonly string[]): PropertyFile[] {
  if (wanted.length === 0) return [...all];
  return [...new Set(wanted)].map((want) => {
    const found = all.find((p) => p.name === want || p.file === want || p.file === `properties/${want}`);
    if (found === undefined) {
      throw new ConfigError('--properties', `there is no property "${want}"; choose from ${all.map((p) => p.name).join(', ')}.`);
    }
    return found;
  });
}
