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
# CPU clock, scheduling), through two restarts
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
	local why=
	reference "$W/ref.out" "$BIN/threads" raise
	launch "$W/seg0" "$BIN/threads" raise
	if wait_image $((20 * SLOW)) && wait_lines "$W/seg0" 8 $((20 * SLOW)); then
		why=$(kill_restart_compare)
	else
		why="no image from raise()"
	fi
	stop $PID
	verdict threads-raise "$why"
}
def_case threads-raise case_threads_raise

# More threads than an image holds (128): refused with one line, the
# program unharmed.
case_threads_too_many() {
	refused_checkpoint threads-too-many \
		'libckpt: checkpoint 1 failed: the program has more threads than a checkpoint takes \(128\); the previous image is unchanged$' \
		"$BIN/ring" 130 20 40
}
def_case threads-too-many case_threads_too_many
