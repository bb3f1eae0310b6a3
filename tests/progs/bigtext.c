/* A program as large as Debian's node, non-PIE: linked from 0x4e00000
 * (-Wl,-Ttext-segment) with 8 MiB of read-only data, so that its own
 * mappings cover myrestart's range 0x5000000-0x5400000.  Counts like
 * counter.c, reading its big table as it goes.  bigtext [STEPS [MS]] */
#include <stdlib.h>
#include "step.h"

#define BIG (8 << 20)
static const unsigned char table[BIG] = { [0] = 1, [BIG / 2] = 2, [BIG - 1] = 3 };

int main(int argc, char **argv)
{
	unsigned long h = 1469598103934665603ul;
	int steps = argc > 1 ? atoi(argv[1]) : 60, ms = argc > 2 ? atoi(argv[2]) : 40;
	for (int i = 0; i < steps; i++) {
		h = (h ^ i ^ table[(unsigned)(i * 104729) % BIG] ^ table[BIG / 2]) * 1099511628211ul;
		STEP(i, "%016lx", h);
		step_pause(ms);
	}
	return 0;
}
