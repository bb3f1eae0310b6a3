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

static mask_fn next_pthread_sigmask, next_sigprocmask;
static suspend_fn next_sigsuspend;

/* The next definitions, looked up by the constructor.  Before then (a
 * library constructor that runs before ours), the system call itself. */
void ckpt_sigmask_init(const unsigned long *auxv)
{
	next_pthread_sigmask = (mask_fn)ckpt_glibc_next(auxv, "pthread_sigmask");
	next_sigprocmask = (mask_fn)ckpt_glibc_next(auxv, "sigprocmask");
	next_sigsuspend = (suspend_fn)ckpt_glibc_next(auxv, "sigsuspend");
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
	return mask(next_pthread_sigmask, how, set, old);
}

/* without libc's function, no errno: -1 alone */
int sigprocmask(int how, const struct libc_sigset *set, struct libc_sigset *old)
{
	int r = mask(next_sigprocmask, how, set, old);
	return next_sigprocmask || !r ? r : -1;
}

int sigsuspend(const struct libc_sigset *set)
{
	struct libc_sigset copy;

	set = opened(set, &copy);
	if (next_sigsuspend)
		return next_sigsuspend(set);
	k_sigsuspend(set->w);
	return -1;
}
