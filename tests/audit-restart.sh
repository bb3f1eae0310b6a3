#!/bin/sh
# Build-time audit of myrestart: static, no interpreter, LOAD segments at
# 0x5000000 / 0x5100000 / 0x5200000, and within its size budget.
bin=$1 max=$2
fail() { echo "audit: $bin: $*" >&2; rm -f "$bin"; exit 1; }
ph=$(readelf -lW "$bin")
echo "$ph" | grep -q INTERP && fail "has an interpreter"
readelf -d "$bin" 2>/dev/null | grep -q NEEDED && fail "is dynamically linked"
for a in 0x0000000005000000 0x0000000005100000 0x0000000005200000; do
	echo "$ph" | grep LOAD | awk '{print $3}' | grep -qx "$a" || fail "no LOAD segment at $a"
done
size=$(stat -c %s "$bin")
[ "$size" -le "$max" ] || fail "$size bytes, budget $max"
echo "audit: $bin ok ($size bytes of $max)"
