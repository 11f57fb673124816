#!/bin/sh
# bench/gitops/profile.sh [BUILD] - instruction counts of the hook's render
# pair (old + new + diff of one environment) on the gen.py workload after
# a one-line values change in staging, with and without the render cache,
# under valgrind --tool=callgrind (repeatable on a loaded machine, unlike
# wall time). BUILD is the build directory holding librendergate.a
# (default build). Leaves callgrind.out.nocache and callgrind.out.cache in
# the work directory it prints, for callgrind_annotate.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rendergate-profile.XXXXXX")
echo "work directory: $tmp"
cc -std=c11 -O2 -g -I"$top/include" -o "$tmp/pair" "$here/pair.c" \
	"$top/$build/librendergate.a" \
	$(pkg-config --libs libgit2 yaml-0.1 libcurl jansson libpcre2-8 zlib) -lm
python3 "$here/gen.py" "$tmp/work" >/dev/null
cd "$tmp/work"
sed -i 's/^replicaCount: .*/replicaCount: 9/' envs/staging/values/nginx-0.yaml
git -c user.name=bench -c user.email=bench@example.com commit -qam "staging: nginx-0 replicas 9"
for mode in nocache cache; do
	flag=
	[ $mode = nocache ] && flag=-n
	valgrind --tool=callgrind --callgrind-out-file="$tmp/callgrind.out.$mode" \
		"$tmp/pair" $flag . HEAD~1 HEAD staging >"$tmp/$mode.log" 2>"$tmp/$mode.err"
	printf '%-8s %s instructions; %s\n' $mode \
		"$(sed -n 's/^==[0-9]*== Collected : //p' "$tmp/$mode.err")" \
		"$(tr '\n' ' ' <"$tmp/$mode.log")"
done
