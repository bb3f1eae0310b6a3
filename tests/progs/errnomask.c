/* errno and the blocked signal mask of the interrupted code survive the
 * checkpoint (the handler runs between two instructions of a busy loop
 * that makes no system call). */
#include <errno.h>
#include <signal.h>
#include "step.h"

int main(void)
{
	sigset_t s, cur;
	sigemptyset(&s);
	sigaddset(&s, SIGHUP);
	sigaddset(&s, SIGWINCH);
	sigprocmask(SIG_BLOCK, &s, 0);
	for (int i = 0; i < 40; i++) {
		errno = 1000 + i;
		for (volatile long k = 0; k < 20000000; k++)
			;
		int e = errno;
		sigprocmask(SIG_BLOCK, 0, &cur);
		STEP(i, "errno %d hup %d winch %d usr2 %d", e, sigismember(&cur, SIGHUP),
		     sigismember(&cur, SIGWINCH), sigismember(&cur, SIGUSR2));
	}
	return 0;
}
