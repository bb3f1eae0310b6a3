/* libckpt.so internals: the library's state and the functions of its
 * files. */
#ifndef CKPT_LIBCKPT_H
#define CKPT_LIBCKPT_H

#include "syscalls.h"
#include "image.h"
#define CKPT_LIBRARY             /* the public header's names, not its wrappers */
#include <ckpt.h>

/* What the library exports (core/libckpt.exports lists it all):
 * EXPORT(name) on the prototype of a wrapper of the program's libc call
 * name, CKPT_API on the public API of <ckpt.h> */
#define EXPORT(name) __attribute__((visibility("default"))) __asm__(#name)
#define CKPT_API __attribute__((visibility("default")))

#define CKPT_PATH_MAX 4096
#define CKPT_NSIG 64

struct obj_watch;
struct map_ent;
#define CKPT_SHM_MAX 256          /* shared memory mappings a checkpoint copies */

/* One fd as the pause saw it (core/fds.c) */
struct fd_snap {
	int fd;
	__u32 oflags;             /* F_GETFL */
	__u32 cloexec;
	__u32 mode;
	__u64 pos, size, dev, ino;
	__s64 mtime_sec;
	__u32 mtime_nsec;
	__u32 path_len;           /* with the NUL (the writer's) */
	char *path;               /* read by the writer */
	int deleted;              /* a regular file unlinked while open */
	int stdio;                /* 0-2 as the program was given them */
	int saved;                /* contents at data_at in fds_snap.contents */
	__u64 data_at;
	/* the kernel object behind it (objects.c) */
	__u32 obj;                /* a CKPT_FD_* object kind, or 0 */
	int same;                 /* an earlier fd with the same open file description, or -1 */
	int peer;                 /* PIPE, SOCKPAIR: the other end's fd, or -1 */
	int sock;                 /* a socket's struct ckpt_sock (sockets.c), or -1 */
	__u32 aux;                /* as struct ckpt_fd's aux and val */
	__u64 val[3];
	__u32 nwatch;             /* EPOLL: its watches, from fds_snap.watches[watch_at] */
	__u32 watch_at;
};

/* Every fd of the program, captured in the pause, plus a mapping
 * for the saved contents, which the writer inherits and the program
 * unmaps once it has forked. */
struct fds_snap {
	unsigned n;
	struct fd_snap fd[CKPT_FDS_MAX];
	char *contents;
	__u64 contents_size;
	char *paths;                      /* each fd's path, read in the pause */
	__u64 paths_size;
	const struct obj_watch *watches;  /* every epoll's, in the contents mapping */
	/* shared memory no fd holds, copied in the pause (shared.c) */
	unsigned nshm;
	struct shm_snap { __u64 start, end, data_at; } shm[CKPT_SHM_MAX];
	char *shm_data;
	__u64 shm_size;
	/* every mapping's range in the pause, for the writer's check */
	struct span { __u64 start, end; } *ranges;
	__u64 nranges, ranges_size;
	/* the file locks, as records (locks.c) */
	unsigned nlocks;
	struct ckpt_lock lock[CKPT_LOCKS_MAX];
};
/* the fds whose fdinfo may list locks: files, directories, devices,
 * FIFOs (not sockets or the anonymous inodes of eventfd and its kin) */
static inline int fd_lockable(const struct fd_snap *f)
{
	return (f->mode & S_IFMT) && !S_ISSOCK(f->mode);
}
/* the end of the contents mapping: epoll watches and a fdinfo buffer */
#define OBJS_TAIL (CKPT_WATCHES_MAX * 24ul + (2ul << 20))

/* The library's state (the objects live in state.c), in four parts by
 * whose they are.  All of it lives in the library's .bss, so it is part
 * of every image: what the writer records is what the restart path finds.
 *
 * Configuration: set once by the constructor (config.c), read-only after
 * (ckpt_cfg is a pointer to const). */
struct ckpt_config {
	int runner;               /* enum ckpt_runner */
	int sig;                  /* checkpoint signal */
	int verbose;              /* CKPT_VERBOSE=1: a line per checkpoint */
	int fsync;                /* CKPT_FSYNC=1: fsync before the rename */
	unsigned interval;        /* CKPT_INTERVAL: seconds between checkpoints, or 0 */
	int inherit;              /* CKPT_INHERIT: children keep the library (default 1) */
	int save_written;         /* CKPT_SAVE_WRITTEN=1: contents of files open for writing */
	int save_files;           /* CKPT_SAVE_FILES=1: every page of mapped files too */
	__u64 self_dev, self_ino; /* libckpt.so's own file: its pages always go in the image */
	__u64 save_written_max;   /* CKPT_SAVE_WRITTEN_MAX: bytes, per file */
	int verify;               /* CKPT_VERIFY (default 1): the writer's self-check */
	int fault_damage;         /* CKPT_FAULT=damage-image (tests) */
	int fault_kill;           /* CKPT_FAULT=kill-writer-*: 1 after the link, 2 before
				     the rename, 3 before the old chain is dropped */
	unsigned full_every;      /* CKPT_FULL_EVERY: a full image every n (default 8) */
	unsigned thread_timeout;  /* CKPT_THREAD_TIMEOUT: seconds for every thread to park */
	struct arch_xstate xstate; /* what this CPU's context save keeps */
	char comm[16];            /* the program's name */
};
extern const struct ckpt_config *const ckpt_cfg;

/* This process's place among the processes that run the library and its
 * image path (inherit.c): changes at a fork and at a restart. */
struct ckpt_self {
	int owner;                /* pid of the process that owns the image path */
	int pid;                  /* our pid as last seen: another one means a fork */
	int tag;                  /* 0 for the owner, else the pid in our image's name */
	unsigned base_len;        /* path without a descendant's ".<pid>" */
	char path[CKPT_PATH_MAX]; /* absolute image path (of this checkpoint) */
};
extern struct ckpt_self ckpt_self;

/* What several files read of the checkpoints so far; each file keeps
 * the rest of its state to itself (threads.c the threads of the one under
 * way, handler.c the outcome and the callbacks, pid.c the kept pid...) */
struct ckpt_runtime {
	int enabled;              /* constructor finished and range reserved */
	const char *disabled_why; /* not enabled: what the signal is answered with */
	int unreserved;           /* the program uses myrestart's range itself */
	__u32 ncheckpoints;       /* attempts, this one included */
};
extern struct ckpt_runtime ckpt_rt;

/* One checkpoint: captured in the pause (handler.c, fds.c) and by the
 * writer before it copies memory (proc.c); the restart path uses it. */
struct ckpt_snapshot {
	__u64 t_start;            /* CLOCK_MONOTONIC at the signal, for verbose */
	__u64 t_fork;             /* CLOCK_MONOTONIC just before the fork */
	struct timespec t_real;   /* CLOCK_REALTIME_COARSE in the pause */
	struct ckpt_signals sigs;
	struct ckpt_mm mm;
	void **curbrk;            /* glibc's cached program break, once found */
	struct ckpt_info info;
	struct ckpt_proc proc;
	struct fds_snap *fds;     /* this checkpoint's fds (pause to fork) */
	char children[256];       /* the program's children then, pids and spaces */
	unsigned ntimers;         /* its POSIX timers (timers.c) */
	struct ckpt_timer timers[CKPT_TIMERS_MAX];
};
extern struct ckpt_snapshot ckpt_snap;



/* text.c: messages and the few string helpers */
void ckpt_msg(const char *what, const char *detail, long err);
/* "libckpt: checkpoint N failed: what (name): error; the previous image
 * is unchanged", the one line a failed checkpoint prints */
void ckpt_fail_msg(const char *what, const char *name, long err);
const char *ckpt_env_get(char **envp, const char *name);
int ckpt_starts_with(const char *s, const char *prefix);
const char *ckpt_base_name(const char *path);
/* a decimal number of digits only, at most max (< 2^59), or -1 */
long ckpt_parse_uint(const char *v, long max);
/* the number in base (at most 16, lower-case digits) at p, to the first
 * character that is not one of its digits */
__u64 ckpt_parse_num(const char *p, unsigned base);
/* config.c: the CKPT_* variables into ckpt_cfg and the image path into
 * ckpt_self; 0, or -1 after one line (checkpointing stays off) */
int ckpt_config_read(char **argv, char **envp, const unsigned long *auxv);
/* threads.c */
int ckpt_threads_init(void);
int ckpt_threads_restarted(void);
int ckpt_threads_begin(void);
int ckpt_threads_stop(void);
void ckpt_threads_resume(void);
unsigned ckpt_threads_n(void);
int ckpt_threads_span(__u64 *start, __u64 *end);
void ckpt_thread_park(void);
void ckpt_thread_back(long r);
int ckpt_thread_owed(void);
struct ckpt_thread *ckpt_thread_self(void);
struct ckpt_thread *ckpt_thread_slot(unsigned i);
void *ckpt_thread_xarea(const struct ckpt_thread *t);
__u64 ckpt_threads_size(void);
/* write.c: the forked writer's body; exits 0 when the image is in place */
__attribute__((noreturn)) void ckpt_writer_main(void);
/* proc.c: process state */
void ckpt_proc_capture(void);
void ckpt_children_capture(void);
void ckpt_proc_restore(void *uc);     /* uc: the signal's, of the thread that resumes */
void ckpt_reserve_range(void);
int ckpt_start_interval(void);
void ckpt_rseq_init(const unsigned long *auxv);
/* glibc.c */
void **ckpt_glibc_curbrk(__u64 libc_base);
char ***ckpt_glibc_environ(const unsigned long *auxv);
const char *ckpt_glibc_self(const unsigned long *auxv);
void *ckpt_glibc_next(const unsigned long *auxv, const char *name);
void ckpt_glibc_nexts(const unsigned long *auxv, void *fns, const char *names);
/* dontfork.c */
void ckpt_dontfork_init(const unsigned long *auxv);
int ckpt_dontfork_clear(void);
void ckpt_dontfork_restore(int cleared);
/* incr.c */
void ckpt_incr_begin(int tree);     /* tree: this pause is of a tree's cut */
void ckpt_incr_note(const struct map_ent *e);
void ckpt_incr_pause(void);
void ckpt_incr_release(void);
void ckpt_incr_done(int status);
void ckpt_incr_restarted(void);
int ckpt_incr_fd(void);
int ckpt_incr_delta(void);
__u64 ckpt_incr_id(void);
__u64 ckpt_incr_parent(unsigned *depth);
int ckpt_incr_chain(unsigned k, __u64 *id);
int ckpt_incr_tracked(__u64 start, __u64 end);
int ckpt_incr_changed(int zero, __u64 from, __u64 end, struct span *out);
unsigned ckpt_incr_buffers(struct span *o);
/* sigclaim.c: the checkpoint signal's disposition */
void ckpt_sigclaim_init(const unsigned long *auxv);
int ckpt_install_handler(int sig);
void ckpt_sigclaim_chained(void);
int ckpt_sigclaim_taken(void);
/* tids.c */
void ckpt_tids_init(const unsigned long *auxv);
__u64 ckpt_tid_address(void);
void ckpt_tids_pause(void);
void ckpt_tids_restored(unsigned slot, unsigned n);
int ckpt_tids_find(int tid, int stale, int *real);
/* pid.c */
void ckpt_pid_init(const unsigned long *auxv);
void ckpt_pid_capture(void);
void ckpt_pid_restarted(void);
int ckpt_pid_seen(void);
/* cputime.c */
void ckpt_cputime_init(const unsigned long *auxv);
void ckpt_cputime_pause(unsigned slot);
void ckpt_cputime_restored(unsigned slot);
/* sigmask.c */
void ckpt_sigmask_init(const unsigned long *auxv);
/* inherit.c */
void ckpt_inherit_init(char **envp, const unsigned long *auxv);
void ckpt_inherit_name(void);
void ckpt_inherit_restarted(void);
/* fds.c */
long fds_capture(struct fds_snap **out, const char **why);
void fds_release(struct fds_snap *s);
void ckpt_stdio_given(void);
int ckpt_stdio_is_given(int fd, __u64 dev, __u64 ino);
void ckpt_stdio_restarted(void);
__u64 fds_records(const struct fds_snap *s, char *buf, unsigned *count);
long fds_write_contents(const struct fds_snap *s, char *recs, __u64 size, int img_fd, __u64 *off);
/* files.c (the writer) */
int files_private(const struct map_ent *e, struct ckpt_region *r);
int files_page_changed(const struct ckpt_region *r, __u64 i, char *buf);
/* shared.c */
__u32 shm_kind(const struct map_ent *e);
long shm_capture(struct fds_snap *s, const char **why);
const char *shm_copy(const struct fds_snap *s, __u64 start);
/* objects.c */
void objs_find_dups(struct fds_snap *s);
void objs_classify(struct fd_snap *f);
__u64 objs_bound(const struct fd_snap *f);
long objs_capture(struct fds_snap *s, char *buf, __u64 *at, __u64 cap, const char **why);
void objs_pair_sockets(struct fds_snap *s);
__u64 objs_unix_peer(int nl, __u64 ino, __u32 *type);
__u32 objs_kind(const struct fds_snap *s, const struct fd_snap *f, const char **why);
unsigned objs_watches(const struct fds_snap *s, const struct fd_snap *f, struct ckpt_watch *out,
		      __u32 (*kind_fn)(const struct fds_snap *, const struct fd_snap *));
/* sockets.c */
struct socks_tcp { __u64 ino; __u16 id[18]; __u8 family; };   /* id: inet_diag_sockid's first 36 bytes */
__u64 socks_tcp_peer(int nl, __u64 ino, struct socks_tcp *tab, unsigned *n, unsigned cap);
void socks_classify(struct fd_snap *f);
void socks_capture(struct fd_snap *f);
void socks_reset(void);
__u64 socks_bound(const struct fd_snap *f);
long socks_queue(const struct fd_snap *f, char *buf, __u64 cap);
const struct ckpt_sock *socks_of(const struct fd_snap *f);
void socks_backlogs(const struct fds_snap *s);
void socks_pair_tcp(struct fds_snap *s);
void socks_warn(const struct fd_snap *f);
const void *socks_unix_attr(int nl, __u64 ino, __u32 show, __u16 attr, __u16 len, __u32 *type);
/* timers.c */
long ckpt_timers_capture(void);
void ckpt_timers_init(const unsigned long *auxv);
/* locks.c */
long locks_capture(struct fds_snap *s, const struct fd_snap *f, char *text, long cap, const char **why);
void locks_retake(const struct fds_snap *s);
void locks_warn(const struct fds_snap *s, const struct fd_snap *f, __u32 kind);
/* procfs.c: names under /proc/self (buf: 40 bytes and more) */
void ckpt_task_path(char *buf, long tid, const char *file);
void ckpt_fdlink_path(char *buf, int fd);
/* the fdinfo of fd into buf (cap bytes, NUL-terminated): its length, or 0 */
long ckpt_fdinfo(int fd, char *buf, long cap);
/* verify.c */
int ckpt_verify_image(const char *path, const char **reason);

/* tree.c: one checkpoint of a process tree */
struct k_siginfo;
void ckpt_tree_signal(const struct k_siginfo *si);
int ckpt_tree_below_owner(void);
int ckpt_tree_forward(void);
int ckpt_tree_before_fork(void);
int ckpt_tree_wait_cut(__u32 before);
int ckpt_tree_stop(void);
void ckpt_tree_name(void);
void ckpt_tree_failed(void);
void ckpt_tree_writer_starts(void);
#define CKPT_CUT_NAME "ckpt-cut"    /* the memfd of a tree's cut, which every member maps */
int ckpt_tree_in_cut(void);
void ckpt_tree_forked(long pid);
void ckpt_tree_restarted(void);
int ckpt_tree_span(__u64 *start, __u64 *end);
void ckpt_tree_written(__u64 id);
int ckpt_tree_member(void);
int ckpt_tree_holds(int fd);
int ckpt_tree_owners_stdio(__u64 dev, __u64 ino);
long ckpt_tree_record(char *buf, __u64 cap, const char **why);
__u64 ckpt_tree_record_max(void);
void ckpt_tree_committed(void);

#endif
