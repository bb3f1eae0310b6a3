/* qemu-user keeps state of its own in guest memory (qemu-x86_64: the
 * emulated IDT and GDT, arch_qemu_pages()) on the first free guest pages
 * after the guest stack, which starts at 0x4000000000: for a static
 * myrestart with the default 8 MiB stack, 0x4000801000-0x4000803000.  Every
 * qemu target lives from 0x4000000000 up too (a non-PIE program's ld.so
 * sits exactly there), and qemu needs those pages intact for every signal
 * it delivers.  When the image needs them, myrestart runs itself again
 * under the same qemu with a guest stack size (-s) that puts them into a
 * gap of the image. */
#include "restart.h"

#define QEMU_STACK_BASE 0x4000001000ul   /* stack start; qemu's pages follow it */

static int overlaps(const struct img *im, __u64 lo, __u64 hi)
{
	for (unsigned i = 0; i < im->nregions; i++)
		if (im->reg[i]->start < hi && im->reg[i]->end > lo)
			return 1;
	return 0;
}

/* the first stack size >= 8 MiB after which qemu's span bytes land in a
 * gap of the image */
static __u64 stack_size_for(const struct img *im, __u64 span)
{
	__u64 t = QEMU_STACK_BASE + (8ul << 20);
	for (unsigned i = 0; i < im->nregions; i++)
		if (im->reg[i]->start < t + span && im->reg[i]->end > t)
			t = im->reg[i]->end;      /* regions are sorted */
	return t - QEMU_STACK_BASE;
}

static char *find(char *s, const char *w)
{
	unsigned n = strlen(w);
	for (; *s; s++)
		if (!memcmp(s, w, n))
			return s;
	return 0;
}

/* qemu's own binary, from the host view that /proc/self/smaps still gives */
static int qemu_path(char *path, unsigned cap)
{
	static char buf[32768];
	long n = k_read_file("/proc/self/smaps", buf, sizeof(buf) - 1);
	char *p;

	buf[n > 0 ? n : 0] = 0;
	for (p = buf; (p = find(p, "/qemu-")); p++) {
		char *s = p, *e = p;
		while (s > buf && s[-1] != ' ' && s[-1] != '\n')
			s--;
		while (*e && *e != '\n')
			e++;
		if (*s == '/' && (unsigned)(e - s) < cap) {
			memcpy(path, s, e - s);
			path[e - s] = 0;
			return 0;
		}
	}
	return -1;
}

/* Returns only when no re-execution is needed (or possible: then the
 * caller's collision check refuses the image with a clear message).  qemu
 * takes -s over QEMU_STACK_SIZE, so the environment passes on as it is. */
void qemu_relocate_pages(const struct img *im, char **argv)
{
	static char qemu[512], size_arg[24];
	static char *nargv[64];
	struct out o = { .len = 0 };
	__u64 page[4], lo = ~0ull, hi = 0, size;
	unsigned i, n = arch_qemu_pages(page, 4);

	for (i = 0; i < n; i++) {
		lo = page[i] < lo ? page[i] : lo;
		hi = page[i] + CKPT_PAGE > hi ? page[i] + CKPT_PAGE : hi;
	}
	if (!n || !overlaps(im, lo, hi))
		return;
	size = stack_size_for(im, hi - lo);
	if (lo == QEMU_STACK_BASE + size || qemu_path(qemu, sizeof(qemu)))
		return;
	outf(&o, "%u", size);
	memcpy(size_arg, o.buf, o.len);
	nargv[0] = qemu;
	nargv[1] = "-s";
	nargv[2] = size_arg;
	for (i = 0; argv[i] && i < 60; i++)
		nargv[i + 3] = argv[i];
	nargv[i + 3] = 0;
	k_execve(qemu, nargv, environ);
}
