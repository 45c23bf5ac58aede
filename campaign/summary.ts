import type { ProcessCounters } from '../drivers/run-process.ts';
import type { SignatureCount } from '../hunting/signature-gate.ts';
import { signatureText } from '../reports/signature.ts';
import type { JobSnapshot, RunStatsJson, SnapshotFinding } from '../hunting/job-snapshot.ts';

/** One RunStats name's counters, summed over every process of a property. */
export interface MergedStats {
  readonly name: string;
  readonly runs: number;
  readonly inconclusive: readonly string[];
  readonly whitelistEligible: Readonly<Record<string, number>>;
  readonly whitelistHits: Readonly<Record<string, number>>;
  readonly classes: Readonly<Record<string, number>>;
}

/** A case that was being shrunk when its process died: saved to the corpus, no report. */
export interface RescuedCase {
  readonly corpusFile: string;
  readonly summary: string;
}

export interface PropertySummary {
  readonly name: string;
  readonly file: string;
  /** Cases run before failures (corpus examples included). */
  readonly cases: number;
  readonly shrinks: number;
  /** Process-time the property ran, summed over its processes. */
  readonly elapsedMs: number;
  /** From its first process's start to its last one's latest snapshot. */
  readonly wallMs: number;
  readonly processes: ProcessCounters;
  readonly findings: readonly SnapshotFinding[];
  /** Known signatures met and counted without stopping (filed earlier in the campaign, or --known). */
  readonly known: readonly SignatureCount[];
  /** New signatures met while another was being shrunk. */
  readonly setAside: readonly SignatureCount[];
  readonly rescued: readonly RescuedCase[];
  readonly errors: readonly string[];
  readonly stats: readonly MergedStats[];
  readonly shrinking: boolean;
}

function addCounts(into: Map<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [key, n] of Object.entries(from)) into.set(key, (into.get(key) ?? 0) + n);
}

export function mergeStats(all: readonly RunStatsJson[]): MergedStats[] {
  const byName = new Map<string, { runs: number; inconclusive: string[]; eligible: Map<string, number>; hits: Map<string, number>; classes: Map<string, number> }>();
  for (const s of all) {
    let m = byName.get(s.property);
    if (m === undefined) {
      m = { runs: 0, inconclusive: [], eligible: new Map(), hits: new Map(), classes: new Map() };
      byName.set(s.property, m);
    }
    m.runs += s.runs;
    m.inconclusive.push(...s.inconclusive);
    addCounts(m.eligible, s.whitelistEligible);
    addCounts(m.hits, s.whitelistHits);
    addCounts(m.classes, s.classes);
  }
  return [...byName].map(([name, m]) => ({
    name,
    runs: m.runs,
    inconclusive: m.inconclusive,
    whitelistEligible: Object.fromEntries(m.eligible),
    whitelistHits: Object.fromEntries(m.hits),
    classes: Object.fromEntries(m.classes),
  }));
}

export function summarise(
  property: { name: string; file: string },
  snapshots: readonly JobSnapshot[],
  extra: { rescued: readonly RescuedCase[]; errors: readonly string[] },
): PropertySummary {
  const sum = (f: (s: JobSnapshot) => number): number => snapshots.reduce((n, s) => n + f(s), 0);
  return {
    name: property.name,
    file: property.file,
    cases: sum((s) => s.cases),
    shrinks: sum((s) => s.shrinks),
    elapsedMs: sum((s) => s.updatedAt - s.startedAt),
    wallMs: snapshots.length === 0 ? 0 : Math.max(...snapshots.map((s) => s.updatedAt)) - Math.min(...snapshots.map((s) => s.startedAt)),
    processes: {
      spawned: sum((s) => s.processes.spawned),
      childWallMs: sum((s) => s.processes.childWallMs),
      busyMs: sum((s) => s.processes.busyMs),
    },
    findings: snapshots.flatMap((s) => s.findings),
    known: mergeCounts(snapshots.flatMap((s) => s.known ?? [])),
    setAside: mergeCounts(snapshots.flatMap((s) => s.setAside ?? [])),
    rescued: extra.rescued,
    errors: [...snapshots.flatMap((s) => s.errors), ...extra.errors],
    stats: mergeStats(snapshots.flatMap((s) => s.stats)),
    shrinking: snapshots.some((s) => s.phase === 'shrinking'),
  };
}

/** Counts of the same signature from several processes, added up; most frequent first. */
export function mergeCounts(all: readonly SignatureCount[]): SignatureCount[] {
  const byId = new Map<string, SignatureCount>();
  for (const c of all) {
    const was = byId.get(c.id);
    byId.set(c.id, { ...c, count: (was?.count ?? 0) + c.count });
  }
  return [...byId.values()].sort((a, b) => b.count - a.count || a.id.localeCompare(b.id));
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Every check counts, shrink steps included: the suite's throughput. */
export function casesPerSecond(summary: Pick<PropertySummary, 'cases' | 'shrinks' | 'elapsedMs'>): number {
  return summary.elapsedMs > 0 ? ((summary.cases + summary.shrinks) * 1000) / summary.elapsedMs : 0;
}

function percent(n: number, of: number): string {
  return of > 0 ? `${((100 * n) / of).toFixed(1)}%` : '-';
}

/** Distinct signatures among findings, with how often each came up in this campaign and whether it was new to the findings directory. */
export function signaturesOf(findings: readonly SnapshotFinding[]): Array<{ id: string; folder: string; times: number; text: string; isNew: boolean }> {
  const byId = new Map<string, { id: string; folder: string; times: number; text: string; isNew: boolean }>();
  for (const f of findings) {
    const seen = byId.get(f.id);
    if (seen) seen.times++;
    else byId.set(f.id, { id: f.id, folder: f.folder, times: 1, text: signatureText(f.signature), isNew: f.newSignature });
  }
  return [...byId.values()];
}

/** Coverage classes grouped by their prefix ("target=…", "bs=…"), each as a share of the cases. */
export function renderClasses(stats: MergedStats): string[] {
  const groups = new Map<string, Array<[string, number]>>();
  for (const [label, n] of Object.entries(stats.classes).sort(([a], [b]) => a.localeCompare(b))) {
    const key = label.includes('=') ? label.slice(0, label.indexOf('=')) : '(flags)';
    groups.set(key, [...(groups.get(key) ?? []), [label, n]]);
  }
  return [...groups].map(([key, labels]) => `    ${key.padEnd(10)} ${labels.map(([l, n]) => `${l} ${percent(n, stats.runs)}`).join(', ')}`);
}

/** Entries eligible this often and never needed are probably fixed upstream. */
export const STALE_WHITELIST_MIN_ELIGIBLE = 20;

/**
 * `warnStale: false` silences the "never needed" warnings where they would
 * say nothing (config/suite-context.ts, staleWhitelistMeansFixed).
 */
export function renderPropertySummary(s: PropertySummary, shown: (path: string) => string, warnStale = true): string {
  const rate = casesPerSecond(s).toFixed(1);
  const overall = s.wallMs > 0 && s.elapsedMs > s.wallMs * 1.2 ? ` (${(((s.cases + s.shrinks) * 1000) / s.wallMs).toFixed(1)}/s in all, processes side by side)` : '';
  const busy = s.elapsedMs > 0 ? ` tool processes busy ${percent(s.processes.busyMs, s.elapsedMs)} of the time,` : '';
  const perCase = s.cases + s.shrinks > 0 ? (s.processes.spawned / (s.cases + s.shrinks)).toFixed(1) : '-';
  const signatures = signaturesOf(s.findings);
  const lines = [
    `${s.name}  (${s.file})`,
    `  runs         ${s.cases} cases (+${s.shrinks} shrink steps), ${rate} cases/s per process${overall} over ${formatDuration(s.elapsedMs)} of property-process time;${busy} ${perCase} processes per case`,
    `  findings     ${s.findings.length}${signatures.length > 0 ? ` (${signatures.length} signature${signatures.length > 1 ? 's' : ''})` : ''}`,
    ...signatures.map((g) => `    new: ${g.text} ×${g.times}  ${shown(g.folder)}${g.isNew ? '' : ' (already in the findings directory)'}`),
    ...s.known.map((k) => `    known: ${k.text} ×${k.count} (counted, not stopped for)`),
    ...s.setAside.map((k) => `    set aside: ${k.text} ×${k.count} (met while shrinking another; a later run reports it)`),
    ...s.rescued.map((r) => `    interrupted while shrinking; case saved to ${shown(r.corpusFile)} (replayed first next run): ${r.summary}`),
  ];
  for (const stats of s.stats) {
    const prefix = s.stats.length > 1 ? `  [${stats.name}]` : '';
    if (prefix) lines.push(prefix);
    lines.push(`  inconclusive ${stats.inconclusive.length}${stats.inconclusive.length > 0 ? ' (reference timed out or crashed)' : ''}`);
    lines.push(...stats.inconclusive.slice(0, 5).map((r) => `    ${r}`));
    const entries = Object.keys(stats.whitelistEligible).sort();
    lines.push(
      `  whitelist    ${entries.length === 0 ? '(no entry applied)' : entries.map((id) => `${id} ${stats.whitelistHits[id] ?? 0} hit(s)/${stats.whitelistEligible[id]} eligible`).join(', ')}`,
    );
    if (warnStale) {
      for (const id of entries) {
        const eligible = stats.whitelistEligible[id] ?? 0;
        if (eligible >= STALE_WHITELIST_MIN_ELIGIBLE && (stats.whitelistHits[id] ?? 0) === 0) {
          lines.push(`    warning: ${id} applied to ${eligible} case(s) and was never needed; the divergence may be fixed, consider removing the entry`);
        }
      }
    }
    lines.push(`  coverage     over ${stats.runs} checked case(s):`, ...renderClasses(stats));
  }
  if (s.errors.length > 0) lines.push(`  ERRORS (the property could not run):`, ...s.errors.map((e) => `    ${e.split('\n').join('\n    ')}`));
  return lines.join('\n');
}
