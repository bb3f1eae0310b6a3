/* The process id a program remembers stays its own across a restart:
 * getpid() answers the pid it started with, the main thread's gettid()
 * equals it, and kill(getpid(), sig) reaches the process itself. */
#define _GNU_SOURCE
#include <signal.h>
#include <unistd.h>
#include "step.h"

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	(void)sig;
	got++;
}

int main(void)
{
	pid_t first = getpid();
	signal(SIGUSR1, on_usr1);
	for (int i = 0; i < 40; i++) {
		int sent = kill(getpid(), SIGUSR1) == 0;
		STEP(i, "same pid %d, main tid %d, kill %d, handled %d", getpid() == first,
		     gettid() == getpid(), sent, (int)got == i + 1);
		step_pause(50);
	}
	return 0;
}
