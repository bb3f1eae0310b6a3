/* glibc registers an rseq area with the kernel; after a restart the new
 * process must have it registered again (natively; qemu has no rseq).
 * Asking the kernel to register the same area again answers EBUSY when
 * it is registered, and registers it (0) when it was not. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "step.h"

int main(void)
{
	for (int i = 0; i < 40; i++) {
		long r = -1;
		int e = 0;
		if (__rseq_size) {
			void *area = (char *)__builtin_thread_pointer() + __rseq_offset;
			r = syscall(SYS_rseq, area, 32, 0, RSEQ_SIG);
			e = r ? errno : 0;
		}
		STEP(i, "rseq size %u probe %ld errno %d cpu-ok %d", __rseq_size, r, e, sched_getcpu() >= 0);
		step_pause(40);
	}
	return 0;
}
