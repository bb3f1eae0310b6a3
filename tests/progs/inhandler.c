/* The checkpoint arrives while the program is inside its own signal
 * handler (which spends nearly all the time there): after the restart,
 * both signal frames unwind in order. */
#include <signal.h>
#include "step.h"

static volatile long spins;
static volatile sig_atomic_t depth, maxdepth;

static void on_usr1(int s)
{
	(void)s;
	depth++;
	if (depth > maxdepth)
		maxdepth = depth;
	for (volatile long k = 0; k < 15000000; k++)
		spins++;
	depth--;
}

int main(void)
{
	signal(SIGUSR1, on_usr1);
	for (int i = 0; i < 40; i++) {
		raise(SIGUSR1);
		STEP(i, "spins %ld depth %d max %d", spins, (int)depth, (int)maxdepth);
	}
	return 0;
}
