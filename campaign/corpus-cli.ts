import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config/config-error.ts';
import type { JsonValue } from '../oracles/divergence.ts';
import { addToCorpus, corpusRoot, listCorpus, propertyNameOf, readCorpusFile, removeFromCorpus, shownPath as shown } from '../hunting/corpus.ts';

const USAGE = `Usage: npm run corpus -- <command>

  list                      every example, by property
  add <report-folder>…      add the case of a report folder (findings/<signature>/)
  remove <file>…            remove examples (corpus/<property>/<name>.json)
  check                     validate every corpus file

CORPUS_DIR points at another corpus (default ./corpus).`;

/** The case and property of a report folder, from its report.json. */
function readReportFolder(folder: string): { property: string; signature: string; summary: string; case: JsonValue } {
  const file = join(folder, 'report.json');
  let json: { propertyFile?: string | null; operation?: string; signature?: { id?: string; text?: string }; title?: string; case?: JsonValue };
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as typeof json;
  } catch (error) {
    throw new ConfigError(folder, `has no readable report.json (${error instanceof Error ? error.message : String(error)}); give a report folder such as findings/dd-content-1a2b3c4d.`);
  }
  if (json.case === undefined) throw new ConfigError(file, 'has no "case"; it is not a report of this suite.');
  const property = json.propertyFile ? propertyNameOf(json.propertyFile) : json.operation;
  if (property === undefined) throw new ConfigError(file, 'names neither its property file nor its operation.');
  return { property, signature: json.signature?.id ?? `${property}-manual`, summary: json.signature?.text ?? json.title ?? '', case: json.case };
}

function main(args: readonly string[]): void {
  const [command, ...rest] = args;
  const root = corpusRoot(process.env);
  switch (command) {
    case 'list':
    case 'check': {
      const properties = (existsSync(root) ? readdirSync(root, { withFileTypes: true }) : []).filter((d) => d.isDirectory()).map((d) => d.name).sort();
      let total = 0;
      for (const property of properties) {
        const examples = listCorpus(root, property);
        total += examples.length;
        if (command === 'list') {
          console.log(`${property}: ${examples.length} example(s)`);
          for (const e of examples) console.log(`  ${shown(e.file)}  ${readCorpusFile(e.file, property).summary}`);
        }
      }
      console.log(`${total} example(s) in ${shown(root)}, all valid`);
      return;
    }
    case 'add': {
      if (rest.length === 0) throw new ConfigError('add', 'needs a report folder, e.g. npm run corpus -- add findings/dd-content-1a2b3c4d');
      for (const folder of rest) {
        const report = readReportFolder(folder);
        const { file, added } = addToCorpus(root, { ...report, from: folder });
        console.log(added ? `added ${shown(file)}` : `already there: ${shown(file)}`);
      }
      return;
    }
    case 'remove': {
      if (rest.length === 0) throw new ConfigError('remove', 'needs a corpus file, e.g. npm run corpus -- remove corpus/dd/<name>.json');
      for (const file of rest) console.log(`removed ${shown(removeFromCorpus(root, file))}`);
      return;
    }
    case undefined:
    case '-h':
    case '--help':
      console.log(USAGE);
      return;
    default:
      throw new ConfigError(command, 'is not a corpus command; use list, add, remove or check.');
  }
}

try {
  main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`error: ${error.message}\n`);
  process.exitCode = 2;
}
