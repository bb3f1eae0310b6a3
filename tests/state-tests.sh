# Sourced by tests/run.sh: process state beyond memory (issue 9) through a
# checkpoint, kill and restart.  The restart runs from another directory,
# so the program's working directory must come back from the image.

if want proc-state; then
	W=$OUT/proc-state; rm -rf "$W"; mkdir -p "$W/ref/d" "$W/run/d" "$W/elsewhere"; : >"$W/stderr"; why=
	seq -f "input line %02g" 1 30 >"$W/input"
	(cd "$W/ref/d" && $RUNNER "$BIN/procstate" "$W/input" "$W/ref/log" >"$W/ref.out")
	(cd "$W/run/d" && launch "$W/seg0" "$BIN/procstate" "$W/input" "$W/run/log"; echo $PID >"$W/pid")
	PID=$(cat "$W/pid")
	if wait_lines "$W/seg0" 8 $((20 * QEMU_SLOW)) && kill -USR2 $PID &&
	   i=0 && until [ -e "$W/run/d/myckpt" ] || [ $i -ge $((400 * QEMU_SLOW)) ]; do sleep 0.05; i=$((i + 1)); done &&
	   [ -e "$W/run/d/myckpt" ]; then
		kill -9 $PID; wait $PID 2>/dev/null
		(cd "$W/elsewhere" && exec $RUNNER "$MYRESTART" "$W/run/d/myckpt" >"$W/seg1" 2>>"$W/stderr") &
		PID=$!
		wait_lines "$W/seg1" 1 $((20 * QEMU_SLOW))
		comm=$(cat /proc/$PID/comm 2>/dev/null)
		found=$(pgrep -x procstate | grep -x "$PID")
		wait_exit $((30 * QEMU_SLOW)) || why="restart did not finish"
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
	kill -9 $PID 2>/dev/null
	report proc-state $([ -z "$why" ] && echo 1 || echo 0) "$why"
fi

# a deleted-but-open file comes back, contents and offset
W=$OUT; cycle deleted-open-file 5 1 $((20 * QEMU_SLOW)) "$BIN/deleted"

# a file that changed size since the checkpoint: a warning, or with
# --strict a refusal before the point of no return
if want strict; then
	W=$OUT/strict; rm -rf "$W"; mkdir -p "$W"; : >"$W/stderr"; why=
	seq -f "line %04g of the input file, padded to some length" 0 79 >"$W/input.txt"
	(cd "$W" && launch "$W/seg0" "$BIN/file" "$W/input.txt"; echo $PID >"$W/pid")
	PID=$(cat "$W/pid")
	if wait_lines "$W/seg0" 5 $((20 * QEMU_SLOW)) && kill -USR2 $PID && wait_image $((20 * QEMU_SLOW)); then
		kill -9 $PID; wait $PID 2>/dev/null
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
	kill -9 $PID 2>/dev/null
	report strict-changed-file $([ -z "$why" ] && echo 1 || echo 0) "$why"
fi

# stdin and stdout are regular files: restarted with the same files
# (`<input 1<>output`), myrestart puts both back at the checkpoint's
# offsets, so the output file ends up exactly as an uninterrupted run's
# (what the killed process wrote after the checkpoint is written over)
if want stdio-same-file; then
	W=$OUT/stdio-same-file; rm -rf "$W"; mkdir -p "$W/ref"; : >"$W/stderr"; why=
	(cd "$W/ref" && $RUNNER "$BIN/reader" <"$OUT/bytes.txt" >"$W/ref.out")
	(cd "$W" && launch "$W/out" "$BIN/reader" <"$OUT/bytes.txt"; echo $PID >"$W/pid")
	PID=$(cat "$W/pid")
	if wait_lines "$W/out" 3000 $((20 * QEMU_SLOW)) && kill -USR2 $PID && wait_image $((20 * QEMU_SLOW)); then
		kill -9 $PID; wait $PID 2>/dev/null
		[ "$(wc -l <"$W/out")" -lt 40001 ] || why="finished before the kill: nothing to test"
		(cd "$W" && exec $RUNNER "$MYRESTART" myckpt <"$OUT/bytes.txt" 1<>"$W/out" 2>>"$W/stderr") &
		PID=$!
		wait_exit $((60 * QEMU_SLOW)) || why="restart did not finish"
		[ -z "$why" ] && ! cmp -s "$W/ref.out" "$W/out" && why="output file differs (cmp $W/ref.out $W/out)"
	else
		why="no image"
	fi
	kill -9 $PID 2>/dev/null
	report stdio-same-file $([ -z "$why" ] && echo 1 || echo 0) "$why"
fi

# the program opened its own standard output (dd of=FILE, sort -o do):
# after a restart it writes to that file again, at its offset, and
# nothing to myrestart's stdout
if want stdio-reopened; then
	W=$OUT/stdio-reopened; rm -rf "$W"; mkdir -p "$W/ref"; : >"$W/stderr"; why=
	(cd "$W/ref" && $RUNNER "$BIN/reopen" "$W/ref/log")
	(cd "$W" && launch "$W/seg0" "$BIN/reopen" "$W/log"; echo $PID >"$W/pid")
	PID=$(cat "$W/pid")
	if wait_lines "$W/log" 10 $((20 * QEMU_SLOW)) && kill -USR2 $PID && wait_image $((20 * QEMU_SLOW)); then
		kill -9 $PID; wait $PID 2>/dev/null
		restart "$W/seg1"
		wait_exit $((30 * QEMU_SLOW)) || why="restart did not finish"
		[ -z "$why" ] && ! cmp -s "$W/ref/log" "$W/log" && why="the program's own output file differs (cmp $W/ref/log $W/log)"
		[ -z "$why" ] && [ -s "$W/seg1" ] && why="the restart wrote to myrestart's stdout"
	else
		why="no image"
	fi
	kill -9 $PID 2>/dev/null
	report stdio-reopened $([ -z "$why" ] && echo 1 || echo 0) "$why"
fi
