/* Process attributes from the PROC and SIGNALS records: signal
 * dispositions, the rseq registration, working directory, umask,
 * resource limits, interval timers and pending signals.  Checked before
 * the point of no return, applied just before the jump: limits after the
 * last mapping (a lower RLIMIT_AS must not stop the restore), timers and
 * signals last (everything is blocked until the program's sigreturn). */
#include "restart.h"

static const char *const rlimit_name[CKPT_NRLIMIT] = {
	"CPU", "FSIZE", "DATA", "STACK", "CORE", "RSS", "NPROC", "NOFILE",
	"MEMLOCK", "AS", "LOCKS", "SIGPENDING", "MSGQUEUE", "NICE", "RTPRIO", "RTTIME",
};

static int cwd_ok;

static void warn(const struct img *im, const char *what, const char *detail)
{
	struct out *o = msg(im);
	out_str(o, "warning: ");
	out_str(o, what);
	out_str(o, detail);
	msg_end();
}

int proc_prepare(const struct img *im)
{
	const char *cwd = im->proc->cwd;
	long fd;

	cwd_ok = 0;
	if (!cwd[0])
		return 0;
	fd = k_openat(AT_FDCWD, cwd, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		warn(im, "cannot return to the working directory, staying here: ", cwd);
	else
		cwd_ok = 1, sys_close(fd);
	return 0;
}

static void restore_rlimits(const struct img *im)
{
	for (int r = 0; r < CKPT_NRLIMIT; r++) {
		struct { __u64 cur, max; } want = { im->proc->rlimit[r].cur, im->proc->rlimit[r].max }, now;
		if (my_syscall4(__NR_prlimit64, 0, r, &want, 0) == 0)
			continue;
		/* an unprivileged process cannot raise a hard limit: keep ours,
		 * and the soft one as close as it may be */
		if (my_syscall4(__NR_prlimit64, 0, r, 0, &now) < 0)
			continue;
		now.cur = want.cur < now.max ? want.cur : now.max;
		my_syscall4(__NR_prlimit64, 0, r, &now, 0);
		warn(im, "cannot raise the hard limit RLIMIT_", rlimit_name[r]);
	}
}

void proc_restore(const struct img *im)
{
	const struct ckpt_proc *p = im->proc;
	long pid = my_syscall0(__NR_getpid), tid = my_syscall0(__NR_gettid);

	for (int s = 1; s <= 64; s++)
		if ((im->sigs->valid >> (s - 1)) & 1)
			k_sigaction(s, (const struct k_sigaction *)&im->sigs->act[s - 1], 0);
	if (p->rseq_area)
		k_rseq((void *)p->rseq_area, p->rseq_len, 0, p->rseq_sig);
	if (cwd_ok)
		sys_chdir(p->cwd);
	sys_umask(p->umask);
	restore_rlimits(im);
	for (int w = 0; w < 3; w++) {
		struct { struct timeval interval, value; } it = {
			{ p->itimer[w].interval_us / 1000000, p->itimer[w].interval_us % 1000000 },
			{ p->itimer[w].value_us / 1000000, p->itimer[w].value_us % 1000000 },
		};
		if (p->itimer[w].value_us)
			my_syscall3(__NR_setitimer, w, &it, 0);
	}
	for (int s = 1; s <= 64; s++)
		if (((p->pending >> (s - 1)) & 1) && s != (int)p->ckpt_signal && s != SIGKILL && s != SIGSTOP)
			my_syscall3(__NR_tgkill, pid, tid, s);
}
