# Sourced by tests/run.sh: the kernel objects an event loop holds (pipes,
# socketpairs, eventfd, timerfd, signalfd, epoll, memfd, shared memory)
# and programs that sit where myrestart must live.

# When the library is disabled (here: a bad CKPT_VERBOSE), the checkpoint
# signal is still answered with one line; the program never dies of it.
case_disabled_answers() {
	reference "$W/ref.out" "$BIN/counter"
	CKPT_VERBOSE=2 launch "$W/seg0" "$BIN/counter"
	if wait_lines "$W/seg0" 5 $((20 * SLOW)) && kill -USR2 $PID; then
		if ! wait_stderr '^libckpt: checkpointing is disabled: bad configuration \(said at startup\)$' $((20 * SLOW)); then
			why="no answer to the signal"
		else
			why=$(finish_and_compare)
		fi
	else
		why="no output"
	fi
}
def_verdict disabled-answers-signal case_disabled_answers

# Programs on myrestart's own range 0x5000000-0x5400000 (a large non-PIE
# executable, as Debian's node is): checkpointed all the same, and
# restarted by a myrestart that moves its restore stage out of the way;
# twice in a row, and with threads (whose first stacks are in the moved
# range too).
def_cycle range-taken         5 2 $((30 * SLOW)) "$BIN/bigtext"
def_cycle range-taken-threads 5 1 $((30 * SLOW)) "$BIN/ring-at5m" 4 40 30

# One event loop over every kernel object a process can hold alone: a
# self-pipe with unread bytes, stream and seqpacket socketpairs with data
# in flight, eventfds (one a semaphore), a timerfd pacing the steps from a
# nested epoll, a signalfd, a sealed memfd mapped twice, shared anonymous
# memory, a file mapped shared, dup'ed fds sharing an offset.  Two
# checkpoints, each followed by kill -9 and a restart.
def_cycle event-loop      8 2 $((30 * SLOW)) "$BIN/evloop" shared.map scratch.txt
# a FIFO open at both ends and a datagram socketpair, each with data left
# in it at every step; and an inotify instance, which is warned about
def_cycle fifo-dgram      8 2 $((30 * SLOW)) "$BIN/fifodgram" the.fifo
case_inotify_warned() {
	launch "$W/seg0" "$BIN/fifodgram" the.fifo
	if take_image "$W/seg0" 3; then
		grep -Eq '^libckpt: warning: fd [0-9]+ \(anon_inode:inotify\) is an inotify instance: its watches are not restored; it will be /dev/null after a restart$' "$W/stderr" ||
			why="no warning naming the inotify instance"
	else
		why="no image"
	fi
}
def_verdict inotify-warned case_inotify_warned

# the same in python's asyncio (its selector is epoll, its self-pipe a
# socketpair) and in a libevent main loop
def_cycle asyncio-loop    8 2 $((40 * SLOW)) /usr/bin/python3 "$ROOT/tests/progs/asyncio_loop.py"
def_cycle libevent-loop   8 1 $((30 * SLOW)) "$BIN/libevent_loop"

# getpid(), the main thread's gettid() and kill(getpid()) keep working
# with the pid of the checkpoint, through two restarts
def_cycle pid-kept        8 2 $((30 * SLOW)) "$BIN/pidkeep"

# myrestart --info names each fd's kind and what the image keeps of it
case_info_fds() {
	local info
	launch "$W/seg0" "$BIN/evloop" shared.map scratch.txt
	if take_image "$W/seg0" 5; then
		info=$($RUNNER "$MYRESTART" --info "$W/myckpt" 2>/dev/null)
		for want in ' pipe  peer fd [0-9]+  [0-9]+ B saved  pipe:' ' socketpair  peer fd ' \
			' eventfd  count 0x' ' timerfd  clock 1, next in [0-9]+ ns, every 100000000 ns' \
			' signalfd  mask 0x200 ' ' epoll  [0-9]+ watches ' ' memfd  offset 0  .* seals 0x' \
			' dup  same as fd [0-9]+ ' ' rw-s shared .*/memfd:evloop \(deleted\)' \
			' rw-s shared .*/dev/zero \(deleted\)' ' rw-s file-shared .*/shared.map$'; do
			echo "$info" | grep -Eq -- "$want" || { why="--info has no line matching '$want'"; break; }
		done
	else
		why="no image"
	fi
}
def_verdict info-fd-kinds case_info_fds

# A file mapped shared (and open) that is gone at restart: refused with
# one line naming it, before anything is touched.
case_shared_file_gone() {
	launch "$W/seg0" "$BIN/evloop" shared.map scratch.txt
	if take_image "$W/seg0" 5; then
		stop $PID; wait $PID 2>/dev/null
		mv "$W/shared.map" "$W/moved.map"
		why=$(refused_restart "$W" "^myrestart: myckpt: cannot (map $W/shared.map shared again \(at 0x[0-9a-f]+\)|reopen fd [0-9]+ \($W/shared.map\)): no such file or directory")
	else
		why="no image"
	fi
}
def_verdict shared-file-gone case_shared_file_gone

# --info says when an image needs myrestart's range
case_info_range() {
	launch "$W/seg0" "$BIN/bigtext"
	if take_image "$W/seg0" 3; then
		$RUNNER "$MYRESTART" --info "$W/myckpt" 2>/dev/null |
			grep -q '^note:	the program uses 0x5000000-0x5400000: myrestart restores it from a copy of itself$' ||
			why="no note in --info"
	else
		why="no image"
	fi
}
def_verdict info-range-note case_info_range
