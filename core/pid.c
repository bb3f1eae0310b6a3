/* A restarted process keeps the process id it had.  A restart gives it a
 * new pid, and programs remember theirs: python's asyncio ties its running
 * loop to getpid() and finds "no running event loop" after a restart;
 * others compare gettid() with getpid() to know their main thread, or
 * signal themselves with kill(getpid(), sig).  So in a restarted process
 * getpid() and the main thread's gettid() answer the pid of the
 * checkpoint, kill() and tgkill() given that pid signal the process
 * itself, and clock_getcpuclockid() names its CPU clock.  Only the process's own id is translated (DMTCP translates
 * every pid): /proc/PID, its children and other programs see the real
 * one, and a child forked after the restart gets its real pid. */
#include "libckpt.h"

typedef int (*kill_fn)(int, int);
typedef int (*tgkill_fn)(int, int, int);
typedef int (*cpuclock_fn)(int, int *);
static struct {                  /* libc's, in ckpt_glibc_nexts()'s order */
	kill_fn kill;
	tgkill_fn tgkill;
	cpuclock_fn cpuclock;
} next;

void ckpt_pid_init(const unsigned long *auxv)
{
	ckpt_glibc_nexts(auxv, &next, "kill\0tgkill\0clock_getcpuclockid\0");
}

static int pid_seen;              /* the pid the program knows, kept in the image */
static int pid_real;              /* after a restart: the real pid that answers as pid_seen */

/* the pid the program knows (0 before the first checkpoint) */
int ckpt_pid_seen(void)
{
	return pid_seen;
}

/* the real pid whose calls are translated (the restarted process's), or 0 */
static int translated(void)
{
	int real = k_getpid();
	return pid_real && real == pid_real ? real : 0;
}

/* In the pause: the id this process goes by, kept in the image */
void ckpt_pid_capture(void)
{
	if (!translated())
		pid_seen = k_getpid();
}

/* In the restart path: from now on the new pid answers as the old one */
void ckpt_pid_restarted(void)
{
	pid_real = k_getpid();
}

static int real_of(int pid)
{
	int real = translated();
	return real && pid == pid_seen ? real : pid;
}

/* nolibc has static functions of these names: ours get theirs by label */
int ckpt_getpid(void) EXPORT(getpid);
int ckpt_gettid(void) EXPORT(gettid);
int ckpt_kill(int pid, int sig) EXPORT(kill);
int ckpt_tgkill(int tgid, int tid, int sig) EXPORT(tgkill);
int ckpt_cpuclock(int pid, int *clock) EXPORT(clock_getcpuclockid);

int ckpt_getpid(void)
{
	return translated() ? pid_seen : (int)k_getpid();
}

int ckpt_gettid(void)
{
	int tid = k_gettid();
	return tid == translated() ? pid_seen : tid;
}

/* without libc's functions, no errno: -1 alone */
int ckpt_kill(int pid, int sig)
{
	pid = real_of(pid);
	if (next.kill)
		return next.kill(pid, sig);
	return k_kill(pid, sig) < 0 ? -1 : 0;
}

int ckpt_tgkill(int tgid, int tid, int sig)
{
	tgid = real_of(tgid);
	tid = real_of(tid);
	if (next.tgkill)
		return next.tgkill(tgid, tid, sig);
	return k_tgkill(tgid, tid, sig) < 0 ? -1 : 0;
}

/* glibc's checks the pid with the kernel: the old one names no process
 * now (or another's) */
int ckpt_cpuclock(int pid, int *clock)
{
	return next.cpuclock ? next.cpuclock(real_of(pid), clock) : ENOSYS;
}
