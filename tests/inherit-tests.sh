# Sourced by tests/run.sh: the processes a checkpointed program starts
# (issue 8, CKPT_INHERIT).  By default they keep the library but never
# write the parent's image: a child that execs or only forks writes
# myckpt.PID, also after the parent was restarted.  CKPT_INHERIT=0 (or
# ckpt-run --no-inherit) runs the programs it execs without the library.
# The parent is tests/progs/spawn.c, driven through a command file.  Under
# qemu-x86_64 without binfmt_misc, a program the guest execs runs natively
# (still with the library): the same checks hold.

inherit_report() { report "$1" $([ -z "$2" ] && echo 1 || echo 0) "$2"; }
because() { [ -n "$why" ] || why=$1; }  # the first reason a case fails

# spawn_launch OUTFILE PRELOAD [VAR=VALUE...] : $BIN/spawn $W with LD_PRELOAD=PRELOAD
# and those variables, under the runner; its pid in $PID
spawn_launch() {
	local out=$1 pre=$2 e=() kv; shift 2
	if [ -n "$RUNNER" ]; then
		for kv in "LD_PRELOAD=$pre" "$@"; do e+=(-E "$kv"); done
		(cd "$W" && exec $RUNNER "${e[@]}" "$BIN/spawn" "$W") >"$out" 2>>"$W/stderr" &
	else
		(cd "$W" && exec env "LD_PRELOAD=$pre" "$@" "$BIN/spawn" "$W") >"$out" 2>>"$W/stderr" &
	fi
	PID=$!
}
# ask OUTFILE COMMAND : a command for spawn (pid $PID, output OUTFILE);
# the line it answers in $ANSWER, its last word in $APID
ask() {
	local n; n=$(wc -l <"$1")
	echo "$2" >"$W/cmd.tmp" && mv "$W/cmd.tmp" "$W/cmd"
	ANSWER= APID=
	wait_lines "$1" $((n + 1)) $((20 * QEMU_SLOW)) || return 1
	ANSWER=$(sed -n "$((n + 1))p" "$1")
	APID=${ANSWER##* }
}
wait_file() {  # wait_file PATH TIMEOUT_S
	local i=0 lim=$(($2 * 100))
	while [ ! -e "$1" ]; do
		i=$((i + 1)); [ $i -ge $lim ] && return 1
		sleep 0.01
	done
}
# checkpoint PID FILE : SIGUSR2 to PID, then FILE must appear (and is
# removed first, so an old one does not count)
checkpoint() {
	rm -f "$2"
	kill -USR2 "$1" 2>/dev/null && wait_file "$2" $((20 * QEMU_SLOW))
}
# started CHILDPID : the exec'd child printed its first line (its
# constructor ran, so a signal finds the handler)
started() { wait_lines "$W/child.$1.out" 1 $((20 * QEMU_SLOW)); }
env_of() { tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null; }
# the images there besides the expected ones, for the failure message
stray() { (cd "$W" && ls -d myckpt* 2>/dev/null | grep -vxF "$(printf '%s\n' "$@")" | tr '\n' ' '); }
# end_ours PID... : SIGKILL to those still running one of our programs
# (pids wrap quickly: one of them may belong to someone else by now)
end_ours() {
	local p
	for p; do grep -qaF "$ROOT/" "/proc/$p/cmdline" 2>/dev/null && kill -9 "$p" 2>/dev/null; done
}
KILL=

# an exec'd child writes myckpt.CHILD; the parent's myckpt stays its own
if want inherit-exec; then
	W=$OUT/inherit-exec; rm -rf "$W"; mkdir -p "$W"; : >"$W/stderr"; why=
	spawn_launch "$W/seg0" "$LIB"; P=$PID; KILL=$P
	if wait_lines "$W/seg0" 1 $((20 * QEMU_SLOW)) && checkpoint $P "$W/myckpt"; then
		ino=$(stat -c %i "$W/myckpt")
		ask "$W/seg0" "exec $BIN/counter 100000 50"; C=$APID; KILL="$KILL $C"
		if [ "${ANSWER% *}" = child ] && started $C; then
			env_of $C | grep -qx "CKPT_OWNER=$P" || why="the child's environment has no CKPT_OWNER=$P"
			env_of $C | grep -qx "CKPT_FILE=$W/myckpt" || because "the child's environment has no CKPT_FILE=$W/myckpt"
			grep -q libckpt "/proc/$C/maps" 2>/dev/null || because "the child runs without the library"
			checkpoint $C "$W/myckpt.$C" || because "no myckpt.$C after SIGUSR2 to the child; images: $(stray)"
			[ "$(stat -c %i "$W/myckpt" 2>/dev/null)" = "$ino" ] || because "the child replaced the parent's image"
			"$MYRESTART" --info "$W/myckpt.$C" 2>&1 | grep -q '^program:.counter ' ||
				because "myckpt.$C is not the child's image"
			checkpoint $P "$W/myckpt" || because "no second image of the parent"
			"$MYRESTART" --info "$W/myckpt" 2>&1 | grep -q '^program:.spawn ' || because "myckpt is not the parent's image"
			[ -z "$(stray myckpt myckpt.$C)" ] || because "unexpected images: $(stray myckpt myckpt.$C)"
		else
			why="no exec'd child running: '$ANSWER'"
		fi
	else
		why="no image of the parent"
	fi
	{ end_ours $KILL; wait $P; } 2>/dev/null
	inherit_report inherit-exec "$why"
fi

# a child that forks without exec shares the parent's memory and handler,
# yet writes myckpt.CHILD
if want inherit-fork; then
	W=$OUT/inherit-fork; rm -rf "$W"; mkdir -p "$W"; : >"$W/stderr"; why=
	spawn_launch "$W/seg0" "$LIB"; P=$PID; KILL=$P
	if wait_lines "$W/seg0" 1 $((20 * QEMU_SLOW)) && ask "$W/seg0" fork && [ "${ANSWER% *}" = forked ]; then
		F=$APID; KILL="$KILL $F"
		checkpoint $F "$W/myckpt.$F" || why="no myckpt.$F after SIGUSR2 to the forked child; images: $(stray)"
		[ -e "$W/myckpt" ] && because "the forked child wrote the parent's image"
		checkpoint $P "$W/myckpt" || because "no image of the parent"
		[ -z "$(stray myckpt myckpt.$F)" ] || because "unexpected images: $(stray myckpt myckpt.$F)"
	else
		why="no forked child: '$ANSWER'"
	fi
	{ end_ours $KILL; wait $P; } 2>/dev/null
	inherit_report inherit-fork "$why"
fi

# CKPT_INHERIT=0 through ckpt-run --no-inherit: the exec'd child has
# neither the library nor LD_PRELOAD; the parent is still checkpointed
if want no-inherit; then
	W=$OUT/no-inherit; rm -rf "$W"; mkdir -p "$W"; : >"$W/stderr"; why=
	(cd "$W" && exec "$ROOT/ckpt-run" ${RUNNER:+--qemu} --no-inherit "$BIN/spawn" "$W") >"$W/seg0" 2>>"$W/stderr" &
	P=$!; PID=$P; KILL=$P
	if wait_lines "$W/seg0" 1 $((20 * QEMU_SLOW)) && ask "$W/seg0" "exec $BIN/counter 100000 50" &&
	   C=$APID && KILL="$KILL $C" && [ "${ANSWER% *}" = child ] && started $C; then
		grep -q libckpt "/proc/$C/maps" && why="the exec'd child has libckpt.so mapped"
		env_of $C | grep -q '^LD_PRELOAD=' && because "the exec'd child has $(env_of $C | grep '^LD_PRELOAD=')"
		env_of $C | grep -q '^PATH=' || because "the exec'd child's environment was not readable"
		checkpoint $P "$W/myckpt" || because "no image of the parent"
	else
		why="no exec'd child running: '$ANSWER'"
	fi
	{ end_ours $KILL; wait $P; } 2>/dev/null
	inherit_report no-inherit "$why"

	# only our entries leave a longer LD_PRELOAD (spaces and colons)
	W=$OUT/no-inherit-list; rm -rf "$W"; mkdir -p "$W"; : >"$W/stderr"; why=
	LIBM=$(readlink -f "$(gcc -print-file-name=libm.so.6)")
	spawn_launch "$W/seg0" "$LIB $LIBM:$LIB" CKPT_INHERIT=0; P=$PID; KILL=$P
	if wait_lines "$W/seg0" 1 $((20 * QEMU_SLOW)) && ask "$W/seg0" "exec $BIN/counter 100000 50" &&
	   C=$APID && KILL="$KILL $C" && [ "${ANSWER% *}" = child ] && started $C; then
		grep -q libckpt "/proc/$C/maps" && why="the exec'd child has libckpt.so mapped"
		[ "$(env_of $C | grep '^LD_PRELOAD=')" = "LD_PRELOAD=$LIBM" ] ||
			because "the exec'd child has '$(env_of $C | grep '^LD_PRELOAD=')', not LD_PRELOAD=$LIBM"
		checkpoint $P "$W/myckpt" || because "no image of the parent"
	else
		why="no exec'd child running: '$ANSWER'"
	fi
	{ end_ours $KILL; wait $P; } 2>/dev/null
	inherit_report no-inherit-list "$why"
fi

# a bad CKPT_INHERIT: one line, and the program runs as without the library
if want inherit-bad; then
	W=$OUT/inherit-bad; rm -rf "$W"; mkdir -p "$W/ref"; why=
	reference "$W/ref.out" "$BIN/counter" 20 5
	for kv in CKPT_INHERIT=2 CKPT_INHERIT=no; do
		if [ -n "$RUNNER" ]; then
			(cd "$W" && $RUNNER -E LD_PRELOAD="$LIB" -E "$kv" "$BIN/counter" 20 5 >"$W/out" 2>"$W/err")
		else
			(cd "$W" && env LD_PRELOAD="$LIB" "$kv" "$BIN/counter" 20 5 >"$W/out" 2>"$W/err")
		fi
		cmp -s "$W/out" "$W/ref.out" || because "$kv: output differs"
		[ "$(cat "$W/err")" = "libckpt: checkpoints disabled: bad value (want 0 or 1) for: CKPT_INHERIT" ] ||
			because "$kv: stderr: $(head -c 200 "$W/err")"
	done
	inherit_report inherit-bad-value "$why"
fi

# after a restart (new pid) the parent still writes myckpt, also once it
# has exec'd itself, and a child it starts then is told the new pid
if want inherit-restart; then
	W=$OUT/inherit-restart; rm -rf "$W"; mkdir -p "$W"; : >"$W/stderr"; why=
	spawn_launch "$W/seg0" "$LIB"; P=$PID; KILL=$P
	if wait_lines "$W/seg0" 1 $((20 * QEMU_SLOW)) && checkpoint $P "$W/myckpt"; then
		kill -9 $P; wait $P 2>/dev/null
		restart "$W/seg1"; Q=$PID; KILL=$Q
		if ask "$W/seg1" "exec $BIN/counter 100000 50" && C=$APID && KILL="$KILL $C" &&
		   [ "${ANSWER% *}" = child ] && started $C; then
			env_of $C | grep -qx "CKPT_OWNER=$Q" ||
				why="the child has '$(env_of $C | grep CKPT_OWNER)', not CKPT_OWNER=$Q (restarted parent)"
			checkpoint $C "$W/myckpt.$C" || because "no myckpt.$C after SIGUSR2 to the child; images: $(stray)"
			checkpoint $Q "$W/myckpt" || because "the restarted parent did not write myckpt; images: $(stray)"
			ask "$W/seg1" self
			[ "$ANSWER" = "pid $Q" ] || because "exec of itself answered '$ANSWER'"
			checkpoint $Q "$W/myckpt" || because "after exec of itself, no myckpt; images: $(stray)"
			[ -z "$(stray myckpt myckpt.$C)" ] || because "unexpected images: $(stray myckpt myckpt.$C)"
		else
			why="the restarted parent started no child: '$ANSWER'"
		fi
	else
		why="no image of the parent"
	fi
	{ end_ours $KILL; wait $Q; } 2>/dev/null
	inherit_report inherit-restart "$why"
fi
