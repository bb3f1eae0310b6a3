/* Anonymous memory must stay anonymous after a restart: grown with
 * mremap (glibc's realloc of a large block does that), the new part reads
 * as zeros; after MADV_DONTNEED (allocators return memory so), a page
 * reads as zeros again.  Memory mapped from the image file instead would
 * show the image's bytes there, or SIGBUS past its end. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include "step.h"

#define SZ (64 << 10)

static int all_zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

int main(void)
{
	char *p = mmap(0, SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 1;
	memset(p, 'x', SZ);
	for (int i = 0; i < 40; i++) {
		char *q = mremap(p, SZ, 2 * SZ, MREMAP_MAYMOVE);
		if (q == MAP_FAILED)
			return 1;
		int grown_zero = all_zero(q + SZ, SZ);
		memset(q + SZ, 'y', SZ);
		p = mremap(q, 2 * SZ, SZ, MREMAP_MAYMOVE);
		madvise(p + 4096, 4096, MADV_DONTNEED);
		int dropped_zero = all_zero(p + 4096, 4096);
		memset(p + 4096, 'x', 4096);
		p[i] = (char)i;
		STEP(i, "grown part zero %d, dropped page zero %d", grown_zero, dropped_zero);
		step_pause(40);
	}
	return 0;
}
