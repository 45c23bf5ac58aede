import type { Operation } from '../drivers/requests.ts';
import type { Observation } from '../oracles/divergence.ts';

/**
 * What the model-based properties (life cycle, chain) share: a sequence of
 * steps, each planned against the model and checked on both sides, until
 * the first that parts them. Each property brings its own model, plan and
 * step check; the loop, the record of what ran and whom a failure blames
 * are the same.
 */

/** What one step's check concluded. */
export type StepVerdict<Model> =
  /** The sides agree; `rolledBack` names the whitelist entry whose refusal undid the step on both sides. */
  | { readonly kind: 'next'; readonly model: Model; readonly rolledBack?: string }
  /** The reference did not finish (inconclusive): the sequence ends without a verdict. */
  | { readonly kind: 'stop' }
  | { readonly kind: 'diverged'; readonly observation: Observation };

/** A step that ran and agreed, for the report's numbered list and repro.sh. */
export interface StepRecord<Planned> {
  readonly planned: Planned;
  readonly rolledBack: string | undefined;
}

/** The step that parted the sides. */
export interface StepFailure<Planned> {
  readonly index: number;
  readonly planned: Planned;
  readonly observation: Observation;
}

export interface SequenceOutcome<Planned> {
  readonly records: readonly StepRecord<Planned>[];
  readonly failure: StepFailure<Planned> | undefined;
}

export async function runSequence<Step, Model, Planned>(
  steps: readonly Step[],
  initial: Model,
  plan: (model: Model, step: Step) => Planned,
  check: (model: Model, step: Step, planned: Planned) => Promise<StepVerdict<Model>>,
): Promise<SequenceOutcome<Planned>> {
  const records: StepRecord<Planned>[] = [];
  let model = initial;
  for (const [index, step] of steps.entries()) {
    const planned = plan(model, step);
    const verdict = await check(model, step, planned);
    if (verdict.kind === 'stop') return { records, failure: undefined };
    if (verdict.kind === 'diverged') return { records, failure: { index, planned, observation: verdict.observation } };
    records.push({ planned, rolledBack: verdict.rolledBack });
    model = verdict.model;
  }
  return { records, failure: undefined };
}

/**
 * The operation a failure is filed under: the failing step's own, or, for
 * a step both sides run with qemu-io (which only the candidate's earlier
 * work can make fail), the last operation the candidate ran.
 */
export function blamedOperation<Planned>(
  failing: Planned,
  records: readonly StepRecord<Planned>[],
  operationOf: (planned: Planned) => Operation | undefined,
  fallback: Operation,
): Operation {
  return operationOf(failing) ?? [...records].reverse().map((r) => operationOf(r.planned)).find((op) => op !== undefined) ?? fallback;
}

/** The steps as a report numbers them: each that ran (saying when a documented refusal rolled it back), then the failing one. */
export function numberedLabels<Planned extends { readonly label: string }>(records: readonly StepRecord<Planned>[], failing: Planned): string[] {
  const ran = records.map((r) => r.planned.label + (r.rolledBack !== undefined ? ` (the candidate's documented refusal, ${r.rolledBack}: both sides rolled back)` : ''));
  return [...ran, failing.label];
}
