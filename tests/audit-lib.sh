#!/bin/sh
# Build-time audit of libckpt.so: freestanding (no undefined dynamic
# symbols, no DT_NEEDED), exports only the public API and the calls it
# wraps on purpose (core/libckpt.map says which), and fits its budget.
lib=$1 max=$2
fail() { echo "audit: $lib: $*" >&2; rm -f "$lib"; exit 1; }
und=$(nm -D --undefined-only "$lib" | awk '{print $NF}')
[ -z "$und" ] || fail "undefined symbols: $und"
readelf -d "$lib" | grep -q NEEDED && fail "has DT_NEEDED entries"
exp=$(nm -D --defined-only "$lib" | awk '{print $NF}' | sort | tr '\n' ' ')
want="ckpt_checkpoint ckpt_enabled ckpt_on clock clock_getcpuclockid clock_getres clock_gettime
      getpid getrusage gettid kill madvise mmap mmap64 mremap munmap
      pthread_cancel pthread_getaffinity_np pthread_getattr_np pthread_getcpuclockid pthread_getname_np
      pthread_getschedparam pthread_kill pthread_setaffinity_np pthread_setname_np
      pthread_setschedparam pthread_setschedprio pthread_sigmask pthread_sigqueue
      sigaction signal sigprocmask sigsuspend tgkill timer_create timer_delete times"
[ "$exp" = "$(echo $want) " ] || fail "unexpected exports: $exp"
size=$(stat -c %s "$lib")
[ "$size" -le "$max" ] || fail "$size bytes, budget $max"
echo "audit: $lib ok ($size bytes of $max)"
