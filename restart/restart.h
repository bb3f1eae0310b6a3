/* myrestart internals.  Everything lives in myrestart's own range: its
 * .data/.bss (0x5100000-0x5300000), its stack, so nothing here can
 * collide with the image; or, when the image needs that range, in the
 * copy of it the restore stage runs from (relocate.c). */
#ifndef CKPT_RESTART_H
#define CKPT_RESTART_H

#include "imgread.h"
#include "chain.h"
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

/* one mapping of myrestart's own, from /proc/self/maps */
struct own_map {
	__u64 start, end;          /* end 0: none */
	int prot;
};

/* info.c */
void image_info(const struct img *im, int exact);
/* reopen.c: reopening by path */
const char *path_of(const struct ckpt_fd *f);
long fd_reopen(long fd, int flags);
/* fds.c */
int fds_prepare(struct img *im);
void fds_install(struct img *im);
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
/* the saved messages of f sent to it by from */
long objs_refill(const struct img *im, const struct ckpt_fd *f, int from);
long sock_send_queue(int from, const char *b, __u64 n);
long make_eventfd(__u64 count, int semaphore);
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
/* threads.c */
void thread_kernel_state(const struct ckpt_thread *t);
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
/* member.c: what a tree's member holds of the objects its processes
 * share, from its part of the owner's table (tree.c fills it) */
struct member_share {
	unsigned nfds, nshm;
	struct { int fd, tmp, cloexec, other; } fd[IMG_FDS_MAX];
	struct { __u64 dev, ino; int tmp; } shm[CKPT_TOBJS_MAX];
	struct member_temps {
		int lo, hi;        /* the objects' temporary fds, [lo, hi) */
		int ends[3];       /* this member's ends of the barriers */
	} temps;
};
void member_takes(const struct member_share *s);
long member_fd(int fd, int *cloexec, int *other);
long member_shm(__u64 dev, __u64 ino);
void member_close_temps(void);
/* restore.c */
/* --check: the vdso of this kernel, as a restart checks it */
int restore_check_kernel(struct img *im);
int restore_prepare(struct img *im);
int restore_run(struct img *im);

#endif
