import { shellJoin, shellQuote } from './shell-quote.ts';

export interface ReplayTarget {
  readonly propertyFile: string;
  readonly seed: number;
  readonly path: string | undefined;
  /** Tool-choosing variables as the failing run had them. */
  readonly env: Readonly<Record<string, string>>;
}

/** The one line that replays a failure exactly. */
export function replayCommand(target: ReplayTarget): string {
  const vars = Object.entries(target.env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  vars.push(`FC_SEED=${target.seed}`);
  if (target.path !== undefined) vars.push(`FC_PATH=${shellQuote(target.path)}`);
  return `${vars.join(' ')} ${shellJoin(['npx', 'vitest', 'run', target.propertyFile])}`;
}
