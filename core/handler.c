/* The checkpoint signal: save the context, fork a writer that copies the
 * (copy-on-write) memory to the image, and let the program run on.  The
 * same handler frame is where a restarted process wakes up. */
#include "ckpt.h"
#include "out.h"

static void restart_path(void);

/* What a forked writer cannot see: interval timers are not inherited, and
 * the pending set is the program's, not the child's. */
static void capture_parent_only(void)
{
	struct { struct timeval interval, value; } it;
	struct ckpt_proc *p = &ckpt_st.proc;

	for (int w = 0; w < 3; w++) {
		if (my_syscall2(__NR_getitimer, w, &it) < 0)
			it.interval.tv_sec = it.interval.tv_usec = it.value.tv_sec = it.value.tv_usec = 0;
		p->itimer[w].interval_us = it.interval.tv_sec * 1000000ull + it.interval.tv_usec;
		p->itimer[w].value_us = it.value.tv_sec * 1000000ull + it.value.tv_usec;
	}
	p->pending = 0;
	my_syscall2(__NR_rt_sigpending, &p->pending, 8);
	p->ckpt_signal = ckpt_st.sig;
	/* the clock file timestamps come from (coarse): whatever the program
	 * creates after this moment is born at this time or later */
	my_syscall2(__NR_clock_gettime, 5 /* CLOCK_REALTIME_COARSE */, &ckpt_st.t_real);
}

/* Waits for the writer still running, if any: 0 when it put its image in
 * place, -EIO when it failed, -ECHILD when someone else reaped it (qemu
 * forks it as an ordinary child). */
static int wait_writer(void)
{
	char info[128];
	int *status = (int *)(info + 24);  /* siginfo_t.si_status */
	long r;

	if (!ckpt_st.writer)
		return 0;
	do
		r = k_waitid(P_PID, ckpt_st.writer, info, WEXITED | __WALL);
	while (r == -EINTR);
	ckpt_st.writer = 0;
	return r < 0 ? (int)r : *status ? -EIO : 0;
}

/* "libckpt: checkpoint N failed: what (name): error; the previous image
 * is unchanged", the one line a failed checkpoint prints (here or in the
 * writer) */
void ckpt_fail_msg(const char *what, const char *name, long err)
{
	struct out o = { .len = 0 };

	out_str(&o, "libckpt: checkpoint ");
	out_u64(&o, ckpt_st.ncheckpoints);
	out_str(&o, " failed: ");
	out_str(&o, what);
	if (name && name[0]) {
		out_str(&o, " (");
		out_str(&o, name);
		out_chr(&o, ')');
	}
	if (err) {
		out_str(&o, ": ");
		out_str(&o, err_str(err));
	}
	out_str(&o, "; the previous image is unchanged\n");
	out_flush(&o, 2);
}

/* Threads of the process (/proc/self/task), or -errno */
long ckpt_count_threads(void)
{
	static char dents[2048];
	long dfd, n, count = 0;

	dfd = k_openat(AT_FDCWD, "/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (dfd < 0)
		return dfd;
	while ((n = sys_getdents64(dfd, (void *)dents, sizeof(dents))) > 0)
		for (long off = 0; off < n; ) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(dents + off);
			off += d->d_reclen;
			count += d->d_name[0] >= '1' && d->d_name[0] <= '9';
		}
	sys_close(dfd);
	return count;
}

/* What the program shares with the writer, captured before it runs on.
 * 0, or the checkpoint fails here with one line. */
static int capture_in_pause(void)
{
	/* the writer is forked from this thread alone: an image of a process
	 * with more threads would silently lose them */
	long r = ckpt_count_threads() - 1 - ckpt_st.helper_threads;

	if (r > 0) {
		struct out o = { .len = 0 };
		out_str(&o, "the program has ");
		out_u64(&o, r + 1);
		out_str(&o, " threads, and multi-threaded programs cannot be checkpointed yet");
		o.buf[o.len] = 0;
		ckpt_fail_msg(o.buf, 0, 0);
		return -1;
	}
	r = fds_capture(&ckpt_st.fds);
	if (r < 0) {
		ckpt_fail_msg(r == -EMFILE ? "too many open fds (at most 1024)"
					   : "cannot capture the open fds", 0, r == -EMFILE ? 0 : r);
		return -1;
	}
	return 0;
}

__attribute__((used)) void ckpt_signal_handler(int sig, void *info, void *uc)
{
	long pid;

	(void)info;
	(void)uc;
	if (!ckpt_st.enabled || sig != ckpt_st.sig)
		return;
	/* a checkpoint still being written is finished first: queued, never
	 * two writers racing for the same image */
	wait_writer();
	ckpt_inherit_name();
	ckpt_st.t_start = k_now_ns();
	if (!ckpt_st.api_call)
		ckpt_run_callbacks(1 /* CKPT_PRE_CHECKPOINT */);
	ckpt_st.ncheckpoints++;
	ckpt_st.restarted = 0;
	ckpt_st.failed = 0;
	capture_parent_only();
	if (capture_in_pause()) {
		ckpt_st.failed = 1;
		if (!ckpt_st.api_call)
			ckpt_run_callbacks(2 /* CKPT_RESUME */);
		return;
	}
	if (arch_ctx_save(&ckpt_st.regs, ckpt_st.xarea, arch_xstate_mode(&ckpt_st.xstate))) {
		restart_path();
		return;
	}
	/* natively the writer gets no exit signal, so the program's own
	 * wait() never sees it; qemu 7.2 refuses that (EINVAL): plain fork */
	ckpt_st.t_fork = k_now_ns();
	pid = k_clone(ckpt_st.runner == CKPT_RUNNER_QEMU ? SIGCHLD : 0);
	if (pid == 0)
		ckpt_writer_main();
	fds_release(ckpt_st.fds);
	ckpt_st.fds = 0;
	if (pid < 0) {
		ckpt_st.failed = 1;
		ckpt_fail_msg("cannot fork the image writer", 0, pid);
		return;
	}
	ckpt_st.writer = pid;
	if (!ckpt_st.api_call)
		ckpt_run_callbacks(2 /* CKPT_RESUME */);
}

static void restart_path(void)
{
	ckpt_st.writer = 0;
	ckpt_st.fds = 0;          /* the snapshot was the writer's, not in the image */
	ckpt_st.restarted = 1;
	ckpt_state_restore();
	if (!ckpt_st.api_call)
		ckpt_run_callbacks(3 /* CKPT_RESTART */);
}

void ckpt_run_callbacks(int ev)
{
	for (unsigned i = 0; i < ckpt_st.ncb; i++)
		if (ckpt_st.cb[i].ev == ev)
			ckpt_st.cb[i].fn(ckpt_st.cb[i].arg);
}

/* public API: registers fn(arg) for an event; 0 or -errno */
__attribute__((visibility("default"))) int ckpt_on(int ev, void (*fn)(void *), void *arg)
{
	if (ev < 1 || ev > 3 || !fn)
		return -EINVAL;
	if (ckpt_st.ncb == sizeof(ckpt_st.cb) / sizeof(ckpt_st.cb[0]))
		return -ENOMEM;
	ckpt_st.cb[ckpt_st.ncb].ev = ev;
	ckpt_st.cb[ckpt_st.ncb].fn = fn;
	ckpt_st.cb[ckpt_st.ncb].arg = arg;
	ckpt_st.ncb++;
	return 0;
}

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

/* public API: a checkpoint now, from the program itself.  0 in the
 * original process once the image is complete, 1 after a restart,
 * -errno on failure (ENOSYS: checkpointing is disabled; EIO: the writer
 * failed and said why on stderr).  Callbacks run here, in the caller's
 * context, not in the signal handler. */
__attribute__((visibility("default"))) int ckpt_checkpoint(void)
{
	__u32 before = ckpt_st.ncheckpoints;
	long r;

	if (!ckpt_st.enabled)
		return -ENOSYS;
	ckpt_run_callbacks(1);
	ckpt_st.api_call = 1;
	r = my_syscall3(__NR_tgkill, my_syscall0(__NR_getpid), my_syscall0(__NR_gettid), ckpt_st.sig);
	ckpt_st.api_call = 0;
	if (r < 0)
		return r;
	if (ckpt_st.ncheckpoints == before)
		return -EAGAIN;          /* the signal is blocked or ignored here */
	if (ckpt_st.failed)
		return -EIO;
	if (ckpt_st.restarted) {
		ckpt_st.restarted = 0;
		ckpt_run_callbacks(3);
		return 1;
	}
	if (wait_writer())
		return -EIO;
	ckpt_run_callbacks(2);
	return 0;
}
