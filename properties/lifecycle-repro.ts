import { shellQuote } from '../reports/shell-quote.ts';
import { SNAPSHOT_LIST_SED } from '../oracles/snapshot-list.ts';

/**
 * repro.sh's oracle after the last step of a life-cycle sequence, in bash
 * and qemu-img alone: the exit statuses; for `snapshot -l`, the tables with
 * dates normalised; then content (flattened), info JSON (without the
 * child-node block, dates, sizes on disk and file names, as the property
 * normalises it) and check.
 */
export function lifecycleCompareLines(referenceFile: string, candidateFile: string, listStep: boolean, bitmap?: string): string[] {
  const ref = shellQuote(referenceFile);
  const cand = shellQuote(candidateFile);
  const infoFilter = `sed -E '/^    "children": \\[/,/^    \\],?$/d; /"(date-sec|date-nsec|actual-size|dirty-flag|filename)"/d'`;
  return [
    'if [ $((reference_rc == 0)) -ne $((candidate_rc == 0)) ]; then echo "exit status differs"; diverged=1',
    'else',
    ...(listStep
      ? [
          `  sed -E '${SNAPSHOT_LIST_SED}' reference.stdout >reference.list; sed -E '${SNAPSHOT_LIST_SED}' candidate.stdout >candidate.list`,
          '  if ! cmp -s reference.list candidate.list; then echo "snapshot -l differs (dates normalised):"; diff reference.list candidate.list; diverged=1; fi',
        ]
      : []),
    `  "$QEMU_IMG" convert -f qcow2 -O raw ${ref} reference.flat.raw || { echo "reference image unreadable"; exit 2; }`,
    `  if ! "$QEMU_IMG" convert -f qcow2 -O raw ${cand} candidate.flat.raw; then echo "candidate image unreadable by qemu-img"; diverged=1`,
    '  elif ! cmp reference.flat.raw candidate.flat.raw; then diverged=1',
    '  fi',
    `  "$QEMU_IMG" info -f qcow2 --output=json ${ref} | ${infoFilter} >reference.info`,
    `  "$QEMU_IMG" info -f qcow2 --output=json ${cand} | ${infoFilter} >candidate.info`,
    '  if ! cmp -s reference.info candidate.info; then echo "qemu-img info differs:"; diff reference.info candidate.info; diverged=1; fi',
    `  "$QEMU_IMG" check -f qcow2 ${ref} >/dev/null 2>&1; reference_check=$?`,
    `  "$QEMU_IMG" check -f qcow2 ${cand} >candidate.check 2>&1; candidate_check=$?`,
    '  if [ "$candidate_check" -ne 0 ] && [ "$reference_check" -eq 0 ]; then echo "qemu-img check finds the candidate\'s image unclean:"; head -n 5 candidate.check; diverged=1; fi',
    ...(bitmap === undefined ? [] : bitsLines(ref, cand, shellQuote(bitmap))),
    'fi',
  ];
}

/**
 * A bitmap's dirty ranges on both copies, as the property reads them:
 * qemu-nbd (beside qemu-img, else on PATH) exports the image read-only with
 * the bitmap, and qemu-img map over NBD reports dirty granules as not present.
 */
function bitsLines(ref: string, cand: string, bitmap: string): string[] {
  return [
    '  QEMU_NBD="${QEMU_NBD:-$(dirname "$QEMU_IMG")/qemu-nbd}"; [ -x "$QEMU_NBD" ] || QEMU_NBD=qemu-nbd',
    '  dirty_ranges() {',
    '    local sock="$work/$1.sock"',
    `    timeout -s KILL "$limit" "$QEMU_NBD" --read-only --format=qcow2 --socket "$sock" --bitmap ${bitmap} "$1" & local server=$!`,
    '    for _ in $(seq 200); do [ -S "$sock" ] && break; sleep 0.01; done',
    `    timeout -s KILL "$limit" "$QEMU_IMG" map --output=json --image-opts "driver=nbd,server.type=unix,server.path=$sock,x-dirty-bitmap=qemu:dirty-bitmap:"${bitmap} | grep '"present": false' | sed -E 's/.*"start": ([0-9]+), "length": ([0-9]+).*/\\1+\\2/'`,
    '    wait "$server"',
    '  }',
    `  dirty_ranges ${ref} >reference.bits; dirty_ranges ${cand} >candidate.bits`,
    `  if ! cmp -s reference.bits candidate.bits; then echo "bitmap "${bitmap}" bits differ (dirty start+length):"; diff reference.bits candidate.bits; diverged=1; fi`,
  ];
}
