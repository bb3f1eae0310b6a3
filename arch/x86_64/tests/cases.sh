# x86-64's own cases, sourced by tests/run.sh: the CPU state this port
# saves (AVX, SSE and x87 registers and control words) lives across a
# checkpoint, a kill and a restart.
build_arch() {  # build_arch NAME SRC FLAGS...
	local name=$1 src=$ROOT/arch/x86_64/tests/$2; shift 2
	[ "$BIN/$name" -nt "$src" ] && return 0
	gcc -O1 -I"$ROOT/tests/progs" -o "$BIN/$name" "$src" "$@" -lm
}
build_arch fpu fpu.c -mavx2 || echo "cannot build arch/x86_64/tests/fpu.c"
# the AVX loop is emulated under qemu: fewer iterations there
cycle fpu-avx 3 1 $((60 * QEMU_SLOW)) "$BIN/fpu" $((30000000 / QEMU_SLOW / QEMU_SLOW))
