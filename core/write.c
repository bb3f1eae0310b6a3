/* The image writer.  Runs in a forked child whose memory is a copy-on-write
 * snapshot of the program at the checkpoint, so the program itself runs on
 * while this copies.  Writes to a temporary file next to the image and
 * renames it over the image only when it is complete: a failed or killed
 * writer never damages the previous image. */
#include "ckpt.h"
#include "crc32c.h"
#include "maps.h"
#include "out.h"

struct wregion {
	struct ckpt_region r;
	const char *name;
	__u64 run0;              /* index of the first run in the run table */
};

/* the writer's scratch memory, all mmap'd after /proc/self/maps was read
 * (except the maps buffer itself, which is skipped by address) */
static char *maps_buf;
static __u64 maps_cap;
static unsigned long wstack;             /* the writer's own stack */
#define WSTACK_SIZE (256ul << 10)
static struct wregion *regs;
static unsigned nregs;
static struct ckpt_run *runs;
static __u64 nruns, runs_cap;
static __u64 *pm_buf;
#define PM_ENTRIES 65536ul

static char *fd_recs;
static __u64 fd_recs_size;
static unsigned fd_count;
#define FD_RECS_CAP (CKPT_FDS_MAX * (sizeof(struct ckpt_rec) + sizeof(struct ckpt_fd) + CKPT_NAME_MAX + 8))
#define FD_PATHS_CAP ((__u64)CKPT_FDS_MAX * CKPT_NAME_MAX)
static int img_fd = -1;
static int pm_fd = -1;
static char tmp_path[CKPT_PATH_MAX + 32];
static const char *fail_what;
static const char *fail_name;
static long fail_err;

/* records the first failure; its message is printed once, at the end */
static int writer_fail(const char *what, const char *name, long err)
{
	if (!fail_what) {
		fail_what = what;
		fail_name = name;
		fail_err = err;
	}
	return -1;
}

static void *scratch(__u64 len)
{
	long a = k_mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return a < 0 && a > -4096 ? 0 : (void *)a;
}

static __u64 page_up(__u64 v)
{
	return (v + CKPT_PAGE - 1) & ~(CKPT_PAGE - 1);
}

/* The whole of /proc/self/maps in one buffer, read before anything else
 * is mapped; grown and read again until it fits. */
static int read_maps(void)
{
	for (maps_cap = 1 << 20;; maps_cap *= 2) {
		long fd, n;
		if (maps_buf)
			k_munmap((unsigned long)maps_buf, maps_cap / 2);
		maps_buf = scratch(maps_cap);
		if (!maps_buf)
			return writer_fail("out of memory", "reading /proc/self/maps", -ENOMEM);
		fd = k_openat(AT_FDCWD, "/proc/self/maps", O_RDONLY | O_CLOEXEC, 0);
		if (fd < 0)
			return writer_fail("cannot open", "/proc/self/maps", fd);
		n = k_read_full(fd, maps_buf, maps_cap - 1);
		sys_close(fd);
		if (n < 0)
			return writer_fail("cannot read", "/proc/self/maps", n);
		if ((__u64)n < maps_cap - 1) {
			maps_buf[n] = 0;
			return 0;
		}
	}
}

/* Appends a run to the current region's runs, which start at index run0:
 * pages count from each region's own start, so a run is merged only with
 * one of the same region. */
static int add_run(__u64 run0, __u64 page, __u64 npages)
{
	if (nruns > run0 && runs[nruns - 1].page + runs[nruns - 1].npages == page) {
		runs[nruns - 1].npages += npages;
		return 0;
	}
	if (nruns == runs_cap) {
		__u64 ncap = runs_cap ? runs_cap * 2 : 4096;
		long a = runs ? k_mremap((unsigned long)runs, runs_cap * sizeof(*runs),
					 ncap * sizeof(*runs), MREMAP_MAYMOVE, 0)
			      : (long)scratch(ncap * sizeof(*runs));
		if (a <= 0 && a > -4096)
			return writer_fail("out of memory", "run table", -ENOMEM);
		runs = (struct ckpt_run *)a;
		runs_cap = ncap;
	}
	runs[nruns].page = page;
	runs[nruns].npages = npages;
	nruns++;
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
static int select_pages(struct wregion *w)
{
	__u64 np = (w->r.end - w->r.start) / CKPT_PAGE, i, j;
	int anon = !(w->r.flags & (CKPT_RF_FILE | CKPT_RF_SHARED));

	if (!anon)
		return add_run(w->run0, 0, np);
	if (pm_fd >= 0) {
		for (i = 0; i < np; i += PM_ENTRIES) {
			__u64 n = np - i < PM_ENTRIES ? np - i : PM_ENTRIES;
			long r = k_pread_full(pm_fd, pm_buf, n * 8, (w->r.start / CKPT_PAGE + i) * 8);
			if (r != (long)(n * 8))
				return writer_fail("cannot read", "/proc/self/pagemap", r < 0 ? r : -EIO);
			for (j = 0; j < n; j++)
				if ((pm_buf[j] >> 62) & 3)  /* present | swapped */
					if (add_run(w->run0, i + j, 1))
						return -1;
		}
		return 0;
	}
	for (i = 0; i < np; i++)
		if (!page_is_zero((const __u64 *)(w->r.start + i * CKPT_PAGE)))
			if (add_run(w->run0, i, 1))
				return -1;
	return 0;
}

static int classify(struct wregion *w, const struct map_ent *e)
{
	w->r.start = e->start;
	w->r.end = e->end;
	w->r.prot = e->prot;
	w->r.file_off = e->offset;
	w->r.kind = CKPT_KIND_ANON;
	w->r.flags = 0;
	w->name = e->name;
	w->r.name_len = e->name_len + 1;
	if (w->r.name_len > CKPT_NAME_MAX)
		w->r.name_len = CKPT_NAME_MAX;   /* truncated below too */
	if (name_is(e, "[vdso]"))
		w->r.kind = CKPT_KIND_VDSO;
	else if (name_is(e, "[vvar]"))
		w->r.kind = CKPT_KIND_VVAR;
	else if (name_is(e, "[vvar_vclock]"))
		w->r.kind = CKPT_KIND_VVAR_VCLOCK;
	else if (name_is(e, "[stack]"))
		w->r.kind = CKPT_KIND_STACK;
	else if (name_is(e, "[heap]"))
		w->r.flags |= CKPT_RF_HEAP;
	else if (e->inode || e->name[0] == '/')
		w->r.flags |= CKPT_RF_FILE;
	if (e->shared)
		w->r.flags |= CKPT_RF_SHARED;
	return 0;
}

/* Turns the maps text into the region table.  Lines are split in place. */
static int parse_regions(void)
{
	unsigned lines = 1;
	char *p, *line, *cur = maps_buf;

	for (p = maps_buf; *p; p++)
		lines += *p == '\n';
	regs = scratch(page_up((__u64)lines * sizeof(*regs)));
	if (!regs)
		return writer_fail("out of memory", "region table", -ENOMEM);
	while ((line = next_line(&cur))) {
		struct map_ent e;
		if (maps_parse(line, &e))
			return writer_fail("cannot parse /proc/self/maps line", line, 0);
		if (name_is(&e, "[vsyscall]"))
			continue;
		if (e.start < (__u64)maps_buf + maps_cap && e.end > (__u64)maps_buf)
			continue;        /* our own scratch buffer */
		if (e.start < wstack + WSTACK_SIZE && e.end > wstack)
			continue;        /* our own stack */
		if (fds_snap_owns(ckpt_st.fds, e.start, e.end))
			continue;        /* the pause's fd snapshot */
		if (e.start >= CKPT_RESERVED_START && e.end <= CKPT_RESERVED_END)
			continue;        /* the restarter's reservation */
		if (e.start < CKPT_RESERVED_END && e.end > CKPT_RESERVED_START)
			return writer_fail("a mapping overlaps myrestart's range 0x5000000-0x5400000", e.name, 0);
		if (e.end > CKPT_USER_END)
			continue;
		/* glibc's cached break, for a restart that cannot restore brk;
		 * kept from an earlier checkpoint when libc is no longer named */
		if (!e.offset && e.name_len > 10 && !memcmp(e.name + e.name_len - 10, "/libc.so.6", 10)) {
			void **cb = ckpt_glibc_curbrk(e.start);
			if (cb)
				ckpt_st.curbrk = cb;
		}
		classify(&regs[nregs++], &e);
	}
	return 0;
}

static int has_data(const struct wregion *w)
{
	return w->r.kind == CKPT_KIND_ANON || w->r.kind == CKPT_KIND_STACK;
}

/* Writes one region's selected pages at the current file end. */
static int write_region(struct wregion *w, __u64 *off)
{
	__u32 crc = 0;
	__u64 i;

	w->run0 = nruns;
	w->r.nruns = 0;
	w->r.data_off = *off;
	w->r.data_len = 0;
	if (!has_data(w))
		return 0;
	/* the writer's copy may be unreadable (PROT_NONE, write-only): open it
	 * up here, in the child only; the program keeps its protections */
	if (!(w->r.prot & PROT_READ) &&
	    k_mprotect(w->r.start, w->r.end - w->r.start, w->r.prot | PROT_READ) < 0)
		return writer_fail("cannot read region", w->name, -EACCES);
	if (select_pages(w))
		return -1;
	w->r.nruns = nruns - w->run0;
	for (i = w->run0; i < nruns; i++) {
		const void *src = (const void *)(w->r.start + runs[i].page * CKPT_PAGE);
		__u64 len = runs[i].npages * CKPT_PAGE;
		long r;
		crc = crc32c(crc, src, len);
		r = k_write_full(img_fd, src, len);
		if (r < 0)
			return writer_fail("cannot write the image", w->name[0] ? w->name : "anonymous memory", r);
		w->r.data_len += len;
	}
	w->r.data_crc = crc;
	*off += w->r.data_len;
	return 0;
}

static __u64 rec_size(__u64 payload)
{
	return sizeof(struct ckpt_rec) + ((payload + 7) & ~7ul);
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
	return (char *)h + rec_size(h->size);
}

static int write_records(__u64 off, struct ckpt_header *hd)
{
	__u64 size = rec_size(sizeof(struct ckpt_info)) + rec_size(sizeof(struct arch_regs)) +
		     rec_size(sizeof(struct arch_xstate) + ckpt_st.xstate.size) + rec_size(sizeof(struct ckpt_mm)) +
		     rec_size(sizeof(struct ckpt_proc)) + rec_size(sizeof(struct ckpt_signals)) +
		     rec_size(0);
	unsigned i, n = 7 + fd_count;
	char *buf, *p;
	long r;

	for (i = 0; i < nregs; i++, n++)
		size += rec_size(sizeof(struct ckpt_region) +
				 regs[i].r.nruns * sizeof(struct ckpt_run) + regs[i].r.name_len);
	size += fd_recs_size;
	buf = scratch(page_up(size));
	if (!buf)
		return writer_fail("out of memory", "record table", -ENOMEM);
	p = put_rec(buf, CKPT_REC_INFO, &ckpt_st.info, sizeof(ckpt_st.info), 0, 0, 0, 0);
	p = put_rec(p, CKPT_REC_CPU, &ckpt_st.regs, sizeof(ckpt_st.regs), 0, 0, 0, 0);
	p = put_rec(p, CKPT_REC_XSTATE, &ckpt_st.xstate, sizeof(ckpt_st.xstate), ckpt_st.xarea,
		    ckpt_st.xstate.size, 0, 0);
	p = put_rec(p, CKPT_REC_MM, &ckpt_st.mm, sizeof(ckpt_st.mm), 0, 0, 0, 0);
	p = put_rec(p, CKPT_REC_PROC, &ckpt_st.proc, sizeof(ckpt_st.proc), 0, 0, 0, 0);
	p = put_rec(p, CKPT_REC_SIGNALS, &ckpt_st.sigs, sizeof(ckpt_st.sigs), 0, 0, 0, 0);
	for (i = 0; i < nregs; i++) {
		struct wregion *w = &regs[i];
		char *name = p + sizeof(struct ckpt_rec) + sizeof(w->r) + w->r.nruns * sizeof(struct ckpt_run);
		p = put_rec(p, CKPT_REC_REGION, &w->r, sizeof(w->r), &runs[w->run0],
			    w->r.nruns * sizeof(struct ckpt_run), w->name, w->r.name_len);
		name[w->r.name_len - 1] = 0;
	}
	memcpy(p, fd_recs, fd_recs_size);
	p += fd_recs_size;
	p = put_rec(p, CKPT_REC_END, 0, 0, 0, 0, 0, 0);
	hd->nrecords = n;
	hd->records_off = off;
	hd->records_size = size;
	hd->records_crc = crc32c(0, buf, size);
	r = k_pwrite(img_fd, buf, size, off);
	if (r != (long)size)
		return writer_fail("cannot write the image", "record table", r < 0 ? r : -EIO);
	return 0;
}

static int write_header(struct ckpt_header *hd, __u64 data_end)
{
	long r;

	memcpy(hd->magic, CKPT_MAGIC, 8);
	hd->version = CKPT_VERSION;
	hd->header_size = sizeof(*hd);
	hd->page_size = CKPT_PAGE;
	hd->runner = ckpt_st.runner;
	hd->machine = ARCH_ELF_MACHINE;
	hd->data_off = CKPT_PAGE;
	hd->data_size = data_end - CKPT_PAGE;
	hd->file_size = hd->records_off + hd->records_size;
	hd->header_crc = 0;
	hd->header_crc = crc32c(0, hd, sizeof(*hd));
	r = k_pwrite(img_fd, hd, sizeof(*hd), 0);
	if (r != (long)sizeof(*hd))
		return writer_fail("cannot write the image", "header", r < 0 ? r : -EIO);
	return 0;
}

static int open_tmp(void)
{
	struct out o = { .len = 0 };
	long fd;

	out_str(&o, ckpt_st.path);
	out_chr(&o, '.');
	out_u64(&o, sys_getpid());
	out_str(&o, ".tmp");
	if (o.len >= sizeof(tmp_path) - 1 || o.len >= sizeof(o.buf) - 1)
		return writer_fail("image path too long", ckpt_st.path, -ENAMETOOLONG);
	memcpy(tmp_path, o.buf, o.len);
	tmp_path[o.len] = 0;
	fd = k_openat(AT_FDCWD, tmp_path,
		      O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return writer_fail("cannot create", tmp_path, fd);
	img_fd = fd;
	return 0;
}

/* CKPT_FSYNC: the rename itself must reach the disk too */
static long sync_dir(void)
{
	char dir[CKPT_PATH_MAX];
	unsigned n = strlen(ckpt_st.path);
	long fd, r;

	while (n > 1 && ckpt_st.path[n - 1] != '/')
		n--;
	memcpy(dir, ckpt_st.path, n);
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
static long damage(__u64 off)
{
	__u8 b;
	long r = k_pread(img_fd, &b, 1, off);

	if (r != 1)
		return r < 0 ? r : -EIO;
	b = ~b;
	r = k_pwrite(img_fd, &b, 1, off);
	return r == 1 ? 0 : r < 0 ? r : -EIO;
}

/* myrestart's validation of the temporary image, read back from the file */
static int self_check(void)
{
	static char what[sizeof(((struct out *)0)->buf) + 32];
	const char *reason;
	unsigned n;

	if (!ckpt_verify_image(tmp_path, &reason))
		return 0;
	memcpy(what, "image failed its own check: ", 28);
	n = strlen(reason);
	if (n > sizeof(what) - 29)
		n = sizeof(what) - 29;
	memcpy(what + 28, reason, n);
	what[28 + n] = 0;
	return writer_fail(what, 0, 0);
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

static int write_all(void)
{
	__u64 t_check;
	struct ckpt_header hd;
	__u64 off = CKPT_PAGE;
	unsigned i;
	long r;

	memset(&hd, 0, sizeof(hd));
	if (read_maps() || parse_regions())
		return -1;
	pm_buf = scratch(PM_ENTRIES * 8);
	if (!pm_buf)
		return writer_fail("out of memory", "pagemap buffer", -ENOMEM);
	fd_recs = scratch(page_up(FD_RECS_CAP) + FD_PATHS_CAP);
	if (!fd_recs)
		return writer_fail("out of memory", "fd table", -ENOMEM);
	if ((r = fds_paths(ckpt_st.fds, fd_recs + page_up(FD_RECS_CAP), FD_PATHS_CAP)) < 0)
		return writer_fail("cannot read the paths of", "/proc/self/fd", r);
	fd_recs_size = fds_records(ckpt_st.fds, fd_recs, &fd_count);
	if (ckpt_st.runner == CKPT_RUNNER_NATIVE)
		pm_fd = k_openat(AT_FDCWD, "/proc/self/pagemap", O_RDONLY | O_CLOEXEC, 0);
	if (open_tmp())
		return -1;
	r = my_syscall3(__NR_lseek, img_fd, CKPT_PAGE, SEEK_SET);
	if (r < 0)
		return writer_fail("cannot seek in", tmp_path, r);
	for (i = 0; i < nregs; i++)
		if (write_region(&regs[i], &off))
			return -1;
	if ((r = fds_write_contents(ckpt_st.fds, fd_recs, fd_recs_size, img_fd, &off)) < 0)
		return writer_fail("cannot write the image", "saved file contents", r);
	if (write_records(off, &hd) || write_header(&hd, off))
		return -1;
	if (ckpt_st.fault_damage && (r = damage(hd.data_size ? hd.data_off : 0)) < 0)
		return writer_fail("cannot inject the CKPT_FAULT damage", tmp_path, r);
	t_check = k_now_ns();
	if (ckpt_st.verify && self_check())
		return -1;
	t_check = k_now_ns() - t_check;
	if (ckpt_st.fsync && (r = k_fsync(img_fd)) < 0)
		return writer_fail("cannot sync", tmp_path, r);
	r = sys_close(img_fd);
	img_fd = -1;
	if (r < 0)
		return writer_fail("cannot write the image", tmp_path, r);
	r = k_renameat(AT_FDCWD, tmp_path, AT_FDCWD, ckpt_st.path);
	if (r < 0)
		return writer_fail("cannot rename the image to", ckpt_st.path, r);
	if (ckpt_st.fsync && (r = sync_dir()) < 0)
		return writer_fail("cannot sync the directory of", ckpt_st.path, r);
	if (ckpt_st.verbose) {
		struct out o = { .len = 0 };
		out_str(&o, "libckpt: checkpoint ");
		out_u64(&o, ckpt_st.ncheckpoints);
		out_str(&o, " written to ");
		out_str(&o, ckpt_st.path);
		out_str(&o, " (");
		out_size(&o, hd.file_size);
		out_str(&o, " in ");
		out_ms(&o, k_now_ns() - ckpt_st.t_start);
		if (ckpt_st.verify) {
			out_str(&o, " ms, its own check ");
			out_ms(&o, t_check);
		}
		out_str(&o, " ms; the program paused ");
		out_ms(&o, ckpt_st.t_fork - ckpt_st.t_start);
		out_str(&o, " ms before the fork)\n");
		out_flush(&o, 2);
	}
	return 0;
}

static __attribute__((noreturn)) void writer_on_own_stack(void *arg)
{
	int r;

	(void)arg;
	ckpt_state_capture();
	r = write_all();
	if (r) {
		ckpt_fail_msg(fail_what, fail_name, fail_err);
		if (img_fd >= 0)
			sys_close(img_fd);
		if (tmp_path[0])
			k_unlinkat(AT_FDCWD, tmp_path, 0);
		k_exit_group(1);
	}
	k_exit_group(0);
}

/* Entry point of the writer child, still on the program's stack, which
 * it must copy unchanged: so the first thing is to leave it. */
void ckpt_writer_main(void)
{
	unsigned long all = ~0ul;

	/* signals aimed at the process group (a ^C) must not run the
	 * program's handlers in this copy; SIGXFSZ stays pending instead of
	 * killing us, and write() reports EFBIG */
	k_sigprocmask(SIG_SETMASK, &all, 0);
	k_prctl(PR_SET_NAME, (unsigned long)"ckpt-writer", 0, 0, 0);
	/* after a restart these still hold the last writer's values */
	maps_buf = 0, maps_cap = 0, regs = 0, nregs = 0;
	runs = 0, nruns = 0, runs_cap = 0, pm_buf = 0;
	fd_recs = 0, fd_recs_size = 0, fd_count = 0;
	img_fd = -1, pm_fd = -1, tmp_path[0] = 0, fail_what = fail_name = 0, fail_err = 0;
	wstack = (unsigned long)scratch(WSTACK_SIZE);
	if (!wstack) {
		ckpt_fail_msg("no memory for the writer's stack", 0, -ENOMEM);
		k_exit_group(1);
	}
	arch_switch_stack(wstack + WSTACK_SIZE, writer_on_own_stack, 0);
}
