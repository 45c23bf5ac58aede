import type { KeyValue } from '../drivers/requests.ts';
import { BAD_VALUES, requestedBytesOf, sizeLimit, UNKNOWN_OPTION_KEYS, type CreateCase } from './create-case.ts';
import { SPARSE_SIZE_BAND_MINIMA, SPARSE_SIZE_MAX, type SizeText } from './create-size.ts';
import { dropEach, type Complexity, type Simplification } from './simplification.ts';

/** The bytes qemu-img reads from the SIZE text, exactly, or null when the text is not a size. */
function requestedSize(c: CreateCase): bigint | null {
  return requestedBytesOf(c);
}

/** The case with another SIZE, its bytes as create-size.ts derives them (decimal digits in the case). */
function withSizeText(c: CreateCase, size: SizeText): CreateCase {
  return { ...c, size: size.text, requestedBytes: size.bytes === null ? null : size.bytes.toString() };
}

function exceedsLimit(c: CreateCase): boolean {
  const bytes = requestedSize(c);
  const limit = sizeLimit(c.target, c.options);
  return bytes !== null && limit !== undefined && bytes > limit;
}

/** A qcow2 feature that compat=0.10 refuses (qcow2Options leaves these out of v2 cases). */
function v3Only([key, value]: KeyValue): boolean {
  return (
    (key === 'lazy_refcounts' && value === 'on') ||
    (key === 'refcount_bits' && value !== '16') ||
    (key === 'compression_type' && value === 'zstd') ||
    (key === 'extended_l2' && value === 'on')
  );
}

/** The options that make up a case's flaw: dropping one would change why qemu-img rejects it. */
function partOfFlaw(c: CreateCase, option: KeyValue): boolean {
  const [key, value] = option;
  switch (c.flaw) {
    case null:
    case 'size-too-large':
    case 'bad-size-suffix':
      return false;
    case 'unknown-key':
      return UNKNOWN_OPTION_KEYS.includes(key);
    case 'bad-cluster-size':
      return key === 'cluster_size';
    case 'extended-l2-small-clusters':
      return key === 'cluster_size' || key === 'extended_l2';
    case 'compat-0.10-with-v3-feature':
      return key === 'compat' || v3Only(option);
    case 'bad-option-value':
      return BAD_VALUES[c.target].some(([k, v]) => k === key && v === value);
  }
}

/**
 * Whether `simpler` (the case with an option dropped) is rejected for the
 * same reason. A size past the limit stays exactly that only if the limit is
 * unchanged (the arbitrary puts it at most 4096 bytes past); any other case
 * must not newly exceed its limit, which would add a second flaw.
 */
function sameFlawAfterDrop(c: CreateCase, simpler: CreateCase): boolean {
  if (c.flaw === 'size-too-large') {
    return requestedSize(c) === null || sizeLimit(simpler.target, simpler.options) === sizeLimit(c.target, c.options);
  }
  return exceedsLimit(c) || !exceedsLimit(simpler);
}

/**
 * The case as a raw target, when the flaw survives the move and raw could
 * have been drawn with this size: raw takes no format options (an unknown
 * key stays), and has no size limit, so a size just past another format's
 * limit is not a raw case, and sparse raw sizes stop at SPARSE_SIZE_MAX.
 */
function asRaw(c: CreateCase): CreateCase | undefined {
  const bytes = requestedSize(c);
  switch (c.flaw) {
    case null:
    case 'unknown-key':
      if (bytes === null || bytes > BigInt(SPARSE_SIZE_MAX.bytes ?? 0)) return undefined;
      return { ...c, target: 'raw', options: c.options.filter((option) => partOfFlaw(c, option)) };
    case 'bad-size-suffix':
      return { ...c, target: 'raw', options: [] };
    case 'size-too-large':
      return bytes === null ? { ...c, target: 'raw', options: [] } : undefined;
    case 'bad-cluster-size':
    case 'extended-l2-small-clusters':
    case 'compat-0.10-with-v3-feature':
    case 'bad-option-value':
      // qcow2's own flaws, or a value only this target rejects.
      return undefined;
  }
}

/**
 * Simpler create cases: the target toward raw, one -o option fewer, the
 * smallest size of any lower size band (written the simplest way). The flaw
 * stays what it was: its own options are kept, a size that is the flaw is
 * kept, and a move that would add or remove a reason to reject is skipped.
 */
export function simplifyCreateCase(c: CreateCase): readonly Simplification<CreateCase>[] {
  const moves: Simplification<CreateCase>[] = [];
  if (c.target !== 'raw') {
    const raw = asRaw(c);
    if (raw !== undefined) moves.push({ move: `target ${c.target} → raw`, value: raw });
  }
  for (const { index, rest } of dropEach(c.options)) {
    const option = c.options[index]!;
    const simpler: CreateCase = { ...c, options: rest };
    if (!partOfFlaw(c, option) && sameFlawAfterDrop(c, simpler)) moves.push({ move: `drop option ${option[0]}=${option[1]}`, value: simpler });
  }
  const bytes = requestedSize(c);
  if (bytes !== null && c.flaw !== 'size-too-large') {
    const minima = new Map(SPARSE_SIZE_BAND_MINIMA.map((size) => [size.text, size]));
    for (const size of minima.values()) {
      // A smaller size stays within every limit and every allocation cap.
      if (BigInt(size.bytes ?? 0) < bytes) moves.push({ move: `size ${c.size} → ${size.text} (smallest of its band)`, value: withSizeText(c, size) });
    }
  }
  return moves;
}

/** [target (raw 0), option count, requested bytes (0 when not a size)]. */
export function createCaseComplexity(c: CreateCase): Complexity {
  return [c.target === 'raw' ? 0 : 1, c.options.length, Number(requestedSize(c) ?? 0n)];
}
