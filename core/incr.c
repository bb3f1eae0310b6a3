/* Incremental checkpoints: which pages the program wrote since the last
 * image.  The program's private anonymous memory is registered with a
 * userfaultfd in asynchronous write-protect mode (Linux 6.7+): the kernel
 * clears a page's protection itself on the first write, never stopping
 * the program.  In each pause one PAGEMAP_SCAN lists the pages written
 * since the previous pause (a page dropped by MADV_DONTNEED counts as
 * written) and protects them again; a second lists the memory that is
 * not tracked (mapped since, moved by mremap, or that could not be
 * registered), which the image stores whole.  The writer then stores only
 * the written pages of tracked regions, as a delta of the previous image
 * (write.c).
 *
 * A delta is written only when the previous image is known to be in
 * place (its writer said so) and the chain is shorter than
 * CKPT_FULL_EVERY; anything else, a failed image, a restart, a fork,
 * makes the next image full.  Where the kernel has no such tracking
 * (qemu, older kernels, unprivileged userfaultfd without user-mode-only
 * support, a program that uses userfaultfd on its memory itself), every
 * image is full. */
#include "libckpt.h"
#include "maps.h"
#include "pagescan.h"
#include <linux/userfaultfd.h>

/* linux/userfaultfd.h of Linux 6.7, which Debian 12's headers predate */
#define UFFD_USER_MODE_ONLY        1
#define UFFD_FEATURE_WP_UNPOPULATED (1u << 13)
#define UFFD_FEATURE_WP_ASYNC      (1u << 15)
#define USER_TOP (CKPT_USER_END - CKPT_PAGE)    /* the highest page user space may map ends here */

/* the tracking of written pages and the chain of images in place: this
 * file's; the writer asks through the functions at the end */
struct incr_list {
	struct span *v;           /* a mapping of its own */
	__u64 n, cap;
};
struct ckpt_incr {
	int fd;                   /* the userfaultfd the memory is registered with, or -1 */
	__u64 ino, dev;           /* its inode, to know it is still ours; the anon inodes' device */
	int pid;                  /* the process it belongs to (real pid) */
	int off;                  /* no tracking in this process, ever */
	int trusted;              /* the tracking covers all since the newest image's pause */
	unsigned depth;           /* the newest image in place: 0 full, n a delta */
	__u64 ids[CKPT_CHAIN_MAX]; /* the chain in place: ids[0] full ... ids[depth] */
	/* this checkpoint, from the pause to its writer */
	__u64 id;                 /* the image being written */
	int delta;                /* written as a delta of ids[depth] */
	int scanning, scan_failed;
	struct incr_list written;   /* pages written since the last pause (present) */
	struct incr_list zero;      /* pages written since and gone: zero now */
	struct incr_list tracked;   /* the mappings tracked since the last pause */
	struct incr_list cand;      /* what may be tracked from now on */
};
static struct ckpt_incr I = { .fd = -1 };

static const char *off_why;           /* tracking unavailable: why (for CKPT_VERBOSE) */

/* a growable list of spans in a mapping of its own: the span appended,
 * or merged with the last one it continues when merge is set */
static int list_put(struct incr_list *l, __u64 start, __u64 end, int merge)
{
	if (merge && l->n && l->v[l->n - 1].end == start) {
		l->v[l->n - 1].end = end;
		return 0;
	}
	if (l->n == l->cap) {
		__u64 ncap = l->cap ? l->cap * 2 : 4096;
		long a = l->v ? k_mremap((unsigned long)l->v, l->cap * sizeof(*l->v), ncap * sizeof(*l->v),
					 MREMAP_MAYMOVE, 0)
			      : k_mmap(0, ncap * sizeof(*l->v), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (k_failed(a))
			return -1;
		l->v = (struct span *)a;
		l->cap = ncap;
	}
	l->v[l->n].start = start;
	l->v[l->n++].end = end;
	return 0;
}

static int list_add(struct incr_list *l, __u64 start, __u64 end)
{
	return list_put(l, start, end, 1);
}

static void list_free(struct incr_list *l)
{
	if (l->v)
		k_munmap((unsigned long)l->v, l->cap * sizeof(*l->v));
	*l = (struct incr_list){ 0 };
}

/* the userfaultfd is still ours: a program that closes every fd may have
 * put something else at its number */
static int fd_is_ours(void)
{
	struct statx st;

	return I.fd >= 0 && k_statx(I.fd, "", AT_EMPTY_PATH, STATX_INO, &st) == 0 && st.stx_ino == I.ino;
}

static int open_uffd(void)
{
	struct { __u64 api, features, ioctls; } api = { 0xAA, UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED, 0 };
	struct statx st;
	long fd, r;

	fd = k_userfaultfd(O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	if (fd < 0)
		return off_why = "no userfaultfd here", -1;
	r = k_ioctl(fd, UFFDIO_API, &api);
	if (r < 0) {
		sys_close(fd);
		return off_why = "this kernel's userfaultfd has no asynchronous write-protect (Linux 6.7+)", -1;
	}
	/* away from the numbers the program counts on, but inside the 64
	 * slots every fd table starts with: growing the table of a threaded
	 * process waits for an RCU grace period (25 ms here, in the pause) */
	r = k_fcntl(fd, F_DUPFD_CLOEXEC, 48);
	if (r >= 0) {
		sys_close(fd);
		fd = r;
	}
	if (k_statx(fd, "", AT_EMPTY_PATH, STATX_INO, &st) < 0) {
		sys_close(fd);
		return off_why = "cannot stat the userfaultfd", -1;
	}
	I.fd = fd;
	I.ino = st.stx_ino;
	I.dev = (__u64)st.stx_dev_major << 32 | st.stx_dev_minor;
	return 0;
}

/* tracking set up for this process; 0 when it is not available */
static int tracking(void)
{
	long pid = k_getpid();

	if (!I.off && (ckpt_cfg->runner == CKPT_RUNNER_QEMU || ckpt_cfg->full_every == 1)) {
		I.off = 1;
		off_why = ckpt_cfg->full_every == 1 ? "CKPT_FULL_EVERY=1" : "qemu has no userfaultfd";
		if (ckpt_cfg->verbose)
			ckpt_msg("incremental checkpoints off: every image is full", off_why, 0);
	}
	if (I.off)
		return 0;
	if (I.pid != pid) {
		/* a forked child: the fd is the parent's, the chain too */
		if (I.fd >= 0 && fd_is_ours())
			sys_close(I.fd);
		I.fd = -1;
		I.trusted = 0;
		I.depth = 0;
		I.pid = pid;
	}
	if (I.fd >= 0 && !fd_is_ours()) {
		I.fd = -1;
		I.trusted = 0;
	}
	if (I.fd < 0 && open_uffd() < 0) {
		I.off = 1;
		if (ckpt_cfg->verbose)
			ckpt_msg("incremental checkpoints off: every image is full", off_why, 0);
		return 0;
	}
	return 1;
}

static int add_span(void *l, __u64 start, __u64 end, __u64 categories)
{
	(void)categories;
	return list_add(l, start, end);
}

/* a page written since: stored, or zero when it is the shared zero page
 * (read, never written, since it was tracked) */
static int add_written(void *zeropage, __u64 start, __u64 end, __u64 categories)
{
	return list_add(categories & PAGE_IS_PFNZERO ? zeropage : &I.written, start, end);
}

static int ignore(void *arg, __u64 start, __u64 end, __u64 categories)
{
	(void)arg, (void)start, (void)end, (void)categories;
	return 0;
}

/* PAGEMAP_SCAN of [lo, hi) into l; 0, or -1 */
static int scan(int pm, struct incr_list *l, __u64 lo, __u64 hi, struct pagescan q)
{
	return pagescan(pm, lo, hi, &q, add_span, l) ? -1 : 0;
}

/* a and b (sorted, apart) into one sorted list */
static int merge(struct incr_list *out, const struct incr_list *a, const struct incr_list *b)
{
	__u64 i = 0, j = 0;

	while (i < a->n || j < b->n) {
		const struct span *s = j == b->n || (i < a->n && a->v[i].start < b->v[j].start) ? &a->v[i++] : &b->v[j++];
		if (list_add(out, s->start, s->end))
			return -1;
	}
	return 0;
}

/* in the pause, with maps read (shm.c): a mapping the tracking may cover */
void ckpt_incr_note(const struct map_ent *e)
{
	if (!I.scanning || e->shared || e->inode || !(e->prot & PROT_WRITE) ||
	    (e->name[0] && !name_is(e, "[heap]") && !name_is(e, "[stack]") && memcmp(e->name, "[anon:", 6)) ||
	    (e->start < CKPT_RESERVED_END && e->end > CKPT_RESERVED_START))
		return;
	/* one span per mapping: whether it is tracked is asked of each */
	if (list_put(&I.cand, e->start, e->end, 0))
		I.scan_failed = 1;
}

/* before the maps are read in the pause */
void ckpt_incr_begin(int tree)
{
	/* a tree's images are full: no scan (its writes stay marked for the
	 * first delta after it, which finds them all the same) */
	I.scanning = tracking() && !tree;
	I.scan_failed = 0;
}

/* The program has a userfaultfd of its own: its registrations would fail
 * (EBUSY) where ours are, so ours go (closing the fd ends them all) and
 * the images stay full.  Only anonymous inodes, ours among them, have
 * its device: those are looked at more closely. */
static int foreign_uffd(void)
{
	const struct fds_snap *s = ckpt_snap.fds;
	char path[32], link[32];

	for (unsigned i = 0; s && i < s->n; i++) {
		long n;
		if (s->fd[i].dev != I.dev || s->fd[i].fd == I.fd)
			continue;
		ckpt_fdlink_path(path, s->fd[i].fd);
		n = k_readlink(path, link, sizeof(link) - 1);
		if (n == 24 && !memcmp(link, "anon_inode:[userfaultfd]", 24))
			return 1;
	}
	return 0;
}

/* whether the mapping [a, b) is registered with our userfaultfd: a scan
 * that must stop at the first page, or fail at once where it is not */
static int is_tracked(int pm, __u64 a, __u64 b)
{
	struct { __u64 start, end, categories; } one;
	struct pm_scan_arg s = {
		.size = sizeof(s), .flags = PM_SCAN_CHECK_WPASYNC, .start = a, .end = b,
		.vec = (__u64)&one, .vec_len = 1, .max_pages = 1, .return_mask = PAGE_IS_WPALLOWED,
	};

	return k_ioctl(pm, PAGEMAP_SCAN, &s) >= 0;
}

/* Sorts the candidates into tracked (their written pages are in the
 * written list) and not: those are registered and protected now, so
 * that from the next pause on their writes are known. */
static int sort_candidates(int pm)
{
	for (__u64 i = 0; i < I.cand.n; i++) {
		__u64 a = I.cand.v[i].start, b = I.cand.v[i].end;
		struct { __u64 start, len, mode, ioctls; } reg = { a, b - a, 2 /* MODE_WP */, 0 };
		if (is_tracked(pm, a, b)) {
			if (list_add(&I.tracked, a, b))
				return -1;
		} else if (k_ioctl(I.fd, UFFDIO_REGISTER, &reg) == 0) {
			/* its pages protected; what it has not touched stays
			 * "written, not present": a zero run, until touched */
			long r = pagescan(pm, a, b, &(struct pagescan){ PM_SCAN_WP_MATCHING, PAGE_IS_WPALLOWED,
					  PAGE_IS_PRESENT | PAGE_IS_SWAPPED, 0, 0 }, ignore, 0);
			if (r)
				k_ioctl(I.fd, UFFDIO_UNREGISTER, &reg);
		}
	}
	return 0;
}

static __u64 new_id(void)
{
	__u64 id = 0;

	if (k_getrandom(&id, sizeof(id), 1 /* GRND_NONBLOCK */) != sizeof(id) || !id)
		id = k_now_ns() ^ ((__u64)k_getpid() << 40) ^ 0x9e3779b97f4a7c15ull;
	return id ? id : 1;
}

/* In the pause, after the fds and maps, before the fork: what this
 * checkpoint's writer stores.  Nothing here can fail the checkpoint:
 * whatever goes wrong makes the image full. */
void ckpt_incr_pause(void)
{
	struct incr_list gone = { 0 }, zeropage = { 0 };
	int pm, ok;

	I.id = new_id();
	I.delta = 0;
	if (!I.scanning)
		return;
	I.scanning = 0;
	if (foreign_uffd()) {
		sys_close(I.fd);
		I.fd = -1;
		I.off = 1;
		I.trusted = 0;
		if (ckpt_cfg->verbose)
			ckpt_msg("incremental checkpoints off: every image is full",
				 "the program uses userfaultfd itself", 0);
		return;
	}
	pm = k_openat(AT_FDCWD, "/proc/self/pagemap", O_RDONLY | O_CLOEXEC, 0);
	/* written since and still there: stored, and protected again (in the
	 * same walk, the shared zero page: read since, zero); written since
	 * and gone (given back, or never touched since tracked): zero */
	ok = pm >= 0 && !I.scan_failed &&
	     !pagescan(pm, 0, USER_TOP, &(struct pagescan){ PM_SCAN_WP_MATCHING, PAGE_IS_WPALLOWED | PAGE_IS_WRITTEN,
		       PAGE_IS_PRESENT | PAGE_IS_SWAPPED, 0, PAGE_IS_PFNZERO }, add_written, &zeropage) &&
	     !scan(pm, &gone, 0, USER_TOP, (struct pagescan){ 0, PAGE_IS_WPALLOWED | PAGE_IS_WRITTEN, 0,
		   PAGE_IS_PRESENT | PAGE_IS_SWAPPED, 0 }) &&
	     !merge(&I.zero, &gone, &zeropage) && !sort_candidates(pm);
	list_free(&gone);
	list_free(&zeropage);
	if (pm >= 0)
		sys_close(pm);
	I.delta = ok && I.trusted && I.depth + 1 < ckpt_cfg->full_every;
	I.trusted = 0;           /* until this image is known to be in place */
}

/* after the fork (the writer has its copy of the lists), or a pause that
 * failed before it */
void ckpt_incr_release(void)
{
	list_free(&I.written);
	list_free(&I.zero);
	list_free(&I.tracked);
	list_free(&I.cand);
}

/* The writer of this checkpoint ended: status 0 its image is in place as
 * planned, 3 in place as a full image, else it failed (the chain on disk
 * is as it was, but the tracking started over: the next image is full).
 * Either image in place is what the tracking started over from: the next
 * one may be a delta of it. */
void ckpt_incr_done(int status)
{
	if (status == 0 && I.delta && I.depth + 1 < CKPT_CHAIN_MAX) {
		I.ids[++I.depth] = I.id;
	} else if (status == 0 || status == 3) {
		I.depth = 0;
		I.ids[0] = I.id;
	} else {
		return;
	}
	I.trusted = 1;
}

/* after a restart: the image restarted from is in place; nothing is
 * tracked in this new process yet (its fd number is not ours any more) */
void ckpt_incr_restarted(void)
{
	ckpt_incr_done(0);
	I.trusted = 0;
	I.fd = -1;
	I.pid = k_getpid();
	I.written = I.zero = I.tracked = I.cand = (struct incr_list){ 0 };
}

/* --- what the others ask of it --- */

/* the userfaultfd, which the fds of a checkpoint leave out, or -1 */
int ckpt_incr_fd(void)
{
	return I.fd;
}

/* this checkpoint may be a delta of the newest image in place */
int ckpt_incr_delta(void)
{
	return I.delta;
}

/* the id of the image this checkpoint writes */
__u64 ckpt_incr_id(void)
{
	return I.id;
}

/* the newest image in place: its id, and its depth (0: full) */
__u64 ckpt_incr_parent(unsigned *depth)
{
	*depth = I.depth;
	return I.ids[I.depth];
}

/* the k-th image of the chain in place (0 the full one) in *id: 0 past
 * its newest */
int ckpt_incr_chain(unsigned k, __u64 *id)
{
	if (k > I.depth || k >= CKPT_CHAIN_MAX)
		return 0;
	*id = I.ids[k];
	return 1;
}

/* the first span of l that ends after addr */
static __u64 first_after(const struct incr_list *l, __u64 addr)
{
	__u64 lo = 0, hi = l->n;

	while (lo < hi) {
		__u64 mid = (lo + hi) / 2;
		if (l->v[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* start to end was tracked all along: inside one mapping of the tracked
 * list, so a delta may store its written pages alone */
int ckpt_incr_tracked(__u64 start, __u64 end)
{
	__u64 k = first_after(&I.tracked, start);
	return k < I.tracked.n && I.tracked.v[k].start <= start && I.tracked.v[k].end >= end;
}

/* The pages written since the last pause (zero: those gone since, that
 * read as zero now) from "from" to end: the first span of them there,
 * cut to that range, into out; 0 when there is none */
int ckpt_incr_changed(int zero, __u64 from, __u64 end, struct span *out)
{
	const struct incr_list *l = zero ? &I.zero : &I.written;
	__u64 k = first_after(l, from);

	if (from >= end || k >= l->n || l->v[k].start >= end)
		return 0;
	out->start = l->v[k].start > from ? l->v[k].start : from;
	out->end = l->v[k].end < end ? l->v[k].end : end;
	return 1;
}

/* the mappings of its own lists, which an image leaves out, into o (4 at
 * most); how many */
unsigned ckpt_incr_buffers(struct span *o)
{
	unsigned n = 0;

	for (const struct incr_list *l = &I.written; l <= &I.cand; l++)
		if (l->v)
			o[n++] = (struct span){ (__u64)l->v, (__u64)l->v + l->cap * sizeof(*l->v) };
	return n;
}
