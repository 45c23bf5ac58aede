import { chmod, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Tool } from '../drivers/tool.ts';
import type { JsonValue } from '../oracles/divergence.ts';
import { stringifyExactJson } from '../oracles/exact-json.ts';
import type { Finding } from './finding.ts';
import { renderMarkdown, reportTitle, type ReportContext } from './render-markdown.ts';
import { reproScript } from './repro-script.ts';
import { caseSize, isSmallerCase, signatureId, signatureOf, signatureText, type Signature } from './signature.ts';

/** The example's files, kept together: all three always describe the same case. */
export const EXAMPLE_FILES = ['report.json', 'report.md', 'repro.sh'] as const;
/** Per signature folder: the count and the latest occurrences. */
export const SIGNATURE_FILE = 'signature.json';
/** Occurrences listed per signature; the count keeps going past it. */
const MAX_OCCURRENCES = 20;

export interface Occurrence {
  readonly at: string;
  readonly seed: number;
  readonly path: string | null;
  readonly replay: string;
  readonly caseSize: number;
  readonly candidate: string;
}

/** signature.json: one per report folder. */
export interface SignatureRecord {
  readonly id: string;
  readonly text: string;
  readonly signature: Signature;
  /** The kept (smallest) example's title. */
  readonly title: string;
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** The kept example: the smallest case seen with this signature. */
  readonly example: { readonly case: JsonValue; readonly caseSize: number; readonly replay: string };
  /** The latest occurrences, newest last. */
  readonly occurrences: readonly Occurrence[];
}

export interface WrittenReport {
  /** The signature's report folder. */
  readonly folder: string;
  readonly id: string;
  /** Occurrences of this signature so far, this one included. */
  readonly count: number;
  readonly newSignature: boolean;
  /** True when this case became the folder's example (it was the smallest). */
  readonly keptExample: boolean;
}

/** Writes to a temporary name, then renames: an interrupted write leaves no half file. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  const partial = `${path}.partial-${process.pid}`;
  await writeFile(partial, text);
  await rename(partial, path);
}

let stagingCounter = 0;

/** A private folder on the same file system, so renames out of it are atomic. */
export async function stagingDir(findingsDir: string, label: string): Promise<string> {
  const dir = join(findingsDir, '.staging', `${label}-${process.pid}-${stagingCounter++}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

const LOCK_STALE_MS = 60_000;
const LOCK_GIVE_UP_MS = 60_000;

/**
 * Serialises updates of one signature folder across processes (campaign
 * workers write to the same findings directory). A lock left by a killed
 * process goes stale after a minute.
 */
export async function withSignatureLock<T>(findingsDir: string, id: string, use: () => Promise<T>): Promise<T> {
  const lock = join(findingsDir, '.staging', `${id}.lock`);
  await mkdir(join(findingsDir, '.staging'), { recursive: true });
  const started = Date.now();
  for (;;) {
    try {
      const handle = await open(lock, 'wx');
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > LOCK_STALE_MS) await rm(lock, { force: true });
      else if (Date.now() - started > LOCK_GIVE_UP_MS) throw new Error(`${lock} is held by another process for over a minute`);
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  try {
    return await use();
  } finally {
    await rm(lock, { force: true });
  }
}

export async function readSignatureRecord(folder: string): Promise<SignatureRecord> {
  const file = join(folder, SIGNATURE_FILE);
  const text = await readFile(file, 'utf8');
  try {
    const record = JSON.parse(text) as SignatureRecord;
    if (typeof record.id !== 'string' || typeof record.count !== 'number' || record.example === undefined) {
      throw new Error('missing id, count or example');
    }
    return record;
  } catch (error) {
    throw new Error(`${file} is not a signature record (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Two records of the same signature as one: counts add up, the smaller example stays. */
export function mergeRecords(existing: SignatureRecord, incoming: SignatureRecord): { merged: SignatureRecord; incomingKept: boolean } {
  const incomingKept = isSmallerCase(incoming.example.case, existing.example.case);
  const kept = incomingKept ? incoming : existing;
  const occurrences = [...existing.occurrences, ...incoming.occurrences]
    .sort((a, b) => a.at.localeCompare(b.at))
    .slice(-MAX_OCCURRENCES);
  return {
    incomingKept,
    merged: {
      ...existing,
      title: kept.title,
      example: kept.example,
      count: existing.count + incoming.count,
      firstSeen: existing.firstSeen < incoming.firstSeen ? existing.firstSeen : incoming.firstSeen,
      lastSeen: existing.lastSeen > incoming.lastSeen ? existing.lastSeen : incoming.lastSeen,
      occurrences,
    },
  };
}

/**
 * Files a staged signature folder (its example files and signature.json)
 * into the findings directory: a new signature's folder appears whole by one
 * rename; a known one gets its count raised and, when the staged case is
 * smaller, its example replaced.
 */
export async function fileStagedSignature(findingsDir: string, staged: string): Promise<WrittenReport> {
  const incoming = await readSignatureRecord(staged);
  const folder = join(findingsDir, incoming.id);
  return withSignatureLock(findingsDir, incoming.id, async () => {
    const exists = await stat(folder).then(() => true, () => false);
    if (!exists) {
      await rename(staged, folder);
      return { folder, id: incoming.id, count: incoming.count, newSignature: true, keptExample: true };
    }
    const { merged, incomingKept } = mergeRecords(await readSignatureRecord(folder), incoming);
    if (incomingKept) {
      for (const name of EXAMPLE_FILES) await rename(join(staged, name), join(folder, name));
    }
    await writeAtomically(join(folder, SIGNATURE_FILE), `${JSON.stringify(merged, null, 2)}\n`);
    await rm(staged, { recursive: true, force: true });
    return { folder, id: incoming.id, count: merged.count, newSignature: false, keptExample: incomingKept };
  });
}

function signatureLine(id: string, text: string): string {
  return `**Signature:** \`${id}\` (${text}). Every occurrence is counted in \`signature.json\`; \`../index.txt\` lists all signatures; this folder keeps the smallest case.`;
}

/**
 * Files one shrunk counterexample under its signature: one folder per
 * signature, holding the smallest case seen (report.md, report.json,
 * repro.sh) and signature.json with the count. Never N folders for N
 * duplicates.
 */
export async function writeReport(
  findingsDir: string,
  finding: Finding,
  ctx: ReportContext,
  candidate: Tool,
  timeoutSeconds: number,
  origin: { readonly propertyFile?: string } = {},
): Promise<WrittenReport> {
  const signature = signatureOf(finding);
  const id = signatureId(signature);
  const text = signatureText(signature);
  const staged = await stagingDir(findingsDir, id);
  const json = {
    title: reportTitle(finding),
    signature: { id, text },
    propertyFile: origin.propertyFile ?? null,
    operation: finding.operation,
    divergence: finding.divergence,
    inputClasses: finding.inputClasses,
    caseInWords: finding.caseInWords,
    case: finding.caseValue,
    reference: finding.reference,
    candidate: finding.candidate,
    versions: { reference: ctx.referenceVersion, candidate: ctx.candidateVersion, candidateSelectedBy: ctx.candidateSelectedBy },
    replay: { command: ctx.replay, seed: ctx.seed, path: ctx.path ?? null, numShrinks: ctx.numShrinks, reductionMoves: ctx.reductionMoves ?? [] },
  };
  const markdown = renderMarkdown(finding, ctx).replace('\n', `\n\n${signatureLine(id, text)}\n`);
  // Exact: divergence data may hold integers above 2^53 (as bigint).
  await writeFile(join(staged, 'report.json'), `${stringifyExactJson(json as unknown as JsonValue, 2)}\n`);
  await writeFile(join(staged, 'repro.sh'), reproScript(finding, { candidate, reference: ctx.referenceOfRun, referenceVersion: ctx.referenceVersion }, timeoutSeconds));
  await chmod(join(staged, 'repro.sh'), 0o755);
  await writeFile(join(staged, 'report.md'), markdown);
  const now = new Date().toISOString();
  const size = caseSize(finding.caseValue);
  const record: SignatureRecord = {
    id,
    text,
    signature,
    title: json.title,
    count: 1,
    firstSeen: now,
    lastSeen: now,
    example: { case: finding.caseValue, caseSize: size, replay: ctx.replay },
    occurrences: [
      { at: now, seed: ctx.seed, path: ctx.path ?? null, replay: ctx.replay, caseSize: size, candidate: ctx.candidateSelectedBy },
    ],
  };
  await writeFile(join(staged, SIGNATURE_FILE), `${JSON.stringify(record, null, 2)}\n`);
  return fileStagedSignature(findingsDir, staged);
}

/**
 * Counts occurrences of known signatures (met, not stopped for, not shrunk)
 * in their report folders, when this findings directory has them: the
 * count goes on as if each had been filed; the kept example stays.
 */
export async function recordKnownOccurrences(
  findingsDir: string,
  hits: ReadonlyArray<{ readonly id: string; readonly count: number }>,
  meta: { readonly seed: number; readonly candidate: string },
): Promise<void> {
  for (const hit of hits) {
    const folder = join(findingsDir, hit.id);
    const exists = await stat(join(folder, SIGNATURE_FILE)).then(() => true, () => false);
    if (!exists || hit.count === 0) continue;
    await withSignatureLock(findingsDir, hit.id, async () => {
      const record = await readSignatureRecord(folder);
      const now = new Date().toISOString();
      const occurrence: Occurrence = {
        at: now,
        seed: meta.seed,
        path: null,
        replay: `(met ${hit.count} time(s) as a known signature in the run with seed ${meta.seed}; not shrunk)`,
        caseSize: 0,
        candidate: meta.candidate,
      };
      const updated: SignatureRecord = {
        ...record,
        count: record.count + hit.count,
        lastSeen: now,
        occurrences: [...record.occurrences, occurrence].slice(-MAX_OCCURRENCES),
      };
      await writeAtomically(join(folder, SIGNATURE_FILE), `${JSON.stringify(updated, null, 2)}\n`);
    });
  }
}
