/* CPU queries and thread pointers, for both artefacts (no libc: cpuid,
 * xgetbv and arch_prctl directly). */
#include "syscalls.h"
#include "machine.h"

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

static void cpuid(__u32 leaf, __u32 sub, __u32 r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

/* XCR0 when the OS enabled xsave (CPUID.1:ECX.OSXSAVE), else 0 */
static __u64 xcr0(void)
{
	__u32 r[4], lo, hi;

	cpuid(1, 0, r);
	if (!((r[2] >> 27) & 1))
		return 0;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((__u64)hi << 32) | lo;
}

void arch_xstate_probe(struct arch_xstate *x)
{
	__u32 r[4];

	x->features = xcr0();
	x->size = 512;
	x->pad = 0;
	if (!x->features)
		return;
	cpuid(0xd, 0, r);             /* bytes xsave needs for XCR0's features */
	if (r[1] > ARCH_XSTATE_MAX)
		x->features = 0;      /* too large to keep: fxsave */
	else
		x->size = r[1];
}

int arch_xstate_valid(const struct arch_xstate *x)
{
	return x->features ? x->size >= 576 && x->size <= ARCH_XSTATE_MAX : x->size == 512;
}

int arch_xstate_fits(const struct arch_xstate *img, const struct arch_xstate *here)
{
	return !(img->features & ~here->features);
}

void arch_tls_save(struct arch_regs *r)
{
	k_arch_prctl(ARCH_GET_FS, (unsigned long)&r->fs_base);
	k_arch_prctl(ARCH_GET_GS, (unsigned long)&r->gs_base);
}

/* FS last: from then on only the restored program's TLS is reachable */
void arch_tls_restore(const struct arch_regs *r)
{
	if (r->gs_base)
		k_arch_prctl(ARCH_SET_GS, r->gs_base);
	k_arch_prctl(ARCH_SET_FS, r->fs_base);
}

unsigned long arch_tp(void)
{
	unsigned long tp = 0;

	k_arch_prctl(ARCH_GET_FS, (unsigned long)&tp);
	return tp;
}

/* qemu-user keeps the guest's GDT and IDT in guest memory (the pages
 * after a static guest's stack); signals and segment loads need them */
unsigned arch_qemu_pages(__u64 *pages, unsigned max)
{
	struct __attribute__((packed)) { __u16 lim; __u64 base; } g, i;
	unsigned n = 0;

	__asm__ volatile("sgdt %0; sidt %1" : "=m"(g), "=m"(i));
	if (n < max)
		pages[n++] = i.base & ~0xffful;
	if (n < max && (g.base & ~0xffful) != pages[0])
		pages[n++] = g.base & ~0xffful;
	return n;
}
