#!/bin/bash
# The seed assignment's `make check` recipe, made to end and to fail:
#
#   (sleep 3 && kill -12 `pgrep -n hello` && \
#    sleep 2 && pkill -9 -n hello && make restart) &
#   ./hello
#
# hello runs under libckpt.so; the restarted hello is stopped after a few
# more dots.  Fails unless an image was written and the dots continued.
#   tests/seed-recipe.sh [RUNNER]     (RUNNER: empty for native, or qemu-x86_64)
set -u
cd "$(dirname "$0")/.."
# descriptors inherited from whoever runs us would be checkpointed along
# with the test programs: close them (bash keeps the script on 255)
for fd in $(ls /proc/$$/fd); do
	case $fd in 0|1|2|255) ;; *) eval "exec $fd>&-" 2>/dev/null ;; esac
done
RUNNER=${1:-}
LIB=$PWD/libckpt.so
TAG=${RUNNER:-native}
OUT=tests/out/seed-$TAG
mkdir -p tests/out && rm -f myckpt "$OUT".*
# the recipe finds its hello by name (pgrep -n, pkill -n): no other may
# run meanwhile, and this script kills none it did not start
for i in $(seq 300); do pgrep -x hello >/dev/null || break; sleep 0.1; done
if pgrep -x hello >/dev/null; then
	echo "seed recipe ($TAG): FAILED (another hello runs, pid $(pgrep -x hello | tr '\n' ' '): the recipe would find it)"
	exit 1
fi
# the pids under PID (its children, theirs...)
descendants() {
	local c
	for c in $(awk -v p="$1" '$4 == p { print $1 }' /proc/[0-9]*/stat 2>/dev/null); do
		echo "$c"; descendants "$c"
	done
}

echo "seed recipe ($TAG): ./hello under libckpt.so; kill -12 after 3 s, kill -9 after 2 more, make restart"
(sleep 3 && kill -12 $(pgrep -n hello) && sleep 2 && pkill -9 -n hello &&
	make -s restart RUNNER="$RUNNER" >"$OUT.restart" 2>"$OUT.restart-err") &
SEQ=$!
if [ -n "$RUNNER" ]; then
	$RUNNER -E LD_PRELOAD="$LIB" ./hello >"$OUT.before" 2>"$OUT.err"
else
	LD_PRELOAD="$LIB" ./hello >"$OUT.before" 2>"$OUT.err"
fi
# ./hello has been killed; the restarted one now prints into $OUT.restart
# (under `make restart`, which never ends by itself): a few more seconds
sleep 5
for p in $(descendants $SEQ); do
	[ "$(cat /proc/$p/comm 2>/dev/null)" = hello ] && kill -9 "$p"
done
wait $SEQ
before=$(tr -cd . <"$OUT.before" | wc -c)
after=$(tr -cd . <"$OUT.restart" 2>/dev/null | wc -c)
echo "  before the kill: $(cat "$OUT.before")"
echo "  after restart:   $(cat "$OUT.restart" 2>/dev/null)"
cat "$OUT.err" "$OUT.restart-err" 2>/dev/null | sed 's/^/  stderr: /'
if [ -s myckpt ] && [ "$before" -ge 3 ] && [ "$after" -ge 2 ]; then
	echo "seed recipe ($TAG): ok ($before dots, killed, $after more after the restart)"
	exit 0
fi
echo "seed recipe ($TAG): FAILED ($before dots before, $after after the restart; image: $(ls -la myckpt 2>&1))"
exit 1
