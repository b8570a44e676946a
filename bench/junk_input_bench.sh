#!/usr/bin/env bash
# How fast junk input is refused: 50 MB files (random bytes; one 50 MB YAML line; 2.6 M short
# YAML lines) given as the rules, the catalog, the fleet and a change file. Prints the exit
# status, the size of the error message and the seconds of 5 runs each (cold start included).
#   bench/junk_input_bench.sh            (B=build/default/gpufleet, D=/tmp/gpufleet-junk)
set -u
B=${B:-build/default/gpufleet}
D=${D:-/tmp/gpufleet-junk}
mkdir -p "$D"
[ -f "$D/random.bin" ] || head -c 52428800 /dev/urandom >"$D/random.bin"
[ -f "$D/one-line.yaml" ] ||
  python3 -c "open('$D/one-line.yaml','w').write('rules: ' + 'x'*52428800 + '\n')"
[ -f "$D/many-lines.yaml" ] ||
  python3 -c "open('$D/many-lines.yaml','w').write(''.join('key%d: value %d\n'%(i,i) for i in range(2600000)))"
for f in random.bin one-line.yaml many-lines.yaml; do
  for flag in --rules --catalog --fleet --change; do
    case $flag in
      --fleet) cmd="check --fleet $D/$f" ;;
      --change) cmd="impact --fleet examples/fleet.yaml --change $D/$f" ;;
      *) cmd="check $flag $D/$f --fleet examples/fleet.yaml" ;;
    esac
    times=""
    for _ in 1 2 3 4 5; do
      s=$(date +%s%N)
      $B $cmd --at 2026-03-01 >/dev/null 2>"$D/stderr"
      rc=$?
      times="$times $(( ($(date +%s%N) - s) / 10000000 ))"
    done
    printf '%-15s %-9s exit %d, message %4d bytes, centiseconds:%s\n' "$f" "$flag" "$rc" \
      "$(wc -c <"$D/stderr")" "$times"
  done
done
