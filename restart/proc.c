/* Process attributes from the PROC and SIGNALS records: signal
 * dispositions, working directory, umask,
 * resource limits, interval timers and pending signals.  Checked before
 * the point of no return, applied just before the jump: limits after the
 * last mapping (a lower RLIMIT_AS must not stop the restore), timers and
 * signals last (everything is blocked until the program's sigreturn). */
#include "restart.h"

/* RLIMIT_ names in resource order, each NUL terminated */
static const char rlimit_names[] =
	"CPU\0FSIZE\0DATA\0STACK\0CORE\0RSS\0NPROC\0NOFILE\0MEMLOCK\0AS\0LOCKS\0"
	"SIGPENDING\0MSGQUEUE\0NICE\0RTPRIO\0RTTIME";

static void restore_rlimits(const struct img *im)
{
	for (int r = 0; r < CKPT_NRLIMIT; r++) {
		struct rlimit64 want = { im->proc->rlimit[r].cur, im->proc->rlimit[r].max }, now;
		if (k_prlimit(0, r, &want, 0) == 0)
			continue;
		/* an unprivileged process cannot raise a hard limit: keep ours,
		 * and the soft one as close as it may be */
		if (k_prlimit(0, r, 0, &now) < 0)
			continue;
		now.rlim_cur = want.rlim_cur < now.rlim_max ? want.rlim_cur : now.rlim_max;
		k_prlimit(0, r, &now, 0);
		report(im, "warning: hard limit RLIMIT_%s not raised", nth_str(rlimit_names, r));
	}
}

/* what else the kernel keeps for the process: before the threads are
 * cloned, which inherit nice and the policy (both per thread); what an
 * unprivileged process may not set again is said */
static void restore_attrs(const struct img *im)
{
	const struct ckpt_proc *p = im->proc;
	int prio = p->sched_priority;       /* (struct sched_param) */

	if (k_setpriority(0 /* PRIO_PROCESS */, 0, p->nice) < 0)
		report(im, "warning: nice value %u not set again (a lower one needs privilege)", (__u64)p->nice);
	k_personality(p->personality);
	if (p->sched_policy && k_sched_setscheduler(0, p->sched_policy, &prio) < 0)
		report(im, "warning: scheduling policy %u not set again", (__u64)p->sched_policy);
	if (p->no_new_privs)
		k_prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	k_prctl(PR_SET_CHILD_SUBREAPER, p->subreaper, 0, 0, 0);
	k_prctl(PR_SET_PDEATHSIG, p->pdeathsig, 0, 0, 0);
	k_prctl(PR_SET_DUMPABLE, p->dumpable, 0, 0, 0);
	if (p->timerslack_ns)
		k_prctl(PR_SET_TIMERSLACK, p->timerslack_ns, 0, 0, 0);
	if (p->locked_kb)
		report(im, "warning: %u KiB of memory the program had locked (mlock) are not locked again",
		       p->locked_kb);
	if (p->seccomp)
		report(im, "warning: the program's seccomp filters are not restored: it runs without them");
}

void proc_restore(const struct img *im)
{
	const struct ckpt_proc *p = im->proc;
	long pid = k_getpid(), tid = k_gettid();

	for (int s = 1; s <= 64; s++)
		if ((im->sigs->valid >> (s - 1)) & 1)
			k_sigaction(s, (const struct k_sigaction *)&im->sigs->act[s - 1], 0);
	if (p->cwd[0] && sys_chdir(im->cwd) < 0)
		report(im, "warning: cannot return to the working directory %s", im->cwd);
	sys_umask(p->umask);
	restore_attrs(im);
	restore_rlimits(im);
	for (int w = 0; w < 3; w++) {
		struct timeval it[2];           /* interval, value */
		__u64 us[2] = { p->itimer[w].interval_us, p->itimer[w].value_us };
		/* a periodic timer whose signal was pending at the checkpoint
		 * reads 0: the kernel re-arms it only when the signal is taken.
		 * The signal is raised again below; the next one is an interval
		 * away */
		if (!us[1])
			us[1] = us[0];
		for (int k = 0; k < 2; k++)
			it[k].tv_sec = us[k] / 1000000, it[k].tv_usec = us[k] % 1000000;
		if (us[1])
			k_setitimer(w, it, 0);
	}
	/* as kill() sends them (SI_USER, from this process), the commonest
	 * origin: a signalfd or SA_SIGINFO handler sees that, not a tgkill
	 * (a POSIX timer's signal: as the timer sends it, restart/timers.c) */
	for (int s = 1; s <= 64; s++)
		if (((p->pending >> (s - 1)) & 1) && s != (int)p->ckpt_signal && s != SIGKILL && s != SIGSTOP &&
		    !timer_of_signal(im, s)) {
			struct k_siginfo si = { .signo = s, .pid = pid, .uid = k_getuid() };
			k_tgsigqueueinfo(pid, tid, s, &si);
		}
}
