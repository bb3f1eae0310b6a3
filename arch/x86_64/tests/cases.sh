# x86-64's own cases, sourced by tests/run.sh: the CPU state this port
# saves (AVX, SSE and x87 registers and control words) lives across a
# checkpoint, a kill and a restart.
[ "$BIN/fpu" -nt "$ROOT/arch/x86_64/tests/fpu.c" ] ||
	gcc -O1 -I"$ROOT/tests/progs" -o "$BIN/fpu" "$ROOT/arch/x86_64/tests/fpu.c" -mavx2 -pthread -lm ||
	echo "cannot build arch/x86_64/tests/fpu.c"
# the AVX loop is emulated under qemu: fewer iterations there (natively,
# enough that the program cannot end before the harness signals it: the
# checkpoint comes after the first of its 12 steps, since on a machine the
# suite keeps busy the harness once saw 3 lines only after the last)
def_cycle fpu-avx 1 1 $((60 * SLOW)) "$BIN/fpu" $((SLOW > 1 ? 937500 : 120000000))
# three threads in the loop at once, each in its own rounding mode
def_cycle fpu-avx-threads 1 1 $((60 * SLOW)) "$BIN/fpu" $((SLOW > 1 ? 468750 : 60000000)) 3
