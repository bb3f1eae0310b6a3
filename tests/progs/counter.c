/* A counter with a little state: the PIE/non-PIE and multi-cycle test. */
#include "step.h"

int main(void)
{
	unsigned long h = 1469598103934665603ul;
	for (int i = 0; i < 60; i++) {
		h = (h ^ i) * 1099511628211ul;
		STEP(i, "%016lx", h);
		step_pause(40);
	}
	return 0;
}
