import { createHash } from 'node:crypto';
import type { Operation } from '../drivers/requests.ts';
import type { Divergence, DivergenceKind, JsonValue } from '../oracles/divergence.ts';
import type { Finding } from './finding.ts';

/**
 * What makes two findings "the same bug": the operation, the kind of
 * divergence and WHERE the outputs differ (the loci: JSON paths, report
 * fields, the exit-status direction, the signal). Nothing about the input
 * is in it: a shrunk case and the case it came from diverge in the same
 * place, so a signature stays the same before and after shrinking, and one
 * bug met on many inputs is one signature.
 */
export interface Signature {
  readonly operation: Operation;
  readonly kind: DivergenceKind;
  /** Sorted and unique; may be empty (e.g. "content": every byte is the same place). */
  readonly loci: readonly string[];
}

function strings(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** `[{ path: "a" }, …]` or `[{ field: "a" }, …]` → ["a", …]. */
function keysOf(value: JsonValue | undefined, key: 'path' | 'field'): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return [];
    const named = (item as Readonly<Record<string, JsonValue>>)[key];
    return typeof named === 'string' ? [named] : [];
  });
}

/** "cluster_size: 65536" → "cluster_size"; a line without a label is its own label. */
function lineLabel(line: JsonValue | undefined): string {
  if (typeof line !== 'string') return '(no line)';
  const colon = line.indexOf(':');
  return (colon > 0 ? line.slice(0, colon) : line).trim() || '(blank line)';
}

/**
 * Where a divergence lies, from the structured data its oracle recorded.
 * One rule per data shape, so a new oracle gets sensible loci by recording
 * `paths`, `differences[].path` or `fields[].field`, plus a `document`,
 * `mode` or `output` naming which output they belong to.
 */
export function lociOf(divergence: Divergence): string[] {
  const { data, kind } = divergence;
  const context = ['document', 'mode', 'output', 'reader']
    .map((k) => data[k])
    .filter((v): v is string => typeof v === 'string' && v !== '')
    // A reader may be named by its path: the program's name is what says where.
    .map((v) => v.split('/').pop() ?? v);
  const prefix = context.length > 0 ? `${context.join('/')}:` : '';
  const keys = [...strings(data['paths']), ...keysOf(data['differences'], 'path'), ...keysOf(data['fields'], 'field')];
  const own: string[] = [];
  switch (kind) {
    case 'exit-status': {
      const ref = data['referenceExit'];
      if (typeof ref === 'number') own.push(ref === 0 ? 'reference succeeded, candidate failed' : 'reference failed, candidate succeeded');
      break;
    }
    case 'exit-code':
      own.push(`reference exit ${String(data['referenceExit'])}, candidate exit ${String(data['candidateExit'])}`);
      break;
    case 'candidate-crash':
      own.push(`signal ${String(data['signal'])}`);
      break;
    case 'output-text': {
      // Where the reference has nothing (a line only the candidate prints,
      // such as a newer qemu-img's extra section), the candidate's line says where.
      const reference = lineLabel(data['reference']);
      const onlyCandidate = (reference === '(blank line)' || reference === '(absent)') && typeof data['candidate'] === 'string';
      own.push(onlyCandidate ? `line ${lineLabel(data['candidate'])} (candidate only)` : `line ${reference}`);
      break;
    }
    case 'bound':
      if (typeof data['bound'] === 'string') own.push(data['bound']);
      break;
    default:
      break;
  }
  const all = [...keys, ...own].map((k) => `${prefix}${k}`);
  // Context alone still says where (e.g. "check:" for a clean-check difference).
  if (all.length === 0 && prefix !== '') all.push(prefix.slice(0, -1));
  return [...new Set(all)].sort();
}

/** The signature a finding is filed under: the one the gate set, else what its divergence says. */
export function signatureOf(finding: Pick<Finding, 'operation' | 'divergence' | 'signature'>): Signature {
  return finding.signature ?? { operation: finding.operation, kind: finding.divergence.kind, loci: lociOf(finding.divergence) };
}

/** "info metadata [json:$.format-specific]": for people. */
export function signatureText(signature: Signature): string {
  return `${signature.operation} ${signature.kind} [${signature.loci.join(', ')}]`;
}

/** "dd-virtual-size-1a2b3c4d": a folder name, an issue title key. */
export function signatureId(signature: Signature): string {
  const hash = createHash('sha256').update(signatureText(signature)).digest('hex').slice(0, 8);
  return `${signature.operation}-${signature.kind}-${hash}`;
}

export function sameSignature(a: Signature, b: Signature): boolean {
  return signatureText(a) === signatureText(b);
}

/** Short content hash of a case: names corpus files, tells cases apart. */
export function caseHash(caseValue: JsonValue): string {
  return createHash('sha256').update(JSON.stringify(caseValue)).digest('hex').slice(0, 10);
}

/**
 * "Smaller" for keeping one example per signature: a shrunk case with fewer
 * and smaller parts prints shorter. Ties go to the lexically first text, so
 * the choice does not depend on arrival order.
 */
export function caseSize(caseValue: JsonValue): number {
  return JSON.stringify(caseValue).length;
}

export function isSmallerCase(a: JsonValue, b: JsonValue): boolean {
  const [sa, sb] = [caseSize(a), caseSize(b)];
  return sa !== sb ? sa < sb : JSON.stringify(a) < JSON.stringify(b);
}
