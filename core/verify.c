/* The writer's self-check: the image it just wrote goes through
 * myrestart's own validation (common/imgread.c and common/chain.c, the
 * same sources, linked into this library), read back from the file, before it may replace the
 * previous image.  What myrestart would refuse never lands. */
#include "libckpt.h"
#include "chain.h"

static struct out why;

/* common/imgread.c's report of a problem: kept, not printed (the writer
 * prints one line for the whole checkpoint).  The first one counts. */
int report(const struct img *im, const char *fmt, ...)
{
	__builtin_va_list ap;

	(void)im;
	if (why.len)
		return 1;
	__builtin_va_start(ap, fmt);
	voutf(&why, fmt, ap);
	__builtin_va_end(ap);
	why.buf[why.len < sizeof(why.buf) ? why.len : sizeof(why.buf) - 1] = 0;
	return 1;
}

/* 0 when the image at path passes every check myrestart makes of an
 * image (header, records, regions, fds, every checksum); else
 * -1 with the reason in *reason.  Runs in the writer: its memory is
 * scratch, not the program's. */
int ckpt_verify_image(const char *path, const char **reason)
{
	static const __u64 size = (sizeof(struct img) + CKPT_PAGE - 1) & ~(CKPT_PAGE - 1);
	long a = k_mmap(0, size + IMG_RECORDS_MAX, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct img *im;
	int bad;

	why.len = 0;
	*reason = why.buf;
	if (k_failed(a)) {
		report(0, "out of memory");
		return -1;
	}
	im = (struct img *)a;
	im->path = path;
	im->fd = -1;
	im->records = (char *)a + size;
	im->runner = ckpt_cfg->runner;
	/* a delta's parents: each must be there, the one it was made from,
	 * with every page it leaves to them; their pages were checked when
	 * they were written (myrestart checks them all again) */
	bad = image_load(im) || image_verify_data(im) || chain_load(im);
	chain_release(im);
	if (im->fd >= 0)
		sys_close(im->fd);
	k_munmap(a, size + IMG_RECORDS_MAX);
	return bad ? -1 : 0;
}
