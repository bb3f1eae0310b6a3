/* ckpt.h: the program API of libckpt.so.
 *
 * A program built with this header runs normally without the library: the
 * functions are weak references, and the macros below check for them, so
 * without libckpt.so ckpt_enabled() is 0 and the others fail with ENOSYS.
 *
 *   ckpt_enabled()          1 when running under libckpt.so, else 0
 *   ckpt_checkpoint()       take a checkpoint now: 0 in the original process
 *                           once the image is complete, 1 when the process
 *                           continues after a restart, -1 with errno set
 *                           (EBUSY: the program set its own action for the
 *                           checkpoint signal, which CKPT_SIGNAL can move);
 *                           in a process tree's member, the owner's
 *                           checkpoint of the whole tree
 *   ckpt_on(ev, fn, arg)    call fn(arg) at an event (0, or -1 with errno):
 *     CKPT_PRE_CHECKPOINT   before the image is taken (flush, quiesce)
 *     CKPT_RESUME           after it was taken, in the original process
 *     CKPT_RESTART          in the restarted process (reopen sockets, re-read
 *                           the clock: CLOCK_MONOTONIC jumps across a restart);
 *                           a connection to a server outside the image is a
 *                           dead socket there (end of file): examples/reconnect.c
 *                           connects again on the same fd
 *
 * Callbacks of a checkpoint that a signal started run inside the signal
 * handler: keep them async-signal-safe.  Those of ckpt_checkpoint() run in
 * the caller's own context. */
#ifndef CKPT_H
#define CKPT_H

#ifndef CKPT_LIBRARY
#include <errno.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

enum ckpt_event {
	CKPT_PRE_CHECKPOINT = 1,
	CKPT_RESUME = 2,
	CKPT_RESTART = 3,
};

#ifndef CKPT_LIBRARY   /* (libckpt.so itself takes the names above only) */
/* the library's entry points; they return -errno instead of setting errno */
int ckpt_enabled(void) __attribute__((weak));
int ckpt_checkpoint(void) __attribute__((weak));
int ckpt_on(enum ckpt_event ev, void (*fn)(void *), void *arg) __attribute__((weak));

static inline int ckpt__ret(int r)
{
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

#define ckpt_enabled() (ckpt_enabled ? (ckpt_enabled)() : 0)
#define ckpt_checkpoint() ckpt__ret(ckpt_checkpoint ? (ckpt_checkpoint)() : -ENOSYS)
#define ckpt_on(ev, fn, arg) ckpt__ret(ckpt_on ? (ckpt_on)((ev), (fn), (arg)) : -ENOSYS)
#endif

#ifdef __cplusplus
}
#endif
#endif
