import { readdir, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Signature } from './signature.ts';
import { readSignatureRecord, SIGNATURE_FILE, writeAtomically } from './write-report.ts';

/** One line of the findings index: one signature. */
export interface IndexEntry {
  readonly id: string;
  readonly text: string;
  /** Structured, so a later run can pass this index as known signatures (`--known`). */
  readonly signature: Signature;
  readonly title: string;
  readonly count: number;
  /** The report folder, relative to the findings directory. */
  readonly folder: string;
  readonly lastSeen: string;
}

export const INDEX_TEXT = 'index.txt';
export const INDEX_JSON = 'index.json';

/** Every signature folder under `findingsDir`, most frequent first. */
export async function readIndexEntries(findingsDir: string): Promise<IndexEntry[]> {
  const names = await readdir(findingsDir).catch(() => [] as string[]);
  const entries: IndexEntry[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const folder = join(findingsDir, name);
    const isSignatureFolder = await stat(join(folder, SIGNATURE_FILE)).then((s) => s.isFile(), () => false);
    if (!isSignatureFolder) continue;
    const record = await readSignatureRecord(folder);
    entries.push({ id: record.id, text: record.text, signature: record.signature, title: record.title, count: record.count, folder: name, lastSeen: record.lastSeen });
  }
  return entries.sort((a, b) => b.count - a.count || a.id.localeCompare(b.id));
}

/** "   3  dd/…  dd-virtual-size-1a2b3c4d/  dd virtual-size [target=raw]": count, folder, signature. */
export function renderIndex(entries: readonly IndexEntry[]): string {
  if (entries.length === 0) return '# no findings\n';
  const width = Math.max(...entries.map((e) => String(e.count).length), 5);
  const lines = entries.map((e) => `${String(e.count).padStart(width)}  ${e.folder}/  ${e.text}  — ${e.title}`);
  return `# count  report folder  signature  — title of the smallest example\n${lines.join('\n')}\n`;
}

/** Rewrites index.txt and index.json from the folders themselves (always consistent with them). */
export async function writeIndex(findingsDir: string): Promise<IndexEntry[]> {
  const entries = await readIndexEntries(findingsDir);
  await writeAtomically(join(findingsDir, INDEX_TEXT), renderIndex(entries));
  await writeAtomically(join(findingsDir, INDEX_JSON), `${JSON.stringify(entries, null, 2)}\n`);
  // The staging area is only kept while another writer uses it.
  await rmdir(join(findingsDir, '.staging')).catch(() => undefined);
  return entries;
}
