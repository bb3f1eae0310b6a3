/* Dense memory: N MiB (default 1024), every byte written, checked at each
 * step after the restart.  dense [MIB [STEPS [MS_BETWEEN]]] (40, 100) */
#include <stdlib.h>
#include <string.h>
#include "step.h"

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], 0, 10) : 1024, n = mib << 20;
	int steps = argc > 2 ? atoi(argv[2]) : 40, ms = argc > 3 ? atoi(argv[3]) : 100;
	unsigned long *m = malloc(n);
	if (!m)
		return 1;
	for (size_t i = 0; i < n / 8; i++)
		m[i] = i * 0x9e3779b97f4a7c15ul;
	STEP(0, "filled %zu MiB", mib);
	for (int s = 1; s < steps; s++) {
		unsigned long h = 0;
		for (size_t i = s; i < n / 8; i += 509)
			h += m[i] ^ (h >> 3);
		m[s * 4096] += s;
		STEP(s, "%016lx", h);
		step_pause(ms);
	}
	return 0;
}
