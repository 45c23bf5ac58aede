import type { ImageFormat } from '../images/image-spec.ts';
import { shellQuote } from '../reports/shell-quote.ts';
import { END_WINDOW, FLATTEN_LIMIT } from './create-content.ts';
import { droppedInfoKeys } from './info-json.ts';

/**
 * repro.sh's oracle for create, in bash with qemu-img and qemu-io alone:
 * exit codes; then `qemu-img info --output=json` on both outputs, reduced
 * the way oracles/info-json.ts normalises (qemu-img prints one key per
 * line) and diffed; `qemu-img check` at least as clean; and both images
 * read back as zeros (whole up to 4 MiB, else a window at each end), where
 * only the candidate's failing is a divergence.
 */
export function createCompareLines(target: ImageFormat, askedLogSize: boolean): string[] {
  const reference = `reference.${target}`;
  const candidate = `candidate.${target}`;
  const dropped = droppedInfoKeys(target, askedLogSize);
  const readers: Partial<Record<ImageFormat, string>> = { qcow2: 'qcowinfo', vmdk: 'vmdkinfo', vpc: 'vhdiinfo', vhdx: 'vhdiinfo' };
  const reader = readers[target];
  return [
    'if [ "$reference_rc" -ne "$candidate_rc" ]; then echo "exit codes differ"; diverged=1',
    'elif [ "$reference_rc" -eq 0 ]; then',
    `  info() { "$QEMU_IMG" info -f ${target} --output=json "$1" | sed -e 's/"filename": "'"$1"'"/"filename": "$FILENAME"/' | grep -v -E '^ *"(${dropped.join('|')})":'; }`,
    `  info ${shellQuote(reference)} >reference.info || { echo "qemu-img cannot read the reference's output"; exit 2; }`,
    `  if ! info ${shellQuote(candidate)} >candidate.info; then echo "qemu-img cannot read the candidate's output"; diverged=1`,
    '  else',
    '    diff -u reference.info candidate.info && echo "normalised info agrees" || { echo "normalised info differs (- reference, + candidate)"; diverged=1; }',
    `    "$QEMU_IMG" check -f ${target} ${shellQuote(reference)} >/dev/null 2>&1; reference_check=$?`,
    `    "$QEMU_IMG" check -f ${target} ${shellQuote(candidate)} >/dev/null 2>&1; candidate_check=$?`,
    '    echo "qemu-img check: reference exit $reference_check, candidate exit $candidate_check (0 clean, 3 leaks, 2 corrupt, 1 failed, 63 no checks)"',
    '    severity() { case "$1" in 0) echo 0 ;; 3) echo 1 ;; 2) echo 2 ;; 1) echo 3 ;; *) echo 4 ;; esac; }',
    '    if [ "$reference_check" = 63 ] || [ "$candidate_check" = 63 ]; then [ "$reference_check" = "$candidate_check" ] || diverged=1',
    '    elif [ "$(severity "$candidate_check")" -gt "$(severity "$reference_check")" ]; then echo "the candidate\'s image checks less clean"; diverged=1; fi',
    // The zero read-back, the same on both outputs (bash arithmetic is
    // 64-bit, so the tail offset is exact at any size qemu-img allows).
    // zeros FILE: 0 zeros, 1 not zeros, 2 unreadable; qemu-io reports on stdout.
    `    zeros() { local size; size=$("$QEMU_IMG" info -f ${target} --output=json "$1" | sed -n 's/^    "virtual-size": \\([0-9]*\\).*/\\1/p')`,
    `      if [ "$size" -le ${FLATTEN_LIMIT} ]; then reads=(-c "read -P 0 0 $size")`,
    `      else reads=(-c "read -P 0 0 ${END_WINDOW}" -c "read -P 0 $((size - ${END_WINDOW})) ${END_WINDOW}"); fi`,
    '      [ "$size" -gt 0 ] || return 0',
    `      "$QEMU_IO" -r -f ${target} "\${reads[@]}" "$1" >"$1.zeros" 2>&1; local rc=$?`,
    '      grep "Pattern verification failed" "$1.zeros" && return 1',
    '      [ "$rc" -eq 0 ] || { echo "qemu-io exit $rc on $1:"; cat "$1.zeros"; return 2; }',
    '    }',
    `    zeros ${shellQuote(reference)}; reference_zeros=$?`,
    '    if [ "$reference_zeros" -ne 0 ]; then echo "qemu-io cannot prove qemu-img\'s own fresh image zero: the zero read-back is not judged"; [ "$diverged" = 1 ] || exit 2',
    `    else zeros ${shellQuote(candidate)}; case $? in`,
    '      1) echo "the candidate\'s fresh image is not all zeros"; diverged=1 ;;',
    '      2) echo "qemu-io cannot read the candidate\'s image (it reads the reference\'s)"; diverged=1 ;;',
    '    esac; fi',
    ...(reader === undefined
      ? []
      : [
          `    if command -v ${reader} >/dev/null && ${reader} ${shellQuote(reference)} >/dev/null 2>&1 && ! ${reader} ${shellQuote(candidate)}; then`,
          `      echo "${reader} parses the reference's output but not the candidate's"; diverged=1`,
          '    fi',
        ]),
    '  fi',
    'fi',
  ];
}
