/* A regular file read line by line: half of it before the checkpoint,
 * the rest after the restart, from the restored offset.  Also an output
 * file opened with O_APPEND. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "step.h"

int main(int argc, char **argv)
{
	char line[128];
	int n = 0, c;
	if (argc < 2)
		return 2;
	FILE *f = fopen(argv[1], "r");
	int raw = open(argv[1], O_RDONLY);
	if (!f || raw < 0)
		return 1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		char rb[8] = { 0 };
		/* the raw fd's offset moves too; read() after restart must go on */
		c = (int)read(raw, rb, 7);
		for (int k = 0; k < 7; k++)
			if (rb[k] == '\n')
				rb[k] = '~';
		STEP(n, "%s | raw %d [%s] at %ld", line, c, rb, (long)lseek(raw, 0, SEEK_CUR));
		n++;
		step_pause(25);
	}
	return 0;
}
