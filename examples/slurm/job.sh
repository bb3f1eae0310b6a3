#!/bin/bash
# A Slurm batch script that survives its time limit and preemption, on
# whatever node the job lands next (see README.md here):
#   sbatch examples/slurm/job.sh ./simulation args...
#
# Slurm sends SIGUSR2 to this batch shell 120 s before the limit; the
# shell passes it to the program (a checkpoint), waits until the new image
# is complete, and asks Slurm to requeue the job (not when the checkpoint
# failed: then the job goes on as if no signal had come).  When the job
# starts again, here or on another node, it restarts from the image
# instead of from scratch.  The previous image stays valid until the new
# one has replaced it (atomic rename).
#
# Settings (environment, e.g. sbatch --export=ALL,CKPT_SCRATCH=...):
#   CKPT_FILE      the image, on storage every node sees (default
#                  $PWD/myckpt; in a job array $PWD/myckpt.%A_%a)
#   CKPT_SCRATCH   the job's node-local scratch directory, e.g.
#                  /tmp/%u/%j: the program starts in it (its relative
#                  file names land there), $SCRATCH names it; at each
#                  checkpoint it is copied beside the image (CKPT_FILE.scratch),
#                  and a restart copies it into this node's scratch and
#                  maps the old path to the new (myrestart --map).  Unset:
#                  the program's files are on shared storage, where the
#                  restart finds them as they are.
#   CKPT_SRUN      run the program as a job step: e.g. "srun --ntasks=1"
#                  (srun forwards the checkpoint signal to it)
#   CKPT_RUN, MYRESTART  where ckpt-run and myrestart are (default: $PATH)
# In CKPT_FILE and CKPT_SCRATCH, %j is the job's id (an array task's
# own), %A and %a the array's id and the task's index, %n the node, %u the
# user.
#SBATCH --signal=B:USR2@120
#SBATCH --requeue
#SBATCH --open-mode=append
set -u
CKPT_RUN=${CKPT_RUN:-ckpt-run}
MYRESTART=${MYRESTART:-myrestart}
NODE=${SLURMD_NODENAME:-$(hostname -s)}
# a word-split launcher prefix: srun and its options
read -r -a SRUN <<<"${CKPT_SRUN:-}"

expand() {
	local s=$1
	s=${s//%j/${SLURM_JOB_ID:-0}}
	s=${s//%A/${SLURM_ARRAY_JOB_ID:-${SLURM_JOB_ID:-0}}}
	s=${s//%a/${SLURM_ARRAY_TASK_ID:-0}}
	s=${s//%n/$NODE}
	s=${s//%u/${USER:-$(id -un)}}
	echo "$s"
}
if [ -n "${SLURM_ARRAY_TASK_ID:-}" ]; then IMAGE=$PWD/myckpt.%A_%a; else IMAGE=$PWD/myckpt; fi
IMAGE=$(expand "${CKPT_FILE:-$IMAGE}")
case $IMAGE in /*) ;; *) IMAGE=$PWD/$IMAGE ;; esac
export CKPT_FILE=$IMAGE
STAGE=$IMAGE.scratch SCRATCH=
if [ -n "${CKPT_SCRATCH:-}" ]; then
	SCRATCH=$(expand "$CKPT_SCRATCH")
	mkdir -p "$SCRATCH" || { echo "job.sh: cannot make the scratch directory $SCRATCH" >&2; exit 1; }
	# the files the program has open for writing go into the image, and a
	# restart puts them back as they were at the checkpoint (what the
	# program wrote after it, before the requeue ended it, is not kept)
	export SCRATCH CKPT_SAVE_WRITTEN=${CKPT_SAVE_WRITTEN:-1}
	# the program runs in the scratch directory: a relative path to it
	# is taken from here first
	case ${1:-} in /*|'') ;; */*) [ -e "$1" ] && set -- "$PWD/$1" "${@:2}" ;; esac
fi

# the scratch directory beside the image (on shared storage), with where
# it came from: a restart on any node copies it back
stage_scratch() {
	[ -n "$SCRATCH" ] || return 0
	rm -rf "$STAGE.tmp" && mkdir -p "$STAGE.tmp" && cp -a "$SCRATCH/." "$STAGE.tmp/" &&
		printf '%s\n' "$NODE" "$SCRATCH" "$(stat -c %Y.%i "$IMAGE")" >"$STAGE.tmp/.ckpt-from" &&
		rm -rf "$STAGE" && mv "$STAGE.tmp" "$STAGE"
}

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
		if ! stage_scratch; then
			echo "job.sh: cannot copy $SCRATCH to $STAGE; not requeueing, the job goes on" >&2
			return
		fi
		echo "job.sh: checkpoint written to $IMAGE on $NODE; requeueing" >&2
	else
		echo "job.sh: no new image in 120 s; requeueing (the job restarts from the previous image, if any)" >&2
	fi
	# this job; in an array this task (the array's job id is also one
	# task's SLURM_JOB_ID: requeueing it would requeue every task)
	local id=${SLURM_JOB_ID:?not running under Slurm}
	[ -z "${SLURM_ARRAY_JOB_ID:-}" ] || id=${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}
	scontrol requeue "$id"
}
trap checkpoint_and_requeue USR2

# a valid image that this node cannot run (another CPU, another runner):
# starting over would replace it at the next checkpoint; the job fails
# instead, the image kept for a node that can
MAP=() why= ok=1
if [ -s "$IMAGE" ]; then
	why=$("$MYRESTART" --check "$IMAGE" 2>&1 >/dev/null) || ok=
	[ -z "$why" ] || echo "$why" >&2
	if [ -z "$ok" ] && grep -Eq ": (this CPU lacks|this kernel's|the image has a \[|taken (natively|under)|taken on another machine)" <<<"$why"; then
		echo "job.sh: $NODE cannot restart $IMAGE (see above); not starting over, which would replace it; the image is kept: submit again where it can run (sbatch --constraint=..., --exclude=$NODE)" >&2
		exit 1
	fi
fi
if [ -s "$IMAGE" ] && [ -n "$ok" ]; then
	how=
	if [ -n "$SCRATCH" ] && [ -f "$STAGE/.ckpt-from" ]; then
		{ read -r from_node; read -r from; read -r from_image; } <"$STAGE/.ckpt-from"
		[ "$from_image" = "$(stat -c %Y.%i "$IMAGE")" ] ||
			echo "job.sh: warning: $STAGE was not copied at this image's checkpoint" >&2
		cp -a "$STAGE/." "$SCRATCH/" && rm -f "$SCRATCH/.ckpt-from" ||
			{ echo "job.sh: cannot copy $STAGE to $SCRATCH" >&2; exit 1; }
		[ "$from" = "$SCRATCH" ] || MAP=(--map "$from=$SCRATCH")
		how=" (taken on $from_node; scratch $from -> $SCRATCH)"
	fi
	echo "job.sh: restarting from $IMAGE on $NODE$how" >&2
	[ -z "$SCRATCH" ] || cd "$SCRATCH" || exit 1
	"${SRUN[@]}" "$MYRESTART" "${MAP[@]}" "$IMAGE" &
else
	[ -z "$SCRATCH" ] || cd "$SCRATCH" || exit 1
	"${SRUN[@]}" "$CKPT_RUN" --file "$IMAGE" "$@" &
fi
child=$!
# wait returns early when a trapped signal arrives: wait again until the
# program has really ended
while kill -0 "$child" 2>/dev/null; do
	wait "$child"
	status=$?
done
exit "${status:-0}"
