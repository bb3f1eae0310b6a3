/* A job that keeps its working file in node-local scratch (the Slurm
 * tests): numbered lines on stdout, each step also appended to work.log
 * in the working directory (the job's scratch), open all along; at the
 * end the file is read back and its line count and hash printed, so a
 * restart that found the file as it was after the checkpoint (with the
 * steps the killed run wrote since) or not at all shows in the output.
 *   scratchlog [STEPS [MS_BETWEEN]] */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "step.h"

int main(int argc, char **argv)
{
	unsigned long h = 1469598103934665603ul;
	int steps = argc > 1 ? atoi(argv[1]) : 60, ms = argc > 2 ? atoi(argv[2]) : 40, lines = 0;
	char buf[4096];
	long n;
	int fd = open("work.log", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);

	if (fd < 0)
		return 1;
	for (int i = 0; i < steps; i++) {
		h = (h ^ i) * 1099511628211ul;
		n = snprintf(buf, sizeof(buf), "step %04d %016lx\n", i, h);
		if (write(fd, buf, n) != n)
			return 1;
		STEP(i, "%016lx", h);
		step_pause(ms);
	}
	close(fd);
	h = 1469598103934665603ul;
	fd = open("work.log", O_RDONLY);
	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		for (long k = 0; k < n; k++) {
			h = (h ^ (unsigned char)buf[k]) * 1099511628211ul;
			lines += buf[k] == '\n';
		}
	STEP(steps, "work.log: %d lines, hash %016lx", lines, h);
	return 0;
}
