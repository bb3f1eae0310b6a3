/* What the kernel keeps for a process beyond memory, fds and signals:
 * nice, personality, scheduling policy, no_new_privs, child subreaper,
 * parent-death signal, dumpable and timer slack, set to values other
 * than the defaults; each step prints them all (the restarted process
 * must print the same).  attrs mlock: a page locked too, which the
 * checkpoint and the restart say is not locked again. */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include "step.h"

static char page[4096] __attribute__((aligned(4096)));

int main(int argc, char **argv)
{
	struct sched_param sp = { 0 };
	int sub = 0, death = 0;

	setpriority(PRIO_PROCESS, 0, 7);
	personality(ADDR_NO_RANDOMIZE);
	sched_setscheduler(0, SCHED_BATCH, &sp);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_TIMERSLACK, 123456, 0, 0, 0);
	if (argc > 1 && !strcmp(argv[1], "mlock"))
		mlock(page, sizeof(page));
	for (int i = 0; i < 30; i++) {
		prctl(PR_GET_CHILD_SUBREAPER, &sub, 0, 0, 0);
		prctl(PR_GET_PDEATHSIG, &death, 0, 0, 0);
		STEP(i, "nice %d personality %#x policy %d nnp %d subreaper %d pdeathsig %d dumpable %d slack %d",
		     getpriority(PRIO_PROCESS, 0), personality(0xffffffff), sched_getscheduler(0),
		     prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), sub, death, prctl(PR_GET_DUMPABLE, 0, 0, 0, 0),
		     prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
		step_pause(60);
	}
	return 0;
}
