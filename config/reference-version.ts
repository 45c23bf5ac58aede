import { join } from 'node:path';
import { ConfigError } from './config-error.ts';
import type { Env } from './env-values.ts';
import { PROJECT_ROOT } from './project-root.ts';

/**
 * The qemu-img versions whose behaviour the suite's models, normalisers and
 * whitelist were checked against. Knowledge that differs between them says
 * which versions it holds for (see {@link KnownFor}).
 */
export const REFERENCE_VERSIONS = ['7.2', '10.0'] as const;
export type ReferenceVersion = (typeof REFERENCE_VERSIONS)[number];

/** Which reference versions a model, normaliser or whitelist entry holds for. */
export type KnownFor = 'all' | readonly ReferenceVersion[];

export function holdsFor(knownFor: KnownFor, version: ReferenceVersion): boolean {
  return knownFor === 'all' || knownFor.includes(version);
}

export const DEFAULT_REFERENCE_VERSION: ReferenceVersion = '7.2';

/** Where each version comes from when QEMU_IMG/QEMU_IO do not say. */
export interface ReferenceSource {
  readonly qemuImg: string;
  readonly qemuIo: string;
  /** In words, for errors and reports. */
  readonly origin: string;
  /** Unpacked into the project by set-up, rather than the system's own. */
  readonly unpacked: boolean;
}

/** The private folder scripts/install-qemu-backport.sh unpacks a version into. */
export function unpackedQemuDir(version: ReferenceVersion, root = PROJECT_ROOT): string {
  return join(root, '.qemu', version);
}

export function referenceSource(version: ReferenceVersion, root = PROJECT_ROOT): ReferenceSource {
  if (version === '7.2') {
    return { qemuImg: 'qemu-img', qemuIo: 'qemu-io', origin: "Debian 12's qemu-utils, on PATH", unpacked: false };
  }
  const bin = join(unpackedQemuDir(version, root), 'usr', 'bin');
  return {
    qemuImg: join(bin, 'qemu-img'),
    qemuIo: join(bin, 'qemu-io'),
    origin: `bookworm-backports' qemu-utils, unpacked into ${unpackedQemuDir(version, root)} by scripts/setup.sh`,
    unpacked: true,
  };
}

/** QEMU_REF as given, validated; undefined when unset. */
export function readReferenceChoice(env: Env): ReferenceVersion | undefined {
  const raw = env['QEMU_REF'];
  if (raw === undefined) return undefined;
  const text = raw.trim();
  const found = REFERENCE_VERSIONS.find((v) => v === text);
  if (found === undefined) {
    throw new ConfigError('QEMU_REF', `"${raw}" is not a reference version the suite knows; give one of ${REFERENCE_VERSIONS.join(', ')} (or point QEMU_IMG/QEMU_IO at another build).`);
  }
  return found;
}

/** "qemu-img version 10.0.2 (Debian …)" → [10, 0]; undefined when no version is printed. */
export function parseQemuVersion(versionLine: string): readonly [number, number] | undefined {
  const match = /\bversion (\d+)\.(\d+)/.exec(versionLine);
  return match === null ? undefined : [Number(match[1]), Number(match[2])];
}

/**
 * Which version's knowledge to judge a reference by. A checked version is
 * taken as it is; any other is judged by the newest checked version not
 * after it (the oldest for anything older), with a note saying so, since
 * behaviour between checked versions was never verified.
 */
export function knowledgeFor(versionLine: string): { version: ReferenceVersion; note: string | undefined } {
  const parsed = parseQemuVersion(versionLine);
  if (parsed === undefined) {
    return { version: DEFAULT_REFERENCE_VERSION, note: `the reference printed no version ("${versionLine}"); judging it by qemu-img ${DEFAULT_REFERENCE_VERSION}'s behaviour` };
  }
  const [major, minor] = parsed;
  const exact = REFERENCE_VERSIONS.find((v) => v === `${major}.${minor}`);
  if (exact !== undefined) return { version: exact, note: undefined };
  const value = (v: string): number => {
    const [a, b] = v.split('.').map(Number) as [number, number];
    return a * 1000 + b;
  };
  const notAfter = REFERENCE_VERSIONS.filter((v) => value(v) <= major * 1000 + minor);
  const version = notAfter.at(-1) ?? REFERENCE_VERSIONS[0];
  return {
    version,
    note: `qemu-img ${major}.${minor} is not a version the suite was checked against (${REFERENCE_VERSIONS.join(', ')}); judging it by ${version}'s behaviour, so expect divergences that are version differences`,
  };
}

/** The version whose knowledge judges this reference tool's outcomes. */
export function referenceVersionOf(reference: { readonly version: string }): ReferenceVersion {
  return knowledgeFor(reference.version).version;
}
