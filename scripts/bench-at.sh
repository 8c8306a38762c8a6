#!/usr/bin/env bash
# One revision's `engine` bench on a fixed set of rules, for bisecting a slowdown.
#
#   scripts/bench-at.sh REV [RULES_REV] [FILTER] [ROUNDS]
#   e.g. scripts/bench-at.sh 54c0da1 b30244c 'parsed facts' 4
#
# Checks REV out in a `git worktree` (removed at the end), replaces its rules/ with
# RULES_REV's (default: REV's own), builds the bench into the checkout's target/ (its
# release dependencies are reused; only the crate is rebuilt) and runs the benchmarks
# matching FILTER (default 'parsed facts') ROUNDS times (default 4), printing each
# round's criterion medians on one line. Single rounds vary by up to 20% on this VM:
# compare revisions over several rounds, in turns.
set -euo pipefail
rev=${1:?usage: scripts/bench-at.sh REV [RULES_REV] [FILTER] [ROUNDS]}
rules_rev=${2:-$rev}
filter=${3:-parsed facts}
rounds=${4:-4}
repo=$(git rev-parse --show-toplevel)
work=$(mktemp -d /tmp/bench-at.XXXXXX)
cleanup() { git -C "$repo" worktree remove --force "$work/tree" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
git -C "$repo" worktree add --detach --quiet "$work/tree" "$rev"
rm -rf "$work/tree/rules"
git -C "$repo" archive "$rules_rev" rules | tar -x -C "$work/tree"
bin=$(cd "$work/tree" && CARGO_TARGET_DIR="$repo/target" cargo bench --bench engine --no-run 2>&1 |
  grep -o "$repo/target/release/deps/engine-[0-9a-f]*" | tail -1)
[ -n "$bin" ] || { echo "$rev: the bench did not build" >&2; exit 1; }
for r in $(seq 1 "$rounds"); do
  # criterion prints `time: [low median high]`; keep the median and its unit
  echo "$rev r$r $(cd "$work/tree" && "$bin" --bench --warm-up-time 1 --measurement-time 2 --noplot "$filter" 2>&1 |
    awk '/time:/ && !/%/ {printf "%s%s ", $4, $5}')"
done
