#!/bin/bash
# The C++ ledger against an independent verifier written with Go's golang.org/x/mod
# (tools/ledger-verify-go; docs/ledger.md, "Checked against Go"). Registered with ctest by
# tests/CMakeLists.txt when Go and golang-golang-x-mod-dev are installed.
#
#   go_cross_check.sh FIXTURE VERIFIER NOTESIGN WORKDIR
#
# 1. FIXTURE writes a C++ log's export, checkpoints and proofs; VERIFIER must accept them all.
# 2. Tampered copies (an entry, a checkpoint, an inclusion proof, a consistency proof, the
#    a required witness that never cosigned) must each make VERIFIER fail.
# 3. NOTESIGN (Go) signs a checkpoint with a key from a fixed seed; C++ must parse the keys,
#    open the note and sign the same bytes.
set -u
fixture=$1 verifier=$2 notesign=$3 work=$4
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

rm -rf "$work" && mkdir -p "$work/log" || exit 1
"$fixture" generate "$work/log" || { echo "FAIL: the C++ fixture generator failed"; exit 1; }
flags=$(cat "$work/log/files.txt")
key=$(cat "$work/log/log.vkey")
witness=$(cat "$work/log/witness.vkey")

# shellcheck disable=SC2086  # $flags is a list of flags
if ! "$verifier" $flags -witness-key "$witness" >"$work/ok.out" 2>&1; then
  cat "$work/ok.out"; fail "Go rejects the honest C++ log"
fi
lines=$(grep -c '^ok ' "$work/ok.out")
[ "$lines" -ge 100 ] || fail "expected at least 100 'ok' lines from Go, got $lines"
echo "Go accepted the C++ log: $lines checks"

# Runs the verifier on a copy of the fixture where $1 (a file) was edited by $2 (a sed or
# shell command run in the copy), and expects it to fail with output matching $3.
expect_rejected() {
  local what=$1 edit=$2 pattern=$3
  rm -rf "$work/t" && cp -r "$work/log" "$work/t"
  (cd "$work/t" && eval "$edit") || { fail "$what: could not tamper"; return; }
  local tflags=${flags//$work\/log/$work\/t}
  # shellcheck disable=SC2086
  if "$verifier" $tflags -witness-key "$witness" >"$work/t.out" 2>&1; then
    fail "$what: Go accepted the tampered copy"
  elif ! grep -q -- "$pattern" "$work/t.out"; then
    cat "$work/t.out"; fail "$what: the failure does not mention '$pattern'"
  else
    echo "Go rejected: $what ($(grep FAIL "$work/t.out" | head -c 160))"
  fi
}

# Entry 5 of the export replaced by another valid base64 line ("x").
expect_rejected "an altered entry" \
  "awk 'f && ++i == 6 { \$0 = \"eA==\" } { print } /^entries [0-9]+\$/ { f = 1 }' log.export >x && mv x log.export" \
  "recomputed"
# A checkpoint's size edited (its signature no longer covers it).
expect_rejected "an edited checkpoint" "sed -i '2s/^300\$/301/' cp-300.note" "cp-300.note"
# The first hash of an inclusion proof changed.
expect_rejected "an altered inclusion proof" \
  "sed -i 's/\"hashes\":\[\"[A-Za-z0-9+\/]\{4\}/\"hashes\":[\"AAAA/' incl-256-513.json" "incl-256-513.json"
# The first hash of a consistency proof changed.
expect_rejected "an altered consistency proof" \
  "sed -i 's/\"hashes\":\[\"[A-Za-z0-9+\/]\{4\}/\"hashes\":[\"AAAA/' cons-300-999.json" "cons-300-999.json"

# Go signs, C++ checks.
printf 'fleet.example/ledger\n1000\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n' >"$work/go.text"
if ! "$notesign" -name fleet.example/ledger \
  -seed 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f \
  -text "$work/go.text" -out "$work/go"; then
  fail "Go's notesign failed"
elif ! "$fixture" check-go-note "$work/go" "$work/go.text"; then
  fail "C++ does not agree with Go's signed note"
fi

# A witness that never cosigned (Go's key above): required, it must be missed.
# shellcheck disable=SC2086
if "$verifier" $flags -witness-key "$(cat "$work/go.vkey")" >"$work/w.out" 2>&1; then
  fail "Go accepted a checkpoint without the required witness's cosignature"
elif ! grep -q "not cosigned by witness" "$work/w.out"; then
  cat "$work/w.out"; fail "the missing cosignature is not what Go reports"
else
  echo "Go rejected: a checkpoint without a required witness's cosignature"
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures cross-check(s) failed"
  exit 1
fi
echo "all cross-checks passed"
