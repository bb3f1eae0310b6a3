# Sourced by tests/run.sh: checkpoints that fail or are interrupted must
# leave the program running unchanged and the previous image intact, and
# checkpoints that land in blocked system calls must not disturb them.

fault_setup() {  # fault_setup NAME : fresh work dir $W, reference output
	W=$OUT/$1; rm -rf "$W"; mkdir -p "$W/ref"; : >"$W/stderr"
}
tmp_left() { ls "$1"/myckpt.*.tmp 2>/dev/null | head -1; }
wait_stderr() {  # wait_stderr REGEX TIMEOUT_S
	local i=0 lim=$(($2 * 20))
	until grep -Eq "$1" "$W/stderr"; do
		i=$((i + 1)); [ $i -ge $lim ] && return 1; sleep 0.05
	done
}
finish_and_compare() {  # finish_and_compare NAME : let $PID finish, compare seg0 with ref
	if ! wait_exit $((30 * QEMU_SLOW)); then echo "did not finish"; return 1; fi
	cmp -s "$W/ref.out" "$W/seg0" || { echo "output differs from an uninterrupted run"; return 1; }
}

# A checkpoint that cannot be written (WHY is set up by the caller between
# a first good image and the second signal): program unharmed, old image
# intact, no temporary file left.
failed_checkpoint() {  # failed_checkpoint NAME EXPECT_REGEX SETUP_CMD
	local name=$1 want=$2 setup=$3 dir=${FDIR:-$W} why=
	reference "$W/ref.out" "$BIN/counter"
	(cd "$dir" && launch "$W/seg0" "$BIN/counter"; echo $PID >"$W/pid")
	PID=$(cat "$W/pid")
	rm -f "$dir/myckpt"
	if wait_lines "$W/seg0" 5 $((20 * QEMU_SLOW)) && kill -USR2 $PID && W_IMG=$dir wait_image_in "$dir" $((20 * QEMU_SLOW)); then
		cp "$dir/myckpt" "$W/good.img"
		eval "$setup"
		kill -USR2 $PID
		if ! wait_stderr "checkpoint [0-9]* failed.*$want" $((20 * QEMU_SLOW)); then why="no failure message matching '$want'"
		elif ! cmp -s "${OLDIMG:-$dir/myckpt}" "$W/good.img"; then why="the previous image changed"
		elif [ -n "$(tmp_left "$dir")" ]; then why="temporary file left: $(tmp_left "$dir")"
		elif [ "$(grep -Ec 'checkpoint [0-9]+ failed' "$W/stderr")" -ne 1 ]; then why="not exactly one line on stderr"
		else why=$(finish_and_compare "$name"); fi
	else
		why="first checkpoint failed"
	fi
	kill -9 $PID 2>/dev/null
	report "$name" $([ -z "$why" ] && echo 1 || echo 0) "$why"
}
# Kills $PID, restarts $W/myckpt, lets it finish and compares seg0 + seg1
# with ref.out; prints why not, or nothing.
kill_restart_compare() {
	kill -9 $PID; wait $PID 2>/dev/null
	restart "$W/seg1"
	wait_exit $((60 * QEMU_SLOW)) || { echo "restart did not finish"; return; }
	splice "$W/seg0" "$W/seg1" >"$W/spliced.out"
	cmp -s "$W/ref.out" "$W/spliced.out" || echo "output differs"
}
wait_image_in() {  # wait_image_in DIR TIMEOUT_S
	local i=0 lim=$(($2 * 20))
	while [ ! -e "$1/myckpt" ]; do i=$((i + 1)); [ $i -ge $lim ] && return 1; sleep 0.05; done
}

if want faults; then
	fault_setup fault-fsize
	failed_checkpoint fault-rlimit-fsize "file too large" 'prlimit --pid $PID --fsize=65536'

	fault_setup fault-missing-dir
	mkdir -p "$W/gone"
	# the directory goes away under the running program
	FDIR=$W/gone OLDIMG=$W/moved/myckpt failed_checkpoint fault-missing-dir "no such file" \
		'mv "$W/gone" "$W/moved"'

	if [ "$(id -u)" = 0 ] && mkdir -p "$OUT/fault-enospc.mnt" &&
	   mount -t tmpfs -o size=8m tmpfs "$OUT/fault-enospc.mnt" 2>/dev/null; then
		fault_setup fault-enospc
		FDIR=$OUT/fault-enospc.mnt failed_checkpoint fault-disk-full "no space left" \
			'dd if=/dev/zero of="$FDIR/filler" bs=64k 2>/dev/null; true'
		umount "$OUT/fault-enospc.mnt"
		fault_setup fault-readonly
		mkdir -p "$OUT/fault-ro.mnt" && mount -t tmpfs -o size=16m tmpfs "$OUT/fault-ro.mnt"
		FDIR=$OUT/fault-ro.mnt failed_checkpoint fault-readonly-dir "read-only file system" \
			'mount -o remount,ro "$FDIR"'
		umount "$OUT/fault-ro.mnt"
	else
		N=$((N + 2)); SKIP=$((SKIP + 2))
		echo "ok $((N - 1)) - fault-disk-full # skip: needs root to mount a small tmpfs"
		echo "ok $N - fault-readonly-dir # skip: needs root to mount a tmpfs"
	fi

	# SIGKILL of the writer in the middle of a large image
	fault_setup fault-writer-killed
	reference "$W/ref.out" "$BIN/dense" 256
	(cd "$W" && launch "$W/seg0" "$BIN/dense" 256; echo $PID >"$W/pid")
	PID=$(cat "$W/pid"); why=
	if wait_lines "$W/seg0" 2 $((30 * QEMU_SLOW)) && kill -USR2 $PID && wait_image $((60 * QEMU_SLOW)); then
		cp "$W/myckpt" "$W/good.img"
		kill -USR2 $PID
		i=0; until [ -n "$(tmp_left "$W")" ] || [ $i -ge 400 ]; do sleep 0.01; i=$((i + 1)); done
		pkill -9 -P $PID -x ckpt-writer    # ours only, not any other program's writer
		sleep 0.3
		if ! cmp -s "$W/myckpt" "$W/good.img"; then why="the previous image changed"
		elif ! timeout 60 $RUNNER "$MYRESTART" --check "$W/myckpt" >/dev/null 2>&1; then why="the previous image no longer checks"
		else why=$(finish_and_compare fault-writer-killed); fi
	else
		why="first checkpoint failed"
	fi
	kill -9 $PID 2>/dev/null
	report fault-writer-killed $([ -z "$why" ] && echo 1 || echo 0) "$why"
fi

# The writer's self-check: an image damaged between its writing and the
# rename (CKPT_FAULT=damage-image inverts one byte of the page data) is
# refused by myrestart's own validation inside the writer, and never
# replaces the previous image.
if want faults; then
	fault_setup fault-self-check
	reference "$W/ref.out" "$BIN/counter"
	printf 'the previous image\n' >"$W/myckpt"; cp "$W/myckpt" "$W/good.img"
	(export CKPT_FAULT=damage-image; cd "$W" && launch "$W/seg0" "$BIN/counter"; echo $PID >"$W/pid")
	PID=$(cat "$W/pid"); why=
	if wait_lines "$W/seg0" 5 $((20 * QEMU_SLOW)) && kill -USR2 $PID; then
		want='libckpt: checkpoint 1 failed: image failed its own check: bad checksum in region 1 \(.*\); the previous image is unchanged$'
		if ! wait_stderr "$want" $((20 * QEMU_SLOW)); then why="no failure message matching '$want'"
		elif ! cmp -s "$W/myckpt" "$W/good.img"; then why="the previous image changed"
		elif [ -n "$(tmp_left "$W")" ]; then why="temporary file left: $(tmp_left "$W")"
		elif [ "$(wc -l <"$W/stderr")" -ne 1 ]; then why="not exactly one line on stderr"
		else why=$(finish_and_compare fault-self-check); fi
	else
		why="no output"
	fi
	kill -9 $PID 2>/dev/null
	report fault-self-check $([ -z "$why" ] && echo 1 || echo 0) "$why"
fi

# Threads are not supported yet: a checkpoint of a multi-threaded program
# fails with one line, the previous image stays, the program goes on.
if want faults; then
	fault_setup fault-threads
	reference "$W/ref.out" "$BIN/threads"
	printf 'the previous image\n' >"$W/myckpt"; cp "$W/myckpt" "$W/good.img"
	(cd "$W" && launch "$W/seg0" "$BIN/threads"; echo $PID >"$W/pid")
	PID=$(cat "$W/pid"); why=
	if wait_lines "$W/seg0" 5 $((20 * QEMU_SLOW)) && kill -USR2 $PID; then
		want='libckpt: checkpoint 1 failed: the program has 2 threads, and multi-threaded programs cannot be checkpointed yet; the previous image is unchanged$'
		if ! wait_stderr "$want" $((20 * QEMU_SLOW)); then why="no failure message matching '$want'"
		elif ! cmp -s "$W/myckpt" "$W/good.img"; then why="the previous image changed"
		elif [ "$(wc -l <"$W/stderr")" -ne 1 ]; then why="not exactly one line on stderr"
		else why=$(finish_and_compare fault-threads); fi
	else
		why="no output"
	fi
	kill -9 $PID 2>/dev/null
	report fault-threads $([ -z "$why" ] && echo 1 || echo 0) "$why"
fi

# Two signals in a row: the second waits for the first writer, never
# races it; then the usual kill and restart.
cycle_double() {
	local name=double-signal
	want faults || return 0
	W=$OUT/$name; mkdir -p "$W/ref"; : >"$W/stderr"
	reference "$W/ref.out" "$BIN/dense" 128
	(cd "$W" && launch "$W/seg0" "$BIN/dense" 128; echo $PID >"$W/pid")
	PID=$(cat "$W/pid"); local why=
	wait_lines "$W/seg0" 3 $((30 * QEMU_SLOW)) || why="no output"
	if [ -z "$why" ]; then
		kill -USR2 $PID; kill -USR2 $PID
		wait_image $((60 * QEMU_SLOW)) || why="no image"
		local i=0; while [ -z "$why" ] && [ -n "$(tmp_left "$W")" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
		sleep 0.2
		[ -z "$(tmp_left "$W")" ] || why="writers still running"
		grep -Eq "checkpoint [0-9]+ failed" "$W/stderr" && why="a checkpoint failed"
	fi
	if [ -z "$why" ]; then
		why=$(kill_restart_compare)
	fi
	kill -9 $PID 2>/dev/null
	report $name $([ -z "$why" ] && echo 1 || echo 0) "$why"
}
cycle_double

# Blocked in read(): resumed, then restarted with new input on stdin.
if want faults; then
	fault_setup blocked-read
	printf 'one\ntwo\nthree\nfour\nfive\nsix\n' >"$W/in.all"
	(cd "$W/ref" && $RUNNER "$BIN/reader" <"$W/in.all" >"$W/ref.out")
	mkfifo "$W/fifo"
	exec 7<>"$W/fifo"              # a writer first, so the reader's open never blocks
	(cd "$W" && launch "$W/seg0" "$BIN/reader" <"$W/fifo"; echo $PID >"$W/pid")
	PID=$(cat "$W/pid"); why=
	printf 'one\n' >&7
	wait_lines "$W/seg0" 1 $((20 * QEMU_SLOW)) || why="no output"
	sleep 0.3                                  # now blocked in read(0)
	if [ -z "$why" ] && kill -USR2 $PID && wait_image $((20 * QEMU_SLOW)); then
		printf 'two\n' >&7                       # the resumed read goes on
		wait_lines "$W/seg0" 2 $((20 * QEMU_SLOW)) || why="read not resumed after the checkpoint"
	else
		why=${why:-no image}
	fi
	exec 7>&-
	kill -9 $PID 2>/dev/null; wait $PID 2>/dev/null
	if [ -z "$why" ]; then
		printf 'two\nthree\nfour\nfive\nsix\n' >"$W/in.rest"
		(cd "$W" && exec $RUNNER "$MYRESTART" myckpt <"$W/in.rest" >"$W/seg1" 2>>"$W/stderr") &
		PID=$!
		wait_exit $((20 * QEMU_SLOW)) || why="restart did not finish"
		splice "$W/seg0" "$W/seg1" >"$W/spliced.out"
		[ -z "$why" ] && ! cmp -s "$W/ref.out" "$W/spliced.out" && why="output differs (diff $W/ref.out $W/spliced.out)"
	fi
	report blocked-read $([ -z "$why" ] && echo 1 || echo 0) "$why"
fi

# endurance: 50 checkpoints of one running program, no restart in between;
# then a restart from the last image
if want endurance-50; then
	W=$OUT/endurance-50; rm -rf "$W"; mkdir -p "$W/ref"; : >"$W/stderr"; why=
	reference "$W/ref.out" "$BIN/counter" 300 20
	(cd "$W" && launch "$W/seg0" "$BIN/counter" 300 20; echo $PID >"$W/pid"); PID=$(cat "$W/pid")
	wait_lines "$W/seg0" 2 $((20 * QEMU_SLOW)) || why="no output"
	for k in $(seq 1 50); do
		[ -n "$why" ] && break
		rm -f "$W/myckpt"
		kill -USR2 $PID || { why="program gone at checkpoint $k"; break; }
		wait_image $((20 * QEMU_SLOW)) || why="no image for checkpoint $k"
	done
	if [ -z "$why" ]; then
		why=$(kill_restart_compare)
		grep -Eq 'checkpoint [0-9]+ failed' "$W/stderr" && why="a checkpoint failed"
	fi
	kill -9 $PID 2>/dev/null
	report endurance-50-checkpoints $([ -z "$why" ] && echo 1 || echo 0) "$why"
fi
