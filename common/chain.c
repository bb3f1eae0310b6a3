/* Incremental images.  A delta image stores the pages that changed since
 * its parent; the parent, named by a PARENT record in the same directory,
 * may be a delta itself, down to a full image.  Every parent is loaded and
 * checked like the image itself before the point of no return (its id,
 * its depth, that it has every page the delta leaves to it), and each is
 * kept, with its file open, in an arena that none of the image's regions
 * uses, so that it outlives myrestart's own mappings: the restore builds
 * each delta region from the oldest image up (chain_fill). */
#include "chain.h"

#define HOLE_FROM 0x10000000000ul     /* 1 TiB, as restart/relocate.c */
#define LEVEL_SIZE (((sizeof(struct img) + CKPT_NAME_MAX + CKPT_PAGE - 1) & ~(CKPT_PAGE - 1)) + IMG_RECORDS_MAX)

/* [lo, hi), with a page to spare on each side (no merging with a
 * neighbour in /proc/self/maps), is used by no region of im */
static int free_for(const struct img *im, __u64 lo, __u64 hi)
{
	for (unsigned i = 0; i < im->nregions; i++)
		if (im->reg[i]->start < hi + CKPT_PAGE && im->reg[i]->end + CKPT_PAGE > lo)
			return 0;
	return 1;
}

static int make_arena(struct img *im, __u64 size)
{
	for (__u64 at = HOLE_FROM; at + size <= CKPT_USER_END; at += (size + (1ul << 30)) & ~((1ul << 30) - 1)) {
		long a;
		if (!free_for(im, at, at + size))
			continue;
		a = k_mmap(at, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
		if (a == (long)at) {
			im->arena = at;
			im->arena_size = size;
			return 0;
		}
		if (!k_failed(a))
			k_munmap(a, size);     /* qemu takes the address as a hint */
	}
	return report(im, "no room for the parents of this incremental image");
}

/* dir of the image's path + name, into buf (CKPT_NAME_MAX bytes) */
static int parent_path(const struct img *im, const char *name, char *buf)
{
	unsigned n = strlen(im->path), k = strlen(name);

	while (n && im->path[n - 1] != '/')
		n--;
	if (n + k + 1 > CKPT_NAME_MAX)
		return report(im, "parent image path too long");
	memcpy(buf, im->path, n);
	memcpy(buf + n, name, k + 1);
	return 0;
}

/* the pages of delta region r that no run stores, [a, b) at a time, are
 * inside regions of p that hold memory (sorted, not overlapping) */
static int covered(const struct img *p, __u64 a, __u64 b)
{
	for (unsigned i = 0; i < p->nregions && a < b; i++) {
		const struct ckpt_region *q = p->reg[i];
		if (q->end <= a)
			continue;
		if (q->start > a || !ckpt_kind_delta(q->kind))
			return 0;
		a = q->end;
	}
	return a >= b;
}

/* the next run of a and b together (both ascending, apart), or 0 */
static const struct ckpt_run *next_run(const struct ckpt_run *a, unsigned na, unsigned *i,
				       const struct ckpt_run *b, unsigned nb, unsigned *j)
{
	if (*i < na && (*j >= nb || a[*i].page < b[*j].page))
		return &a[(*i)++];
	return *j < nb ? &b[(*j)++] : 0;
}

/* the pages of each delta region that neither its stored nor its zero
 * runs cover must be the parent's */
static int check_cover(const struct img *im, const struct img *p)
{
	for (unsigned i = 0; i < im->nregions; i++) {
		const struct ckpt_region *r = im->reg[i];
		const struct ckpt_run *run;
		unsigned a = 0, b = 0;
		__u64 at = r->start;
		if (!(r->flags & CKPT_RF_DELTA))
			continue;
		do {
			run = next_run(region_runs(r), r->nruns, &a, region_zero(r), r->nzero, &b);
			__u64 to = run ? r->start + run->page * CKPT_PAGE : r->end;
			if (to > at && !covered(p, at, to))
				return report(im, "its parent %s lacks pages it needs (region %u of %u)",
					      p->path, (__u64)i + 1, (__u64)im->region_recs);
			if (run)
				at = to + run->npages * CKPT_PAGE;
		} while (run);
	}
	return 0;
}

/* a delta region's zero runs, clipped to [lo, hi), read as zero */
void chain_zero(const struct ckpt_region *r, __u64 lo, __u64 hi)
{
	const struct ckpt_run *z = region_zero(r);

	for (unsigned k = 0; k < r->nzero; k++) {
		__u64 s = r->start + z[k].page * CKPT_PAGE, e = s + z[k].npages * CKPT_PAGE;
		if (s < lo)
			s = lo;
		if (e > hi)
			e = hi;
		if (s < e)
			k_madvise(s, e - s, 4 /* MADV_DONTNEED */);
	}
}

/* loads the parent of c into level slot p: one line naming it if it is
 * missing, damaged or not the one c was made from */
static int load_parent(struct img *top, struct img *c, struct img *p)
{
	char *path = (char *)(p + 1);

	if (parent_path(top, c->parent_name, path))
		return 1;
	p->path = path;
	p->fd = -1;
	p->records = (char *)p + LEVEL_SIZE - IMG_RECORDS_MAX;
	p->runner = top->runner;
	p->lazy = top->lazy;
	p->of = top->path;
	if (image_load(p))
		return 1;
	if (p->hd.id != c->hd.parent_id || p->hd.depth + 1 != c->hd.depth)
		return report(c, "its parent %s is another image (replaced since?)", path);
	return check_cover(c, p);
}

int chain_load(struct img *im)
{
	struct img *c = im;

	if (!im->hd.depth)
		return 0;
	if (make_arena(im, im->hd.depth * LEVEL_SIZE))
		return 1;
	for (unsigned level = 0; c->hd.depth; level++) {
		struct img *p = (struct img *)(im->arena + level * LEVEL_SIZE);
		if (load_parent(im, c, p))
			return 1;
		c->up = p;
		c = p;
	}
	return 0;
}

int chain_verify_data(struct img *im)
{
	for (struct img *p = im->up; p; p = p->up)
		if (image_verify_data(p))
			return 1;
	return 0;
}

int chain_owns(const struct img *im, __u64 start, __u64 end)
{
	return im->arena && start >= im->arena && end <= im->arena + im->arena_size;
}

/* (restart/restore.c reads its own pages with it too) */
long read_into(int fd, __u64 dst, __u64 len, __u64 off)
{
	long got;

	if (len > CKPT_PAGE)
		k_madvise(dst, len, 23 /* MADV_POPULATE_WRITE */);
	got = k_pread_full(fd, (void *)dst, len, off);
	return got == (long)len ? 0 : got < 0 ? got : -EIO;
}

/* what image p says of [lo, hi): the pages it stores; zero where one of
 * its full regions stores none (a lower level may have written there) */
static int fill_from(const struct img *p, __u64 lo, __u64 hi)
{
	for (unsigned i = 0; i < p->nregions; i++) {
		const struct ckpt_region *q = p->reg[i];
		const struct ckpt_run *run = region_runs(q);
		__u64 a = q->start > lo ? q->start : lo, b = q->end < hi ? q->end : hi, off = q->data_off;
		if (a >= b || !ckpt_kind_delta(q->kind))
			continue;
		if (!(q->flags & CKPT_RF_DELTA))
			k_madvise(a, b - a, 4 /* MADV_DONTNEED */);
		for (unsigned k = 0; k < q->nruns; k++) {
			__u64 s = q->start + run[k].page * CKPT_PAGE, e = s + run[k].npages * CKPT_PAGE;
			__u64 cs = s > a ? s : a, ce = e < b ? e : b;
			if (cs < ce && read_into(p->fd, cs, ce - cs, off + (cs - s)))
				return -1;
			off += e - s;
		}
		chain_zero(q, a, b);
	}
	return 0;
}

/* After the point of no return, r mapped (anonymous, writable): its
 * pages as the parents have them, oldest first; r's own runs come after. */
int chain_fill(const struct img *im, const struct ckpt_region *r)
{
	const struct img *level[CKPT_CHAIN_MAX];
	unsigned n = 0;

	if (!(r->flags & CKPT_RF_DELTA))
		return 0;
	for (const struct img *p = im->up; p && n < CKPT_CHAIN_MAX; p = p->up)
		level[n++] = p;
	while (n--)
		if (fill_from(level[n], r->start, r->end))
			return -1;
	return 0;
}

void chain_release(const struct img *im)
{
	for (const struct img *p = im->up; p; p = p->up)
		if (p->fd >= 0)
			sys_close(p->fd);
	if (im->arena)
		k_munmap(im->arena, im->arena_size);
}
