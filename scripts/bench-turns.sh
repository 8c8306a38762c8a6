#!/usr/bin/env bash
# Criterion benches of an older revision and of HEAD, run in turns, as a table of medians.
#
#   scripts/bench-turns.sh OLD_REV [ROUNDS]        e.g. scripts/bench-turns.sh b30244c 3
#
# Builds OLD_REV in a `git worktree` under /tmp with a target dir of its own, and HEAD (the
# working tree as committed) in a second one, so neither build disturbs the checkout's
# target/. Runs the benches that exist at both revisions, alternating old, new, old, new…
# for ROUNDS rounds (default 3), so that drift of a busy machine falls on both. Prints, per
# benchmark present in both, the median of the rounds' medians old and new and new/old.
# Both worktrees and their target dirs are deleted at the end (also on ^C).
# OLD_TARGET=DIR keeps the old side's target dir in DIR instead (not deleted), so that
# its build, which never changes, can be made earlier, e.g. before a quiet window:
#   OLD_TARGET=/work/bench-old-target scripts/bench-turns.sh b30244c 0   # build only
# NEW_TARGET=DIR likewise for HEAD's side (e.g. the checkout's own target/, whose
# release dependencies are then reused; the crate itself is rebuilt from the worktree).
#
# Criterion runs short (warm-up 1 s, measurement 3 s): about 10 minutes in all with the
# builds on a quiet 2-core machine. BENCH_ARGS overrides the criterion options.
# Each revision benches with its own rules/ and examples/ (what that build shipped).
set -euo pipefail

old_rev=${1:?usage: scripts/bench-turns.sh OLD_REV [ROUNDS]}
rounds=${2:-3}
criterion_args=${BENCH_ARGS:---warm-up-time 1 --measurement-time 3 --noplot}
# shellcheck source=scripts/worktrees.sh
. "$(dirname "$0")/worktrees.sh"

benches_of() { # the [[bench]] names of a checkout's Cargo.toml
  awk '/^\[\[bench\]\]/{b=1; next} b && /^name *=/{gsub(/[" ]/,""); sub(/name=/,""); print; b=0}' \
    "$1/Cargo.toml"
}
benches=$(comm -12 <(benches_of "$work/old" | sort) <(benches_of "$work/new" | sort))
[ -n "$benches" ] || { echo "no bench exists at both revisions" >&2; exit 1; }
echo "benches in both: $(echo $benches)"
bench_flags=$(for b in $benches; do printf -- '--bench %s ' "$b"; done)

target_of() { # side
  if [ "$1" = old ] && [ -n "${OLD_TARGET:-}" ]; then echo "$OLD_TARGET"
  elif [ "$1" = new ] && [ -n "${NEW_TARGET:-}" ]; then echo "$NEW_TARGET"
  else echo "$work/$1-target"; fi
}

build_sides="old new"
[ "$rounds" = 0 ] && build_sides=old   # with OLD_TARGET: build the old side only, for later
for side in $build_sides; do
  echo "== building $side ($([ $side = old ] && echo "$old_sha" || echo "$new_sha"))"
  (cd "$work/$side" && CARGO_TARGET_DIR="$(target_of "$side")" \
    cargo bench --locked $bench_flags --no-run 2>&1 | tail -1)
done

[ "$rounds" = 0 ] && { echo "built; no rounds asked"; exit 0; }

# One run of one side: criterion writes each benchmark's estimates under
# target/criterion/…/new/; copy the median (ns) of each, keyed by its full id.
run_side() { # side round
  local side=$1 round=$2
  rm -rf "$(target_of "$side")/criterion"
  (cd "$work/$side" && CARGO_TARGET_DIR="$(target_of "$side")" \
    cargo bench --locked $bench_flags -- $criterion_args >"$work/$side-$round.log" 2>&1) || {
    echo "the $side benches failed; the end of their output:" >&2
    tail -20 "$work/$side-$round.log" >&2
    exit 1
  }
  python3 - "$(target_of "$side")/criterion" >>"$work/$side.tsv" <<'EOF'
import json, pathlib, sys
for est in sorted(pathlib.Path(sys.argv[1]).glob("**/new/estimates.json")):
    meta = json.loads((est.parent / "benchmark.json").read_text())
    median = json.loads(est.read_text())["median"]["point_estimate"]
    print(f"{meta['full_id']}\t{median}")
EOF
}

for round in $(seq 1 "$rounds"); do
  for side in old new; do
    echo "== round $round/$rounds: $side  (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    run_side "$side" "$round"
  done
done

python3 - "$work/old.tsv" "$work/new.tsv" "$old_sha" "$new_sha" "$rounds" <<'EOF'
import statistics, sys
def read(path):
    runs = {}
    for line in open(path):
        name, ns = line.rstrip("\n").split("\t")
        runs.setdefault(name, []).append(float(ns))
    return runs
old, new = read(sys.argv[1]), read(sys.argv[2])
def show(ns):
    for unit, f in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= f:
            return f"{ns / f:.3g} {unit}"
    return f"{ns:.3g} ns"
names = [n for n in old if n in new]
width = max([len(n) for n in names] + [9])
print(f"\nmedian of {sys.argv[5]} rounds' medians, old {sys.argv[3]} vs new {sys.argv[4]}")
print(f"{'benchmark':<{width}}  {'old':>10}  {'new':>10}  new/old")
for n in names:
    o, w = statistics.median(old[n]), statistics.median(new[n])
    print(f"{n:<{width}}  {show(o):>10}  {show(w):>10}  {w / o:6.3f}")
only = sorted(set(old) ^ set(new))
if only:
    print("\nin one build only (not compared): " + ", ".join(only))
EOF
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
