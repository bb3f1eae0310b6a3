/* POSIX timers (TIMER records), made again with the ids the program
 * holds (ruby deletes its timer at exit, and a failed timer_delete is
 * fatal to it).  Where the kernel has PR_TIMER_CREATE_RESTORE_IDS (Linux
 * 6.17), timer_create takes the id it is given; before it, a process's
 * ids are handed out in order from 0, and myrestart is a new process: it
 * makes the timers in order of id, and deletes again the ones it made
 * only to fill a gap.  qemu-user hands out the ids its guest sees the same
 * way, each its first free slot (of 32) above a base (0x0caf0000), and
 * takes no prctl of this kind: there the timers are made in order too.
 * Checked before the point of no return; made after
 * it, once the threads exist (a SIGEV_THREAD_ID timer names one), just
 * before the jump: signals stay blocked until the program's sigreturn. */
#include "restart.h"

#define PR_TIMER_CREATE_RESTORE_IDS 77
#define FILL_MAX 4096             /* ids the fallback makes to fill gaps */

static int restore_ids;           /* the kernel takes the ids asked for */
static int base;                  /* the first id: 0, or qemu-user's */
#define QEMU_TIMER_BASE 0x0caf0000
#define QEMU_TIMERS     32

static int highest(const struct img *im)
{
	int top = -1;

	for (unsigned i = 0; i < im->ntimers; i++)
		top = im->timer[i]->id - base > top ? im->timer[i]->id - base : top;
	return top;
}

int timers_check(const struct img *im)
{
	if (!im->ntimers)
		return 0;
	if (im->hd.runner == CKPT_RUNNER_QEMU) {
		base = QEMU_TIMER_BASE;
		for (unsigned i = 0; i < im->ntimers; i++)
			if (im->timer[i]->id < base || im->timer[i]->id - base >= QEMU_TIMERS)
				return report(im, "bad timer record (id %u is none of qemu-user's)",
					      (__u64)im->timer[i]->id);
		return 0;
	}
	restore_ids = k_prctl(PR_TIMER_CREATE_RESTORE_IDS, 1, 0, 0, 0) == 0;
	if (restore_ids)
		k_prctl(PR_TIMER_CREATE_RESTORE_IDS, 0, 0, 0, 0);
	else if (highest(im) >= FILL_MAX)
		return report(im, "cannot make POSIX timer %u again on this kernel (ids above %u need Linux 6.17)",
			      (__u64)highest(im), (__u64)FILL_MAX - 1);
	return 0;
}

/* a CPU-time clock of the checkpoint's process or one of its threads
 * names the same one now */
static int clock_now(const struct img *im, int c)
{
	int pid = CKPT_CPUCLOCK_PID(c);

	if (c >= 0 || !pid)
		return c;
	for (unsigned i = 0; i < im->nthreads; i++)
		if (im->thread[i]->tid == pid)
			pid = CKPT_CPUCLOCK_THREAD(c) ? thread_tid(i) : k_getpid();
	return (~pid << 3) | (c & 7);
}

static long make(const struct img *im, const struct ckpt_timer *t)
{
	struct k_sigevent ev = { .value = t->value, .signo = t->signo, .notify = t->notify };
	struct itimerspec it = {
		{ t->interval_ns / 1000000000, t->interval_ns % 1000000000 },
		{ t->value_ns / 1000000000, t->value_ns % 1000000000 },
	};
	int id = t->id;
	long r;

	if (t->notify == 4 /* SIGEV_THREAD_ID */)
		ev.tid = thread_tid(t->thread);
	r = k_timer_create(clock_now(im, t->clock), &ev, &id);
	if (r == 0 && id != t->id)
		r = -EEXIST;
	/* a periodic timer whose signal was pending reads 0 left: the signal
	 * is raised again with the pending set, the next one a period away */
	if (r == 0 && (t->value_ns || t->interval_ns)) {
		if (!t->value_ns)
			it.it_value = it.it_interval;
		r = k_timer_settime(id, 0, &it, 0);
	}
	return r;
}

static const struct ckpt_timer *with_id(const struct img *im, int id)
{
	for (unsigned i = 0; i < im->ntimers; i++)
		if (im->timer[i]->id == id)
			return im->timer[i];
	return 0;
}

static void failed(const struct img *im, const struct ckpt_timer *t, long err)
{
	report(im, "warning: POSIX timer %u (signal %u) not made again: %s", (__u64)t->id,
	       (__u64)t->signo, err_str(err));
}

/* the restored timer that sends signal s, or 0 */
const struct ckpt_timer *timer_of_signal(const struct img *im, unsigned s)
{
	for (unsigned i = 0; i < im->ntimers; i++)
		if (im->timer[i]->notify != 1 && im->timer[i]->signo == s)
			return im->timer[i];
	return 0;
}

/* a signal of a timer's that was pending at the checkpoint, queued again
 * as the timer sends it (SI_TIMER, with its value: a handler may read
 * it), to the thread it was meant for */
static void queue_pending(const struct img *im)
{
	for (unsigned s = 1; s <= 64; s++) {
		const struct ckpt_timer *t = timer_of_signal(im, s);
		struct k_siginfo si = { .signo = s, .code = -2 /* SI_TIMER */, .pid = t ? t->id : 0 };
		if (!t || !((im->proc->pending >> (s - 1)) & 1) || s == im->proc->ckpt_signal)
			continue;
		memcpy((char *)&si + 24, &t->value, 8);
		k_tgsigqueueinfo(k_getpid(), t->notify == 4 ? thread_tid(t->thread) : k_gettid(), s, &si);
	}
}

void timers_restore(const struct img *im)
{
	struct k_sigevent fill = { .notify = 1 /* SIGEV_NONE */ };
	int top = highest(im), id;

	queue_pending(im);
	if (restore_ids) {
		k_prctl(PR_TIMER_CREATE_RESTORE_IDS, 1, 0, 0, 0);
		for (unsigned i = 0; i < im->ntimers; i++) {
			long r = make(im, im->timer[i]);
			if (r < 0)
				failed(im, im->timer[i], r);
		}
		k_prctl(PR_TIMER_CREATE_RESTORE_IDS, 0, 0, 0, 0);
		return;
	}
	for (int k = 0; k <= top; k++) {
		const struct ckpt_timer *t = with_id(im, base + k);
		long r = t ? make(im, t) : k_timer_create(1, &fill, &id);
		if (r < 0 && t)
			failed(im, t, r);
	}
	for (int k = 0; k < top; k++)
		if (!with_id(im, base + k))
			k_timer_delete(base + k);
}
