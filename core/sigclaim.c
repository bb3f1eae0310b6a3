/* A program that installs its own disposition for the checkpoint signal
 * takes it: the JVM, for one, suspends and resumes its threads with
 * SIGUSR2, and its handler crashes on a SIGUSR2 sent from outside.  The
 * program's use wins (the library never changes what a program's own
 * signal does), but it is said at once, in one line that names the way
 * out, instead of letting a later `kill -USR2` kill the program: the
 * library exports sigaction and signal, notes the takeover and goes on
 * to libc's own.  Putting the library's handler back (a program that
 * restores the action it found) gives the signal back to checkpoints.
 * Not seen: raw rt_sigaction system calls, sigset and bsd_signal. */
#include "libckpt.h"
#include "out.h"

struct libc_sigaction { void *handler; unsigned long mask[16]; int flags; void (*restorer)(void); };
typedef int (*sigaction_fn)(int, const struct libc_sigaction *, struct libc_sigaction *);
typedef void *(*signal_fn)(int, void *);

static sigaction_fn next_sigaction;
static signal_fn next_signal;

void ckpt_sigclaim_init(const unsigned long *auxv)
{
	next_sigaction = (sigaction_fn)ckpt_glibc_next(auxv, "sigaction");
	next_signal = (signal_fn)ckpt_glibc_next(auxv, "signal");
}

/* the program sets handler as the disposition of sig */
static void claimed(int sig, const void *handler)
{
	int mine = handler == (const void *)arch_signal_entry;

	if (!ckpt_rt.enabled || sig != ckpt_cfg->sig || ckpt_rt.sig_taken == !mine)
		return;
	ckpt_rt.sig_taken = !mine;
	if (!mine) {
		struct out o = { .len = 0 };
		out_str(&o, "libckpt: warning: the program sets its own action for signal ");
		out_u64(&o, sig);
		out_str(&o, ", the checkpoint signal: it now does what the program says, not a "
			"checkpoint (CKPT_SIGNAL chooses a signal the program leaves alone)\n");
		out_flush(&o, 2);
	}
}

#define EXPORT(name) __attribute__((visibility("default"))) __asm__(#name)
int ckpt_sigaction(int sig, const struct libc_sigaction *act, struct libc_sigaction *old) EXPORT(sigaction);
void *ckpt_signal(int sig, void *handler) EXPORT(signal);

int ckpt_sigaction(int sig, const struct libc_sigaction *act, struct libc_sigaction *old)
{
	if (!next_sigaction)
		return -1;
	if (act)
		claimed(sig, act->handler);
	return next_sigaction(sig, act, old);
}

void *ckpt_signal(int sig, void *handler)
{
	if (!next_signal)
		return (void *)-1l;   /* SIG_ERR */
	claimed(sig, handler);
	return next_signal(sig, handler);
}
