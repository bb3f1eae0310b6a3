#define _GNU_SOURCE
/* POSIX timers of every notify kind, which a restart must make again with
 * the ids the program holds: a periodic SIGEV_SIGNAL timer with a value,
 * a SIGEV_THREAD_ID one to a worker thread, a SIGEV_NONE one on the
 * realtime clock and one on the process CPU clock, and a gap in the ids
 * (a timer deleted early).  (Not glibc's SIGEV_THREAD: its helper thread
 * blocks every signal, and a checkpoint fails naming it.)  Each step says
 * whether every timer went on; at the end every timer_delete must work
 * (ruby's failed after a restart, and killed it). */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "step.h"

static volatile sig_atomic_t ticks_sig, ticks_thr, bad_value, bad_thread;
static pthread_t worker;

static void on_sig(int s, siginfo_t *si, void *uc)
{
	(void)s, (void)uc;
	if (si->si_value.sival_ptr != (void *)0x5eed)
		bad_value = 1;
	ticks_sig++;
}

static void on_thr(int s, siginfo_t *si, void *uc)
{
	(void)s, (void)uc;
	if (si->si_value.sival_int != 77)
		bad_value = 1;
	if (!pthread_equal(pthread_self(), worker))
		bad_thread = 1;
	ticks_thr++;
}

static void *work(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return 0;
}

static timer_t make(clockid_t c, int notify, int sig, union sigval v, long period_ms, long first_ms)
{
	struct sigevent ev;
	struct itimerspec it = { { period_ms / 1000, period_ms % 1000 * 1000000 },
				 { first_ms / 1000, first_ms % 1000 * 1000000 } };
	timer_t t;

	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = notify;
	ev.sigev_signo = sig;
	ev.sigev_value = v;
	if (notify == SIGEV_THREAD_ID)
		ev._sigev_un._tid = *(pid_t *)v.sival_ptr, ev.sigev_value.sival_int = 77;
	if (timer_create(c, &ev, &t) || timer_settime(t, 0, &it, 0))
		_exit(2);
	return t;
}

static pid_t worker_tid;
static void *start(void *arg)
{
	worker_tid = gettid();
	return work(arg);
}

int main(void)
{
	struct sigaction sa;
	timer_t t[4];
	int last[2] = { 0, 0 };

	memset(&sa, 0, sizeof(sa));
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sa.sa_sigaction = on_sig;
	sigaction(SIGRTMIN, &sa, 0);
	sa.sa_sigaction = on_thr;
	sigaction(SIGRTMIN + 1, &sa, 0);
	pthread_create(&worker, 0, start, 0);
	while (!__atomic_load_n(&worker_tid, __ATOMIC_ACQUIRE))
		step_pause(1);
	{
		sigset_t rt;
		sigemptyset(&rt);
		sigaddset(&rt, SIGRTMIN + 1);
		pthread_sigmask(SIG_BLOCK, &rt, 0);   /* only the worker takes it */
	}
	t[0] = make(CLOCK_MONOTONIC, SIGEV_SIGNAL, SIGRTMIN, (union sigval){ .sival_ptr = (void *)0x5eed }, 20, 20);
	t[1] = make(CLOCK_MONOTONIC, SIGEV_NONE, 0, (union sigval){ 0 }, 0, 5000);
	timer_delete(t[1]);                                   /* a gap in the ids */
	t[1] = make(CLOCK_MONOTONIC, SIGEV_THREAD_ID, SIGRTMIN + 1, (union sigval){ .sival_ptr = &worker_tid }, 30, 30);
	t[2] = make(CLOCK_REALTIME, SIGEV_NONE, 0, (union sigval){ 0 }, 0, 1000000);
	t[3] = make(CLOCK_PROCESS_CPUTIME_ID, SIGEV_NONE, 0, (union sigval){ 0 }, 0, 1000000);
	for (int i = 0; i < 40; i++) {
		struct itimerspec left[2];
		/* until both periodic timers ticked again (a loaded machine may
		 * starve the worker for a while), 3 s at most */
		step_pause(60);
		for (int w = 0; w < 300 && (ticks_sig <= last[0] || ticks_thr <= last[1]); w++)
			step_pause(10);
		timer_gettime(t[2], &left[0]);
		timer_gettime(t[3], &left[1]);
		STEP(i, "signal %s, thread %s, realtime left %s, cpu left %s, values %s, thread ok %s, ids %ld %ld %ld %ld",
		     ticks_sig > last[0] ? "yes" : "no", ticks_thr > last[1] ? "yes" : "no",
		     left[0].it_value.tv_sec > 900 && left[0].it_value.tv_sec < 1000 ? "yes" : "no",
		     left[1].it_value.tv_sec > 900 ? "yes" : "no", bad_value ? "bad" : "ok", bad_thread ? "no" : "yes",
		     (long)(intptr_t)t[0], (long)(intptr_t)t[1], (long)(intptr_t)t[2], (long)(intptr_t)t[3]);
		last[0] = ticks_sig, last[1] = ticks_thr;
	}
	for (int k = 0; k < 4; k++)
		if (timer_delete(t[k]))
			STEP(40 + k, "timer_delete of timer %d failed", k);
	STEP(45, "done");
	return 0;
}
