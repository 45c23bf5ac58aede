import { casesPerSecond, formatDuration, signaturesOf, type PropertySummary } from './summary.ts';

export interface ProgressRow {
  readonly summary: PropertySummary;
  readonly status: 'waiting' | 'running' | 'done';
  /** Until this property's budget runs out; undefined without a time budget. */
  readonly timeLeftMs: number | undefined;
}

/** "dd        running    1234 cases   8.1/s   2 findings (1 sig.)   0 inconcl.   4m10s left" */
export function progressRow(row: ProgressRow): string {
  const s = row.summary;
  const inconclusive = s.stats.reduce((n, st) => n + st.inconclusive.length, 0);
  const signatures = signaturesOf(s.findings).length;
  const state = row.status === 'running' && s.shrinking ? `shrinking (${s.shrinks} steps)` : row.status;
  const left = row.status === 'done' ? '' : row.timeLeftMs !== undefined ? `${formatDuration(row.timeLeftMs)} left` : '';
  return [
    s.name.padEnd(10),
    state.padEnd(22),
    `${String(s.cases).padStart(7)} cases`,
    `${casesPerSecond(s).toFixed(1).padStart(6)}/s`,
    `${String(s.findings.length).padStart(3)} finding${s.findings.length === 1 ? ' ' : 's'}${signatures > 0 ? ` (${signatures} sig.)` : ''}`.padEnd(22),
    `${String(inconclusive).padStart(3)} inconclusive`,
    `${String(s.errors.length > 0 ? 'ERROR' : '').padEnd(5)}`,
    left,
  ].join('  ').trimEnd();
}

/** One line for logs: "[2m30s] dd 1234 (8.1/s) 2 findings | convert … | 7m30s left". */
export function plainProgressLine(elapsedMs: number, rows: readonly ProgressRow[], timeLeftMs: number | undefined): string {
  const parts = rows.map((r) => {
    const s = r.summary;
    const state = r.status === 'running' && s.shrinking ? ` shrinking (${s.shrinks} steps)` : r.status === 'waiting' ? ' waiting' : r.status === 'done' ? ' done' : '';
    return `${s.name}${state} ${s.cases} cases (${casesPerSecond(s).toFixed(1)}/s) ${s.findings.length} finding(s)`;
  });
  const left = timeLeftMs !== undefined ? ` | ${formatDuration(timeLeftMs)} left` : '';
  return `[${formatDuration(elapsedMs)}] ${parts.join(' | ')}${left}`;
}

/** Redraws a block of rows in place on a terminal. */
export class TerminalBlock {
  private drawn = 0;

  /** `columns`: lines are cut to the terminal's width, so none wraps and the redraw stays in place. */
  constructor(
    private readonly write: (text: string) => void,
    private readonly columns: () => number | undefined,
  ) {}

  draw(lines: readonly string[]): void {
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    const width = this.columns();
    const fit = (line: string): string => (width !== undefined && line.length >= width ? line.slice(0, Math.max(0, width - 1)) : line);
    this.write(`${up}${lines.map((l) => `\x1b[2K${fit(l)}\n`).join('')}`);
    this.drawn = lines.length;
  }
}
