import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { ConfigError } from '../config/config-error.ts';
import type { Env } from '../config/env-values.ts';
import { readNonEmpty } from '../config/env-values.ts';
import { PROJECT_ROOT } from '../config/project-root.ts';
import type { JsonValue } from '../oracles/divergence.ts';
import { caseHash } from '../reports/signature.ts';

/**
 * The failure corpus: every shrunk counterexample ever found, one JSON file
 * per case under corpus/<property>/, committed. Every run replays it first
 * (fast-check `examples`), so a failure found once is never lost, even when
 * the seed that found it stops reproducing it. An example that passes again
 * stays as a regression test.
 */

/** One corpus file as stored. */
export interface CorpusFile {
  readonly property: string;
  /** The signature id the case had when it was added. */
  readonly signature: string;
  readonly summary: string;
  readonly addedAt: string;
  /** Where it came from (a report folder, or "campaign …"). */
  readonly from: string;
  readonly case: JsonValue;
}

export interface CorpusExample {
  /** Absolute path. */
  readonly file: string;
  /** File name, as CORPUS_REPLAY lists it. */
  readonly name: string;
  readonly case: JsonValue;
}

export function corpusRoot(env: Env): string {
  return resolve(PROJECT_ROOT, readNonEmpty(env, 'CORPUS_DIR', 'give the corpus directory (default ./corpus)') ?? 'corpus');
}

/** "properties/dd.prop.test.ts" → "dd": the corpus folder and the campaign's name for it. */
export function propertyNameOf(propertyFile: string): string {
  return basename(propertyFile).replace(/\.prop\.test\.ts$/, '');
}

/** A path as a user in the working directory would type it: relative inside it, absolute outside. */
export function shownPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel || '.';
}

/** Reads and checks one corpus file; a malformed one is an error naming it. */
export function readCorpusFile(file: string, property?: string): CorpusFile {
  const fix = `fix it, or remove it with: npm run corpus -- remove ${shownPath(file)}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ConfigError(shownPath(file), `is not a valid corpus example (${why}); ${fix}.`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || !('case' in parsed)) {
    throw new ConfigError(shownPath(file), `is not a valid corpus example (it needs an object with a "case" field); ${fix}.`);
  }
  const record = parsed as Partial<CorpusFile>;
  if (property !== undefined && record.property !== undefined && record.property !== property) {
    throw new ConfigError(shownPath(file), `belongs to property "${record.property}" but sits in corpus/${property}/; move it or ${fix}.`);
  }
  return {
    property: record.property ?? property ?? '',
    signature: record.signature ?? '',
    summary: record.summary ?? '',
    addedAt: record.addedAt ?? '',
    from: record.from ?? '',
    case: (parsed as { case: JsonValue }).case,
  };
}

/**
 * Which examples to replay, from CORPUS_REPLAY: unset = all; "none"; or a
 * comma-separated list of file names (what campaigns and replay commands use).
 */
export type CorpusSelection = { readonly kind: 'all' } | { readonly kind: 'none' } | { readonly kind: 'only'; readonly names: readonly string[] };

export function readCorpusSelection(env: Env): CorpusSelection {
  const raw = readNonEmpty(env, 'CORPUS_REPLAY', 'unset it to replay the whole corpus, or give "none" or file names');
  if (raw === undefined) return { kind: 'all' };
  if (raw.trim() === 'none') return { kind: 'none' };
  const names = raw.split(',').map((n) => n.trim()).filter((n) => n !== '');
  for (const name of names) {
    if (!/^[\w.=+-]+\.json$/.test(name)) {
      throw new ConfigError('CORPUS_REPLAY', `"${name}" is not a corpus file name; give names such as dd-content-1a2b3c4d--0123456789.json, or "none".`);
    }
  }
  return { kind: 'only', names };
}

/** Every corpus file of a property, sorted by name, checked. */
export function listCorpus(root: string, property: string): CorpusExample[] {
  const dir = join(root, property);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const file = join(dir, name);
      return { file, name, case: readCorpusFile(file, property).case };
    });
}

/** The examples a run replays first, in a stable order. */
export function selectCorpus(root: string, property: string, selection: CorpusSelection): CorpusExample[] {
  if (selection.kind === 'none') return [];
  const all = listCorpus(root, property);
  if (selection.kind === 'all') return all;
  return selection.names.map((name) => {
    const found = all.find((e) => e.name === name);
    if (found === undefined) {
      throw new ConfigError('CORPUS_REPLAY', `names ${name}, which is not in ${shownPath(join(root, property))}/; unset CORPUS_REPLAY to replay the whole corpus.`);
    }
    return found;
  });
}

export function corpusFileName(signature: string, caseValue: JsonValue): string {
  return `${signature}--${caseHash(caseValue)}.json`;
}

/**
 * Adds a case to corpus/<property>/ unless the same case is already there.
 * Written by rename, so an interruption never leaves half a file. Returns
 * the file, and whether it is new.
 */
export function addToCorpus(
  root: string,
  entry: Omit<CorpusFile, 'addedAt'>,
): { readonly file: string; readonly added: boolean } {
  const dir = join(root, entry.property);
  const file = join(dir, corpusFileName(entry.signature, entry.case));
  const sameCase = caseHash(entry.case);
  const existing = existsSync(dir) ? readdirSync(dir).find((n) => n.endsWith(`--${sameCase}.json`)) : undefined;
  if (existing !== undefined) return { file: join(dir, existing), added: false };
  mkdirSync(dir, { recursive: true });
  const record: CorpusFile = { ...entry, addedAt: new Date().toISOString() };
  const partial = `${file}.partial-${process.pid}`;
  writeFileSync(partial, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(partial, file);
  return { file, added: true };
}

export function removeFromCorpus(root: string, file: string): string {
  const path = resolve(file);
  if (relative(root, path).startsWith('..') || !path.endsWith('.json')) {
    throw new ConfigError(file, `is not a corpus example under ${shownPath(root)}/; give a path such as corpus/dd/<name>.json.`);
  }
  if (!existsSync(path)) throw new ConfigError(file, 'does not exist; list the corpus with: npm run corpus -- list');
  rmSync(path);
  return path;
}
