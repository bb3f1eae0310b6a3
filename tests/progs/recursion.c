/* Deep recursion: the checkpoint lands while 40000 frames (some 5 MiB of stack) are live. */
#include "step.h"

static volatile int hold = 30;

static unsigned long down(int depth, unsigned long acc)
{
	volatile char pad[64];
	pad[depth & 63] = (char)depth;
	if (depth == 0) {
		for (int i = 0; i < hold; i++) {
			STEP(i + 1, "at the bottom, acc %lu", acc);
			step_pause(40);
		}
		return acc;
	}
	return down(depth - 1, acc * 3 + depth) + pad[depth & 63];
}

int main(void)
{
	STEP(0, "descending");
	unsigned long r = down(40000, 1);
	STEP(hold + 1, "result %lu", r);
	return 0;
}
