/* Native or qemu-user?  Both artefacts ask at run time, never at build
 * time.  qemu-user 7.2 gives the guest no vDSO (no AT_SYSINFO_EHDR), and
 * /proc/self/status, which it does not emulate, names the host binary
 * (qemu-x86_64) until someone sets comm. */
#ifndef CKPT_RUNNER_H
#define CKPT_RUNNER_H

#include "syscalls.h"
#include "image.h"

static inline int runner_detect(const unsigned long *auxv)
{
	char buf[64];
	int has_vdso = 0;

	for (; auxv && auxv[0]; auxv += 2)
		if (auxv[0] == AT_SYSINFO_EHDR && auxv[1])
			has_vdso = 1;
	if (k_read_file("/proc/self/status", buf, sizeof(buf)) >= 11 && !memcmp(buf, "Name:\tqemu-", 11))
		return CKPT_RUNNER_QEMU;
	return has_vdso ? CKPT_RUNNER_NATIVE : CKPT_RUNNER_QEMU;
}

#endif
