# Sourced by tests/run.sh: the tool around the core (issue 8): the program
# API, ckpt-run and its options, configuration errors, --info, install.

# the API example: self-checkpoints every 10 steps; killed a few steps
# after the checkpoint of step 20 (well before the one of step 30),
# restarted from the image of step 20
case_api() {
	local why=
	reference "$W/ref.out" "$BIN/api"
	launch "$W/seg0" "$BIN/api"
	if wait_lines "$W/seg0" 23 $((20 * SLOW)); then
		stop $PID; wait $PID 2>/dev/null
		restart "$W/seg1"
		wait_exit $((20 * SLOW)) || why="restart did not finish"
		grep -q '^0000 enabled 0$' "$W/ref.out" || why="${why:-without the library ckpt_enabled() is not 0}"
		grep -q '^0000 enabled 1$' "$W/seg0" || why="${why:-ckpt_enabled() is not 1 under the library}"
		grep -q '^0020 checkpoint -> restarted$' "$W/seg1" || why="${why:-ckpt_checkpoint() did not return 1 after the restart}"
		[ "$(tail -1 "$W/seg1" | cut -d' ' -f1-3)" = "$(tail -1 "$W/ref.out" | cut -d' ' -f1-3)" ] || why="${why:-final state differs}"
		tail -1 "$W/seg1" | grep -q 'restarts 1$' || why="${why:-the CKPT_RESTART callback did not run once}"
	else
		why="no output"
	fi
	stop $PID
	verdict api-example "$why"
}
def_case api-example case_api

# ckpt-run: options become configuration; the image goes where asked
case_ckpt_run() {
	local i
	mkdir -p "$W/sub"
	reference "$W/ref.out" "$BIN/counter"
	(cd "$W" && exec "$ROOT/ckpt-run" ${RUNNER:+--qemu} --file sub/img.x --signal USR1 --verbose \
		--full-every 1 "$BIN/counter") >"$W/seg0" 2>>"$W/stderr" &
	PID=$!; track $PID
	wait_lines "$W/seg0" 5 $((20 * SLOW)) && kill -USR1 $PID
	wait_image $((20 * SLOW)) "$W/sub/img.x"
	if [ -e "$W/sub/img.x" ]; then
		stop $PID; wait $PID 2>/dev/null
		(cd "$W" && exec $RUNNER "$MYRESTART" sub/img.x >"$W/seg1" 2>>"$W/stderr") & PID=$!; track $PID
		wait_exit $((20 * SLOW)) || why="restart did not finish"
		splice "$W/seg0" "$W/seg1" >"$W/spliced.out"
		cmp -s "$W/ref.out" "$W/spliced.out" || why="${why:-output differs}"
		grep -q "libckpt: checkpoint 1 written to $W/sub/img.x (" "$W/stderr" || why="${why:-no --verbose line}"
		grep -q "incremental checkpoints off: every image is full: CKPT_FULL_EVERY=1" "$W/stderr" ||
			why="${why:---full-every 1 not taken}"
	else
		why="no image at sub/img.x after SIGUSR1"
	fi
}
def_verdict ckpt-run-options case_ckpt_run

# a bad value: one line, and the program runs as if without the library
case_bad_config() {
	local why= kv
	reference "$W/ref.out" "$BIN/counter"
	for kv in CKPT_SIGNAL=FOO CKPT_SIGNAL=9 CKPT_VERBOSE=yes CKPT_FILE= CKPT_INTERVAL=0 CKPT_INTERVAL=5s \
		  CKPT_THREAD_TIMEOUT=0 CKPT_FULL_EVERY=0 CKPT_FULL_EVERY=65; do
		if [ -n "$RUNNER" ]; then
			(cd "$W" && $RUNNER -E LD_PRELOAD="$LIB" -E "$kv" "$BIN/counter" >"$W/out" 2>"$W/err")
		else
			(cd "$W" && env LD_PRELOAD="$LIB" "$kv" "$BIN/counter" >"$W/out" 2>"$W/err")
		fi
		cmp -s "$W/out" "$W/ref.out" || why="$kv: output differs"
		{ [ "$(grep -c . "$W/err")" -eq 1 ] && grep -q 'checkpoints disabled' "$W/err"; } || why="$kv: stderr: $(head -c 200 "$W/err")"
	done
	verdict bad-configuration "$why"
}
def_case bad-configuration case_bad_config

# --info, --help, --version
case_info() {
	local why= w t
	launch "$W/seg0" "$BIN/counter"
	if take_image "$W/seg0" 3; then
		$RUNNER "$MYRESTART" --info "$W/myckpt" >"$W/info" 2>&1 || why="--info failed"
		for w in "program:.counter (pid $PID," "command:.$BIN/counter" "cwd:.$W" "\[stack\]" "libckpt.so"; do
			grep -q "$w" "$W/info" || why="${why:-no '$w' in --info}"
		done
		$RUNNER "$MYRESTART" --info --bytes "$W/myckpt" | grep -q "$(stat -c %s "$W/myckpt") bytes" || why="${why:---bytes size wrong}"
		# the date is the epoch seconds beside it, as date(1) renders them
		t=$(sed -n 's/^time:.*(\([0-9]*\))$/\1/p' "$W/info")
		grep -q "^time:.$(date -u -d "@${t:-0}" '+%Y-%m-%d %H:%M:%S') UTC ($t)" "$W/info" || why="${why:-bad time line}"
	else
		why="no image"
	fi
	stop $PID
	$RUNNER "$MYRESTART" --help | grep -q '^Usage: myrestart' || why="${why:---help}"
	$RUNNER "$MYRESTART" --version | grep -q 'image format 9' || why="${why:---version}"
	verdict info-help-version "$why"
}
def_case info-help-version case_info

# make install into a staging directory: the installed ckpt-run finds the
# installed library; uninstall leaves nothing
case_install() {
		local why= lib f
		make -s -C "$ROOT" install DESTDIR="$W/root" PREFIX=/opt/ckpt >/dev/null || why="make install failed"
		reference "$W/ref.out" "$BIN/counter"
		lib=$(sed -n 's/^CKPT_LIB=//p' "$W/root/opt/ckpt/bin/ckpt-run")
		[ "$lib" = /opt/ckpt/lib/libckpt.so ] || why="${why:-installed ckpt-run points at '$lib'}"
		for f in bin/myrestart bin/ckpt-run lib/libckpt.so include/ckpt.h share/man/man1/myrestart.1 \
			 share/man/man1/ckpt-run.1 share/man/man7/libckpt.7; do
			[ -s "$W/root/opt/ckpt/$f" ] || why="${why:-$f not installed}"
		done
		make -s -C "$ROOT" uninstall DESTDIR="$W/root" PREFIX=/opt/ckpt >/dev/null
		[ -z "$(find "$W/root" -type f)" ] || why="${why:-uninstall left $(find "$W/root" -type f | head -1)}"
		verdict install-uninstall "$why"
}
[ -z "$RUNNER" ] && def_case install-uninstall case_install

# CKPT_INTERVAL: checkpoints without any signal from outside, output
# unchanged, and the timer ticks again after a restart
case_interval() {
	local i
	reference "$W/ref.out" "$BIN/counter" 150 40
	if [ -n "$RUNNER" ]; then
		(cd "$W" && exec $RUNNER -E LD_PRELOAD="$LIB" -E CKPT_INTERVAL=1 -E CKPT_VERBOSE=1 \
			"$BIN/counter" 150 40) >"$W/seg0" 2>"$W/err0" &
	else
		(cd "$W" && CKPT_INTERVAL=1 CKPT_VERBOSE=1 LD_PRELOAD="$LIB" exec "$BIN/counter" 150 40) \
			>"$W/seg0" 2>"$W/err0" &
	fi
	PID=$!; track $PID
	wait_until $((15 * SLOW)) eval '[ "$(grep -c "written to" "$W/err0")" -ge 2 ]'
	if [ "$(grep -c 'written to' "$W/err0")" -ge 2 ]; then
		stop $PID; wait $PID 2>/dev/null
		(cd "$W" && CKPT_VERBOSE=0 exec $RUNNER "$MYRESTART" myckpt >"$W/seg1" 2>"$W/err1") & PID=$!; track $PID
		wait_exit $((30 * SLOW)) || why="restart did not finish"
		splice "$W/seg0" "$W/seg1" >"$W/spliced.out"
		[ -z "$why" ] && ! cmp -s "$W/ref.out" "$W/spliced.out" && why="output differs"
		[ -z "$why" ] && [ "$(grep -c 'written to' "$W/err1")" -lt 1 ] && why="no timed checkpoint after the restart"
	else
		why="fewer than 2 timed checkpoints in 15 s: $(head -c 200 "$W/err0")"
	fi
}
def_verdict interval-checkpoints case_interval

# examples/slurm/job.sh without Slurm: signal the batch shell, end the job
# once it asked for a requeue, run the script again: it must restart
case_slurm() {
	local why= i
	mkdir -p "$W/bin"
	printf '#!/bin/sh\necho "$@" >>"%s/scontrol.log"\n' "$W" >"$W/bin/scontrol"; chmod +x "$W/bin/scontrol"
	reference "$W/ref.out" "$BIN/counter" 150 20
	(cd "$W" && SLURM_JOB_ID=42 PATH="$W/bin:$PATH" CKPT_RUN="$ROOT/ckpt-run" MYRESTART="$MYRESTART" \
		exec "$ROOT/examples/slurm/job.sh" "$BIN/counter" 150 20) >"$W/seg0" 2>>"$W/stderr" &
	PID=$!; track $PID
	wait_lines "$W/seg0" 10 20 && kill -USR2 $PID
	wait_until 20 grep -q 'requeue 42' "$W/scontrol.log"
	if grep -q 'requeue 42' "$W/scontrol.log" 2>/dev/null && [ -s "$W/myckpt" ]; then
		# Slurm ends the job: the whole process group
		stop_tree $PID; wait $PID 2>/dev/null
		(cd "$W" && SLURM_JOB_ID=42 PATH="$W/bin:$PATH" CKPT_RUN="$ROOT/ckpt-run" MYRESTART="$MYRESTART" \
			exec "$ROOT/examples/slurm/job.sh" "$BIN/counter" 150 20) >"$W/seg1" 2>>"$W/stderr" &
		PID=$!; track $PID
		wait_exit 30 || why="the requeued job did not finish"
		grep -q 'job.sh: restarting from' "$W/stderr" || why="${why:-the requeued job started over}"
		splice "$W/seg0" "$W/seg1" >"$W/spliced.out"
		[ -z "$why" ] && ! cmp -s "$W/ref.out" "$W/spliced.out" && why="output differs"
	else
		why="no requeue after SIGUSR2: $(cat "$W/stderr" | head -c 200)"
	fi
	stop_tree $PID
	verdict slurm-requeue "$why"
}
[ -z "$RUNNER" ] && def_case slurm-requeue case_slurm

# The README's layout table and the tree agree: every source file (.c .h
# .S) under core/ restart/ common/ arch/ is named in the row of its
# directory (`name.c`, or `sub/name.c` below it), and every source file a
# row names exists (a name with a slash may be the tree's own path:
# `restart/image.c` in core/'s row).  Each edit that would make them agree
# is said with the line of README.md to make it in, e.g.
#   README.md:616 (| `restart/` |): add `foo.c`
#   README.md:616 (| `restart/` |): remove `image.c` (no restart/image.c)
#   README.md: no row | `arch/aarch64/` |: add one naming `cpu.c`
layout_edits() {
	(cd "$ROOT" && find core restart common arch -type f \( -name '*.[ch]' -o -name '*.S' \) | sort |
	awk 'function top(d) { sub(/\/.*/, "", d); return d }
	     FNR == NR {
		if (!match($0, /^\| `[A-Za-z0-9_.\/-]+\/` \|/)) next
		d = substr($0, 4, RLENGTH - 6); line[d] = FNR; rows[++nrows] = d
		rest = substr($0, RLENGTH + 1)
		while (match(rest, /`[^`]+`/)) {
			t = substr(rest, RSTART + 1, RLENGTH - 2); rest = substr(rest, RSTART + RLENGTH)
			if (t ~ /^[A-Za-z0-9_.\/-]+\.[chS]$/) { named[d, t] = 1; toks[d] = toks[d] " " t }
		}
		next
	     }
	     { have[$0] = 1; f[++nf] = $0 }
	     END {
		for (i = 1; i <= nf; i++) {
			best = ""
			for (r = 1; r <= nrows; r++)
				if (index(f[i], rows[r]) == 1 && length(rows[r]) > length(best)) best = rows[r]
			if (best == "") {
				d = f[i]; sub(/\/[^\/]*$/, "/", d); n = f[i]; sub(/.*\//, "", n)
				printf "files|README.md: no row | `%s` |: add one naming `%s`\n", d, n
			} else if (!((best, substr(f[i], length(best) + 1)) in named))
				printf "files|README.md:%d (| `%s` |): add `%s`\n", line[best], best, substr(f[i], length(best) + 1)
		}
		for (r = 1; r <= nrows; r++) {
			d = rows[r]
			if (top(d) !~ /^(core|restart|common|arch)$/) continue
			k = split(toks[d], tk, " ")
			for (j = 1; j <= k; j++)
				if (!((d tk[j]) in have) && !(tk[j] in have))
					printf "entries|README.md:%d (| `%s` |): remove `%s` (no %s%s%s)\n", line[d], d, tk[j], d, tk[j],
						tk[j] ~ /\// ? ", no " tk[j] : ""
		}
	     }' README.md -)
}
case_readme_layout() {
	local edits
	edits=$(layout_edits)
	verdict readme-layout/files "$(sed -n 's/^files|//p' <<<"$edits" | paste -sd ';' | sed 's/;/; /g')"
	verdict readme-layout/entries "$(sed -n 's/^entries|//p' <<<"$edits" | paste -sd ';' | sed 's/;/; /g')"
}
[ -z "$RUNNER" ] && def_case readme-layout case_readme_layout
