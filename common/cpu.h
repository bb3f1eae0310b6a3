/* CPU feature queries: which extended state the CPU saves with xsave, and
 * whether crc32 (SSE4.2) is there.  Used by both artefacts at run time. */
#ifndef CKPT_CPU_H
#define CKPT_CPU_H

#include <linux/types.h>

static inline void cpuid(__u32 leaf, __u32 sub, __u32 r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static inline int cpu_has_sse42(void)
{
	__u32 r[4];
	cpuid(1, 0, r);
	return (r[2] >> 20) & 1;
}

/* XCR0 when the OS enabled xsave (CPUID.1:ECX.OSXSAVE), else 0 */
static inline __u64 cpu_xcr0(void)
{
	__u32 r[4], lo, hi;
	cpuid(1, 0, r);
	if (!((r[2] >> 27) & 1))
		return 0;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((__u64)hi << 32) | lo;
}

/* bytes xsave needs for the features enabled in XCR0; 512 for fxsave */
static inline __u32 cpu_xsave_size(void)
{
	__u32 r[4];
	if (!cpu_xcr0())
		return 512;
	cpuid(0xd, 0, r);
	return r[1];
}

#endif
