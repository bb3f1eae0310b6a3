/* A second thread alive while the program prints its steps: until
 * threads are supported, a checkpoint must fail with one line and leave
 * the program running as if nothing happened. */
#include <pthread.h>
#include "step.h"

static volatile int stop;
static volatile unsigned long ticks;

static void *worker(void *arg)
{
	(void)arg;
	while (!stop) {
		ticks++;
		step_pause(5);
	}
	return 0;
}

int main(void)
{
	pthread_t t;

	if (pthread_create(&t, 0, worker, 0))
		return 1;
	for (int i = 0; i < 30; i++) {
		STEP(i, "main step, worker alive %d", ticks > 0 || i == 0);
		step_pause(40);
	}
	stop = 1;
	pthread_join(t, 0);
	STEP(30, "joined");
	return 0;
}
