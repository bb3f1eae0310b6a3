#!/bin/bash
# A shell and its child that write to one log through one open file
# description (`exec 3>log`: no O_APPEND, one offset that both move on),
# and numbered lines on stdout.  Restored as one file, nothing of the log
# is overwritten; reopened by each, both would write at the same offset.
exec 3>log
printf '0000 shell pid=%s\n' $$
(
	printf '0001 child pid=%s\n' "$BASHPID"
	for i in $(seq 2 60); do
		printf '%04d child\n' "$i"; printf 'child %s\n' "$i" >&3; sleep 0.05
	done
) &
for i in $(seq 101 160); do
	printf '%04d shell\n' "$i"; printf 'shell %s\n' "$i" >&3; sleep 0.05
done
wait
printf '0200 shell pid=%s\n' $$
