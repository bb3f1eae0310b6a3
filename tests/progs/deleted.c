/* A file the program created, filled and deleted while keeping it open
 * (a scratch file): after a restart the descriptor still reads the same
 * contents from the same offset, and writes to it still work. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "step.h"

int main(int argc, char **argv)
{
	char name[] = "scratch-XXXXXX", buf[16];
	int fd = mkstemp(name);
	(void)argc, (void)argv;
	if (fd < 0)
		return 1;
	for (int i = 0; i < 5000; i++)
		dprintf(fd, "%07d\n", i * 7);
	unlink(name);
	lseek(fd, 0, SEEK_SET);
	for (int i = 0; i < 40; i++) {
		if (read(fd, buf, 8) != 8)
			return 1;
		buf[7] = 0;
		off_t here = lseek(fd, 0, SEEK_CUR);
		pwrite(fd, "X", 1, 39000 + i);     /* beyond what was read */
		char x[2] = { 0 };
		pread(fd, x, 1, 39000 + i);
		STEP(i, "read %s at %ld wrote %s", buf, (long)here, x);
		step_pause(40);
	}
	return 0;
}
