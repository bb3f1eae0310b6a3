/* Heap: many malloc'd blocks of assorted sizes, one large mmap, realloc
 * and free while the checkpoint happens; each step checks every byte. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "step.h"

#define NB 2000
static unsigned char *blk[NB];
static size_t len[NB];

static unsigned long sum(void)
{
	unsigned long s = 0;
	for (int i = 0; i < NB; i++)
		for (size_t k = 0; k < len[i]; k += 7)
			s = s * 31 + blk[i][k];
	return s;
}

int main(void)
{
	size_t big = 64ul << 20;
	unsigned char *m = mmap(0, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 1;
	for (size_t k = 0; k < big; k += 4096)
		m[k] = (unsigned char)(k >> 12);
	for (int i = 0; i < NB; i++) {
		len[i] = 16 + (i * 7919) % 5000;
		blk[i] = malloc(len[i]);
		memset(blk[i], i & 0xff, len[i]);
	}
	for (int s = 0; s < 40; s++) {
		for (int i = s; i < NB; i += 40) {
			free(blk[i]);
			len[i] = 32 + (i * s * 31) % 9000;
			blk[i] = malloc(len[i]);
			memset(blk[i], (i + s) & 0xff, len[i]);
		}
		blk[s] = realloc(blk[s], len[s] + 100000);
		memset(blk[s] + len[s], s, 100000);
		len[s] += 100000;
		unsigned long ms = 0;
		for (size_t k = 0; k < big; k += 4096)
			ms += m[k];
		STEP(s, "heap %016lx mmap %lu", sum(), ms);
		step_pause(30);
	}
	return 0;
}
