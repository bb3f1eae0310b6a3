/* CPU time goes on across a restart.  The kernel counts the CPU time of
 * a process and of each thread from their start and lets nobody set it:
 * in a restarted process it starts again from zero, and
 * time.process_time() goes back, openssl speed's rate for the test
 * under way comes out negative.  So the calls that read it answer the
 * kernel's count plus an offset.  In the pause each thread records what
 * it has used as the program sees it (its own clock, read in its own
 * handler), and the initiator the process's, in the library's memory,
 * which is in the image; after a restart each offset is that record
 * minus what the kernel counts then, computed by each restored thread
 * in its own context before any of them goes back to the program.  The
 * record includes the offset in place: offsets accumulate across
 * restarts.  The scheduler's clock (clock_gettime's), user and system
 * time (getrusage's and times') have an offset each.
 *
 * Wrapped: clock_gettime and clock_getres, clock() (glibc's calls its
 * internal clock_gettime, not ours), times() and getrusage() (system
 * calls in glibc).  The CPU clock ids of the process and of restored
 * threads are translated: those taken before a restart name the ids of
 * then (the process's original pid, which getpid() still answers, and
 * the thread ids the checkpoint knew).  A process never restarted, and
 * every other clock (CLOCK_MONOTONIC, CLOCK_REALTIME), get libc's own
 * function at once.  A child forked after a restart has clocks of its
 * own, from zero: the offsets are for the restarted process's real pid.
 * Left as the kernel counts them: the children's times (RUSAGE_CHILDREN,
 * tms_cutime), the kernel's other CPU clocks (PROF, VIRT), timers and
 * sleeps on CPU clocks; a thread's clock id taken after a restart and
 * used after a later one names no thread (EINVAL, as before). */
#include "libckpt.h"

#define USER_HZ 100               /* the kernel's unit of times() */
#define CPU_CLOCK(id) ((id) < 0 || (id) == CLOCK_PROCESS_CPUTIME_ID || (id) == CLOCK_THREAD_CPUTIME_ID)

/* what a process or a thread has used, ns: the scheduler's clock, user
 * and system time; [0] < 0 when it could not be read */
typedef __s64 cpu_t[3];
struct k_tms { long utime, stime, cutime, cstime; };

typedef int (*clock_fn)(int, struct timespec *);
typedef long (*times_fn)(struct k_tms *);
typedef int (*rusage_fn)(int, struct rusage *);

static struct {                  /* libc's, in ckpt_glibc_nexts()'s order */
	clock_fn gettime, getres;
	times_fn times;
	rusage_fn rusage;
} next;

/* the real pid of the restarted process the offsets are for, or 0: read
 * by every call, a small variable of its own */
static int shifted;
/* after a restart: the offsets of the process and of each restored
 * thread, by its slot (tids.c knows the slots) */
static cpu_t off_proc, off_thr[CKPT_THREADS_MAX];
/* in the pause: what the process and each thread, by slot, had used.
 * The initiator's (slot 0) apart, with the small variables, whose pages
 * every image holds anyway: a program of one thread touches no page more
 * (each touched page of the library is in every image). */
static cpu_t at_proc, at_first, at_thr[CKPT_THREADS_MAX - 1];

static __s64 *at_slot(unsigned slot)
{
	return slot ? at_thr[slot - 1] : at_first;
}

void ckpt_cputime_init(const unsigned long *auxv)
{
	ckpt_glibc_nexts(auxv, &next, "clock_gettime\0clock_getres\0times\0getrusage\0");
}

/* libc's function, or before the constructor (or without one) the
 * system call, -1 without errno on failure */
static int call(clock_fn fn, int getres, int id, struct timespec *ts)
{
	if (fn)
		return fn(id, ts);
	return (getres ? k_clock_getres(id, ts) : k_clock_gettime(id, ts)) < 0 ? -1 : 0;
}

/* the offsets apply: this is the restarted process (not a child) */
static int here(void)
{
	int pid = __atomic_load_n(&shifted, __ATOMIC_ACQUIRE);
	return pid && pid == k_getpid();
}

static __s64 tv_ns(const struct __kernel_old_timeval *tv)
{
	return tv->tv_sec * 1000000000ll + tv->tv_usec * 1000ll;
}

/* t ns (none below 0) as seconds and units of unit ns */
static void split(__s64 t, long *sec, long *frac, long unit)
{
	if (t < 0)
		t = 0;
	*sec = t / 1000000000;
	*frac = t % 1000000000 / unit;
}

/* into c what this thread, or the process, has used as the program sees
 * it: what the kernel counts plus the offset off, if any */
static void used(int thread, __s64 *c, const __s64 *off)
{
	struct timespec ts;
	struct rusage ru;

	c[0] = -1;
	if (k_clock_gettime(thread ? CLOCK_THREAD_CPUTIME_ID : CLOCK_PROCESS_CPUTIME_ID, &ts) < 0 ||
	    k_getrusage(thread ? RUSAGE_THREAD : RUSAGE_SELF, &ru) < 0)
		return;
	c[0] = ts.tv_sec * 1000000000ll + ts.tv_nsec;
	for (int k = 0; k < 2; k++)
		c[1 + k] = tv_ns(&ru.ru_utime + k);     /* ru_stime follows */
	for (int k = 0; off && k < 3; k++)
		c[k] += off[k];
}

/* this thread's offset, when a restart brought it back, or 0 */
static __s64 *own_offset(void)
{
	int real, slot = ckpt_tids_find(k_gettid(), 0, &real);
	return slot < 0 ? 0 : off_thr[slot];
}

/* In the pause, in each thread (slot 0: the initiator, once every other
 * thread parked, with the process after its own: the process then
 * counts at least what its thread does) */
void ckpt_cputime_pause(unsigned slot)
{
	int in = here();

	used(1, at_slot(slot), in ? own_offset() : 0);
	if (!slot)
		used(0, at_proc, in ? off_proc : 0);
}

/* the offset that turns what is used now into at: none when either is
 * unknown */
static void rebase(int thread, __s64 *off, const __s64 *at)
{
	cpu_t now;

	used(thread, now, 0);
	for (int k = 0; k < 3; k++)
		off[k] = at[0] >= 0 && now[0] >= 0 ? at[k] - now[k] : 0;
}

/* In each restored thread, before it checks into tids (none goes back to
 * the program before all have).  Slot 0, the initiator, does the
 * process's first (the process's offset then counts from before its
 * thread's: the process still counts at least what its thread does), and
 * publishes the offsets. */
void ckpt_cputime_restored(unsigned slot)
{
	if (!slot)
		rebase(0, off_proc, at_proc);
	rebase(1, off_thr[slot], at_slot(slot));
	if (!slot)
		__atomic_store_n(&shifted, (int)k_getpid(), __ATOMIC_RELEASE);
}

/* The offset that clock id's readings take in the restarted process, or
 * 0; *id becomes the kernel's id of that clock.  A CPU clock id is
 * ~pid << 3 | 2, or ~tid << 3 | 4 | 2 for a thread (0: the caller);
 * low bits 0 and 1 are the kernel's other CPU clocks, 3 a clock fd. */
static __s64 *offset_of(int *id)
{
	int who = ~(*id >> 3), real, slot;

	if (*id == CLOCK_PROCESS_CPUTIME_ID)
		return off_proc;
	if (*id == CLOCK_THREAD_CPUTIME_ID)
		return own_offset();
	if (*id >= 0 || (*id & 3) != 2)
		return 0;
	if (!(*id & 4)) {
		if (who && who != shifted && who != ckpt_pid_seen())
			return 0;
		*id = CLOCK_PROCESS_CPUTIME_ID;
		return off_proc;
	}
	if (!who) {
		*id = CLOCK_THREAD_CPUTIME_ID;
		return own_offset();
	}
	slot = ckpt_tids_find(who, 1, &real);
	if (slot < 0)
		return 0;
	*id = (int)((unsigned)~real << 3) | 6;
	return off_thr[slot];
}

/* clock_gettime or clock_getres (getres 1, nothing added): of a CPU
 * clock, maybe shifted, or without libc's function */
static __attribute__((noinline)) int cpu_clock(clock_fn fn, int getres, int id, struct timespec *ts)
{
	__s64 *off = here() ? offset_of(&id) : 0;
	int r = call(fn, getres, id, ts);

	if (!r && off && !getres)
		split(ts->tv_sec * 1000000000ll + ts->tv_nsec + off[0], &ts->tv_sec, &ts->tv_nsec, 1);
	return r;
}

int ckpt_clock_gettime(int id, struct timespec *ts) EXPORT(clock_gettime);
int ckpt_clock_getres(int id, struct timespec *res) EXPORT(clock_getres);
long ckpt_clock(void) EXPORT(clock);
long ckpt_times(struct k_tms *buf) EXPORT(times);
int ckpt_getrusage(int who, struct rusage *ru) EXPORT(getrusage);

/* hot: the clock id first, and libc's (vdso) function at once for every
 * clock but the CPU clocks, and for those before any restart */
int ckpt_clock_gettime(int id, struct timespec *ts)
{
	clock_fn fn = next.gettime;

	if (__builtin_expect(fn && (!CPU_CLOCK(id) || !shifted), 1))
		return fn(id, ts);
	return cpu_clock(fn, 0, id, ts);
}

int ckpt_clock_getres(int id, struct timespec *res)
{
	if (!CPU_CLOCK(id) || !shifted)
		return call(next.getres, 1, id, res);
	return cpu_clock(next.getres, 1, id, res);
}

/* glibc's clock(), which asks its own clock_gettime: the process's CPU
 * time in microseconds */
long ckpt_clock(void)
{
	struct timespec ts;

	if (ckpt_clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts))
		return -1;
	return ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* user and system time from getrusage's (the kernel's times() rounds the
 * same count down to its ticks), plus the offsets */
long ckpt_times(struct k_tms *buf)
{
	long r = next.times ? next.times(buf) : k_times(buf);
	cpu_t c;

	if (r == -1 || !buf || !shifted || !here())
		return r;
	used(0, c, off_proc);
	if (c[0] >= 0) {
		buf->utime = c[1] / (1000000000 / USER_HZ);
		buf->stime = c[2] / (1000000000 / USER_HZ);
	}
	return r;
}

int ckpt_getrusage(int who, struct rusage *ru)
{
	int r = next.rusage ? next.rusage(who, ru) : k_getrusage(who, ru) < 0 ? -1 : 0;
	__s64 *off;

	if (r || !shifted || (who != RUSAGE_SELF && who != RUSAGE_THREAD) || !here())
		return r;
	off = who == RUSAGE_SELF ? off_proc : own_offset();
	for (int k = 0; off && k < 2; k++) {
		struct __kernel_old_timeval *tv = &ru->ru_utime + k;
		split(tv_ns(tv) + off[1 + k], &tv->tv_sec, &tv->tv_usec, 1000);
	}
	return r;
}
