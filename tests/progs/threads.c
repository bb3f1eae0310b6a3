/* A second thread alive while the program prints its steps.  With
 * "block", the worker blocks the checkpoint signal (SIGUSR2) with a raw
 * system call (libckpt.so keeps it open in libc's mask calls): the
 * checkpoint must then fail with one line naming it, and the program go
 * on as if nothing happened.  With "vfork", the worker waits 3 s for a
 * vfork()ed child (a wait no signal handler interrupts): a checkpoint in
 * that time fails once CKPT_THREAD_TIMEOUT passes.  With "raise", the
 * worker checkpoints the program itself, raise(SIGUSR2), after 20 ticks
 * (under the library only). */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "step.h"

static volatile int stop, block, vforks, raises;
static volatile unsigned long ticks;

static void *worker(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "worker");
	if (block) {
		unsigned long set = 1ul << (SIGUSR2 - 1);
		syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, 0, 8);
	}
	if (vforks && vfork() == 0) {
		struct timespec ts = { 3, 0 };
		nanosleep(&ts, 0);
		_exit(0);
	}
	while (!stop) {
		if (++ticks == 20 && raises && getenv("LD_PRELOAD"))
			raise(SIGUSR2);
		step_pause(5);
	}
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t t;

	block = argc > 1 && !strcmp(argv[1], "block");
	vforks = argc > 1 && !strcmp(argv[1], "vfork");
	raises = argc > 1 && !strcmp(argv[1], "raise");
	if (pthread_create(&t, 0, worker, 0))
		return 1;
	for (int i = 0; i < 30; i++) {
		STEP(i, "main step, worker alive %d", ticks > 0 || i == 0 || vforks);
		step_pause(40);
	}
	stop = 1;
	pthread_join(t, 0);
	STEP(30, "joined");
	return 0;
}
