import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { readIndexEntries, writeIndex, type IndexEntry } from './index.ts';
import { fileStagedSignature, stagingDir } from './write-report.ts';

/**
 * Merges findings directories (e.g. one per CI shard) into `into`: the same
 * signature from several shards becomes one folder with the counts added
 * and the smallest example kept. Returns the merged index.
 */
export async function mergeFindingsDirs(sources: readonly string[], into: string): Promise<IndexEntry[]> {
  for (const source of sources) {
    for (const entry of await readIndexEntries(source)) {
      const staged = await stagingDir(into, entry.id);
      await cp(join(source, entry.folder), staged, { recursive: true });
      await fileStagedSignature(into, staged);
    }
  }
  return writeIndex(into);
}
