# The corpus: real programs from Debian packages, nobody here wrote them.
# Sourced by tests/run.sh (--corpus), once per runner; corpus_register
# makes one case per program of programs.sh, named corpus-NAME.
#
# Each program runs once uninterrupted (the reference), then twice under
# libckpt.so: checkpointed at about 30% and at about 65% of the
# reference's time, killed with SIGKILL, restarted with myrestart (stdin
# and stdout the same files, `<in 1<>out`, so that myrestart puts their
# offsets back), and compared byte for byte with the reference: standard
# output, the exit status and every file the program writes.  Programs
# that cannot be supported yet are run too: their checkpoint must fail or
# warn with the line that says why, and they must finish as if nothing
# happened.

# the inputs of this runner's corpus, made once (each program's work is
# a second to a few under either runner)
corpus_inputs() {
	IN=$OUT/corpus-input
	mkdir -p "$IN"
	{ python3 "$ROOT/tests/corpus/mkinput.py" "$IN" "$(pick 8 4)" &&
	  python3 "$ROOT/tests/data/mkdb.py" "$(pick 300 100)" >"$IN/db.sql" &&
	  echo "scale=$(pick 1700 1100); 4*a(1)" >"$IN/pi.bc" &&
	  for i in $(seq "$REP"); do cat "$IN/words.txt"; done >"$IN/big.txt" &&
	  echo "n = $(pick 120 25); read(\"$S/calc.gp\")" >"$IN/calc.gp" &&
	  python3 "$ROOT/tests/corpus/mkc.py" "$(pick 60 6)" >"$IN/big.c" &&
	  xz -1 -T2 -c "$IN/words.txt" >"$IN/words.xz" &&
	  for i in $(seq "$(pick 6 4)"); do cat "$IN/words.xz"; done >"$IN/bigw.txt.xz" && rm "$IN/words.xz" &&
	  git_inputs "$(pick 1200 600)"; }
}
# the Debian package and version that hold the program at path (in the
# cases, side by side: 60 dpkg -S one after the other took seconds)
package_of() {
	local pkg
	# dpkg knows /usr/bin/bash as /bin/bash (merged /usr)
	pkg=$( (dpkg -S "$1" || dpkg -S "${1#/usr}") 2>/dev/null | head -1 | cut -d: -f1)
	echo "${pkg:-?} $(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null)"
}
# made or failed (corpus_register makes them while the first cases run)
inputs_ready() { [ -e "$IN/.made" ] || [ -e "$IN/.failed" ]; }
# git_inputs N: $IN/repo.git, a history of N commits (a directory, which
# start does not link into the programs' directories: they name it)
git_inputs() {
	rm -rf "$IN/repo.git" &&
	git init -q --bare --initial-branch=main "$IN/repo.git" &&
	python3 "$ROOT/tests/corpus/mkgit.py" "$1" |
		GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null git --git-dir="$IN/repo.git" fast-import --quiet
}
pick() {  # pick NATIVE QEMU: the value for this runner
	if [ -n "$RUNNER" ]; then echo "$2"; else echo "$1"; fi
}
rep() {  # rep FILE [N]: FILE, N times (default $REP)
	local i; for i in $(seq "${2:-$REP}"); do echo "$1"; done
}

# program NAME [stdin=F] [files='A B'] [env='K=V ...'] [expect='REGEX']
#         [filter='CMD'] [at=lines] -- ARGV...
#   stdin: the program's standard input (default /dev/null); files: the
#   files it writes, compared too; expect: the checkpoint must print a line
#   matching REGEX (a program we cannot support yet), and the program must
#   finish unharmed; filter: standard output is compared through CMD (a
#   shell command, stdin to stdout), for output that differs from run to
#   run (timings): CMD keeps what must be equal and says what must hold of
#   the rest; at=lines: the checkpoints are taken once standard output
#   has 30% and 65% of the reference's lines (an event: the machine's
#   load does not move it), not at those fractions of its time.  The
#   version is the Debian package's that holds ARGV[0].
declare -A VERSION ARGV STDIN FILES EXPECT ENVS FILTER BYLINES
program() {
	local name=$1 path pkg key
	shift
	key=$TAG/$name
	STDIN[$key]=/dev/null FILES[$key]= ENVS[$key]= EXPECT[$key]= FILTER[$key]= BYLINES[$key]=
	while [ "$1" != -- ]; do
		case $1 in
		stdin=*) STDIN[$key]=${1#stdin=} ;;
		files=*) FILES[$key]=${1#files=} ;;
		env=*) ENVS[$key]=${1#env=} ;;
		expect=*) EXPECT[$key]=${1#expect=} ;;
		filter=*) FILTER[$key]=${1#filter=} ;;
		at=lines) BYLINES[$key]=1 ;;
		*) echo "program $name: unknown option $1" >&2 ;;
		esac
		shift
	done
	shift
	# (one a core: side by side with the others, they slowed the whole
	# suite's harness enough for a case that waits on a 2 s program to
	# signal it too late)
	def_case "corpus-$name" corpus_case cpu
	path=$(PATH=/usr/bin:/bin command -v "$1") || { VERSION[$key]="$1 not installed"; ARGV[$key]=; return; }
	shift
	ARGV[$key]=$(printf '%q ' "$path" "$@")
	VERSION[$key]=$(readlink -f "$path")      # (its package: the case asks dpkg)
}

corpus_register() {
	S=$ROOT/tests/corpus/scripts
	# qemu runs these programs 5 to 20 times slower: smaller work there
	if [ -n "$RUNNER" ]; then REP=16 CSLOW=4; else REP=8 CSLOW=1; fi
	CC1=$(gcc -print-prog-name=cc1)
	IN=$OUT/corpus-input
	rm -rf "$IN" && mkdir -p "$IN"
	# the inputs are made while the first cases run (10-15 s with both
	# runners, nothing else running), by a grandchild: run_cases waits
	# for any child of its own
	( ( corpus_inputs && : >"$IN/.made" || : >"$IN/.failed" ) >"$IN.log" 2>&1 & )
	. "$ROOT/tests/corpus/programs.sh"
}

# --- one program ---
now_ms() { date +%s%3N; }
stdin_of() { case ${STDIN[$K]} in /*) echo "${STDIN[$K]}" ;; *) echo "$1/${STDIN[$K]}" ;; esac; }
# start DIR [LIB]: the program in DIR (inputs linked there), pid in $PID
start() {
	local d=$1 lib=${2:-} f
	mkdir -p "$d"
	for f in "$IN"/*; do [ -d "$f" ] || ln "$f" "$d/" 2>/dev/null || cp "$f" "$d/"; done
	if [ -n "$RUNNER" ]; then
		(cd "$d" && eval "exec env ${ENVS[$K]} $RUNNER ${lib:+-E LD_PRELOAD=$lib} ${ARGV[$K]}" \
			<"$(stdin_of "$d")" >"$d/out" 2>"$d/err") &
	else
		(cd "$d" && eval "exec env ${ENVS[$K]} ${lib:+LD_PRELOAD=$lib} ${ARGV[$K]}" \
			<"$(stdin_of "$d")" >"$d/out" 2>"$d/err") &
	fi
	PID=$!; track $PID
}

# same DIR: DIR's results equal the reference's; prints why not
same() {
	local d=$1 ref=$W/ref f
	[ "$(cat "$d/rc")" = "$(cat "$ref/rc")" ] || { echo "exit status $(cat "$d/rc"), want $(cat "$ref/rc")"; return; }
	if [ -n "${FILTER[$K]}" ]; then
		(eval "${FILTER[$K]}") <"$ref/out" >"$ref/out.filtered" 2>&1
		(eval "${FILTER[$K]}") <"$d/out" >"$d/out.filtered" 2>&1
		cmp -s "$ref/out.filtered" "$d/out.filtered" ||
			{ echo "output differs through its filter (diff $ref/out.filtered $d/out.filtered)"; return; }
	else
		cmp -s "$ref/out" "$d/out" || { echo "output differs (cmp $ref/out $d/out)"; return; }
	fi
	for f in ${FILES[$K]}; do
		cmp -s "$ref/$f" "$d/$f" || { echo "$f differs from the reference's"; return; }
	done
}
has_image_or_failed() {  # the image, or the line that says why not
	[ -e "$1/myckpt" ] || grep -Eq 'libckpt: checkpoint ([0-9]+ )?failed' "$1/err"
}

# the image, or the line that says why not, or the program ended with
# neither (the signal came too late to be taken)
settled() { has_image_or_failed "$1" || ! alive "$PID"; }

# point PCT: checkpoint at PCT% of the reference's time (or of its
# lines: at=lines), kill, restart, compare; prints "ok" or the reason
point() {
	local pct=$1 d=$W/at$1 ms lines why= tries=0
	ms=$((REF_MS * pct / 100)) lines=$((REF_LINES * pct / 100))
	while :; do
		rm -rf "$d"
		start "$d" "$LIB"
		if [ -n "${BYLINES[$K]}" ]; then
			wait_until $((REF_MS / 1000 * 2 + 30 * CSLOW)) lines_or_gone "$d/out" "$lines"
		else
			sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
		fi
		if alive $PID; then
			kill -USR2 $PID
			wait_until $((30 * CSLOW)) settled "$d"
			# a program that ended meanwhile leaves its writer to finish
			# (the test stays valid: the restart goes on from the
			# checkpoint and writes the same bytes)
			alive $PID || wait_until $((10 * CSLOW)) has_image_or_failed "$d"
			has_image_or_failed "$d" && break
		fi
		wait $PID
		# finished before the checkpoint: try earlier, twice at most
		tries=$((tries + 1)); ms=$((ms / 2)) lines=$((lines / 2))
		[ $tries -lt 3 ] || { echo "finished before every checkpoint"; return; }
	done
	if [ -n "${EXPECT[$K]}" ]; then
		# not supported yet: the line that says so, then an unharmed finish
		wait $PID; echo $? >"$d/rc"
		grep -Eq "${EXPECT[$K]}" "$d/err" || why="no line matching '${EXPECT[$K]}' (stderr: $(head -c 200 "$d/err"))"
		[ -n "$why" ] || why=$(same "$d")
		echo "${why:-ok}"
		return
	fi
	stop_tree $PID; wait $PID 2>/dev/null
	if [ ! -e "$d/myckpt" ]; then
		echo "no image ($(grep -m1 libckpt "$d/err"))"
		return
	fi
	(cd "$d" && eval "exec timeout -s KILL $((REF_MS / 100 + 60)) $RUNNER $MYRESTART myckpt" \
		<"$(stdin_of "$d")" 1<>"$d/out" 2>"$d/err2")
	echo $? >"$d/rc"
	why=$(same "$d")
	[ -z "$why" ] || why="$why; restart stderr: $(head -c 200 "$d/err2")"
	echo "${why:-ok}"
}

# the case: reference, then both points
corpus_case() {
	local name=${W##*/corpus-} r30 r65 t0 what why=
	K=$TAG/$name
	S=$ROOT/tests/corpus/scripts
	IN=$OUT/corpus-input        # this runner's (the last registered is the other's)
	if ! wait_until 300 inputs_ready || [ -e "$IN/.failed" ]; then
		verdict "corpus-$name" "the corpus's inputs were not made: $(tail -c 200 "$IN.log")"
		return
	fi
	if [ -z "${ARGV[$K]}" ]; then
		report "corpus-$name" 0 "${VERSION[$K]} (make deps)"
		return
	fi
	t0=$(now_ms)
	start "$W/ref"
	wait $PID; echo $? >"$W/ref/rc"
	REF_MS=$(($(now_ms) - t0)) REF_LINES=$(wc -l <"$W/ref/out")
	r30=$(point 30); r65=$(point 65)
	[ "$r30" = ok ] || why="at 30%: $r30"
	[ "$r65" = ok ] || why="${why:+$why; }at 65%: $r65"
	what=${EXPECT[$K]:+refused or warned as expected}
	printf '%-14s %-36s %-7s %s\n' "$name" "$(package_of "${VERSION[$K]}")" "$TAG" \
		"$([ -z "$why" ] && echo "${what:-ok}" || echo FAILED)" >"$OUT/corpus-table.$name"
	verdict "corpus-$name" "$why"
}

# corpus_table OUT...: the program, version, runner, result table of the
# corpus cases run into those directories
corpus_table() {
	local d t=()
	for d; do t+=("$d"/corpus-table.*); done
	[ -e "${t[0]}" ] || return 0
	echo "# corpus: program, version, runner, result"
	cat "${t[@]}" 2>/dev/null | sed 's/^/#   /'
}
