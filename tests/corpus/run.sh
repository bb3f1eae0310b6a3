#!/bin/bash
# The corpus: real programs from Debian packages, nobody here wrote them.
# Each runs once uninterrupted (the reference), then twice under
# libckpt.so: checkpointed at about 30% and at about 65% of the
# reference's time, killed with SIGKILL, restarted with myrestart (stdin
# and stdout the same files, `<in 1<>out`, so that myrestart puts their
# offsets back), and compared byte for byte with the reference: standard
# output, the exit status and every file the program writes.  Programs
# that cannot be supported yet are run too: their checkpoint must fail or
# warn with the line that says why, and they must finish as if nothing
# happened.
#
#   tests/corpus/run.sh [--runner qemu-x86_64] [--jobs N] [NAME...]
#
# Prints "ok N - ..." lines, a table (program, version, runner, result)
# and "N passed, N failed".  The programs are listed in programs.sh.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
# Debian's programs, not whatever else the PATH of the caller finds first
export PATH=/usr/bin:/bin:/usr/sbin:/sbin
for fd in $(ls /proc/$$/fd); do
	case $fd in 0|1|2|255) ;; *) eval "exec $fd>&-" 2>/dev/null ;; esac
done
RUNNER= JOBS=2 SEL=()
while [ $# -gt 0 ]; do
	case $1 in
	--runner) RUNNER=$2; shift 2 ;;
	--jobs) JOBS=$2; shift 2 ;;
	*) SEL+=("$1"); shift ;;
	esac
done
LIB=$ROOT/libckpt.so MYRESTART=$ROOT/myrestart
TAG=${RUNNER:+qemu}; TAG=${TAG:-native}
OUT=$ROOT/tests/out/corpus-$TAG
IN=$OUT/input
rm -rf "$OUT" && mkdir -p "$IN"
# qemu runs these programs 5 to 20 times slower: smaller work there
# (each program's work is about 1.5 to 4 s under either runner)
if [ -n "$RUNNER" ]; then SCALE=4 REP=32 SLOW=4; else SCALE=16 REP=20 SLOW=1; fi
pick() {  # pick NATIVE QEMU: the value for this runner
	if [ -n "$RUNNER" ]; then echo "$2"; else echo "$1"; fi
}
{ python3 "$ROOT/tests/corpus/mkinput.py" "$IN" $SCALE &&
  python3 "$ROOT/tests/data/mkdb.py" "$(pick 500 150)" >"$IN/db.sql" &&
  echo "scale=$(pick 2300 1100); 4*a(1)" >"$IN/pi.bc" &&
  for i in $(seq "$REP"); do cat "$IN/words.txt"; done >"$IN/big.txt"; } ||
	{ echo "cannot make the inputs"; echo "0 passed, 1 failed"; exit 1; }
S=$ROOT/tests/corpus/scripts

rep() {  # rep FILE [N]: FILE, N times (default $REP)
	local i; for i in $(seq "${2:-$REP}"); do echo "$1"; done
}

# --- the program table, filled by programs.sh ---
NAMES=()
declare -A VERSION ARGV STDIN FILES EXPECT ENVS
# program NAME [stdin=F] [files='A B'] [env='K=V ...'] [expect='REGEX'] -- ARGV...
#   stdin: the program's standard input (default /dev/null); files: the
#   files it writes, compared too; expect: the checkpoint must print a line
#   matching REGEX (a program we cannot support yet), and the program must
#   finish unharmed.  The version is the Debian package's that holds ARGV[0].
program() {
	local name=$1 path pkg
	shift
	STDIN[$name]=/dev/null FILES[$name]= ENVS[$name]= EXPECT[$name]=
	while [ "$1" != -- ]; do
		case $1 in
		stdin=*) STDIN[$name]=${1#stdin=} ;;
		files=*) FILES[$name]=${1#files=} ;;
		env=*) ENVS[$name]=${1#env=} ;;
		expect=*) EXPECT[$name]=${1#expect=} ;;
		esac
		shift
	done
	shift
	NAMES+=("$name")
	path=$(command -v "$1") || { VERSION[$name]="$1 not installed"; ARGV[$name]=; return; }
	shift
	ARGV[$name]=$(printf '%q ' "$path" "$@")
	path=$(readlink -f "$path")
	# dpkg knows /usr/bin/bash as /bin/bash (merged /usr)
	pkg=$( (dpkg -S "$path" || dpkg -S "${path#/usr}") 2>/dev/null | head -1 | cut -d: -f1)
	VERSION[$name]="${pkg:-?} $(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null)"
}
. "$ROOT/tests/corpus/programs.sh"

selected() {
	[ ${#SEL[@]} -eq 0 ] && return 0
	local s; for s in "${SEL[@]}"; do [ "$s" = "$1" ] && return 0; done
	return 1
}

# --- one run ---
now_ms() { date +%s%3N; }
# start NAME DIR [LIB]: the program in DIR (inputs linked there), pid in $PID
start() {
	local name=$1 d=$2 lib=${3:-} f
	mkdir -p "$d"
	for f in "$IN"/*; do ln "$f" "$d/" 2>/dev/null || cp "$f" "$d/"; done
	if [ -n "$RUNNER" ]; then
		(cd "$d" && eval "exec env ${ENVS[$name]} $RUNNER ${lib:+-E LD_PRELOAD=$lib} ${ARGV[$name]}" \
			<"$(stdin_of "$name" "$d")" >"$d/out" 2>"$d/err") &
	else
		(cd "$d" && eval "exec env ${ENVS[$name]} ${lib:+LD_PRELOAD=$lib} ${ARGV[$name]}" \
			<"$(stdin_of "$name" "$d")" >"$d/out" 2>"$d/err") &
	fi
	PID=$!
}
stdin_of() { case ${STDIN[$1]} in /*) echo "${STDIN[$1]}" ;; *) echo "$2/${STDIN[$1]}" ;; esac; }
running() { [ -e "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

# reference NAME: the uninterrupted run; its time in ms in $OUT/NAME/ref.ms
reference() {
	local name=$1 d=$OUT/$1/ref t0
	t0=$(now_ms)
	start "$name" "$d"
	wait $PID; echo $? >"$d/rc"
	echo $(($(now_ms) - t0)) >"$OUT/$name/ref.ms"
}

# same NAME DIR: DIR's results equal the reference's; prints why not
same() {
	local name=$1 d=$2 ref=$OUT/$1/ref f
	[ "$(cat "$d/rc")" = "$(cat "$ref/rc")" ] || { echo "exit status $(cat "$d/rc"), want $(cat "$ref/rc")"; return; }
	cmp -s "$ref/out" "$d/out" || { echo "output differs (cmp $ref/out $d/out)"; return; }
	for f in ${FILES[$name]}; do
		cmp -s "$ref/$f" "$d/$f" || { echo "$f differs from the reference's"; return; }
	done
}

# point NAME PCT: checkpoint at PCT% of the reference's time, kill,
# restart, compare; writes "ok" or the reason to $OUT/NAME/PCT.result
point() {
	local name=$1 pct=$2 d ms why= tries=0 i
	ms=$(( $(cat "$OUT/$name/ref.ms") * pct / 100 ))
	while :; do
		d=$OUT/$name/at$pct; rm -rf "$d"
		start "$name" "$d" "$LIB"
		sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
		running $PID && break
		wait $PID
		# finished before the checkpoint: try earlier, twice at most
		tries=$((tries + 1)); ms=$((ms / 2))
		[ $tries -lt 3 ] || { echo "finished before every checkpoint" >"$OUT/$name/$pct.result"; return; }
	done
	kill -USR2 $PID
	# the image, or the line that says why not; a program that ends
	# meanwhile leaves its writer to finish (the test stays valid: the
	# restart goes on from the checkpoint and writes the same bytes)
	local left=$((100 * SLOW))
	for i in $(seq 1 $((600 * SLOW))); do
		[ -e "$d/myckpt" ] && break
		grep -Eq 'libckpt: checkpoint [0-9]+ failed' "$d/err" && break
		running $PID || { left=$((left - 1)); [ $left -gt 0 ] || break; }
		sleep 0.05
	done
	if [ -n "${EXPECT[$name]}" ]; then
		# not supported yet: the line that says so, then an unharmed finish
		wait $PID; echo $? >"$d/rc"
		grep -Eq "${EXPECT[$name]}" "$d/err" || why="no line matching '${EXPECT[$name]}' (stderr: $(head -c 200 "$d/err"))"
		[ -n "$why" ] || why=$(same "$name" "$d")
		echo "${why:-ok}" >"$OUT/$name/$pct.result"
		return
	fi
	if [ ! -e "$d/myckpt" ]; then
		kill -9 $PID 2>/dev/null; wait $PID 2>/dev/null
		echo "no image ($(grep -m1 libckpt "$d/err" || echo "program ended first"))" >"$OUT/$name/$pct.result"
		return
	fi
	kill -9 $PID 2>/dev/null; wait $PID 2>/dev/null
	(cd "$d" && eval "exec timeout -s KILL $(( $(cat "$OUT/$name/ref.ms") / 100 + 60 )) \
		$RUNNER $MYRESTART myckpt" <"$(stdin_of "$name" "$d")" 1<>"$d/out" 2>"$d/err2")
	echo $? >"$d/rc"
	why=$(same "$name" "$d")
	[ -z "$why" ] || why="$why; restart stderr: $(head -c 200 "$d/err2")"
	echo "${why:-ok}" >"$OUT/$name/$pct.result"
}

# case NAME: reference, then both points
one_case() {
	local name=$1
	mkdir -p "$OUT/$name"
	reference "$name"
	point "$name" 30
	point "$name" 65
}

# --- run, $JOBS cases at a time ---
for name in "${NAMES[@]}"; do
	selected "$name" || continue
	[ -n "${ARGV[$name]}" ] || continue
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
	one_case "$name" &
done
wait

# --- report ---
PASS=0 FAIL=0 N=0
TABLE=
for name in "${NAMES[@]}"; do
	selected "$name" || continue
	N=$((N + 1))
	if [ -z "${ARGV[$name]}" ]; then
		why="${VERSION[$name]} (make deps)"
	else
		why=
		for pct in 30 65; do
			r=$(cat "$OUT/$name/$pct.result" 2>/dev/null || echo "no result")
			[ "$r" = ok ] || why="${why:+$why; }at $pct%: $r"
		done
	fi
	what=${EXPECT[$name]:+refused or warned as expected}
	if [ -z "$why" ]; then
		PASS=$((PASS + 1)); echo "ok $N - corpus $name (${VERSION[$name]}, $TAG): ${what:-restarts at 30% and 65% match an uninterrupted run}"
		res=${what:-ok}
	else
		FAIL=$((FAIL + 1)); echo "not ok $N - corpus $name (${VERSION[$name]}, $TAG): $why"
		res="FAILED"
	fi
	TABLE+=$(printf '#   %-14s %-36s %-7s %s' "$name" "${VERSION[$name]}" "$TAG" "$res")$'\n'
done
echo "# corpus: program, version, runner, result"
printf '%s' "$TABLE"
echo "$PASS passed, $FAIL failed"
[ $FAIL -eq 0 ]
