/* A program that installs its own disposition for the checkpoint signal
 * takes it: the JVM, for one, suspends and resumes its threads with
 * SIGUSR2, and its handler crashes on a SIGUSR2 sent from outside.  The
 * program's use wins (the library never changes what a program's own
 * signal does), and what that means is said in one line, only when it is
 * true: the library exports sigaction and signal and follows the
 * disposition.
 *   - A program that never got the library's handler back from a call
 *     (the JVM, or signal()) cannot call it: the signal is the program's,
 *     checkpoints stop, said at once.
 *   - One that did may put it back or call it from its own: ruby sets its
 *     handler and puts the one it found back at once (nothing is said),
 *     php's handler calls the one it found.  Said at its next sigaction
 *     if its handler is still in place, then as a condition; and when the
 *     signal does come through the program's handler, that too.
 *   - Putting the library's handler back gives the signal back to
 *     checkpoints (said when a line said it was taken).
 * The same holds before the first checkpoint and after a restart (the
 * image keeps the program's disposition).  Not seen: raw rt_sigaction
 * system calls, sigset and bsd_signal. */
#include "libckpt.h"
#include "out.h"

struct libc_sigaction { void *handler; unsigned long mask[16]; int flags; void (*restorer)(void); };
typedef int (*sigaction_fn)(int, const struct libc_sigaction *, struct libc_sigaction *);
typedef void *(*signal_fn)(int, void *);

static struct {                  /* libc's, in ckpt_glibc_nexts()'s order */
	sigaction_fn sigaction;
	signal_fn signal;
} next;
static int taken;             /* the program set its own action for the checkpoint signal */
static int seen;              /* the program was handed the library's handler */
static int unsaid;            /* it set its own after that: not said yet */
static int said;              /* 1: a line said the signal is the program's; 2: chained */

void ckpt_sigclaim_init(const unsigned long *auxv)
{
	ckpt_glibc_nexts(auxv, &next, "sigaction\0signal\0");
}

static void say(const char *kind, const char *what)
{
	struct out o = { .len = 0 };
	outf(&o, "libckpt: %ssignal %u, the checkpoint signal, %s\n", kind, (__u64)ckpt_cfg->sig, what);
	out_flush(&o, 2);
}
#define AVOID " (CKPT_SIGNAL chooses a signal the program leaves alone)"

/* The library's handler for sig: the checkpoint signal's disposition,
 * here with the program's claims on it */
int ckpt_install_handler(int sig)
{
	struct k_sigaction act = {
		.handler = (void (*)(int, void *, void *))arch_signal_entry,
		.flags = K_SA_SIGINFO | ARCH_SA_RESTORER | K_SA_RESTART,
		.restorer = arch_sigreturn,
		.mask = ~0ul,  /* nothing of the program runs while we save */
	};
	return k_sigaction(sig, &act, 0);
}

/* the checkpoint signal is the program's now: a checkpoint would run
 * its action, not the library's */
int ckpt_sigclaim_taken(void)
{
	return taken;
}

/* a claim made by a program that could call the library's handler,
 * still in force at its next call for another signal (ruby's next one
 * for this signal puts the library's back) */
static void settle(void)
{
	if (!unsaid)
		return;
	unsaid = 0;
	said = 1;
	say("warning: ", "has a handler of the program's: a checkpoint happens only if that handler "
	    "calls the library's" AVOID);
}

/* the program sets handler as the disposition of sig */
static void claimed(int sig, const void *handler)
{
	int mine = handler == (const void *)arch_signal_entry;

	if (!ckpt_rt.enabled || sig != ckpt_cfg->sig || taken == !mine)
		return;
	taken = !mine;
	unsaid = !mine && seen;
	if (mine && said)
		say("", "is the library's again: checkpoints go on");
	said = !mine && !seen;
	if (said)
		say("warning: ", "is taken by the program's own handler: checkpoints stop" AVOID);
}

/* the checkpoint signal came through the program's handler, which called
 * the library's (php's does) */
void ckpt_sigclaim_chained(void)
{
	if (!taken || said == 2)
		return;
	unsaid = 0;
	said = 2;
	say("", "came through the program's handler, which passes it on: checkpoints go on");
}

int wrap_sigaction(int sig, const struct libc_sigaction *act, struct libc_sigaction *old) EXPORT(sigaction);
void *wrap_signal(int sig, void *handler) EXPORT(signal);

int wrap_sigaction(int sig, const struct libc_sigaction *act, struct libc_sigaction *old)
{
	if (!next.sigaction)
		return -1;
	if (sig != ckpt_cfg->sig)
		settle();
	seen |= old && sig == ckpt_cfg->sig && !taken;
	if (act)
		claimed(sig, act->handler);
	/* the library's handler put back (ruby's way): with its own flags and
	 * mask, not those the program passed (ruby's let every signal run
	 * the program's handlers in the middle of a pause) */
	if (act && sig == ckpt_cfg->sig && act->handler == (void *)arch_signal_entry && ckpt_rt.enabled) {
		int r = old ? next.sigaction(sig, 0, old) : 0;
		return r ? r : (int)ckpt_install_handler(sig);
	}
	return next.sigaction(sig, act, old);
}

void *wrap_signal(int sig, void *handler)
{
	if (!next.signal)
		return (void *)-1l;   /* SIG_ERR */
	if (sig != ckpt_cfg->sig)
		settle();
	claimed(sig, handler);
	return next.signal(sig, handler);
}
