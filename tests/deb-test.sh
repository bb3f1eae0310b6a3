#!/bin/bash
# deb-test.sh: the Debian package end to end (root; `make check-deb`).
# Builds ckpt_<version>_amd64.deb (make deb), runs lintian on it (no E:),
# installs it with dpkg -i, checks the files, pkg-config and ckpt.h, then
# checkpoints a counter started with the installed ckpt-run, kills it,
# restarts it with the installed myrestart and compares the output with
# an uninterrupted run; finally dpkg -r and checks no file is left.
# Prints `ok N - what` / `not ok N - what: why` and `N passed, N failed`.
# (finish exits, so shellcheck thinks the functions below unreachable)
# shellcheck disable=SC2317
set -u

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root"
	echo "0 passed, 0 failed"
	exit 0
fi

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
# wait_until, alive, has_lines, track / stop, splice: the suite's own
# (polling every 20 ms here)
. "$top/tests/primitives.sh"
# shellcheck disable=SC2034 # (wait_until's)
POLL_MS=20
MULTIARCH=x86_64-linux-gnu
LIBDIR=/usr/lib/$MULTIARCH
CC=${CC_TEST:-cc}

n=0 passed=0 failed=0
check() {  # check WHAT WHY: ok when WHY is empty
	n=$((n + 1))
	if [ -z "$2" ]; then
		echo "ok $n - $1"; passed=$((passed + 1))
	else
		echo "not ok $n - $1: $2"; failed=$((failed + 1))
	fi
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}

W=$(mktemp -d /tmp/ckpt-deb-test.XXXXXX)
PID=
installed=
cleanup() {
	# only the process this script started, and only while it is still ours
	if [ -n "$PID" ]; then stop "$PID"; wait "$PID" 2>/dev/null; fi
	[ -n "$installed" ] && dpkg -r ckpt >/dev/null 2>&1
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# the image is there and its size held still for 200 ms
last_size=-1 still=0
image_settled() {
	local s
	s=$(stat -c %s "$1" 2>/dev/null) || return 1
	if [ "$s" = "$last_size" ] && [ "$s" -gt 0 ]; then still=$((still + 1)); else still=0; fi
	last_size=$s
	[ "$still" -ge 10 ]
}

# --- 1. build ---
why=
if make -f Makefile -f packaging/deb.mk deb >"$W/build.log" 2>&1; then
	deb=$(sed -n 's/^mkdeb: \(.*\.deb\)$/\1/p' "$W/build.log" | tail -1)
	[ -n "$deb" ] && [ -s "$deb" ] || why="make deb named no .deb"
	case ${deb##*/} in ckpt_*_amd64.deb) ;; *) why="unexpected name ${deb##*/}" ;; esac
else
	why="make deb failed: $(tail -3 "$W/build.log" | tr '\n' ' ')"
fi
check "make deb builds ckpt_<version>_amd64.deb" "$why"
[ -z "$why" ] || finish

# --- 2. lintian ---
if command -v lintian >/dev/null; then
	lintian "$deb" >"$W/lintian.log" 2>&1
	errs=$(grep '^E:' "$W/lintian.log")
	check "lintian reports no errors" "${errs:+$(echo "$errs" | head -3 | tr '\n' ' ')}"
	grep '^W:' "$W/lintian.log" | sed 's/^/# /'
else
	check "lintian reports no errors" "lintian not installed (make deps)"
fi

# --- 3. install ---
if dpkg -s ckpt >/dev/null 2>&1; then echo "# note: ckpt was installed already; replaced and removed at the end"; fi
why=
dpkg -i "$deb" >"$W/dpkg-i.log" 2>&1 || why="dpkg -i failed: $(tail -2 "$W/dpkg-i.log" | tr '\n' ' ')"
installed=1
check "dpkg -i" "$why"
[ -z "$why" ] || finish
dpkg -L ckpt | while read -r f; do [ -f "$f" ] && echo "$f"; done >"$W/files"

why=
for f in /usr/bin/myrestart /usr/bin/ckpt-run; do
	[ -x "$f" ] || why="$why $f not executable;"
done
for f in $LIBDIR/libckpt.so /usr/include/ckpt.h $LIBDIR/pkgconfig/ckpt.pc \
	/usr/share/man/man1/myrestart.1.gz /usr/share/man/man1/ckpt-run.1.gz /usr/share/man/man7/libckpt.7.gz \
	/usr/share/doc/ckpt/copyright; do
	[ -f "$f" ] || why="$why $f missing;"
done
ls /usr/share/doc/ckpt/changelog*.gz >/dev/null 2>&1 || why="$why no changelog;"
grep -qx "CKPT_LIB=$LIBDIR/libckpt.so" /usr/bin/ckpt-run || why="$why ckpt-run does not name $LIBDIR/libckpt.so;"
[ "$(stat -c %U:%G /usr/bin/myrestart)" = root:root ] || why="$why not owned by root;"
check "files in place" "$why"

why=
man -w ckpt-run >/dev/null 2>&1 || why="man -w ckpt-run fails"
[ -z "$why" ] && { man -w libckpt >/dev/null 2>&1 || why="man -w libckpt fails"; }
check "man pages found by man" "$why"

# --- 4. pkg-config and ckpt.h ---
why=
cflags=$(pkg-config --cflags ckpt 2>&1) || why="pkg-config --cflags ckpt: $cflags"
if [ -z "$why" ]; then
	cat >"$W/api.c" <<'EOF'
#include <stdio.h>
#include <ckpt.h>
int main(void) { printf("enabled=%d\n", ckpt_enabled()); return 0; }
EOF
	# no -I of the source tree: only what pkg-config says
	# shellcheck disable=SC2086
	(cd "$W" && $CC $cflags -o api api.c) >"$W/cc.log" 2>&1 || why="cc \$(pkg-config --cflags ckpt) failed: $(head -2 "$W/cc.log" | tr '\n' ' ')"
fi
[ -z "$why" ] && [ "$("$W/api")" != enabled=0 ] && why="without the library ckpt_enabled() is not 0"
[ -z "$why" ] && [ "$(cd "$W" && /usr/bin/ckpt-run ./api 2>&1)" != enabled=1 ] && why="under the installed ckpt-run ckpt_enabled() is not 1"
check "pkg-config --cflags ckpt builds a program using ckpt.h" "$why"

# --- 5. checkpoint with the installed ckpt-run, restart with the installed myrestart ---
cat >"$W/counter.c" <<'EOF'
/* counter [STEPS [MS]]: numbered lines, a running hash, MS apart */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int main(int argc, char **argv)
{
	int steps = argc > 1 ? atoi(argv[1]) : 60, ms = argc > 2 ? atoi(argv[2]) : 50;
	unsigned long h = 1469598103934665603ul;
	for (int i = 0; i < steps; i++) {
		h = (h ^ i) * 1099511628211ul;
		printf("%04d %016lx\n", i, h);
		fflush(stdout);
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
		while (nanosleep(&ts, &ts))
			;
	}
	return 0;
}
EOF
why=
mkdir -p "$W/run"
(cd "$W" && $CC -O1 -o counter counter.c) >"$W/cc2.log" 2>&1 || why="cannot build the counter"
[ -z "$why" ] && { "$W/counter" 60 0 >"$W/ref.out" || why="reference run failed"; }
if [ -z "$why" ]; then
	(cd "$W/run" && exec /usr/bin/ckpt-run ../counter 60 50 >"$W/seg0" 2>"$W/stderr0") &
	PID=$!; track $PID
	if ! wait_until 20 has_lines "$W/seg0" 6; then
		why="no output from ckpt-run ../counter"
	else
		kill -USR2 "$PID"
		if ! wait_until 20 image_settled "$W/run/myckpt"; then
			why="no image $W/run/myckpt after SIGUSR2"
		elif ! alive "$PID"; then
			why="the program ended before it was killed (checkpoint too late?)"
		fi
		stop "$PID"; wait "$PID" 2>/dev/null; PID=
	fi
fi
if [ -z "$why" ]; then
	(cd "$W/run" && exec timeout 30 /usr/bin/myrestart myckpt >"$W/seg1" 2>"$W/stderr1") &
	PID=$!; track $PID
	wait "$PID"; rc=$?; PID=
	[ "$rc" = 0 ] || why="myrestart exited $rc: $(head -2 "$W/stderr1" | tr '\n' ' ')"
fi
if [ -z "$why" ]; then
	first=$(head -1 "$W/seg1" | cut -d' ' -f1)
	last0=$(tail -1 "$W/seg0" | cut -d' ' -f1)
	# the restarted run goes on from its checkpoint, dropping what the
	# killed process printed after it
	splice "$W/seg0" "$W/seg1" >"$W/spliced"
	if [ ! -s "$W/seg1" ]; then
		why="the restarted program printed nothing"
	elif [ "$first" -gt $((10#$last0 + 1)) ] 2>/dev/null; then
		why="gap: killed at line $last0, restarted at $first"
	elif [ "$(tail -1 "$W/seg1")" != "$(tail -1 "$W/ref.out")" ]; then
		why="last line '$(tail -1 "$W/seg1")', uninterrupted '$(tail -1 "$W/ref.out")'"
	elif ! cmp -s "$W/spliced" "$W/ref.out"; then
		why="spliced output differs from the uninterrupted run"
	fi
fi
check "installed ckpt-run checkpoint, kill -9, installed myrestart continues" "$why"

# --- 6. remove ---
why=
dpkg -r ckpt >"$W/dpkg-r.log" 2>&1 || why="dpkg -r failed: $(tail -2 "$W/dpkg-r.log" | tr '\n' ' ')"
installed=
left=$(while read -r f; do [ -e "$f" ] && echo "$f"; done <"$W/files")
[ -z "$why" ] && [ -n "$left" ] && why="left behind: $(echo "$left" | tr '\n' ' ')"
[ -z "$why" ] && [ ! -s "$W/files" ] && why="dpkg -L listed no files"
[ -z "$why" ] && dpkg -s ckpt 2>/dev/null | grep -q '^Status: install ok installed' && why="still installed"
check "dpkg -r ckpt leaves none of its files" "$why"

finish
