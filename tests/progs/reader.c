/* Blocked in read() on stdin when the checkpoint arrives: after the resume
 * the read goes on (SA_RESTART), and after a restart it reads the
 * restarter's stdin. */
#include <unistd.h>
#include "step.h"

int main(void)
{
	char buf[256];
	int n = 0;
	size_t len = 0;
	char c;
	/* a byte at a time: a line is the same line whatever the pipe does */
	while (read(0, &c, 1) == 1) {
		if (c != '\n' && len < sizeof(buf) - 1) {
			buf[len++] = c;
			continue;
		}
		buf[len] = 0;
		len = 0;
		STEP(n, "got %s", buf);
		n++;
	}
	STEP(n, "eof");
	return 0;
}
