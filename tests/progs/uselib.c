/* Uses libstep.so (tests/progs/libstep.c) at every step. */
#include "step.h"

int step_value(int i);

int main(void)
{
	for (int i = 0; i < 40; i++) {
		STEP(i, "%d", step_value(i));
		step_pause(50);
	}
	return 0;
}
