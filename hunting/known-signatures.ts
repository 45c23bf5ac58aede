import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../config/config-error.ts';
import { readNonEmpty, type Env } from '../config/env-values.ts';
import type { Operation } from '../drivers/requests.ts';
import type { DivergenceKind } from '../oracles/divergence.ts';
import { sameSignature, signatureId, signatureText, type Signature } from '../reports/signature.ts';

/**
 * Signatures already filed: earlier in the same campaign, or listed by the
 * user (KNOWN_FINDINGS, `--known`) to silence what is already reported
 * upstream. A finding whose signature is known is counted and the search
 * goes on; only a new signature stops a property and is shrunk.
 */
export class KnownSignatures {
  private readonly byKind = new Map<string, Signature[]>();

  constructor(signatures: readonly Signature[] = []) {
    for (const s of signatures) this.add(s);
  }

  add(signature: Signature): void {
    const key = `${signature.operation} ${signature.kind}`;
    const list = this.byKind.get(key) ?? [];
    if (!list.some((s) => sameSignature(s, signature))) list.push(signature);
    this.byKind.set(key, list);
  }

  get size(): number {
    return [...this.byKind.values()].reduce((n, l) => n + l.length, 0);
  }

  /**
   * Splits a finding's signature into what is known and what is not. Known
   * signatures of the same operation and kind cover their loci; a finding
   * without loci is covered by any of them. So a case that shows a known
   * divergence AND a new one (an extra key everywhere, plus a wrong field on
   * one class) is new, under the new part alone.
   */
  classify(signature: Signature): { readonly unknown: Signature | undefined; readonly covering: readonly Signature[] } {
    const same = this.byKind.get(`${signature.operation} ${signature.kind}`) ?? [];
    if (signature.loci.length === 0) {
      return same.length > 0 ? { unknown: undefined, covering: same } : { unknown: signature, covering: [] };
    }
    const covered = new Set(same.flatMap((s) => s.loci));
    const rest = signature.loci.filter((l) => !covered.has(l));
    const covering = same.filter((s) => s.loci.some((l) => signature.loci.includes(l)));
    if (rest.length === 0) return { unknown: undefined, covering };
    return { unknown: { ...signature, loci: rest }, covering };
  }
}

function isSignature(value: unknown): value is Signature {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v['operation'] === 'string' && typeof v['kind'] === 'string' && Array.isArray(v['loci']) && v['loci'].every((l) => typeof l === 'string');
}

/** One known-signatures file: a findings index.json (or the campaign's own list), an array of entries with a `signature`. */
export function readKnownFile(file: string, variable = 'KNOWN_FINDINGS'): Signature[] {
  const path = existsSync(file) && statSync(file).isDirectory() ? join(file, 'index.json') : file;
  if (!existsSync(path)) {
    throw new ConfigError(variable, `"${file}" does not exist; give a findings index (e.g. findings/index.json) or a findings directory.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(variable, `"${path}" is not JSON (${error instanceof Error ? error.message : String(error)}); give a findings index.json.`);
  }
  if (!Array.isArray(parsed)) throw new ConfigError(variable, `"${path}" is not a findings index (a JSON array of signatures).`);
  return parsed.map((entry: unknown, i) => {
    const signature = entry !== null && typeof entry === 'object' ? (entry as { signature?: unknown }).signature : undefined;
    if (!isSignature(signature)) {
      throw new ConfigError(variable, `"${path}" entry ${i} has no signature {operation, kind, loci}; it was written by an older suite: re-run to regenerate the index.`);
    }
    return { operation: signature.operation as Operation, kind: signature.kind as DivergenceKind, loci: [...signature.loci].sort() };
  });
}

/** KNOWN_FINDINGS: comma-separated index files or findings directories. */
export function readKnownSignatures(env: Env, cwd = process.cwd()): KnownSignatures {
  const raw = readNonEmpty(env, 'KNOWN_FINDINGS', 'give findings index files (e.g. findings/index.json), comma-separated');
  const known = new KnownSignatures();
  if (raw === undefined) return known;
  for (const part of raw.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    for (const s of readKnownFile(resolve(cwd, part))) known.add(s);
  }
  return known;
}

/** The entry a known-signatures file holds for one signature (what index.json carries too). */
export function knownEntry(signature: Signature): { id: string; text: string; signature: Signature } {
  return { id: signatureId(signature), text: signatureText(signature), signature };
}
