import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../config/config-error.ts';
import { describeTermination } from '../drivers/process-outcome.ts';
import { runProcess } from '../drivers/run-process.ts';
import { readIndexEntries } from '../reports/index.ts';

const USAGE = `Usage: node --import tsx campaign/file-issues.ts <findings-dir> [--dry-run] [--label <name>]

Files one GitHub issue per signature in <findings-dir> (through \`gh\`, which
needs GH_TOKEN and a repository), skipping every signature that already has
an open issue: the signature id (e.g. dd-content-1a2b3c4d) is in the title.`;

const GH_TIMEOUT_MS = 60_000;

async function gh(args: readonly string[]): Promise<string> {
  const outcome = await runProcess(['gh', ...args], { timeoutMs: GH_TIMEOUT_MS });
  if (outcome.termination.kind !== 'exited' || outcome.termination.code !== 0) {
    throw new Error(`gh ${args.slice(0, 2).join(' ')} failed (${describeTermination(outcome.termination)}): ${outcome.stderr.trim()}`);
  }
  return outcome.stdout;
}

async function hasOpenIssue(id: string): Promise<boolean> {
  const found = JSON.parse(await gh(['issue', 'list', '--state', 'open', '--search', `${id} in:title`, '--json', 'number,title', '--limit', '20'])) as Array<{ title: string }>;
  return found.some((issue) => issue.title.includes(id));
}

async function main(args: readonly string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const dryRun = args.includes('--dry-run');
  const labelAt = args.indexOf('--label');
  const label = labelAt >= 0 ? args[labelAt + 1] : undefined;
  const dir = args.find((a, i) => !a.startsWith('--') && !(labelAt >= 0 && i === labelAt + 1));
  if (dir === undefined) throw new ConfigError('file-issues', 'needs the findings directory, e.g. findings/.');
  for (const entry of await readIndexEntries(dir)) {
    if (await hasOpenIssue(entry.id)) {
      console.log(`${entry.id}: an open issue exists; skipped`);
      continue;
    }
    const title = `[diffsuite] ${entry.id}: ${entry.title}`.slice(0, 250);
    const body = `${await readFile(join(dir, entry.folder, 'report.md'), 'utf8')}\n\n---\nSeen ${entry.count} time(s) in this run. Signature: ${entry.text}. repro.sh and report.json are in the run's artifacts.\n`;
    if (dryRun) {
      console.log(`${entry.id}: would file "${title}"`);
      continue;
    }
    const url = await gh(['issue', 'create', '--title', title, '--body', body, ...(label !== undefined ? ['--label', label] : [])]);
    console.log(`${entry.id}: filed ${url.trim()}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof ConfigError ? 2 : 1;
});
