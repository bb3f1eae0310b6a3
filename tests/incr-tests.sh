# Sourced by tests/run.sh: incremental images.  Natively each checkpoint
# after the first stores only the pages written since the one before (a
# delta of it); under qemu, which has no userfaultfd, every image is full.
# Whatever the chain, a restart from the newest image must be exactly the
# program an uninterrupted run is, and a chain that lacks a part is
# refused with one line that names it.

# ckpts N: N checkpoints of $PID, one every 5 lines of $W/seg0, each
# waited for (CKPT_VERBOSE's line); prints why not
ckpts() {
	local k lines
	for k in $(seq 1 "$1"); do
		lines=$(( $(wc -l <"$W/seg0") + 5 ))
		if ! wait_lines "$W/seg0" $lines $((20 * SLOW)) || ! kill -USR2 $PID ||
		   ! wait_stderr "checkpoint [0-9]+ written" $((20 * SLOW)) ||
		   ! wait_until $((20 * SLOW)) eval '[ "$(grep -Ec "checkpoint [0-9]+ written" "$W/stderr")" -ge '"$((k + ${CKPTS_BEFORE:-0}))"' ]'; then
			echo "checkpoint $k was not written"
			return
		fi
	done
}
parents() { ls "${RUN_DIR:-$W}" | grep -Ec '^myckpt\.[0-9a-f]{16}$'; }

# four checkpoints: one full image and three deltas (natively), a chain
# that --info shows; the restart from the newest goes on exactly
case_chain() {
	local info args=(16 80 50)
	[ -n "$RUNNER" ] && args=(8 160 50)     # qemu: each full image takes a second
	reference "$W/ref.out" "$BIN/delta" "${args[@]}"
	CKPT_VERBOSE=1 launch "$W/seg0" "$BIN/delta" "${args[@]}"
	why=$(ckpts 4)
	stop $PID; wait $PID 2>/dev/null
	info=$($RUNNER "$MYRESTART" --info "$W/myckpt" 2>&1)
	if [ -n "$why" ]; then :
	elif [ -n "$RUNNER" ]; then
		grep -q 'incremental checkpoints off: every image is full: qemu' "$W/stderr" || why="qemu: no word of full images"
		grep -q 'a delta of' "$W/stderr" && why="qemu: a delta was written"
		echo "$info" | grep -q "^chain:.a full image$" || why="--info: not a full image"
	elif [ "$(grep -c 'a delta of myckpt\.[0-9a-f]*: [0-9]* pages written since' "$W/stderr")" != 3 ]; then
		why="not three deltas after a full image"
	elif [ "$(parents)" != 3 ]; then why="$(parents) parent images, not 3"
	elif ! echo "$info" | grep -q "^chain:.a delta .*a restart needs the 3 images below$" ||
	     ! echo "$info" | grep -Eq "^  3: $W/myckpt\.[0-9a-f]{16}, .*, the full image$" ||
	     ! echo "$info" | grep -Eq "^  [0-9a-f]{16} [0-9a-f]{16} rw-p anon\* "; then
		why="--info does not show the chain"
	fi
	[ -z "$why" ] && why=$(restart_finish)
}
def_verdict incr-chain case_chain

# a restart, then more checkpoints: the first after the restart is full
# and drops the chain restarted from, the next is a delta of it; the
# second restart goes on exactly
case_again() {
	local args=(16 90 50)
	[ -n "$RUNNER" ] && args=(8 180 50)
	reference "$W/ref.out" "$BIN/delta" "${args[@]}"
	CKPT_VERBOSE=1 launch "$W/seg0" "$BIN/delta" "${args[@]}"
	why=$(ckpts 3)
	stop $PID; wait $PID 2>/dev/null
	if [ -z "$why" ]; then
		restart "$W/seg1"
		mv "$W/seg0" "$W/seg0.first"; ln -s seg1 "$W/seg0"    # ckpts counts seg0's lines
		CKPTS_BEFORE=3 why=$(ckpts 2)
		stop $PID; wait $PID 2>/dev/null
		rm "$W/seg0"; splice "$W/seg0.first" "$W/seg1" >"$W/seg0"
	fi
	if [ -n "$why" ]; then :
	elif [ -z "$RUNNER" ] && { [ "$(parents)" != 1 ] ||
		! grep 'checkpoint 4 written' "$W/stderr" | grep -vq 'a delta' ||
		! grep 'checkpoint 5 written' "$W/stderr" | grep -q 'a delta'; }; then
		why="after the restart: not a full image and a delta of it ($(parents) parents)"
	fi
	[ -z "$why" ] && why=$(restart_finish)
}
def_verdict incr-restart-again case_again

# CKPT_FULL_EVERY=3: images 1, 4 and 7 are full, and each full image
# drops the chain before it
case_full_every() {
	local why= k line
	reference "$W/ref.out" "$BIN/delta" 8 80 40
	CKPT_FULL_EVERY=3 CKPT_VERBOSE=1 launch "$W/seg0" "$BIN/delta" 8 80 40
	why=$(ckpts 7)
	stop $PID; wait $PID 2>/dev/null
	for k in 1 2 3 4 5 6 7; do
		[ -n "$why" ] && break
		line=$(grep "checkpoint $k written" "$W/stderr")
		case $k in
		1|4|7) echo "$line" | grep -q 'a delta' && why="image $k is a delta, not full" ;;
		*) echo "$line" | grep -q 'a delta' || why="image $k is full, not a delta" ;;
		esac
	done
	[ -z "$why" ] && [ "$(parents)" != 0 ] && why="$(parents) parent images left after a full image"
	[ -z "$why" ] && why=$(restart_finish)
	stop $PID
	verdict incr-full-every "$why"
}

# a chain with a part missing, damaged or replaced: refused with one line
# naming the part (myrestart and --check alike); whole again, it restarts
refused_chain() {  # refused_chain PART REGEX: myrestart and --check refuse so
	local out rc
	for opt in "" --check; do
		out=$(cd "$W" && $RUNNER "$MYRESTART" $opt myckpt 2>&1 >/dev/null); rc=$?
		if [ $rc != 1 ] || [ "$(echo "$out" | wc -l)" != 1 ] || ! echo "$out" | grep -Eq "$2"; then
			report "incr-broken-chain/$1" 0 "myrestart $opt: status $rc, said: $out"
			return
		fi
	done
	report "incr-broken-chain/$1" 1
}
case_broken() {
	local why= base mid
	reference "$W/ref.out" "$BIN/delta" 8 60 40
	CKPT_VERBOSE=1 launch "$W/seg0" "$BIN/delta" 8 60 40
	why=$(ckpts 3)
	stop $PID; wait $PID 2>/dev/null
	base=$(cd "$W" && $MYRESTART --info myckpt | sed -n 's|^  2: \(myckpt\.[0-9a-f]*\), .*|\1|p')
	mid=$(cd "$W" && $MYRESTART --info myckpt | sed -n 's|^  1: \(myckpt\.[0-9a-f]*\), .*|\1|p')
	if [ -n "$why" ] || [ -z "$base" ] || [ -z "$mid" ]; then
		report incr-broken-chain 0 "${why:-no chain of three}"
		return
	fi
	mv "$W/$mid" "$W/aside"
	refused_chain missing "^myrestart: myckpt: parent image $mid: cannot open: no such file or directory$"
	cp "$W/$base" "$W/$mid"
	refused_chain replaced "^myrestart: myckpt: parent image $mid: .*|^myrestart: myckpt: its parent $mid is another image"
	mv "$W/aside" "$W/$mid"
	cp "$W/$base" "$W/base.good"
	printf '\x55' | dd of="$W/$base" bs=1 seek=$((4096 + 8192 + 3)) conv=notrunc status=none
	refused_chain damaged "^myrestart: myckpt: parent image $base: bad checksum in region [0-9]+ "
	truncate -s -4096 "$W/$base"
	refused_chain truncated "^myrestart: myckpt: parent image $base: truncated image"
	mv "$W/base.good" "$W/$base"
	verdict incr-broken-chain/whole-again "$(restart_finish)"
}

# a writer of $PID still at work (not a zombie the library reaps later)
writer_running() {
	local p
	for p in $(pgrep -P $PID -x ckpt-writer); do alive $p && return 0; done
	return 1
}

# the writer killed at each step of a checkpoint (CKPT_FAULT): the image
# at myckpt restarts after every one, and the last restart goes on
# exactly.  after-link and before-rename kill the writers of deltas,
# before-drop those of full images that replace a chain.
case_killed() {
	local why= k step
	for step in after-link before-rename before-drop; do
		rm -f "$W"/myckpt* "$W/stderr"
		reference "$W/ref.out" "$BIN/delta" 8 80 40
		CKPT_FULL_EVERY=2 CKPT_FAULT=kill-writer-$step CKPT_VERBOSE=1 launch "$W/seg0" "$BIN/delta" 8 80 40
		for k in 1 2 3 4; do
			wait_lines "$W/seg0" $((k * 8)) $((20 * SLOW)) && kill -USR2 $PID || { why="no output"; break; }
			# the writer done, killed or not
			wait_until $((20 * SLOW)) eval '! writer_running' && wait_image 20 &&
				$RUNNER "$MYRESTART" --check "$W/myckpt" >/dev/null 2>&1 ||
				{ why="$step: checkpoint $k left no image that checks"; break; }
		done
		stop $PID; wait $PID 2>/dev/null
		[ -z "$why" ] && ! grep -q written "$W/stderr" && why="$step: no image written at all"
		[ -z "$why" ] && why=$(restart_finish)
		[ -n "$why" ] && why="$step: $why" && break
	done
	verdict incr-writer-killed "$why"
}

# the image in place replaced behind the library's back (here by an
# older one): the next checkpoint cannot be a delta of it and is full,
# saying so; the one after is a delta again
case_fallback() {
	local why= old
	reference "$W/ref.out" "$BIN/delta" 8 80 40
	CKPT_VERBOSE=1 launch "$W/seg0" "$BIN/delta" 8 80 40
	why=$(ckpts 2)
	old=$(ls "$W" | grep -E '^myckpt\.[0-9a-f]{16}$' | head -1)
	[ -z "$why" ] && [ -z "$old" ] && why="no parent image after two checkpoints"
	[ -z "$why" ] && cp "$W/$old" "$W/myckpt.new" && mv "$W/myckpt.new" "$W/myckpt" && CKPTS_BEFORE=2 why=$(ckpts 2)
	stop $PID; wait $PID 2>/dev/null
	if [ -n "$why" ]; then :
	elif ! grep 'checkpoint 3 written' "$W/stderr" | grep -q 'full: no parent to make a delta of'; then
		why="checkpoint 3 is not a full image that says why"
	elif ! grep 'checkpoint 4 written' "$W/stderr" | grep -q 'a delta of'; then
		why="checkpoint 4 is not a delta again"
	fi
	[ -z "$why" ] && why=$(restart_finish)
	stop $PID
	verdict incr-replaced-image "$why"
}

# real programs and threads, three checkpoints without a restart between
# them (natively the second and third are deltas), then the restart from
# the newest: it goes on exactly
incr_program() {  # incr_program NAME CMD...
	local name=$1 why=; shift
	reference "$W/ref.out" "$@"
	CKPT_VERBOSE=1 launch "$W/seg0" "$@"
	why=$(ckpts 3)
	stop $PID; wait $PID 2>/dev/null
	[ -z "$why" ] && [ "$(grep -c 'a delta of' "$W/stderr")" != 2 ] && why="not two deltas after a full image"
	[ -z "$why" ] && why=$(restart_finish)
	stop $PID
	verdict "$name" "$why"
}
case_incr_threads() { incr_program incr-threads "$BIN/ring" 4 40 30; }
case_incr_python() { incr_program incr-python3 /usr/bin/python3 "$ROOT/tests/progs/compute.py"; }
case_incr_python_threads() { incr_program incr-python3-threads /usr/bin/python3 "$ROOT/tests/progs/threads.py"; }

if [ -z "$RUNNER" ]; then
	def_case incr-replaced-image case_fallback
	def_case incr-threads case_incr_threads
	def_case incr-python3 case_incr_python
	def_case incr-python3-threads case_incr_python_threads
	def_case incr-full-every case_full_every
	def_case incr-broken-chain case_broken
	def_case incr-writer-killed case_killed
fi
