/* A program that sits on myrestart's own range.  A large non-PIE
 * executable is loaded from 0x400000 up (Debian's node maps its text and
 * data to past 0x5640000), right over 0x5000000-0x5400000, where
 * myrestart is linked; the library then cannot keep the range free and
 * says so in the image.  myrestart copies its whole range (code, data,
 * bss, its stack) to a hole that neither it nor the image uses, and the
 * restore stage runs from the copy: the code finds its data relative to
 * its own place (-fpie, rst_base()), and the pointers into the records
 * are moved along.  The stage unmaps the original with the rest of
 * myrestart, maps the image, and tells the restarted library where the
 * copy is, which unmaps it once every thread has left it. */
#include "restart.h"

#define HOLE_FROM 0x10000000000ul     /* 1 TiB: far from programs' own places */

/* the image needs myrestart's range */
int relocate_needed(const struct img *im)
{
	for (unsigned i = 0; i < im->nregions; i++)
		if (im->reg[i]->start < CKPT_RESERVED_END && im->reg[i]->end > CKPT_RESERVED_START)
			return 1;
	return 0;
}

static int busy(const struct img *im, const struct own_map *own, unsigned nown, const __u64 *keep,
		unsigned nkeep, __u64 lo)
{
	__u64 hi = lo + RST_SIZE;

	for (unsigned i = 0; i < im->nregions; i++)
		if (im->reg[i]->start < hi && im->reg[i]->end > lo)
			return 1;
	for (unsigned i = 0; i < nown; i++)
		if (own[i].start < hi && own[i].end > lo)
			return 1;
	for (unsigned i = 0; i < nkeep; i++)
		if (keep[i] < hi && keep[i] + CKPT_PAGE > lo)
			return 1;
	return 0;
}

/* p moved by delta when it points into myrestart's range */
void *relocate_ptr(const void *p, long delta)
{
	__u64 a = (__u64)p;
	return (void *)(a >= CKPT_RESERVED_START && a < CKPT_RESERVED_END ? a + delta : a);
}

/* the copy's struct img: its pointers into the records moved along */
static void move_img(struct img *c, long delta)
{
	c->path = relocate_ptr(c->path, delta);
	c->cwd = relocate_ptr(c->cwd, delta);
	c->records = relocate_ptr(c->records, delta);
	for (unsigned k = 0; k < sizeof(c->once) / sizeof(c->once[0]); k++)
		c->once[k] = relocate_ptr(c->once[k], delta);
	for (unsigned k = 0; k < c->nthreads; k++)
		c->thread[k] = relocate_ptr(c->thread[k], delta);
	c->leader = relocate_ptr(c->leader, delta);
	for (unsigned k = 0; k < c->nregions; k++)
		c->reg[k] = relocate_ptr(c->reg[k], delta);
	for (unsigned k = 0; k < c->nfds; k++)
		c->fds[k] = relocate_ptr(c->fds[k], delta);
	for (unsigned k = 0; k < c->nlocks; k++)
		c->locks[k] = relocate_ptr(c->locks[k], delta);
}

/* what myrestart has in its range, by its own linker symbols (qemu's maps
 * may round a mapping past what can be read): text and rodata, data,
 * bss, its stack; the text made executable in the copy */
static void copy_own(long delta)
{
	extern char rst_text_end[], rst_data_end[], rst_bss_end[];
	const __u64 part[][2] = {
		{ CKPT_RESERVED_START, (__u64)rst_text_end }, { 0x5100000, (__u64)rst_data_end },
		{ 0x5200000, (__u64)rst_bss_end }, { RST_STACK_LO, RST_STACK_HI },
	};

	for (unsigned i = 0; i < sizeof(part) / sizeof(part[0]); i++)
		memcpy((char *)part[i][0] + delta, (const char *)part[i][0], part[i][1] - part[i][0]);
	k_mprotect(CKPT_RESERVED_START + delta, ((__u64)rst_text_end - CKPT_RESERVED_START + CKPT_PAGE - 1) &
		   ~(CKPT_PAGE - 1), PROT_READ | PROT_EXEC);
}

/* Copies myrestart's range (own's mappings inside it) to a hole and
 * returns the distance to the copy, whose struct img is ready; -errno
 * when there is no room.  Nothing of the original changes. */
long relocate_stage(struct img *im, const struct own_map *own, unsigned nown, const __u64 *keep, unsigned nkeep)
{
	__u64 hole;
	long a = -ENOMEM, delta;

	for (hole = HOLE_FROM; hole + RST_SIZE <= CKPT_USER_END; hole += RST_SIZE) {
		if (busy(im, own, nown, keep, nkeep, hole))
			continue;
		a = k_mmap(hole, RST_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			   -1, 0);
		if (a == (long)hole)
			break;
		if (!k_failed(a))
			k_munmap(a, RST_SIZE);     /* qemu takes the address as a hint */
	}
	if (a != (long)hole)
		return k_failed(a) ? a : -ENOMEM;
	delta = hole - CKPT_RESERVED_START;
	im->stage = hole;
	copy_own(delta);
	move_img((struct img *)relocate_ptr(im, delta), delta);
	return delta;
}
