import { createHash } from 'node:crypto';
import type { Operation } from '../drivers/requests.ts';
import type { DivergenceKind, JsonValue } from '../oracles/divergence.ts';
import type { Finding } from './finding.ts';

/**
 * What makes two findings "the same bug" for deduplication: the operation,
 * the kind of divergence and the key input classes the property named.
 * The exact values (offsets, sizes, seeds) are deliberately left out.
 */
export interface Signature {
  readonly operation: Operation;
  readonly kind: DivergenceKind;
  /** Sorted and unique, so the order a property lists them in is irrelevant. */
  readonly inputClasses: readonly string[];
}

export function signatureOf(finding: Pick<Finding, 'operation' | 'divergence' | 'inputClasses'>): Signature {
  return {
    operation: finding.operation,
    kind: finding.divergence.kind,
    inputClasses: [...new Set(finding.inputClasses)].sort(),
  };
}

/** "dd virtual-size [bs=non-512, source=raw, target=raw]": for people. */
export function signatureText(signature: Signature): string {
  return `${signature.operation} ${signature.kind} [${signature.inputClasses.join(', ')}]`;
}

/** "dd-virtual-size-1a2b3c4d": a folder name, an issue title key. */
export function signatureId(signature: Signature): string {
  const hash = createHash('sha256').update(signatureText(signature)).digest('hex').slice(0, 8);
  return `${signature.operation}-${signature.kind}-${hash}`;
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
