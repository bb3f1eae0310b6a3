#!/bin/bash
# A Slurm batch script that survives its time limit (see README.md here):
#   sbatch examples/slurm/job.sh ./simulation args...
#
# Slurm sends SIGUSR2 to this batch shell 120 s before the limit; the
# shell passes it to the program (a checkpoint), waits until the new image
# is complete, and asks Slurm to requeue the job.  When the job starts
# again, it restarts from the image instead of from scratch.  The previous
# image stays valid until the new one has replaced it (atomic rename).
#SBATCH --signal=B:USR2@120
#SBATCH --requeue
#SBATCH --open-mode=append
set -u
CKPT_RUN=${CKPT_RUN:-ckpt-run}
MYRESTART=${MYRESTART:-myrestart}
IMAGE=${CKPT_FILE:-$PWD/myckpt}
export CKPT_FILE=$IMAGE

checkpoint_and_requeue() {
	local before
	before=$(stat -c %Y.%i "$IMAGE" 2>/dev/null)
	kill -USR2 "$child" 2>/dev/null || return
	# the writer renames a complete image over the old one
	for _ in $(seq 1 1200); do
		[ "$(stat -c %Y.%i "$IMAGE" 2>/dev/null)" != "$before" ] && break
		sleep 0.1
	done
	echo "job.sh: checkpoint written to $IMAGE; requeueing" >&2
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
