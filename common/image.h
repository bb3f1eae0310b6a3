/* The ckpt image format, version 9: the contract between libckpt.so (writer)
 * and myrestart (reader).  docs/image-format.md explains it in prose.  The
 * CPU state in each THREAD record belongs to the machine the image was
 * taken on (header.machine): arch/NAME/machine.h defines it.
 *
 *   offset 0      struct ckpt_header (one page, zero padded)
 *   offset 4096   page data: each region's saved pages, page aligned, one
 *                 region after the other in table order
 *   records_off   the record area: a sequence of typed records
 *                 (struct ckpt_rec + payload, each padded to 8 bytes)
 *
 * All integers are little endian.  Every checksum is CRC32C (Castagnoli):
 * the header covers itself (with header_crc = 0), records_crc covers the
 * whole record area, and each region record carries the CRC32C of its data.
 * A reader must refuse an image whose version it does not know, a record
 * type it does not know, or any value outside the documented ranges.
 */
#ifndef CKPT_IMAGE_H
#define CKPT_IMAGE_H

#include <linux/types.h>
#include "machine.h"

#define CKPT_MAGIC        "CKPTIMG\n"
#define CKPT_VERSION      9u
#define CKPT_PAGE         4096ul

/* myrestart lives here; libckpt.so reserves the range in the target so that
 * no mapping of the program can land on it. */
#define CKPT_RESERVED_START 0x5000000ul
#define CKPT_RESERVED_END   0x5400000ul

/* Highest user address: the machine's */
#define CKPT_USER_END     ARCH_USER_END

enum ckpt_runner {
	CKPT_RUNNER_NATIVE = 0,
	CKPT_RUNNER_QEMU   = 1,
};

struct ckpt_header {
	char  magic[8];          /* CKPT_MAGIC */
	__u32 version;           /* CKPT_VERSION */
	__u32 header_size;       /* sizeof(struct ckpt_header) */
	__u32 page_size;         /* CKPT_PAGE */
	__u32 runner;            /* enum ckpt_runner */
	__u32 machine;           /* ELF e_machine of the program (62: x86-64) */
	__u32 nrecords;
	__u64 records_off;       /* page aligned, >= data end */
	__u64 records_size;
	__u64 data_off;          /* CKPT_PAGE */
	__u64 data_size;         /* sum of all regions' data_len */
	__u64 file_size;         /* records_off + records_size */
	__u32 records_crc;
	__u32 depth;             /* 0: a full image; n: a delta, n parents below it */
	__u64 id;                /* this image's own, random, never 0 */
	__u64 parent_id;         /* depth > 0: the id of the image it is a delta of */
	__u32 pad;               /* 0 */
	__u32 header_crc;        /* over this struct with header_crc = 0 */
};

/* An incremental image (depth > 0) holds the pages that changed since its
 * parent: a PARENT record names the parent's file, in the same directory,
 * whose header id must be parent_id.  The chain ends in a full image
 * within CKPT_CHAIN_MAX - 1 steps. */
#define CKPT_CHAIN_MAX 64

struct ckpt_rec {
	__u32 type;              /* enum ckpt_rec_type */
	__u32 size;              /* payload bytes, not counting padding */
};
/* a record's bytes, header and padding included: the next one starts
 * there, 8-byte aligned (the one statement of the rule) */
static inline __u64 ckpt_rec_size(__u64 payload)
{
	return sizeof(struct ckpt_rec) + ((payload + 7) & ~7ul);
}

enum ckpt_rec_type {
	CKPT_REC_INFO   = 1,     /* struct ckpt_info: who, where, when */
	CKPT_REC_THREAD = 2,     /* struct ckpt_thread, then its extended state */
	/* 3: unused */
	CKPT_REC_REGION = 4,     /* struct ckpt_region + runs + name */
	CKPT_REC_MM     = 5,     /* struct ckpt_mm: brk, stack, args, auxv */
	CKPT_REC_END    = 6,     /* empty; must be last */
	CKPT_REC_FD     = 7,     /* struct ckpt_fd + path: one open fd */
	CKPT_REC_PROC   = 8,     /* struct ckpt_proc: cwd, umask, timers, limits */
	CKPT_REC_SIGNALS = 9,    /* struct ckpt_signals: every disposition */
	CKPT_REC_PARENT = 10,    /* the parent's file name (a delta only): NUL
				    terminated, no '/', at most 255 bytes */
	CKPT_REC_TIMER  = 11,    /* struct ckpt_timer: one POSIX timer */
	CKPT_REC_LOCK   = 12,    /* struct ckpt_lock: a file lock the program held */
	CKPT_REC_TREE   = 13,    /* struct ckpt_tree...: the owner of a process tree */
};
#define CKPT_REC_MAX 13

/* One thread: where it resumes (the return of arch_ctx_save() in its own
 * checkpoint signal handler, whose frame restores its signal mask,
 * altstack and every other register at the sigreturn), what the kernel
 * keeps for it, and its extended state (xstate.size bytes follow the
 * struct).  Exactly one is the leader (tid == pid at the checkpoint),
 * restored by myrestart's own thread; the others are cloned. */
#define CKPT_THREADS_MAX 128
#define CKPT_TF_LEADER   0x1u
struct ckpt_thread {
	__s32 tid;               /* at the checkpoint (a tree restores it) */
	__u32 flags;             /* CKPT_TF_* */
	__u64 tid_address;       /* set_tid_address(): glibc's cached tid, cleared at exit */
	__u64 robust_head;       /* set_robust_list() */
	__u64 robust_len;
	__u64 rseq_area;         /* its registered struct rseq, or 0 */
	__u32 rseq_len, rseq_sig;
	char  comm[16];
	struct arch_regs cpu;
	struct arch_xstate xstate;
};

struct ckpt_info {
	__u64 time;              /* seconds since the epoch at checkpoint */
	__s32 pid;
	__u32 ncheckpoints;      /* how many images this process lineage wrote */
	char  comm[16];
	char  exe[256];
	char  cwd[256];
	char  cmdline[256];      /* NUL-separated, truncated */
	__u32 cmdline_len;
	__u32 time_nsec;         /* with time: the file system clock at the pause */
	__u32 flags;             /* CKPT_IF_* */
	__u32 pad;               /* 0 */
};
/* the program used 0x5000000-0x5400000 itself: its regions may cover
 * myrestart's range, and myrestart moves its restore stage out of the way */
#define CKPT_IF_UNRESERVED 0x1u

/* Region kinds: how myrestart brings a mapping back. */
enum ckpt_region_kind {
	CKPT_KIND_ANON    = 1,   /* private memory: anonymous mapping + saved pages */
	CKPT_KIND_STACK   = 2,   /* like ANON, MAP_GROWSDOWN: the main [stack] */
	CKPT_KIND_VDSO    = 3,   /* [vdso]: myrestart moves its own one here */
	CKPT_KIND_VVAR    = 4,   /* [vvar] */
	CKPT_KIND_VVAR_VCLOCK = 5, /* [vvar_vclock] (kernels >= 6.13) */
	CKPT_KIND_SHMEM   = 6,   /* MAP_SHARED of shared memory (anonymous, memfd,
				    a deleted file): regions with the same dev and
				    ino map one object; its saved pages, or those of
				    the MEMFD/DELETED fd with that dev and ino */
	CKPT_KIND_FILE_SHARED = 7, /* MAP_SHARED of the file in the name, mapped
				    from it again (no data: the file holds it) */
	CKPT_KIND_FILE_PRIVATE = 8, /* MAP_PRIVATE of the file in the name (the
				    same file: size, and build-id or mtime),
				    mapped from it again; the saved pages are
				    those the program changed */
};
#define CKPT_KIND_MAX 8
/* the kernel's own mappings, which myrestart moves rather than maps */
static inline int ckpt_kind_special(__u32 kind)
{
	return kind >= CKPT_KIND_VDSO && kind <= CKPT_KIND_VVAR_VCLOCK;
}

/* the kinds a delta image stores the changed pages of */
static inline int ckpt_kind_delta(__u32 kind)
{
	return kind == CKPT_KIND_ANON || kind == CKPT_KIND_STACK;
}

#define CKPT_PROT_MASK 7u        /* PROT_READ | PROT_WRITE | PROT_EXEC */

/* Region flags (what the mapping was; informational except where noted). */
#define CKPT_RF_FILE    0x1u     /* was backed by the file in the name */
#define CKPT_RF_SHARED  0x2u     /* was MAP_SHARED (ANON kind: a device, restored private) */
#define CKPT_RF_HEAP    0x4u     /* was [heap] */
#define CKPT_RF_DELTA   0x8u     /* ANON, STACK of a delta image: the pages no
				    run covers are the parent's at the same
				    address (the parent's regions cover them) */
#define CKPT_RF_MASK    0xfu

/* A region record: the struct, then nruns struct ckpt_run (the pages
 * stored), then nzero more (DELTA: pages that read as zero now, stored
 * or not in the parent), then the name (name_len bytes, NUL included).
 * Pages not covered by a run read as zero (CKPT_RF_DELTA: as in the
 * parent). */
struct ckpt_region {
	__u64 start, end;        /* page aligned, start < end */
	__u32 prot;              /* PROT_* */
	__u32 kind;              /* enum ckpt_region_kind */
	__u32 flags;             /* CKPT_RF_* */
	__u32 nruns;
	__u64 data_off;          /* file offset of this region's pages */
	__u64 data_len;          /* bytes; = sum of runs' pages * CKPT_PAGE */
	__u64 file_off;          /* offset in the backing file (SHMEM, FILE_SHARED: mapped there) */
	__u64 dev, ino;          /* of the backing file (major << 32 | minor), or 0 */
	/* FILE_PRIVATE: the file as it was, which a restart must find again */
	__u64 file_size;
	__s64 mtime_sec;
	__u32 mtime_nsec;
	__u32 build_id_len;      /* NT_GNU_BUILD_ID of an ELF file (then the
				    mtime may differ), or 0 */
	__u8  build_id[20];
	__u32 nzero;             /* DELTA: zero runs after the runs, else 0 */
	__u32 data_crc;          /* CRC32C of the data_len bytes */
	__u32 name_len;          /* including the NUL, <= CKPT_NAME_MAX */
};
#define CKPT_NAME_MAX 4096

struct ckpt_run {
	__u64 page;              /* first page, counted from region start */
	__u64 npages;
};

/* Kernel mm fields (prctl PR_SET_MM_MAP), so that brk() keeps growing the
 * heap and /proc/PID/cmdline stays right after a restart. */
struct ckpt_mm {
	__u64 start_code, end_code, start_data, end_data;
	__u64 start_brk, brk, start_stack;
	__u64 arg_start, arg_end, env_start, env_end;
	__u64 auxv[64];
	__u32 auxv_size;         /* bytes used in auxv */
	__u32 valid;             /* 1 when the fields above were read */
};

/* An open fd.  Followed (EPOLL) by aux struct ckpt_watch, or (SOCKET)
 * by one struct ckpt_sock, then by path_len bytes of path, NUL included.
 * Everything here was captured in the checkpoint's pause, as the program
 * left it (offsets, status flags, buffered bytes and counters are shared
 * with the writer). */
enum ckpt_fd_kind {
	CKPT_FD_FILE = 1,        /* reopened by path: regular file, directory, device */
	CKPT_FD_NULL = 2,        /* a pipe's lone end, an inotify...: /dev/null */
	CKPT_FD_DELETED = 3,     /* open but unlinked: contents in the image */
	CKPT_FD_STDIO = 4,       /* 0, 1 or 2: myrestart keeps its own (see pos) */
	CKPT_FD_PIPE = 5,        /* a pipe or FIFO end whose other end is peer */
	CKPT_FD_SOCKPAIR = 6,    /* an AF_UNIX socket whose other end is peer */
	CKPT_FD_EVENTFD = 7,     /* val[0] the counter, aux the EFD_SEMAPHORE flag */
	CKPT_FD_TIMERFD = 8,     /* aux the clock; val: remaining ns, interval ns, ticks unread */
	CKPT_FD_SIGNALFD = 9,    /* val[0] the signal mask (bit sig-1) */
	CKPT_FD_EPOLL = 10,      /* aux watches follow the path */
	CKPT_FD_MEMFD = 11,      /* memfd_create(): contents in the image, aux the seals */
	CKPT_FD_DUP = 12,        /* the same open file description as fd peer */
	CKPT_FD_SOCKET = 13,     /* a socket whose other end is not in the image (or,
				    peer >= 0, a TCP connection's end whose other
				    end is fd peer): a struct ckpt_sock follows */
};
#define CKPT_FD_KIND_MAX 13
#define CKPT_FDS_MAX     1024    /* FD records an image may have */
#define CKPT_WATCHES_MAX 16384   /* epoll watches, all instances together */
#define CKPT_FDF_CLOEXEC 0x1u    /* FD_CLOEXEC was set */
#define CKPT_FDF_SAVED   0x2u    /* the contents are in the image */
#define CKPT_FDF_MASK    0x3u
struct ckpt_fd {
	__s32 fd;
	__u32 kind;              /* enum ckpt_fd_kind */
	__u32 flags;             /* open(2) status flags (F_GETFL) */
	__u32 fdflags;           /* CKPT_FDF_* */
	__u64 pos;               /* file offset (0 where there is none) */
	__u64 size;              /* size at checkpoint (regular files); SAVED: bytes stored */
	__u64 dev;               /* major << 32 | minor, of the file system */
	__u64 ino;
	__s64 mtime_sec;         /* modification time at checkpoint */
	__u32 mtime_nsec;
	__u32 mode;              /* st_mode at checkpoint */
	__u64 data_off;          /* SAVED: size bytes of contents, page */
	__u32 data_crc;          /*   aligned in the page data, and their CRC32C */
	__u32 path_len;          /* including the NUL, <= CKPT_NAME_MAX */
	__s32 peer;              /* PIPE, SOCKPAIR: the other end's fd; DUP: whose; else -1 */
	__u32 aux;               /* per kind, see enum ckpt_fd_kind; PIPE: the pipe's size;
				    SOCKPAIR: the socket type */
	__u64 val[3];            /* per kind; SOCKPAIR: SO_RCVBUF, SO_SNDBUF, SO_PASSCRED */
};

/* What an epoll instance watches: the target fd, the events it asked for
 * (EPOLLET, EPOLLONESHOT... included) and the data it gets back. */
struct ckpt_watch {
	__s32 fd;
	__u32 events;
	__u64 data;
};

static inline const struct ckpt_watch *ckpt_fd_watches(const struct ckpt_fd *f)
{
	return (const struct ckpt_watch *)(f + 1);
}
/* A SOCKET record's socket: an AF_UNIX, AF_INET or AF_INET6 socket of
 * the program whose other end, if any, is not in the image.  A listener
 * is bound and listens again; a bound or unbound socket is made again as
 * it was; a connected datagram socket connects again (connecting one
 * sends nothing); a connected stream or seqpacket socket (TCP, UNIX)
 * cannot be: it comes back as a socket of the same type whose peer is
 * gone (a "dead socket": the SAVED bytes it had received and not read
 * yet, then end of file; writes fail with EPIPE).  Addresses are the
 * kernel's struct sockaddr_un, sockaddr_in or sockaddr_in6, as
 * getsockname and getpeername gave them (len 0: none). */
enum ckpt_sock_state {
	CKPT_SS_UNBOUND   = 1,   /* neither bound nor connected */
	CKPT_SS_BOUND     = 2,   /* bound (local), not listening, not connected */
	CKPT_SS_LISTEN    = 3,   /* listening (STREAM, SEQPACKET) with backlog */
	CKPT_SS_CONNECTED = 4,   /* connected to peer (local: its own name) */
	CKPT_SS_CLOSED    = 5,   /* a TCP connection that ended (or was being
				    made): a dead socket, no peer */
};
#define CKPT_SS_MAX 5
#define CKPT_SO_REUSEADDR 0x1u
#define CKPT_SO_REUSEPORT 0x2u
#define CKPT_SO_KEEPALIVE 0x4u
#define CKPT_SO_V6ONLY    0x8u    /* AF_INET6 only */
#define CKPT_SO_NODELAY   0x10u   /* TCP only */
#define CKPT_SO_PASSCRED  0x20u   /* AF_UNIX only */
#define CKPT_SO_MASK      0x3fu
#define CKPT_SOCKADDR_MAX 112
#define CKPT_BACKLOG_MAX  65535
struct ckpt_sock {
	__u32 family;            /* AF_UNIX 1, AF_INET 2, AF_INET6 10 */
	__u32 type;              /* SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_SEQPACKET 5 (UNIX) */
	__u32 protocol;          /* SO_PROTOCOL: 0, or IPPROTO_TCP 6 / UDP 17 */
	__u32 state;             /* enum ckpt_sock_state */
	__u32 backlog;           /* LISTEN: listen()'s, as sock_diag tells it (0..65535); else 0 */
	__u32 opts;              /* CKPT_SO_* */
	__u32 rcvbuf, sndbuf;    /* SO_RCVBUF, SO_SNDBUF as getsockopt read them */
	__u32 local_len;         /* bytes of local: 0, or the family's sockaddr */
	__u32 peer_len;          /* bytes of peer (CONNECTED; else 0) */
	__u32 queued;            /* SAVED: the bytes its messages hold (for --info) */
	__u32 pad;               /* 0 */
	__u8  local[CKPT_SOCKADDR_MAX];
	__u8  peer[CKPT_SOCKADDR_MAX];
};

static inline const struct ckpt_sock *ckpt_fd_sock(const struct ckpt_fd *f)
{
	return (const struct ckpt_sock *)(f + 1);
}
/* the path: after the watches of an EPOLL record, the socket of a SOCKET */
static inline const char *ckpt_fd_path(const struct ckpt_fd *f)
{
	if (f->kind == CKPT_FD_SOCKET)
		return (const char *)(ckpt_fd_sock(f) + 1);
	return (const char *)(ckpt_fd_watches(f) + (f->kind == CKPT_FD_EPOLL ? f->aux : 0));
}

/* A SOCKPAIR end's (and a CONNECTED STREAM or SEQPACKET SOCKET's) SAVED
 * contents: the messages queued to be read at this end, in order, each a
 * __u32 length and the bytes, padded to 4 (a stream's bytes may come in
 * any number of pieces). */

/* A file lock the program held at the checkpoint, as the pause read it
 * from /proc/self/fdinfo/FD: fd is the record of the open file
 * description it was taken through (never a DUP).  flock, OFD locks and
 * leases belong to that description, POSIX locks to the process.  A
 * restart takes FLOCK, POSIX and OFD again (conflicts with another
 * process's locks are refused before the point of no return); LEASE and
 * MANDATORY, and any lock on an fd that is NULL or STDIO, it names in a
 * warning. */
enum ckpt_lock_kind {
	CKPT_LOCK_FLOCK = 1,     /* flock(2): start and len 0 */
	CKPT_LOCK_POSIX = 2,     /* fcntl F_SETLK, lockf */
	CKPT_LOCK_OFD = 3,       /* fcntl F_OFD_SETLK */
	CKPT_LOCK_LEASE = 4,     /* F_SETLEASE (or a delegation): start and len 0 */
	CKPT_LOCK_MANDATORY = 5, /* a POSIX lock the kernel called mandatory (before 5.15) */
};
#define CKPT_LOCK_KIND_MAX 5
#define CKPT_LOCKS_MAX     1024  /* LOCK records an image may have */
struct ckpt_lock {
	__s32 fd;
	__u32 kind;              /* enum ckpt_lock_kind */
	__u32 type;              /* F_RDLCK (0) or F_WRLCK (1) */
	__u32 pad;               /* 0 */
	__u64 start, len;        /* bytes start..start+len-1; len 0: to the end
				    (start + len - 1 < 2^63) */
};

/* Process attributes the kernel keeps, restored by myrestart just before
 * it jumps (signals are blocked until the program's own sigreturn). */
#define CKPT_NRLIMIT 16
struct ckpt_proc {
	__u32 umask;
	__u32 ckpt_signal;       /* the checkpoint signal: never re-raised */
	struct { __u64 interval_us, value_us; } itimer[3];  /* REAL, VIRTUAL, PROF */
	struct { __u64 cur, max; } rlimit[CKPT_NRLIMIT];    /* RLIM_INFINITY = ~0 */
	__u64 pending;           /* signals pending at the checkpoint, bit sig-1 */
	/* what else the kernel keeps for the process (restored where an
	 * unprivileged process may set it, else a warning) */
	__s32 nice;              /* -20..19 */
	__u32 personality;
	__u32 sched_policy;      /* SCHED_OTHER 0, SCHED_BATCH 3, SCHED_IDLE 5; others need privilege */
	__u32 sched_priority;
	__u32 no_new_privs;      /* prctl PR_SET_NO_NEW_PRIVS */
	__u32 subreaper;         /* PR_SET_CHILD_SUBREAPER */
	__u32 pdeathsig;         /* PR_SET_PDEATHSIG: then to the restarted process's parent */
	__u32 dumpable;          /* PR_SET_DUMPABLE */
	__u64 timerslack_ns;     /* PR_SET_TIMERSLACK */
	__u64 locked_kb;         /* VmLck: memory locked with mlock, not locked again (warned) */
	__u32 seccomp;           /* PR_GET_SECCOMP: 2, filters, which are not restored (warned) */
	__u32 pad;               /* 0 */
	char cwd[4096];          /* NUL terminated */
};

/* A POSIX timer (timer_create): made again with the same id, which the
 * program holds, and armed with the time it had left.  notify is
 * SIGEV_SIGNAL (0), SIGEV_NONE (1) or SIGEV_THREAD_ID (4, to the thread
 * of THREAD record number `thread`, counted from 0 in table order); glibc's
 * SIGEV_THREAD timers are SIGEV_THREAD_ID ones to its helper thread.  A
 * CPU-time clock names its process or thread by pid: 0 (the caller), or
 * the checkpoint's pid, or a thread's tid at the checkpoint (see
 * CKPT_CPUCLOCK_*). */
#define CKPT_TIMERS_MAX 64
struct ckpt_timer {
	__s32 id;
	__s32 clock;             /* clockid_t as timer_create was given it */
	__u32 notify;            /* SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID */
	__u32 signo;             /* 1..64 (SIGEV_NONE: as the kernel keeps it) */
	__u64 value;             /* sigev_value */
	__s32 thread;            /* SIGEV_THREAD_ID: a THREAD record's number; else -1 */
	__u32 pad;               /* 0 */
	__u64 value_ns;          /* time to the next expiry; 0: disarmed */
	__u64 interval_ns;       /* period; 0: one shot */
};
/* the kernel's encoding of a CPU-time clock id (negative): ~pid << 3 | type */
#define CKPT_CPUCLOCK_PID(c)    (~((c) >> 3))
#define CKPT_CPUCLOCK_THREAD(c) ((c) & 4)
#define CKPT_CPUCLOCK_TYPE(c)   ((c) & 3)      /* 0 PROF, 1 VIRT, 2 SCHED */
#define CKPT_TIMER_NS_MAX (1ull << 62)

/* The kernel's struct sigaction for signals 1..64 (entry sig-1); valid
 * has bit sig-1 set for each one recorded (never SIGKILL, SIGSTOP). */
struct ckpt_signals {
	struct { __u64 handler, flags, restorer, mask; } act[64];
	__u64 valid;
};

/* A process tree (the owner's image only, at most one record): one
 * checkpoint of the owner and of every descendant running the library,
 * cut while all of them were stopped.  Member 0 is the owner (this
 * image); every other member that was alive has an image file of its own
 * in the same directory, named in `file`, whose header id is image_id.
 * The payload: struct ckpt_tree, nmembers struct ckpt_member (a parent
 * before its children), nobjs struct ckpt_tobj, nfds struct ckpt_tfd,
 * then each object's bytes in object order (nbytes each: a PIPE's bytes
 * in flight, a FILE's path; the record's size is exact).  A member's fd listed here is the tree
 * object, whatever the member's own FD record says. */
#define CKPT_TREE_MAX   64       /* members */
#define CKPT_TOBJS_MAX  512
#define CKPT_TFDS_MAX   2048
#define CKPT_TREE_BYTES_MAX (4u << 20)  /* bytes in flight, all pipes */
struct ckpt_tree {
	__u32 cut;               /* this checkpoint's id, in the members' file names */
	__u32 nmembers;          /* 1..CKPT_TREE_MAX */
	__u32 nobjs, nfds;
};
enum ckpt_member_state {
	CKPT_MS_RUNNING = 0,
	CKPT_MS_STOPPED = 1,     /* stopped by job control (state T) */
	CKPT_MS_ZOMBIE  = 2,     /* dead, its status not yet collected: no image */
};
#define CKPT_MS_MAX 2
struct ckpt_member {
	__s32 pid;               /* > 1 */
	__s32 ppid;              /* an earlier member's pid, or (the owner, an
				    orphan) another: the restart's reaper adopts it */
	__s32 pgid, sid;         /* kept where the leader is a member (or itself) */
	__u32 state;             /* enum ckpt_member_state */
	__s32 status;            /* ZOMBIE: the wait status its parent collects */
	__u64 image_id;          /* a live member but the owner: its image's header id */
	char file[64];           /* ... and file name: NUL-terminated, no '/' */
	char cmdline[64];        /* NUL-separated, truncated (for --info) */
};
enum ckpt_tobj_kind {
	CKPT_TOBJ_PIPE = 1,      /* a pipe two members hold, or one that is not
				    the owner: made once and shared */
	CKPT_TOBJ_SHM  = 2,      /* shared memory two members map: one object
				    for the regions with this dev and ino */
	CKPT_TOBJ_SOCKET = 3,    /* a listener the owner and other members hold:
				    made once from the owner's SOCKET record of
				    inode ino */
	CKPT_TOBJ_SOCKPAIR = 4,  /* an AF_UNIX pair whose ends two members hold:
				    size the type, ino and dev the two ends'
				    inodes; each end's queue is in its first
				    holder's SOCKET or SOCKPAIR record */
	CKPT_TOBJ_TCPPAIR = 5,   /* a TCP connection whose ends two members
				    hold: as SOCKPAIR, size the family */
	CKPT_TOBJ_FILE = 6,      /* a regular file's open file description
				    that two members share (one offset: fork,
				    dup): opened once by its path */
	CKPT_TOBJ_EVENTFD = 7,   /* an eventfd two members share (fork): made
				    once with its counter */
};
#define CKPT_TOBJ_KIND_MAX 7
struct ckpt_tobj {
	__u32 kind;              /* enum ckpt_tobj_kind */
	__u32 nbytes;            /* PIPE: bytes in flight, <= size; FILE: its
				    path's, with the NUL (2..CKPT_NAME_MAX) */
	__u64 size;              /* PIPE: F_GETPIPE_SZ; SHM: the object's bytes;
				    SOCKPAIR: the type; TCPPAIR: the family;
				    FILE: the offset; EVENTFD: its counter */
	__u64 dev, ino;          /* as the regions and FD records give them;
				    SOCKPAIR, TCPPAIR: the inodes of ends 1, 0 */
	__u32 aux;               /* EVENTFD: 1 for EFD_SEMAPHORE, else 0 */
	__u32 pad;
};
struct ckpt_tfd {
	__u16 member, obj;       /* indexes into the tables above; obj not a SHM */
	__s32 fd;
	__u32 flags;             /* F_GETFL (a PIPE's O_ACCMODE: which end) */
	__u32 fdflags;           /* CKPT_FDF_CLOEXEC, CKPT_TFD_END1 */
};
#define CKPT_TFD_END1 0x4u       /* a SOCKPAIR's or TCPPAIR's second end (dev) */

#endif
