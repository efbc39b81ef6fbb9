#!/usr/bin/env bash
# Builds examples/user-project, a library user's project that depends on lib-laplace only, against this checkout's
# artifacts, runs it, and checks what a user gets (README, "Use it as a library"; docs/DEVELOPING.md, "Dependencies"):
#   1. its runtime class path holds no test, PDF, GIF, commons-logging or benchmark library;
#   2. it loads BundledData.tinyLlamaModel() from lib-core's jar (extracted to a fresh cache) and scores a question;
#   3. the platform snippets resolve to the right natives: CUDA, linux-arm64, macosx-arm64, windows-x86_64
#      (dependency:tree only: poms, no other platform's jars are downloaded).
# The reactor is installed into a private local repository seeded from ~/.m2 (never into ~/.m2 itself), so the
# check runs offline once the project has been built: examples/user-project/check.sh [--online]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
offline=-o
[[ "${1:-}" == "--online" ]] && offline=
work="${BAYESLORA_CHECK_DIR:-$(mktemp -d -t bayeslora-user-check.XXXXXX)}"
repo="$work/m2"
mkdir -p "$repo"
echo "check: private local repository $repo"
if [[ -d "$HOME/.m2/repository" ]]; then
  # the project's own artifacts come from this checkout, not from whatever ~/.m2 holds
  tar -C "$HOME/.m2/repository" --exclude=./ai/bayeslora -cf - . | tar -C "$repo" -xf -
fi
mvn_() { mvn $offline -q -B -Dmaven.repo.local="$repo" "$@"; }

echo "check: installing the reactor (all platforms' natives poms) into it"
(cd "$root" && mvn_ -DskipTests -Pall-platforms install)

cd "$here"
echo "check: building the user project"
mvn_ package
mvn_ dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$work/classpath.txt"
tr ':' '\n' < "$work/classpath.txt" | sed 's|.*/||' | sort > "$work/jars.txt"
echo "check: runtime class path ($(wc -l < "$work/jars.txt") jars):"; sed 's/^/  /' "$work/jars.txt"
forbidden='junit|assertj|opentest4j|apiguardian|byte-buddy|jazzer|-tests\.jar|slf4j-simple|pdfbox|fontbox|graphics2d-|commons-logging|animated-gif|jmh|ejml-(fdense|cdense|zdense|dsparse|fsparse|simple|all)'
if grep -E "$forbidden" "$work/jars.txt"; then
  echo "check: FAILED: the jars above must not be on a user's runtime class path" >&2; exit 1
fi
for want in lib-laplace lib-lora lib-uncertainty lib-core pytorch-2.10.0-1.5.13-linux-x86_64 ejml-ddense xchart; do
  grep -q "^$want" "$work/jars.txt" || { echo "check: FAILED: $want missing from the class path" >&2; exit 1; }
done

echo "check: running it (bundled model extracted from lib-core's jar into $work/cache)"
out=$(java -Dbayeslora.cache.dir="$work/cache" -cp "target/classes:$(cat "$work/classpath.txt")" \
  com.example.bayeslora.ScoreBundled 2>"$work/run.log") || { cat "$work/run.log" >&2; exit 1; }
echo "$out" | sed 's/^/  /'
echo "$out" | grep -q "^model $work/cache/resources/tiny-llama-" || { echo "check: FAILED: not extracted to the cache" >&2; exit 1; }
echo "$out" | grep -qx OK

tree_has() { # profile args, wanted pattern, unwanted pattern
  local t; t=$(mvn $offline -B -Dmaven.repo.local="$repo" dependency:tree $1 2>&1 | grep -E '^\[INFO\] [|+\\ -]' || true)
  echo "$t" | grep -q -- "$2" || { echo "check: FAILED: $1: no $2 in" >&2; echo "$t" >&2; exit 1; }
  if echo "$t" | grep -q -- "$3"; then echo "check: FAILED: $1: $3 still there" >&2; echo "$t" >&2; exit 1; fi
  echo "check: $1 -> $2"
}
tree_has "-Pcuda" "pytorch:jar:linux-x86_64-gpu" "pytorch:jar:linux-x86_64:"
tree_has "-Pcuda" "cuda:jar:linux-x86_64" "bayeslora-natives-linux-x86_64:"
for p in linux-arm64 macosx-arm64 windows-x86_64; do
  tree_has "-Pplatform -Dplatform=$p" "pytorch:jar:$p:" "pytorch:jar:linux-x86_64:"
  tree_has "-Pplatform -Dplatform=$p" "openblas:jar:$p:" "javacpp:jar:linux-x86_64:"
done
echo "check: all passed"
