import { FindingError, type Finding } from '../reports/finding.ts';
import { sameSignature, signatureId, signatureOf, signatureText, type Signature } from '../reports/signature.ts';
import type { KnownSignatures } from './known-signatures.ts';

/** How often one signature was met without stopping the search. */
export interface SignatureCount {
  readonly id: string;
  readonly text: string;
  readonly signature: Signature;
  readonly count: number;
}

function bump(into: Map<string, SignatureCount>, signature: Signature): void {
  const id = signatureId(signature);
  const was = into.get(id);
  into.set(id, { id, text: signatureText(signature), signature, count: (was?.count ?? 0) + 1 });
}

/**
 * Decides, case by case, which findings stop a property. A finding whose
 * signature is known is counted and the case passes, so one pervasive
 * divergence cannot starve the search. The first new signature is locked:
 * from then on (fast-check is shrinking) only a failure with that same
 * signature counts as failing, so shrinking and the reduction pass can never
 * drift to another bug, and the reported signature is the one first met.
 * Other new signatures met while shrinking are counted as set aside: a later
 * run finds them on their own.
 */
export class SignatureGate {
  private lockedSignature: Signature | undefined;
  readonly knownHits = new Map<string, SignatureCount>();
  readonly setAside = new Map<string, SignatureCount>();

  constructor(private readonly known: KnownSignatures) {}

  get locked(): Signature | undefined {
    return this.lockedSignature;
  }

  /**
   * The error to throw for a check's failure, or undefined when the case
   * counts as passing. Errors that are not findings (the suite could not run
   * the case) always propagate.
   */
  judge(error: unknown): unknown {
    if (!(error instanceof FindingError)) return error;
    // Every divergence the case showed, in the check's order of priority.
    const unknowns: Array<{ finding: Finding; signature: Signature }> = [];
    const covered: Signature[] = [];
    for (const finding of [error.finding, ...error.others]) {
      const { unknown, covering } = this.known.classify(signatureOf(finding));
      if (unknown === undefined) covered.push(...covering);
      else unknowns.push({ finding, signature: unknown });
    }
    const first = unknowns[0];
    if (first === undefined) {
      for (const s of covered) bump(this.knownHits, s);
      return undefined;
    }
    this.lockedSignature ??= first.signature;
    const locked = this.lockedSignature;
    const match = unknowns.find((u) => sameSignature(u.signature, locked));
    if (match === undefined) {
      bump(this.setAside, first.signature);
      return undefined;
    }
    // The report files the finding under its new part alone.
    return new FindingError({ ...match.finding, signature: match.signature });
  }

  /** A check as fast-check's predicate: throws only what stops the property. */
  predicate<T>(check: (value: T) => Promise<void>): (value: T) => Promise<void> {
    return async (value) => {
      try {
        await check(value);
      } catch (error) {
        const thrown = this.judge(error);
        if (thrown !== undefined) throw thrown;
      }
    };
  }
}
