/* Shared by the test programs: numbered output lines, flushed one by one,
 * so the harness can splice the output of a killed process with that of
 * its restarted self, and a short pause between steps so that a
 * checkpoint lands in the middle of the work. */
#include <stdio.h>
#include <time.h>

static void step_pause(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts))
		;
}

#define STEP(n, ...) do { printf("%04d ", (int)(n)); printf(__VA_ARGS__); \
	printf("\n"); fflush(stdout); } while (0)
