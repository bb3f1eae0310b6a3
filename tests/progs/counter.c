/* A counter with a little state: the PIE/non-PIE, multi-cycle and
 * endurance tests.  counter [STEPS [MS_BETWEEN]] */
#include <stdlib.h>
#include "step.h"

int main(int argc, char **argv)
{
	unsigned long h = 1469598103934665603ul;
	int steps = argc > 1 ? atoi(argv[1]) : 60, ms = argc > 2 ? atoi(argv[2]) : 40;
	for (int i = 0; i < steps; i++) {
		h = (h ^ i) * 1099511628211ul;
		STEP(i, "%016lx", h);
		step_pause(ms);
	}
	return 0;
}
