/* Threads keep their ids.  glibc caches each thread's id in its thread
 * descriptor and writes it into the locks the thread holds: the owner of
 * a recursive or error-checking mutex, of a write-locked rwlock.  When
 * the owner locks again or unlocks, glibc compares the two.  A restart
 * gives every thread a new id; had myrestart let the kernel write the new
 * one into the descriptor, a thread that held such a lock at the
 * checkpoint would no longer own it (its unlock fails with EPERM, its
 * second lock waits for itself: node deadlocked so).  So the cached id
 * stays the one of the checkpoint, and the locks stay consistent.
 *
 * The kernel knows the threads by their new ids, though.  The calls that
 * hand a thread's cached id to the kernel (pthread_kill, its affinity,
 * name, CPU clock, scheduling, attributes) are answered here for the threads a
 * restart brought back, with the id the kernel knows; every other thread,
 * and every process that was not restarted, is glibc's business.  Each
 * restored thread enters itself in tids on its way back into the
 * program, and none goes on before all have. */
#include "libckpt.h"

#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129
#define SIGCANCEL 32
#define SIGSETXID 33

typedef int (*kill_fn)(unsigned long, int);
typedef int (*sigqueue_fn)(unsigned long, int, void *);
typedef int (*cancel_fn)(unsigned long);
typedef int (*affinity_fn)(unsigned long, unsigned long, void *);
typedef int (*setname_fn)(unsigned long, const char *);
typedef int (*getname_fn)(unsigned long, char *, unsigned long);
typedef int (*clock_fn)(unsigned long, int *);
typedef int (*getsched_fn)(unsigned long, int *, void *);
typedef int (*setsched_fn)(unsigned long, int, const void *);
typedef int (*setprio_fn)(unsigned long, int);
typedef int (*getattr_fn)(unsigned long, void *);

/* The threads a restart brought back, by slot: thread pointer, the id
 * the kernel knows and the one glibc caches.  Apart from ckpt_rt: untouched until a restart, its
 * pages are in no image before one. */
static struct {
	int pid;                  /* the real pid of the process whose restart filled it */
	int joined;               /* restored threads in it so far */
	int late;                 /* some did not come in time (said once) */
	unsigned n;
	struct { __u64 tp; int real, cached; } t[CKPT_THREADS_MAX];
} tids;

static struct {                  /* libc's, in ckpt_glibc_nexts()'s order */
	kill_fn kill;
	sigqueue_fn sigqueue;
	cancel_fn cancel;
	affinity_fn setaff, getaff;
	setname_fn setname;
	getname_fn getname;
	clock_fn clock;
	getsched_fn getsched;
	setsched_fn setsched;
	setprio_fn setprio;
	getattr_fn getattr;
} next;

static long tid_off;              /* tid_offset(), once found: 0 before */

/* glibc's id word in the descriptor: the thread pointer plus this offset
 * (found once, in the main thread, where it holds the pid) */
static long tid_offset(void)
{
	const int *p = (const int *)arch_tp();
	unsigned long at = 0;
	int tid = k_gettid();

	if (k_prctl(PR_GET_TID_ADDRESS, (unsigned long)&at, 0, 0, 0) == 0 && at > (unsigned long)p &&
	    at < (unsigned long)p + 1024 && *(int *)at == tid)
		return (long)(at - (unsigned long)p);
	/* qemu 7.2 does not answer PR_GET_TID_ADDRESS: the first word there
	 * that holds our id */
	for (unsigned i = 1; p && i < 1024 / sizeof(int); i++)
		if (p[i] == tid)
			return (long)(i * sizeof(int));
	return 0;
}

void ckpt_tids_init(const unsigned long *auxv)
{
	ckpt_glibc_nexts(auxv, &next, "pthread_kill\0pthread_sigqueue\0pthread_cancel\0"
			 "pthread_setaffinity_np\0pthread_getaffinity_np\0pthread_setname_np\0"
			 "pthread_getname_np\0pthread_getcpuclockid\0pthread_getschedparam\0"
			 "pthread_setschedparam\0pthread_setschedprio\0pthread_getattr_np\0");
	if (!tid_off)
		tid_off = tid_offset();
}

/* the address glibc gave the kernel for this thread's id, when the kernel
 * does not say (qemu): the thread pointer plus the offset */
__u64 ckpt_tid_address(void)
{
	return tid_off ? arch_tp() + tid_off : 0;
}

/* In the pause: the image holds a map no thread has checked into yet */
void ckpt_tids_pause(void)
{
	if (tids.joined)
		tids.joined = 0;
}

/* In each restored thread (slot slot of the checkpoint) on its way back:
 * its entry, then it waits until every restored thread has its own.
 * n, the checkpoint's threads, is still the count of slots here: the
 * initiator resets it (restart_path) only after its own check-in, which
 * waits for every other thread's. */
void ckpt_tids_restored(unsigned slot, unsigned n)
{
	int k;

	tids.t[slot].tp = arch_tp();
	tids.t[slot].real = k_gettid();
	tids.t[slot].cached = tid_off ? *(int *)(tids.t[slot].tp + tid_off) : 0;
	tids.n = n;
	__atomic_store_n(&tids.pid, (int)k_getpid(), __ATOMIC_RELEASE);
	if ((unsigned)__atomic_add_fetch(&tids.joined, 1, __ATOMIC_ACQ_REL) >= n) {
		k_futex(&tids.joined, FUTEX_WAKE_PRIVATE, 0x7fffffff, 0);
		return;
	}
	/* bounded: a thread that never came would hang them all; after 5 s
	 * the others go on, and a call naming it goes to libc as it is */
	for (__u64 end = k_now_ns() + 5000000000ull; (unsigned)(k = __atomic_load_n(&tids.joined, __ATOMIC_ACQUIRE)) < n; ) {
		struct timespec ts = { 0, 100000000 };
		if (k_now_ns() > end) {
			if (!__atomic_exchange_n(&tids.late, 1, __ATOMIC_ACQ_REL))
				ckpt_msg("warning", "a restored thread did not check in: calls naming it use its old id", 0);
			return;
		}
		k_futex(&tids.joined, FUTEX_WAIT_PRIVATE, k, &ts);
	}
}

/* The id the kernel knows thread th by, when a restart of this process
 * brought it back: > 0; -1 when it has ended since; 0 when it is not
 * ours to answer (a thread created since, or no restart here). */
static int restored(unsigned long th)
{
	if (!tids.n || __atomic_load_n(&tids.pid, __ATOMIC_ACQUIRE) != k_getpid())
		return 0;
	for (unsigned i = 0; i < tids.n && i < CKPT_THREADS_MAX; i++) {
		int now;
		if (tids.t[i].tp != th)
			continue;
		if (!tid_off)
			return tids.t[i].real;
		/* the kernel clears the word when the thread ends; another id
		 * there is a thread created since in the same descriptor
		 * (glibc reuses them), glibc's business */
		now = __atomic_load_n((int *)(th + tid_off), __ATOMIC_ACQUIRE);
		return !now ? -1 : now == tids.t[i].cached ? tids.t[i].real : 0;
	}
	return 0;
}

/* The slot of the restored thread the kernel knows as tid or, with
 * stale, failing that the one glibc caches as tid (the id of the
 * checkpoints, in a CPU clock id taken before the restart), its kernel
 * id in *real; -1 when none.  In the restarted process only (its caller,
 * cputime.c, checks). */
int ckpt_tids_find(int tid, int stale, int *real)
{
	for (int pass = 0; pass <= stale; pass++)
		for (unsigned i = 0; i < tids.n && i < CKPT_THREADS_MAX; i++)
			if ((pass ? tids.t[i].cached : tids.t[i].real) == tid) {
				*real = tids.t[i].real;
				return (int)i;
			}
	return -1;
}

/* a system call's result as pthread functions give it: 0 or an errno */
static int err_of(long r)
{
	return r < 0 ? (int)-r : 0;
}

int ckpt_pthread_kill(unsigned long th, int sig) EXPORT(pthread_kill);
int ckpt_pthread_sigqueue(unsigned long th, int sig, void *value) EXPORT(pthread_sigqueue);
int ckpt_pthread_cancel(unsigned long th) EXPORT(pthread_cancel);
int ckpt_pthread_setaffinity(unsigned long th, unsigned long size, void *set) EXPORT(pthread_setaffinity_np);
int ckpt_pthread_getaffinity(unsigned long th, unsigned long size, void *set) EXPORT(pthread_getaffinity_np);
int ckpt_pthread_setname(unsigned long th, const char *name) EXPORT(pthread_setname_np);
int ckpt_pthread_getname(unsigned long th, char *buf, unsigned long len) EXPORT(pthread_getname_np);
int ckpt_pthread_clock(unsigned long th, int *clock) EXPORT(pthread_getcpuclockid);
int ckpt_pthread_getsched(unsigned long th, int *policy, void *param) EXPORT(pthread_getschedparam);
int ckpt_pthread_setsched(unsigned long th, int policy, const void *param) EXPORT(pthread_setschedparam);
int ckpt_pthread_setprio(unsigned long th, int prio) EXPORT(pthread_setschedprio);
int ckpt_pthread_getattr(unsigned long th, void *attr) EXPORT(pthread_getattr_np);

int ckpt_pthread_kill(unsigned long th, int sig)
{
	int tid = restored(th);

	if (!tid)
		return next.kill ? next.kill(th, sig) : ENOSYS;
	if (sig == SIGCANCEL || sig == SIGSETXID)
		return EINVAL;
	/* glibc's answer for a thread that has ended: nothing to do */
	return tid < 0 ? 0 : err_of(k_tgkill(k_getpid(), tid, sig));
}

int ckpt_pthread_sigqueue(unsigned long th, int sig, void *value)
{
	struct k_siginfo si;
	int tid = restored(th);

	if (!tid)
		return next.sigqueue ? next.sigqueue(th, sig, value) : ENOSYS;
	if (sig == SIGCANCEL || sig == SIGSETXID)
		return EINVAL;
	if (tid < 0)
		return ESRCH;
	memset(&si, 0, sizeof(si));
	si.signo = sig;
	si.code = -1;                        /* SI_QUEUE */
	si.pid = k_getpid();
	si.uid = k_getuid();
	memcpy(&si.rest[0], &value, sizeof(value));   /* si_value, at offset 24 */
	return err_of(k_tgsigqueueinfo(si.pid, tid, sig, &si));
}

/* glibc marks the thread cancelled itself; its signal, sent to the id it
 * caches, is sent again to the one the kernel knows (the thread's handler
 * acts on it only when the thread waits where it may be cancelled) */
int ckpt_pthread_cancel(unsigned long th)
{
	int tid = restored(th), r;

	if (!next.cancel)
		return ENOSYS;
	r = next.cancel(th);
	if (!r && tid > 0 && tid != k_gettid())
		k_tgkill(k_getpid(), tid, SIGCANCEL);
	return r;
}

/* Each wrapper below starts here: tid, th's kernel id when a restart
 * brought th back.  Any other thread is libc's business (ENOSYS without
 * its function); a restored thread that has ended answers ESRCH. */
#define RESTORED_OR_PASS(tid, th, fn, ...)                                \
	int tid = restored(th);                                            \
	if (!tid)                                                          \
		return next.fn ? next.fn(th, __VA_ARGS__) : ENOSYS;        \
	if (tid < 0)                                                       \
		return ESRCH

/* thread tid's name: read into buf or, with write, written from it (n
 * bytes at most); the bytes, or -errno */
static long comm(int tid, char *buf, long n, int write)
{
	char path[40];
	long fd, r;

	ckpt_task_path(path, tid, "/comm");
	fd = k_openat(AT_FDCWD, path, (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	r = write ? k_write_full(fd, buf, n) : k_read_full(fd, buf, n);
	sys_close(fd);
	return r;
}

int ckpt_pthread_setaffinity(unsigned long th, unsigned long size, void *set)
{
	RESTORED_OR_PASS(tid, th, setaff, size, set);
	return err_of(k_sched_setaffinity(tid, size, set));
}

int ckpt_pthread_getaffinity(unsigned long th, unsigned long size, void *set)
{
	RESTORED_OR_PASS(tid, th, getaff, size, set);
	long r = k_sched_getaffinity(tid, size, set);

	if (r >= 0)
		memset((char *)set + r, 0, size - r);   /* the CPUs the kernel does not have */
	return err_of(r);
}

/* (the length is checked before whether the thread is still there) */
int ckpt_pthread_setname(unsigned long th, const char *name)
{
	int tid = restored(th);

	if (!tid)
		return next.setname ? next.setname(th, name) : ENOSYS;
	if (strlen(name) > 15)
		return ERANGE;
	return tid < 0 ? ESRCH : err_of(comm(tid, (char *)name, strlen(name), 1));
}

int ckpt_pthread_getname(unsigned long th, char *buf, unsigned long len)
{
	int tid = restored(th);
	char name[17];
	long n;

	if (!tid)
		return next.getname ? next.getname(th, buf, len) : ENOSYS;
	if (len < 16)
		return ERANGE;
	n = tid < 0 ? -ESRCH : comm(tid, name, 16, 0);
	if (n < 0)
		return (int)-n;
	if (n > 0 && name[n - 1] == '\n')
		n--;
	name[n] = 0;
	memcpy(buf, name, n + 1);
	return 0;
}

/* the kernel's clock id of a thread's CPU time: ~tid << 3, per thread
 * (4), scheduler's count (2) */
int ckpt_pthread_clock(unsigned long th, int *clock)
{
	RESTORED_OR_PASS(tid, th, clock, clock);
	*clock = (int)((unsigned)~tid << 3) | 6;
	return 0;
}

int ckpt_pthread_getsched(unsigned long th, int *policy, void *param)
{
	RESTORED_OR_PASS(tid, th, getsched, policy, param);
	long r = k_sched_getscheduler(tid);

	if (r < 0)
		return (int)-r;
	*policy = (int)r & ~0x40000000;      /* without SCHED_RESET_ON_FORK */
	return err_of(k_sched_getparam(tid, param));
}

int ckpt_pthread_setsched(unsigned long th, int policy, const void *param)
{
	RESTORED_OR_PASS(tid, th, setsched, policy, param);
	return err_of(k_sched_setscheduler(tid, policy, param));
}

int ckpt_pthread_setprio(unsigned long th, int prio)
{
	RESTORED_OR_PASS(tid, th, setprio, prio);
	return err_of(k_sched_setparam(tid, &prio));
}

/* glibc's pthread_getattr_np asks for the thread's affinity with the id
 * it caches, and fails with ESRCH for a restored thread.  A thread asking
 * of itself (the common case: where is my stack?) has the kernel's id in
 * its descriptor for the length of the call, signals blocked: no other
 * thread compares its locks with that id, and no handler of its own runs
 * meanwhile.  Another restored thread's attributes come from glibc as
 * they are (without its affinity, the call fails). */
int ckpt_pthread_getattr(unsigned long th, void *attr)
{
	int tid = restored(th), *cached, old, r;
	unsigned long all = ~0ul, mask;

	if (!next.getattr)
		return ENOSYS;
	if (tid <= 0 || tid != k_gettid() || !tid_off)
		return next.getattr(th, attr);
	cached = (int *)(th + tid_off);
	k_sigprocmask(SIG_SETMASK, &all, &mask);
	old = *cached;
	*cached = tid;
	r = next.getattr(th, attr);
	*cached = old;
	k_sigprocmask(SIG_SETMASK, &mask, 0);
	return r;
}
