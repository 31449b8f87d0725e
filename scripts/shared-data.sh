# Sourced by ./run-tests: finds the project's shared data folder (../shared: DESIGN.md and data/ with the
# stories260K model, the LLaMA-2 tokenizer and the peer test vectors that tests read) and exports
# ADATOKEN3D_SHARED. It looks at $ADATOKEN3D_SHARED, then ../shared beside this checkout, then, for a clone
# of a local repository (a fresh clone made somewhere else), ../shared beside the repository it was cloned from.
find_shared_data() {
  local root="$1" candidates=() origin
  [ -n "${ADATOKEN3D_SHARED:-}" ] && candidates+=("$ADATOKEN3D_SHARED")
  candidates+=("$root/../shared")
  origin="$(git -C "$root" remote get-url origin 2>/dev/null || true)"
  origin="${origin#file://}"
  [ -n "$origin" ] && [ -d "$origin" ] && candidates+=("$origin/../shared")
  local c
  for c in "${candidates[@]}"; do
    if [ -d "$c/data/stories260K" ]; then
      ADATOKEN3D_SHARED="$(cd "$c" && pwd)"
      export ADATOKEN3D_SHARED
      return 0
    fi
  done
  echo "run-tests: the shared data folder (data/stories260K, data/llama2-tokenizer) is not in any of: ${candidates[*]};" \
       "set ADATOKEN3D_SHARED to it" >&2
  return 1
}

# Run rather than sourced (scripts/shared-data.sh), it prints the folder it finds, so a command line can name the
# shared data from any clone: ./adatoken3d bench quality --model "$(scripts/shared-data.sh)/data/stories260K"
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  find_shared_data "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  echo "$ADATOKEN3D_SHARED"
fi
