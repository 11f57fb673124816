#!/bin/sh
# bench/gitops/pipeline.sh OLD NEW OUT ENV... - "what users do today": for
# every release and overlay of the named environments (as listed in
# NEW/.bench/pipeline.txt, written by gen.py), run `helm template` per
# release and `kubectl kustomize` per overlay (or $KUSTOMIZE, a command
# taking the directory), once in the checkout OLD and once in NEW, one
# process after the other as a CI job would, then `diff -r` the two
# outputs. Writes OUT/old, OUT/new and OUT/diff. $HELM names helm 3.10.1.
# Exit 0 whether or not the outputs differ; 2 when a render fails.
set -u
old=$1 new=$2 out=$3
shift 3
helm=${HELM:-helm}
kust=${KUSTOMIZE:-kubectl kustomize}
list=$new/.bench/pipeline.txt
rm -rf "$out"
mkdir -p "$out/old" "$out/new"
for side in old new; do
	eval "tree=\$$side"
	cd "$tree" || exit 2
	for env in "$@"; do
		mkdir -p "$out/$side/$env"
		while read -r what e name rest; do
			[ "$e" = "$env" ] || continue
			o=$out/$side/$env/$name.yaml
			case $what in
			helm)
				ns=${rest%% *} rest=${rest#* }
				chart=${rest%% *} files=${rest#* }
				fl=
				for f in $files; do fl="$fl -f $f"; done
				# shellcheck disable=SC2086
				"$helm" template "$name" "$chart" --namespace "$ns" \
					--kube-version 1.31.0 $fl >"$o" ||
					{ echo "pipeline: helm template $name failed" >&2; exit 2; }
				;;
			kustomize)
				# shellcheck disable=SC2086
				$kust "$rest" >"$o" ||
					{ echo "pipeline: kustomize $rest failed" >&2; exit 2; }
				;;
			esac
		done <"$list"
	done
done
diff -r "$out/old" "$out/new" >"$out/diff"
[ $? -le 1 ] || exit 2
exit 0
