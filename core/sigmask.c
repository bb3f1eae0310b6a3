/* The checkpoint signal stays deliverable in every thread.  Programs
 * block "all signals" in their worker threads (xz, zstd's pool, libuv:
 * a signal then reaches the main thread only), and a thread that blocks
 * the checkpoint signal would fail every checkpoint.  So the library
 * exports the mask calls a program makes through libc and takes the
 * checkpoint signal out of each set that would block it; the call then
 * goes on to libc's own function (the next definition after ours, as
 * dlsym(RTLD_NEXT) finds it), which keeps libc's rules and its errno.
 * A program that checks its mask sees the checkpoint signal open.
 *
 * Wrapped: pthread_sigmask, sigprocmask and sigsuspend.  Not wrapped:
 * raw rt_sigprocmask system calls, the masks given to ppoll, pselect,
 * epoll_pwait and signalfd's waits, and handlers' sa_mask (blocked only
 * while the handler runs).  A thread that keeps the signal blocked that
 * way fails the checkpoint with one line naming it (threads.c). */
#include "libckpt.h"

struct libc_sigset { unsigned long w[1024 / 64]; };   /* glibc's sigset_t */
typedef int (*mask_fn)(int, const struct libc_sigset *, struct libc_sigset *);
typedef int (*suspend_fn)(const struct libc_sigset *);

static struct {                  /* libc's, in ckpt_glibc_nexts()'s order */
	mask_fn pthread_sigmask, sigprocmask;
	suspend_fn sigsuspend;
} next;

/* The next definitions, looked up by the constructor.  Before then (a
 * library constructor that runs before ours), the system call itself. */
void ckpt_sigmask_init(const unsigned long *auxv)
{
	ckpt_glibc_nexts(auxv, &next, "pthread_sigmask\0sigprocmask\0sigsuspend\0");
}

/* set, or a copy of it without the checkpoint signal */
static const struct libc_sigset *opened(const struct libc_sigset *set, struct libc_sigset *copy)
{
	unsigned long bit;

	if (!set || !ckpt_rt.enabled)
		return set;
	bit = 1ul << (ckpt_cfg->sig - 1);
	if (!(set->w[0] & bit))
		return set;
	*copy = *set;
	copy->w[0] &= ~bit;
	return copy;
}

static int mask(mask_fn next, int how, const struct libc_sigset *set, struct libc_sigset *old)
{
	struct libc_sigset copy;

	if (how != SIG_UNBLOCK)
		set = opened(set, &copy);
	if (next)
		return next(how, set, old);
	return -k_sigprocmask(how, set ? set->w : 0, old ? old->w : 0);
}

int pthread_sigmask(int how, const struct libc_sigset *set, struct libc_sigset *old) EXPORT(pthread_sigmask);
int sigprocmask(int how, const struct libc_sigset *set, struct libc_sigset *old) EXPORT(sigprocmask);
int sigsuspend(const struct libc_sigset *set) EXPORT(sigsuspend);

int pthread_sigmask(int how, const struct libc_sigset *set, struct libc_sigset *old)
{
	return mask(next.pthread_sigmask, how, set, old);
}

/* without libc's function, no errno: -1 alone */
int sigprocmask(int how, const struct libc_sigset *set, struct libc_sigset *old)
{
	int r = mask(next.sigprocmask, how, set, old);
	return next.sigprocmask || !r ? r : -1;
}

int sigsuspend(const struct libc_sigset *set)
{
	struct libc_sigset copy;

	set = opened(set, &copy);
	if (next.sigsuspend)
		return next.sigsuspend(set);
	k_sigsuspend(set->w);
	return -1;
}
