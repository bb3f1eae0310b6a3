# Sourced by tests/run.sh: process state beyond memory (issue 9) through a
# checkpoint, kill and restart.  The restart runs from another directory,
# so the program's working directory must come back from the image.

case_proc_state() {
	local i
	mkdir -p "$W/ref/d" "$W/run/d" "$W/elsewhere"
	seq -f "input line %02g" 1 30 >"$W/input"
	(cd "$W/ref/d" && $RUNNER "$BIN/procstate" "$W/input" "$W/ref/log" >"$W/ref.out")
	RUN_DIR=$W/run/d launch "$W/seg0" "$BIN/procstate" "$W/input" "$W/run/log"
	if wait_lines "$W/seg0" 8 $((20 * SLOW)) && kill -USR2 $PID &&
	   wait_image $((20 * SLOW)) "$W/run/d/myckpt"; then
		stop $PID; wait $PID 2>/dev/null
		(cd "$W/elsewhere" && exec $RUNNER "$MYRESTART" "$W/run/d/myckpt" >"$W/seg1" 2>>"$W/stderr") &
		PID=$!; track $PID
		wait_lines "$W/seg1" 1 $((20 * SLOW))
		comm=$(cat /proc/$PID/comm 2>/dev/null)
		found=$(pgrep -x procstate | grep -x "$PID")
		wait_exit $((30 * SLOW)) || why="restart did not finish"
		splice "$W/seg0" "$W/seg1" >"$W/spliced.out"
		[ -z "$why" ] && ! cmp -s "$W/ref.out" "$W/spliced.out" && why="output differs (diff $W/ref.out $W/spliced.out)"
		[ -z "$why" ] && [ "$comm" != procstate ] && why="comm after restart is '$comm'"
		[ -z "$why" ] && [ -z "$found" ] && why="pgrep -x procstate does not find the restarted process"
		# every line once, in order, except those the killed process wrote
		# after the checkpoint, which appear twice
		[ -z "$why" ] && [ "$(sort -u "$W/run/log" | sort -t' ' -k2n)" != "$(cat "$W/ref/log")" ] &&
			why="the O_APPEND log lost or reordered lines"
	else
		why="no image"
	fi
}
def_verdict proc-state case_proc_state

# a deleted-but-open file comes back, contents and offset
def_cycle deleted-open-file 5 1 $((20 * SLOW)) "$BIN/deleted"

# a file that changed size since the checkpoint: a warning, or with
# --strict a refusal before the point of no return
case_strict_changed_file() {
	local i
	seq -f "line %04g of the input file, padded to some length" 0 79 >"$W/input.txt"
	launch "$W/seg0" "$BIN/file" "$W/input.txt"
	if take_image "$W/seg0" 5; then
		stop $PID; wait $PID 2>/dev/null
		echo "one more line" >>"$W/input.txt"
		(cd "$W" && timeout 30 $RUNNER "$MYRESTART" --strict myckpt >"$W/out" 2>"$W/err")
		rc=$?
		[ $rc -eq 1 ] && grep -q 'refusing (--strict): .*input.txt changed size' "$W/err" && [ ! -s "$W/out" ] ||
			why="--strict: exit $rc, stderr $(head -c 200 "$W/err")"
		(cd "$W" && timeout 60 $RUNNER "$MYRESTART" myckpt >"$W/out" 2>"$W/err")
		grep -q 'warning: .*input.txt changed size since the checkpoint (4080 -> 4094 bytes)' "$W/err" || why="${why:-no warning: $(head -c 200 "$W/err")}"
		grep -q "^0079 line 0079" "$W/out" && grep -q "^0080 one more line" "$W/out" || why="${why:-the warned restart did not finish}"
	else
		why="no image"
	fi
}
def_verdict strict-changed-file case_strict_changed_file

# stdin and stdout are regular files: restarted with the same files
# (`<input 1<>output`), myrestart puts both back at the checkpoint's
# offsets, so the output file ends up exactly as an uninterrupted run's
# (what the killed process wrote after the checkpoint is written over)
case_stdio_same_file() {
	local i
	mkdir -p "$W/ref"
	(cd "$W/ref" && $RUNNER "$BIN/reader" <"$OUT/bytes.txt" >"$W/ref.out")
	launch "$W/out" "$BIN/reader" <"$OUT/bytes.txt"
	if take_image "$W/out" 3000; then
		stop $PID; wait $PID 2>/dev/null
		[ "$(wc -l <"$W/out")" -lt 40001 ] || why="finished before the kill: nothing to test"
		(cd "$W" && exec $RUNNER "$MYRESTART" myckpt <"$OUT/bytes.txt" 1<>"$W/out" 2>>"$W/stderr") &
		PID=$!; track $PID
		wait_exit $((60 * SLOW)) || why="restart did not finish"
		[ -z "$why" ] && ! cmp -s "$W/ref.out" "$W/out" && why="output file differs (cmp $W/ref.out $W/out)"
	else
		why="no image"
	fi
}
def_verdict stdio-same-file case_stdio_same_file

# the program opened its own standard output (dd of=FILE, sort -o do):
# after a restart it writes to that file again, at its offset, and
# nothing to myrestart's stdout
case_stdio_reopened() {
	local i
	mkdir -p "$W/ref"
	(cd "$W/ref" && $RUNNER "$BIN/reopen" "$W/ref/log")
	launch "$W/seg0" "$BIN/reopen" "$W/log"
	if take_image "$W/log" 10; then
		stop $PID; wait $PID 2>/dev/null
		restart "$W/seg1"
		wait_exit $((30 * SLOW)) || why="restart did not finish"
		[ -z "$why" ] && ! cmp -s "$W/ref/log" "$W/log" && why="the program's own output file differs (cmp $W/ref/log $W/log)"
		[ -z "$why" ] && [ -s "$W/seg1" ] && why="the restart wrote to myrestart's stdout"
	else
		why="no image"
	fi
}
def_verdict stdio-reopened case_stdio_reopened

# POSIX timers of each notify kind (a signal with a value, one to a
# thread, none on the realtime and the CPU clock, a gap in the ids) come
# back with their ids through three restarts, and timer_delete works on
# each at the end (natively from /proc/self/timers; under qemu-user from
# the library's own list, since /proc shows qemu's host timers)
def_cycle posix-timers 5 3 $((30 * SLOW)) "$BIN/ptimers"

# `myrestart myckpt >out` where the program wrote `>out`: the shell
# truncated what the program wrote before the checkpoint, and myrestart
# says so in one line, naming the redirections that keep it
case_stdout_truncated() {
	launch "$W/out" "$BIN/counter" 40 60
	if take_image "$W/out" 5; then
		stop $PID; wait $PID 2>/dev/null
		(cd "$W" && exec $RUNNER "$MYRESTART" myckpt >"$W/out" 2>>"$W/stderr") & PID=$!; track $PID
		wait_exit $((30 * SLOW)) || why="restart did not finish"
		grep -Eq "^myrestart: myckpt: warning: fd 1 is the file the program had there, but 0 B long where it had reached [0-9.]+ [KMG]?i?B \(a '>' truncated it\): '1<>FILE' or '1>>FILE' keeps what it wrote$" "$W/stderr" ||
			why="${why:-no line about the truncated output}"
	else
		why="no image"
	fi
}
def_verdict stdout-truncated case_stdout_truncated

# nice, personality, scheduling policy and the prctl flags come back
# through two restarts; mlock'ed memory is named at the checkpoint and at
# the restart (not locked again: a limit)
def_cycle proc-attrs 5 2 $((30 * SLOW)) "$BIN/attrs"
case_mlock_named() {
	launch "$W/seg0" "$BIN/attrs" mlock
	if ! take_image "$W/seg0" 3; then why="no image"
	elif ! wait_stderr '^libckpt: warning: memory locked with mlock is not locked again after a restart$' $((10 * SLOW)); then
		why="the checkpoint did not name the locked memory"
	else
		stop $PID; wait $PID 2>/dev/null
		restart "$W/seg1"
		wait_exit $((30 * SLOW))
		grep -q '^myrestart: myckpt: warning: 4 KiB of memory the program had locked (mlock) are not locked again$' "$W/stderr" ||
			why="the restart did not name the locked memory"
	fi
}
def_verdict mlock-named case_mlock_named
