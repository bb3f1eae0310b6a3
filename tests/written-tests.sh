# Sourced by tests/run.sh: files the program keeps writing after the
# checkpoint (CKPT_SAVE_WRITTEN).  A real database, SQLite's command-line
# shell, commits small transactions through its rollback journal; it is
# checkpointed mid-run, killed after further commits and restarted.  With
# CKPT_SAVE_WRITTEN=1 the database, its journal and the output end up
# exactly as an uninterrupted run's; without it the restart says that the
# files moved on and names the option.

sqlite_run() {  # sqlite_run DIR SAVE : sqlite3 under the library in DIR, pid in $PID
	CKPT_SAVE_WRITTEN=$2 RUN_DIR=$1 launch "$1/out" "$SQLITE" test.db ".read $W/db.sql"
}

SQLITE=$(command -v sqlite3)
case_save_written() {
	local why= n rc
	[ -n "$SQLITE" ] || { report save-written-sqlite 0 "sqlite3 is not installed (make deps)"; return; }
	mkdir -p "$W/ref" "$W/run"
	# (the checkpoint comes after 300 lines, the kill 60 later: 480
	# transactions are plenty under qemu, where 1200 took minutes)
	python3 "$ROOT/tests/data/mkdb.py" $((SLOW > 1 ? 480 : 1200)) >"$W/db.sql"
	(cd "$W/ref" && $RUNNER "$SQLITE" test.db ".read $W/db.sql" >"$W/ref.out")
	echo "made before the checkpoint" >"$W/run/test.db.keep"
	sqlite_run "$W/run" 1
	if wait_lines "$W/run/out" 300 $((30 * SLOW)) && kill -USR2 $PID && wait_image $((30 * SLOW)) "$W/run/myckpt"; then
		n=$(wc -l <"$W/run/out")
		wait_lines "$W/run/out" $((n + 60)) $((30 * SLOW)) || why="no further commits after the checkpoint"
		stop $PID; wait $PID 2>/dev/null
		# what a later transaction would leave next to the database
		echo "a journal from after the checkpoint" >"$W/run/test.db-late"
		(cd "$W/run" && exec $RUNNER "$MYRESTART" myckpt 1<>"$W/run/out" 2>"$W/err") &
		PID=$!; track $PID
		wait_exit $((60 * SLOW)) || why=${why:-restart did not finish}
		[ -z "$why" ] && ! cmp -s "$W/ref.out" "$W/run/out" && why="output differs (diff $W/ref.out $W/run/out)"
		[ -z "$why" ] && ! cmp -s "$W/ref/test.db" "$W/run/test.db" && why="the database differs from an uninterrupted run's"
		[ -z "$why" ] && [ "$(sqlite3 "$W/run/test.db" 'PRAGMA integrity_check')" != ok ] && why="integrity_check fails"
		[ -z "$why" ] && [ -e "$W/run/test.db-journal" ] && why="a journal is left"
		[ -z "$why" ] && ! grep -q "warning: $W/run/test.db-late was created after the checkpoint; moved aside to $W/run/test.db-late.ckpt-stale" "$W/err" &&
			why="test.db-late not moved aside: $(head -c 300 "$W/err")"
		[ -z "$why" ] && [ "$(cat "$W/run/test.db.keep" 2>/dev/null)" != "made before the checkpoint" ] && why="test.db.keep was touched"
	else
		why="no image"
	fi
	stop $PID
	verdict save-written-sqlite "$why"
}
def_case save-written-sqlite case_save_written

# the same without the option: the files moved on, and --strict says so
case_save_written_off() {
	local why= n rc
	[ -n "$SQLITE" ] || { report save-written-off-refused 0 "sqlite3 is not installed (make deps)"; return; }
	mkdir -p "$W/run"
	# (the checkpoint comes after 300 lines, the kill 60 later: 480
	# transactions are plenty under qemu, where 1200 took minutes)
	python3 "$ROOT/tests/data/mkdb.py" $((SLOW > 1 ? 480 : 1200)) >"$W/db.sql"
	sqlite_run "$W/run" 0
	if wait_lines "$W/run/out" 300 $((30 * SLOW)) && kill -USR2 $PID && wait_image $((30 * SLOW)) "$W/run/myckpt"; then
		n=$(wc -l <"$W/run/out")
		wait_lines "$W/run/out" $((n + 60)) $((30 * SLOW)) || why="no further commits after the checkpoint"
		stop $PID; wait $PID 2>/dev/null
		(cd "$W/run" && timeout 30 $RUNNER "$MYRESTART" --strict myckpt >/dev/null 2>"$W/err")
		rc=$?
		[ -z "$why" ] && { [ $rc -ne 1 ] || [ "$(wc -l <"$W/err")" -ne 1 ] ||
			! grep -q "test.db.*(CKPT_SAVE_WRITTEN=1 at checkpoint time saves the files a program writes)$" "$W/err"; } &&
			why="exit $rc, stderr: $(head -c 300 "$W/err")"
	else
		why="no image"
	fi
	stop $PID
	verdict save-written-off-refused "$why"
}
def_case save-written-off-refused case_save_written_off
