# Sourced by ./run-tests: installs the official OpenAI Node client that the server's OpenAiNodeClientTest drives
# (server/src/test/node, versions pinned by its package-lock.json) with `npm ci`, when node_modules is missing or
# older than the lockfile. Takes the checkout's root. Without node and npm it says so; under CI (CI set) that is a
# failure, since the test would then report that it did not run.
ensure_node_deps() {
  local dir="$1/server/src/test/node"
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    if [ -n "${CI:-}" ]; then
      echo "run-tests: CI must run the OpenAI Node client test, but node or npm is not on PATH (Node 18 or later is needed)" >&2
      return 1
    fi
    echo "run-tests: node or npm is not on PATH; the OpenAI Node client test (server) will report that it did not run" >&2
    return 0
  fi
  # A lockfile newer than node_modules means the pinned versions changed since the last install.
  if [ -d "$dir/node_modules" ] && [ ! "$dir/package-lock.json" -nt "$dir/node_modules" ]; then return 0; fi
  echo "run-tests: npm ci in $dir (the OpenAI Node client, as package-lock.json pins it)..." >&2
  if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >/tmp/adatoken3d-npm.log 2>&1; then
    cat /tmp/adatoken3d-npm.log >&2
    if [ -n "${CI:-}" ]; then
      echo "run-tests: npm ci failed in $dir; CI must run the OpenAI Node client test" >&2
      return 1
    fi
    echo "run-tests: npm ci failed in $dir; the OpenAI Node client test will report that it did not run" >&2
    return 0
  fi
}
