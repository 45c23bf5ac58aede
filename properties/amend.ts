import { createHash } from 'node:crypto';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { amendCreateOptions, amendOptions, type AmendCase } from '../arbitraries/amend-case.ts';
import type { CandidateTimePolicy } from '../drivers/candidate-time-limit.ts';
import { describeTermination, exitedWith, type ProcessOutcome } from '../drivers/process-outcome.ts';
import type { AmendRequest } from '../drivers/requests.ts';
import { runProcess } from '../drivers/run-process.ts';
import { runReferenceAndCandidate } from '../drivers/run-pair.ts';
import { argvFor, type Tool } from '../drivers/tool.ts';
import { expectedContent } from '../images/expected-content.ts';
import { describeSpec } from '../images/image-spec.ts';
import type { RecipeStep } from '../images/recipe.ts';
import { predictedVirtualSize } from '../images/virtual-size.ts';
import { checksClean, compareCleanliness } from '../oracles/create-check.ts';
import { contentDivergence } from '../oracles/content.ts';
import { divergence, type Divergence, type JsonValue } from '../oracles/divergence.ts';
import { parseExactJson } from '../oracles/exact-json.ts';
import { compareCreateInfo, normaliseCreateInfo } from '../oracles/info-json.ts';
import { compareOutcomes } from '../oracles/outcome.ts';
import { readImage } from '../oracles/read-image.ts';
import type { RunStats } from '../oracles/run-stats.ts';
import { FindingError, renameOutcome, renamePaths, type Finding } from '../reports/finding.ts';
import { referenceVersionOf } from '../config/reference-version.ts';
import { amendWhitelist, matchWhitelist, type AmendFacts, type WhitelistTally } from '../whitelist.ts';
import { runSteps } from './check-derived-images.ts';
import { withCaseDir } from './case-workspace.ts';

export interface AmendPropertyEnv {
  readonly reference: Tool;
  readonly candidate: Tool;
  readonly qemuIo: string;
  readonly timeoutMs: number;
  readonly candidateTime: CandidateTimePolicy;
  readonly stats: RunStats;
}

/** The source as qemu-img/qemu-io steps: created with the case's options, then the spec's writes. */
export function amendSourceSteps(amendCase: AmendCase, file: string): RecipeStep[] {
  const options = amendCreateOptions(amendCase).map(([k, v]) => `${k}=${v}`).join(',');
  const writes = amendCase.source.extents.flatMap((e) => ['-c', `write -P ${e.fill} ${e.offset} ${e.length}`]);
  return [
    { tool: 'qemu-img', args: ['create', '-q', '-f', 'qcow2', '-o', options, file, String(amendCase.source.size)] },
    ...(writes.length > 0 ? [{ tool: 'qemu-io' as const, args: ['-f', 'qcow2', ...writes, file] }] : []),
  ];
}

function request(file: string, amendCase: AmendCase): AmendRequest {
  return { op: 'amend', file, format: 'qcow2', options: amendOptions(amendCase.change) };
}

/**
 * The suite's model of `qemu-img amend` (checked with 7.2.22 and 10.0.2,
 * which agree): a downgrade to compat=0.10 is refused (exit 1) when the
 * image has refcount_bits other than 16 or extended L2, and lazy refcounts
 * are refused on a v2 image; anything else succeeds. After it, compat and
 * lazy refcounts are as asked (a v2 image has no lazy-refcounts field), the
 * refcount width is kept, the content is unchanged and check is clean.
 */
export interface AmendModel {
  readonly exit: 0 | 1;
  readonly compat: '0.10' | '1.1';
  /** undefined: no lazy-refcounts field (compat=0.10). */
  readonly lazyRefcounts: boolean | undefined;
}

export function amendModel(amendCase: AmendCase): AmendModel {
  const layout = amendCase.source.layout;
  const extendedL2 = layout.format === 'qcow2' && layout.extendedL2;
  const created = Object.fromEntries(amendCreateOptions(amendCase));
  const before: AmendModel = {
    exit: 1,
    compat: created['compat'] === '0.10' ? '0.10' : '1.1',
    lazyRefcounts: created['compat'] === '0.10' ? undefined : created['lazy_refcounts'] === 'on',
  };
  switch (amendCase.change) {
    case 'noop':
      return { ...before, exit: 0 };
    case 'upgrade':
      return { exit: 0, compat: '1.1', lazyRefcounts: false };
    case 'upgrade-lazy':
    case 'lazy-on':
      return { exit: 0, compat: '1.1', lazyRefcounts: true };
    case 'lazy-off':
      return { exit: 0, compat: '1.1', lazyRefcounts: false };
    case 'lazy-on-v2':
      return before;
    case 'downgrade':
    case 'downgrade-zstd':
      // A zstd image is downgraded too: qemu-img rewrites compression_type to zlib.
      return amendCase.refcountBits !== 16 || extendedL2 ? before : { exit: 0, compat: '0.10', lazyRefcounts: undefined };
  }
}

export function amendInputClasses(amendCase: AmendCase): string[] {
  const layout = amendCase.source.layout;
  // The width the image really has: sources that start as v2 always have 16.
  const bits = amendCreateOptions(amendCase).find(([k]) => k === 'refcount_bits')?.[1] ?? '16';
  const classes = [`change=${amendCase.change}`, `refcount_bits=${bits}`];
  if (layout.format === 'qcow2') {
    classes.push(`cluster=${layout.clusterSize}`);
    if (layout.extendedL2) classes.push('extended_l2');
  }
  if (amendModel(amendCase).exit !== 0) classes.push('refused');
  return classes;
}

function formatData(info: JsonValue | undefined): Record<string, JsonValue> | undefined {
  if (info === null || typeof info !== 'object' || Array.isArray(info)) return undefined;
  const specific = (info as Record<string, JsonValue>)['format-specific'];
  if (specific === null || typeof specific !== 'object' || Array.isArray(specific)) return undefined;
  const data = (specific as Record<string, JsonValue>)['data'];
  return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, JsonValue>) : undefined;
}

function parseInfo(outcome: ProcessOutcome): JsonValue | undefined {
  if (!exitedWith(outcome, 0)) return undefined;
  try {
    return parseExactJson(outcome.stdout);
  } catch {
    return undefined;
  }
}

/** qemu-img's own image against the model: a disagreement is the model's or qemu-img's, never the candidate's. */
function modelProblem(amendCase: AmendCase, model: AmendModel, reference: ProcessOutcome, info: JsonValue | undefined): string | undefined {
  if (!exitedWith(reference, model.exit)) return `qemu-img amend should exit ${model.exit}; it gave ${describeTermination(reference.termination)}`;
  const data = formatData(info);
  if (data === undefined) return "qemu-img info gives no qcow2 format-specific data for qemu-img's amended image";
  const refcountBits = amendCreateOptions(amendCase).find(([k]) => k === 'refcount_bits')?.[1] ?? '16';
  const seen = { compat: data['compat'], lazy: data['lazy-refcounts'], bits: data['refcount-bits'] };
  if (seen.compat !== model.compat || seen.lazy !== model.lazyRefcounts || String(seen.bits) !== refcountBits) {
    return `qemu-img's amended image has compat ${String(seen.compat)}, lazy-refcounts ${String(seen.lazy)}, refcount-bits ${String(seen.bits)}; the model says ${model.compat}, ${String(model.lazyRefcounts)}, ${refcountBits}`;
  }
  return undefined;
}

/**
 * One amend case: both tools amend their own copy of the same qcow2 with
 * data. Compared: the exact exit status, qemu-img's normalised info of both
 * (format-specific kept), a clean check, and the content (unchanged: the
 * image spec's). qemu-img is held to a model of amend. Throws a
 * FindingError on a divergence.
 */
export async function checkAmendCase(env: AmendPropertyEnv, amendCase: AmendCase): Promise<void> {
  env.stats.runs++;
  const inputClasses = amendInputClasses(amendCase);
  env.stats.classify(inputClasses);
  const qemuImg = env.reference.command[0] ?? 'qemu-img';
  const toolTimeout = Math.max(env.timeoutMs, 30_000);
  const model = amendModel(amendCase);
  const expected = expectedContent(amendCase.source, predictedVirtualSize(amendCase.source));

  await withCaseDir(async (dir) => {
    const paths = { reference: join(dir, 'reference.qcow2'), candidate: join(dir, 'candidate.qcow2') };
    await runSteps(amendSourceSteps(amendCase, paths.reference), { qemuImg, qemuIo: env.qemuIo, timeoutMs: toolTimeout });
    await copyFile(paths.reference, paths.candidate);
    const digest = async (path: string): Promise<string> => createHash('sha256').update(await readFile(path)).digest('hex');
    const before = await digest(paths.candidate);
    const [reference, candidate] = await runReferenceAndCandidate(env, request(paths.reference, amendCase), request(paths.candidate, amendCase));
    const verdict = compareOutcomes(reference, candidate, { exactExitCodes: true });
    if (verdict.kind === 'inconclusive') {
      env.stats.inconclusive.push(`amend ${inputClasses.join(' ')}: ${verdict.reason}`);
      return;
    }
    const after = async (path: string) => ({
      info: await runProcess([qemuImg, 'info', '-f', 'qcow2', '--output=json', path], { timeoutMs: toolTimeout }),
      check: await runProcess([qemuImg, 'check', '-f', 'qcow2', '--output=json', path], { timeoutMs: toolTimeout }),
      reading: await readImage(qemuImg, path, 'qcow2', dir, toolTimeout),
    });
    // Whitelist entries may accept a refusal only when it left the image as it was.
    const candidateUnchanged = (await digest(paths.candidate)) === before;
    const ref = await after(paths.reference);
    const cand = await after(paths.candidate);
    const refInfo = parseInfo(ref.info);

    const found: Divergence[] = [];
    const problem =
      modelProblem(amendCase, model, reference, refInfo) ??
      (!checksClean(ref.check) ? "qemu-img's amended image does not check clean" : undefined) ??
      (ref.reading.kind !== 'read' || !ref.reading.bytes.equals(expected) ? "qemu-img's amended image does not read as the image spec's content" : undefined);
    if (problem !== undefined) found.push(divergence('model-mismatch', problem, ref.info.stdout.trim()));
    if (verdict.kind === 'diverge') found.push(verdict.divergence);
    const candInfo = parseInfo(cand.info);
    if (refInfo !== undefined && candInfo === undefined) {
      found.push(divergence('output-unreadable', "qemu-img info cannot read the candidate's amended image", cand.info.stderr.trim()));
    } else if (refInfo !== undefined && candInfo !== undefined) {
      const comparison = compareCreateInfo(
        normaliseCreateInfo(refInfo, { file: paths.reference, target: 'qcow2', askedLogSize: false }),
        normaliseCreateInfo(candInfo, { file: paths.candidate, target: 'qcow2', askedLogSize: false }),
      );
      if (comparison.differences.length > 0) {
        found.push(
          divergence('metadata', `qemu-img info differs after normalising: ${comparison.differences.map((d) => `${d.path} ${d.reference} vs ${d.candidate}`).join('; ')}`, comparison.diffText, {
            document: 'info',
            paths: comparison.differences.map((d) => d.path),
          }),
        );
      }
    }
    const cleanliness = compareCleanliness(ref.check, cand.check);
    if (cleanliness !== undefined) found.push(divergence('metadata', cleanliness.summary, cleanliness.detail, { document: 'check' }));
    if (cand.reading.kind === 'unreadable') {
      found.push(divergence('output-unreadable', "qemu-img cannot read the candidate's amended image", cand.reading.outcome.stderr.trim()));
    } else {
      const content = contentDivergence(expected, cand.reading.bytes);
      if (content !== undefined) found.push(content);
    }
    const facts: AmendFacts = { amendCase, referenceRefuses: model.exit !== 0 };
    const version = referenceVersionOf(env.reference);
    if (found.length === 0) {
      matchWhitelist(amendWhitelist, facts, undefined, env.stats, version);
      return;
    }
    // Each divergence needs its own acceptance: a known one never hides another.
    const hitsOnly: WhitelistTally = { eligible: () => undefined, hit: (id) => env.stats.hit(id) };
    const unaccepted = found
      .map((d) => ({ ...d, data: { ...d.data, candidateUnchanged } }))
      .find(
        (d, i) =>
          d.kind === 'model-mismatch' || matchWhitelist(amendWhitelist, facts, { divergence: d, reference, candidate }, i === 0 ? env.stats : hitsOnly, version) === undefined,
      );
    if (unaccepted === undefined) return;
    throw new FindingError(finding(env, amendCase, inputClasses, unaccepted, reference, candidate, paths));
  });
}

function finding(
  env: AmendPropertyEnv,
  amendCase: AmendCase,
  inputClasses: string[],
  found: Divergence,
  reference: ProcessOutcome,
  candidate: ProcessOutcome,
  paths: { reference: string; candidate: string },
): Finding {
  const names = new Map([
    [paths.reference, 'reference.qcow2'],
    [paths.candidate, 'candidate.qcow2'],
  ]);
  const argsOf = (tool: Tool, file: string): string[] => argvFor(tool, request(file, amendCase)).slice(tool.command.length);
  const options = amendOptions(amendCase.change).map(([k, v]) => `${k}=${v}`).join(',');
  const created = amendCreateOptions(amendCase).map(([k, v]) => `${k}=${v}`).join(',');
  return {
    operation: 'amend',
    caseValue: amendCase as unknown as JsonValue,
    caseInWords: `\`amend -o ${options}\` (${amendCase.change}) on a qcow2 created with ${created}: ${describeSpec(amendCase.source)}.`,
    divergence: { ...found, summary: renamePaths(found.summary, names), detail: renamePaths(found.detail, names) },
    reference: renameOutcome(reference, names),
    candidate: renameOutcome(candidate, names),
    inputClasses,
    repro: {
      inputs: [
        { file: 'reference.qcow2', steps: amendSourceSteps(amendCase, 'reference.qcow2') },
        { file: 'candidate.qcow2', steps: amendSourceSteps(amendCase, 'candidate.qcow2') },
      ],
      referenceArgs: argsOf(env.reference, 'reference.qcow2'),
      candidateArgs: argsOf(env.candidate, 'candidate.qcow2'),
      compare: [
        'if [ "$reference_rc" -ne "$candidate_rc" ]; then echo "amend exit codes differ"; diverged=1; fi',
        'for side in reference candidate; do "$QEMU_IMG" info -f qcow2 --output=json "$side.qcow2" | grep -E \'"(compat|lazy-refcounts|refcount-bits|corrupt|extended-l2)"\' > "$side.info"; done',
        'diff reference.info candidate.info && echo "format-specific agrees" || { echo "format-specific differs (< reference, > candidate)"; diverged=1; }',
      ],
    },
  };
}
