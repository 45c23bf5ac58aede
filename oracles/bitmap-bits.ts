import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AdjustableDeadline } from '../drivers/deadline.ts';
import { exitedWith, type ProcessOutcome } from '../drivers/process-outcome.ts';
import { runProcess } from '../drivers/run-process.ts';
import { mergeRanges, type DirtyRanges } from './dirty-ranges.ts';

/**
 * A persistent bitmap's bits, as a qemu tool shows them: qemu-nbd exports
 * the image read-only with the bitmap as a block-status context, and
 * `qemu-img map` over NBD with `x-dirty-bitmap` reports the dirty granules
 * as not present (qemu's documented way to read a bitmap from outside a
 * VM). The server ends when map disconnects; a server that lingers is
 * killed two seconds later.
 */
export interface BitsTools {
  readonly qemuImg: string;
  readonly qemuNbd: string;
}

let sockets = 0;

interface MapEntry {
  readonly start: number;
  readonly length: number;
  readonly present: boolean;
}

function parseMap(stdout: string): MapEntry[] | undefined {
  try {
    const parsed: unknown = JSON.parse(stdout);
    if (!Array.isArray(parsed)) return undefined;
    return parsed.filter((e): e is MapEntry => typeof e === 'object' && e !== null && typeof (e as MapEntry).start === 'number' && typeof (e as MapEntry).length === 'number');
  } catch {
    return undefined;
  }
}

export type BitsReading = { readonly kind: 'read'; readonly dirty: DirtyRanges } | { readonly kind: 'failed'; readonly why: string; readonly outcome: ProcessOutcome };

export async function readBitmapBits(tools: BitsTools, path: string, bitmap: string, scratch: string, timeoutMs: number): Promise<BitsReading> {
  const socket = join(scratch, `nbd-${process.pid}-${++sockets}.sock`);
  const deadline = new AdjustableDeadline();
  const started = Date.now();
  const server = runProcess([tools.qemuNbd, '--read-only', '--format=qcow2', '--socket', socket, '--bitmap', bitmap, path], { timeoutMs, deadline });
  let serverDone: ProcessOutcome | undefined;
  void server.then((outcome) => (serverDone = outcome));
  while (!existsSync(socket) && serverDone === undefined && Date.now() - started < timeoutMs) await sleep(5);
  if (serverDone !== undefined || !existsSync(socket)) {
    deadline.tighten(0, undefined);
    const outcome = await server;
    return { kind: 'failed', why: `qemu-nbd did not serve bitmap ${bitmap}`, outcome };
  }
  const map = await runProcess(
    [tools.qemuImg, 'map', '--output=json', '--image-opts', `driver=nbd,server.type=unix,server.path=${socket},x-dirty-bitmap=qemu:dirty-bitmap:${bitmap}`],
    { timeoutMs },
  );
  deadline.tighten(Date.now() - started + 2000, undefined);
  await server;
  const entries = exitedWith(map, 0) ? parseMap(map.stdout) : undefined;
  if (entries === undefined) return { kind: 'failed', why: `qemu-img map could not read bitmap ${bitmap} over NBD`, outcome: map };
  return { kind: 'read', dirty: mergeRanges(entries.filter((e) => e.present === false).map((e) => [e.start, e.start + e.length] as const)) };
}
