# Sourced by tests/run.sh: multi-threaded programs.  Every thread is
# stopped inside the pause, saved with its own registers, signal mask and
# TLS, and recreated by myrestart before any of them runs on.
#         NAME            LINES CYCLES TIMEOUT             PROGRAM...
def_cycle threads-pthreads 5 1 $((30 * SLOW)) "$BIN/ring" 4 40 30
# threads created after the restart, joined; three checkpoints in a row
def_cycle threads-three-cycles 6 3 $((30 * SLOW)) "$BIN/ring" 3 30 30
def_cycle threads-64      5 1 $((60 * SLOW)) "$BIN/ring" 64 20 40
def_cycle threads-omp     5 1 $((40 * SLOW)) "$BIN/omp"
# threads being created and ending while three checkpoints land
def_cycle threads-churn   6 3 $((30 * SLOW)) "$BIN/churn"
def_cycle threads-python  5 1 $((60 * SLOW)) /usr/bin/python3 "$ROOT/tests/progs/threads.py"
# locks that name their owner (recursive and error-checking mutexes, a
# write-locked rwlock) held by a thread across the checkpoint, and the
# calls that name a thread to the kernel (pthread_kill, affinity, name,
# CPU clock, scheduling), through two restarts; then the same calls on a
# new thread in the descriptor of the worker, which has ended
def_cycle threads-tid-locks 4 2 $((30 * SLOW)) "$BIN/tidlocks"

# A thread that blocks the checkpoint signal: the checkpoint fails with
# one line naming it, the previous image stays, the program goes on.
case_threads_blocking() {
	refused_checkpoint threads-blocking-signal \
		'libckpt: checkpoint 1 failed: thread [0-9]+ \(worker\) blocks the checkpoint signal; the previous image is unchanged$' \
		"$BIN/threads" block
}
def_case threads-blocking-signal case_threads_blocking

# Threads asleep in system calls at the checkpoint: one in read() on a
# fifo (resumed after the checkpoint, fed the rest of its input after the
# restart: fault-tests.sh's fed_restart), one in nanosleep().
case_threads_blocked() { fed_restart threads-blocked-in-syscalls "$BIN/blocked"; }
def_case threads-blocked-in-syscalls case_threads_blocked

# A thread that cannot answer (waiting for a vfork()ed child): the
# checkpoint fails after CKPT_THREAD_TIMEOUT, the program goes on.
# qemu-user runs vfork() as fork(), so the thread answers there.
case_threads_timeout() {
	CKPT_THREAD_TIMEOUT=1 refused_checkpoint threads-timeout \
		'libckpt: checkpoint 1 failed: thread [0-9]+ \(worker\) did not answer the checkpoint signal in time \(CKPT_THREAD_TIMEOUT\); the previous image is unchanged$' \
		"$BIN/threads" vfork
}
[ -z "$RUNNER" ] && def_case threads-timeout case_threads_timeout

# A thread checkpoints the program itself with raise(): the signal comes
# from the process, to one thread, and is a checkpoint all the same.
case_threads_raise() {
	reference "$W/ref.out" "$BIN/threads" raise
	launch "$W/seg0" "$BIN/threads" raise
	if wait_image $((20 * SLOW)) && wait_lines "$W/seg0" 8 $((20 * SLOW)); then
		why=$(kill_restart_compare)
	else
		why="no image from raise()"
	fi
}
def_verdict threads-raise case_threads_raise

# More threads than an image holds (128): refused with one line, the
# program unharmed.
case_threads_too_many() {
	refused_checkpoint threads-too-many \
		'libckpt: checkpoint 1 failed: the program has more threads than a checkpoint takes \(128\); the previous image is unchanged$' \
		"$BIN/ring" 130 20 40
}
def_case threads-too-many case_threads_too_many

# A program that sets its own action for the checkpoint signal takes it
# (the JVM suspends threads with SIGUSR2): one line says so at once, and
# a SIGUSR2 then does what the program says, not a checkpoint, whether
# the program used sigaction() or signal().  With CKPT_SIGNAL=USR1 the
# same program is checkpointed, killed and restarted.
case_signal_taken() {
	local how=$1 why= n; shift
	reference "$W/ref.out" "$BIN/ownsig" "$@"
	launch "$W/seg0" "$BIN/ownsig" "$@"
	if ! wait_lines "$W/seg0" 5 $((20 * SLOW)); then why="no output"
	elif ! grep -Eq '^libckpt: warning: signal 12, the checkpoint signal, is taken by the program.s own handler: checkpoints stop \(CKPT_SIGNAL chooses a signal the program leaves alone\)$' "$W/stderr"; then
		why="no line saying the program took the signal"
	else
		for n in 1 2 3; do kill -USR2 $PID; sleep 0.1; done
		if ! wait_exit $((30 * SLOW)); then why="did not finish"
		elif [ -e "$W/myckpt" ]; then why="a SIGUSR2 made a checkpoint"
		elif ! tail -1 "$W/seg0" | grep -Eq 'handled [123] times$'; then why="the program's handler did not get the signals: $(tail -1 "$W/seg0")"
		elif [ "$(wc -l <"$W/stderr")" -ne 1 ]; then why="not exactly one line on stderr"
		fi
	fi
	stop $PID
	verdict "signal-taken-$how" "$why"
}
case_signal_taken_sigaction() { case_signal_taken sigaction; }
case_signal_taken_signal() { case_signal_taken signal signal; }
def_case signal-taken-sigaction case_signal_taken_sigaction
def_case signal-taken-signal case_signal_taken_signal
# A program that sets its own handler and puts back the one it found
# (ruby) keeps checkpointing, and nothing is said; one whose handler calls
# the one it found (php) checkpoints through it, and the lines say exactly
# that.  Both are checkpointed, killed and restarted.
case_signal_lent() {
	local how=$1 want=$2 got; shift 2
	cycle "signal-$how" 5 1 $((30 * SLOW)) "$BIN/ownsig" "$how"
	got=$(grep -c 'checkpoint signal' "$W/stderr")
	if [ "$got" != "$want" ]; then
		report "signal-$how-lines" 0 "$got lines about the checkpoint signal, not $want"
	else
		report "signal-$how-lines" 1
	fi
}
case_signal_restored() { case_signal_lent restore 0; }
case_signal_chained() { case_signal_lent chain 2; }
def_case signal-restore case_signal_restored
def_case signal-chain case_signal_chained
case_signal_moved() { CKPT_SIGNAL=USR1 cycle signal-moved 5 2 $((30 * SLOW)) "$BIN/ownsig"; }
def_case signal-moved case_signal_moved

# The JVM (OpenJDK, from `make deps`): its threads, their locks and the
# calls that name them, through two restarts; SIGUSR2 is its own, so the
# checkpoint signal is USR1.  Natively only: under qemu-user a JVM needs
# minutes to start.
case_java() {
	if ! [ "$BIN/Count.class" -nt "$ROOT/tests/progs/Count.java" ] &&
	   ! javac -d "$BIN" "$ROOT/tests/progs/Count.java" >"$W/javac.log" 2>&1; then
		verdict java "cannot build tests/progs/Count.java: $(head -c 200 "$W/javac.log")"
		return
	fi
	CKPT_SIGNAL=USR1 cycle java 10 2 $((60 * SLOW)) java -cp "$BIN" Count
}
[ -z "$RUNNER" ] && def_case java case_java

# CPU time goes on across three restarts: the process's clocks (clock(),
# times(), getrusage, clock_gettime of its CPU clock ids), the main
# thread's and two workers', read by themselves and by the main thread,
# with clock ids taken before the first checkpoint too; python3's
# time.process_time() and time.thread_time().  CPU-bound: class cpu
case_cputime() { cycle cputime 6 3 $((40 * SLOW)) "$BIN/cputime"; }
def_case cputime case_cputime cpu
case_cputime_python() { cycle cputime-python3 6 3 $((40 * SLOW)) /usr/bin/python3 "$ROOT/tests/progs/cputime.py"; }
def_case cputime-python3 case_cputime_python cpu
