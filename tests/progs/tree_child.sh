#!/bin/bash
# A process tree of the simplest kind: a shell whose child computes for a
# while and whose next command uses the child's exit status.  Numbered
# lines (tests/lib.sh splices them); the pids each process printed at its
# start are printed again at its end.
n=${1:-60}
printf '0000 shell pid=%s\n' $$
(
	printf '0001 child pid=%s\n' "$BASHPID"
	i=2
	while [ $i -lt "$n" ]; do
		printf '%04d child sq=%s\n' $i $((i * i))
		i=$((i + 1))
		sleep 0.05
	done
	printf '%04d child pid=%s\n' "$n" "$BASHPID"
	exit 7
)
st=$?
printf '%04d shell child-status=%s pid=%s\n' $((n + 1)) $st $$
