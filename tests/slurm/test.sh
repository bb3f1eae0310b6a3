#!/bin/bash
# make check-slurm: examples/slurm/job.sh under a real Slurm (Debian 12's
# slurm-wlm 22.05 and munge), on a two-node cluster private to this run
# (tests/slurm/cluster.sh), torn down at the end, also when a case fails.
# Root only: prints "SKIP: needs root" otherwise (and a SKIP line when
# root has no namespaces, in a container without CAP_SYS_ADMIN).
#
# The job is tests/progs/counter (numbered lines, one every 50-100 ms)
# under ckpt-run; its output, spliced where a restart repeats lines, must
# equal an uninterrupted run's.  The cases run side by side:
#   requeue-on-warning  the preemption warning as Slurm delivers it
#                       (scancel --signal=USR2 --batch): the job writes
#                       its image, requeues itself and restarts from it;
#                       the time from the signal to the job pending in the
#                       queue again is measured and printed
#   sacct-shows-requeue sacct -c (the job completion log: there is no
#                       slurmdbd here) lists the requeued run and the
#                       completed one; scontrol shows Restarts=1
#   two-requeues        warned, requeued, warned again once restarted
#   image-dir-full      the image's directory is a full tmpfs: the
#                       checkpoint fails with a clear line, the job is not
#                       requeued and runs to its end
#   time-limit          --time=1 --signal=B:USR2@50 and 65 s of work:
#                       Slurm's own time-limit warning, as often as needed
# and a job moving between the nodes (issue 29), with node-local scratch
# (CKPT_SCRATCH=DIR/local/%n/job.%j), started on nodea, warned, excluded
# from nodea once pending (scontrol update ExcNodeList), its nodea scratch
# removed: it must restart on nodeb with the scratch mapped and end as an
# uninterrupted run; the times from the warning to pending, to running on
# nodeb and to the program running again are printed:
#   moved-to-other-node tests/progs/scratchlog (a file in its scratch,
#                       open for appending, read back at the end)
#   moved-tree          bash and its computing child (tests/progs/
#                       tree_child.sh): pids printed before and after agree
#   moved-srun-step     scratchlog as a job step (CKPT_SRUN=srun)
#   job-array           four trees (--array=0-3, held, two tasks bound to
#                       each node, released), each moved to the other node
#   foreign-image-refused  an image needing a CPU component this one
#                       lacks: the job fails with myrestart's line, does
#                       not start over, the image unchanged
#
# Prints "ok N - ..." / "not ok N - ...: why" lines and "N passed, N failed";
# exit status 0 only when nothing failed.  CKPT_SLURM_KEEP=1 keeps the
# temporary directory (logs, outputs, slurm.conf); CKPT_SLURM_CASES="move
# array" runs only these cases (the names of their directories).
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
# wait_until, alive, track / stop: the suite's own; Slurm's commands are
# asked every 50 ms here
. "$ROOT/tests/primitives.sh"
# shellcheck disable=SC2034 # (wait_until's)
POLL_MS=50
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root"
	echo "0 passed, 0 failed"
	exit 0
fi
# the two nodes' hostnames and hosts files (a container without
# CAP_SYS_ADMIN has root but no namespaces)
if ! unshare --uts --mount true 2>/dev/null; then
	echo "SKIP: needs namespaces for the two nodes (unshare --uts --mount: CAP_SYS_ADMIN)"
	echo "0 passed, 0 failed"
	exit 0
fi
T0=$(date +%s)
N=0 PASSED=0 FAILED=0
ok() { N=$((N + 1)); PASSED=$((PASSED + 1)); echo "ok $N - $1"; }
not_ok() { N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - $1: $2"; }
finish() {
	trap - EXIT
	cleanup
	echo "$PASSED passed, $FAILED failed ($(($(date +%s) - T0)) s)"
	[ "$FAILED" = 0 ]; exit $?
}
cleanup() { :; }

for cmd in munged slurmctld slurmd sbatch scontrol scancel squeue sinfo sacct gcc; do
	command -v "$cmd" >/dev/null || { not_ok cluster "$cmd is not installed (make deps: slurm-wlm munge)"; finish; }
done
[ -x "$ROOT/myrestart" ] && [ -r "$ROOT/libckpt.so" ] ||
	make -s -C "$ROOT" libckpt.so myrestart >/dev/null || { not_ok build "make libckpt.so myrestart failed"; finish; }

. "$ROOT/tests/slurm/cluster.sh"
T=$(mktemp -d /tmp/ckpt-slurm.XXXXXX)
CASE_PIDS=()
# the teardown, also when a case fails or the run is interrupted: the
# daemons by the pids recorded at their start
cleanup() {
	local p daemons
	for p in "${CASE_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	CASE_PIDS=()
	daemons="slurmd x2, slurmctld, munged (pids ${CL_PIDS[*]})"
	if [ -n "$CL_DIR" ]; then
		if cluster_down 2>"$T/teardown.err"; then
			ok "teardown: $daemons ended"
		else
			not_ok teardown "$daemons: $(tr '\n' ' ' <"$T/teardown.err")"
		fi
	fi
	mountpoint -q "$T/full/img" && umount "$T/full/img"
	if [ "${CKPT_SLURM_KEEP:-0}" = 1 ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap 'finish' EXIT
trap 'not_ok interrupted "by a signal"; finish' INT TERM

if ! cluster_up "$T" 2>"$T/cluster.err"; then
	not_ok cluster "no idle node: $(tr '\n' ' ' <"$T/cluster.err" | head -c 600)"
	finish
fi
echo "# cluster up in $(($(date +%s) - T0)) s: munged, slurmctld, slurmd on nodea and nodeb (pids ${CL_PIDS[*]}), $SLURM_CONF"

mkdir -p "$T/bin"
gcc -O1 -o "$T/bin/counter" "$ROOT/tests/progs/counter.c" &&
	gcc -O1 -o "$T/bin/scratchlog" "$ROOT/tests/progs/scratchlog.c" || { not_ok build "cannot build counter, scratchlog"; finish; }
COUNTER=$T/bin/counter SCRATCHLOG=$T/bin/scratchlog TREE=$ROOT/tests/progs/tree_child.sh

# --- helpers (each case runs in its own subshell, in its own $W) ---

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
job_state() { squeue -h -j "$1" -o %T 2>/dev/null; }
# job_field ID NAME: a field of scontrol show job (kept MinJobAge after the end)
job_field() { scontrol -o show job "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p"; }
is_state() { [ "$(job_state "$1")" = "$2" ]; }
is_done() { [ "$(job_field "$1" JobState)" = "$2" ]; }
# the highest step the job's output has reached
last_step() { awk '/^[0-9][0-9][0-9][0-9] / { n = $1 + 0; if (n > m) m = n } END { print m + 0 }' "$1" 2>/dev/null; }
reached() { [ "$(last_step "$1")" -ge "$2" ]; }
# the program's lines of an output that restarts repeated a tail of:
# a step number not above the last one starts over from there
spliced() {
	awk '/^[0-9][0-9][0-9][0-9] / { n = $1 + 0
		if (have && n <= last) for (k = n; k <= last; k++) delete line[k]
		line[n] = $0; last = n; have = 1 }
	     END { for (k = 0; k <= last; k++) if (k in line) print line[k] }' "$1"
}
# submit NAME SBATCH-OPTIONS... -- PROGRAM ARGS...: job id on stdout
submit() {
	local name=$1 opts=(); shift
	while [ "$1" != -- ]; do opts+=("$1"); shift; done; shift
	sbatch --parsable -J "ckpt-$name" -D "$W" -o "$W/out" \
		--export=ALL,CKPT_RUN=$ROOT/ckpt-run,MYRESTART=$ROOT/myrestart "${opts[@]}" \
		"$ROOT/examples/slurm/job.sh" "$@"
}
# same_output STEPS [OUT [PROGRAM...]]: the job's spliced output against an
# uninterrupted run of PROGRAM STEPS 0 (default: the counter; the pause
# between steps changes nothing in the output), run in a directory of its
# own; the pids in lines (pid=N) taken out
same_output() {
	local n=$1 out=${2:-$W/out}; shift $(($# < 2 ? $# : 2))
	[ $# -gt 0 ] || set -- "$COUNTER"
	mkdir -p "$out.refdir"
	(cd "$out.refdir" && "$@" "$n" 0) | sed -E 's/pid=[0-9]+/pid=P/g' >"$out.ref"
	spliced "$out" | sed -E 's/pid=[0-9]+/pid=P/g' >"$out.spliced"
	cmp -s "$out.ref" "$out.spliced"
}
tail_of() { grep -v '^[0-9][0-9][0-9][0-9] ' "$1" 2>/dev/null | tail -n 4 | tr '\n' ' ' | head -c 400; }

# Each case writes "ok - ..." or "not ok - ...: why" lines to $W/result.
verdict() {   # verdict NAME WHY
	if [ -z "$2" ]; then echo "ok|$1"; else echo "not ok|$1|$2"; fi >>"$W/result"
}

# warn ID: the preemption warning as Slurm sends it to the batch shell;
# then the time until the job is pending again ("" when it is not in 30 s)
warn_and_time() {
	local t0 t1
	t0=$(now)
	scancel --signal=USR2 --batch "$1" || return 1
	wait_until 30 is_state "$1" PENDING || return 1
	t1=$(now)
	elapsed "$t0" "$t1"
}

case_warning() {
	local why= id dt t2
	id=$(submit warning -- "$COUNTER" 200 50) || { verdict requeue-on-warning "sbatch failed"; return; }
	echo "$id" >"$W/id"
	if ! wait_until 30 reached "$W/out" 40; then
		why="the job did not reach step 40 in 30 s (state $(job_state "$id")): $(tail_of "$W/out")"
	elif ! dt=$(warn_and_time "$id"); then
		why="not back in the queue 30 s after the warning (state $(job_state "$id")): $(tail_of "$W/out")"
	else
		t2=$(now)
		wait_until 60 is_state "$id" RUNNING
		echo "$dt $(elapsed "$t2" "$(now)")" >"$W/time"
		if ! wait_until 60 is_done "$id" COMPLETED; then
			why="the requeued job did not complete in 60 s (state $(job_field "$id" JobState)): $(tail_of "$W/out")"
		elif ! grep -q '^job.sh: restarting from' "$W/out"; then
			why="the requeued job started over: $(tail_of "$W/out")"
		elif ! same_output 200; then
			why="output differs from an uninterrupted run (diff $W/ref.out $W/spliced.out)"
		fi
	fi
	verdict requeue-on-warning "$why"
	# what Slurm's own records say
	why=
	local restarts comp
	restarts=$(job_field "$id" Restarts)
	comp=$(sacct -c -n -X -j "$id" -o JobID,State 2>&1 | awk 'NF { print $2 }' | tr '\n' ' ')
	echo "sacct -c -j $id: $comp; scontrol: Restarts=$restarts" >"$W/sacct"
	sacct -c -j "$id" -o JobID,JobName,State,Start,End >>"$W/sacct" 2>&1
	[ "$restarts" = 1 ] || why="scontrol show job: Restarts=$restarts, not 1"
	[ -z "$why" ] && [ "$comp" != "PENDING COMPLETED " ] &&
		why="sacct -c shows '$comp', not a requeued run (PENDING) then COMPLETED"
	verdict sacct-shows-requeue "$why"
}

case_two() {
	local why= id r
	id=$(submit two -- "$COUNTER" 300 50) || { verdict two-requeues "sbatch failed"; return; }
	# a restarted run starts by repeating steps: the second warning
	# waits for new ones
	for r in 1 2; do
		if ! wait_until 40 reached "$W/out" $((r * 60)); then
			why="run $r did not reach step $((r * 60)) (state $(job_state "$id")): $(tail_of "$W/out")"; break
		fi
		if ! warn_and_time "$id" >/dev/null; then
			why="warning $r: not back in the queue in 30 s: $(tail_of "$W/out")"; break
		fi
		[ "$(job_field "$id" Restarts)" = "$r" ] || { why="Restarts=$(job_field "$id" Restarts) after warning $r"; break; }
		wait_until 60 is_state "$id" RUNNING || { why="not running again after requeue $r"; break; }
	done
	if [ -z "$why" ]; then
		if ! wait_until 60 is_done "$id" COMPLETED; then
			why="did not complete after two requeues (state $(job_field "$id" JobState)): $(tail_of "$W/out")"
		elif [ "$(grep -c '^job.sh: restarting from' "$W/out")" != 2 ]; then
			why="$(grep -c '^job.sh: restarting from' "$W/out") restarts from the image, not 2"
		elif ! same_output 300; then
			why="output differs from an uninterrupted run (diff $W/ref.out $W/spliced.out)"
		fi
	fi
	verdict two-requeues "$why"
}

case_full() {
	local why= id img=$T/full/img
	mkdir -p "$img"
	if ! mount -t tmpfs -o size=64k,mode=700 ckpt-slurm-full "$img"; then
		verdict image-dir-full "cannot mount a small tmpfs"; return
	fi
	dd if=/dev/zero of="$img/filler" bs=4k 2>/dev/null   # until it is full
	id=$(submit full --export=ALL,CKPT_RUN=$ROOT/ckpt-run,MYRESTART=$ROOT/myrestart,CKPT_FILE=$img/myckpt \
		-- "$COUNTER" 200 50) || { verdict image-dir-full "sbatch failed"; return; }
	if ! wait_until 30 reached "$W/out" 40; then
		why="the job did not reach step 40 in 30 s: $(tail_of "$W/out")"
	else
		scancel --signal=USR2 --batch "$id"
		if ! wait_until 60 is_done "$id" COMPLETED; then
			why="the job did not complete (state $(job_field "$id" JobState)): $(tail_of "$W/out")"
		elif ! grep -qi '^libckpt: checkpoint 1 failed: .*no space left' "$W/out"; then
			why="no 'checkpoint 1 failed: ... No space left' line: $(tail_of "$W/out")"
		elif ! grep -q '^job.sh: the checkpoint failed' "$W/out"; then
			why="job.sh did not say that the checkpoint failed: $(tail_of "$W/out")"
		elif [ "$(job_field "$id" Restarts)" != 0 ]; then
			why="requeued after a failed checkpoint (Restarts=$(job_field "$id" Restarts))"
		elif ! same_output 200; then
			why="output differs from an uninterrupted run (diff $W/ref.out $W/spliced.out)"
		fi
	fi
	umount "$img" 2>/dev/null
	verdict image-dir-full "$why"
}

# Slurm checks time limits every 30 s: with a 1-minute limit and the
# warning 50 s before it, each run gets it 10-40 s in; 65 s of work take
# two to four runs, the last of which ends before its warning
case_timelimit() {
	local why= id
	id=$(submit timelimit --time=1 --signal=B:USR2@50 -- "$COUNTER" 650 100) ||
		{ verdict time-limit "sbatch failed"; return; }
	echo "$id" >"$W/id"
	if ! wait_until 170 is_done "$id" COMPLETED; then
		why="not completed in 170 s (state $(job_field "$id" JobState), Restarts=$(job_field "$id" Restarts), step $(last_step "$W/out")): $(tail_of "$W/out")"
	elif [ "$(job_field "$id" Restarts)" -lt 1 ]; then
		why="never requeued: the time-limit warning did not come"
	elif ! same_output 650; then
		why="output differs from an uninterrupted run (diff $W/ref.out $W/spliced.out)"
	fi
	verdict "time-limit (--signal=B:USR2@50, $(job_field "$id" Restarts) requeues)" "$why"
}

# --- a job moved to the other node (issue 29) ---

node_of() { job_field "$1" NodeList; }
# a step line after the (last) restart line: the restarted program runs
resumed() { awk '/^job.sh: restarting from/ { r = 1; next } r && /^[0-9][0-9][0-9][0-9] / { ok = 1 } END { exit !ok }' "$1" 2>/dev/null; }
# the pids a tree printed at its start and again at its end agree (the
# restart gave every process its pid again)
same_pids() {
	awk '/ pid=/ { for (i = 2; i <= NF; i++) if ($i ~ /^pid=/) { who = $2 == "child" || $2 == "shell" ? $2 : "?"
		if (who in p && p[who] != $i) bad = 1; p[who] = $i } } END { exit bad }' "$1"
}

# move_one ID OUT STEPS PROGRAM...: the running job ID (or array task
# A_I) warned on its node once its output OUT reached step 30 (the
# checkpoint and requeue of job.sh), excluded from that node once pending
# again, its old node-local scratch removed (a restart must not find it
# there): it must run on the other node, restart from the image there and
# end with the output of an uninterrupted run.  Prints nothing when it
# did, else why; the times from the warning to pending, running and
# running the program again into OUT.time.
move_one() {
	local id=$1 out=$2 steps=$3 from to jid t0 tp tr tx; shift 3
	wait_until 60 is_state "$id" RUNNING || { echo "not running in 60 s (state $(job_state "$id"))"; return; }
	from=$(node_of "$id") jid=$(job_field "$id" JobId)
	case $from in nodea) to=nodeb ;; nodeb) to=nodea ;; *) echo "running on '$from'"; return ;; esac
	wait_until 30 reached "$out" 30 || { echo "did not reach step 30 on $from in 30 s: $(tail_of "$out")"; return; }
	t0=$(now)
	scancel --signal=USR2 --batch "$id" || { echo "scancel --signal failed"; return; }
	wait_until 30 is_state "$id" PENDING || { echo "not pending 30 s after the warning on $from: $(tail_of "$out")"; return; }
	tp=$(now)
	scontrol update jobid="$id" ExcNodeList="$from" || { echo "scontrol update ExcNodeList=$from failed"; return; }
	rm -rf "$T/local/$from/job.$jid"
	wait_until 60 is_state "$id" RUNNING || { echo "not running again in 60 s (state $(job_state "$id"), $(job_field "$id" Reason))"; return; }
	tr=$(now)
	[ "$(node_of "$id")" = "$to" ] || { echo "restarted on $(node_of "$id"), not $to"; return; }
	wait_until 30 resumed "$out" || { echo "the restarted program printed nothing in 30 s: $(tail_of "$out")"; return; }
	tx=$(now)
	echo "$(elapsed "$t0" "$tp") $(elapsed "$tp" "$tr") $(elapsed "$tr" "$tx")" >"$out.time"
	if ! wait_until 90 is_done "$id" COMPLETED; then
		echo "did not complete on $to (state $(job_field "$id" JobState)): $(tail_of "$out")"
	elif ! grep -q "^job.sh: restarting from .* on $to (taken on $from; scratch $T/local/$from/job.$jid -> $T/local/$to/job.$jid)" "$out"; then
		echo "no restart on $to with the scratch mapped: $(tail_of "$out")"
	elif [ -e "$T/local/$from/job.$jid" ]; then
		echo "the job's scratch on $from is back: $(ls "$T/local/$from/job.$jid" | head -3 | tr '\n' ' ')"
	elif ! same_output "$steps" "$out" "$@"; then
		echo "output differs from an uninterrupted run (diff $out.ref $out.spliced)"
	elif ! same_pids "$out"; then
		echo "a process printed another pid after the restart: $(grep ' pid=' "$out" | tr '\n' ' ')"
	fi
}

# submit_move NAME VERDICT STEPS SBATCH-OPTIONS... -- PROGRAM...: a job
# with node-local scratch, started on nodea, moved to nodeb
submit_move() {
	local name=$1 what=$2 steps=$3 opts=() id why; shift 3
	while [ "$1" != -- ]; do opts+=("$1"); shift; done; shift
	id=$(submit "$name" --exclude=nodeb \
		--export=ALL,CKPT_RUN=$ROOT/ckpt-run,MYRESTART=$ROOT/myrestart,CKPT_SCRATCH=$T/local/%n/job.%j \
		"${opts[@]}" -- "$@" "$steps" 50) || { verdict "$what" "sbatch failed"; return; }
	why=$(move_one "$id" "$W/out" "$steps" "$@")
	[ -s "$W/out.time" ] && cp "$W/out.time" "$W/time"
	verdict "$what" "$why"
}
case_move() {
	submit_move move "moved-to-other-node (nodea to nodeb, node-local scratch mapped)" 160 -- "$SCRATCHLOG"
}
case_move_tree() {
	submit_move movetree "moved-tree (bash and its computing child, nodea to nodeb)" 120 -- bash "$TREE"
}
case_move_srun() {
	submit_move movesrun "moved-srun-step (the program a job step of srun, nodea to nodeb)" 160 \
		--export=ALL,CKPT_RUN=$ROOT/ckpt-run,MYRESTART=$ROOT/myrestart,CKPT_SCRATCH=$T/local/%n/job.%j,CKPT_SRUN=srun \
		-- "$SCRATCHLOG"
}

# a job array of four process trees: held, two tasks bound to each node,
# released; each warned where it runs and moved to the other node
case_array() {
	local id why= i t pids=() r
	id=$(sbatch --parsable -J ckpt-array -D "$W" -o "$W/out.%a" --array=0-3 --hold \
		--export=ALL,CKPT_RUN=$ROOT/ckpt-run,MYRESTART=$ROOT/myrestart,CKPT_SCRATCH=$T/local/%n/job.%j \
		"$ROOT/examples/slurm/job.sh" bash "$TREE" 100 50) || { verdict job-array "sbatch failed"; return; }
	for i in 0 1 2 3; do
		scontrol update jobid="${id}_$i" ExcNodeList=$([ $i -lt 2 ] && echo nodeb || echo nodea) ||
			why="${why:-scontrol update ${id}_$i ExcNodeList failed}"
	done
	scontrol release "$id" || why="${why:-scontrol release $id failed}"
	[ -z "$why" ] || { verdict job-array "$why"; return; }
	for i in 0 1 2 3; do
		( move_one "${id}_$i" "$W/out.$i" 100 bash "$TREE" >"$W/why.$i" ) &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	for i in 0 1 2 3; do
		r=$(cat "$W/why.$i")
		[ -z "$r" ] || why="${why:+$why; }task $i: $r"
	done
	verdict "job-array (4 process trees, two started on each node, each moved to the other)" "$why"
}

# an image this node's CPU cannot run (imgedit.py: one more XCR0
# component than the CPU has): the job fails with myrestart's line and
# job.sh's, does not start over, and the image stays as it was
case_foreign() {
	local why= id pid
	( cd "$W" && CKPT_FILE=$W/native LD_PRELOAD=$ROOT/libckpt.so exec "$COUNTER" 400 20 >"$W/native.out" 2>&1 ) &
	pid=$!; track $pid
	wait_until 20 reached "$W/native.out" 2 && kill -USR2 $pid && wait_until 20 test -s "$W/native"
	stop $pid; wait $pid 2>/dev/null
	if [ ! -s "$W/native" ] || ! python3 "$ROOT/tests/progs/imgedit.py" "$W/native" "$W/myckpt" xstate >"$W/bit"; then
		verdict foreign-image-refused "could not take and edit an image"; return
	fi
	cp "$W/myckpt" "$W/myckpt.orig"
	id=$(submit foreign -- "$COUNTER" 400 20) || { verdict foreign-image-refused "sbatch failed"; return; }
	if ! wait_until 60 is_done "$id" FAILED; then
		why="not FAILED in 60 s (state $(job_field "$id" JobState)): $(tail_of "$W/out")"
	elif ! grep -q "^myrestart: $W/myckpt: this CPU lacks $(cat "$W/bit") (xstate the image needs: " "$W/out"; then
		why="no 'this CPU lacks $(cat "$W/bit")' line: $(tail_of "$W/out")"
	elif ! grep -q "^job.sh: node[ab] cannot restart $W/myckpt (see above); not starting over" "$W/out"; then
		why="job.sh did not say it would not start over: $(tail_of "$W/out")"
	elif grep -q '^[0-9][0-9][0-9][0-9] ' "$W/out"; then
		why="the program started over: $(head -c 200 "$W/out")"
	elif ! cmp -s "$W/myckpt" "$W/myckpt.orig"; then
		why="the image changed"
	fi
	verdict "foreign-image-refused (a CPU without $(cat "$W/bit"): job failed, image kept)" "$why"
}

CASES=${CKPT_SLURM_CASES:-warning two full timelimit move movetree movesrun array foreign}
run_case() {   # run_case DIR FUNCTION
	[[ " $CASES " == *" $1 "* ]] || return 0
	W=$T/$1
	mkdir -p "$W"
	( "$2" ) >"$W/case.log" 2>&1 &
	CASE_PIDS+=($!)
}
run_case warning case_warning
run_case two case_two
run_case full case_full
run_case timelimit case_timelimit
run_case move case_move
run_case movetree case_move_tree
run_case movesrun case_move_srun
run_case array case_array
run_case foreign case_foreign
for p in "${CASE_PIDS[@]}"; do wait "$p"; done
CASE_PIDS=()

for c in $CASES; do
	if [ ! -s "$T/$c/result" ]; then
		not_ok "$c" "no verdict: $(tail -c 300 "$T/$c/case.log" 2>/dev/null)"
		continue
	fi
	while IFS='|' read -r res name why; do
		if [ "$res" = ok ]; then ok "$name"; else not_ok "$name" "$why"; fi
	done <"$T/$c/result"
done
[ -s "$T/warning/sacct" ] && sed 's/^/# /' "$T/warning/sacct"
if [ -s "$T/warning/time" ]; then
	read -r dt dr <"$T/warning/time"
	echo "# warning signal to job back in the queue (PENDING, Restarts=1): $dt s; then $dr s until it ran again (cred_expire=5 and a 2 s scheduler pass)"
fi
for c in move movetree movesrun; do
	[ -s "$T/$c/time" ] || continue
	read -r dp dr dx <"$T/$c/time"
	echo "# $c: warning on nodea to pending (checkpoint, requeue): $dp s; to running on nodeb (Slurm: cred_expire=5, a 2 s scheduler pass): $dr s; to the program running again (job.sh, myrestart): $dx s"
done
finish
