# Sourced by bench-turns.sh and cold-build.sh: checks out OLD_REV and HEAD as detached
# `git worktree`s in $work/old and $work/new (a fresh folder under /tmp, named after
# the script), and removes both, and everything else under $work, when the script ends.
# Needs: old_rev. Sets: repo, old_sha, new_sha, work.
repo=$(git rev-parse --show-toplevel)
old_sha=$(git -C "$repo" rev-parse --short "$old_rev")
new_sha=$(git -C "$repo" rev-parse --short HEAD)
work=$(mktemp -d "/tmp/$(basename "$0" .sh).XXXXXX")

cleanup() {
  for side in old new; do
    if [ -d "$work/$side" ]; then
      git -C "$repo" worktree remove --force "$work/$side" 2>/dev/null || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

git -C "$repo" worktree add --detach --quiet "$work/old" "$old_sha"
git -C "$repo" worktree add --detach --quiet "$work/new" "$new_sha"
