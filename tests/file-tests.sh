# Sourced by tests/run.sh: mapped files.  An image holds only the pages
# the program changed in its private file mappings (executable, libraries,
# data files); a restart maps the rest from the files, after it made sure
# they are the same (size, and build-id, or for other files the
# modification time).  CKPT_SAVE_FILES=1 makes images that hold every page.

# a data file mapped privately, some of its pages written, the rest the file's
def_cycle mapped-file-private 8 2 $((30 * SLOW)) "$BIN/mapfile" "$OUT/mapped.dat"

# build_lib K: $W/libstep.so returning i*K, and $W/uselib using it
build_lib() {
	gcc -O1 -shared -fPIC -DSTEP_K="$1" -o "$W/libstep.so.new" "$ROOT/tests/progs/libstep.c" &&
		mv "$W/libstep.so.new" "$W/libstep.so" &&
		{ [ -x "$W/uselib" ] || gcc -O1 -I"$ROOT/tests/progs" -o "$W/uselib" "$ROOT/tests/progs/uselib.c" \
			-L"$W" -lstep -Wl,-rpath,"$W"; }
}

# checkpoint uselib (extra environment in front), kill it; 1 without an image
lib_image() {
	launch "$W/seg0" "$W/uselib"
	take_image "$W/seg0" 5 || return 1
	stop $PID; wait $PID 2>/dev/null
	return 0
}

# The library changed after the checkpoint (rebuilt: another build-id):
# refused, naming it and CKPT_SAVE_FILES; a self-contained image of the
# same program restarts all the same.
case_lib_changed() {
	local out rc
	build_lib 3 && reference "$W/ref.out" "$W/uselib"
	if lib_image; then
		build_lib 5
		out=$(cd "$W" && $RUNNER "$MYRESTART" myckpt 2>&1 >/dev/null); rc=$?
		[ $rc -eq 1 ] || why="restart with a changed library: exit status $rc, not 1"
		echo "$out" | grep -q "^myrestart: myckpt: $W/libstep.so changed since the checkpoint (its build-id differs); .*CKPT_SAVE_FILES=1" ||
			why=${why:-"unexpected message: $out"}
	else
		why="no image"
	fi
	build_lib 3
	rm -f "$W/seg0" "$W/myckpt"
	if [ -z "$why" ] && CKPT_SAVE_FILES=1 lib_image; then
		$RUNNER "$MYRESTART" --info "$W/myckpt" | grep -q '^files:	self-contained' || why="--info does not say self-contained"
		build_lib 5
		out=$(restart_finish)
		[ -z "$out" ] || why=${why:-"self-contained restart: $out"}
	elif [ -z "$why" ]; then
		why="no self-contained image"
	fi
}
def_verdict mapped-library-changed case_lib_changed

# Only the modification time changed (the same library on another machine
# with the same package): the build-id says it is the same, the restart
# goes on.  A data file (no build-id) that was touched is refused.
case_lib_touched() {
	local out
	build_lib 3 && reference "$W/ref.out" "$W/uselib"
	if lib_image; then
		touch -d '2001-01-01' "$W/libstep.so"
		why=$(restart_finish)
	else
		why="no image"
	fi
	stop $PID
	cp "$OUT/mapped.dat" "$W/data.dat"
	rm -f "$W/myckpt" "$W/seg0"
	launch "$W/seg0" "$BIN/mapfile" "$W/data.dat"
	if [ -z "$why" ] && take_image "$W/seg0" 5; then
		stop $PID; wait $PID 2>/dev/null
		touch -d '2001-01-01' "$W/data.dat"
		out=$(cd "$W" && $RUNNER "$MYRESTART" myckpt 2>&1 >/dev/null)
		echo "$out" | grep -q "^myrestart: myckpt: $W/data.dat changed since the checkpoint (its modification time differs)" ||
			why="touched data file: unexpected message: $out"
	elif [ -z "$why" ]; then
		why="no image of mapfile"
	fi
}
def_verdict mapped-library-touched case_lib_touched

# ckpt itself rebuilt or upgraded after the checkpoint: libckpt.so's own
# pages are always in the image, so the restart does not need the old one.
case_lib_rebuilt() {
	mkdir -p "$W/lib"
	cp "$LIB" "$W/lib/libckpt.so"
	reference "$W/ref.out" "$BIN/counter"
	LIB=$W/lib/libckpt.so launch "$W/seg0" "$BIN/counter"
	if take_image "$W/seg0" 5; then
		stop $PID; wait $PID 2>/dev/null
		rm "$W/lib/libckpt.so"
		printf 'not the library any more\n' >"$W/lib/libckpt.so"
		why=$(restart_finish)
	else
		why="no image"
	fi
}
def_verdict libckpt-rebuilt case_lib_rebuilt

# Memory kept from children (MADV_DONTFORK, as V8 keeps node's heap):
# through libc the library sees the mark, takes it off for the writer's
# fork and puts it back; by a raw system call it cannot, and the
# checkpoint fails with one line instead of an image without that memory.
def_cycle dontfork-memory 8 2 $((30 * SLOW)) "$BIN/dontfork" libc
# memory wiped in children (MADV_WIPEONFORK): in the image all the same
def_cycle wipeonfork-memory 8 2 $((30 * SLOW)) "$BIN/dontfork" wipe
case_dontfork_raw() {
	refused_checkpoint dontfork-raw-refused \
		"libckpt: checkpoint 1 failed: the writer's fork lacks a mapping of the program \\(marked MADV_DONTFORK by a raw system call\\?\\) at \\(0x[0-9a-f]+\\); the previous image is unchanged$" \
		"$BIN/dontfork" raw
}
# (qemu-user takes madvise as a hint and ignores MADV_DONTFORK: nothing is
# missing there, the checkpoint is right)
[ -z "$RUNNER" ] && def_case dontfork-raw-refused case_dontfork_raw
