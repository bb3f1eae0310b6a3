# Sourced by tests/run.sh: an image this machine cannot run is refused in
# one line naming what differs, before the point of no return (exit
# status 1, nothing restored), never a crash: a CPU without the extended
# state (XCR0's components) the image's threads saved, another kernel's
# vdso.  A job requeued onto another node of a mixed partition meets
# these.

# machine_refused NAME IMAGE WANT_REGEX [MYRESTART-OPTIONS]: the verdict
# (extra environment for the runner, QEMU_CPU: in front, as for any
# command)
machine_refused() {
	local name=$1 img=$2 want=$3 rc; shift 3
	timeout 20 $RUNNER "$MYRESTART" "$@" "$img" >"$W/out" 2>"$W/err" </dev/null
	rc=$?
	if [ $rc -ne 1 ]; then
		verdict "$name" "exit status $rc, want 1: $(head -c 300 "$W/err")"
	elif [ "$(wc -l <"$W/err")" -ne 1 ] || ! grep -Eq "$want" "$W/err" || [ -s "$W/out" ]; then
		verdict "$name" "stderr: $(head -c 300 "$W/err")"
	else
		verdict "$name" ""
	fi
}

# machine_edit IN OUT WHAT: the image as another machine's
# (tests/progs/imgedit.py: WHAT is xstate, vdso or vdsoid); prints what
# differs
machine_edit() { python3 "$ROOT/tests/progs/imgedit.py" "$@"; }

# an image of the counter, taken here (extra environment in front: QEMU_CPU)
machine_image() {
	launch "$W/seg0" "$BIN/counter" 400 20
	if wait_lines "$W/seg0" 2 $((20 * QEMU_SLOW)) && kill -USR2 "$PID" && wait_image $((20 * QEMU_SLOW)); then
		stop "$PID"; wait "$PID" 2>/dev/null
		return 0
	fi
	stop "$PID"; wait "$PID" 2>/dev/null
	return 1
}

# edited NAME OUT WHAT: $W/OUT, $W/myckpt edited by machine_edit WHAT,
# what differs in $SAID; 1 when it cannot be (NAME reported)
edited() {
	SAID=$(machine_edit "$W/myckpt" "$W/$2" "$3") || { verdict "$1" "cannot edit: $SAID"; return 1; }
}

# one more XCR0 component than this CPU has: refused by --check and by a
# restart, naming it and every component the image needs
case_machine_xstate() {
	machine_image || { verdict machine-refusal/cpu-lacks-xstate "could not take an image"; return; }
	edited machine-refusal/cpu-lacks-xstate more xstate || return
	machine_refused machine-refusal/cpu-lacks-xstate "$W/more" \
		"^myrestart: .*/more: this CPU lacks $SAID \(xstate the image needs: x87 sse avx( [a-z0-9_-]+)*\)$"
	machine_refused machine-refusal/cpu-lacks-xstate-check "$W/more" "this CPU lacks $SAID " --check
}

# another kernel's vdso: a [vdso] of another size, refused with both sizes
# (by --check too, which job.sh asks first)
case_machine_vdso() {
	local sizes
	machine_image || { verdict machine-refusal/other-kernel-vdso "could not take an image"; return; }
	edited machine-refusal/other-kernel-vdso vdso vdso || return
	sizes=$SAID
	machine_refused machine-refusal/other-kernel-vdso "$W/vdso" \
		"^myrestart: .*/vdso: this kernel's \[vdso\] is ${sizes% *} bytes, the image's ${sizes#* } \(another kernel's: restart it on the kernel it was taken on\)$"
	machine_refused machine-refusal/other-kernel-vdso-check "$W/vdso" "this kernel's \[vdso\] is ${sizes% *} bytes" --check
	# the same size, another build (the image records its vdso's build-id)
	edited machine-refusal/other-kernel-vdso-build vdsoid vdsoid || return
	sizes=$SAID
	machine_refused machine-refusal/other-kernel-vdso-build "$W/vdsoid" \
		"^myrestart: .*/vdsoid: this kernel's \[vdso\] is another build: build-id [0-9a-f]{16}\.\.\., the image's $sizes\.\.\. \(another kernel's: restart it on the kernel it was taken on\)$"
	machine_refused machine-refusal/other-kernel-vdso-build-check "$W/vdsoid" "this kernel's \[vdso\] is another build" --check
}

# qemu-user: an image taken with -cpu max (xsave: x87 sse avx and more)
# restarts on max, and is refused on a Nehalem (no xsave, no AVX).  An
# image taken natively would be refused before that, for its runner.
case_machine_qemu_cpu() {
	QEMU_CPU=max machine_image || { verdict machine-refusal/qemu-cpu-nehalem "could not take an image under -cpu max"; return; }
	QEMU_CPU=max timeout 20 $RUNNER "$MYRESTART" --check "$W/myckpt" >"$W/out" 2>&1
	verdict machine-refusal/qemu-cpu-max-check "$([ "$(cat "$W/out")" = ok ] || cat "$W/out")"
	QEMU_CPU=Nehalem machine_refused machine-refusal/qemu-cpu-nehalem "$W/myckpt" \
		"^myrestart: .*/myckpt: this CPU lacks xsave avx( [a-z0-9_-]+)* \(xstate the image needs: x87 sse avx( [a-z0-9_-]+)*\)$"
}

if [ -z "$RUNNER" ]; then
	def_case machine-refusal/cpu-lacks-xstate case_machine_xstate
	def_case machine-refusal/other-kernel-vdso case_machine_vdso
else
	def_case machine-refusal/qemu-cpu-nehalem case_machine_qemu_cpu
fi
