/* The program's own signal handlers (sigaction with SA_SIGINFO, and
 * signal()), its blocked mask and an alternate signal stack must all be
 * there after a restart: each step raises SIGUSR1 and SIGTERM. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "step.h"

static volatile sig_atomic_t usr1, term;
static char altstack[65536];

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	stack_t st;
	sigaltstack(0, &st);
	usr1 += sig + (si->si_code == SI_TKILL || si->si_code == SI_USER) + !!(st.ss_flags & SS_ONSTACK);
}
static void on_term(int sig) { term += sig; }

int main(void)
{
	struct sigaction sa;
	stack_t st = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	sigset_t blk;
	sigaltstack(&st, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigaction(SIGUSR1, &sa, 0);
	signal(SIGTERM, on_term);
	sigemptyset(&blk);
	sigaddset(&blk, SIGHUP);
	sigprocmask(SIG_BLOCK, &blk, 0);
	for (int i = 0; i < 50; i++) {
		raise(SIGUSR1);
		raise(SIGTERM);
		sigset_t cur;
		sigprocmask(SIG_BLOCK, 0, &cur);
		STEP(i, "usr1 %d term %d hup-blocked %d", (int)usr1, (int)term, sigismember(&cur, SIGHUP));
		step_pause(40);
	}
	return 0;
}
