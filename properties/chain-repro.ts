import { shellQuote } from '../reports/shell-quote.ts';

/**
 * repro.sh's oracle after the last step of a chain sequence, in bash and
 * qemu-img alone: the exit statuses, then for every file each side's
 * flattened content, the top's own clusters (its backing left out), the
 * info JSON without paths, sizes on disk and the child-node block, and check.
 */
export function chainCompareLines(files: readonly string[], top: string): string[] {
  const infoFilter = `sed -E '/^    "children": \\[/,/^    \\],?$/d; /"(actual-size|dirty-flag|filename|full-backing-filename)"/d'`;
  const own = (side: string): string => shellQuote(`json:{"driver":"qcow2","backing":null,"file":{"driver":"file","filename":"${side}/${top}"}}`);
  return [
    'if [ $((reference_rc == 0)) -ne $((candidate_rc == 0)) ]; then echo "exit status differs"; diverged=1',
    'else',
    `  for f in ${files.map(shellQuote).join(' ')}; do`,
    '    "$QEMU_IMG" convert -f qcow2 -O raw "reference/$f" reference.flat.raw || { echo "reference $f unreadable"; exit 2; }',
    '    if ! "$QEMU_IMG" convert -f qcow2 -O raw "candidate/$f" candidate.flat.raw; then echo "candidate $f unreadable by qemu-img"; diverged=1',
    '    elif ! cmp reference.flat.raw candidate.flat.raw; then echo "$f reads differently"; diverged=1',
    '    fi',
    `    "$QEMU_IMG" info -f qcow2 --output=json "reference/$f" | ${infoFilter} >reference.info`,
    `    "$QEMU_IMG" info -f qcow2 --output=json "candidate/$f" | ${infoFilter} >candidate.info`,
    '    if ! cmp -s reference.info candidate.info; then echo "qemu-img info of $f differs:"; diff reference.info candidate.info; diverged=1; fi',
    '    "$QEMU_IMG" check -f qcow2 "reference/$f" >/dev/null 2>&1; reference_check=$?',
    '    "$QEMU_IMG" check -f qcow2 "candidate/$f" >candidate.check 2>&1; candidate_check=$?',
    '    if [ "$candidate_check" -ne 0 ] && [ "$reference_check" -eq 0 ]; then echo "qemu-img check finds the candidate\'s $f unclean:"; head -n 5 candidate.check; diverged=1; fi',
    '  done',
    `  "$QEMU_IMG" convert -O raw ${own('reference')} reference.own.raw || { echo "reference ${top} unreadable alone"; exit 2; }`,
    `  if ! "$QEMU_IMG" convert -O raw ${own('candidate')} candidate.own.raw; then echo "candidate ${top} unreadable alone"; diverged=1`,
    `  elif ! cmp reference.own.raw candidate.own.raw; then echo "${top}'s own clusters differ"; diverged=1`,
    '  fi',
    'fi',
  ];
}
