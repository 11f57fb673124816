#!/bin/sh
# build.sh - libFuzzer builds of every tests/fuzz/fuzz-*.c (make fuzz).
#
# The library is compiled with clang, AddressSanitizer, UBSan (no
# recovery: undefined behaviour is a crash) and -DRG_ARENA_MALLOC, so
# every arena object has its own bounds; each harness is linked with
# -fsanitize=fuzzer into build-fuzz/fuzz-<name>. Run them with
# tests/fuzz/run.sh.
#
# Usage: tests/fuzz/build.sh [NAME...]    (default: every harness)
# Environment: FUZZ_BUILD (default build-fuzz), FUZZ_CC (default clang),
# JOBS (make -j, default 2), FUZZ_SAN_EXTRA (more sanitizer flags, e.g.
# -fno-sanitize=nonnull-attribute to fuzz past a known finding; use
# another FUZZ_BUILD then, since make does not notice changed flags).
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
out=${FUZZ_BUILD:-build-fuzz}
cc=${FUZZ_CC:-clang}
jobs=${JOBS:-2}
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
san="$san -fno-omit-frame-pointer -DRG_ARENA_MALLOC ${FUZZ_SAN_EXTRA:-}"

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "build.sh: $cc not found (libFuzzer needs clang)" >&2
	exit 2
fi
rt=$("$cc" -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null || true)
if [ ! -f "$rt" ] && ! ls "$("$cc" -print-resource-dir)"/lib/linux/libclang_rt.fuzzer*.a >/dev/null 2>&1; then
	echo "build.sh: the libFuzzer runtime is missing (apt-get install libclang-rt-14-dev)" >&2
	exit 2
fi

# The library, through the Makefile (same sources, same warnings), with
# coverage instrumentation but no fuzzer main.
make -s -j"$jobs" BUILD="$out/lib" CC="$cc" OPT="-O1 -g" \
	SAN_CFLAGS="-fsanitize=fuzzer-no-link $san" \
	CFLAGS="-Wno-unknown-warning-option" "$out/lib/librendergate.a"

pkgs="libgit2 yaml-0.1 libcurl jansson libpcre2-8 zlib"
cflags=$(pkg-config --cflags $pkgs)
libs="$(pkg-config --libs $pkgs) -lm"

if [ $# -eq 0 ]; then
	set -- $(ls tests/fuzz/fuzz-*.c | sed 's|tests/fuzz/fuzz-||; s|\.c$||')
fi
built=0
for name in "$@"; do
	src=tests/fuzz/fuzz-$name.c
	bin=$out/fuzz-$name
	if [ ! -f "$src" ]; then
		echo "build.sh: no harness $src" >&2
		exit 2
	fi
	if [ -x "$bin" ] && [ ! "$src" -nt "$bin" ] &&
	   [ ! "$out/lib/librendergate.a" -nt "$bin" ]; then
		built=$((built + 1))
		continue
	fi
	echo "  FUZZ $bin"
	# shellcheck disable=SC2086
	"$cc" -std=c11 -O1 -g -Iinclude $cflags -fsanitize=fuzzer $san \
		-o "$bin" "$src" "$out/lib/librendergate.a" $libs
	built=$((built + 1))
done
echo "build.sh: $built harnesses in $out/"
