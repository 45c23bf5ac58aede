import { createHash } from 'node:crypto';

/** A fresh campaign seed, printed first so the campaign can be replayed. */
export function drawCampaignSeed(): number {
  return (Date.now() ^ (Math.random() * 0x100000000)) | 0;
}

export interface SeedCoordinates {
  readonly shard: number;
  readonly replica: number;
  readonly property: string;
  /** Restarts after a finding: attempt 1, 2, … continue with new seeds. */
  readonly attempt: number;
}

/**
 * The seed one property process runs with. The first process of shard 1
 * uses the campaign seed itself (so `FC_SEED=<seed> npm test` starts the
 * same way); every other one gets a seed derived from all coordinates, so a
 * campaign seed replays the whole campaign and shards never repeat each other.
 */
export function deriveSeed(campaignSeed: number, at: SeedCoordinates): number {
  if (at.shard === 1 && at.replica === 0 && at.attempt === 0) return campaignSeed;
  const digest = createHash('sha256').update(`${campaignSeed}/${at.shard}/${at.replica}/${at.property}/${at.attempt}`).digest();
  return digest.readInt32BE(0);
}
