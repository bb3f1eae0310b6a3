/* System calls nolibc 6.12 does not wrap, as raw my_syscallN() calls.
 * All return the kernel's value: >= 0 on success, -errno on failure. */
#ifndef CKPT_SYSCALLS_H
#define CKPT_SYSCALLS_H

#ifdef _NOLIBC_CRT_H
/* libckpt.so is built without nolibc's crt.h (its _start_c calls main);
 * these two are only declared so that nolibc's unused getenv/getauxval
 * still compile.  Nothing references them. */
extern char **environ __attribute__((visibility("hidden")));
extern const unsigned long *_auxv __attribute__((visibility("hidden")));
#endif
#include "nolibc.h"
#ifdef _NOLIBC_CRT_H
/* only crt.h calls nolibc's (empty) __stack_chk_init; keep -Wunused quiet */
static inline void ckpt_nolibc_no_crt(void) { __stack_chk_init(); }
#endif

/* The kernel's one error convention: a value in [-4095, -1] is -errno,
 * anything else (an address above 2^63 included) is a result. */
static inline int k_failed(long r)
{
	return (unsigned long)r > -4096ul;
}

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef UTIME_OMIT
#define UTIME_OMIT ((1l << 30) - 2l)
#endif
#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED   2
#endif

/* sockets and the fd objects (core/objects.c, restart/objects.c) */
#define AF_UNIX        1
#define AF_NETLINK     16
#define SOCK_STREAM    1
#define SOCK_DGRAM     2
#define SOCK_SEQPACKET 5
#define SOCK_CLOEXEC   O_CLOEXEC
#define SOL_SOCKET     1
#define SO_TYPE        3
#define SO_SNDBUF      7
#define SO_RCVBUF      8
#define SO_PASSCRED    16
#define SO_DOMAIN      39
#define SO_PEEK_OFF    42
#define MSG_PEEK       2
#define MSG_TRUNC      0x20
#define MSG_DONTWAIT   0x40
#define EPOLL_CTL_ADD  1

struct k_sigaction {             /* the kernel's struct sigaction */
	void (*handler)(int, void *, void *);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};
#define K_SA_SIGINFO 4
#define K_SA_ONSTACK 0x08000000
#define K_SA_RESTART 0x10000000

static inline long k_sigaction(int sig, const struct k_sigaction *act, struct k_sigaction *old)
{
	return my_syscall4(__NR_rt_sigaction, sig, act, old, 8);
}
static inline long k_sigprocmask(int how, const unsigned long *set, unsigned long *old)
{
	return my_syscall4(__NR_rt_sigprocmask, how, set, old, 8);
}
static inline long k_pread(int fd, void *buf, size_t n, __u64 off)
{
	return my_syscall4(__NR_pread64, fd, buf, n, off);
}
static inline long k_pwrite(int fd, const void *buf, size_t n, __u64 off)
{
	return my_syscall4(__NR_pwrite64, fd, buf, n, off);
}
static inline long k_mmap(unsigned long addr, size_t len, int prot, int flags, int fd, __u64 off)
{
	return my_syscall6(__NR_mmap, addr, len, prot, flags, fd, off);
}
static inline long k_munmap(unsigned long addr, size_t len)
{
	return my_syscall2(__NR_munmap, addr, len);
}
static inline long k_mprotect(unsigned long addr, size_t len, int prot)
{
	return my_syscall3(__NR_mprotect, addr, len, prot);
}
static inline long k_mremap(unsigned long old, size_t oldlen, size_t newlen, int flags, unsigned long newaddr)
{
	return my_syscall5(__NR_mremap, old, oldlen, newlen, flags, newaddr);
}
static inline long k_openat(int dirfd, const char *path, int flags, int mode)
{
	return my_syscall4(__NR_openat, dirfd, path, flags, mode);
}
static inline long k_renameat(int ofd, const char *o, int nfd, const char *n)
{
	return my_syscall4(__NR_renameat, ofd, o, nfd, n);
}
static inline long k_unlinkat(int dfd, const char *path, int flags)
{
	return my_syscall3(__NR_unlinkat, dfd, path, flags);
}
static inline long k_readlink(const char *path, char *buf, size_t n)
{
	return my_syscall4(__NR_readlinkat, AT_FDCWD, path, buf, n);
}
static inline long k_getcwd(char *buf, size_t n)
{
	return my_syscall2(__NR_getcwd, buf, n);
}
static inline long k_prctl(int op, unsigned long a, unsigned long b, unsigned long c, unsigned long d)
{
	return my_syscall5(__NR_prctl, op, a, b, c, d);
}
static inline long k_clone(unsigned long flags)
{
	/* fork-like: no CLONE_VM, so the child runs on a copy of our stack */
	return my_syscall5(__NR_clone, flags, 0, 0, 0, 0);
}
/* what waitid() reports of a child (64-bit Linux's siginfo layout) */
struct k_siginfo {
	int signo, err, code, pad;
	int pid, uid, status;       /* SIGCHLD's fields */
	int rest[25];               /* 128 bytes in all */
};

static inline long k_waitid(int idtype, int id, struct k_siginfo *info, int options)
{
	return my_syscall5(__NR_waitid, idtype, id, info, options, 0);
}
static inline long k_rseq(void *area, __u32 len, int flags, __u32 sig)
{
	return my_syscall4(__NR_rseq, area, len, flags, sig);
}
static inline long k_fsync(int fd)
{
	return my_syscall1(__NR_fsync, fd);
}
static inline long k_ftruncate(int fd, __u64 len)
{
	return my_syscall2(__NR_ftruncate, fd, len);
}
static inline long k_time(void)
{
	struct timespec ts;
	if (my_syscall2(__NR_clock_gettime, CLOCK_REALTIME, &ts) < 0)
		return 0;
	return ts.tv_sec;
}
static inline __u64 k_now_ns(void)
{
	struct timespec ts;
	my_syscall2(__NR_clock_gettime, CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}
static inline long k_statx(int dfd, const char *path, int flags, unsigned mask, struct statx *st)
{
	return my_syscall5(__NR_statx, dfd, path, flags, mask, st);
}
static inline __attribute__((noreturn)) void k_exit_group(int code)
{
	my_syscall1(__NR_exit_group, code);
	__builtin_unreachable();
}

/* read (off < 0) or pread until n bytes or EOF; bytes read or -errno */
static inline long k_read_at(int fd, void *buf, size_t n, long long off)
{
	size_t got = 0;
	while (got < n) {
		long r = off < 0 ? my_syscall3(__NR_read, fd, (char *)buf + got, n - got)
				 : k_pread(fd, (char *)buf + got, n - got, off + got);
		if (r == -EINTR)
			continue;
		if (r < 0)
			return r;
		if (r == 0)
			break;
		got += r;
	}
	return got;
}
#define k_read_full(fd, buf, n) k_read_at(fd, buf, n, -1)
#define k_pread_full(fd, buf, n, off) k_read_at(fd, buf, n, (long long)(off))

/* up to cap bytes of a (/proc) file; bytes read or -errno */
static inline long k_read_file(const char *path, char *buf, long cap)
{
	long fd = k_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0), n;
	if (fd < 0)
		return fd;
	n = k_read_full(fd, buf, cap);
	sys_close(fd);
	return n;
}

static inline long k_write_full(int fd, const void *buf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		long r = my_syscall3(__NR_write, fd, (const char *)buf + done, n - done);
		if (r == -EINTR)
			continue;
		if (r < 0)
			return r;
		if (r == 0)
			return -EIO;
		done += r;
	}
	return done;
}

/* --- used by the library --- */
/* (as the system calls take them; the kernel's value, as above) */
static inline long k_getpid(void)
{
	return my_syscall0(__NR_getpid);
}
static inline long k_gettid(void)
{
	return my_syscall0(__NR_gettid);
}
static inline long k_getppid(void)
{
	return my_syscall0(__NR_getppid);
}
static inline long k_getuid(void)
{
	return my_syscall0(__NR_getuid);
}
static inline long k_kill(int pid, int sig)
{
	return my_syscall2(__NR_kill, pid, sig);
}
static inline long k_tgkill(int tgid, int tid, int sig)
{
	return my_syscall3(__NR_tgkill, tgid, tid, sig);
}
static inline long k_tgsigqueueinfo(int tgid, int tid, int sig, void *si)
{
	return my_syscall4(__NR_rt_tgsigqueueinfo, tgid, tid, sig, si);
}
static inline long k_sigpending(void *set)
{
	return my_syscall2(__NR_rt_sigpending, set, 8);
}
static inline long k_sigsuspend(const unsigned long *set)
{
	return my_syscall2(__NR_rt_sigsuspend, set, 8);
}
static inline long k_ioctl(int fd, unsigned long req, void *arg)
{
	return my_syscall3(__NR_ioctl, fd, req, arg);
}
static inline long k_fcntl(int fd, int cmd, long arg)
{
	return my_syscall3(__NR_fcntl, fd, cmd, arg);
}
static inline long k_lseek(int fd, long off, int whence)
{
	return my_syscall3(__NR_lseek, fd, off, whence);
}
static inline long k_linkat(int ofd, const char *o, int nfd, const char *n, int flags)
{
	return my_syscall5(__NR_linkat, ofd, o, nfd, n, flags);
}
static inline long k_pipe2(int *p, int flags)
{
	return my_syscall2(__NR_pipe2, p, flags);
}
static inline long k_tee(int in, int out, size_t n, unsigned flags)
{
	return my_syscall4(__NR_tee, in, out, n, flags);
}
static inline long k_kcmp(int pid1, int pid2, int type, long a, long b)
{
	return my_syscall5(__NR_kcmp, pid1, pid2, type, a, b);
}
static inline long k_madvise(unsigned long addr, size_t len, int advice)
{
	return my_syscall3(__NR_madvise, addr, len, advice);
}
static inline long k_userfaultfd(int flags)
{
	return my_syscall1(__NR_userfaultfd, flags);
}
static inline long k_getrandom(void *buf, size_t n, unsigned flags)
{
	return my_syscall3(__NR_getrandom, buf, n, flags);
}
static inline long k_futex(int *word, int op, int val, const struct timespec *timeout)
{
	return my_syscall4(__NR_futex, word, op, val, timeout);
}
static inline long k_sched_yield(void)
{
	return my_syscall0(__NR_sched_yield);
}
static inline long k_socket(int domain, int type, int proto)
{
	return my_syscall3(__NR_socket, domain, type, proto);
}
static inline long k_bind(int fd, const void *addr, unsigned len)
{
	return my_syscall3(__NR_bind, fd, addr, len);
}
static inline long k_getsockname(int fd, void *addr, unsigned *len)
{
	return my_syscall3(__NR_getsockname, fd, addr, len);
}
static inline long k_getpeername(int fd, void *addr, unsigned *len)
{
	return my_syscall3(__NR_getpeername, fd, addr, len);
}
static inline long k_getsockopt(int fd, int level, int name, void *v, unsigned *len)
{
	return my_syscall5(__NR_getsockopt, fd, level, name, v, len);
}
static inline long k_setsockopt(int fd, int level, int name, const void *v, unsigned len)
{
	return my_syscall5(__NR_setsockopt, fd, level, name, v, len);
}
/* recvfrom and sendto without an address */
static inline long k_recv(int fd, void *buf, size_t n, int flags)
{
	return my_syscall6(__NR_recvfrom, fd, buf, n, flags, 0, 0);
}
static inline long k_send(int fd, const void *buf, size_t n, int flags)
{
	return my_syscall6(__NR_sendto, fd, buf, n, flags, 0, 0);
}
static inline long k_clock_gettime(int id, struct timespec *ts)
{
	return my_syscall2(__NR_clock_gettime, id, ts);
}
static inline long k_clock_getres(int id, struct timespec *ts)
{
	return my_syscall2(__NR_clock_getres, id, ts);
}
static inline long k_getrusage(int who, void *ru)
{
	return my_syscall2(__NR_getrusage, who, ru);
}
static inline long k_times(void *buf)
{
	return my_syscall1(__NR_times, buf);
}
static inline long k_getitimer(int which, void *it)
{
	return my_syscall2(__NR_getitimer, which, it);
}
static inline long k_timer_create(int clock, void *ev, void *id)
{
	return my_syscall3(__NR_timer_create, clock, ev, id);
}
static inline long k_timer_settime(long id, int flags, const void *its, void *old)
{
	return my_syscall4(__NR_timer_settime, id, flags, its, old);
}
static inline long k_timer_gettime(long id, void *its)
{
	return my_syscall2(__NR_timer_gettime, id, its);
}
static inline long k_timerfd_gettime(int fd, void *its)
{
	return my_syscall2(__NR_timerfd_gettime, fd, its);
}
static inline long k_getpriority(int which, int who)
{
	return my_syscall2(__NR_getpriority, which, who);
}
static inline long k_personality(unsigned long p)
{
	return my_syscall1(__NR_personality, p);
}
static inline long k_prlimit(int pid, int res, const void *lim, void *old)
{
	return my_syscall4(__NR_prlimit64, pid, res, lim, old);
}
static inline long k_get_robust_list(int pid, void *head, void *len)
{
	return my_syscall3(__NR_get_robust_list, pid, head, len);
}
static inline long k_sched_getscheduler(int pid)
{
	return my_syscall1(__NR_sched_getscheduler, pid);
}
static inline long k_sched_setscheduler(int pid, int policy, const void *param)
{
	return my_syscall3(__NR_sched_setscheduler, pid, policy, param);
}
static inline long k_sched_getparam(int pid, void *param)
{
	return my_syscall2(__NR_sched_getparam, pid, param);
}
static inline long k_sched_setparam(int pid, const void *param)
{
	return my_syscall2(__NR_sched_setparam, pid, param);
}
static inline long k_sched_getaffinity(int pid, size_t size, void *set)
{
	return my_syscall3(__NR_sched_getaffinity, pid, size, set);
}
static inline long k_sched_setaffinity(int pid, size_t size, const void *set)
{
	return my_syscall3(__NR_sched_setaffinity, pid, size, set);
}

static inline long k_rt_sigqueueinfo(int pid, int sig, void *si)
{
	return my_syscall3(__NR_rt_sigqueueinfo, pid, sig, si);
}
static inline long k_nanosleep(const struct timespec *t) { return my_syscall2(__NR_nanosleep, t, 0); }

/* --- used by myrestart and the reader --- */
/* (each is the system call of its name; the kernel's result, or -errno) */
static inline long k_getgid(void) { return my_syscall0(__NR_getgid); }
static inline long k_setsid(void) { return my_syscall0(__NR_setsid); }
static inline long k_setpgid(int pid, int pgid) { return my_syscall2(__NR_setpgid, pid, pgid); }
static inline long k_unshare(unsigned long flags) { return my_syscall1(__NR_unshare, flags); }
struct clone_args;               /* <linux/sched.h>, where it is used */
static inline long k_clone3(struct clone_args *a, size_t size) { return my_syscall2(__NR_clone3, a, size); }
static inline long k_execve(const char *path, char *const argv[], char *const envp[])
{
	return my_syscall3(__NR_execve, path, argv, envp);
}
static inline long k_mount(const char *src, const char *target, const char *type, unsigned long flags,
			   const void *data)
{
	return my_syscall5(__NR_mount, src, target, type, flags, data);
}

/* descriptors */
static inline long k_fcntl_lock(int fd, int cmd, struct flock *fl) { return my_syscall3(__NR_fcntl, fd, cmd, fl); }
static inline long k_dup(int fd) { return my_syscall1(__NR_dup, fd); }
static inline long k_dup3(int fd, int to, int flags) { return my_syscall3(__NR_dup3, fd, to, flags); }
static inline long k_close_range(unsigned lo, unsigned hi, unsigned flags)
{
	return my_syscall3(__NR_close_range, lo, hi, flags);
}
static inline long k_sendfile(int to, int from, __s64 *off, size_t n)
{
	return my_syscall4(__NR_sendfile, to, from, off, n);
}
static inline long k_memfd_create(const char *name, unsigned flags)
{
	return my_syscall2(__NR_memfd_create, name, flags);
}
static inline long k_eventfd(unsigned count, int flags) { return my_syscall2(__NR_eventfd2, count, flags); }
static inline long k_timerfd_create(int clock, int flags) { return my_syscall2(__NR_timerfd_create, clock, flags); }
static inline long k_timerfd_settime(int fd, int flags, const struct itimerspec *its, struct itimerspec *old)
{
	return my_syscall4(__NR_timerfd_settime, fd, flags, its, old);
}
static inline long k_signalfd(int fd, const void *mask, size_t size, int flags)
{
	return my_syscall4(__NR_signalfd4, fd, mask, size, flags);
}
static inline long k_epoll_create(int flags) { return my_syscall1(__NR_epoll_create1, flags); }
/* ev: a struct epoll_event, whose layout is the machine's (machine.h) */
static inline long k_epoll_ctl(int ep, int op, int fd, void *ev) { return my_syscall4(__NR_epoll_ctl, ep, op, fd, ev); }
static inline long k_poll(struct pollfd *p, unsigned n, int timeout) { return my_syscall3(__NR_poll, p, n, timeout); }
static inline long k_flock(int fd, int op) { return my_syscall2(__NR_flock, fd, op); }
static inline long k_fchmod(int fd, unsigned mode) { return my_syscall2(__NR_fchmod, fd, mode); }
static inline long k_fchdir(int fd) { return my_syscall1(__NR_fchdir, fd); }
static inline long k_utimensat(int dfd, const char *path, const struct timespec ts[2], int flags)
{
	return my_syscall4(__NR_utimensat, dfd, path, ts, flags);
}

/* sockets (a: a sockaddr of len bytes) */
static inline long k_socketpair(int family, int type, int proto, int sv[2])
{
	return my_syscall4(__NR_socketpair, family, type, proto, sv);
}
static inline long k_connect(int s, const void *a, unsigned len) { return my_syscall3(__NR_connect, s, a, len); }
static inline long k_listen(int s, int backlog) { return my_syscall2(__NR_listen, s, backlog); }
static inline long k_accept4(int s, void *a, unsigned *len, int flags)
{
	return my_syscall4(__NR_accept4, s, a, len, flags);
}
static inline long k_shutdown(int s, int how) { return my_syscall2(__NR_shutdown, s, how); }
static inline long k_sendto(int s, const void *b, size_t n, int flags, const void *a, unsigned len)
{
	return my_syscall6(__NR_sendto, s, b, n, flags, a, len);
}

/* the process and its threads */
static inline long k_setpriority(int which, int who, int prio) { return my_syscall3(__NR_setpriority, which, who, prio); }
/* it: a struct itimerval, its interval then its value */
static inline long k_setitimer(int which, const struct timeval it[2], struct timeval old[2])
{
	return my_syscall3(__NR_setitimer, which, it, old);
}
static inline long k_set_robust_list(__u64 head, size_t len) { return my_syscall2(__NR_set_robust_list, head, len); }
static inline long k_set_tid_address(__u64 addr) { return my_syscall1(__NR_set_tid_address, addr); }

/* POSIX timers: the kernel's struct sigevent */
struct k_sigevent {
	__u64 value;
	int signo, notify, tid, pad[11];
};
static inline long k_timer_delete(int id) { return my_syscall1(__NR_timer_delete, id); }

#ifdef __NR_arch_prctl
static inline long k_arch_prctl(int code, unsigned long addr) { return my_syscall2(__NR_arch_prctl, code, addr); }
#endif

#endif
