#!/bin/sh
# Build-time audit of libckpt.so: freestanding (no undefined dynamic
# symbols, no DT_NEEDED), exports only the public API and the calls it
# wraps on purpose (core/libckpt.exports, the one list), and fits its budget.
lib=$1 max=$2
fail() { echo "audit: $lib: $*" >&2; rm -f "$lib"; exit 1; }
und=$(nm -D --undefined-only "$lib" | awk '{print $NF}')
[ -z "$und" ] || fail "undefined symbols: $und"
readelf -d "$lib" | grep -q NEEDED && fail "has DT_NEEDED entries"
exp=$(nm -D --defined-only "$lib" | awk '{print $NF}' | sort | tr '\n' ' ')
want=$(sed 's/#.*//' "$(dirname "$0")/../core/libckpt.exports" | awk 'NF { print $1 }' | sort | tr '\n' ' ')
[ "$exp" = "$want" ] || fail "unexpected exports: $exp"
size=$(stat -c %s "$lib")
[ "$size" -le "$max" ] || fail "$size bytes, budget $max"
echo "audit: $lib ok ($size bytes of $max)"
