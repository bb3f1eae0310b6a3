#!/bin/bash
# A Slurm batch script that survives its time limit (see README.md here):
#   sbatch examples/slurm/job.sh ./simulation args...
#
# Slurm sends SIGUSR2 to this batch shell 120 s before the limit; the
# shell passes it to the program (a checkpoint), waits until the new image
# is complete, and asks Slurm to requeue the job (not when the checkpoint
# failed: then the job goes on as if no signal had come).  When the job
# starts again, it restarts from the image instead of from scratch.  The
# previous image stays valid until the new one has replaced it (atomic
# rename).
#SBATCH --signal=B:USR2@120
#SBATCH --requeue
#SBATCH --open-mode=append
set -u
CKPT_RUN=${CKPT_RUN:-ckpt-run}
MYRESTART=${MYRESTART:-myrestart}
IMAGE=${CKPT_FILE:-$PWD/myckpt}
export CKPT_FILE=$IMAGE

checkpoint_and_requeue() {
	local before log size=0 new=
	before=$(stat -c %Y.%i "$IMAGE" 2>/dev/null)
	# a failed checkpoint is one line from the library on the program's
	# stderr, which is ours (Slurm's output file): read what comes after now
	log=$(readlink "/proc/$$/fd/2" 2>/dev/null)
	if [ -f "$log" ]; then size=$(stat -c %s "$log"); else log=; fi
	kill -USR2 "$child" 2>/dev/null || return
	# the writer renames a complete image over the old one
	for _ in $(seq 1 1200); do
		[ "$(stat -c %Y.%i "$IMAGE" 2>/dev/null)" != "$before" ] && { new=1; break; }
		if [ -n "$log" ] && tail -c +$((size + 1)) "$log" 2>/dev/null |
			grep -Eq '^libckpt: checkpoint(ing is disabled| [0-9]+ failed)'; then
			echo "job.sh: the checkpoint failed (see the libckpt line above); not requeueing, the job goes on" >&2
			return
		fi
		kill -0 "$child" 2>/dev/null || return   # the program has ended
		sleep 0.1
	done
	if [ -n "$new" ]; then
		echo "job.sh: checkpoint written to $IMAGE; requeueing" >&2
	else
		echo "job.sh: no new image in 120 s; requeueing (the job restarts from the previous image, if any)" >&2
	fi
	scontrol requeue "${SLURM_JOB_ID:?not running under Slurm}"
}
trap checkpoint_and_requeue USR2

if [ -s "$IMAGE" ] && "$MYRESTART" --check "$IMAGE" >/dev/null; then
	echo "job.sh: restarting from $IMAGE" >&2
	"$MYRESTART" "$IMAGE" &
else
	"$CKPT_RUN" --file "$IMAGE" "$@" &
fi
child=$!
# wait returns early when a trapped signal arrives: wait again until the
# program has really ended
while kill -0 "$child" 2>/dev/null; do
	wait "$child"
	status=$?
done
exit "${status:-0}"
