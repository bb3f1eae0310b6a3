# shellcheck shell=bash
# The primitives every test script shares: waiting for an event with a
# timeout, whether a process is alive, counting a file's lines, the
# processes below a process, stopping only processes of our own, and the
# splice of segment outputs.  Sourced by tests/lib.sh (the suite's
# harness) and by the scripts that run on their own: tests/seed-recipe.sh,
# tests/deb-test.sh, tests/slurm/test.sh (and its tests/slurm/cluster.sh).
# Only functions (and the table TRACKED): sourcing it starts nothing.

# wait_until TIMEOUT_S COMMAND...: until COMMAND succeeds, every POLL_MS
# milliseconds (10 unless set: `POLL_MS=200 wait_until ...` for one call),
# at most TIMEOUT_S seconds' worth of polls (callers scale it for qemu
# with $SLOW); 1 on timeout
wait_until() {
	local i=0 ms=${POLL_MS:-10} lim nap
	lim=$(($1 * 1000 / ms)); shift
	printf -v nap '%d.%03d' $((ms / 1000)) $((ms % 1000))
	until "$@"; do
		i=$((i + 1)); [ $i -ge $lim ] && return 1
		sleep "$nap"
	done
}
# alive PID: PID is a process, and not a zombie
alive() { [ -e "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
# has_lines FILE N: FILE has N lines or more (a missing FILE has none)
has_lines() { [ "$( (wc -l <"$1") 2>/dev/null || echo 0)" -ge "$2" ]; }
# descendants PID: every process below PID (cat, not awk, reads /proc:
# awk gives up at the first process that ended meanwhile)
descendants() {
	local p
	for p in $(cat /proc/[0-9]*/stat 2>/dev/null | awk -v p="$1" '$4 == p { print $1 }'); do
		echo "$p"
		descendants "$p"
	done
}

# Processes are stopped by pid only while the pid is still the process
# the script started: pids wrap quickly here, and other tests run
# alongside, so a pid that ended may already be another test's program.
declare -A TRACKED=()
started_at() {  # the start time of PID (field 22 of its stat)
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	set -- ${s##*) }
	echo "${20}"
}
track() { local p; for p; do TRACKED[$p]=$(started_at "$p"); done; }
# ours PID: PID is still the process tracked under that pid
ours() { [ -n "$1" ] && [ -n "${TRACKED[$1]:-}" ] && [ "$(started_at "$1")" = "${TRACKED[$1]}" ]; }
stop() {  # stop PID...: SIGKILL to those still the processes tracked
	local p
	for p; do
		ours "$p" && kill -9 "$p" 2>/dev/null
	done
	return 0
}
# stop_tree PID: everything below it too (a shell script's children, a
# process tree), when PID is still ours: stopped first, so that it forks
# no more, then killed by pid (the processes below it now are its own)
stop_tree() {
	ours "$1" || return 0
	local all
	kill -STOP "$1" 2>/dev/null
	all=$(descendants "$1")
	# shellcheck disable=SC2086 # (a list of pids)
	[ -z "$all" ] || kill -9 $all 2>/dev/null
	stop "$1"
}

# splice FILE...: segment outputs spliced: lines are numbered; a later
# segment restarts from its first number, dropping what the killed
# process printed after its checkpoint.
splice() {
	awk 'FNR == 1 && NR != 1 { first = $1 + 0; for (k = first; k <= last; k++) delete line[k] }
	     { n = $1 + 0; line[n] = $0; if (n > last) last = n }
	     END { for (k = 0; k <= last; k++) if (k in line) print line[k] }' "$@"
}
