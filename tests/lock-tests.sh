# Sourced by tests/run.sh: file locks.  flock, POSIX (fcntl, lockf) and
# OFD locks the program holds at the checkpoint are held again after a
# restart, before it runs on: another process's attempt at each fails
# until the program lets them go.  A lock another process holds at the
# restart is refused with one line, and nothing is restored; what cannot
# be taken again (a lease, a lock on myrestart's own stdout) is named at
# the checkpoint and at the restart.  The probes ($BIN/lockprobe, flock
# -n) run natively under both runners: they are the other process.

# probe WANT KIND TYPE FILE [START LEN]: nothing when another process's
# attempt at that lock in $W ends as WANT says (0 it got it, 1 refused)
probe() {
	local want=$1 rc; shift
	(cd "$W" && exec "$BIN/lockprobe" try "$@"); rc=$?
	[ $rc -eq "$want" ] && return
	case $want in 0) echo "another process could not take $*" ;; *) echo "another process took $* (exit $rc)" ;; esac
}
# why the locks of tests/progs/locks.c are not held as it holds them, or
# nothing: each refused to another process, and what they leave free
# (the rest of the file, a read lock beside a read lock) is not
locks_held() {
	local t why=
	for t in "flock w fsh" "flock r fex" "posix r posix 50 1" "posix r posix 0 0" "posix w posix 300 1" \
		 "ofd r ofd 15 1" "ofd w ofd 19 5" "posix r wo 5 1"; do
		why=${why:-$(probe 1 $t)}
	done
	for t in "flock r fsh" "posix w posix 100 100" "posix r posix 300 1" "ofd w ofd 20 5" "ofd w ofd 0 10" \
		 "posix w wo 10 1"; do
		why=${why:-$(probe 0 $t)}
	done
	(cd "$W" && flock -n fex true) && why=${why:-"flock -n took fex"}
	(cd "$W" && flock -n -s fsh true) || why=${why:-"flock -n -s could not share fsh"}
	echo "$why"
}
# the program told to let its locks go: then every one is free (exit:
# it ended too)
locks_let_go() {
	local t why=
	touch "$W/unlock"
	if ! wait_until $((20 * SLOW)) grep -q unlocked "$1"; then
		echo "the program did not unlock"
		return
	fi
	for t in "flock w fsh" "flock w fex" "posix w posix 0 0" "ofd w ofd 0 0" "posix w wo 0 0"; do
		why=${why:-$(probe 0 $t)}
	done
	(cd "$W" && flock -n fex true) || why=${why:-"flock -n could not take fex"}
	touch "$W/stop"
	wait_exit $((20 * SLOW)) || why=${why:-"the program did not end"}
	echo "$why"
}

# every kind, held across a checkpoint, kill -9 and a restart; --info
# lists them (the dup'ed fd's OFD lock once)
case_locks_restored() {
	local info
	launch "$W/seg0" "$BIN/locks"
	if ! wait_lines "$W/seg0" 3 $((20 * SLOW)); then
		why="no output"
	else
		why=$(locks_held)
		why=${why:+"before the checkpoint: $why"}
	fi
	if [ -z "$why" ] && take_image "$W/seg0" 3; then
		stop $PID; wait $PID 2>/dev/null
		info=$(cd "$W" && $RUNNER "$MYRESTART" --info myckpt | grep '^  fd [0-9]* lock: ' | sed 's/fd [0-9]* lock:/fd N lock:/')
		[ "$info" = "$(printf '  fd N lock: %s\n' "a shared flock" "an exclusive flock" \
			"a POSIX write lock on bytes 0-99" "a POSIX read lock on bytes 200 to the end" \
			"an OFD write lock on bytes 10-19" "a POSIX write lock on bytes 0-9")" ] ||
			why="--info lists: $info"
		restart "$W/seg1"
		if ! wait_lines "$W/seg1" 2 $((20 * SLOW)); then
			why=${why:-"the restart printed nothing"}
		elif [ -z "$why" ]; then
			why=$(locks_held)
			why=${why:+"after the restart: $why"}
		fi
		why=${why:-$(locks_let_go "$W/seg1")}
		grep -q lock "$W/stderr" && why=${why:-"a line about locks: $(grep lock "$W/stderr" | head -1)"}
	elif [ -z "$why" ]; then
		why="no image"
	fi
}
def_verdict locks-restored case_locks_restored

# two restarts in a row: the restarted program's locks are checkpointed
# again
case_locks_twice() {
	launch "$W/seg0" "$BIN/locks"
	if take_image "$W/seg0" 3; then
		stop $PID; wait $PID 2>/dev/null
		restart "$W/seg1"
		# (the next image once the restart has read this one)
		if wait_lines "$W/seg1" 1 $((20 * SLOW)) && rm -f "$W/myckpt" && take_image "$W/seg1" 2; then
			stop $PID; wait $PID 2>/dev/null
			restart "$W/seg2"
			if wait_lines "$W/seg2" 2 $((20 * SLOW)); then
				why=$(locks_held)
				why=${why:+"after the second restart: $why"}
				why=${why:-$(locks_let_go "$W/seg2")}
			else
				why="the second restart printed nothing"
			fi
		else
			why="no image of the restarted program"
		fi
	else
		why="no image"
	fi
}
def_verdict locks-two-restarts case_locks_twice

# python: fcntl.flock and fcntl.lockf
case_locks_python() {
	local t
	launch "$W/seg0" /usr/bin/python3 "$ROOT/tests/progs/pylocks.py"
	if take_image "$W/seg0" 3; then
		stop $PID; wait $PID 2>/dev/null
		restart "$W/seg1"
		if wait_lines "$W/seg1" 2 $((20 * SLOW)); then
			for t in "1 flock r pyflock" "1 posix r pylockf 5 10" "1 posix r pylockf 14 1" \
				 "0 posix w pylockf 15 5" "0 posix w pylockf 0 5"; do
				why=${why:-$(probe $t)}
			done
			(cd "$W" && flock -n pyflock true) && why=${why:-"flock -n took pyflock"}
			touch "$W/unlock"
			if ! wait_until $((20 * SLOW)) grep -q unlocked "$W/seg1"; then
				why=${why:-"the program did not unlock"}
			fi
			why=${why:-$(probe 0 flock w pyflock)}
			why=${why:-$(probe 0 posix w pylockf 0 0)}
			touch "$W/stop"
			wait_exit $((20 * SLOW)) || why=${why:-"the program did not end"}
		else
			why="the restart printed nothing"
		fi
	else
		why="no image"
	fi
}
def_verdict locks-python case_locks_python

# conflict HOLD REGEX: another process holds HOLD (lockprobe's KIND TYPE
# FILE...) while myrestart runs: nothing when it refuses in one line
# matching REGEX (HP: the holder's pid), exits 1, the program never ran
# and the locks myrestart took before it let go again
conflict() {
	local hold=$1 want=$2 hp out rc why=
	rm -f "$W/held" "$W/refused.out"
	(cd "$W" && exec "$BIN/lockprobe" hold $hold >"$W/held") &
	hp=$!
	track $hp
	if ! wait_until $((10 * SLOW)) grep -q held "$W/held"; then
		stop $hp
		echo "the other process could not take $hold"
		return
	fi
	out=$(cd "$W" && timeout $((30 * SLOW)) $RUNNER "$MYRESTART" myckpt 2>&1 >"$W/refused.out"); rc=$?
	want=${want//HP/$hp}
	if [ $rc -ne 1 ]; then why="myrestart with $hold held elsewhere: exit status $rc, not 1"
	elif [ "$(echo "$out" | wc -l)" -ne 1 ] || ! echo "$out" | grep -Eq "$want"; then
		why="myrestart with $hold held elsewhere said: $out"
	elif [ -s "$W/refused.out" ]; then why="the program ran on though $hold was held elsewhere"
	else why=$(probe 0 flock w fsh)
	fi
	stop $hp; wait $hp 2>/dev/null
	echo "$why"
}
case_locks_conflict() {
	local e=${W//./\\.}
	launch "$W/seg0" "$BIN/locks"
	if take_image "$W/seg0" 3; then
		stop $PID; wait $PID 2>/dev/null
		why=$(conflict "flock r fex" "^myrestart: myckpt: $e/fex is locked by process HP \(a shared flock\); the program held an exclusive flock at the checkpoint$")
		why=${why:-$(conflict "posix r posix 50 1" "^myrestart: myckpt: $e/posix is locked by process HP \(a read lock on bytes 50-50\); the program held a POSIX write lock on bytes 0-99 at the checkpoint$")}
		why=${why:-$(conflict "posix w posix 250 1" "^myrestart: myckpt: $e/posix is locked by process HP \(a write lock on bytes 250-250\); the program held a POSIX read lock on bytes 200 to the end at the checkpoint$")}
		# (an OFD lock has no pid: F_OFD_GETLK says -1)
		why=${why:-$(conflict "ofd r ofd 15 1" "^myrestart: myckpt: $e/ofd is locked by another process \(a read lock on bytes 15-15\); the program held an OFD write lock on bytes 10-19 at the checkpoint$")}
		if [ -z "$why" ]; then      # free again: the same image restarts
			restart "$W/seg1"
			wait_lines "$W/seg1" 2 $((20 * SLOW)) || why="no restart once the locks were free"
			why=${why:-$(locks_held)}
		fi
	else
		why="no image"
	fi
}
def_verdict locks-conflict-refused case_locks_conflict

# a lease and an flock on the program's stdout: named at the checkpoint
# and at the restart, which restores the other locks all the same
case_locks_not_restored() {
	local e=${W//./\\.}
	launch "$W/seg0" "$BIN/locks" lease
	if take_image "$W/seg0" 3; then
		stop $PID; wait $PID 2>/dev/null
		grep -Eq "^libckpt: warning: fd [0-9]+ \($e/lease\) holds a read lease; a restart will not take it again$" "$W/stderr" ||
			why="no warning at the checkpoint naming the lease"
		grep -Eq "^libckpt: warning: fd 1 \($e/seg0\) holds a write flock; a restart will not take it again$" "$W/stderr" ||
			why=${why:-"no warning at the checkpoint naming the flock on stdout"}
		restart "$W/seg1"
		if wait_lines "$W/seg1" 2 $((20 * SLOW)); then
			grep -Eq "^myrestart: myckpt: warning: fd [0-9]+ \($e/lease\): cannot take a read lease again: not restorable$" "$W/stderr" ||
				why=${why:-"no warning at the restart naming the lease"}
			grep -Eq "^myrestart: myckpt: warning: fd 1 \($e/seg0\): cannot take an exclusive flock again: the fd is myrestart's$" "$W/stderr" ||
				why=${why:-"no warning at the restart naming the flock on stdout"}
			why=${why:-$(locks_held)}
		else
			why="the restart printed nothing"
		fi
	else
		why="no image"
	fi
}
def_verdict locks-lease-warned case_locks_not_restored

# CKPT_SAVE_WRITTEN=1 reads the files the program writes in the pause:
# through the program's own fd where it can read, for a closed fd of a
# file drops every POSIX lock the process holds on it; a write-only
# one's are taken again
case_locks_save_written() {
	CKPT_SAVE_WRITTEN=1 launch "$W/seg0" "$BIN/locks"
	if take_image "$W/seg0" 3 && wait_lines "$W/seg0" 6 $((20 * SLOW)); then
		why=$(locks_held)
		why=${why:+"after the checkpoint, in the program: $why"}
		[ -s "$W/stderr" ] && why=${why:-"stderr: $(head -1 "$W/stderr")"}
	else
		why="no image"
	fi
}
def_verdict locks-save-written-kept case_locks_save_written
