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
#
# The recipe finds its hello by name.  Its commands are kept as the
# assignment spells them, but here pgrep and pkill look only at this
# script's session (-s 0), a session of its own: the hello they find is
# the one it started, never another program named hello on the machine.
set -u
if [ "$(ps -o sid= -p $$ | tr -d ' ')" != $$ ]; then exec setsid -w "$BASH" "$0" "$@"; fi
pgrep() { command pgrep -s 0 "$@"; }
pkill() { command pkill -s 0 "$@"; }
cd "$(dirname "$0")/.."
. tests/primitives.sh      # descendants
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
# (under `make restart`, which never ends by itself): until it printed two
# dots, at most a minute (a loaded machine restarts late under qemu), then
# all that the recipe left running goes: make, myrestart, the new hello
dots() { [ "$( { tr -cd . <"$OUT.restart"; } 2>/dev/null | wc -c)" -ge 2 ]; }
POLL_MS=100 wait_until 60 dots
# (the subshell first: it would report its make's death)
left=$(descendants $SEQ)
kill -9 $SEQ $left 2>/dev/null
wait $SEQ 2>/dev/null
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
