/* A program that uses SIGUSR2 itself, as the JVM does (it suspends and
 * resumes threads with it): its handler counts the signals, and each
 * line says how many came.  Under libckpt.so with the default checkpoint
 * signal the library says once that the program took it, and a SIGUSR2
 * is the program's; with another CKPT_SIGNAL both work.
 *   ownsig [signal]: installed with signal() instead of sigaction()
 *   ownsig restore: sets its own and puts back the one it found (ruby)
 *   ownsig chain: its handler calls the one it found (php) */
#include <signal.h>
#include <string.h>
#include "step.h"

static volatile sig_atomic_t got;
static struct sigaction found;

static void on_usr2(int sig)
{
	(void)sig;
	got++;
}

static void chain(int sig, siginfo_t *si, void *uc)
{
	if (found.sa_flags & SA_SIGINFO)
		found.sa_sigaction(sig, si, uc);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "signal")) {
		signal(SIGUSR2, on_usr2);
	} else if (argc > 1) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = chain;
		sa.sa_flags = SA_SIGINFO | SA_RESTART;
		sigaction(SIGUSR2, &sa, &found);
		if (!strcmp(argv[1], "restore"))
			sigaction(SIGUSR2, &found, 0);
		signal(SIGINT, SIG_DFL);          /* the program's next call */
	} else {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_usr2;
		sa.sa_flags = SA_RESTART;
		sigaction(SIGUSR2, &sa, 0);
	}
	for (int i = 0; i < 60; i++) {
		STEP(i, "step");
		step_pause(50);
	}
	STEP(60, "SIGUSR2 handled %d times", (int)got);
	return 0;
}
