# Sourced by ./adatoken3d and ./run-tests: sets JAVA_HOME to a JDK 25 or newer, or exits with a message
# saying where it looked. Order: JAVA_HOME, the java on PATH, then the system's JVM folder.

_jdk_major() { # prints the feature version of the JDK at $1, or nothing
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  # The release file every JDK ships answers without starting a JVM (two or three of those took 0.3 s a launch).
  if [ -f "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" | head -n 1
  else
    "$1/bin/java" -XshowSettings:properties -version 2>&1 |
      sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
  fi
}

_jdk_candidates() {
  [ -n "${JAVA_HOME:-}" ] && echo "$JAVA_HOME"
  local java home
  if java=$(command -v java); then
    # bin/java of a JDK, through any alternatives links; a wrapper script is asked for its java.home instead.
    java=$(readlink -f "$java" 2>/dev/null || echo "$java")
    home=$(dirname "$(dirname "$java")")
    if [ "$(basename "$java")" = java ] && [ -f "$home/release" ]; then
      echo "$home"
    else
      java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.home = //p' | head -n 1
    fi
  fi
  for d in /usr/lib/jvm/* /opt/java/* /opt/jdk*; do [ -d "$d" ] && echo "$d"; done
}

find_jdk25() {
  local looked="" d v
  while IFS= read -r d; do
    [ -n "$d" ] || continue
    v=$(_jdk_major "$d")
    if [ -n "$v" ]; then looked="$looked\n  $d (Java $v)"; else looked="$looked\n  $d (no JDK)"; fi
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then
      export JAVA_HOME="$d"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done < <(_jdk_candidates)
  printf 'adatoken3d needs a JDK 25 (Vector API incubator module, final FFM API).\nLooked in JAVA_HOME, the java on PATH and /usr/lib/jvm:%b\nInstall one (e.g. Temurin 25) or point JAVA_HOME at it.\n' "$looked" >&2
  exit 1
}
