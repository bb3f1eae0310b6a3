/* Bringing the image back.  restore_prepare() still may fail cleanly;
 * restore_run() is the point of no return: it moves to myrestart's own
 * stack, clears every mapping of ours outside 0x5000000-0x5400000, puts
 * the kernel's vdso where the program had it, copies the saved regions
 * back, starts the other threads (threads.c) and jumps into the leader's
 * context. */
#include "restart.h"
#include "crc32c.h"
#include "elfid.h"

/* [vdso], [vvar], [vvar_vclock]: index = kind - CKPT_KIND_VDSO */
#define NSPECIAL (CKPT_KIND_VVAR_VCLOCK - CKPT_KIND_VDSO + 1)

/* qemu: pages of guest memory it keeps state of its own in, never unmapped */
static __u64 keep_page[4];
static unsigned nkeep;

static char own_text[65536];
static struct own_map own[512];    /* ours to unmap */
static unsigned nown;
static struct own_map own_sp[NSPECIAL];              /* ours to move */
static const struct ckpt_region *img_sp[NSPECIAL];  /* where they go */
static __u8 xarea[ARCH_XSTATE_MAX] __attribute__((aligned(64)));  /* the leader's */
static int early_fill(struct img *im);

/* CKPT_KIND_VDSO.. for the special mappings, else 0 */
static int special_kind(const struct map_ent *e)
{
	static const char names[] = "[vdso]\0[vvar]\0[vvar_vclock]";
	for (int k = 0; k < NSPECIAL; k++)
		if (name_is(e, nth_str(names, k)))
			return CKPT_KIND_VDSO + k;
	return 0;
}

static int read_own_maps(struct img *im)
{
	long n = k_read_file("/proc/self/maps", own_text, sizeof(own_text) - 1);
	char *line, *cur = own_text;
	int k;

	if (n < 0 || n >= (long)sizeof(own_text) - 1)
		return report(im, "cannot read /proc/self/maps (too long?)");
	own_text[n] = 0;
	nkeep = im->runner == CKPT_RUNNER_QEMU ? arch_qemu_pages(keep_page, 4) : 0;
	for (nown = 0; (line = next_line(&cur)); ) {
		struct map_ent e;
		if (maps_parse(line, &e))
			return report(im, "cannot parse /proc/self/maps");
		if (e.end > CKPT_USER_END)
			continue;       /* [vsyscall] */
		k = special_kind(&e);
		if (k) {
			own_sp[k - CKPT_KIND_VDSO] = (struct own_map){ e.start, e.end, e.prot };
			continue;
		}
		if (nown == sizeof(own) / sizeof(own[0]))
			return report(im, "too many mappings in myrestart itself");
		own[nown++] = (struct own_map){ e.start, e.end, e.prot };
	}
	return 0;
}

/* The saved [vdso]/[vvar] must be ours in size and in relative layout:
 * vdso code finds its data at a fixed distance.  A refusal names the
 * mapping and what differs. */
#define ANOTHER_KERNEL " (another kernel's: restart it on the kernel it was taken on)"
static int check_vdso(struct img *im)
{
	static const char names[] = "[vdso]\0[vvar]\0[vvar_vclock]";
	const struct ckpt_region *base;
	int k;

	for (unsigned i = 0; i < im->nregions; i++)
		if (ckpt_kind_special(im->reg[i]->kind))
			img_sp[im->reg[i]->kind - CKPT_KIND_VDSO] = im->reg[i];
	base = img_sp[0];
	for (k = 0; k < NSPECIAL; k++) {
		const struct ckpt_region *r = img_sp[k];
		const struct own_map *o = &own_sp[k];
		const char *name = nth_str(names, k);
		long dh, di;
		if (!r)
			continue;
		/* k = 0 first: past it, both have a [vdso] or the image none */
		if (!o->end)
			return report(im, "the image has a %s mapping, this kernel none" ANOTHER_KERNEL, name);
		if (!base)
			return report(im, "bad image (a %s mapping and no [vdso])", name);
		if (r->end - r->start != o->end - o->start)
			return report(im, "this kernel's %s is %u bytes, the image's %u" ANOTHER_KERNEL, name,
				      o->end - o->start, r->end - r->start);
		if (!k && r->build_id_len) {
			/* the same size, another build: the program's pointers
			 * into it (glibc keeps them) would miss */
			static unsigned char id[ELFID_MAX];
			static struct out here, there;
			unsigned n = elf_build_id_mem((const unsigned char *)o->start, o->end - o->start, id);
			if (n && (n != r->build_id_len || memcmp(id, r->build_id, n))) {
				for (unsigned b = 0; b < 8; b++)
					out_hex(&here, id[b], 2), out_hex(&there, r->build_id[b], 2);
				return report(im, "this kernel's [vdso] is another build: build-id %s..., the image's %s..."
					      ANOTHER_KERNEL, here.buf, there.buf);
			}
		}
		dh = o->start - own_sp[0].start;
		di = r->start - base->start;
		if (dh != di)
			return report(im, "this kernel's %s is at [vdso]%s0x%x, the image's at [vdso]%s0x%x" ANOTHER_KERNEL,
				      name, dh < 0 ? "-" : "+", (__u64)(dh < 0 ? -dh : dh), di < 0 ? "-" : "+",
				      (__u64)(di < 0 ? -di : di));
	}
	return 0;
}

static int check_collisions(struct img *im)
{
	for (unsigned i = 0; i < nkeep; i++)
		for (unsigned k = 0; k < im->nregions; k++)
			if (im->reg[k]->start <= keep_page[i] && im->reg[k]->end > keep_page[i])
				return report(im, "the image needs 0x%x, where qemu keeps state of its own", keep_page[i]);
	return 0;
}

/* --check: what restore_prepare() checks of this kernel, nothing mapped */
int restore_check_kernel(struct img *im)
{
	return read_own_maps(im) || check_vdso(im);
}

int restore_prepare(struct img *im)
{
	/* past the point of no return, messages still name the image: not
	 * from argv, on the kernel's stack, which goes */
	static char path[CKPT_NAME_MAX];
	unsigned n = strnlen(im->path, sizeof(path) - 1);

	memcpy(path, im->path, n);
	path[n] = 0;
	im->path = path;
	long a = k_mmap(RST_STACK_LO, RST_STACK_HI - RST_STACK_LO, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (a != (long)RST_STACK_LO)
		return report(im, "cannot map myrestart's stack at 0x5300000");
	if (read_own_maps(im) || check_vdso(im) || check_collisions(im) || threads_check(im) ||
	    timers_check(im))
		return 1;
	/* every checksum before a file is touched (fds_prepare may put saved
	 * files back) */
	if (!im->lazy && chain_verify_data(im))
		return 1;
	if (early_fill(im) || (!im->lazy && image_verify_data(im)) || fds_prepare(im) || backing_prepare(im) ||
	    locks_prepare(im))
		return 1;
	memcpy(xarea, im->leader + 1, im->leader->xstate.size);
	return 0;
}

static __attribute__((noreturn)) void die(const struct img *im, const char *what, long err)
{
	report(im, "restore failed (past the point of no return): %s%s%s", what, err ? ": " : "",
	     err ? err_str(err) : "");
	k_exit_group(1);
}

/* unmaps [lo, hi) except the kept pages */
static void unmap_range(const struct img *im, __u64 lo, __u64 hi)
{
	for (unsigned i = 0; i < nkeep; i++)
		if (keep_page[i] >= lo && keep_page[i] < hi) {
			unmap_range(im, lo, keep_page[i]);
			unmap_range(im, keep_page[i] + CKPT_PAGE, hi);
			return;
		}
	if (lo < hi && k_munmap(lo, hi - lo) < 0)
		die(im, "cannot unmap myrestart's memory", 0);
}

/* everything of ours but the range we run from (the copy's is not in
 * own[]: it was made after own[] was read) */
static void unmap_own(const struct img *im)
{
	for (unsigned i = 0; i < nown; i++)
		if ((im->stage || own[i].start < CKPT_RESERVED_START || own[i].end > CKPT_RESERVED_END) &&
		    !chain_owns(im, own[i].start, own[i].end))
			unmap_range(im, own[i].start, own[i].end);
}

/* Park our vdso/vvar in scratch space first, so that no move can land on
 * another special mapping not yet moved, then put them where the image
 * had them (or drop those the image did not have). */
static void move_vdso(const struct img *im)
{
	__u64 lo = ~0ull, at[NSPECIAL] = { 0 };
	int k;

	for (k = 0; k < NSPECIAL; k++)
		if (own_sp[k].end && own_sp[k].start < lo)
			lo = own_sp[k].start;
	for (k = 0; k < NSPECIAL; k++) {
		const struct own_map *o = &own_sp[k];
		__u64 len = o->end - o->start;
		if (!o->end)
			continue;
		if (!img_sp[k]) {
			k_munmap(o->start, len);
			continue;
		}
		at[k] = RST_SCRATCH + (o->start - lo);
		if (at[k] + len > rst_base() + RST_SIZE ||
		    k_mremap(o->start, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, at[k]) != (long)at[k])
			die(im, "cannot move the vdso", 0);
	}
	for (k = 0; k < NSPECIAL; k++) {
		const struct ckpt_region *r = img_sp[k];
		__u64 len;
		long m;
		if (!r || !at[k])
			continue;
		len = r->end - r->start;
		m = k_mremap(at[k], len, len, MREMAP_MAYMOVE | MREMAP_FIXED, r->start);
		if (m != (long)r->start)
			die(im, "cannot move the vdso", m < 0 ? m : 0);
	}
}

/* regions mapped and filled before the point of no return (early_fill) */
static __u8 filled[IMG_REGIONS_MAX];

/* Saved pages are copied into fresh anonymous memory.  Mapping them from
 * the image file (MAP_PRIVATE) would be cheaper but is not the same
 * memory: grown with mremap (glibc's realloc of a large block), a file
 * mapping shows the image's next bytes, or SIGBUS past its end, instead
 * of zeros; after MADV_DONTNEED (allocators give memory back so) it shows
 * the image's bytes again.  Each run's pages are faulted in at once
 * (MADV_POPULATE_WRITE, where the kernel has it) before the copy. */
/* the saved pages of r into its mapping, read in pieces that stay in
 * the cache for their CRC32C when crc is wanted; 0 or -errno */
#define FILL_CHUNK (512ul << 10)
static long fill_runs(const struct img *im, const struct ckpt_region *r, __u32 *crc)
{
	const struct ckpt_run *run = region_runs(r);
	__u64 off = r->data_off;

	for (unsigned k = 0; k < r->nruns; k++) {
		__u64 at = r->start + run[k].page * CKPT_PAGE, n = run[k].npages * CKPT_PAGE;
		for (__u64 done = 0; done < n; ) {
			__u64 c = crc && n - done > FILL_CHUNK ? FILL_CHUNK : n - done;
			long e = read_into(im->fd, at + done, c, off);
			if (e)
				return e;
			if (crc)
				*crc = crc32c(*crc, (const void *)(at + done), c);
			done += c;
			off += c;
		}
	}
	return 0;
}

/* maps r (MAP_FIXED, or before the point of no return
 * MAP_FIXED_NOREPLACE) and fills it: its file or anonymous memory, the
 * parents' pages of a delta, its own saved pages.  0, or -errno with
 * *what saying what failed. */
static long place_region(const struct img *im, const struct ckpt_region *r, unsigned i, int fixed,
			 __u32 *crc, const char **what)
{
	__u64 len = r->end - r->start;
	int prot = r->prot;
	long a;

	/* qemu's synthesized maps can drop the x bit of code it maps */
	if (im->hd.runner == CKPT_RUNNER_QEMU && (r->flags & CKPT_RF_FILE) && (prot & PROT_READ))
		prot |= PROT_EXEC;
	*what = region_name(r)[0] ? region_name(r) : "cannot map anonymous memory";
	if (r->kind == CKPT_KIND_SHMEM || r->kind == CKPT_KIND_FILE_SHARED) {
		a = k_mmap(r->start, len, prot, MAP_SHARED | fixed, backing_fd(i), r->file_off);
		return a == (long)r->start ? 0 : a < 0 ? a : -EEXIST;
	}
	if (r->kind == CKPT_KIND_FILE_PRIVATE)    /* its file, then the pages the program changed */
		a = k_mmap(r->start, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | fixed, backing_fd(i), r->file_off);
	else
		a = k_mmap(r->start, len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | fixed | (r->kind == CKPT_KIND_STACK ? MAP_GROWSDOWN : 0),
			   -1, 0);
	if (a != (long)r->start)
		return a < 0 ? a : -EEXIST;
	*what = "cannot read a parent image";
	if (chain_fill(im, r))
		return -EIO;
	*what = "cannot read the image";
	if ((a = fill_runs(im, r, crc)) < 0)
		return a;
	chain_zero(r, r->start, r->end);
	*what = "cannot set protections";
	if (prot != (PROT_READ | PROT_WRITE) && (a = k_mprotect(r->start, len, prot)) < 0)
		return a;
	return 0;
}

static void map_region(const struct img *im, const struct ckpt_region *r, unsigned i)
{
	const char *what;
	long e = place_region(im, r, i, MAP_FIXED, 0, &what);

	if (e < 0)
		die(im, what, e);
}

/* [lo, hi) is free of everything myrestart has or needs now */
static int clear_of_ours(__u64 lo, __u64 hi)
{
	if (lo < CKPT_RESERVED_END && hi > CKPT_RESERVED_START)
		return 0;
	for (unsigned k = 0; k < nown; k++)
		if (own[k].start < hi && own[k].end > lo)
			return 0;
	for (unsigned k = 0; k < NSPECIAL; k++)
		if (own_sp[k].end && own_sp[k].start < hi && own_sp[k].end > lo)
			return 0;
	return 1;
}

/* Verifying and restoring in one pass: the anonymous regions that no
 * mapping of myrestart's is in the way of are mapped and filled now,
 * before the point of no return, each piece's CRC32C taken while it is
 * still in the cache (a bad one is refused as image_verify_data() would);
 * the others wait for restore_main().  Natively only (qemu takes a fixed
 * address for a hint). */
static int early_fill(struct img *im)
{
	for (unsigned i = 0; i < im->nregions && im->runner == CKPT_RUNNER_NATIVE; i++) {
		const struct ckpt_region *r = im->reg[i];
		const char *what;
		__u32 crc = 0;
		long e;
		if (!ckpt_kind_delta(r->kind) || !clear_of_ours(r->start, r->end))
			continue;
		e = place_region(im, r, i, MAP_FIXED_NOREPLACE, im->lazy ? 0 : &crc, &what);
		if (e < 0)
			return report(im, "%s: %s (region %u of %u)", what, err_str(e), (__u64)i + 1,
				      (__u64)im->region_recs);
		if (!im->lazy && crc != r->data_crc)
			return report(im, "bad checksum in region %u (%s)", (__u64)i + 1,
				      region_name(r)[0] ? region_name(r) : "anonymous");
		filled[i] = 1;
	}
	im->verified = filled;
	return 0;
}

static void restore_mm(const struct img *im)
{
	const struct ckpt_mm *m = im->mm;
	struct prctl_mm_map pm;
	long r;

	if (!m->valid || im->runner == CKPT_RUNNER_QEMU)
		return;
	/* start_code up to env_end: the same eleven fields in the same order */
	_Static_assert(__builtin_offsetof(struct prctl_mm_map, auxv) == __builtin_offsetof(struct ckpt_mm, auxv),
		       "ckpt_mm must begin as prctl_mm_map does");
	memcpy(&pm, m, __builtin_offsetof(struct ckpt_mm, auxv));
	pm.auxv = (__u64 *)m->auxv;
	pm.auxv_size = m->auxv_size;
	pm.exe_fd = -1;
	r = k_prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long)&pm, sizeof(pm), 0);
	if (r < 0)
		report(im, "warning: program break not restored (%s); malloc will use mmap", err_str(r));
}

static __attribute__((noreturn)) void restore_main(void *arg)
{
	struct img *im = arg;

	unmap_own(im);
	move_vdso(im);
	for (unsigned i = 0; i < im->nregions; i++)
		if (!ckpt_kind_special(im->reg[i]->kind) && !filled[i])
			map_region(im, im->reg[i], i);
	chain_release(im);
	backing_done(im);
	restore_mm(im);
	k_prctl(PR_SET_NAME, (unsigned long)im->info->comm, 0, 0, 0);
	fds_install(im);
	locks_install(im);
	proc_restore(im);
	threads_start(im);
	timers_restore(im);
	threads_release(im);
	thread_kernel_state(im->leader);
	/* from here on only the program's TLS is reachable */
	arch_tls_restore(&im->leader->cpu);
	/* a relocated stage tells the library where its copy is to go */
	arch_ctx_jump(&im->leader->cpu, xarea, arch_xstate_mode(&im->leader->xstate),
		      im->stage ? (long)im->stage : 1);
}

/* Returns only when the restore stage could not be copied out of the
 * image's way (then nothing has changed yet). */
int restore_run(struct img *im)
{
	unsigned long all = ~0ul;
	long delta = 0;

	/* the program's handlers are not installed yet: nothing may arrive
	 * until the restored sigreturn puts its own mask back */
	k_sigprocmask(SIG_SETMASK, &all, 0);
	if (relocate_needed(im)) {
		const struct ckpt_region **sp;
		delta = relocate_stage(im, own, nown, keep_page, nkeep);
		if (delta < 0) {
			k_sigprocmask(SIG_SETMASK, &(unsigned long){ 0 }, 0);
			return report(im, "no room to move myrestart out of the image's way: %s", err_str(delta));
		}
		sp = relocate_ptr(img_sp, delta);          /* the copy's, into the copy's records */
		for (int k = 0; k < NSPECIAL; k++)
			sp[k] = relocate_ptr(sp[k], delta);
	}
	arch_switch_stack(RST_STACK_HI + delta, (void (*)(void *))((char *)restore_main + delta),
			  relocate_ptr(im, delta));
	__builtin_unreachable();
}
