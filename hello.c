/* The seed assignment's test program: one '.' a second, forever. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	for (;;) {
		printf(".");
		fflush(stdout);
		sleep(1);
	}
}
