# Sourced by ./adatoken3d and ./run-tests: sets JAVA_HOME to a JDK 25 or newer, or exits with a message
# saying where it looked. Order: JAVA_HOME, the java on PATH, then the system's JVM folder.

_jdk_major() { # prints the feature version of the JDK at $1, or nothing
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

_jdk_candidates() {
  [ -n "${JAVA_HOME:-}" ] && echo "$JAVA_HOME"
  if command -v java >/dev/null 2>&1; then
    java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.home = //p' | head -n 1
  fi
  for d in /usr/lib/jvm/* /opt/java/* /opt/jdk*; do [ -d "$d" ] && echo "$d"; done
}

find_jdk25() {
  local looked="" d v
  while IFS= read -r d; do
    [ -n "$d" ] || continue
    v=$(_jdk_major "$d")
    looked="$looked\n  $d${v:+ (Java $v)}${v:- (no JDK)}"
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then
      export JAVA_HOME="$d"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done < <(_jdk_candidates)
  printf 'adatoken3d needs a JDK 25 (Vector API incubator module, final FFM API).\nLooked in JAVA_HOME, the java on PATH and /usr/lib/jvm:%b\nInstall one (e.g. Temurin 25) or point JAVA_HOME at it.\n' "$looked" >&2
  exit 1
}
