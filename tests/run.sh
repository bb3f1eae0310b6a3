#!/bin/bash
# The test suite.  Every case runs programs under libckpt.so, checkpoints
# them with a real signal, kills them with SIGKILL, restarts them with
# myrestart and compares with an uninterrupted run (tests/lib.sh has the
# harness; the cases are in tests/*-tests.sh, arch/NAME/tests/cases.sh
# and tests/corpus/).  Independent cases run side by side.
#
#   tests/run.sh [--runner R]... [--seed] [--corpus] [--fuzz] [--system] [--all]
#                [--jobs N] [--keep] [NAME...]
#
#   --runner R   the cases under R: "" natively (the default), or
#                qemu-x86_64; repeat it for both
#   --seed       the seed assignment's recipe too (tests/seed-recipe.sh)
#   --corpus     the corpus of real programs too
#   --fuzz       12 s of fuzzing myrestart's image checks too
#   --system     the tests that install into the machine or run daemons
#                (root, else they say SKIP): the Debian package, Slurm
#   --all        all of it, natively and under qemu (make check)
#   NAME...      only these cases (the names they report; NAME/PART
#                selects the group NAME)
#
# Prints "ok N - ..." / "not ok N - ..." lines as cases end, the slowest
# five, and "N passed, N failed".  Exit status 0 only when nothing failed.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
# descriptors inherited from whoever runs us would be checkpointed along
# with the test programs: close them (bash keeps the script on 255)
for fd in $(ls /proc/$$/fd); do
	case $fd in 0|1|2|255) ;; *) eval "exec $fd>&-" 2>/dev/null ;; esac
done
ARCH=${ARCH:-x86_64}
QEMU=${QEMU:-qemu-$ARCH}
RUNNERS=() SEED=0 CORPUS=0 FUZZ=0 SYSTEM=0 KEEP=0 SEL=()
CPUS=$(nproc 2>/dev/null || echo 2)
JOBS=$((CPUS * 4))
while [ $# -gt 0 ]; do
	case $1 in
	--runner) RUNNERS+=("$2"); shift 2 ;;
	--seed) SEED=1; shift ;;
	--corpus) CORPUS=1; shift ;;
	--fuzz) FUZZ=1; shift ;;
	--system) SYSTEM=1; shift ;;
	--all) RUNNERS=("" "$QEMU"); SEED=1 CORPUS=1 FUZZ=1 SYSTEM=1; shift ;;
	--jobs) JOBS=$2; shift 2 ;;
	--keep) KEEP=1; shift ;;
	-*) echo "run.sh: unknown option $1"; exit 2 ;;
	*) SEL+=("$1"); shift ;;
	esac
done
[ ${#RUNNERS[@]} -gt 0 ] || RUNNERS=("")
LIB=$ROOT/libckpt.so
MYRESTART=$ROOT/myrestart
BIN=$ROOT/tests/out/bin
RESDIR=$(mktemp -d)
trap 'rm -rf "$RESDIR"' EXIT
mkdir -p "$BIN"
. "$ROOT/tests/lib.sh"

# --- the test programs, built once for both runners ---
build() {   # build NAME SRC FLAGS...
	local name=$1 src=$2; shift 2
	[ "$BIN/$name" -nt "$ROOT/tests/progs/$src" ] && [ "$BIN/$name" -nt "$ROOT/tests/progs/step.h" ] && return 0
	case $src in
	*.cc) g++ -O1 -o "$BIN/$name" "$ROOT/tests/progs/$src" "$@" ;;
	*) gcc -O1 -o "$BIN/$name" "$ROOT/tests/progs/$src" "$@" -lm ;;
	esac
}
built=0
build counter counter.c -pie -fPIE && build counter-nopie counter.c -no-pie -fno-pie &&
build bigtext bigtext.c -no-pie -fno-pie -Wl,-Ttext-segment=0x4e00000 &&
build ring-at5m ring.c -pthread -no-pie -fno-pie -Wl,-Ttext-segment=0x5000000 &&
build heap heap.c && build recursion recursion.c && build globals globals.c &&
build file file.c && build signals signals.c && build dense dense.c && build cxx cxx.cc &&
build rseq rseq.c && build reader reader.c && build errnomask errnomask.c &&
build inhandler inhandler.c && build procstate procstate.c && build deleted deleted.c &&
build fdkinds fdkinds.c && build spawn spawn.c && build runs runs.c &&
build bytereader bytereader.c && build threads threads.c -pthread && build reopen reopen.c &&
build anonmem anonmem.c && build alarm alarm.c && build ring ring.c -pthread &&
build blocked blocked.c -pthread && build omp omp.c -fopenmp && build churn churn.c -pthread &&
build evloop evloop.c && build libevent_loop libevent_loop.c -levent && build pidkeep pidkeep.c &&
build mapfile mapfile.c && build delta delta.c && build fifodgram fifodgram.c && build dontfork dontfork.c && build tidlocks tidlocks.c -pthread && build cputime cputime.c -pthread && build ownsig ownsig.c && build ptimers ptimers.c -pthread && build attrs attrs.c && build locks locks.c && build lockprobe lockprobe.c && build api ../../examples/api.c -I"$ROOT/include" && build reconnect ../../examples/reconnect.c -I"$ROOT/include" && built=1
[ $built = 1 ] || { echo "cannot build the test programs"; echo "0 passed, 1 failed"; exit 1; }

# set_runner: $TAG, $SLOW and $OUT for $RUNNER (and the inputs of its
# cases, made once per runner)
set_runner() {
	if [ -n "$RUNNER" ]; then TAG=qemu SLOW=4; else TAG=native SLOW=1; fi
	QEMU_SLOW=$SLOW
	OUT=$ROOT/tests/out/$TAG
}

# --- the cases, registered for each runner ---
OUTS=()
for RUNNER in "${RUNNERS[@]}"; do
	set_runner
	OUTS+=("$OUT")
	rm -rf "$OUT" && mkdir -p "$OUT"
	seq -f "line %04g of the input file, padded to some length" 0 79 >"$OUT/input.txt"
	seq -f "line %06g of the byte-by-byte input, padded" 0 $((SLOW > 1 ? 19999 : 39999)) >"$OUT/bytes.txt"
	seq -f "%07g mapped privately" 0 16383 >"$OUT/mapped.dat"     # 384 KiB
	[ $SEED = 1 ] && def_case seed-recipe case_seed hello
	. "$ROOT/tests/cycle-tests.sh"
	. "$ROOT/arch/$ARCH/tests/cases.sh"
	. "$ROOT/tests/image-tests.sh"
	. "$ROOT/tests/fault-tests.sh"
	. "$ROOT/tests/tool-tests.sh"
	. "$ROOT/tests/state-tests.sh"
	. "$ROOT/tests/state2-tests.sh"
	. "$ROOT/tests/inherit-tests.sh"
	. "$ROOT/tests/tree-tests.sh"
	. "$ROOT/tests/written-tests.sh"
	. "$ROOT/tests/thread-tests.sh"
	. "$ROOT/tests/object-tests.sh"
	. "$ROOT/tests/move-tests.sh"
	. "$ROOT/tests/file-tests.sh"
	. "$ROOT/tests/incr-tests.sh"
	. "$ROOT/tests/lock-tests.sh"
	. "$ROOT/tests/machine-tests.sh"
	. "$ROOT/tests/socket-tests.sh"
	if [ $CORPUS = 1 ]; then
		. "$ROOT/tests/corpus/lib.sh"
		corpus_register
	fi
done
RUNNER=
[ $FUZZ = 1 ] && def_case fuzz case_fuzz cpu
[ $SYSTEM = 1 ] && def_case deb-package case_deb && def_case slurm-cluster case_slurm_cluster

# the seed assignment's recipe, as the assignment spells it.  It finds
# its hello by name: a decoy named hello (sleep), started once the
# recipe's own runs, is the newest hello on the machine when the recipe
# looks; it must come through untouched
own_hello() {  # own_hello PID: a process named hello below PID
	local p
	for p in $(descendants "$1"); do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = hello ] && return 0; done
	return 1
}
case_seed() {
	local rec decoy='' rc why
	cp "$(command -v sleep)" "$W/hello"
	"$ROOT/tests/seed-recipe.sh" "$RUNNER" >"$W/log" 2>&1 &
	rec=$!
	if wait_until $((10 * SLOW)) own_hello $rec; then
		"$W/hello" 60 &
		decoy=$!; track $decoy
	fi
	wait $rec; rc=$?
	why=$([ $rc -eq 0 ] || tail -3 "$W/log" | tr '\n' ' ')
	if [ -z "$decoy" ]; then why="${why:-the recipe started no hello to place a decoy after}"
	elif ! ours $decoy || ! alive $decoy; then why="${why:+$why; }the recipe signalled another program named hello (a decoy, pid $decoy)"
	fi
	stop $decoy
	verdict seed-recipe "$why"
}
# a script of its own (tests/deb-test.sh...): its closing line decides;
# without root it says SKIP, which is reported as such
case_script() {  # case_script NAME SCRIPT
	"$ROOT/$2" >"$W/log" 2>&1
	local rc=$?
	if grep -q '^SKIP' "$W/log"; then
		verdict "$1 ($(grep -m1 '^SKIP' "$W/log"))" ""
	else
		verdict "$1" "$([ $rc -eq 0 ] && tail -1 "$W/log" | grep -q ' 0 failed$' ||
			grep -m3 '^not ok' "$W/log" | tr '\n' ' '; [ $rc -eq 0 ] || echo "exit status $rc")"
	fi
}
case_deb() { case_script deb-package tests/deb-test.sh; }
case_slurm_cluster() {
	case_script slurm-cluster tests/slurm/test.sh
	grep -E '^# (warning signal|sacct -c|move)' "$W/log" >>"$RESULTS"   # shown with the verdict
}
case_fuzz() {
	make -s -C "$ROOT" fuzz FUZZ_TIME=12 >"$W/log" 2>&1
	verdict fuzz "$([ $? -eq 0 ] || tail -3 "$W/log" | tr '\n' ' ')"
}

run_cases "${SEL[@]}"
[ $CORPUS = 1 ] && corpus_table "${OUTS[@]}"
echo "$PASS passed, $FAIL failed"
[ $FAIL -eq 0 ] && [ $N -gt 0 ]
