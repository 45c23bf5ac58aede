/**
 * repro.sh lines for a map finding: the exit statuses, then both maps as
 * functions of the offset, with plain shell tools. Each output becomes its
 * maximal runs of equal state ("start end state"), so a different split of
 * the same map prints the same lines, as in the suite's oracle. The window
 * model and the image-spec claims are the suite's; repro.sh shows the
 * difference between the two tools.
 */

/** JSON: every start/length/present/zero/data[/compressed] pair in order, one extent per "start" (compressed: 10.0's, empty when absent). */
const JSON_RUNS = String.raw`tr -d '\n' < "$1" | grep -oE '"(start|length|present|zero|data|compressed)"[[:space:]]*:[[:space:]]*(true|false|[0-9]+)' | tr -d '" \t' | awk -F: '
  $1 == "start" { if (n) print s, s + l, p "," z "," d "," c; n = 1; s = $2; c = "" }
  $1 == "length" { l = $2 } $1 == "present" { p = $2 } $1 == "zero" { z = $2 } $1 == "data" { d = $2 } $1 == "compressed" { c = $2 }
  END { if (n) print s, s + l, p "," z "," d "," c }'`;

/** Human: "offset length mapped file" in hex, as start, end and host delta (bash arithmetic reads 0x…). */
const HUMAN_RUNS = String.raw`tail -n +2 "$1" | while read -r off len mapped file; do echo "$((off)) $((off + len)) +$((mapped - off))@$file"; done`;

/** Sorted, zero-length runs dropped, neighbours with the same state merged. */
const MERGE = String.raw`sort -n -k1,1 | awk '$2 > $1 { if (n && $1 == e && $3 == st) { e = $2; next } if (n) print s, e, st; n = 1; s = $1; e = $2; st = $3 } END { if (n) print s, e, st }'`;

export function mapReproCompare(mode: 'json' | 'human'): string[] {
  return [
    `runs() { ${mode === 'json' ? JSON_RUNS : HUMAN_RUNS} | ${MERGE}; }`,
    'if [ "$reference_rc" -ne 0 ] && [ "$candidate_rc" -ne 0 ]; then :',
    'elif [ "$reference_rc" -ne 0 ] || [ "$candidate_rc" -ne 0 ]; then echo "exit status differs"; diverged=1',
    'else',
    '  runs reference.stdout > reference.runs',
    '  runs candidate.stdout > candidate.runs',
    `  # One line per maximal run: start end ${mode === 'json' ? 'present,zero,data,compressed' : '+host-delta@file'}.`,
    '  diff -u reference.runs candidate.runs || diverged=1',
    'fi',
  ];
}
