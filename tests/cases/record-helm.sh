#!/bin/sh
# Records the expectation of one or more helm golden cases with the real
# Helm 3.10.1 binary (../shared/tools/install-oracles.sh installs it):
#   tests/cases/record-helm.sh tests/cases/helm/<case>...
# writes <case>/expected.out, or <case>/expected.err when Helm fails.
set -u
helm=${HELM:-$(bash "$(dirname "$0")/../../../shared/tools/install-oracles.sh")}
for dir in "$@"; do
	rm -f "$dir/expected.out" "$dir/expected.err"
	if [ -f "$dir/chart.tgz" ]; then
		where=$dir target=chart.tgz argf=args
	else
		where=$dir/chart target=. argf=../args
	fi
	# shellcheck disable=SC2046
	if (cd "$where" && "$helm" template $(cat "$argf") "$target") >"$dir/expected.out" 2>"$dir/helm.err"; then
		rm -f "$dir/helm.err"
	else
		rm -f "$dir/expected.out"
		# the error from its "Error: " line to the end (schema errors
		# span several lines)
		sed -n '/^Error: /,$p' "$dir/helm.err" | sed 's/^Error: //' >"$dir/expected.err"
		rm -f "$dir/helm.err"
	fi
	echo "recorded $dir"
done
