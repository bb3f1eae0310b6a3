#!/bin/bash
# The test suite: every case runs a program under libckpt.so, checkpoints
# it with a real SIGUSR2, kills it with SIGKILL, restarts it with myrestart
# (possibly several times) and compares the spliced output with an
# uninterrupted run of the same program.
#
#   tests/run.sh [--runner qemu-x86_64] [--keep] [CASE...]
#
# Prints "ok N - name" / "not ok N - name" lines and closes with
# "N passed, N failed".  Exit status 0 only when nothing failed.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
# descriptors inherited from whoever runs us would be checkpointed along
# with the test programs: close them (bash keeps the script on 255)
for fd in $(ls /proc/$$/fd); do
	case $fd in 0|1|2|255) ;; *) eval "exec $fd>&-" 2>/dev/null ;; esac
done
RUNNER=
KEEP=0
CASES=()
while [ $# -gt 0 ]; do
	case $1 in
	--runner) RUNNER=$2; shift 2 ;;
	--keep) KEEP=1; shift ;;
	*) CASES+=("$1"); shift ;;
	esac
done
LIB=$ROOT/libckpt.so
MYRESTART=$ROOT/myrestart
TAG=${RUNNER:+qemu}
TAG=${TAG:-native}
OUT=$ROOT/tests/out/$TAG
BIN=$ROOT/tests/out/bin
rm -rf "$OUT" && mkdir -p "$OUT" "$BIN"
PASS=0 FAIL=0 SKIP=0 N=0

# --- building the test programs (once for both runners) ---
build() {   # build NAME SRC FLAGS...
	local name=$1 src=$2; shift 2
	[ "$BIN/$name" -nt "$ROOT/tests/progs/$src" ] && [ "$BIN/$name" -nt "$ROOT/tests/progs/step.h" ] && return 0
	case $src in
	*.cc) g++ -O1 -o "$BIN/$name" "$ROOT/tests/progs/$src" "$@" ;;
	*) gcc -O1 -o "$BIN/$name" "$ROOT/tests/progs/$src" "$@" -lm ;;
	esac
}
build counter counter.c -pie -fPIE
build counter-nopie counter.c -no-pie -fno-pie
build heap heap.c
build recursion recursion.c
build globals globals.c
build file file.c
build signals signals.c
build dense dense.c
build cxx cxx.cc
build rseq rseq.c
build reader reader.c
build errnomask errnomask.c
build inhandler inhandler.c
build procstate procstate.c
build deleted deleted.c
build fdkinds fdkinds.c
build spawn spawn.c
build runs runs.c
build bytereader bytereader.c
build threads threads.c -pthread
build reopen reopen.c
build anonmem anonmem.c
build api ../../examples/api.c -I"$ROOT/include"
[ $? -eq 0 ] || { echo "cannot build the test programs"; echo "0 passed, 1 failed"; exit 1; }

# --- helpers ---
launch() {  # launch OUTFILE CMD... : program under libckpt.so, pid in $PID
	local out=$1; shift
	if [ -n "$RUNNER" ]; then
		$RUNNER -E LD_PRELOAD="$LIB" "$@" <&0 >"$out" 2>>"$W/stderr" &
	else
		env LD_PRELOAD="$LIB" "$@" <&0 >"$out" 2>>"$W/stderr" &
	fi
	PID=$!
}
reference() {  # reference OUTFILE CMD... : the same program, uninterrupted
	local out=$1; shift
	(cd "$W/ref" && $RUNNER "$@" >"$out" 2>/dev/null)
}
restart() {  # restart OUTFILE : myrestart of $W/myckpt, pid in $PID
	(cd "$W" && exec $RUNNER "$MYRESTART" myckpt >"$1" 2>>"$W/stderr") &
	PID=$!
}
wait_lines() {  # wait_lines FILE N TIMEOUT_S : until FILE has N lines
	local i=0 lim=$(($3 * 100))
	while [ "$( (wc -l <"$1") 2>/dev/null || echo 0)" -lt "$2" ]; do
		kill -0 "$PID" 2>/dev/null || return 1
		i=$((i + 1)); [ $i -ge $lim ] && return 1
		sleep 0.01
	done
}
wait_image() {  # wait_image TIMEOUT_S : until $W/myckpt exists
	local i=0 lim=$(($1 * 100))
	while [ ! -e "$W/myckpt" ]; do
		i=$((i + 1)); [ $i -ge $lim ] && return 1
		sleep 0.01
	done
}
wait_exit() {  # wait_exit TIMEOUT_S : until $PID has exited
	local i=0 lim=$(($1 * 20))
	while kill -0 "$PID" 2>/dev/null; do
		i=$((i + 1)); [ $i -ge $lim ] && { kill -9 "$PID" 2>/dev/null; return 1; }
		sleep 0.05
	done
	wait "$PID" 2>/dev/null
	return 0
}
# Splices segment outputs: lines are numbered; a later segment restarts
# from its first number, dropping what the killed process printed after
# its checkpoint.
splice() {
	awk 'FNR == 1 && NR != 1 { first = $1 + 0; for (k = first; k <= last; k++) delete line[k] }
	     { n = $1 + 0; line[n] = $0; if (n > last) last = n }
	     END { for (k = 0; k <= last; k++) if (k in line) print line[k] }' "$@"
}

report() {  # report NAME OK [WHY]
	N=$((N + 1))
	if [ "$2" = 1 ]; then
		PASS=$((PASS + 1)); echo "ok $N - $1"
	else
		FAIL=$((FAIL + 1)); echo "not ok $N - $1: $3"
		[ -s "$W/stderr" ] && sed 's/^/#   /' "$W/stderr" | head -5
	fi
}

want() {  # want CASE : selected on the command line (or no selection)
	[ ${#CASES[@]} -eq 0 ] && return 0
	local c; for c in "${CASES[@]}"; do [ "$c" = "$1" ] && return 0; done
	return 1
}

# cycle NAME LINES CYCLES TIMEOUT CMD... : the core check.  Checkpoint after
# LINES lines of output, kill, restart; CYCLES times; then let it finish.
cycle() {
	local name=$1 lines=$2 cycles=$3 tmo=$4; shift 4
	want "$name" || return 0
	W=$OUT/$name; mkdir -p "$W/ref"; : >"$W/stderr"
	reference "$W/ref.out" "$@" || { report "$name" 0 "reference run failed"; return; }
	(cd "$W" && launch "$W/seg0" "$@"; echo $PID >"$W/pid")
	PID=$(cat "$W/pid")
	local c seg=0 why=
	for c in $(seq 1 "$cycles"); do
		if ! wait_lines "$W/seg$seg" $((lines + 1)) "$tmo"; then why="no output before checkpoint $c"; break; fi
		rm -f "$W/myckpt"
		kill -USR2 "$PID"
		if ! wait_image "$tmo"; then why="no image after checkpoint $c"; break; fi
		# the program keeps running while the writer works; now kill it
		kill -9 "$PID" 2>/dev/null; wait "$PID" 2>/dev/null
		seg=$((seg + 1))
		restart "$W/seg$seg"
		if [ "$c" -lt "$cycles" ]; then
			# let the restart finish reading the image before replacing it
			wait_lines "$W/seg$seg" 1 "$tmo" || { why="restart $c printed nothing"; break; }
		fi
	done
	if [ -z "$why" ] && ! wait_exit "$tmo"; then why="did not finish in ${tmo}s"; fi
	if [ -z "$why" ]; then
		splice $(ls "$W"/seg* | sort -V) >"$W/spliced.out"
		if cmp -s "$W/ref.out" "$W/spliced.out"; then
			report "$name" 1
		else
			why="output differs from an uninterrupted run (diff $W/ref.out $W/spliced.out)"
			diff "$W/ref.out" "$W/spliced.out" | head -4 | sed 's/^/#   /'
		fi
	fi
	[ -n "$why" ] && { kill -9 "$PID" 2>/dev/null; report "$name" 0 "$why"; }
	[ $KEEP = 1 ] || rm -f "$W/myckpt"
}

# --- the cases ---
seq -f "line %04g of the input file, padded to some length" 0 79 >"$OUT/input.txt"
seq -f "line %06g of the byte-by-byte input, padded" 0 39999 >"$OUT/bytes.txt"
QEMU_SLOW=1; [ -n "$RUNNER" ] && QEMU_SLOW=4

cycle counter-pie     5 1 $((20 * QEMU_SLOW)) "$BIN/counter"
cycle counter-nopie   5 1 $((20 * QEMU_SLOW)) "$BIN/counter-nopie"
cycle three-cycles    8 3 $((20 * QEMU_SLOW)) "$BIN/counter"
cycle heap            6 1 $((30 * QEMU_SLOW)) "$BIN/heap"
cycle recursion       5 1 $((30 * QEMU_SLOW)) "$BIN/recursion"
cycle globals-tls     5 1 $((20 * QEMU_SLOW)) "$BIN/globals"
# the port's own: its CPU state
. "$ROOT/arch/${ARCH:-x86_64}/tests/cases.sh"
cycle in-own-handler  5 1 $((30 * QEMU_SLOW)) "$BIN/inhandler"
cycle errno-sigmask   5 1 $((30 * QEMU_SLOW)) "$BIN/errnomask"
cycle file-offset     20 1 $((20 * QEMU_SLOW)) "$BIN/file" "$OUT/input.txt"
# offsets and a deleted file's contents move on while the writer works
cycle fast-reader     3000 3 $((30 * QEMU_SLOW)) "$BIN/bytereader" "$OUT/bytes.txt"
cycle signal-handlers 5 1 $((20 * QEMU_SLOW)) "$BIN/signals"
cycle rseq            5 1 $((20 * QEMU_SLOW)) "$BIN/rseq"
cycle page-runs-at-region-edges 5 1 $((20 * QEMU_SLOW)) "$BIN/runs"
cycle anonymous-memory 5 1 $((20 * QEMU_SLOW)) "$BIN/anonmem"
cycle cxx             5 1 $((20 * QEMU_SLOW)) "$BIN/cxx"
cycle python3         5 1 $((40 * QEMU_SLOW)) /usr/bin/python3 "$ROOT/tests/progs/compute.py"
cycle perl            5 1 $((40 * QEMU_SLOW)) /usr/bin/perl "$ROOT/tests/progs/compute.pl"
# endurance: one program through 100 checkpoint/kill/restart cycles
# (20 cycles under qemu, where each one costs seconds)
cycle endurance-$((QEMU_SLOW > 1 ? 20 : 100)) 2 $((QEMU_SLOW > 1 ? 20 : 100)) $((30 * QEMU_SLOW)) "$BIN/counter" 1000 10
cycle dense-1gib      2 1 $((120 * QEMU_SLOW)) "$BIN/dense" 1024

. "$ROOT/tests/image-tests.sh"
. "$ROOT/tests/fault-tests.sh"
. "$ROOT/tests/tool-tests.sh"
. "$ROOT/tests/state-tests.sh"
. "$ROOT/tests/state2-tests.sh"
. "$ROOT/tests/inherit-tests.sh"
. "$ROOT/tests/written-tests.sh"

echo "$PASS passed, $FAIL failed, $SKIP skipped"
[ $FAIL -eq 0 ]
