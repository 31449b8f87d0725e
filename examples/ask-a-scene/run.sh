#!/usr/bin/env bash
# Builds the README's example against the installed adatoken3d artifacts and asks the committed spatial-QA model
# about one held-out room. Run after `mvn install` (./run-tests does both).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"
# The README shows this program; it must be the code that runs.
if ! diff <(sed -n '/<!-- example:AskAScene.java -->/,/<!-- \/example -->/p' "$root/README.md" | sed '1,2d;$d' | sed '$d') \
          src/main/java/AskAScene.java >/dev/null; then
  echo "examples/ask-a-scene: README.md's example differs from src/main/java/AskAScene.java" >&2
  exit 1
fi
mvn -B -q -ntp package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp "target/classes:$(cat target/classpath.txt)" AskAScene "$root/conformance/spatialqa/model" room.safetensors \
  "Is there a red cube?" 2> >(grep -v '^WARNING: Using incubator modules' >&2)
