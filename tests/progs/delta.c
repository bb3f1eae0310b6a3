/* Memory that changes a little between checkpoints, in every way the
 * tracking of incremental images must see: pages written (1 in 64), a
 * block dropped with MADV_DONTNEED (reads as zero after), a block moved
 * by mremap, a mapping replaced by a new one at the same place, the
 * heap grown, a stack deeper, a sparse mapping touched here and there;
 * each step prints a checksum of all of it.
 * delta [MIB [STEPS [MS_BETWEEN]]] (16, 60, 100) */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "step.h"

#define PG 4096ul

static unsigned long sum(const unsigned char *p, size_t n)
{
	unsigned long h = 1469598103934665603ul;
	for (size_t i = 0; i < n; i += 64)
		h = (h ^ p[i] ^ p[i + 63]) * 1099511628211ul;
	return h;
}

static unsigned long deep(int d, unsigned char *m, size_t n)
{
	volatile unsigned char pad[8192];
	pad[0] = pad[8191] = (unsigned char)d;
	if (d)
		return deep(d - 1, m, n) + pad[0];
	return sum(m, n) + pad[8191];
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], 0, 10) : 16, n = mib << 20;
	int steps = argc > 2 ? atoi(argv[2]) : 60, ms = argc > 3 ? atoi(argv[3]) : 100;
	unsigned char *m = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *mv = mmap(0, 64 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *re = mmap(0, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *sp = mmap(0, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	unsigned char *heap = 0;
	size_t heap_n = 0;

	if (m == MAP_FAILED || mv == MAP_FAILED || re == MAP_FAILED || sp == MAP_FAILED)
		return 1;
	for (size_t i = 0; i < n; i++)
		m[i] = (unsigned char)(i * 131 + (i >> 12));
	memset(mv, 7, 64 * PG);
	memset(re, 9, 16 * PG);
	STEP(0, "filled %zu MiB", mib);
	for (int s = 1; s < steps; s++) {
		unsigned long h;
		for (size_t p = s % 64; p < n / PG; p += 64)
			m[p * PG + s % PG] += (unsigned char)s;
		if (s % 5 == 0)      /* dropped: zero from now on */
			madvise(m + (s * 37 % (n / PG - 8)) * PG, 8 * PG, MADV_DONTNEED);
		if (s % 7 == 0) {    /* moved: the same bytes somewhere else */
			unsigned char *to = mmap(0, 64 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			mv = mremap(mv, 64 * PG, 64 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, to);
			mv[s] ^= 1;
		}
		if (s % 9 == 0) {    /* replaced in place by a new mapping */
			mmap(re, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			memset(re + PG, s, PG);
		}
		sp[(s * 977 % 16384) * PG + s] = (unsigned char)s;    /* sparse: a page touched */
		if (s % 3 == 0)      /* and one given back */
			madvise(sp + ((s - 3) * 977 % 16384) * PG, PG, MADV_DONTNEED);
		if (s % 4 == 0) {    /* the heap grows */
			heap = realloc(heap, heap_n + 3 * PG);
			memset(heap + heap_n, s, 3 * PG);
			heap_n += 3 * PG;
		}
		h = deep(s % 6, m, n) ^ sum(mv, 64 * PG) ^ (sum(re, 16 * PG) << 1) ^ (heap_n ? sum(heap, heap_n) << 2 : 0) ^
		    (sum(sp, 64 << 20) << 3);
		STEP(s, "%016lx", h);
		step_pause(ms);
	}
	return 0;
}
