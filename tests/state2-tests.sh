# Sourced by tests/run.sh: more process state (issue 9): descriptor kinds
# and flags, a pipe's lone end replaced by /dev/null with a warning, and (natively)
# /proc/PID/cmdline, environ and auxv of the restarted process.

case_fd_kinds() {
	local i
	mkdir -p "$W/ref" "$W/d/sub"
	: >"$W/d/a"; : >"$W/d/b"; seq 1000 >"$W/file"
	(cd "$W/ref" && $RUNNER "$BIN/fdkinds" "$W/d" "$W/file" | grep -v '^pipe' >"$W/ref.out")
	launch "$W/seg0.raw" "$BIN/fdkinds" "$W/d" "$W/file"
	if take_image "$W/seg0.raw" 6; then
		env_before=$(tr '\0' '\n' </proc/$PID/environ 2>/dev/null | sort | md5sum)
		stop $PID; wait $PID 2>/dev/null
		pr=$(sed -n 's/^pipe fds \([0-9]*\) .*/\1/p' "$W/seg0.raw")
		grep -v '^pipe' "$W/seg0.raw" >"$W/seg0"
		restart "$W/seg1"
		wait_lines "$W/seg1" 1 $((20 * SLOW))
		target=$(readlink /proc/$PID/fd/$pr 2>/dev/null)
		wait_exit $((30 * SLOW)) || why="restart did not finish"
		splice "$W/seg0" "$W/seg1" >"$W/spliced.out"
		[ -z "$why" ] && ! cmp -s "$W/ref.out" "$W/spliced.out" && why="output differs (diff $W/ref.out $W/spliced.out)"
		[ -z "$why" ] && [ "$target" != /dev/null ] && why="the pipe's fd $pr is '$target' after the restart, not /dev/null"
		[ -z "$why" ] && ! grep -q "warning: fd $pr (pipe:\[[0-9]*\]) has its other end outside the process" "$W/stderr" &&
			why="no warning naming the pipe"
	else
		why="no image"
	fi
}
def_verdict fd-kinds case_fd_kinds

# natively, PR_SET_MM_MAP gives the restarted process the original's
# command line, environment and auxiliary vector in /proc (qemu refuses it)
case_proc_identity() {
	local i
	launch "$W/seg0" env CKPT_TEST_VAR=hello-env "$BIN/counter" 200 20 arg3
	if wait_lines "$W/seg0" 3 20 && kill -USR2 $PID && wait_image 20; then
		tr '\0' ' ' </proc/$PID/cmdline >"$W/cmdline.0"; tr '\0' '\n' </proc/$PID/environ >"$W/environ.0"
		od -An -tx8 /proc/$PID/auxv >"$W/auxv.0"
		stop $PID; wait $PID 2>/dev/null
		restart "$W/seg1"
		wait_lines "$W/seg1" 1 20
		tr '\0' ' ' </proc/$PID/cmdline >"$W/cmdline.1"; tr '\0' '\n' </proc/$PID/environ >"$W/environ.1"
		od -An -tx8 /proc/$PID/auxv >"$W/auxv.1"
		stop $PID; wait $PID 2>/dev/null
		cmp -s "$W/cmdline.0" "$W/cmdline.1" || why="cmdline: '$(cat "$W/cmdline.1")' vs '$(cat "$W/cmdline.0")'"
		cmp -s "$W/environ.0" "$W/environ.1" || why="${why:-environ differs}"
		grep -q '^CKPT_TEST_VAR=hello-env$' "$W/environ.1" || why="${why:-environ lacks the program variable}"
		cmp -s "$W/auxv.0" "$W/auxv.1" || why="${why:-auxv differs}"
	else
		why="no image"
	fi
}
[ -z "$RUNNER" ] && def_verdict proc-identity case_proc_identity
