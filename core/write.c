/* The image writer.  Runs in a forked child whose memory is a copy-on-write
 * snapshot of the program at the checkpoint, so the program itself runs on
 * while this copies.  Writes to a temporary file next to the image and
 * renames it over the image only when it is complete: a failed or killed
 * writer never damages the previous image. */
#include "libckpt.h"
#include "pagescan.h"
#include "crc32c.h"
#include "maps.h"
#include "out.h"
#include "elfid.h"

struct wregion {
	struct ckpt_region r;
	const char *name;
	__u64 run0;              /* index of the first run in the run table */
};

#define WSTACK_SIZE (256ul << 10)
#define PM_ENTRIES 65536ul
#define FD_RECS_CAP (CKPT_FDS_MAX * (sizeof(struct ckpt_rec) + sizeof(struct ckpt_fd) + sizeof(struct ckpt_sock) + \
		      CKPT_NAME_MAX + 8) + \
		     CKPT_WATCHES_MAX * sizeof(struct ckpt_watch))

/* One writer's working state, on its own stack.  Its memory is scratch,
 * all mmap'd after /proc/self/maps was read (except the maps text itself
 * and the stack, which are skipped by address). */
struct writer {
	char *maps;                      /* /proc/self/maps, whole */
	__u64 maps_cap;
	unsigned long stack;             /* the writer's own stack */
	struct wregion *regions;
	unsigned nregions;
	struct ckpt_run *runs;           /* every region's, region after region */
	__u64 nruns, runs_cap;
	__u64 *pagemap;                  /* PM_ENTRIES of /proc/self/pagemap */
	int pagemap_fd;                  /* -1 where pagemap is not used (qemu) */
	char *fd_recs;                   /* the FD records, ready to copy */
	__u64 fd_recs_size;
	unsigned nfds;
	int img_fd;
	char tmp_path[CKPT_PATH_MAX + 32];
	int delta;                       /* a delta of the image in place (incr.c) */
	int fell_back;                   /* planned as a delta, written full */
	__u64 delta_pages;               /* pages the delta regions store */
	char parent[CKPT_PATH_MAX + 32]; /* the parent's path, and its name in it */
	const char *parent_name;
	const char *fail_what;           /* the first failure */
	const char *fail_name;
	long fail_err;
};

/* records the first failure; its message is printed once, at the end */
static int writer_fail(struct writer *w, const char *what, const char *name, long err)
{
	if (!w->fail_what) {
		w->fail_what = what;
		w->fail_name = name;
		w->fail_err = err;
	}
	return -1;
}

static void *scratch(__u64 len)
{
	long a = k_mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return k_failed(a) ? 0 : (void *)a;
}

static __u64 page_up(__u64 v)
{
	return (v + CKPT_PAGE - 1) & ~(CKPT_PAGE - 1);
}

/* The whole of /proc/self/maps in one buffer, read before anything else
 * is mapped; grown and read again until it fits. */
static int read_maps(struct writer *w)
{
	for (w->maps_cap = 1 << 20;; w->maps_cap *= 2) {
		long fd, n;
		if (w->maps)
			k_munmap((unsigned long)w->maps, w->maps_cap / 2);
		w->maps = scratch(w->maps_cap);
		if (!w->maps)
			return writer_fail(w, "out of memory", "reading /proc/self/maps", -ENOMEM);
		fd = k_openat(AT_FDCWD, "/proc/self/maps", O_RDONLY | O_CLOEXEC, 0);
		if (fd < 0)
			return writer_fail(w, "cannot open", "/proc/self/maps", fd);
		n = k_read_full(fd, w->maps, w->maps_cap - 1);
		sys_close(fd);
		if (n < 0)
			return writer_fail(w, "cannot read", "/proc/self/maps", n);
		if ((__u64)n < w->maps_cap - 1) {
			w->maps[n] = 0;
			return 0;
		}
	}
}

/* Appends a run to the current region's runs, which start at index run0:
 * pages count from each region's own start, so a run is merged only with
 * one of the same region. */
static int add_run(struct writer *w, __u64 run0, __u64 page, __u64 npages)
{
	if (w->nruns > run0 && w->runs[w->nruns - 1].page + w->runs[w->nruns - 1].npages == page) {
		w->runs[w->nruns - 1].npages += npages;
		return 0;
	}
	if (w->nruns == w->runs_cap) {
		__u64 ncap = w->runs_cap ? w->runs_cap * 2 : 4096;
		long a = w->runs ? k_mremap((unsigned long)w->runs, w->runs_cap * sizeof(*w->runs),
					 ncap * sizeof(*w->runs), MREMAP_MAYMOVE, 0)
			      : (long)scratch(ncap * sizeof(*w->runs));
		if (!a || k_failed(a))   /* (scratch() gives 0) */
			return writer_fail(w, "out of memory", "run table", -ENOMEM);
		w->runs = (struct ckpt_run *)a;
		w->runs_cap = ncap;
	}
	w->runs[w->nruns].page = page;
	w->runs[w->nruns].npages = npages;
	w->nruns++;
	return 0;
}

static int page_is_zero(const __u64 *p)
{
	for (unsigned i = 0; i < CKPT_PAGE / 8; i += 4)
		if (p[i] | p[i + 1] | p[i + 2] | p[i + 3])
			return 0;
	return 1;
}

/* Which pages of an anonymous region hold data.  Natively pagemap tells
 * (present or swapped); where it cannot be had or trusted (qemu maps the
 * guest through its own host mappings), all-zero pages are skipped. */
/* pagemap bits: present, swapped, a file page (or shared) */
#define PM_PRESENT (1ull << 63)
#define PM_SWAPPED (1ull << 62)
#define PM_FILE    (1ull << 61)

/* whether a page with this pagemap entry is stored: any page the process
 * has of anonymous memory; of a private file mapping, those the program
 * wrote (copy-on-write made them anonymous) */
static int keep(const struct wregion *reg, __u64 pm)
{
	if (reg->r.kind == CKPT_KIND_FILE_PRIVATE)
		return (pm & PM_SWAPPED) || (pm & (PM_PRESENT | PM_FILE)) == PM_PRESENT;
	return (pm & (PM_PRESENT | PM_SWAPPED)) != 0;
}

/* qemu: which pages are stored, from the memory itself */
static int keep_here(struct writer *w, const struct wregion *reg, __u64 i)
{
	if (reg->r.kind == CKPT_KIND_FILE_PRIVATE)
		return files_page_changed(&reg->r, i, (char *)w->pagemap);
	return !page_is_zero((const __u64 *)(reg->r.start + i * CKPT_PAGE));
}

/* a region this delta stores the written pages of: private memory the
 * tracking covered all along (inside a mapping of the tracked list) */
static int is_delta(const struct writer *w, const struct wregion *reg)
{
	if (!w->delta || !ckpt_kind_delta(reg->r.kind) || (reg->r.flags & (CKPT_RF_FILE | CKPT_RF_SHARED)))
		return 0;
	return ckpt_incr_tracked(reg->r.start, reg->r.end);
}

/* a delta region's pages that read as zero now (given back, or never
 * touched since tracked), into out (when given) as runs; how many */
static __u32 zero_runs(const struct wregion *reg, struct ckpt_run *out)
{
	struct span z;
	__u32 n = 0;

	for (__u64 a = reg->r.start; ckpt_incr_changed(1, a, reg->r.end, &z); a = z.end, n++)
		if (out)
			out[n] = (struct ckpt_run){ (z.start - reg->r.start) / CKPT_PAGE, (z.end - z.start) / CKPT_PAGE };
	return n;
}

/* a delta region: the pages written since the parent's pause */
static int select_written(struct writer *w, struct wregion *reg)
{
	struct span c;

	for (__u64 a = reg->r.start; ckpt_incr_changed(0, a, reg->r.end, &c); a = c.end) {
		if (add_run(w, reg->run0, (c.start - reg->r.start) / CKPT_PAGE, (c.end - c.start) / CKPT_PAGE))
			return -1;
		w->delta_pages += (c.end - c.start) / CKPT_PAGE;
	}
	reg->r.nzero = zero_runs(reg, 0);
	return 0;
}

/* Natively, on Linux 6.7 and later, the kernel lists the pages to store
 * in a few ranges (PAGEMAP_SCAN): those of anonymous memory the process
 * has, less the shared zero page (memory only read); those a private
 * file mapping has of its own.  1 where it cannot (older kernels): the
 * page-by-page pagemap path below does the same, zero pages included. */
struct scan_to { struct writer *w; struct wregion *reg; };

static int scanned_run(void *arg, __u64 start, __u64 end, __u64 categories)
{
	(void)categories;
	struct scan_to *t = arg;
	return add_run(t->w, t->reg->run0, (start - t->reg->r.start) / CKPT_PAGE, (end - start) / CKPT_PAGE);
}

static int select_scanned(struct writer *w, struct wregion *reg)
{
	static int unsupported;
	struct pagescan q = { 0, 0, PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
			      reg->r.kind == CKPT_KIND_FILE_PRIVATE ? PAGE_IS_FILE : PAGE_IS_PFNZERO, 0 };
	struct scan_to t = { w, reg };
	__u64 first = w->nruns;
	long r;

	if (unsupported)
		return 1;
	r = pagescan(w->pagemap_fd, reg->r.start, reg->r.end, &q, scanned_run, &t);
	if (r == -ENOTTY || r == -EINVAL) {
		unsupported = 1;
		w->nruns = first;
		return 1;
	}
	return r ? writer_fail(w, "cannot scan", "/proc/self/pagemap", r) : 0;
}

static int select_pages(struct writer *w, struct wregion *reg)
{
	__u64 np = (reg->r.end - reg->r.start) / CKPT_PAGE, i, j;
	int anon = reg->r.kind == CKPT_KIND_FILE_PRIVATE || !(reg->r.flags & (CKPT_RF_FILE | CKPT_RF_SHARED));

	if (is_delta(w, reg)) {
		reg->r.flags |= CKPT_RF_DELTA;
		return select_written(w, reg);
	}
	if (!anon)
		return add_run(w, reg->run0, 0, np);
	if (w->pagemap_fd >= 0 && select_scanned(w, reg) <= 0)
		return w->fail_what ? -1 : 0;
	if (w->pagemap_fd >= 0) {
		for (i = 0; i < np; i += PM_ENTRIES) {
			__u64 n = np - i < PM_ENTRIES ? np - i : PM_ENTRIES;
			long r = k_pread_full(w->pagemap_fd, w->pagemap, n * 8, (reg->r.start / CKPT_PAGE + i) * 8);
			if (r != (long)(n * 8))
				return writer_fail(w, "cannot read", "/proc/self/pagemap", r < 0 ? r : -EIO);
			for (j = 0; j < n; j++)
				if (keep(reg, w->pagemap[j]) && add_run(w, reg->run0, i + j, 1))
					return -1;
		}
		return 0;
	}
	for (i = 0; i < np; i++)
		if (keep_here(w, reg, i) && add_run(w, reg->run0, i, 1))
			return -1;
	return 0;
}

static int classify(struct wregion *reg, const struct map_ent *e)
{
	reg->r.start = e->start;
	reg->r.end = e->end;
	reg->r.prot = e->prot;
	reg->r.file_off = e->offset;
	reg->r.dev = e->dev;
	reg->r.ino = e->inode;
	reg->r.kind = shm_kind(e);
	reg->r.flags = 0;
	reg->name = e->name;
	reg->r.name_len = e->name_len + 1;
	if (reg->r.name_len > CKPT_NAME_MAX)
		reg->r.name_len = CKPT_NAME_MAX;   /* truncated below too */
	if (name_is(e, "[vdso]")) {
		/* which kernel's: myrestart compares its own */
		reg->r.kind = CKPT_KIND_VDSO;
		reg->r.build_id_len = elf_build_id_mem((const unsigned char *)e->start, e->end - e->start,
						       reg->r.build_id);
	}
	else if (name_is(e, "[vvar]"))
		reg->r.kind = CKPT_KIND_VVAR;
	else if (name_is(e, "[vvar_vclock]"))
		reg->r.kind = CKPT_KIND_VVAR_VCLOCK;
	else if (name_is(e, "[stack]"))
		reg->r.kind = CKPT_KIND_STACK;
	else if (name_is(e, "[heap]"))
		reg->r.flags |= CKPT_RF_HEAP;
	else if (e->inode || e->name[0] == '/')
		reg->r.flags |= CKPT_RF_FILE;
	if (e->shared && reg->r.kind == CKPT_KIND_ANON)
		reg->r.flags |= CKPT_RF_SHARED;
	if (reg->r.kind == CKPT_KIND_ANON && (reg->r.flags & CKPT_RF_FILE) && files_private(e, &reg->r))
		reg->r.kind = CKPT_KIND_FILE_PRIVATE;
	return 0;
}

/* Turns the maps text into the region table.  Lines are split in place. */
/* Every mapping the program had in the pause is in this fork: a mapping
 * marked MADV_DONTFORK behind the library's back (a raw system call) is
 * not, and the image would silently lack it.  Both lists are sorted. */
static int check_inherited(struct writer *w, const struct span *have, __u64 n)
{
	static char where[40];
	const struct fds_snap *s = ckpt_snap.fds;
	__u64 j = 0;

	for (__u64 i = 0; s && i < s->nranges; i++) {
		__u64 a = s->ranges[i].start, b = s->ranges[i].end;
		while (j < n && have[j].end <= a)
			j++;
		for (__u64 k = j; a < b && k < n && have[k].start <= a; k++)
			a = have[k].end;        /* covered up to there */
		if (a < b) {
			struct out o = { .len = 0 };
			out_str(&o, "0x");
			out_hex(&o, s->ranges[i].start, 0);
			memcpy(where, o.buf, o.len);
			where[o.len] = 0;
			return writer_fail(w, "the writer's fork lacks a mapping of the program "
				"(marked MADV_DONTFORK by a raw system call?) at", where, 0);
		}
	}
	return 0;
}

/* [s, e) into have[] (room for two), less the writer's own stack and
 * maps buffer: they may sit in the hole a missing mapping left */
static __u64 add_have(const struct writer *w, struct span *have, __u64 n, __u64 s, __u64 e)
{
	const __u64 own[2][2] = { { (__u64)w->maps, (__u64)w->maps + w->maps_cap }, { w->stack, w->stack + WSTACK_SIZE } };
	int lo = own[0][0] > own[1][0];     /* the lower of the two first */

	for (int k = 0; k < 2 && s < e; k++) {
		const __u64 *o = own[k ^ lo];
		if (o[1] <= s || o[0] >= e)
			continue;
		if (o[0] > s) {
			have[n].start = s;
			have[n++].end = o[0];
		}
		s = o[1];
	}
	if (s < e) {
		have[n].start = s;
		have[n++].end = e;
	}
	return n;
}

/* The library's own mappings in this fork, which are no part of the
 * program: its stack and maps buffer, the pause's snapshot mappings, the
 * threads' slots.  Side by side with a mapping of the program and with
 * the same flags, one may have merged with it in /proc/self/maps, so they
 * are cut out of the program's mappings, never a reason to skip one.
 * Sorted by address. */
static unsigned own_spans(const struct writer *w, struct span *o)
{
	const struct fds_snap *s = ckpt_snap.fds;
	unsigned n = 0;

	o[n++] = (struct span){ (__u64)w->maps, (__u64)w->maps + w->maps_cap };
	o[n++] = (struct span){ w->stack, w->stack + WSTACK_SIZE };
	if (s && s->contents)
		o[n++] = (struct span){ (__u64)s->contents, (__u64)s->contents + s->contents_size };
	if (s && s->shm_data)
		o[n++] = (struct span){ (__u64)s->shm_data, (__u64)s->shm_data + s->shm_size };
	if (s && s->ranges)
		o[n++] = (struct span){ (__u64)s->ranges, (__u64)s->ranges + s->ranges_size };
	if (s && s->paths)
		o[n++] = (struct span){ (__u64)s->paths, (__u64)s->paths + s->paths_size };
	if (ckpt_threads_span(&o[n].start, &o[n].end))
		n++;
	if (ckpt_tree_span(&o[n].start, &o[n].end))
		n++;
	n += ckpt_incr_buffers(o + n);
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j && o[j].start < o[j - 1].start; j--) {
			struct span t = o[j];
			o[j] = o[j - 1];
			o[j - 1] = t;
		}
	return n;
}

/* the pieces of mapping e that are the program's, each a region */
static void take_pieces(struct writer *w, const struct map_ent *e, const struct span *own, unsigned nown)
{
	__u64 at = e->start;

	for (unsigned k = 0; k <= nown && at < e->end; k++) {
		__u64 to = k < nown && own[k].start < e->end ? own[k].start : e->end;
		if (k < nown && own[k].end <= at)
			continue;
		if (to > at) {
			struct map_ent piece = *e;
			piece.start = at;
			piece.end = to;
			piece.offset += at - e->start;
			classify(&w->regions[w->nregions++], &piece);
		}
		if (k < nown && own[k].end > at)
			at = own[k].end;
	}
}

static int parse_regions(struct writer *w)
{
	unsigned lines = 1;
	char *p, *line, *cur = w->maps;
	struct span *have, own[16];
	__u64 nhave = 0;
	unsigned nown = own_spans(w, own);

	for (p = w->maps; *p; p++)
		lines += *p == '\n';
	/* a mapping may be cut in pieces around ours (take_pieces) */
	lines *= 2;
	w->regions = scratch(page_up((__u64)lines * sizeof(*w->regions)));
	have = scratch(page_up((__u64)lines * 3 * sizeof(*have)));
	if (!w->regions || !have)
		return writer_fail(w, "out of memory", "region table", -ENOMEM);
	while ((line = next_line(&cur))) {
		struct map_ent e;
		if (maps_parse(line, &e))
			return writer_fail(w, "cannot parse /proc/self/maps line", line, 0);
		nhave = add_have(w, have, nhave, e.start, e.end);
		if (name_is(&e, "[vsyscall]"))
			continue;
		if (!ckpt_rt.unreserved && e.start >= CKPT_RESERVED_START && e.end <= CKPT_RESERVED_END)
			continue;        /* the restarter's reservation */
		if (!ckpt_rt.unreserved && e.start < CKPT_RESERVED_END && e.end > CKPT_RESERVED_START)
			return writer_fail(w, "a mapping overlaps myrestart's range 0x5000000-0x5400000", e.name, 0);
		if (e.end > CKPT_USER_END)
			continue;
		/* glibc's cached break, for a restart that cannot restore brk;
		 * kept from an earlier checkpoint when libc is no longer named */
		if (!e.offset && e.name_len > 10 && !memcmp(e.name + e.name_len - 10, "/libc.so.6", 10)) {
			void **cb = ckpt_glibc_curbrk(e.start);
			if (cb)
				ckpt_snap.curbrk = cb;
		}
		take_pieces(w, &e, own, nown);
	}
	return check_inherited(w, have, nhave);
}

/* where a region's pages are read from: the program's memory (the
 * writer's copy-on-write view of it), or for shared memory the pause's
 * copy; 0 when the image stores none */
static const char *pages_of(const struct wregion *reg)
{
	if (reg->r.kind == CKPT_KIND_ANON || reg->r.kind == CKPT_KIND_STACK || reg->r.kind == CKPT_KIND_FILE_PRIVATE)
		return (const char *)reg->r.start;
	return reg->r.kind == CKPT_KIND_SHMEM ? shm_copy(ckpt_snap.fds, reg->r.start) : 0;
}

/* Writes one region's selected pages at the current file end. */
static int write_region(struct writer *w, struct wregion *reg, __u64 *off)
{
	const char *base;
	__u32 crc = 0;
	__u64 i;

	reg->run0 = w->nruns;
	reg->r.nruns = 0;
	reg->r.data_off = *off;
	reg->r.data_len = 0;
	if (!(base = pages_of(reg)))
		return 0;
	/* the writer's copy may be unreadable (PROT_NONE, write-only): open it
	 * up here, in the child only; the program keeps its protections */
	if (!(reg->r.prot & PROT_READ) &&
	    k_mprotect(reg->r.start, reg->r.end - reg->r.start, reg->r.prot | PROT_READ) < 0)
		return writer_fail(w, "cannot read region", reg->name, -EACCES);
	if (select_pages(w, reg))
		return -1;
	reg->r.nruns = w->nruns - reg->run0;
	for (i = reg->run0; i < w->nruns; i++) {
		const void *src = base + w->runs[i].page * CKPT_PAGE;
		__u64 len = w->runs[i].npages * CKPT_PAGE;
		long r;
		crc = crc32c(crc, src, len);
		r = k_write_full(w->img_fd, src, len);
		if (r < 0)
			return writer_fail(w, "cannot write the image", reg->name[0] ? reg->name : "anonymous memory", r);
		reg->r.data_len += len;
	}
	reg->r.data_crc = crc;
	*off += reg->r.data_len;
	return 0;
}

static char *put_rec(char *p, __u32 type, const void *a, __u32 alen,
		     const void *b, __u32 blen, const void *c, __u32 clen)
{
	struct ckpt_rec *h = (struct ckpt_rec *)p;
	h->type = type;
	h->size = alen + blen + clen;
	p += sizeof(*h);
	memcpy(p, a, alen);
	if (blen)
		memcpy(p + alen, b, blen);
	if (clen)
		memcpy(p + alen + blen, c, clen);
	return (char *)h + ckpt_rec_size(h->size);
}

/* a region record: the struct, its stored runs, its zero runs, its name */
static char *put_region(char *p, const struct writer *w, const struct wregion *reg)
{
	struct ckpt_rec *h = (struct ckpt_rec *)p;
	char *q = (char *)(h + 1);

	h->type = CKPT_REC_REGION;
	h->size = sizeof(reg->r) + (reg->r.nruns + reg->r.nzero) * sizeof(struct ckpt_run) + reg->r.name_len;
	memcpy(q, &reg->r, sizeof(reg->r));
	q += sizeof(reg->r);
	memcpy(q, &w->runs[reg->run0], reg->r.nruns * sizeof(struct ckpt_run));
	q += reg->r.nruns * sizeof(struct ckpt_run);
	if (reg->r.nzero)
		q += zero_runs(reg, (struct ckpt_run *)q) * sizeof(struct ckpt_run);
	memcpy(q, reg->name, reg->r.name_len);
	q[reg->r.name_len - 1] = 0;
	return (char *)h + ckpt_rec_size(h->size);
}

static int write_records(struct writer *w, __u64 off, struct ckpt_header *hd)
{
	const struct fds_snap *s = ckpt_snap.fds;
	unsigned i, nl = s->nlocks, n = 5 + ckpt_threads_n() + w->nfds + w->delta + nl + ckpt_snap.ntimers;  /* INFO, MM, PROC, SIGNALS, END */
	__u32 plen = w->delta ? strlen(w->parent_name) + 1 : 0;
	__u64 size = ckpt_rec_size(sizeof(struct ckpt_info)) + ckpt_rec_size(sizeof(struct ckpt_mm)) +
		     ckpt_rec_size(sizeof(struct ckpt_proc)) + ckpt_rec_size(sizeof(struct ckpt_signals)) +
		     ckpt_threads_n() * ckpt_rec_size(sizeof(struct ckpt_thread) + ckpt_cfg->xstate.size) +
		     ckpt_rec_size(0) + (w->delta ? ckpt_rec_size(plen) : 0) + nl * ckpt_rec_size(sizeof(struct ckpt_lock)) +
		     ckpt_snap.ntimers * ckpt_rec_size(sizeof(struct ckpt_timer));
	__u64 tree = ckpt_tree_record_max();
	const char *why = 0;
	char *buf, *p;
	long r;

	if (tree) {
		size += ckpt_rec_size(tree);
		n++;
	}
	for (i = 0; i < w->nregions; i++, n++)
		size += ckpt_rec_size(sizeof(struct ckpt_region) + (w->regions[i].r.nruns + w->regions[i].r.nzero) *
				 sizeof(struct ckpt_run) + w->regions[i].r.name_len);
	size += w->fd_recs_size;
	buf = scratch(page_up(size));
	if (!buf)
		return writer_fail(w, "out of memory", "record table", -ENOMEM);
	p = put_rec(buf, CKPT_REC_INFO, &ckpt_snap.info, sizeof(ckpt_snap.info), 0, 0, 0, 0);
	if (tree) {
		/* waits for every member's image: their ids go in it */
		r = ckpt_tree_record(p + sizeof(struct ckpt_rec), tree, &why);
		if (r != (long)tree)
			return writer_fail(w, why ? why : "cannot describe the process tree", 0, 0);
		*(struct ckpt_rec *)p = (struct ckpt_rec){ CKPT_REC_TREE, (__u32)tree };
		p += ckpt_rec_size(tree);
	}
	if (w->delta)
		p = put_rec(p, CKPT_REC_PARENT, w->parent_name, plen, 0, 0, 0, 0);
	for (i = 0; i < ckpt_threads_n(); i++) {
		const struct ckpt_thread *t = ckpt_thread_slot(i);
		p = put_rec(p, CKPT_REC_THREAD, t, sizeof(*t), ckpt_thread_xarea(t), t->xstate.size, 0, 0);
	}
	p = put_rec(p, CKPT_REC_MM, &ckpt_snap.mm, sizeof(ckpt_snap.mm), 0, 0, 0, 0);
	p = put_rec(p, CKPT_REC_PROC, &ckpt_snap.proc, sizeof(ckpt_snap.proc), 0, 0, 0, 0);
	p = put_rec(p, CKPT_REC_SIGNALS, &ckpt_snap.sigs, sizeof(ckpt_snap.sigs), 0, 0, 0, 0);
	for (i = 0; i < ckpt_snap.ntimers; i++)
		p = put_rec(p, CKPT_REC_TIMER, &ckpt_snap.timers[i], sizeof(struct ckpt_timer), 0, 0, 0, 0);
	for (i = 0; i < w->nregions; i++)
		p = put_region(p, w, &w->regions[i]);
	memcpy(p, w->fd_recs, w->fd_recs_size);
	p += w->fd_recs_size;
	for (i = 0; i < nl; i++)
		p = put_rec(p, CKPT_REC_LOCK, &s->lock[i], sizeof(s->lock[i]), 0, 0, 0, 0);
	p = put_rec(p, CKPT_REC_END, 0, 0, 0, 0, 0, 0);
	hd->nrecords = n;
	hd->records_off = off;
	hd->records_size = size;
	hd->records_crc = crc32c(0, buf, size);
	r = k_pwrite(w->img_fd, buf, size, off);
	if (r != (long)size)
		return writer_fail(w, "cannot write the image", "record table", r < 0 ? r : -EIO);
	return 0;
}

static int write_header(struct writer *w, struct ckpt_header *hd, __u64 data_end)
{
	unsigned depth;
	long r;

	memcpy(hd->magic, CKPT_MAGIC, 8);
	hd->version = CKPT_VERSION;
	hd->header_size = sizeof(*hd);
	hd->page_size = CKPT_PAGE;
	hd->runner = ckpt_cfg->runner;
	hd->machine = ARCH_ELF_MACHINE;
	hd->data_off = CKPT_PAGE;
	hd->data_size = data_end - CKPT_PAGE;
	hd->file_size = hd->records_off + hd->records_size;
	hd->id = ckpt_incr_id();
	hd->parent_id = w->delta ? ckpt_incr_parent(&depth) : 0;
	hd->depth = w->delta ? depth + 1 : 0;
	hd->header_crc = 0;
	hd->header_crc = crc32c(0, hd, sizeof(*hd));
	r = k_pwrite(w->img_fd, hd, sizeof(*hd), 0);
	if (r != (long)sizeof(*hd))
		return writer_fail(w, "cannot write the image", "header", r < 0 ? r : -EIO);
	return 0;
}

static int open_tmp(struct writer *w)
{
	struct out o = { .len = 0 };
	long fd;

	out_str(&o, ckpt_self.path);
	out_chr(&o, '.');
	out_u64(&o, sys_getpid());
	out_str(&o, ".tmp");
	if (o.len >= sizeof(w->tmp_path) - 1 || o.len >= sizeof(o.buf) - 1)
		return writer_fail(w, "image path too long", ckpt_self.path, -ENAMETOOLONG);
	memcpy(w->tmp_path, o.buf, o.len);
	w->tmp_path[o.len] = 0;
	fd = k_openat(AT_FDCWD, w->tmp_path,
		      O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return writer_fail(w, "cannot create", w->tmp_path, fd);
	w->img_fd = fd;
	return 0;
}

/* CKPT_FAULT=kill-writer-*: the writer dies here, at step */
static void fault_point(int step)
{
	if (ckpt_cfg->fault_kill == step)
		k_kill(k_getpid(), SIGKILL);
}

/* the name of image id beside the image: "PATH.<16 hex digits>" */
static int chain_name(char *buf, __u64 id)
{
	struct out o = { .len = 0 };

	out_str(&o, ckpt_self.path);
	out_chr(&o, '.');
	for (int k = 60; k >= 0; k -= 4)
		out_chr(&o, "0123456789abcdef"[id >> k & 15]);
	if (o.len >= CKPT_PATH_MAX || o.len >= sizeof(o.buf) - 1)
		return -1;
	memcpy(buf, o.buf, o.len);
	buf[o.len] = 0;
	return 0;
}

/* A delta's parent is the image in place, which keeps a second name,
 * PATH.<id>, that the delta names: the rename over PATH then leaves the
 * parent where the delta finds it.  Whatever does not fit (another image
 * at PATH, no hard links here) makes this image full. */
static int prepare_parent(struct writer *w)
{
	unsigned depth;
	__u64 id = ckpt_incr_parent(&depth);
	struct ckpt_header hd;
	struct statx a, b;
	long fd, r;

	if (chain_name(w->parent, id) < 0)
		return -1;
	w->parent_name = ckpt_base_name(w->parent);
	fd = k_openat(AT_FDCWD, ckpt_self.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
	if (fd < 0)
		return -1;
	r = k_pread(fd, &hd, sizeof(hd), 0);
	sys_close(fd);
	if (r != sizeof(hd) || memcmp(hd.magic, CKPT_MAGIC, 8) || hd.id != id || hd.depth != depth)
		return -1;
	r = k_linkat(AT_FDCWD, ckpt_self.path, AT_FDCWD, w->parent, 0);
	if (r == -EEXIST)
		r = k_statx(AT_FDCWD, ckpt_self.path, AT_SYMLINK_NOFOLLOW, STATX_INO, &a) ||
		    k_statx(AT_FDCWD, w->parent, AT_SYMLINK_NOFOLLOW, STATX_INO, &b) ||
		    a.stx_ino != b.stx_ino || a.stx_dev_major != b.stx_dev_major || a.stx_dev_minor != b.stx_dev_minor;
	return r ? -1 : 0;
}

/* A full image in place: the chain it replaced goes (a crash before this
 * leaves files behind, never a chain without its parents). */
static void drop_chain(void)
{
	char path[CKPT_PATH_MAX];

	__u64 id;

	for (unsigned k = 0; ckpt_incr_chain(k, &id); k++)
		if (id && id != ckpt_incr_id() && !chain_name(path, id))
			k_unlinkat(AT_FDCWD, path, 0);
}

/* CKPT_FSYNC: the rename itself must reach the disk too */
static long sync_dir(void)
{
	char dir[CKPT_PATH_MAX];
	unsigned n = strlen(ckpt_self.path);
	long fd, r;

	while (n > 1 && ckpt_self.path[n - 1] != '/')
		n--;
	memcpy(dir, ckpt_self.path, n);
	dir[n] = 0;
	fd = k_openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	r = k_fsync(fd);
	sys_close(fd);
	return r;
}

/* CKPT_FAULT=damage-image, for tests of the self-check: one byte of the
 * finished temporary image inverted */
static long damage(struct writer *w, __u64 off)
{
	__u8 b;
	long r = k_pread(w->img_fd, &b, 1, off);

	if (r != 1)
		return r < 0 ? r : -EIO;
	b = ~b;
	r = k_pwrite(w->img_fd, &b, 1, off);
	return r == 1 ? 0 : r < 0 ? r : -EIO;
}

/* myrestart's validation of the temporary image, read back from the file */
static int self_check(struct writer *w)
{
	static char what[sizeof(((struct out *)0)->buf) + 32];
	const char *reason;
	unsigned n;

	if (!ckpt_verify_image(w->tmp_path, &reason))
		return 0;
	memcpy(what, "image failed its own check: ", 28);
	n = strlen(reason);
	if (n > sizeof(what) - 29)
		n = sizeof(what) - 29;
	memcpy(what + 28, reason, n);
	what[28 + n] = 0;
	return writer_fail(w, what, 0, 0);
}

/* ns as milliseconds with two decimals */
static void out_ms(struct out *o, __u64 ns)
{
	__u64 cs = ns / 10000;

	out_u64(o, cs / 100);
	out_chr(o, '.');
	out_chr(o, '0' + cs / 10 % 10);
	out_chr(o, '0' + cs % 10);
}

static int write_all(struct writer *w)
{
	__u64 t_check;
	struct ckpt_header hd;
	__u64 off = CKPT_PAGE;
	unsigned i;
	long r;

	memset(&hd, 0, sizeof(hd));
	if (read_maps(w) || parse_regions(w))
		return -1;
	w->pagemap = scratch(PM_ENTRIES * 8);
	if (!w->pagemap)
		return writer_fail(w, "out of memory", "pagemap buffer", -ENOMEM);
	w->fd_recs = scratch(page_up(FD_RECS_CAP));
	if (!w->fd_recs)
		return writer_fail(w, "out of memory", "fd table", -ENOMEM);
	objs_pair_sockets(ckpt_snap.fds);
	socks_backlogs(ckpt_snap.fds);
	socks_pair_tcp(ckpt_snap.fds);
	w->fd_recs_size = fds_records(ckpt_snap.fds, w->fd_recs, &w->nfds);
	if (ckpt_cfg->runner == CKPT_RUNNER_NATIVE)
		w->pagemap_fd = k_openat(AT_FDCWD, "/proc/self/pagemap", O_RDONLY | O_CLOEXEC, 0);
	/* a tree's images are full ones */
	if (ckpt_incr_delta() && !ckpt_tree_record_max() && !ckpt_tree_member()) {
		w->delta = !prepare_parent(w);
		w->fell_back = !w->delta;
		if (w->delta)
			fault_point(1);
	}
	if (open_tmp(w))
		return -1;
	r = k_lseek(w->img_fd, CKPT_PAGE, SEEK_SET);
	if (r < 0)
		return writer_fail(w, "cannot seek in", w->tmp_path, r);
	for (i = 0; i < w->nregions; i++)
		if (write_region(w, &w->regions[i], &off))
			return -1;
	if ((r = fds_write_contents(ckpt_snap.fds, w->fd_recs, w->fd_recs_size, w->img_fd, &off)) < 0)
		return writer_fail(w, "cannot write the image", "saved file contents", r);
	if (write_records(w, off, &hd) || write_header(w, &hd, off))
		return -1;
	if (ckpt_cfg->fault_damage && (r = damage(w, hd.data_size ? hd.data_off : 0)) < 0)
		return writer_fail(w, "cannot inject the CKPT_FAULT damage", w->tmp_path, r);
	t_check = k_now_ns();
	if (ckpt_cfg->verify && self_check(w))
		return -1;
	t_check = k_now_ns() - t_check;
	if (ckpt_cfg->fsync && (r = k_fsync(w->img_fd)) < 0)
		return writer_fail(w, "cannot sync", w->tmp_path, r);
	r = sys_close(w->img_fd);
	w->img_fd = -1;
	if (r < 0)
		return writer_fail(w, "cannot write the image", w->tmp_path, r);
	if (w->delta)
		fault_point(2);
	r = k_renameat(AT_FDCWD, w->tmp_path, AT_FDCWD, ckpt_self.path);
	if (r < 0)
		return writer_fail(w, "cannot rename the image to", ckpt_self.path, r);
	if (ckpt_cfg->fsync && (r = sync_dir()) < 0)
		return writer_fail(w, "cannot sync the directory of", ckpt_self.path, r);
	ckpt_tree_written(hd.id);
	ckpt_tree_committed();
	if (!w->delta) {
		unsigned depth;
		ckpt_incr_parent(&depth);
		if (depth)
			fault_point(3);
		drop_chain();
	}
	if (ckpt_cfg->verbose) {
		struct out o = { .len = 0 };
		out_str(&o, "libckpt: checkpoint ");
		out_u64(&o, ckpt_rt.ncheckpoints);
		out_str(&o, " written to ");
		out_str(&o, ckpt_self.path);
		out_str(&o, " (");
		out_size(&o, hd.file_size);
		if (w->delta) {
			out_str(&o, ", a delta of ");
			out_str(&o, w->parent_name);
			out_str(&o, ": ");
			out_u64(&o, w->delta_pages);
			out_str(&o, " pages written since");
		} else if (w->fell_back) {
			out_str(&o, ", full: no parent to make a delta of");
		}
		out_str(&o, " in ");
		out_ms(&o, k_now_ns() - ckpt_snap.t_start);
		if (ckpt_cfg->verify) {
			out_str(&o, " ms, its own check ");
			out_ms(&o, t_check);
		}
		out_str(&o, " ms; the program paused ");
		out_ms(&o, ckpt_snap.t_fork - ckpt_snap.t_start);
		out_str(&o, " ms before the fork)\n");
		out_flush(&o, 2);
	}
	return 0;
}

static __attribute__((noreturn)) void writer_on_own_stack(void *stack)
{
	struct writer wr = { .stack = (unsigned long)stack, .pagemap_fd = -1, .img_fd = -1 }, *w = &wr;

	ckpt_proc_capture();
	if (write_all(w)) {
		/* the line comes last: whoever reads it finds things as it says */
		if (w->img_fd >= 0)
			sys_close(w->img_fd);
		if (w->tmp_path[0])
			k_unlinkat(AT_FDCWD, w->tmp_path, 0);
		ckpt_tree_written(0);
		ckpt_fail_msg(w->fail_what, w->fail_name, w->fail_err);
		k_exit_group(1);
	}
	k_exit_group(w->fell_back ? 3 : 0);
}

/* Entry point of the writer child, still on the program's stack, which
 * it must copy unchanged: so the first thing is to leave it. */
void ckpt_writer_main(void)
{
	unsigned long all = ~0ul;
	void *stack;

	/* signals aimed at the process group (a ^C) must not run the
	 * program's handlers in this copy; SIGXFSZ stays pending instead of
	 * killing us, and write() reports EFBIG */
	k_sigprocmask(SIG_SETMASK, &all, 0);
	k_prctl(PR_SET_NAME, (unsigned long)"ckpt-writer", 0, 0, 0);
	ckpt_tree_writer_starts();
	stack = scratch(WSTACK_SIZE);
	if (!stack) {
		ckpt_fail_msg("no memory for the writer's stack", 0, -ENOMEM);
		k_exit_group(1);
	}
	arch_switch_stack((unsigned long)stack + WSTACK_SIZE, writer_on_own_stack, stack);
}
