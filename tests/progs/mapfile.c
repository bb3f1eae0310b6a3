/* A file mapped privately (as programs map data files and locales): the
 * pages it writes are its own (copy-on-write), the others stay the
 * file's.  Prints a sum over the whole mapping at each step, after
 * writing one more page.  mapfile FILE [STEPS] */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "step.h"

int main(int argc, char **argv)
{
	int fd = argc > 1 ? open(argv[1], O_RDONLY) : -1, steps = argc > 2 ? atoi(argv[2]) : 40;
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || st.st_size < 4096 * 64)
		return 2;
	unsigned char *m = mmap(0, st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return 1;
	for (int i = 0; i < steps; i++) {
		unsigned long sum = 0;
		m[(i % 64) * 4096 + i] ^= 0x5a;         /* a page of its own from now on */
		for (off_t k = 0; k < st.st_size; k += 64)
			sum = sum * 31 + m[k] + m[k + 1];
		STEP(i, "%016lx", sum);
		step_pause(50);
	}
	return 0;
}
