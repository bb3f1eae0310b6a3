# Sourced by tests/run.sh: the kernel objects an event loop holds (pipes,
# socketpairs, eventfd, timerfd, signalfd, epoll, memfd, shared memory)
# and programs that sit where myrestart must live.

# A program whose text covers 0x5000000-0x5400000: the library cannot
# reserve myrestart's range and disables itself, but the checkpoint signal
# is still answered with one line; the program never dies of it.
case_disabled_answers() {
	local why=
	reference "$W/ref.out" "$BIN/counter-at5m"
	launch "$W/seg0" "$BIN/counter-at5m"
	if wait_lines "$W/seg0" 5 $((20 * SLOW)) && kill -USR2 $PID; then
		if ! wait_stderr '^libckpt: checkpointing is disabled: the program uses 0x5000000-0x5400000, where myrestart must live$' $((20 * SLOW)); then
			why="no answer to the signal"
		else
			why=$(finish_and_compare)
		fi
	else
		why="no output"
	fi
	stop $PID
	verdict disabled-answers-signal "$why"
}
def_case disabled-answers-signal case_disabled_answers
