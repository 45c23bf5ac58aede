import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { knownEntry, readKnownFile } from '../hunting/known-signatures.ts';
import { signatureText, type Signature } from '../reports/signature.ts';

/** In the run directory: the signatures filed so far by this campaign, in the findings index's shape. */
export const CAMPAIGN_KNOWN_FILE = 'known-signatures.json';

export function writeCampaignKnown(runDir: string, signatures: readonly Signature[]): void {
  const file = join(runDir, CAMPAIGN_KNOWN_FILE);
  const partial = `${file}.partial`;
  writeFileSync(partial, `${JSON.stringify(signatures.map(knownEntry), null, 2)}\n`);
  renameSync(partial, file);
}

/** Adds newly filed signatures; the campaign process is the only writer, so read-modify-write is safe. */
export function addCampaignKnown(runDir: string, signatures: readonly Signature[]): void {
  const file = join(runDir, CAMPAIGN_KNOWN_FILE);
  const current = readKnownFile(file);
  const texts = new Set(current.map(signatureText));
  const added: Signature[] = [];
  for (const s of signatures) {
    if (texts.has(signatureText(s))) continue;
    texts.add(signatureText(s));
    added.push(s);
  }
  if (added.length > 0) writeCampaignKnown(runDir, [...current, ...added]);
}
