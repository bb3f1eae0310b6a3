/* Shared memory.  A MAP_SHARED mapping is not copied on write at the
 * fork: the writer would see what the program stores after the pause.
 * So it is sorted in the pause:
 *  - a regular file on disk mapped shared holds its own pages: myrestart
 *    maps it from the file again (like any open file, it is not rolled
 *    back to the checkpoint);
 *  - shared memory (anonymous, memfd, a deleted file: " (deleted)" in
 *    maps) whose object is also an open fd with saved contents: those
 *    contents, read in the pause by fds.c, are its pages;
 *  - any other shared memory: its pages are copied here, in the pause
 *    (the cost grows with its size).
 * The writer records them as SHMEM and FILE_SHARED regions. */
#include "libckpt.h"
#include "maps.h"

static int is_deleted(const struct map_ent *e)
{
	return e->name_len > 10 && !memcmp(e->name + e->name_len - 10, " (deleted)", 10);
}

/* an fd of the snapshot whose saved contents are this object's */
static int fd_backed(const struct fds_snap *s, const struct map_ent *e)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->fd[i].saved && s->fd[i].ino == e->inode && s->fd[i].dev == e->dev &&
		    (s->fd[i].obj == CKPT_FD_MEMFD || s->fd[i].deleted))
			return 1;
	return 0;
}

/* What a mapping becomes in the image: SHMEM, FILE_SHARED, or ANON (not
 * shared; or a device's memory, saved and restored private). */
__u32 shm_kind(const struct map_ent *e)
{
	struct statx st;

	if (!e->shared)
		return CKPT_KIND_ANON;
	if (is_deleted(e))
		return CKPT_KIND_SHMEM;
	if (e->name[0] == '/' && k_statx(AT_FDCWD, e->name, 0, STATX_TYPE | STATX_INO, &st) == 0 &&
	    S_ISREG(st.stx_mode) && st.stx_ino == e->inode &&
	    ((__u64)st.stx_dev_major << 32 | st.stx_dev_minor) == e->dev)
		return CKPT_KIND_FILE_SHARED;
	return CKPT_KIND_ANON;
}

/* /proc/self/maps into a fresh mapping of *cap bytes, NUL terminated */
static char *maps_text(__u64 *cap)
{
	for (*cap = 256 << 10;; *cap *= 2) {
		long a = k_mmap(0, *cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0), n;
		if (k_failed(a))
			return 0;
		n = k_read_file("/proc/self/maps", (char *)a, *cap - 1);
		if (n >= 0 && (__u64)n < *cap - 1) {
			((char *)a)[n] = 0;
			return (char *)a;
		}
		k_munmap(a, *cap);
		if (n < 0)
			return 0;
	}
}

/* the pages of m into *at in s->shm_data (opened up for reading a moment
 * if the program made them unreadable: its threads are all parked) */
static void copy_pages(struct fds_snap *s, struct shm_snap *m, int prot, __u64 *at)
{
	__u64 len = m->end - m->start;

	if (!(prot & PROT_READ))
		k_mprotect(m->start, len, prot | PROT_READ);
	memcpy(s->shm_data + *at, (const void *)m->start, len);
	if (!(prot & PROT_READ))
		k_mprotect(m->start, len, prot);
	m->data_at = *at;
	*at += len;
}

/* room for every mapping's range (the writer checks that its fork has
 * them all: a mapping marked MADV_DONTFORK by a raw system call would be
 * missing) */
static long keep_ranges(struct fds_snap *s, const char *text)
{
	__u64 n = 1;
	long a;

	for (const char *p = text; *p; p++)
		n += *p == '\n';
	n *= 2;                      /* a range may be cut in two (keep_range) */
	s->ranges_size = (n * sizeof(*s->ranges) + CKPT_PAGE - 1) & ~(CKPT_PAGE - 1);
	a = k_mmap(0, s->ranges_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (k_failed(a))
		return a;
	s->ranges = (void *)a;
	s->nranges = 0;
	return 0;
}

/* [start, end) without [t0, t1), this text's own mapping, which may have
 * merged with its neighbour and is gone before the fork */
static void keep_range(struct fds_snap *s, __u64 start, __u64 end, __u64 t0, __u64 t1)
{
	if (start < t0) {
		s->ranges[s->nranges].start = start;
		s->ranges[s->nranges++].end = end < t0 ? end : t0;
	}
	if (end > t1) {
		s->ranges[s->nranges].start = start > t1 ? start : t1;
		s->ranges[s->nranges++].end = end;
	}
}

/* is this mapping a tree's cut (the coordination of its processes)? */
static int is_cut(const struct map_ent *e)
{
	return name_is(e, "/memfd:" CKPT_CUT_NAME " (deleted)");
}

/* In the pause, after the fds: the shared memory no fd holds, copied.
 * 0, or -errno (*why says what failed). */
long shm_capture(struct fds_snap *s, const char **why)
{
	__u64 cap, total = 0, at = 0;
	char *text = maps_text(&cap), *cur = text, *line;
	int prot[CKPT_SHM_MAX];
	long a;

	s->nshm = 0;
	if (!text)
		return *why = "cannot read /proc/self/maps", -EIO;
	if (keep_ranges(s, text) < 0) {
		k_munmap((unsigned long)text, cap);
		return *why = "no memory for the list of mappings", -ENOMEM;
	}
	while ((line = next_line(&cur))) {
		struct map_ent e;
		if (maps_parse(line, &e))
			continue;
		keep_range(s, e.start, e.end, (__u64)text, (__u64)text + cap);
		ckpt_incr_note(&e);
		/* (a tree's cut is no program's memory: its copy cost every
		 * member milliseconds of its pause) */
		if (!e.shared || !is_deleted(&e) || fd_backed(s, &e) || is_cut(&e))
			continue;
		if (s->nshm == CKPT_SHM_MAX) {
			k_munmap((unsigned long)text, cap);
			return *why = "too many shared memory mappings (at most 256)", -ENOBUFS;
		}
		prot[s->nshm] = e.prot;
		s->shm[s->nshm++] = (struct shm_snap){ e.start, e.end, 0 };
		total += e.end - e.start;
	}
	k_munmap((unsigned long)text, cap);
	if (!total)
		return 0;
	a = k_mmap(0, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (k_failed(a))
		return *why = "no memory for a copy of the shared memory", a;
	s->shm_data = (char *)a;
	s->shm_size = total;
	for (unsigned i = 0; i < s->nshm; i++)
		copy_pages(s, &s->shm[i], prot[i], &at);
	return 0;
}

/* In the writer: where the pause copied the shared memory at start, or 0
 * (its pages are then an fd's saved contents) */
const char *shm_copy(const struct fds_snap *s, __u64 start)
{
	for (unsigned i = 0; i < s->nshm; i++)
		if (s->shm[i].start == start)
			return s->shm_data + s->shm[i].data_at;
	return 0;
}
