import { join } from 'node:path';
import { describeCreateCommand, optionValue, requestedBytesOf, type CreateCase } from '../arbitraries/create-case.ts';
import type { CandidateTimePolicy } from '../drivers/candidate-time-limit.ts';
import { succeeded, type ProcessOutcome } from '../drivers/process-outcome.ts';
import type { CheckRequest, CreateRequest, InfoRequest } from '../drivers/requests.ts';
import { startReferenceAndCandidate } from '../drivers/run-pair.ts';
import { argvFor, runTool, type Tool } from '../drivers/tool.ts';
import { checksClean, compareCleanliness, FORMATS_WITHOUT_CHECKS } from '../oracles/create-check.ts';
import { readsAsZeros, type ZeroReading } from '../oracles/create-content.ts';
import { compareLibyal, libyalNeedsReference, predictedVhdiType, type LibyalReaders } from '../oracles/create-libyal.ts';
import { createCompareLines } from '../oracles/create-repro.ts';
import { divergence, type Divergence, type JsonValue } from '../oracles/divergence.ts';
import { compareCreateInfo, normaliseCreateInfo } from '../oracles/info-json.ts';
import { parseInfoJson } from '../oracles/info-output.ts';
import { exactInteger } from '../oracles/exact-json.ts';
import { compareOutcomes } from '../oracles/outcome.ts';
import { describeReaderFailure, readerFailureLine } from '../oracles/reader-failure.ts';
import type { RunStats } from '../oracles/run-stats.ts';
import { FindingError, renameOutcome, renamePaths, type Finding } from '../reports/finding.ts';
import { matchCreateWhitelist, type CreateFacts } from '../whitelist.ts';
import { scratchDirSync } from '../images/scratch.ts';
import type { CreatesAhead, StartedCase } from './create-ahead.ts';
import { referenceVersionOf } from '../config/reference-version.ts';

export interface CreatePropertyEnv {
  readonly reference: Tool;
  readonly candidate: Tool;
  /** qemu-img and qemu-io as neutral readers of both outputs. */
  readonly qemuImg: string;
  readonly qemuIo: string;
  readonly timeoutMs: number;
  /** The candidate's limit per call, from the reference's time (drivers/candidate-time-limit.ts). */
  readonly candidateTime: CandidateTimePolicy;
  readonly stats: RunStats;
  readonly libyal: LibyalReaders;
  /** The coming case's creates, started early (create-ahead.ts); none: each case starts its own. */
  readonly ahead?: CreatesAhead<CreateCaseStart>;
}

/** Key input classes: they name a finding's signature, so only what a bug hangs on. */
export function createInputClasses(c: CreateCase): string[] {
  return [
    `target=${c.target}`,
    ...c.options.map(([key, value]) => (['subformat', 'preallocation', 'compat'].includes(key) ? `${key}=${value}` : `option=${key}`)),
    ...(c.flaw !== null ? [`flaw=${c.flaw}`] : []),
  ];
}

/** Coverage only: how the size was written and where it falls. */
export function createSizeClasses(c: CreateCase): string[] {
  const classes = [/^\d+$/.test(c.size) ? 'size=plain' : /\./.test(c.size) ? 'size=fraction' : 'size=suffix'];
  const bytes = requestedBytesOf(c);
  if (bytes !== null && bytes % 512n !== 0n) classes.push('size=unaligned');
  if (bytes === 0n) classes.push('size=zero');
  if (bytes !== null && bytes > 2n ** 40n) classes.push('size>1TiB');
  if (bytes !== null && bytes > 2n ** 53n) classes.push('size>2^53');
  return classes;
}

function createRequest(c: CreateCase, file: string): CreateRequest {
  return { op: 'create', format: c.target, options: c.options, file, size: c.size };
}

interface Observed {
  /** In oracle order; only the first may be an info difference (the one kind whitelist entries accept). */
  readonly divergences: readonly Divergence[];
  readonly inconclusive: string | undefined;
  /** Coverage notes, e.g. "both-rejected". */
  readonly notes: readonly string[];
}

const none = (notes: string[] = []): Observed => ({ divergences: [], inconclusive: undefined, notes });
const inconclusive = (reason: string): Observed => ({ divergences: [], inconclusive: reason, notes: [] });
const diverged = (found: Divergence[], notes: string[] = []): Observed => ({ divergences: found, inconclusive: undefined, notes });

function virtualSizeOf(document: JsonValue): bigint | undefined {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return undefined;
  return exactInteger((document as Record<string, JsonValue>)['virtual-size']);
}

/** qemu-img's info on one output, parsed when it succeeded. */
async function readInfo(env: CreatePropertyEnv, c: CreateCase, file: string) {
  const info: InfoRequest = { op: 'info', file, format: c.target, output: 'json' };
  const infoOutcome = await runTool(env.reference, info, env.timeoutMs);
  const parsed = succeeded(infoOutcome) ? parseInfoJson(infoOutcome.stdout) : undefined;
  return { infoOutcome, document: parsed?.kind === 'parsed' ? (parsed.document as JsonValue) : undefined };
}

function runCheck(env: CreatePropertyEnv, c: CreateCase, file: string): Promise<ProcessOutcome> {
  const check: CheckRequest = { op: 'check', file, format: c.target, output: 'json' };
  return runTool(env.reference, check, env.timeoutMs);
}

/**
 * What is read of the reference's own output before the candidate's is
 * seen: its info. Everything else about the reference's output is read only
 * when the candidate's reading needs it (issue 12): a candidate image that
 * checks clean, reads as zeros and satisfies its reader is judged without
 * the reference's.
 */
function readReference(env: CreatePropertyEnv, c: CreateCase, file: string) {
  return readInfo(env, c, file);
}

type ReferenceReading = Awaited<ReturnType<typeof readReference>>;

/** The candidate's image read as zeros at the size qemu-img info gave it. */
function zerosOf(env: CreatePropertyEnv, c: CreateCase, file: string, size: bigint, dir: string): Promise<ZeroReading> {
  return readsAsZeros(env, file, c.target, size, dir);
}

/** The oracles, in order: exit codes, readability, info, check, content, independent reader. */
async function observe(
  env: CreatePropertyEnv,
  c: CreateCase,
  outcomes: { reference: ProcessOutcome; candidate: ProcessOutcome },
  outputs: { reference: string; candidate: string },
  dir: string,
  referenceReading: Promise<ReferenceReading | undefined>,
): Promise<Observed> {
  const verdict = compareOutcomes(outcomes.reference, outcomes.candidate, { exactExitCodes: true });
  if (verdict.kind === 'inconclusive') return inconclusive(verdict.reason);
  if (verdict.kind === 'diverge') return diverged([verdict.divergence]);
  if (!verdict.bothSucceeded) return none(['both-rejected', ...(c.flaw === null ? ['reference-rejected-valid-case'] : [])]);
  const notes = c.flaw !== null ? ['reference-accepted-flawed-case'] : [];

  const ref = await referenceReading;
  if (ref === undefined) throw new Error('the reference succeeded but its output was not read');
  if (ref.document === undefined) {
    return inconclusive(`qemu-img info cannot read qemu-img's own output: ${readerFailureLine(ref.infoOutcome)}`);
  }
  const referenceSize = virtualSizeOf(ref.document);
  // The candidate's readers side by side; its zero read starts at the
  // reference's size and is redone in the rare case its own size differs.
  const checked = !FORMATS_WITHOUT_CHECKS.has(c.target);
  const [cand, candidateCheck, candidateLibyal, speculativeZeros] = await Promise.all([
    readInfo(env, c, outputs.candidate),
    checked ? runCheck(env, c, outputs.candidate) : undefined,
    env.libyal.read(c.target, outputs.candidate, env.timeoutMs),
    referenceSize !== undefined ? zerosOf(env, c, outputs.candidate, referenceSize, dir) : undefined,
  ]);
  if (cand.document === undefined) {
    return diverged(
      [
        divergence(
          'output-unreadable',
          `qemu-img info cannot read the candidate's ${c.target} output (it reads the reference's)`,
          describeReaderFailure(cand.infoOutcome),
          { reader: 'qemu-img info', referenceVirtualSize: referenceSize ?? null },
        ),
      ],
      notes,
    );
  }

  const found: Divergence[] = [];
  const askedLogSize = optionValue(c.options, 'log_size') !== undefined;
  const referenceInfo = normaliseCreateInfo(ref.document, { file: outputs.reference, target: c.target, askedLogSize });
  const candidateInfo = normaliseCreateInfo(cand.document, { file: outputs.candidate, target: c.target, askedLogSize });
  const info = compareCreateInfo(referenceInfo, candidateInfo);
  if (info.differences.length > 0) {
    found.push(
      divergence(
        'metadata',
        `qemu-img info differs after normalising: ${info.differences.map((d) => `${d.path} ${d.reference} vs ${d.candidate}`).join('; ')}`,
        `json-diff of the normalised info (- reference, + candidate):\n${info.diffText}`,
        {
          document: 'info',
          differences: info.differences as unknown as JsonValue,
          createCase: c as unknown as JsonValue,
          referenceInfo,
          candidateInfo,
        },
      ),
    );
  }

  // Every reader reads the reference's output the same way: when it fails
  // there, its oracle cannot judge (never blamed on the candidate).
  const unjudged: string[] = [];
  if (candidateCheck !== undefined && !checksClean(candidateCheck)) {
    const referenceCheck = await runCheck(env, c, outputs.reference);
    const check = compareCleanliness(referenceCheck, candidateCheck);
    if (check !== undefined) found.push(divergence('metadata', check.summary, check.detail, { document: 'check' }));
    if (referenceCheck.termination.kind !== 'exited') {
      unjudged.push(`qemu-img check did not finish on qemu-img's own output: ${readerFailureLine(referenceCheck)}`);
    }
  }
  const candidateSize = virtualSizeOf(cand.document);
  if (candidateSize !== undefined && referenceSize !== undefined) {
    const zeros = candidateSize === referenceSize && speculativeZeros !== undefined ? speculativeZeros : await zerosOf(env, c, outputs.candidate, candidateSize, dir);
    const referenceZeros = zeros.kind === 'zeros' ? zeros : await zerosOf(env, c, outputs.reference, referenceSize, dir);
    if (referenceZeros.kind === 'unreadable') {
      unjudged.push(`zero read-back: qemu-img's own output cannot be read: ${readerFailureLine(referenceZeros.outcome)}`);
    } else if (referenceZeros.kind === 'not-zeros') {
      unjudged.push(`zero read-back: qemu-img's own fresh image is not zeros: ${referenceZeros.summary}`);
    } else {
      notes.push(`content=${zeros.kind === 'zeros' ? zeros.proof : zeros.kind}`);
      if (zeros.kind === 'not-zeros') {
        found.push(divergence('content', zeros.summary, zeros.detail, { offset: zeros.offset, virtualSize: candidateSize }));
      } else if (zeros.kind === 'unreadable') {
        found.push(
          divergence(
            'output-unreadable',
            "qemu-img info opens the candidate's output but its data cannot be read (the reference's reads as zeros)",
            describeReaderFailure(zeros.outcome),
            { reader: zeros.outcome.argv[0] ?? '', virtualSize: candidateSize },
          ),
        );
      }
    }
  }
  if (candidateSize !== undefined) {
    const candidateView = { virtualSize: candidateSize, document: cand.document };
    const referenceLibyal = libyalNeedsReference(candidateLibyal, candidateView, predictedVhdiType(c.target, c.options))
      ? await env.libyal.read(c.target, outputs.reference, env.timeoutMs)
      : undefined;
    // An optional reader that cannot parse qemu-img's own image (qcowinfo
    // and extended_l2 or zstd) judges neither side; the case's other oracles
    // still do, so it is a coverage note, not an inconclusive case.
    if (referenceLibyal?.kind === 'refused') notes.push(`libyal-unjudged=${referenceLibyal.reader}`);
    const libyal = compareLibyal(referenceLibyal, candidateLibyal, candidateView);
    if (libyal !== undefined) {
      const refused = candidateLibyal?.kind === 'refused' ? candidateLibyal : undefined;
      const detail = refused === undefined ? '' : describeReaderFailure(refused.outcome);
      found.push(divergence(refused !== undefined ? 'output-unreadable' : 'metadata', libyal.summary, detail, { document: 'libyal', ...libyal.data }));
    }
  }
  if (found.length === 0 && unjudged.length > 0) return { ...inconclusive(unjudged.join('; ')), notes };
  return diverged(found, notes);
}

/** A create case under way: its directory and outputs, both creates, and the reading of the reference's output. */
export interface CreateCaseStart {
  readonly dir: string;
  readonly outputs: { readonly reference: string; readonly candidate: string };
  readonly pair: { readonly reference: Promise<ProcessOutcome>; readonly candidate: Promise<ProcessOutcome> };
  readonly referenceReading: Promise<ReferenceReading | undefined>;
}

/** Starts a case's two creates in a fresh directory; the reference's output is read while the candidate still runs. */
export function startCreateCase(env: CreatePropertyEnv, c: CreateCase): StartedCase<CreateCaseStart> {
  const workspace = scratchDirSync('case');
  const dir = workspace.path;
  const outputs = { reference: join(dir, `reference.${c.target}`), candidate: join(dir, `candidate.${c.target}`) };
  const pair = startReferenceAndCandidate(env, createRequest(c, outputs.reference), createRequest(c, outputs.candidate));
  const referenceReading = pair.reference.then((outcome) => (succeeded(outcome) ? readReference(env, c, outputs.reference) : undefined));
  return {
    state: { dir, outputs, pair, referenceReading },
    // Every reader is done before the case directory goes.
    finish: async () => {
      await Promise.allSettled([pair.reference, pair.candidate, referenceReading]);
      await workspace.cleanup();
    },
  };
}

function describeCase(c: CreateCase): string {
  const bytes = c.requestedBytes === null ? 'not a size qemu-img accepts' : `${c.requestedBytes} bytes`;
  const flaw = c.flaw === null ? 'a valid case' : `meant to be rejected (${c.flaw})`;
  return `\`${describeCreateCommand(c)}\`: a ${c.target} image of "${c.size}" (${bytes}), ${c.options.length} option(s); ${flaw}.`;
}

/**
 * One create case: both tools create the same image; exit codes must agree;
 * then qemu-img's normalised info, check and a zero read-back hold the
 * candidate's image to the reference's. Throws a FindingError on a
 * divergence no whitelist entry accepts.
 */
export async function checkCreateCase(env: CreatePropertyEnv, c: CreateCase): Promise<void> {
  env.stats.runs++;
  const inputClasses = createInputClasses(c);
  env.stats.classify([...inputClasses, ...createSizeClasses(c)]);
  const facts: CreateFacts = { createCase: c };

  const started = (await env.ahead?.take(c)) ?? startCreateCase(env, c);
  try {
    const { dir, outputs, pair, referenceReading } = started.state;
    // The coming case's creates start once this candidate is done (create-ahead.ts).
    const [reference, candidate] = await Promise.all([pair.reference, pair.candidate.finally(() => env.ahead?.release())]);
    const observed = await observe(env, c, { reference, candidate }, outputs, dir, referenceReading);
    env.stats.classify(observed.notes);
    if (observed.inconclusive !== undefined) {
      env.stats.inconclusive.push(`${describeCreateCommand(c)}: ${observed.inconclusive}`);
      return;
    }
    const [first, ...rest] = observed.divergences;
    const accepted = matchCreateWhitelist(facts, first === undefined ? undefined : { divergence: first, reference, candidate }, env.stats, referenceVersionOf(env.reference));
    const unaccepted = accepted === undefined ? observed.divergences : rest;
    const [reported, ...others] = unaccepted;
    if (reported === undefined) return;

    const names = new Map([
      [outputs.reference, `reference.${c.target}`],
      [outputs.candidate, `candidate.${c.target}`],
      [dir, '.'],
    ]);
    const context = [
      ...(accepted !== undefined && first !== undefined
        ? [`Also seen, and accepted as documented (${accepted.map((e) => e.id).join(', ')}): ${first.summary}`]
        : []),
      ...others.map((d) => `Also seen (${d.kind}): ${d.summary}`),
    ];
    const shown = (d: Divergence, extra: readonly string[]): Divergence => ({
      ...d,
      summary: renamePaths(d.summary, names),
      detail: renamePaths([d.detail, ...extra].filter((t) => t !== '').join('\n\n'), names),
    });
    const argsOf = (tool: Tool, file: string): string[] => argvFor(tool, createRequest(c, file)).slice(tool.command.length);
    const finding = (divergence: Divergence): Finding => ({
      operation: 'create',
      caseValue: c as unknown as JsonValue,
      caseInWords: describeCase(c),
      divergence,
      reference: renameOutcome(reference, names),
      candidate: renameOutcome(candidate, names),
      inputClasses,
      repro: {
        inputs: [],
        referenceArgs: argsOf(env.reference, `reference.${c.target}`),
        candidateArgs: argsOf(env.candidate, `candidate.${c.target}`),
        compare: createCompareLines(c.target, optionValue(c.options, 'log_size') !== undefined),
      },
    });
    // The others travel too: one already known must not hide the rest.
    throw new FindingError(
      finding(shown(reported, context)),
      others.map((d) => finding(shown(d, []))),
    );
  } finally {
    await started.finish();
  }
}
