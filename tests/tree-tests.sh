# Sourced by tests/run.sh: process trees.  One checkpoint of a program and
# all its descendants, killed, restarted with their pids; each case
# against an uninterrupted run of the same job.  Several processes write
# to one stdout, so the comparison is of the set of lines (every line is
# numbered and the same in every run, but for the pids, which must be the
# same before and after each restart).

kill_tree() { stop_tree "$1"; wait "$1" 2>/dev/null; }
ino_of() { stat -c %i "$W/myckpt" 2>/dev/null || echo none; }
new_image() { [ "$(ino_of)" != "$1" ]; }
# the lines with their pids (pid=N, workers=[...], tasks=[...]) taken out,
# sorted, once each
normal() { sed -E 's/pid=[0-9]+/pid=P/g; s/(workers|tasks)=\[[0-9, ]*\]/\1=W/g' "$@" | sort -u; }
# one pid (and list of workers, of threads) per process name (the line's
# second word), in all the files
same_pids() {
	cat "$@" | awk '{ for (i = 3; i <= NF; i++) if ($i ~ /^(pid|workers|tasks)=/) { k = $2 " " substr($i, 1, index($i, "=")); v = substr($i, index($i, "=") + 1)
	       if (k in seen && seen[k] != v) { print k seen[k] " and " v; exit 1 } seen[k] = v } }'
}

# tree_run NAME LINES CYCLES TIMEOUT CMD...: checkpoint once the output
# has LINES lines, kill the tree, restart; CYCLES times; compare
tree_run() {
	local name=$1 lines=$2 cycles=$3 tmo=$4 c seg=0 ino why= d; shift 4
	reference "$W/ref.out" "$@" || { report "$name" 0 "reference run failed"; return; }
	rm -f "$W"/seg* "$W"/myckpt*
	launch "$W/seg0" "$@"
	for c in $(seq 1 "$cycles"); do
		if ! wait_lines "$W/seg$seg" "$lines" "$tmo"; then why="no output before checkpoint $c"; break; fi
		ino=$(ino_of)
		signal_live "$(${TREE_SIGNAL:-echo} "$PID")" || { why="ended before checkpoint $c"; break; }
		if ! wait_until "$tmo" new_image "$ino"; then why="no image after checkpoint $c"; break; fi
		"$MYRESTART" --info "$W/myckpt" 2>/dev/null | grep -q '^process tree: ' ||
			{ why="checkpoint $c is not a tree's"; break; }
		kill_tree "$PID"
		seg=$((seg + 1))
		restart "$W/seg$seg"
		wait_lines "$W/seg$seg" 1 "$tmo" || { why="restart $c printed nothing"; break; }
	done
	if [ -z "$why" ] && ! wait_exit "$tmo"; then why="did not finish in ${tmo}s"; fi
	kill_tree "$PID"
	if [ -z "$why" ]; then
		normal "$W"/seg* >"$W/got.out"
		normal "$W/ref.out" >"$W/want.out"
		cmp -s "$W/got.out" "$W/want.out" || why="output differs from an uninterrupted run (diff $W/want.out $W/got.out)"
		d=$(same_pids "$W"/seg*) || why="${why:-a pid changed across a restart: $d}"
		[ -z "$why" ] && [ -n "${TREE_CHECK:-}" ] && why=$($TREE_CHECK)
	fi
	verdict "$name" "$why"
}

# a shell whose child computes; the shell's next command uses its status
case_tree_shell() { tree_run tree-shell-child 10 1 $((30 * SLOW)) bash "$ROOT/tests/progs/tree_child.sh" 60; }
# three stages, the first far ahead of the second: bytes in flight
case_tree_pipeline() {
	tree_run "tree-pipeline${CKPT_INTERVAL:+-interval}" 4 1 $((30 * SLOW)) bash -c 'seq 1 200000 | awk '\''{ s += $1; if (NR % 10000 == 0) {
		printf "%04d n=%d s=%d\n", NR / 10000, NR, s; fflush(); system("sleep 0.15") } }
		END { printf "0099 sum=%d\n", s }'\'' | cat'
}
# python3 multiprocessing, fork: its pipes, its locks in shared memory
case_tree_pool() { tree_run tree-pool 6 1 $((40 * SLOW)) /usr/bin/python3 "$ROOT/tests/progs/tree_pool.py" 300; }
# a zombie not yet collected, a child in its own session, one in its own group
case_tree_family() { tree_run tree-family 20 1 $((30 * SLOW)) /usr/bin/python3 "$ROOT/tests/progs/tree_family.py"; }
# a log two processes write through one offset: every line there once
same_log() { [ "$(sort "$W/ref/log")" = "$(sort "$W/log" 2>&1)" ] || echo "the log differs (diff $W/ref/log $W/log)"; }
case_tree_log() { TREE_CHECK=same_log tree_run tree-shared-log 12 1 $((30 * SLOW)) bash "$ROOT/tests/progs/tree_log.sh"; }
# messages queued in a stream and a datagram socketpair between two, and
# an eventfd they share
case_tree_sockpair_eventfd() { tree_run tree-socketpair 12 1 $((30 * SLOW)) /usr/bin/python3 "$ROOT/tests/progs/tree_sockpair.py"; }
# a member's own checkpoint is the tree's: the signal sent to the child,
# or CKPT_INTERVAL (which only the owner's timer keeps), writes no image
# of a member alone (myckpt.PID)
the_child() { sed -n 's/^0001 child pid=//p' "$W/seg0"; }
# (a writer the kill of the tree cut short leaves its temporary file,
# myckpt.PID.tmp: no image)
own_images() { ls "$W"/myckpt.[0-9]* 2>/dev/null | grep -v '\.tmp$'; }
no_own_images() { [ -z "$(own_images)" ] || echo "a member wrote an image of its own: $(own_images)"; }
case_tree_member_signal() {
	TREE_SIGNAL=the_child TREE_CHECK=no_own_images tree_run tree-member-signalled 10 1 $((30 * SLOW)) \
		bash "$ROOT/tests/progs/tree_child.sh" 60
}
case_tree_interval() {
	CKPT_INTERVAL=1 TREE_CHECK=no_own_images case_tree_pipeline
}
# ckpt_checkpoint() in a member: 0 once the tree's checkpoint took it, 1
# after the restart of the tree (the image holds the call in progress)
case_tree_api() {
	local why=
	rm -f "$W"/myckpt*
	launch "$W/seg0" /usr/bin/python3 "$ROOT/tests/progs/tree_api.py"
	if ! wait_image $((20 * SLOW)) || ! wait_exit $((20 * SLOW)); then why="no image, or it did not end"
	elif [ "$(cat "$W/seg0")" != "$(printf 'child ckpt=0\nparent collected 3')" ]; then why="at the checkpoint: $(tr '\n' ' ' <"$W/seg0")"
	else
		restart "$W/seg1"
		wait_exit $((20 * SLOW)) || why="the restart did not end"
		[ -n "$why" ] || [ "$(cat "$W/seg1")" = "$(printf 'child ckpt=1\nparent collected 3')" ] ||
			why="after the restart: $(tr '\n' ' ' <"$W/seg1")"
	fi
	kill_tree "$PID"
	verdict tree-api-checkpoint "$why"
}
# one tree through three checkpoint/kill/restart cycles
case_tree_cycles() { tree_run tree-three-cycles 8 3 $((40 * SLOW)) bash "$ROOT/tests/progs/tree_child.sh" 150; }

# make -j2 of a generated project of 20 C files with clang: the
# jobserver's pipe, children that exec.  clang takes SIGUSR2 for itself
# (LLVM's handlers): the checkpoint signal is another one; and the files
# a compiler is writing at the checkpoint are saved with the image
# (CKPT_SAVE_WRITTEN=1), as a build that is restarted needs.
make_project() {
	rm -rf "$1" && mkdir -p "$1"
	for i in $(seq 1 20); do
		printf 'int f%s(int x) { int s = 0; for (int k = 0; k < x; k++) s += k %% %s; return s; }\n' "$i" "$i" >"$1/f$i.c"
	done
	{ for i in $(seq 1 20); do echo "int f$i(int);"; done
	  echo 'int main(void) { int s = 0;'; for i in $(seq 1 20); do echo "s += f$i(100);"; done
	  echo 'return s > 0 ? 0 : 1; }'; } >"$1/main.c"
	printf 'OBJS = $(patsubst %%.c,%%.o,$(sort $(wildcard *.c)))\nprog: $(OBJS)\n\tclang -o $@ $^\n%%.o: %%.c\n\tclang -O1 -c -o $@ $<\n\tsleep 0.2\n' >"$1/Makefile"
}
same_build() {
	local f
	for f in $(cd "$W/ref/proj" && ls ./*.o prog); do
		cmp -s "$W/ref/proj/$f" "$W/proj/$f" || { echo "$f differs from an uninterrupted build's"; return; }
	done
}
case_tree_make() {
	mkdir -p "$W/ref"
	make_project "$W/ref/proj"; make_project "$W/proj"
	TREE_CHECK=same_build CKPT_SIGNAL=44 CKPT_SAVE_WRITTEN=1 tree_run tree-make-j2 6 1 $((60 * SLOW)) \
		make -j2 --no-print-directory -C proj
}

# a member killed while the tree stops: the checkpoint fails, the image
# before it stays as it was, the others run on
case_tree_killed() {
	local why= C ino
	rm -f "$W/block" "$W"/myckpt*
	launch "$W/seg0" /usr/bin/python3 "$ROOT/tests/progs/tree_blocker.py" "$W/block"
	if wait_lines "$W/seg0" 10 $((20 * SLOW)) && signal_live "$PID" && wait_image $((20 * SLOW)); then
		sleep 0.5; cp "$W/myckpt" "$W/good.img"; ino=$(ino_of)
		C=$(sed -n 's/^child pid=//p' "$W/seg0")
		touch "$W/block"
		wait_until $((10 * SLOW)) grep -q blocked "$W/seg0" || why="the child did not block the signal"
		kill -USR2 "$PID"
		sleep 0.5
		[ -n "$C" ] && kill -9 "$C"
		wait_stderr "died while the tree stopped" $((20 * SLOW)) || because "no line naming the dead member"
		cmp -s "$W/good.img" "$W/myckpt" || because "the previous image changed"
		local n=$(grep -c parent "$W/seg0")
		wait_until $((10 * SLOW)) eval '[ "$(grep -c parent "$W/seg0")" -gt $((n + 5)) ]' ||
			because "the parent did not run on"
	else
		why="no first image"
	fi
	kill_tree "$PID"
	verdict tree-member-killed "$why"
}
because() { [ -n "$why" ] || why=$1; }

# an image set with a member missing, or from another checkpoint: one
# line, before anything runs
case_tree_incomplete() {
	local why= m out
	rm -f "$W"/myckpt* "$W/block"
	launch "$W/seg0" /usr/bin/python3 "$ROOT/tests/progs/tree_blocker.py" "$W/block"
	if wait_lines "$W/seg0" 10 $((20 * SLOW)) && signal_live "$PID" && wait_image $((20 * SLOW)); then
		sleep 0.5
		m=$(cd "$W" && ls myckpt.t* | head -1)
		mv "$W/$m" "$W/held"
		out=$(cd "$W" && timeout -s KILL 30 "$MYRESTART" myckpt 2>&1 >/dev/null)
		[ $? = 1 ] && [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "$m: cannot open" ||
			why="a missing member: '$out'"
		cp "$W/held" "$W/$m"
		ino=$(ino_of); signal_live "$PID"
		wait_until $((20 * SLOW)) new_image "$ino" || because "no second image"
		sleep 0.5
		# the previous set's member under the new set's name (a restart
		# that is not refused would run the tree: timeout ends it)
		cp "$W/held" "$W/$(cd "$W" && ls myckpt.t* | head -1)"
		out=$(cd "$W" && timeout -s KILL 30 "$MYRESTART" myckpt 2>&1 >/dev/null)
		[ $? = 1 ] && [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "not from the same checkpoint" ||
			because "a member of another checkpoint: '$out'"
	else
		why="no image"
	fi
	kill_tree "$PID"
	verdict tree-incomplete "$why"
}

# under qemu-user a tree is refused in one line, and the program runs on
case_tree_qemu() {
	local why= n
	rm -f "$W"/myckpt*
	launch "$W/seg0" /usr/bin/python3 "$ROOT/tests/progs/tree_blocker.py" "$W/block"
	if wait_lines "$W/seg0" 10 $((20 * SLOW)) && signal_live "$PID"; then
		wait_stderr "not checkpointed under qemu-user" $((20 * SLOW)) || why="no line saying why"
		n=$(wc -l <"$W/seg0")
		wait_until $((20 * SLOW)) eval '[ "$(wc -l <"$W/seg0")" -gt $((n + 5)) ]' || because "the program did not run on"
		[ ! -e "$W/myckpt" ] || because "an image was written"
	else
		why="no output"
	fi
	kill_tree "$PID"
	verdict tree-qemu-refused "$why"
}

if [ -z "$RUNNER" ]; then
	def_case tree-shell-child case_tree_shell
	def_case tree-pipeline case_tree_pipeline
	def_case tree-pool case_tree_pool
	def_case tree-family case_tree_family
	def_case tree-shared-log case_tree_log
	def_case tree-socketpair case_tree_sockpair_eventfd
	def_case tree-member-signalled case_tree_member_signal
	def_case tree-api-checkpoint case_tree_api
	def_case tree-pipeline-interval case_tree_interval
	def_case tree-three-cycles case_tree_cycles
	def_case tree-make-j2 case_tree_make
	def_case tree-member-killed case_tree_killed
	def_case tree-incomplete case_tree_incomplete
else
	def_case tree-qemu-refused case_tree_qemu
fi
