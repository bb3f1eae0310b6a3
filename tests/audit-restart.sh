#!/bin/sh
# Build-time audit of myrestart: static, no interpreter, one LOAD segment
# each for text, data and bss, starting in the page at 0x5000000 (after the
# ELF headers) and exactly at 0x5100000 and 0x5200000, file offsets the
# kernel can map, and within its size budget.
bin=$1 max=$2
fail() { echo "audit: $bin: $*" >&2; rm -f "$bin"; exit 1; }
ph=$(readelf -lW "$bin")
echo "$ph" | grep -q INTERP && fail "has an interpreter"
readelf -d "$bin" 2>/dev/null | grep -q NEEDED && fail "is dynamically linked"
loads=$(echo "$ph" | awk '$1 == "LOAD" { print $2, $3, $5 }')
for page in 0x5000000 0x5100000 0x5200000; do
	n=0
	while read -r off addr filesz; do
		if [ $((page)) -eq $((0x5000000)) ]; then
			[ $((addr & ~0xfff)) -eq $((page)) ] && n=$((n + 1))
		else
			[ $((addr)) -eq $((page)) ] && n=$((n + 1))
		fi
		[ $((filesz)) -eq 0 ] || [ $(((off - addr) & 0xfff)) -eq 0 ] ||
			fail "LOAD at $addr has file offset $off: not mappable"
	done <<EOF
$loads
EOF
	[ $n -eq 1 ] || fail "no LOAD segment at $page"
done
[ "$(echo "$loads" | wc -l)" -eq 3 ] || fail "more than three LOAD segments"
size=$(stat -c %s "$bin")
[ "$size" -le "$max" ] || fail "$size bytes, budget $max"
echo "audit: $bin ok ($size bytes of $max)"
