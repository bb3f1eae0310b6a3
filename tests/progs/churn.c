/* Threads that start and end all the time: two spawner threads each
 * create and join short-lived workers without pause while the main
 * thread prints the total, so checkpoints land while threads are being
 * created and are exiting.  A checkpoint must neither hang on them nor
 * lose a live one.   churn [STEPS] */
#include <pthread.h>
#include <stdlib.h>
#include "step.h"

static unsigned long done[2];
static volatile int stop;

static void *work(void *arg)
{
	unsigned long *n = arg;
	for (int i = 0; i < 1000; i++)
		__atomic_fetch_add(n, 1, __ATOMIC_RELAXED);
	return 0;
}

static void *spawner(void *arg)
{
	unsigned long *d = arg, n = 0;
	while (!stop) {
		pthread_t t;
		if (pthread_create(&t, 0, work, &n) == 0 && pthread_join(t, 0) == 0)
			__atomic_fetch_add(d, 1, __ATOMIC_RELAXED);
	}
	return (void *)(n == *d * 1000);     /* every worker's count arrived */
}

int main(int argc, char **argv)
{
	int steps = argc > 1 ? atoi(argv[1]) : 40;
	pthread_t s[2];
	void *ok[2];

	for (int k = 0; k < 2; k++)
		pthread_create(&s[k], 0, spawner, &done[k]);
	for (int i = 0; i < steps; i++) {
		/* only that both go on (the counts depend on timing): a
		 * spawner lost or stuck at a checkpoint hangs the program */
		unsigned long a = __atomic_load_n(&done[0], __ATOMIC_RELAXED);
		unsigned long b = __atomic_load_n(&done[1], __ATOMIC_RELAXED);
		step_pause(40);
		while (__atomic_load_n(&done[0], __ATOMIC_RELAXED) == a ||
		       __atomic_load_n(&done[1], __ATOMIC_RELAXED) == b)
			step_pause(5);
		STEP(i, "both spawners went on");
	}
	stop = 1;
	for (int k = 0; k < 2; k++)
		pthread_join(s[k], &ok[k]);
	STEP(steps, "joined, counts right %d %d", ok[0] != 0, ok[1] != 0);
	return 0;
}
