#!/bin/bash
# The corpus alone (see lib.sh here): tests/run.sh --corpus with only the
# corpus-* cases.
#
#   tests/corpus/run.sh [--runner qemu-x86_64] [NAME...]   (NAME: gzip, ...)
set -u
runner=() names=()
while [ $# -gt 0 ]; do
	case $1 in
	--runner) runner=(--runner "$2"); shift 2 ;;
	*) names+=("corpus-$1"); shift ;;
	esac
done
[ ${#names[@]} -gt 0 ] || names=('corpus-*')
exec "$(dirname "$0")/../run.sh" "${runner[@]}" --corpus "${names[@]}"
