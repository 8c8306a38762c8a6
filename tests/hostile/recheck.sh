#!/usr/bin/env bash
# Re-checks every example of issue 22's list against a bylaw binary (default: the
# release build). Run from the repository root:  tests/hostile/recheck.sh [BINARY]
# Each check prints `ok` or `FAIL`; the exit status is the number of failures.
# Inputs are generated in a temporary folder, never committed; every run is bounded
# in time (a hang is a failure).
set -u
BIN=$(realpath "${1:-target/release/bylaw}")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok    $1"; }
bad() { echo "FAIL  $1"; fails=$((fails + 1)); }
# run SECONDS ARGS...: stdout to $T/out, stderr to $T/err, status in $rc
run() { local s=$1; shift; timeout "$s" "$BIN" "$@" >"$T/out" 2>"$T/err"; rc=$?; }
expect() { # expect NAME STATUS GREP_IN_ERR_OR_OUT
  if [ "$rc" = "$2" ] && grep -q -- "$3" "$T/out" "$T/err" && ! grep -q panicked "$T/err"; then ok "$1"
  else bad "$1 (status $rc, wanted $2 and \`$3\`)"; head -c 300 "$T/err"; fi
}
FACTS=examples/unsubscribe.yaml

# 1. YAML features the reader does not understand are refused, never read as something else
for f in merge_key tag_directive verbatim_tag custom_tag binary_tag; do
  run 60 evaluate --facts "tests/bad_inputs/facts/$f.yaml"; expect "1 yaml $f refused" 1 "$f.yaml:[0-9]*:[0-9]"
done
printf 'base: &b {x: 1}\nrequest:\n  <<: *b\n' >"$T/merge.yaml"
run 60 evaluate --facts "$T/merge.yaml"; expect "1 merge key in a nested record" 1 "merge"
printf '%%TAG !e! tag:yaml.org,2002:\n---\nrequest: !e!binary aGk=\n' >"$T/tag.yaml"
run 60 evaluate --facts "$T/tag.yaml"; expect "1 %TAG !e!binary" 1 "TAG"
printf 'request: !<tag:yaml.org,2002:str> x\n' >"$T/verb.yaml"
run 60 evaluate --facts "$T/verb.yaml"; expect "1 verbatim tag" 1 "verb.yaml:1:10"

# 2. digits past the nanosecond are refused
sed 's/submitted_at: 2021-09-30T10:00:00+08:00/submitted_at: 2021-09-30T10:00:00.0000000001+08:00/' $FACTS >"$T/ns.yaml"
run 60 evaluate --facts "$T/ns.yaml"; expect "2 time past the nanosecond (snapshot)" 1 "nanosecond\|fractional\|9"
run 60 evaluate --facts $FACTS --now 2021-10-01T09:00:00.0000000001+08:00; expect "2 time past the nanosecond (--now)" 1 "now\|RFC 3339"

# 3. output failures: a closed pipe ends quietly, a full disk is one line and status 1
for i in $(seq 1 6000); do echo "{\"id\": \"s-$i\", \"request\": {}}"; done >"$T/many.jsonl"
timeout 120 "$BIN" evaluate --facts-jsonl "$T/many.jsonl" 2>"$T/err" | head -1 >/dev/null
st=("${PIPESTATUS[@]}")
if [ "${st[0]}" != 124 ] && ! grep -q panicked "$T/err"; then ok "3 batch | head -1 ends (status ${st[0]})"; else bad "3 batch | head -1 (status ${st[0]})"; fi
timeout 120 "$BIN" evaluate --facts-jsonl "$T/many.jsonl" >/dev/full 2>"$T/err"; rc=$?
[ "$rc" = 1 ] && [ "$(grep -c 'cannot write' "$T/err")" = 1 ] && ok "3 batch >/dev/full: one line, status 1" || bad "3 batch >/dev/full (status $rc)"
for cmd in "evaluate --facts $FACTS" "check" "schema --policy unsubscribe" "test rules" \
           "diff --base rules tests/scenarios" "completions bash" "snapshot tests/scenarios" "man"; do
  timeout 120 "$BIN" $cmd 2>"$T/err" | head -c1 >/dev/null; rc=${PIPESTATUS[0]}
  { [ "$rc" != 124 ] && [ "$rc" != 101 ] && ! grep -q panicked "$T/err"; } && ok "3 $cmd | head -c1 (status $rc)" || bad "3 $cmd | head -c1 (status $rc)"
  timeout 120 "$BIN" $cmd >/dev/full 2>"$T/err"; rc=$?
  { [ "$rc" = 1 ] && ! grep -q panicked "$T/err"; } && ok "3 $cmd >/dev/full" || bad "3 $cmd >/dev/full (status $rc)"
  timeout 120 "$BIN" $cmd >/dev/null 2>/dev/full; rc=$?
  { [ "$rc" != 124 ] && [ "$rc" != 101 ]; } && ok "3 $cmd 2>/dev/full (status $rc)" || bad "3 $cmd 2>/dev/full (status $rc)"
  timeout 120 "$BIN" $cmd >/dev/null 2>&-; rc=$?
  { [ "$rc" != 124 ] && [ "$rc" != 101 ]; } && ok "3 $cmd 2>&- (status $rc)" || bad "3 $cmd 2>&- (status $rc)"
done

# 4. quadratic paths: one violation in a compact 8,000-resource snapshot; a 1M list on one line
python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
res = [{"id": f"r-{i}", "name": "x"} for i in range(8000)]
res[-1]["name"] = 7
json.dump({"request": {"action": 1}, "resources": res}, open(f"{t}/wide.json", "w"), separators=(",", ":"))
json.dump({"request": {"action": "x"}, "resources": list(range(1000000))}, open(f"{t}/long.json", "w"), separators=(",", ":"))
PY
run 60 evaluate --facts "$T/wide.json"; expect "4 8,000 resources on one line, a violation" 1 "wide.json"
run 60 evaluate --facts "$T/long.json"; expect "4 1M-element list on one line" 1 "long.json"
python3 -c "print('policy p {\n' + ''.join(f'deny d{i} {{ message \"m\" when x{i} == 1 }}\n' for i in range(30000)) + '}')" >"$T/many.bylaw"
run 60 check --rules "$T/many.bylaw"; expect "4 check with tens of thousands of errors" 1 "error"

# 5. the file system as input
mkdir -p "$T/c/sub" "$T/r"
cp tests/scenarios/unsubscribe/account_frozen.yaml "$T/c/a.yaml"
ln -s "$T/c" "$T/c/sub/up"
mkfifo "$T/c/x.json"
run 60 evaluate --facts-dir "$T/c"; expect "5 link to a parent folder: an error record (the case is denied: status 2)" 2 "not followed"
grep -q '"x.json\|x.json' "$T/out" && ok "5 FIFO x.json: an error record, no hang" || bad "5 FIFO x.json"
rm "$T/c/x.json" "$T/c/sub/up"
run 60 snapshot "$T/c" --accept; :
echo "keep me" >"$T/outside.yaml"
rm "$T/c/a.decision.yaml" && ln -s "$T/outside.yaml" "$T/c/a.decision.yaml"
run 60 snapshot "$T/c" --accept; :
[ "$(cat "$T/outside.yaml")" = "keep me" ] && ok "5 snapshot --accept does not write through a link" || bad "5 snapshot --accept wrote through a link"
cp rules/*.bylaw "$T/r/"; ln -s "$T/r/gone.bylaw" "$T/r/extra.bylaw"
run 60 check --rules "$T/r"; expect "5 check: a dangling *.bylaw link" 1 "extra.bylaw"
mkdir -p "$T/t/tests"; cp rules/*.bylaw "$T/t/"; cp rules/tests/*.yaml "$T/t/tests/"; ln -s "$T/t/tests/gone.yaml" "$T/t/tests/dangling.yaml"
run 60 test "$T/t" --quiet; expect "5 test: a dangling test file link" 1 "dangling.yaml"

# 6. every input channel has its limit
timeout 60 "$BIN" evaluate --facts - --input-format json </dev/zero >"$T/out" 2>"$T/err"; rc=$?; expect "6 --facts - < /dev/zero" 1 "limit"
truncate -s 1T "$T/sparse.json"
run 60 evaluate --facts "$T/sparse.json"; expect "6 sparse terabyte file" 1 "limit"
run 60 evaluate --facts-jsonl "$T/many.jsonl" --jobs 18446744073709551615; expect "6 --jobs 2^64-1" 1 "worker threads"
run 60 evaluate --facts-jsonl "$T/many.jsonl" --jobs 1000000000; expect "6 --jobs 10^9" 1 "worker threads"

# 7. a declared string is a string
sed 's/reason: "Bought twice by mistake"/reason: "2021-09-30T10:00:00"/' $FACTS >"$T/reason.yaml"
run 60 evaluate --facts "$T/reason.yaml"; expect "7 time-shaped declared string" 0 "allowed"

# 8. small ones
printf 'policy p {\n  deny d {\n    message "a {x # c1\n} b" # c2\n    when x == 1\n  }\n}\n' >"$T/fmt.bylaw"
"$BIN" fmt "$T/fmt.bylaw" >/dev/null 2>&1; :
if grep -q c1 "$T/fmt.bylaw" 2>/dev/null || ! "$BIN" check --rules "$T/fmt.bylaw" >/dev/null 2>&1; then ok "8 fmt keeps comments in and after a message hole (or the file is not valid)"; else bad "8 fmt dropped a comment"; fi
run 60 diff --base examples/unsubscribe.yaml tests/scenarios; if grep -q 'rules/' "$T/err" && ! [ -e rules/unsubscribe.yaml ]; then bad "8 diff --base FILE names a rules/ file"; else ok "8 diff --base FILE (status $rc)"; fi

echo "$fails failure(s)"
exit $fails
