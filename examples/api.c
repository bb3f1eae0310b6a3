/* Using the program API: a computation that checkpoints itself every ten
 * steps and reacts to being restarted.  Runs with or without libckpt.so:
 *   cc -Iinclude -o api examples/api.c
 *   LD_PRELOAD=$PWD/libckpt.so ./api      (then: ./myrestart myckpt) */
#include <stdio.h>
#include <unistd.h>
#include "ckpt.h"

static int restarts;

static void on_pre(void *arg) { fflush((FILE *)arg); }
static void on_restart(void *arg) { (void)arg; restarts++; }

int main(void)
{
	unsigned long x = 1;

	printf("0000 enabled %d\n", ckpt_enabled());
	if (ckpt_enabled() && (ckpt_on(CKPT_PRE_CHECKPOINT, on_pre, stdout) || ckpt_on(CKPT_RESTART, on_restart, 0)))
		perror("0000 ckpt_on");
	for (int i = 1; i <= 40; i++) {
		x = x * 6364136223846793005ul + 1442695040888963407ul;
		if (i % 10 == 0) {
			int r = ckpt_checkpoint();
			printf("%04d checkpoint -> %s\n", i, r == 0 ? "taken" : r == 1 ? "restarted" : "unavailable");
		}
		printf("%04d x %016lx restarts %d\n", i, x, restarts);
		fflush(stdout);
		usleep(30000);
	}
	return 0;
}
