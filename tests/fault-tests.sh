# Sourced by tests/run.sh: checkpoints that fail or are interrupted must
# leave the program running unchanged and the previous image intact, and
# checkpoints that land in blocked system calls must not disturb them.

tmp_left() { ls "$1"/myckpt.*.tmp 2>/dev/null | head -1; }
finish_and_compare() {  # let $PID finish, compare seg0 with ref; prints why not
	if ! wait_exit $((30 * SLOW)); then echo "did not finish"; return 1; fi
	cmp -s "$W/ref.out" "$W/seg0" || { echo "output differs from an uninterrupted run"; return 1; }
}
# unharmed WANT_REGEX IMAGE DIR LINES_REGEX: why a checkpoint that
# failed was not harmless, or nothing: its message (WANT_REGEX) on stderr,
# IMAGE still $W/good.img, no temporary file left in DIR, one line on
# stderr that matches LINES_REGEX, and $PID finishing as an uninterrupted
# run
unharmed() {
	if ! wait_stderr "$1" $((20 * SLOW)); then echo "no failure message matching '$1'"
	elif ! cmp -s "$2" "$W/good.img"; then echo "the previous image changed"
	elif [ -n "$(tmp_left "$3")" ]; then echo "temporary file left: $(tmp_left "$3")"
	elif [ "$(grep -Ec "$4" "$W/stderr")" -ne 1 ]; then echo "not exactly one line on stderr"
	else finish_and_compare; fi
}
# Kills $PID, restarts $W/myckpt, lets it finish and compares seg0 + seg1
# with ref.out; prints why not, or nothing.
kill_restart_compare() {
	stop $PID; wait $PID 2>/dev/null
	restart_finish
}

# A checkpoint that cannot be written (SETUP_CMD, run between a first good
# image and the second signal, sees to it): program unharmed, old image
# intact, no temporary file left.  The program runs in $DIR (default $W).
failed_checkpoint() {  # failed_checkpoint NAME EXPECT_REGEX SETUP_CMD
	local name=$1 want=$2 setup=$3 dir=${DIR:-$W} why=
	reference "$W/ref.out" "$BIN/counter"
	RUN_DIR=$dir launch "$W/seg0" "$BIN/counter"
	if take_image "$W/seg0" 5 "$dir/myckpt"; then
		cp "$dir/myckpt" "$W/good.img"
		eval "$setup"
		kill -USR2 $PID
		why=$(unharmed "checkpoint [0-9]* failed.*$want" "${OLDIMG:-$dir/myckpt}" "$dir" 'checkpoint [0-9]+ failed')
	else
		why="first checkpoint failed"
	fi
	stop $PID
	verdict "$name" "$why"
}

case_fsize() { failed_checkpoint fault-rlimit-fsize "file too large" 'prlimit --pid $PID --fsize=65536'; }
def_case fault-rlimit-fsize case_fsize

# the directory goes away under the running program
case_missing_dir() {
	mkdir -p "$W/gone"
	DIR=$W/gone OLDIMG=$W/moved/myckpt failed_checkpoint fault-missing-dir "no such file" \
		'mv "$W/gone" "$W/moved"'
}
def_case fault-missing-dir case_missing_dir

# a full disk and a read-only one: small tmpfs mounts (root only)
mounted() {  # mounted SIZE: a tmpfs at $W/mnt
	mkdir -p "$W/mnt" && mount -t tmpfs -o size="$1" tmpfs "$W/mnt" 2>/dev/null
}
# mounted_failure NAME SIZE EXPECT_REGEX SETUP_CMD: failed_checkpoint in
# a tmpfs of SIZE at $W/mnt
mounted_failure() {
	if [ "$(id -u)" != 0 ] || ! mounted "$2"; then
		echo "ok - $1 ($TAG) # skip: needs root to mount a tmpfs" >>"$RESULTS"
		return
	fi
	DIR=$W/mnt failed_checkpoint "$1" "$3" "$4"
	umount "$W/mnt"
}
case_disk_full() {
	mounted_failure fault-disk-full 8m "no space left" 'dd if=/dev/zero of="$W/mnt/filler" bs=64k 2>/dev/null; true'
}
def_case fault-disk-full case_disk_full
case_readonly_dir() { mounted_failure fault-readonly-dir 16m "read-only file system" 'mount -o remount,ro "$W/mnt"'; }
def_case fault-readonly-dir case_readonly_dir

# SIGKILL of the writer in the middle of a large image; the program (400
# steps, far longer than the test) goes on as an uninterrupted run would
case_writer_killed() {
	local writer n
	local mib=$((SLOW > 1 ? 96 : 256))   # (qemu's writer is slower: a smaller image lasts as long)
	reference "$W/ref.out" "$BIN/dense" $mib 400 0
	# (full images: a delta of a program that writes so little is done at once)
	CKPT_FULL_EVERY=1 launch "$W/seg0" "$BIN/dense" $mib 400 100
	if wait_lines "$W/seg0" 2 $((30 * SLOW)) && kill -USR2 $PID && wait_image $((60 * SLOW)); then
		cp "$W/myckpt" "$W/good.img"
		kill -USR2 $PID
		# the writer (ours, not another program's) once it has begun the
		# image: looked for as soon as it exists, since a loaded machine
		# may see its temporary file only when it is nearly done
		writer=
		wait_until $((60 * SLOW)) eval 'writer=$(pgrep -P $PID -x ckpt-writer); [ -n "$writer" ]' &&
			wait_until $((60 * SLOW)) eval '[ -n "$(tmp_left "$W")" ] || ! alive $writer'
		[ -n "$writer" ] && kill -9 $writer && wait_gone $writer 20
		n=$(wc -l <"$W/seg0")
		if [ -z "$writer" ]; then why="no writer to kill"
		elif ! cmp -s "$W/myckpt" "$W/good.img"; then why="the previous image changed"
		elif ! timeout 60 $RUNNER "$MYRESTART" --check "$W/myckpt" >/dev/null 2>&1; then why="the previous image no longer checks"
		elif ! wait_lines "$W/seg0" $((n + 3)) $((30 * SLOW)); then why="the program stopped"
		elif ! prefix_of_ref "$W/seg0"; then why="output differs from an uninterrupted run"
		fi
	else
		why="first checkpoint failed"
	fi
}
def_verdict fault-writer-killed case_writer_killed

# A checkpoint the library must refuse: its one line (WANT) on stderr,
# the previous image unchanged, no temporary file, and the program
# finishing as if nothing happened.  Extra environment: in front, as for
# any command.
refused_checkpoint() {  # refused_checkpoint NAME WANT_REGEX PROGRAM...
	local name=$1 want=$2 why=; shift 2
	reference "$W/ref.out" "$@"
	printf 'the previous image\n' >"$W/myckpt"; cp "$W/myckpt" "$W/good.img"
	launch "$W/seg0" "$@"
	if wait_lines "$W/seg0" 5 $((20 * SLOW)) && kill -USR2 $PID; then
		why=$(unharmed "$want" "$W/myckpt" "$W" '')
	else
		why="no output"
	fi
	stop $PID
	verdict "$name" "$why"
}

# The writer's self-check: an image damaged between its writing and the
# rename (CKPT_FAULT=damage-image inverts one byte of the page data) is
# refused by myrestart's own validation inside the writer, and never
# replaces the previous image.
case_self_check() {
	CKPT_FAULT=damage-image refused_checkpoint fault-self-check \
		'libckpt: checkpoint 1 failed: image failed its own check: bad checksum in region [0-9]+ \(.*\); the previous image is unchanged$' \
		"$BIN/counter"
}
def_case fault-self-check case_self_check

# Two checkpoints in a row: the second signal arrives while the first
# writer works (after its temporary file exists, so the two signals are
# not merged into one); the second waits for the first writer, never
# races it; both images are written; then the usual kill and restart.
written() { [ "$(grep -c 'written to' "$W/stderr")" -ge "$1" ]; }
case_double() {
	reference "$W/ref.out" "$BIN/dense" $((SLOW > 1 ? 64 : 128))
	CKPT_VERBOSE=1 launch "$W/seg0" "$BIN/dense" $((SLOW > 1 ? 64 : 128))
	wait_lines "$W/seg0" 3 $((30 * SLOW)) || why="no output"
	if [ -z "$why" ]; then
		kill -USR2 $PID
		wait_until $((30 * SLOW)) eval '[ -n "$(tmp_left "$W")" ] || written 1' || why="no first writer"
		kill -USR2 $PID
		wait_until $((60 * SLOW)) written 2 || why=${why:-"not two images: $(head -c 300 "$W/stderr")"}
		[ -z "$why" ] && ! grep -q 'checkpoint 1 written.*checkpoint 2 written' <(tr '\n' ' ' <"$W/stderr") &&
			why="not checkpoint 1 then 2"
		grep -Eq "checkpoint [0-9]+ failed" "$W/stderr" && why="a checkpoint failed"
		[ -z "$(tmp_left "$W")" ] || why=${why:-"temporary file left"}
	fi
	[ -z "$why" ] && why=$(kill_restart_compare)
}
def_verdict double-signal case_double

# Blocked in read() on a fifo: the read resumes after the checkpoint; then
# a restart with the rest of the input on stdin goes on as an
# uninterrupted run would.  fed_restart NAME PROGRAM...
fed_restart() {
	local name=$1 why=; shift
	printf 'one\ntwo\nthree\nfour\nfive\nsix\n' >"$W/in.all"
	reference "$W/ref.out" "$@" <"$W/in.all"
	mkfifo "$W/fifo"
	exec 7<>"$W/fifo"              # a writer first, so the reader's open never blocks
	launch "$W/seg0" "$@" <"$W/fifo"
	printf 'one\n' >&7
	wait_lines "$W/seg0" 1 $((20 * SLOW)) || why="no output"
	wait_blocked $PID $((20 * SLOW)) || why=${why:-"not blocked in read()"}
	if [ -z "$why" ] && kill -USR2 $PID && wait_image $((20 * SLOW)); then
		printf 'two\n' >&7                       # the resumed read goes on
		wait_lines "$W/seg0" 2 $((20 * SLOW)) || why="read not resumed after the checkpoint"
	else
		why=${why:-no image}
	fi
	exec 7>&-
	stop $PID; wait $PID 2>/dev/null
	if [ -z "$why" ]; then
		printf 'two\nthree\nfour\nfive\nsix\n' >"$W/in.rest"
		(cd "$W" && exec $RUNNER "$MYRESTART" myckpt <"$W/in.rest" >"$W/seg1" 2>>"$W/stderr") &
		PID=$!; track $PID
		wait_exit $((20 * SLOW)) || why="restart did not finish"
		splice "$W/seg0" "$W/seg1" >"$W/spliced.out"
		[ -z "$why" ] && ! cmp -s "$W/ref.out" "$W/spliced.out" && why="output differs (diff $W/ref.out $W/spliced.out)"
	fi
	verdict "$name" "$why"
}
case_blocked_read() { fed_restart blocked-read "$BIN/reader"; }
def_case blocked-read case_blocked_read

# 50 checkpoints of one running program (3000 steps, far longer than the
# test), no restart in between; then a restart from the last image, which
# goes on as an uninterrupted run would
case_endurance_50() {
	local k n
	reference "$W/ref.out" "$BIN/counter" 3000 0
	launch "$W/seg0" "$BIN/counter" 3000 20
	wait_lines "$W/seg0" 2 $((20 * SLOW)) || why="no output"
	for k in $(seq 1 50); do
		[ -n "$why" ] && break
		rm -f "$W/myckpt"
		kill -USR2 $PID || { why="program gone at checkpoint $k"; break; }
		wait_image $((20 * SLOW)) || why="no image for checkpoint $k"
	done
	if [ -z "$why" ]; then
		stop $PID; wait $PID 2>/dev/null
		restart "$W/seg1"
		wait_lines "$W/seg1" 20 $((30 * SLOW)) || why="the restart printed too little"
		stop $PID; wait $PID 2>/dev/null
		splice "$W/seg0" "$W/seg1" >"$W/spliced.out"
		[ -z "$why" ] && ! prefix_of_ref "$W/spliced.out" && why="output differs from an uninterrupted run"
		grep -Eq 'checkpoint [0-9]+ failed' "$W/stderr" && why="a checkpoint failed"
	fi
}
def_verdict endurance-50-checkpoints case_endurance_50
