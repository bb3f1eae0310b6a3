/* Locks that remember their owner's thread id, held across a checkpoint:
 * glibc writes the owner's tid into a recursive or error-checking mutex
 * and into a write-locked rwlock, and compares it with the thread's own
 * when the owner locks again or unlocks.  A worker holds one of each
 * while it sleeps (where the checkpoint lands); after each step it locks
 * again, unlocks, and the main thread checks that every call succeeded
 * and that the locks are free for it.  The calls that give a thread's id
 * to the kernel (pthread_kill, affinity, names, CPU clock, scheduling)
 * are made on the worker too: each line says whether they worked.  Last,
 * once the worker has ended, a new thread gets its descriptor (glibc
 * reuses them) and the same calls are made on it. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include "step.h"

static pthread_mutex_t rec, chk;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t held, checked;
static volatile sig_atomic_t kicks;
static volatile int done;
static int bad;              /* the worker's failed calls, this step */

static void on_usr1(int sig)
{
	(void)sig;
	kicks++;
}

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 30; i++) {
		bad = pthread_mutex_lock(&rec) != 0;
		bad += pthread_mutex_lock(&rec) != 0;       /* recursive: count 2 */
		bad += pthread_mutex_lock(&chk) != 0;
		bad += pthread_rwlock_wrlock(&rw) != 0;
		step_pause(60);                             /* the checkpoint lands here */
		bad += pthread_mutex_lock(&chk) != EDEADLK; /* it knows it owns it */
		bad += pthread_rwlock_wrlock(&rw) != EDEADLK;
		bad += pthread_mutex_unlock(&chk) != 0;
		bad += pthread_rwlock_unlock(&rw) != 0;
		bad += pthread_mutex_unlock(&rec) != 0;
		bad += pthread_mutex_unlock(&rec) != 0;
		pthread_barrier_wait(&held);
		pthread_barrier_wait(&checked);
	}
	return 0;
}

/* the calls that name the worker to the kernel: the failed ones, named */
static const char *kernel_calls(pthread_t t, int step)
{
	static char failed[128];
	cpu_set_t set;
	clockid_t clk;
	struct timespec ts;
	struct sched_param sp;
	char name[16], want[16];
	int policy, before = kicks;

	failed[0] = 0;
#define CHECK(what, ok) do { if (!(ok)) strcat(failed, " " what); } while (0)
	CHECK("pthread_kill", pthread_kill(t, SIGUSR1) == 0);
	for (int k = 0; k < 2000 && kicks == before; k++)
		step_pause(1);
	CHECK("signal", kicks == before + 1);
	CHECK("getaffinity", pthread_getaffinity_np(t, sizeof(set), &set) == 0);
	CHECK("setaffinity", pthread_setaffinity_np(t, sizeof(set), &set) == 0);
	snprintf(want, sizeof(want), "w%d", step);
	CHECK("setname", pthread_setname_np(t, want) == 0);
	CHECK("getname", pthread_getname_np(t, name, sizeof(name)) == 0 && !strcmp(name, want));
	CHECK("cpuclock", pthread_getcpuclockid(t, &clk) == 0 && clock_gettime(clk, &ts) == 0);
	CHECK("getsched", pthread_getschedparam(t, &policy, &sp) == 0);
	CHECK("setsched", pthread_setschedparam(t, policy, &sp) == 0);
	return failed[0] ? failed : " none";
}

static void *late(void *arg)
{
	(void)arg;
	while (!done)
		step_pause(5);
	return 0;
}

int main(void)
{
	pthread_mutexattr_t a;
	pthread_t t;

	signal(SIGUSR1, on_usr1);
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&rec, &a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&chk, &a);
	pthread_barrier_init(&held, 0, 2);
	pthread_barrier_init(&checked, 0, 2);
	pthread_create(&t, 0, worker, 0);
	for (int i = 0; i < 30; i++) {
		int free_ = 0;
		pthread_barrier_wait(&held);
		free_ += pthread_mutex_trylock(&rec) == 0 && pthread_mutex_unlock(&rec) == 0;
		free_ += pthread_mutex_trylock(&chk) == 0 && pthread_mutex_unlock(&chk) == 0;
		free_ += pthread_rwlock_trywrlock(&rw) == 0 && pthread_rwlock_unlock(&rw) == 0;
		STEP(i, "worker's lock calls failed: %d, locks free after: %d of 3, "
		     "calls naming the worker that failed:%s", bad, free_, kernel_calls(t, i));
		pthread_barrier_wait(&checked);
	}
	pthread_join(t, 0);
	{
		pthread_t t2;
		pthread_create(&t2, 0, late, 0);
		STEP(30, "a new thread, %s descriptor: calls naming it that failed:%s",
		     t2 == t ? "the worker's" : "another", kernel_calls(t2, 30));
		done = 1;
		pthread_join(t2, 0);
	}
	return 0;
}
