/* A program that makes its own standard output (as dd of=FILE does): fd 1
 * is a file it opened, not what it was started with, so a restart must
 * give it that file back at its offset, not myrestart's stdout. */
#include <fcntl.h>
#include <unistd.h>
#include "step.h"

int main(int argc, char **argv)
{
	int fd;

	if (argc < 2 || (fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		return 2;
	if (dup2(fd, 1) != 1)
		return 1;
	close(fd);
	for (int i = 0; i < 40; i++) {
		STEP(i, "written to the program's own stdout");
		step_pause(40);
	}
	return 0;
}
