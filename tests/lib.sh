# The test harness, sourced by tests/run.sh.
#
# A case is a shell function registered with
#
#   def_case NAME FUNCTION [CLASS]
#
# It runs in a subshell of its own (its variables and processes are its
# own), in its own directory $W = $OUT/NAME, with $RUNNER ("" or the qemu
# binary), $TAG (native, qemu) and $SLOW (1, or 4 under qemu) set for its
# runner.  It says how it went with `report NAME OK [WHY]` (1 ok, 0 not),
# once, or once per part for a group whose parts are NAME/PART.  CLASS
# says what it needs: wait (the default: it mostly waits for its programs),
# cpu (it keeps a core busy: one per core at a time) or hello (the seed
# recipe, whose program and image are the tree's ./hello and ./myckpt:
# one at a time).  The usual shape, a case that puts what went wrong in
# $why and ends by stopping its program ($PID) and saying so, registers
# with `def_verdict NAME FUNCTION [CLASS]` (and def_cycle NAME ... is a
# whole cycle case: checkpoint, kill, restart, compare).
#
# The helpers wait for events with a timeout, never for a fixed time:
# wait_until (tests/primitives.sh, with the other primitives the scripts
# that run on their own share), wait_lines, wait_image, wait_exit,
# wait_gone, wait_stderr, wait_blocked.

# --- registry ---
CASE_NAMES=() CASE_FUNCS=() CASE_CLASSES=() CASE_RUNNERS=()
def_case() {  # def_case NAME FUNCTION [CLASS]
	CASE_NAMES+=("$1") CASE_FUNCS+=("$2") CASE_CLASSES+=("${3:-wait}") CASE_RUNNERS+=("$RUNNER")
}

# --- inside a case ---
# the shared primitives: wait_until, alive, has_lines, descendants, and
# track / stop / stop_tree, which stop only processes of the case's own
. "$(dirname "${BASH_SOURCE[0]}")/primitives.sh"

report() {  # report NAME OK [WHY]
	local line
	if [ "$2" = 1 ]; then
		line="ok - $1 ($TAG)"
	else
		line="not ok - $1 ($TAG): ${3:-failed}"
		[ -s "$W/stderr" ] && line+=$'\n'$(sed 's/^/#   /' "$W/stderr" | head -5)
	fi
	printf '%s\n' "$line" >>"$RESULTS"
}
# report NAME "$why": ok when why is empty
verdict() { report "$1" $([ -z "$2" ] && echo 1 || echo 0) "$2"; }
# def_verdict NAME FUNCTION [CLASS]: the case NAME that runs FUNCTION,
# which says what went wrong in $why (left empty: ok); then $PID, the
# program it ran last, is stopped and NAME reported
def_verdict() {
	eval "verdict_$2() { local why=; $2; stop \"\${PID:-}\"; verdict $(printf %q "$1") \"\$why\"; }"
	def_case "$1" "verdict_$2" "${3:-}"
}

# launch OUTFILE CMD...: CMD under libckpt.so in $RUN_DIR (default $W),
# pid in $PID (extra environment: assign it in front of launch, as for
# any command; qemu passes its own environment on to the program)
launch() {
	local out=$1; shift
	# (a background command's stdin is /dev/null unless given: <&0)
	if [ -n "$RUNNER" ]; then
		(cd "${RUN_DIR:-$W}" && exec $RUNNER -E LD_PRELOAD="$LIB" "$@" <&0 >"$out" 2>>"$W/stderr") &
	else
		(cd "${RUN_DIR:-$W}" && LD_PRELOAD="$LIB" exec "$@" <&0 >"$out" 2>>"$W/stderr") &
	fi
	PID=$!
	track $PID
}
# reference OUTFILE CMD...: the same program, uninterrupted, in $W/ref
reference() {
	local out=$1; shift
	mkdir -p "$W/ref"
	(cd "$W/ref" && exec $RUNNER "$@" >"$out" 2>/dev/null)
}
# restart OUTFILE [IMAGE]: myrestart of $W/myckpt (or IMAGE), pid in $PID
restart() {
	(cd "$W" && exec $RUNNER "$MYRESTART" "${2:-myckpt}" >"$1" 2>>"$W/stderr") &
	PID=$!
	track $PID
}

lines_or_gone() { has_lines "$1" "$2" || ! alive "$PID"; }
# wait_lines FILE N TIMEOUT_S: until FILE has N lines (1 if $PID ends first)
wait_lines() {
	wait_until "$3" lines_or_gone "$1" "$2" && has_lines "$1" "$2"
}
# wait_image TIMEOUT_S [PATH]: until the image ($W/myckpt) is in place
wait_image() { wait_until "$1" test -e "${2:-$W/myckpt}"; }
# signal_live PID: the checkpoint signal (SIGUSR2, or $CKPT_SIGNAL) to PID
# while it cannot end.  A loaded machine
# may fall seconds behind a program, which then finishes before the
# signal: the program is stopped first, so that this is told apart from
# a checkpoint that did not happen (1: PID had ended; the signal is
# delivered when it continues)
stopped_or_gone() { ! alive "$1" || grep -q '^State:.*T' "/proc/$1/status" 2>/dev/null; }
signal_live() {
	kill -STOP "$1" 2>/dev/null && wait_until 10 stopped_or_gone "$1" && alive "$1" || return 1
	kill -"${CKPT_SIGNAL:-USR2}" "$1"
	kill -CONT "$1"
}
# take_image FILE LINES [IMAGE]: once FILE has LINES lines, a checkpoint
# of $PID, and its image ($W/myckpt) in place, within the usual timeouts
take_image() {
	wait_lines "$1" "$2" $((20 * SLOW)) && signal_live "$PID" && wait_image $((20 * SLOW)) "${3:-$W/myckpt}"
}
# wait_gone PID TIMEOUT_S: until PID has ended (0)
wait_gone() { local p=$1; wait_until "$2" eval "! alive $p"; }
# wait_exit TIMEOUT_S: until $PID has ended, reaped; killed on timeout
wait_exit() {
	if ! wait_gone "$PID" "$1"; then
		stop "$PID"
		return 1
	fi
	wait "$PID" 2>/dev/null
	return 0
}
# wait_stderr REGEX TIMEOUT_S: until $W/stderr has a line matching REGEX
wait_stderr() { wait_until "$2" grep -Eq "$1" "$W/stderr"; }
# wait_blocked PID TIMEOUT_S: until PID sleeps in a system call (natively
# /proc/PID/syscall names it; qemu blocks its own thread the same way)
blocked() { [ "$(cut -d' ' -f1 "/proc/$1/syscall" 2>/dev/null)" != running ] &&
	    grep -q '^State:.*S' "/proc/$1/status" 2>/dev/null; }
wait_blocked() { local p=$1; wait_until "$2" blocked "$p"; }

# restart_finish [OPTION...]: myrestart OPTION... myckpt in ${RUN_DIR:-$W}
# into $W/seg1, to the end; prints why seg0 + seg1 is not ref.out, or
# nothing
restart_finish() {
	(cd "${RUN_DIR:-$W}" && exec $RUNNER "$MYRESTART" "$@" myckpt >"$W/seg1" 2>>"$W/stderr") &
	PID=$!
	track $PID
	if ! wait_exit $((60 * SLOW)); then echo "restart did not finish"
	elif ! splice "$W/seg0" "$W/seg1" | cmp -s - "$W/ref.out"; then echo "output differs"
	fi
}
# refused_restart DIR REGEX [OPTION...]: why myrestart OPTION... myckpt
# in DIR did not refuse the image (exit status 1, a message matching
# REGEX), or nothing
refused_restart() {
	local dir=$1 re=$2 out rc; shift 2
	out=$(cd "$dir" && $RUNNER "$MYRESTART" "$@" myckpt 2>&1 >/dev/null)
	rc=$?
	if [ $rc -ne 1 ]; then echo "exit status $rc, not 1"
	elif ! echo "$out" | grep -Eq "$re"; then echo "unexpected message: $out"
	fi
}
# prefix_of_ref FILE: FILE's lines are the first lines of $W/ref.out
# (a program cut short that did what an uninterrupted run does)
prefix_of_ref() {
	# a copy: the program may still be writing to $1
	cp "$1" "$W/prefix.out" && [ -s "$W/prefix.out" ] &&
		head -n "$(wc -l <"$W/prefix.out")" "$W/ref.out" | cmp -s - "$W/prefix.out"
}

# cycle NAME LINES CYCLES TIMEOUT CMD...: the core check.  Checkpoint after
# LINES lines of output, kill, restart; CYCLES times; then let it finish
# and compare the spliced output with an uninterrupted run's.  A program
# that finished before the harness could signal it (a loaded machine)
# tested nothing: it runs again, at most twice more, and says so.
cycle() {
	local name=$1 lines=$2 cycles=$3 tmo=$4 try why=; shift 4
	reference "$W/ref.out" "$@" || { report "$name" 0 "reference run failed"; return; }
	for try in 1 2 3; do
		cycle_once "$@"
		stop "$PID"; wait "$PID" 2>/dev/null
		case $why in "ended before"*) ;; *) break ;; esac
		echo "# $name ($TAG): the program $why; again" >>"$RESULTS"
	done
	verdict "$name" "$why"
	[ "$KEEP" = 1 ] || rm -f "$W/myckpt"
}
# cycle_once CMD...: one run of cycle's (its locals); why it failed in $why
cycle_once() {
	local c seg=0
	why=
	rm -f "$W"/seg*
	launch "$W/seg0" "$@"
	for c in $(seq 1 "$cycles"); do
		if ! wait_lines "$W/seg$seg" $((lines + 1)) "$tmo"; then why="no output before checkpoint $c"; return; fi
		rm -f "$W/myckpt"
		if ! signal_live "$PID"; then why="ended before checkpoint $c was signalled"; return; fi
		if ! wait_image "$tmo"; then why="no image after checkpoint $c"; return; fi
		# the program keeps running while the writer works; now kill it
		stop "$PID"; wait "$PID" 2>/dev/null
		seg=$((seg + 1))
		restart "$W/seg$seg"
		# let the restart read the image before the next one replaces it
		if [ "$c" -lt "$cycles" ] && ! wait_lines "$W/seg$seg" 1 "$tmo"; then
			why="restart $c printed nothing"; return
		fi
	done
	if ! wait_exit "$tmo"; then why="did not finish in ${tmo}s"; return; fi
	splice $(ls "$W"/seg* | sort -V) >"$W/spliced.out"
	cmp -s "$W/ref.out" "$W/spliced.out" ||
		why="output differs from an uninterrupted run (diff $W/ref.out $W/spliced.out)"
}
# def_cycle NAME LINES CYCLES TIMEOUT CMD...: a case that is one cycle
def_cycle() {
	local name=$1; shift
	eval "cycle_$(echo "$name" | tr -c 'a-zA-Z0-9_\n' _)() { cycle $name $(printf '%q ' "$@"); }"
	def_case "$name" "cycle_$(echo "$name" | tr -c 'a-zA-Z0-9_\n' _)"
}

# --- the scheduler ---
# run_cases SELECTION...: every registered case that a selector names (all
# when none): NAME, a pattern (corpus-*), or NAME/PART for a part of a
# group.  Prints each case's
# reports as it ends, numbered, and the closing lines.
selected() {
	[ $# -eq 1 ] && return 0
	local name=$1 s; shift
	for s in "$@"; do
		# shellcheck disable=SC2053 (a selector may be a pattern: corpus-*)
		[[ $name == $s ]] || [ "${s%%/*}" = "$name" ] && return 0
	done
	return 1
}
# the selected cases' indices, the longest first as tests/durations (ms
# name (tag) lines, an earlier run's) has them; unknown ones after, in
# the order they were registered
expected_order() {
	local i tag
	declare -A ms=()
	local t name rest
	while read -r t name rest; do ms["$name $rest"]=$t; done <"$ROOT/tests/durations" 2>/dev/null
	for ((i = 0; i < ${#CASE_NAMES[@]}; i++)); do
		selected "${CASE_NAMES[$i]}" "$@" || continue
		tag=native; [ -n "${CASE_RUNNERS[$i]}" ] && tag=qemu
		printf '%s %s\n' "${ms["${CASE_NAMES[$i]} ($tag)"]:-0}" "$i"
	done | sort -s -k1,1rn | cut -d' ' -f2
}
run_cases() {
	local sel=("$@") i n=${#CASE_NAMES[@]} pid cls now
	declare -A PIDCASE=() START=() LIMIT=([wait]=$JOBS [cpu]=$CPUS [hello]=1) BUSY=([wait]=0 [cpu]=0 [hello]=0)
	N=0 PASS=0 FAIL=0
	TIMES=$(mktemp)
	finish() {  # finish PID: print the case's reports
		local k=${PIDCASE[$1]} line
		BUSY[${CASE_CLASSES[$k]}]=$((BUSY[${CASE_CLASSES[$k]}] - 1))
		local tag=native; [ -n "${CASE_RUNNERS[$k]}" ] && tag=qemu
		echo "$(( $(date +%s%3N) - START[$1] )) ${CASE_NAMES[$k]} ($tag)" >>"$TIMES"
		if [ ! -s "$RESDIR/$k" ]; then
			{ echo "not ok - ${CASE_NAMES[$k]} ($tag): reported nothing"
			  tail -5 "$RESDIR/$k.log" | sed 's/^/#   /'; } >"$RESDIR/$k"
		fi
		while IFS= read -r line; do
			case $line in
			ok*) N=$((N + 1)); PASS=$((PASS + 1)); echo "ok $N ${line#ok }" ;;
			"not ok"*) N=$((N + 1)); FAIL=$((FAIL + 1)); echo "not ok $N ${line#not ok }" ;;
			*) echo "$line" ;;
			esac
		done <"$RESDIR/$k"
		unset "PIDCASE[$1]"
	}
	# the longest first (tests/durations: an earlier run's times), and
	# whichever fits: a case waiting for a cpu slot holds no other back
	local order=() todo=() j started
	mapfile -t order < <(expected_order "${sel[@]}")
	for ((j = 0; j < ${#order[@]}; j++)); do todo[j]=${order[j]}; done
	while [ ${#todo[@]} -gt 0 ]; do
		started=
		if [ ${#PIDCASE[@]} -lt "$JOBS" ]; then
			for j in "${!todo[@]}"; do
				i=${todo[j]} cls=${CASE_CLASSES[${todo[j]}]}
				[ "${BUSY[$cls]}" -lt "${LIMIT[$cls]}" ] || continue
				unset "todo[j]"; started=1
				BUSY[$cls]=$((BUSY[$cls] + 1))
				( RUNNER=${CASE_RUNNERS[$i]}; set_runner
				  W=$OUT/${CASE_NAMES[$i]}; rm -rf "$W"; mkdir -p "$W"; : >"$W/stderr"
				  RESULTS=$RESDIR/$i; cd "$W" && "${CASE_FUNCS[$i]}" ) >"$RESDIR/$i.log" 2>&1 </dev/null &
				PIDCASE[$!]=$i START[$!]=$(date +%s%3N)
				break
			done
		fi
		[ -n "$started" ] || { wait -n -p pid; finish "$pid"; }
	done
	while [ ${#PIDCASE[@]} -gt 0 ]; do wait -n -p pid; finish "$pid"; done
	echo "# the slowest cases (ms):"
	sort -rn "$TIMES" | head -5 | sed 's/^/#   /'
	sort -rn "$TIMES" >"$ROOT/tests/out/times.txt"    # every case's time: make durations keeps them
	rm -f "$TIMES"
}
