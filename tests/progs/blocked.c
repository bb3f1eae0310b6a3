/* Threads blocked in system calls at the checkpoint: one in read() on
 * standard input (fed again after the restart), one in nanosleep(); the
 * main thread prints what the reader got and joins both. */
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "step.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char lines[16][64];
static int nlines, done, slept;

static void *reader(void *arg)
{
	char buf[64], c;
	int len = 0;
	(void)arg;
	while (read(0, &c, 1) == 1) {           /* a byte at a time */
		if (c != '\n' && len < 63) {
			buf[len++] = c;
			continue;
		}
		buf[len] = 0;
		len = 0;
		pthread_mutex_lock(&mu);
		if (nlines < 16)
			strcpy(lines[nlines++], buf);
		pthread_mutex_unlock(&mu);
	}
	pthread_mutex_lock(&mu);
	done = 1;
	pthread_mutex_unlock(&mu);
	return 0;
}

static void *sleeper(void *arg)
{
	struct timespec ts = { 1, 500000000 };
	(void)arg;
	while (nanosleep(&ts, &ts))
		;                                /* interrupted: the rest */
	__atomic_store_n(&slept, 1, __ATOMIC_RELEASE);
	return 0;
}

int main(void)
{
	pthread_t r, s;
	int shown = 0, n = 0;

	pthread_create(&r, 0, reader, 0);
	pthread_create(&s, 0, sleeper, 0);
	for (;;) {
		pthread_mutex_lock(&mu);
		while (shown < nlines) {
			STEP(n, "got %s", lines[shown]);
			n++, shown++;
		}
		int end = done;
		pthread_mutex_unlock(&mu);
		if (end)
			break;
		step_pause(10);
	}
	pthread_join(r, 0);
	pthread_join(s, 0);
	STEP(n, "eof, slept %d", slept);
	return 0;
}
