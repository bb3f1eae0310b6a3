/* CPU time goes on across a restart.  The main thread and two workers
 * burn CPU; each step the main thread reads every CPU clock a program
 * has: the process's (clock_gettime, clock(), times(), getrusage SELF,
 * the clock id of clock_getcpuclockid(getpid()), fresh and the one taken
 * at the start), its own (CLOCK_THREAD_CPUTIME_ID, getrusage THREAD) and
 * each worker's (pthread_getcpuclockid, fresh and from the start); each
 * worker reads its own.  A line says which went back (or stood still
 * where the reader itself burned CPU since, or failed): an uninterrupted
 * run says every clock goes on. */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#include "step.h"

#define STEPS 40
#define NW 2

static long long ns_of(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }
static long long us_of(struct timeval t) { return t.tv_sec * 1000000LL + t.tv_usec; }

/* this thread's CPU time by the kernel's own clock, not through libc
 * (the burn's yardstick, whatever the clocks under test answer) */
static long long raw_thread_ns(void)
{
	struct timespec t;
	syscall(SYS_clock_gettime, CLOCK_THREAD_CPUTIME_ID, &t);
	return ns_of(t);
}

/* ms of this thread's CPU; a restart meanwhile starts the count again */
static void burn(long ms)
{
	long long start = raw_thread_ns(), now;
	volatile unsigned long x = 0;

	do {
		for (int i = 0; i < 20000; i++)
			x++;
		now = raw_thread_ns();
		if (now < start)
			start = now;
	} while (now - start < ms * 1000000LL);
}

static long long clock_ns(clockid_t id)
{
	struct timespec t, res;
	if (clock_gettime(id, &t) || clock_getres(id, &res) || ns_of(res) <= 0)
		return -1;
	return ns_of(t);
}

static long long rusage_us(int who, long long *user, long long *sys)
{
	struct rusage ru;
	if (getrusage(who, &ru))
		return -1;
	*user = us_of(ru.ru_utime);
	*sys = us_of(ru.ru_stime);
	return *user + *sys;
}

struct worker {
	pthread_t th;
	clockid_t first;          /* its clock id, taken before any checkpoint */
	long long self, user, sys, total;
	char why[64];             /* its own clock that went back, or "" */
};
static struct worker w[NW];
static volatile int done;

static void note(char *why, unsigned cap, const char *name)
{
	if (strlen(why) + strlen(name) + 2 < cap)
		strcat(strcat(why, " "), name);
}

/* each round it burned CPU (worker 1 four times what worker 0 does: a
 * clock that took the other's offset would go back): its own clocks grew */
static void *work(void *arg)
{
	struct worker *me = arg;

	while (!done) {
		long long self, user, sys, total;
		burn(me == w ? 5 : 20);
		self = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		total = rusage_us(RUSAGE_THREAD, &user, &sys);
		if (self <= me->self)
			note(me->why, sizeof(me->why), "own-clock");
		if (total <= me->total || user < me->user || sys < me->sys)
			note(me->why, sizeof(me->why), "own-rusage");
		me->self = self, me->user = user, me->sys = sys, me->total = total;
		step_pause(20);
	}
	return 0;
}

/* the main thread's readings, in the order of names[] */
enum { PROC, CLOCK, TIMES, SELF, THREAD, MAIN, PIDCLK, PIDFIRST, W0, W0FIRST, W1, W1FIRST, N };
static const char *names[N] = { "process", "clock()", "times", "rusage-self", "rusage-thread", "main-thread",
				"pid-clock", "pid-clock-first", "worker0", "worker0-first", "worker1", "worker1-first" };
static long long prev[N], user[3], sys[3];

static void read_all(long long *v, clockid_t pid_first)
{
	struct tms t;
	clockid_t id;
	clock_t c = clock();

	v[PROC] = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	v[CLOCK] = c == (clock_t)-1 ? -1 : (long long)c;
	v[TIMES] = times(&t) == (clock_t)-1 ? -1 : (long long)t.tms_utime + t.tms_stime;
	user[0] = t.tms_utime, sys[0] = t.tms_stime;
	v[SELF] = rusage_us(RUSAGE_SELF, &user[1], &sys[1]);
	v[THREAD] = rusage_us(RUSAGE_THREAD, &user[2], &sys[2]);
	v[MAIN] = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	v[PIDCLK] = clock_getcpuclockid(getpid(), &id) ? -1 : clock_ns(id);
	v[PIDFIRST] = clock_ns(pid_first);
	for (int k = 0; k < NW; k++) {
		v[W0 + 2 * k] = pthread_getcpuclockid(w[k].th, &id) ? -1 : clock_ns(id);
		v[W0FIRST + 2 * k] = clock_ns(w[k].first);
	}
}

int main(void)
{
	static long long pu[3], ps[3];
	clockid_t pid_first;

	if (clock_getcpuclockid(getpid(), &pid_first))
		return 1;
	for (int k = 0; k < NW; k++)
		if (pthread_create(&w[k].th, 0, work, &w[k]) || pthread_getcpuclockid(w[k].th, &w[k].first))
			return 1;
	for (int i = 0; i < STEPS; i++) {
		long long v[N];
		char why[512] = "";
		burn(30);
		read_all(v, pid_first);
		/* the main thread burned 30 ms since: its process's and its own
		 * clocks grew; the workers' did not go back */
		for (int k = 0; k < N; k++)
			if (v[k] < 0 || v[k] < prev[k] || (k < W0 && v[k] == prev[k]))
				note(why, sizeof(why), names[k]);
		for (int k = 0; k < 3; k++)
			if (user[k] < pu[k] || sys[k] < ps[k])
				note(why, sizeof(why), k == 0 ? "times-user/sys" : k == 1 ? "self-user/sys" : "thread-user/sys");
		if (v[MAIN] > v[PROC])
			note(why, sizeof(why), "main-thread>process");
		for (int k = 0; k < NW; k++)
			if (w[k].why[0]) {
				note(why, sizeof(why), k ? "worker1:" : "worker0:");
				note(why, sizeof(why), w[k].why);
				w[k].why[0] = 0;
			}
		memcpy(prev, v, sizeof(prev));
		memcpy(pu, user, sizeof(pu));
		memcpy(ps, sys, sizeof(ps));
		STEP(i, "%s", why[0] ? why + 1 : "every clock goes on");
		step_pause(20);
	}
	done = 1;
	for (int k = 0; k < NW; k++)
		pthread_join(w[k].th, 0);
	return 0;
}
