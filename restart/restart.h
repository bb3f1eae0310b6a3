/* myrestart internals.  Everything lives in myrestart's own range: its
 * .data/.bss (0x5100000-0x5300000), its stack, so nothing here can
 * collide with the image; or, when the image needs that range, in the
 * copy of it the restore stage runs from (relocate.c). */
#ifndef CKPT_RESTART_H
#define CKPT_RESTART_H

#include "syscalls.h"
#include "image.h"
#include "out.h"
#include "maps.h"

/* Where myrestart's range is: 0x5000000 as linked, or the copy the
 * restore stage runs from.  The code is position independent (-fpie), so
 * this reads the running code's own place, and the addresses below move
 * with it. */
static inline __u64 rst_base(void)
{
	extern char rst_start[] __attribute__((visibility("hidden")));
	return (__u64)rst_start;
}
#define RST_SIZE       (CKPT_RESERVED_END - CKPT_RESERVED_START)
#define RST_STACK_LO   (rst_base() + 0x300000)  /* our stack: 0x5300000-0x5380000 */
#define RST_STACK_HI   (rst_base() + 0x380000)
#define RST_SCRATCH    (rst_base() + 0x380000)  /* parking for vdso/vvar while moving */
#define RST_THREADS_LO (rst_base() + 0x110000)  /* the restored threads' first stacks */
#define RST_THREADS_HI (rst_base() + 0x200000)
#define RST_RECORDS_MAX (640u << 10)
#define RST_REGIONS_MAX 8192u
#define RST_FDS_MAX     1024u

struct img {
	const char *path;
	int fd;
	int lazy;                  /* skip page-data checksums */
	int runner;                /* the runner myrestart itself is under */
	__u64 fsize;
	char *records;             /* RST_RECORDS_MAX bytes, the caller's */
	struct ckpt_header hd;
	union {                    /* the records an image has exactly once */
		struct {
			const struct ckpt_info *info;
			const struct ckpt_mm *mm;
			const struct ckpt_proc *proc;
			const struct ckpt_signals *sigs;
		};
		const void *once[4];  /* in the order of image.c's once_rec[] */
	};
	unsigned nthreads;
	const struct ckpt_thread *thread[CKPT_THREADS_MAX];  /* extended state follows each */
	const struct ckpt_thread *leader;
	int strict;                /* refuse files that changed since the checkpoint */
	int exact_tids;            /* in a tree's pid namespace: threads get their own tids */
	const char *cwd;           /* the working directory to return to (after --map) */
	unsigned nregions;
	unsigned region_recs;       /* region records in the table, for messages */
	const struct ckpt_region *reg[RST_REGIONS_MAX];
	unsigned nfds;
	const struct ckpt_fd *fds[RST_FDS_MAX];
	int held[RST_FDS_MAX];     /* reopened fds, parked high */
	unsigned ntimers;
	const struct ckpt_timer *timer[CKPT_TIMERS_MAX];
	unsigned nlocks;
	const struct ckpt_lock *locks[CKPT_LOCKS_MAX];
	int fd_base;               /* first parked fd */
	__u64 stage;               /* where the restore stage's copy runs, or 0 */
	/* a delta image (chain.c): its parent's file name (in the record
	 * table), and the parent once loaded, in the chain's arena */
	const char *parent_name;
	struct img *up;
	const char *of;            /* a parent: the image restarted, for messages */
	const __u8 *verified;      /* regions whose checksum was taken as they were restored */
	__u64 arena, arena_size;   /* the arena: its own mapping, kept past the point of no return */
	/* a process tree's owner (the TREE record): its tables */
	const struct ckpt_tree *tree;
	const struct ckpt_member *members;
	const struct ckpt_tobj *tobjs;
	const struct ckpt_tfd *tfds;
	const char *tbytes;
};

/* one mapping of myrestart's own, from /proc/self/maps */
struct own_map {
	__u64 start, end;          /* end 0: none */
	int prot;
};

static inline const struct ckpt_run *region_runs(const struct ckpt_region *r)
{
	return (const struct ckpt_run *)(r + 1);
}
/* a delta's pages that read as zero now */
static inline const struct ckpt_run *region_zero(const struct ckpt_region *r)
{
	return region_runs(r) + r->nruns;
}
static inline const char *region_name(const struct ckpt_region *r)
{
	return (const char *)(region_zero(r) + r->nzero);
}

/* image.c: 0 when the whole image is valid; else reports why through
 * report() and returns 1 */
int image_load(struct img *im);
int image_verify_data(struct img *im);
/* chain.c: a delta image's parents */
int chain_load(struct img *im);
int chain_verify_data(struct img *im);
int chain_owns(const struct img *im, __u64 start, __u64 end);
int chain_fill(const struct img *im, const struct ckpt_region *r);
void chain_zero(const struct ckpt_region *r, __u64 lo, __u64 hi);
long read_into(int fd, __u64 dst, __u64 len, __u64 off);
void chain_release(const struct img *im);
/* info.c */
void image_info(const struct img *im, int exact);
/* fds.c */
const char *path_of(const struct ckpt_fd *f);
int fds_prepare(struct img *im);
long fd_reopen(long fd, int flags);
long sock_send_queue(int from, const char *b, __u64 n);
long make_eventfd(__u64 count, int semaphore);
void fds_install(struct img *im);
/* objects.c: the saved messages of f sent to it by from */
long objs_refill(const struct img *im, const struct ckpt_fd *f, int from);
/* sockets.c */
long socks_make(const struct img *im, const struct ckpt_fd *f, int *other);
long socks_loopback(const struct img *im, __u32 family, int *p);
long socks_tree_end(const struct img *im, const struct ckpt_fd *f, int t, int from);
/* locks.c */
int locks_prepare(const struct img *im);
void locks_install(const struct img *im);
void locks_info(struct out *o, const struct img *im);
/* objects.c */
int objs_index(const struct img *im, int fd);
long objs_make(const struct img *im, unsigned i, int *other);
void objs_watch(const struct img *im, const struct ckpt_fd *f);
/* timers.c */
int timers_check(const struct img *im);
void timers_restore(const struct img *im);
const struct ckpt_timer *timer_of_signal(const struct img *im, unsigned s);
/* backing.c */
int backing_prepare(struct img *im);
int backing_fd(unsigned i);
void backing_done(const struct img *im);
/* proc.c */
void proc_restore(const struct img *im);
void thread_kernel_state(const struct ckpt_thread *t);
/* threads.c */
int threads_check(const struct img *im);
void threads_start(const struct img *im);
void threads_release(const struct img *im);
long thread_tid(unsigned i);
/* qemu.c */
void qemu_relocate_pages(const struct img *im, char **argv);
/* pathmap.c */
int pathmap_add(const char *arg);
const char *pathmap_hint(long err);
const char *pathmap(const char *path, char *buf);
/* relocate.c */
int relocate_needed(const struct img *im);
long relocate_stage(struct img *im, const struct own_map *own, unsigned nown, const __u64 *keep, unsigned nkeep);
void *relocate_ptr(const void *p, long delta);
/* tree.c: a process tree */
int tree_check(struct img *im);
int tree_restart(struct img *im);
void tree_info(const struct img *im);
long tree_fd(int fd, int *cloexec, int *other);
long tree_shm(__u64 dev, __u64 ino);
void tree_close_temps(void);
/* restore.c */
/* --check: the vdso of this kernel, as a restart checks it */
int restore_check_kernel(struct img *im);
int restore_prepare(struct img *im);
int restore_run(struct img *im);
/* Reports one problem (with the image, or with restoring it here) and
 * returns 1.  myrestart (main.c) prints it as one line "myrestart: FILE:
 * what" on stderr (see outf() for the format); libckpt.so's self-check
 * (core/verify.c) keeps the first for its own message. */
int report(const struct img *im, const char *fmt, ...);


#endif
