#!/usr/bin/env bash
# Cold `cargo test --no-run` build of an older revision and of HEAD, in turns.
#
#   scripts/cold-build.sh OLD_REV [ROUNDS]        e.g. scripts/cold-build.sh b30244c 2
#
# Each build starts from an empty target dir (dependencies included: what a new clone
# pays), in a `git worktree` under /tmp, old then new, ROUNDS times (default 2). Prints
# wall and CPU (user+sys, of cargo and everything it ran) per build, the medians and
# new/old, and the load average before each build. Everything it made is deleted at the
# end (also on ^C). Downloads are not timed: `cargo fetch` runs first.
set -euo pipefail

old_rev=${1:?usage: scripts/cold-build.sh OLD_REV [ROUNDS]}
rounds=${2:-2}
# shellcheck source=scripts/worktrees.sh
. "$(dirname "$0")/worktrees.sh"
for side in old new; do (cd "$work/$side" && cargo fetch --locked --quiet); done

build() { # side round: one cold build, its wall and CPU seconds appended to $work/times
  local side=$1 round=$2 target="$work/target-$1"
  rm -rf "$target"
  echo "== round $round/$rounds: $side  (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  # GNU time's %U/%S include the children cargo waited for (rustc, build scripts, linker).
  (cd "$work/$side" && CARGO_TARGET_DIR="$target" /usr/bin/time -f "%e %U %S" -o "$work/t" \
    cargo test --locked --no-run --quiet >"$work/$side-$round.log" 2>&1) || {
    echo "build failed; see below" >&2; tail -20 "$work/$side-$round.log" >&2; exit 1; }
  read -r wall user sys <"$work/t"
  echo "$side $wall $(echo "$user + $sys" | bc)" | tee -a "$work/times"
  rm -rf "$target"
}

for round in $(seq 1 "$rounds"); do
  build old "$round"
  build new "$round"
done

python3 - "$work/times" "$old_sha" "$new_sha" <<'EOF'
import statistics, sys
t = {"old": [], "new": []}
for line in open(sys.argv[1]):
    side, wall, cpu = line.split()
    t[side].append((float(wall), float(cpu)))
def m(side, i):
    return statistics.median(x[i] for x in t[side])
def mmss(s):
    return f"{int(s // 60)}m{s % 60:04.1f}s"
print(f"\ncold `cargo test --no-run`, median of {len(t['old'])} rounds")
print(f"{'':6}{'wall':>10}{'CPU':>10}")
for side, sha in (("old", sys.argv[2]), ("new", sys.argv[3])):
    print(f"{side:<6}{mmss(m(side, 0)):>10}{mmss(m(side, 1)):>10}   {sha}")
print(f"{'new/old':<6}{m('new', 0) / m('old', 0):>10.2f}{m('new', 1) / m('old', 1):>10.2f}")
EOF
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
