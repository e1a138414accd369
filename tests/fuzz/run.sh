#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (scripts/deps.sh installs it) and runs each
# for a while. Not part of CI. Usage: tests/fuzz/run.sh [seconds per target, default 300]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-300}
out=${FUZZ_OUT:-$root/build-fuzz}
mkdir -p "$out/obj"
# RapidJSON 1.1's internal stack does arithmetic on a null pointer before its first allocation;
# that one check is left out so the fuzzers report our bugs, not that one.
san="-fsanitize=address,undefined -fno-sanitize=pointer-overflow -fno-sanitize-recover=undefined"
flags="-std=c++20 -O1 -g $san -I$root/include -DRAPIDJSON_HAS_STDSTRING=1 -Wno-ambiguous-reversed-operator"
objects=()
# An object is stale when its source or any header is newer (a changed signature must not link).
newest_header=$(find "$root/include" "$root/src" -name '*.hpp' -newer "$out/obj" 2>/dev/null | head -1)
[ -z "$newest_header" ] || rm -f "$out"/obj/*.o
touch "$out/obj"
# The render sources without the two that need the decrypt module, which no target uses.
render_sources=$(ls "$root"/src/render/*.cpp | grep -v -e /render_source.cpp -e /build_command.cpp)
for src in $render_sources "$root"/src/render/kustomize/*.cpp "$root"/src/core/error.cpp "$root"/src/core/file_tree.cpp \
  "$root"/src/core/json.cpp "$root"/src/core/json_zero_exponent.cpp "$root"/src/core/disk_tree.cpp "$root"/src/core/ignore.cpp "$root"/src/core/filtered_tree.cpp "$root"/src/git/memory_tree.cpp "$root"/src/git/errc.cpp; do
  obj="$out/obj/$(echo "${src#$root/}" | tr / _).o"
  if [ ! -e "$obj" ] || [ "$src" -nt "$obj" ]; then
    clang++ $flags -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
  fi
  objects+=("$obj")
done
# FUZZ_TARGETS picks some of them.
read -r -a targets <<<"${FUZZ_TARGETS:-yaml kustomization json kustomize_regex tree substitute ignore}"
for target in "${targets[@]}"; do
  clang++ $flags -fsanitize=fuzzer -o "$out/${target}_fuzz" "$here/${target}_fuzz.cpp" "${objects[@]}" -lyaml-cpp \
    -lyaml -lre2 -lfmt
done
for target in "${targets[@]}"; do
  corpus="$here/corpus-$target"
  mkdir -p "$corpus"
  echo "== ${target}_fuzz for ${seconds}s"
  (cd "$out" && "./${target}_fuzz" -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=1024 -timeout=10 \
    -print_final_stats=1 -detect_leaks=0 "$corpus" "$here/seeds/$target" 2>&1 |
    grep -E '^#[0-9]+[[:space:]]+DONE|ERROR|SUMMARY|stat::number_of_executed_units|runtime error' | tail -6) || true
done
