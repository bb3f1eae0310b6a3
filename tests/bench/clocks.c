/* make bench: ns per clock_gettime() call for CLOCK_MONOTONIC (vdso),
 * CLOCK_PROCESS_CPUTIME_ID and CLOCK_THREAD_CPUTIME_ID (system calls),
 * the best of five loops each.  bench.py runs it without the library and
 * under it; under it, the program then checkpoints itself, and the
 * restarted process (whose CPU clocks the library shifts) measures again
 * and ends.  Lines: "<when> <clock> <ns per call>". */
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include "ckpt.h"

static double ns_per_call(clockid_t id, long n)
{
	struct timespec t0, t1, ts;
	double best = 1e30;

	for (int run = 0; run < 5; run++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < n; i++)
			clock_gettime(id, &ts);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n;
		if (ns < best)
			best = ns;
	}
	return best;
}

static void measure(const char *when)
{
	printf("%s monotonic %.2f\n", when, ns_per_call(CLOCK_MONOTONIC, 2000000));
	printf("%s process %.2f\n", when, ns_per_call(CLOCK_PROCESS_CPUTIME_ID, 200000));
	printf("%s thread %.2f\n", when, ns_per_call(CLOCK_THREAD_CPUTIME_ID, 200000));
	fflush(stdout);
}

int main(void)
{
	int r;

	measure(ckpt_enabled() ? "library" : "without");
	if (!ckpt_enabled())
		return 0;
	r = ckpt_checkpoint();
	if (r < 0) {
		perror("ckpt_checkpoint");
		return 1;
	}
	if (r == 0) {
		puts("checkpointed");
		fflush(stdout);
		for (;;)
			pause();             /* bench.py kills it and restarts the image */
	}
	measure("restarted");
	return 0;
}
