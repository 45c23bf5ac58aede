import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { describeTermination } from '../drivers/process-outcome.ts';
import { runProcess } from '../drivers/run-process.ts';
import type { Dialect, Tool } from '../drivers/tool.ts';
import { ConfigError } from './config-error.ts';
import type { Env } from './env-values.ts';
import { readNonEmpty } from './env-values.ts';
import { knowledgeFor, readReferenceChoice, referenceSource, type ReferenceVersion } from './reference-version.ts';
import { splitCommand } from './split-command.ts';

/** Finds an executable the way execvp would, or explains which variable to fix. */
export function findExecutable(variable: string, name: string, env: Env): string {
  const candidates =
    name.includes('/') || isAbsolute(name)
      ? [resolve(name)]
      : (env['PATH'] ?? '').split(delimiter).filter((d) => d !== '').map((d) => join(d, name));
  for (const file of candidates) {
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Try the next one.
    }
  }
  const where = name.includes('/') ? `"${name}" does not exist or is not executable` : `"${name}" is not on PATH`;
  const install = variable.startsWith('QEMU_') ? ' (or install qemu-utils)' : '';
  throw new ConfigError(variable, `${where}; point ${variable} at an executable${install}.`);
}

async function versionOf(variable: string, command: readonly string[]): Promise<string> {
  const outcome = await runProcess([...command, '--version'], { timeoutMs: 15_000 });
  if (outcome.termination.kind !== 'exited' || outcome.termination.code !== 0) {
    const why = outcome.stderr.trim().split('\n')[0] ?? '';
    throw new ConfigError(
      variable,
      `"${command.join(' ')} --version" did not succeed (${describeTermination(outcome.termination)}${why ? `: ${why}` : ''}); check that ${variable} names a working qemu-img-compatible tool.`,
    );
  }
  return outcome.stdout.trim().split('\n')[0] ?? '';
}

export interface ResolvedTools {
  readonly reference: Tool;
  readonly candidate: Tool;
  /** qemu-io, used only to build source images. */
  readonly qemuIo: string;
  /** True when the candidate is the reference itself. */
  readonly calibration: boolean;
  /** QEMU_REF as given (undefined when unset). */
  readonly referenceChoice: ReferenceVersion | undefined;
  /** Whose behaviour the models, normalisers and whitelist judge by. */
  readonly referenceVersion: ReferenceVersion;
  /** Set when the reference is not a version the suite was checked against. */
  readonly referenceNote: string | undefined;
  /** The tool-choosing variables as given, for replay commands. */
  readonly replayEnv: Readonly<Record<string, string>>;
}

async function makeTool(
  role: Tool['role'],
  variable: string,
  command: readonly string[],
  dialect: Dialect,
  selectedBy: string,
): Promise<Tool> {
  return { role, command, dialect, selectedBy, version: await versionOf(variable, command) };
}

/**
 * Chooses reference and candidate from the environment:
 * QEMU_IMG (else the QEMU_REF version: 7.2 on PATH, or the unpacked 10.0)
 * is the reference; INSTAR or CANDIDATE picks
 * the candidate; with neither, the candidate is the reference (calibration).
 */
export async function resolveTools(env: Env): Promise<ResolvedTools> {
  const choice = readReferenceChoice(env);
  const source = referenceSource(choice ?? '7.2');
  const qemuImg = findReferenceTool('QEMU_IMG', readNonEmpty(env, 'QEMU_IMG', 'give the path of qemu-img'), source.qemuImg, choice, env);
  const qemuIo = findReferenceTool('QEMU_IO', readNonEmpty(env, 'QEMU_IO', 'give the path of qemu-io'), source.qemuIo, choice, env);
  const instar = readNonEmpty(env, 'INSTAR', 'give the path of the instar binary');
  const generic = env['CANDIDATE'];
  if (instar !== undefined && generic !== undefined) {
    throw new ConfigError('INSTAR', 'and CANDIDATE are both set; set only one (INSTAR for instar, CANDIDATE for a qemu-img-dialect tool).');
  }
  const chosenBy = env['QEMU_IMG'] !== undefined ? `QEMU_IMG=${env['QEMU_IMG']}` : choice !== undefined ? `QEMU_REF=${choice}` : 'qemu-img on PATH';
  const reference = await makeTool('reference', 'QEMU_IMG', [qemuImg], 'qemu-img', chosenBy);
  const knowledge = knowledgeFor(reference.version);
  if (choice !== undefined && (knowledge.version !== choice || knowledge.note !== undefined)) {
    const fix = env['QEMU_IMG'] !== undefined ? `unset QEMU_IMG to use the ${choice} the suite installs` : `install ${source.origin.replace(/, on PATH$/, '')} or point QEMU_IMG at a ${choice} build`;
    throw new ConfigError('QEMU_REF', `is ${choice}, but the reference ${qemuImg} is "${reference.version}"; ${fix}, or unset QEMU_REF.`);
  }
  let candidate: Tool;
  if (instar !== undefined) {
    const file = findExecutable('INSTAR', instar, env);
    candidate = await makeTool('candidate', 'INSTAR', [file], 'instar', `INSTAR=${instar}`);
  } else if (generic !== undefined) {
    const words = splitCommand('CANDIDATE', generic);
    const [head, ...rest] = words as [string, ...string[]];
    const file = findExecutable('CANDIDATE', head, env);
    candidate = await makeTool('candidate', 'CANDIDATE', [file, ...rest], 'qemu-img', `CANDIDATE=${generic}`);
  } else {
    candidate = { ...reference, role: 'candidate', selectedBy: '(none: calibration)' };
  }
  const replayEnv: Record<string, string> = {};
  for (const name of ['QEMU_REF', 'QEMU_IMG', 'QEMU_IO', 'INSTAR', 'CANDIDATE']) {
    const value = env[name];
    if (value !== undefined) replayEnv[name] = value;
  }
  // QEMU_REF alone says where its own tools are; a replay need not repeat them.
  if (choice !== undefined && replayEnv['QEMU_IMG'] === source.qemuImg) delete replayEnv['QEMU_IMG'];
  if (choice !== undefined && replayEnv['QEMU_IO'] === source.qemuIo) delete replayEnv['QEMU_IO'];
  return {
    reference,
    candidate,
    qemuIo,
    calibration: instar === undefined && generic === undefined,
    referenceChoice: choice,
    referenceVersion: knowledge.version,
    referenceNote: knowledge.note,
    replayEnv,
  };
}

/**
 * QEMU_IMG/QEMU_IO when given; otherwise the tool of the QEMU_REF version,
 * with the set-up step to run when an unpacked version is missing.
 */
function findReferenceTool(
  variable: 'QEMU_IMG' | 'QEMU_IO',
  given: string | undefined,
  fallback: string,
  choice: ReferenceVersion | undefined,
  env: Env,
): string {
  if (given !== undefined || choice === undefined || !referenceSource(choice).unpacked) return findExecutable(variable, given ?? fallback, env);
  try {
    return findExecutable(variable, fallback, env);
  } catch {
    throw new ConfigError(
      'QEMU_REF',
      `is ${choice}, but ${fallback} is missing; run "bash scripts/setup.sh" with QEMU_REF=${choice} (npm test and npm run campaign do so first), or point ${variable} at a qemu ${choice} build.`,
    );
  }
}
