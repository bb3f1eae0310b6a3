# Sourced by tests/run.sh: restarts after a move.  A requeued job may land
# in another directory, or on a node where scratch has another path:
# myrestart --map OLD=NEW finds the files there, and without it a missing
# file is refused with one line that names it and says how.

# job_image: $BIN/file on its input in $W/job (and uninterrupted in
# $W/ref), its image $W/job/myckpt taken and the program stopped; 1 when
# there was no image
job_image() {
	mkdir -p "$W/job"
	cp "$OUT/input.txt" "$W/job/input.txt"
	reference "$W/ref.out" "$BIN/file" "$W/job/input.txt"
	RUN_DIR=$W/job launch "$W/seg0" "$BIN/file" "$W/job/input.txt"
	take_image "$W/seg0" 20 "$W/job/myckpt" || return 1
	stop $PID; wait $PID 2>/dev/null
	return 0
}

# The job's directory moved: refused without --map (naming the file and
# the option); --info with --map shows the new paths; with --map the
# program goes on, in its moved working directory.
case_moved_dir() {
	local cwd
	if job_image; then
		mv "$W/job" "$W/moved"
		why=$(refused_restart "$W/moved" "^myrestart: myckpt: cannot reopen fd [0-9]+ \($W/job/input.txt\): no such file or directory \(moved\? myrestart --map OLD=NEW names its new place\)$")
		if [ -n "$why" ]; then why="without --map: $why"
		elif ! $RUNNER "$MYRESTART" --info --map "$W/job=$W/moved" "$W/moved/myckpt" 2>/dev/null |
			grep -q "  fd [0-9]*  file  offset [0-9]*  $W/moved/input.txt$"; then
			why="--info --map does not show the new path"
		else
			(cd "$W/moved" && exec $RUNNER "$MYRESTART" --map "$W/job=$W/moved" myckpt >"$W/seg1" 2>>"$W/stderr") &
			PID=$!; track $PID
			wait_lines "$W/seg1" 1 $((20 * SLOW))
			cwd=$(readlink "/proc/$PID/cwd")
			if ! wait_exit $((30 * SLOW)); then why="restart with --map did not finish"
			elif ! splice "$W/seg0" "$W/seg1" | cmp -s - "$W/ref.out"; then why="output differs"
			elif [ "$cwd" != "$W/moved" ]; then why="working directory is '$cwd', not the moved one"
			fi
		fi
	else
		why="no image"
	fi
}
def_verdict moved-directory case_moved_dir

# One input file moved (and renamed): --map names the file itself.
case_moved_file() {
	mkdir -p "$W/elsewhere"
	if job_image; then
		mv "$W/job/input.txt" "$W/elsewhere/data.txt"
		why=$(RUN_DIR=$W/job restart_finish --map="$W/job/input.txt=$W/elsewhere/data.txt")
	else
		why="no image"
	fi
}
def_verdict moved-file case_moved_file

# --map's usage errors: exit status 2 and one line
case_map_usage() {
	local why= out
	out=$($RUNNER "$MYRESTART" --map relative=/x myckpt 2>&1); [ $? -eq 2 ] || why="relative OLD not refused with 2"
	echo "$out" | grep -q "^myrestart: bad --map 'relative=/x' (want --map /OLD=/NEW, absolute paths)$" ||
		why=${why:-"unexpected message: $out"}
	$RUNNER "$MYRESTART" --map 2>/dev/null; [ $? -eq 2 ] || why=${why:-"--map without its argument not refused with 2"}
	verdict map-usage "$why"
}
def_case map-usage case_map_usage
