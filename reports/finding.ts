import type { ProcessOutcome } from '../drivers/process-outcome.ts';
import type { Operation } from '../drivers/requests.ts';
import type { RecipeStep } from '../images/recipe.ts';
import type { Divergence, JsonValue } from '../oracles/divergence.ts';
import type { Signature } from './signature.ts';

/** One earlier command of a sequence, run on both sides before the one that diverged. */
export interface ReproCommand {
  /** What the step does, for the script's comment, e.g. "snapshot -c 'alpha'". */
  readonly title: string;
  /** qemu-io runs the same on both copies; `tools` runs the reference and the candidate. */
  readonly via: 'tools' | 'qemu-io';
  readonly referenceArgs: readonly string[];
  readonly candidateArgs: readonly string[];
  /** Where each side runs, relative to repro.sh's directory (commit runs in the side's directory); unset: there. */
  readonly cwd?: { readonly reference: string; readonly candidate: string };
}

/** How repro.sh rebuilds an input and what it then runs. */
export interface ReproPlan {
  /** Inputs to build, by file name in the repro's working directory. */
  readonly inputs: ReadonlyArray<{ readonly file: string; readonly steps: readonly RecipeStep[] }>;
  /** Tool arguments (after the tool's own command), with repro file names. */
  readonly referenceArgs: readonly string[];
  readonly candidateArgs: readonly string[];
  /** Shell lines run after both tools; they set `diverged=1` when the divergence shows. */
  readonly compare: readonly string[];
  /**
   * For a sequence (the life cycle): the commands that came before, numbered
   * 1…n in the script, and how the last one (numbered n+1) runs.
   */
  readonly sequence?: readonly ReproCommand[];
  readonly lastVia?: 'tools' | 'qemu-io';
  /** Where each side runs the last command, as ReproCommand.cwd. */
  readonly lastCwd?: { readonly reference: string; readonly candidate: string };
}

/** One shrunk counterexample, with everything a bug report needs. */
export interface Finding {
  readonly operation: Operation;
  /** The counterexample exactly as generated (replayable through the corpus). */
  readonly caseValue: JsonValue;
  /** The case in plain words. */
  readonly caseInWords: string;
  readonly divergence: Divergence;
  /** Outcomes with scratch paths replaced by the repro's file names. */
  readonly reference: ProcessOutcome;
  readonly candidate: ProcessOutcome;
  readonly repro: ReproPlan;
  /** Key input classes, e.g. ["target=vpc", "bs=non-512"]: for the report, not the signature. */
  readonly inputClasses: readonly string[];
  /**
   * The signature it is filed under, when it differs from what the
   * divergence alone gives: the part not covered by known signatures.
   */
  readonly signature?: Signature;
}

/** Thrown by a property's check so the reporter can write the report. */
export class FindingError extends Error {
  override readonly name = 'FindingError';
  /**
   * `others`: further divergences the same case showed (info's human output
   * besides its JSON, say), so that one already known does not hide the
   * rest: the signature gate files the first that is not known.
   */
  constructor(
    readonly finding: Finding,
    readonly others: readonly Finding[] = [],
  ) {
    super(`${finding.operation}: ${finding.divergence.kind}: ${finding.divergence.summary}\n${finding.divergence.detail}`);
  }
}

/** Replaces scratch paths by stable file names so reports never depend on temp dirs. */
export function renamePaths(text: string, names: ReadonlyMap<string, string>): string {
  let out = text;
  // Longest first, so a path is not half-replaced by a prefix of itself.
  for (const [path, name] of [...names].sort((a, b) => b[0].length - a[0].length)) out = out.split(path).join(name);
  return out;
}

export function renameOutcome(outcome: ProcessOutcome, names: ReadonlyMap<string, string>): ProcessOutcome {
  return {
    ...outcome,
    argv: outcome.argv.map((a) => renamePaths(a, names)),
    stdout: renamePaths(outcome.stdout, names),
    stderr: renamePaths(outcome.stderr, names),
  };
}

/** A divergence with scratch paths replaced by stable file names, in its summary, detail and data alike. */
export function renameDivergence(divergence: Divergence, names: ReadonlyMap<string, string>): Divergence {
  const rename = (text: string): string => renamePaths(text, names);
  return { ...divergence, summary: rename(divergence.summary), detail: rename(divergence.detail), data: JSON.parse(rename(JSON.stringify(divergence.data))) as Divergence['data'] };
}
