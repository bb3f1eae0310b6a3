/* Reads a file with one read() per byte, as fast as it can (no stdio
 * buffering on input), and mirrors every byte into a deleted scratch file
 * whose checksum each output line shows.  Both the input offset and the
 * scratch contents move on while the writer works: an image must hold
 * them as they were at the checkpoint. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "step.h"

#define SCRATCH 8192

int main(int argc, char **argv)
{
	char name[] = "scratch-XXXXXX", line[256], c, s[SCRATCH];
	unsigned long pos = 0;
	int n = 0, len = 0, in, tmp;

	if (argc < 2)
		return 2;
	in = open(argv[1], O_RDONLY);
	tmp = mkstemp(name);
	if (in < 0 || tmp < 0)
		return 1;
	unlink(name);
	while (read(in, &c, 1) == 1) {
		pwrite(tmp, &c, 1, pos++ % SCRATCH);
		if (c != '\n') {
			if (len < (int)sizeof(line) - 1)
				line[len++] = c;
			continue;
		}
		line[len] = 0;
		len = 0;
		unsigned long h = 0;
		ssize_t got = pread(tmp, s, SCRATCH, 0);
		for (ssize_t k = 0; k < got; k++)
			h = h * 131 + (unsigned char)s[k];
		STEP(n, "%s | %lu", line, h);
		n++;
	}
	return 0;
}
