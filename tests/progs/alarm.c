/* A periodic ITIMER_REAL whose SIGALRM is blocked most of the time: a
 * checkpoint then finds the signal pending and the timer idle (the kernel
 * re-arms it only when the signal is taken), and getitimer() reads 0.
 * After a restart the timer must still tick at every step. */
#include <signal.h>
#include <sys/time.h>
#include "step.h"

static volatile sig_atomic_t ticks;
static void on_alrm(int s) { (void)s; ticks++; }

int main(void)
{
	struct itimerval it = { { 0, 2000 }, { 0, 2000 } };    /* pending 2 ms into a step */
	sigset_t alrm;
	int last = 0;

	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	signal(SIGALRM, on_alrm);
	setitimer(ITIMER_REAL, &it, 0);
	for (int i = 0; i < 40; i++) {
		sigprocmask(SIG_BLOCK, &alrm, 0);
		step_pause(60);               /* SIGALRM pending, the timer idle */
		sigprocmask(SIG_UNBLOCK, &alrm, 0);
		step_pause(1);
		STEP(i, "ticked %s", ticks > last ? "yes" : "no");
		last = ticks;
	}
	return 0;
}
