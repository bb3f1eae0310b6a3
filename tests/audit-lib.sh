#!/bin/sh
# Build-time audit of libckpt.so: freestanding (no undefined dynamic
# symbols, no DT_NEEDED), exports only the public API and the mask calls
# it wraps (core/sigmask.c), and fits its budget.
lib=$1 max=$2
fail() { echo "audit: $lib: $*" >&2; rm -f "$lib"; exit 1; }
und=$(nm -D --undefined-only "$lib" | awk '{print $NF}')
[ -z "$und" ] || fail "undefined symbols: $und"
readelf -d "$lib" | grep -q NEEDED && fail "has DT_NEEDED entries"
exp=$(nm -D --defined-only "$lib" | awk '{print $NF}' | sort | tr '\n' ' ')
[ "$exp" = "ckpt_checkpoint ckpt_enabled ckpt_on getpid gettid kill madvise mmap mmap64 mremap munmap pthread_sigmask sigprocmask sigsuspend tgkill " ] || fail "unexpected exports: $exp"
size=$(stat -c %s "$lib")
[ "$size" -le "$max" ] || fail "$size bytes, budget $max"
echo "audit: $lib ok ($size bytes of $max)"
