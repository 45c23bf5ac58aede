import { ConfigError } from '../config/config-error.ts';
import { mergeFindingsDirs } from '../reports/index-merge.ts';
import { renderIndex } from '../reports/index.ts';

const USAGE = `Usage: node --import tsx campaign/merge-cli.ts --into <dir> <findings-dir>…

Merges findings directories (one per CI shard) into one: a signature found
by several shards becomes one report folder with the counts added and the
smallest case kept; <dir>/index.txt lists every signature.`;

async function main(args: readonly string[]): Promise<void> {
  const at = args.indexOf('--into');
  const into = at >= 0 ? args[at + 1] : undefined;
  const sources = args.filter((_, i) => i !== at && i !== at + 1);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return;
  }
  if (into === undefined || into.startsWith('-')) throw new ConfigError('--into', 'needs the directory to merge into.');
  if (sources.length === 0) throw new ConfigError('merge', 'needs at least one findings directory to merge.');
  const index = await mergeFindingsDirs(sources, into);
  process.stdout.write(`merged ${sources.length} findings director${sources.length === 1 ? 'y' : 'ies'} into ${into}:\n${renderIndex(index)}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`error: ${error.message}\n`);
  process.exitCode = 2;
});
