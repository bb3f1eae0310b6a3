# Sourced by tests/run.sh: the processes a checkpointed program starts
# (issue 8, CKPT_INHERIT).  By default they keep the library and are
# members of the parent's process tree: a checkpoint signal sent to a
# child that execs or only forks is passed on to the parent, which
# checkpoints the tree (issue 24), also after the parent was restarted;
# under qemu-user, where no tree is checkpointed, one line refuses it.
# CKPT_INHERIT=0 (or
# ckpt-run --no-inherit) runs the programs it execs without the library.
# The parent is tests/progs/spawn.c, driven through a command file.  Under
# qemu-x86_64 without binfmt_misc, a program the guest execs runs natively
# (still with the library): the same checks hold.

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
	PID=$!; track $PID
}
# ask OUTFILE COMMAND : a command for spawn (pid $PID, output OUTFILE);
# the line it answers in $ANSWER, its last word in $APID
ask() {
	local n; n=$(wc -l <"$1")
	echo "$2" >"$W/cmd.tmp" && mv "$W/cmd.tmp" "$W/cmd"
	ANSWER= APID=
	wait_lines "$1" $((n + 1)) $((20 * SLOW)) || return 1
	ANSWER=$(sed -n "$((n + 1))p" "$1")
	APID=${ANSWER##* }
}
# checkpoint PID FILE : SIGUSR2 to PID, then FILE must appear (and is
# removed first, so an old one does not count)
checkpoint() {
	rm -f "$2"
	kill -USR2 "$1" 2>/dev/null && wait_image $((20 * SLOW)) "$2"
}
# started CHILDPID : the exec'd child printed its first line (its
# constructor ran, so a signal finds the handler)
started() { wait_lines "$W/child.$1.out" 1 $((20 * SLOW)); }
env_of() { tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null; }
# the images there besides the expected ones, for the failure message
stray() { (cd "$W" && ls -d myckpt* 2>/dev/null | grep -vxF "$(printf '%s\n' "$@")" | tr '\n' ' '); }
# member CHILD: the file a checkpoint of its parent wrote for it (the
# parent's image is a process tree's, which names it)
member() { "$MYRESTART" --info "$W/myckpt" 2>/dev/null | grep -q "^process tree: 2 processes" &&
	   (cd "$W" && ls -d myckpt.t*."$1" 2>/dev/null); }
# parent_tree PARENT: a checkpoint of a parent with a child that runs the
# library is a tree's; under qemu-user one line refuses it (0 when the
# checkpoint did what it does under this runner)
refusals() { grep -c "a process tree is not checkpointed under qemu-user" "$W/stderr" 2>/dev/null; }
more_refusals() { [ "$(refusals)" -gt "$1" ]; }
parent_tree() {
	local n
	if [ -n "$RUNNER" ]; then
		n=$(refusals)
		kill -USR2 "$1"
		wait_until $((20 * SLOW)) more_refusals "$n"
	else
		checkpoint "$1" "$W/myckpt"
	fi
}
# child_tree CHILD PROGRAM: a signal to the child checkpointed the tree,
# its image of the child is PROGRAM's (natively)
child_tree() {
	local m
	parent_tree "$1" || { because "SIGUSR2 to the child $1 made no checkpoint of the tree; images: $(stray)"; return; }
	[ -n "$RUNNER" ] && return
	m=$(member "$1") || { because "the tree's image does not hold the child $1"; return; }
	"$MYRESTART" --info "$W/$m" 2>&1 | grep -q "^program:.$2 " || because "$m is not the child's image"
}
tree_ok() {  # tree_ok CHILD EXPECTED...: the images are those expected (and the tree's)
	local c=$1 m=; shift
	[ -n "$RUNNER" ] || m=$(member "$c") || { because "the parent's image is not a tree of 2 with the child"; return; }
	[ -z "$(stray "$@" $m)" ] || because "unexpected images: $(stray "$@" $m)"
}
# end_ours PID... : SIGKILL to those still the processes we started
# (pids wrap quickly: one of them may belong to someone else by now)
end_ours() { stop "$@"; }
KILL=
# def_inherit NAME FUNCTION: the case NAME that runs FUNCTION, which says
# what went wrong in $why; then the processes in $KILL are ended and the
# parent reaped ($Q once restarted, else $P)
def_inherit() {
	eval "inherit_$2() { local why=; $2; { end_ours \$KILL; wait \"\${Q:-\$P}\"; } 2>/dev/null; verdict $1 \"\$why\"; }"
	def_case "$1" "inherit_$2"
}

# a signal to an exec'd child checkpoints the tree (the parent's myckpt)
case_inherit_exec() {
	local i
	spawn_launch "$W/seg0" "$LIB"; P=$PID; KILL=$P
	if wait_lines "$W/seg0" 1 $((20 * SLOW)) && checkpoint $P "$W/myckpt"; then
		ino=$(stat -c %i "$W/myckpt")
		ask "$W/seg0" "exec $BIN/counter 100000 50"; C=$APID; track $C; KILL="$KILL $C"
		if [ "${ANSWER% *}" = child ] && started $C; then
			env_of $C | grep -qx "CKPT_OWNER=$P" || why="the child's environment has no CKPT_OWNER=$P"
			env_of $C | grep -qx "CKPT_FILE=$W/myckpt" || because "the child's environment has no CKPT_FILE=$W/myckpt"
			grep -q libckpt "/proc/$C/maps" 2>/dev/null || because "the child runs without the library"
			child_tree $C counter
			parent_tree $P || because "no second image of the parent"
			"$MYRESTART" --info "$W/myckpt" 2>&1 | grep -q '^program:.spawn ' || because "myckpt is not the parent's image"
			tree_ok $C myckpt
		else
			why="no exec'd child running: '$ANSWER'"
		fi
	else
		why="no image of the parent"
	fi
}
def_inherit inherit-exec case_inherit_exec

# a child that forks without exec shares the parent's memory and handler:
# a signal to it checkpoints the tree too
case_inherit_fork() {
	local i
	spawn_launch "$W/seg0" "$LIB"; P=$PID; KILL=$P
	if wait_lines "$W/seg0" 1 $((20 * SLOW)) && ask "$W/seg0" fork && [ "${ANSWER% *}" = forked ]; then
		F=$APID; track $F; KILL="$KILL $F"
		child_tree $F spawn
		parent_tree $P || because "no image of the parent"
		tree_ok $F $([ -z "$RUNNER" ] && echo myckpt)
	else
		why="no forked child: '$ANSWER'"
	fi
}
def_inherit inherit-fork case_inherit_fork

# CKPT_INHERIT=0 through ckpt-run --no-inherit: the exec'd child has
# neither the library nor LD_PRELOAD; the parent is still checkpointed
case_no_inherit() {
	local i
	(cd "$W" && exec "$ROOT/ckpt-run" ${RUNNER:+--qemu} --no-inherit "$BIN/spawn" "$W") >"$W/seg0" 2>>"$W/stderr" &
	P=$!; PID=$P; track $P; KILL=$P
	if wait_lines "$W/seg0" 1 $((20 * SLOW)) && ask "$W/seg0" "exec $BIN/counter 100000 50" &&
	   C=$APID && track $C && KILL="$KILL $C" && [ "${ANSWER% *}" = child ] && started $C; then
		grep -q libckpt "/proc/$C/maps" && why="the exec'd child has libckpt.so mapped"
		env_of $C | grep -q '^LD_PRELOAD=' && because "the exec'd child has $(env_of $C | grep '^LD_PRELOAD=')"
		env_of $C | grep -q '^PATH=' || because "the exec'd child's environment was not readable"
		checkpoint $P "$W/myckpt" || because "no image of the parent"
	else
		why="no exec'd child running: '$ANSWER'"
	fi
}
def_inherit no-inherit case_no_inherit

# only our entries leave a longer LD_PRELOAD (spaces and colons)
case_no_inherit_list() {
	local i
	LIBM=$(readlink -f "$(gcc -print-file-name=libm.so.6)")
	spawn_launch "$W/seg0" "$LIB $LIBM:$LIB" CKPT_INHERIT=0; P=$PID; KILL=$P
	if wait_lines "$W/seg0" 1 $((20 * SLOW)) && ask "$W/seg0" "exec $BIN/counter 100000 50" &&
	   C=$APID && track $C && KILL="$KILL $C" && [ "${ANSWER% *}" = child ] && started $C; then
		grep -q libckpt "/proc/$C/maps" && why="the exec'd child has libckpt.so mapped"
		[ "$(env_of $C | grep '^LD_PRELOAD=')" = "LD_PRELOAD=$LIBM" ] ||
			because "the exec'd child has '$(env_of $C | grep '^LD_PRELOAD=')', not LD_PRELOAD=$LIBM"
		checkpoint $P "$W/myckpt" || because "no image of the parent"
	else
		why="no exec'd child running: '$ANSWER'"
	fi
}
def_inherit no-inherit-list case_no_inherit_list

# a bad CKPT_INHERIT: one line, and the program runs as without the library
case_inherit_bad_value() {
	local why= kv
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
	verdict inherit-bad-value "$why"
}
def_case inherit-bad-value case_inherit_bad_value

# after a restart (new pid) the parent still writes myckpt, also once it
# has exec'd itself, and a child it starts then is told the new pid
case_inherit_restart() {
	local i
	spawn_launch "$W/seg0" "$LIB"; P=$PID; KILL=$P
	if wait_lines "$W/seg0" 1 $((20 * SLOW)) && checkpoint $P "$W/myckpt"; then
		stop $P; wait $P 2>/dev/null
		restart "$W/seg1"; Q=$PID; KILL=$Q
		if ask "$W/seg1" "exec $BIN/counter 100000 50" && C=$APID && track $C && KILL="$KILL $C" &&
		   [ "${ANSWER% *}" = child ] && started $C; then
			env_of $C | grep -qx "CKPT_OWNER=$Q" ||
				why="the child has '$(env_of $C | grep CKPT_OWNER)', not CKPT_OWNER=$Q (restarted parent)"
			child_tree $C counter
			parent_tree $Q || because "the restarted parent did not write myckpt; images: $(stray)"
			ask "$W/seg1" self
			[ "$ANSWER" = "pid $Q" ] || because "exec of itself answered '$ANSWER'"
			# (qemu-user passes a guest's execve to the host kernel: from
			# here on the parent runs natively, as its child does)
			RUNNER= parent_tree $Q || because "after exec of itself, no myckpt; images: $(stray)"
			RUNNER= tree_ok $C myckpt
		else
			why="the restarted parent started no child: '$ANSWER'"
		fi
	else
		why="no image of the parent"
	fi
}
def_inherit inherit-restart case_inherit_restart
