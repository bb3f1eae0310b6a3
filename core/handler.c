/* The checkpoint signal: save the context, fork a writer that copies the
 * (copy-on-write) memory to the image, and let the program run on.  The
 * same handler frame is where a restarted process wakes up. */
#include "libckpt.h"
#include "out.h"

static void restart_path(void *uc);

/* The checkpoints' outcome and the program's callbacks: this file's */
static int writer;                /* pid of a writer still running, or 0 */
static int failed;                /* the last checkpoint failed in the pause */
static int api_call;              /* inside ckpt_checkpoint(): it runs the callbacks */
static int restarted;             /* set by the restart path */
static int dontfork_cleared;      /* this checkpoint took the DONTFORK marks off (dontfork.c) */
static struct { int ev; void (*fn)(void *); void *arg; } cb[16];
static unsigned ncb;

/* the callbacks the program registered for ev, in order */
static void run_callbacks(enum ckpt_event ev)
{
	for (unsigned i = 0; i < ncb; i++)
		if (cb[i].ev == (int)ev)
			cb[i].fn(cb[i].arg);
}

/* those of a checkpoint the signal started: ckpt_checkpoint() runs its
 * own, in the caller's context */
static void signal_callbacks(enum ckpt_event ev)
{
	if (!api_call)
		run_callbacks(ev);
}

/* What a forked writer cannot see: interval timers are not inherited, and
 * the pending set is the program's, not the child's. */
static void capture_parent_only(void)
{
	struct { struct timeval interval, value; } it;
	struct ckpt_proc *p = &ckpt_snap.proc;

	for (int w = 0; w < 3; w++) {
		if (k_getitimer(w, &it) < 0)
			it.interval.tv_sec = it.interval.tv_usec = it.value.tv_sec = it.value.tv_usec = 0;
		p->itimer[w].interval_us = it.interval.tv_sec * 1000000ull + it.interval.tv_usec;
		p->itimer[w].value_us = it.value.tv_sec * 1000000ull + it.value.tv_usec;
	}
	p->pending = 0;
	k_sigpending(&p->pending);
	p->ckpt_signal = ckpt_cfg->sig;
	p->subreaper = p->pdeathsig = 0;
	k_prctl(PR_GET_CHILD_SUBREAPER, (unsigned long)&p->subreaper, 0, 0, 0);
	k_prctl(PR_GET_PDEATHSIG, (unsigned long)&p->pdeathsig, 0, 0, 0);
	/* the clock file timestamps come from (coarse): whatever the program
	 * creates after this moment is born at this time or later */
	k_clock_gettime(5 /* CLOCK_REALTIME_COARSE */, &ckpt_snap.t_real);
}

/* Waits for the writer still running, if any: 0 when it put its image in
 * place, -EIO when it failed, -ECHILD when someone else reaped it (qemu
 * forks it as an ordinary child). */
static int wait_writer(void)
{
	struct k_siginfo info;
	long r;

	if (!writer)
		return 0;
	do
		r = k_waitid(P_PID, writer, &info, WEXITED | __WALL);
	while (r == -EINTR);
	writer = 0;
	/* exit status 3: in place, as a full image where a delta was planned */
	ckpt_incr_done(r < 0 || info.code != 1 /* CLD_EXITED */ ? -1 : info.status);
	return r < 0 ? (int)r : info.status && info.status != 3 ? -EIO : 0;
}

/* Every thread parked in its slot, and what the program shares with the
 * writer, captured before it runs on.  0, or the checkpoint fails here
 * with one line (and the threads go on). */
static int capture_in_pause(void)
{
	const char *why;
	long r;

	if (!ckpt_thread_slot(0)) {       /* (the slots were not mapped) */
		ckpt_fail_msg("no memory for the threads' state", 0, 0);
		ckpt_threads_resume();
		return -1;
	}
	if (ckpt_threads_stop())
		return -1;
	/* a tree: every member stops before any captures */
	if ((r = ckpt_tree_stop())) {
		ckpt_threads_resume();
		return (int)r;
	}
	ckpt_tids_pause();
	ckpt_children_capture();
	r = ckpt_timers_capture();
	if (r < 0) {
		ckpt_fail_msg(r == -E2BIG ? "more POSIX timers than an image holds (64)"
			      : r == -ESRCH ? "a POSIX timer signals a thread that is not the program's"
			      : "cannot read the POSIX timers", 0, r == -E2BIG || r == -ESRCH ? 0 : r);
		ckpt_tree_failed();
		ckpt_threads_resume();
		return -1;
	}
	ckpt_incr_begin(ckpt_tree_in_cut());
	r = fds_capture(&ckpt_snap.fds, &why);
	if (r < 0) {
		ckpt_incr_release();
		ckpt_fail_msg(r == -EMFILE ? "too many open fds (at most 1024)"
			      : why ? why : "cannot capture the open fds", 0, r == -EMFILE || why ? 0 : r);
		ckpt_tree_failed();
		ckpt_threads_resume();
		return -1;
	}
	return 0;
}

/* a tgkill an initiator sent this thread (not the program's own raise()
 * or ckpt_checkpoint()): it parks this thread, or, when its checkpoint
 * has ended (the thread parked on another signal, or answered too late),
 * it is not a new checkpoint */
static int from_initiator(const struct k_siginfo *si)
{
	return si && si->code == -6 /* SI_TKILL */ && si->pid == k_getpid() &&
	       !api_call && ckpt_thread_owed();
}

__attribute__((used)) void ckpt_signal_handler(int sig, struct k_siginfo *info, void *uc)
{
	struct ckpt_thread *self;
	long pid, stage;

	(void)uc;
	if (!ckpt_rt.enabled) {
		if (sig == ckpt_cfg->sig && ckpt_rt.disabled_why)
			ckpt_msg("checkpointing is disabled", ckpt_rt.disabled_why, 0);
		return;
	}
	if (sig != ckpt_cfg->sig)
		return;
	ckpt_sigclaim_chained();
	ckpt_tree_signal(info);
	/* a member's own checkpoint is its owner's, of the whole tree */
	if (!from_initiator(info) && ckpt_tree_forward())
		return;
	/* another thread is checkpointing: this one parks until it is done */
	if (from_initiator(info) || !ckpt_threads_begin()) {
		ckpt_thread_park();
		return;
	}
	/* a checkpoint still being written is finished first: queued, never
	 * two writers racing for the same image */
	wait_writer();
	ckpt_inherit_name();
	ckpt_snap.t_start = k_now_ns();
	signal_callbacks(CKPT_PRE_CHECKPOINT);
	ckpt_rt.ncheckpoints++;
	restarted = 0;
	failed = 0;
	capture_parent_only();
	ckpt_pid_capture();
	if (capture_in_pause()) {
		failed = 1;
		signal_callbacks(CKPT_RESUME);
		return;
	}
	ckpt_tree_name();
	/* here, in this frame, which lives until the fork: a restart returns
	 * from this call a second time, with 1 */
	self = ckpt_thread_self();
	/* the CPU time used so far, the process's once every thread parked */
	ckpt_cputime_pause(0);
	/* which pages this image stores */
	ckpt_incr_pause();
	/* memory kept from children must reach the writer all the same */
	dontfork_cleared = ckpt_dontfork_clear();
	stage = arch_ctx_save(&self->cpu, ckpt_thread_xarea(self), arch_xstate_mode(&ckpt_cfg->xstate));
	if (stage) {
		ckpt_thread_back(stage);
		restart_path(uc);
		return;
	}
	/* natively the writer gets no exit signal, so the program's own
	 * wait() never sees it; qemu 7.2 refuses that (EINVAL): plain fork */
	ckpt_snap.t_fork = k_now_ns();
	/* (a tree's processes fork once every one has captured) */
	pid = ckpt_tree_before_fork() ? -ECANCELED : k_clone(ckpt_cfg->runner == CKPT_RUNNER_QEMU ? SIGCHLD : 0);
	if (pid == 0)
		ckpt_writer_main();
	ckpt_tree_forked(pid);
	ckpt_dontfork_restore(dontfork_cleared);
	fds_release(ckpt_snap.fds);
	ckpt_snap.fds = 0;
	ckpt_incr_release();
	ckpt_threads_resume();
	if (pid < 0) {
		failed = 1;
		if (pid != -ECANCELED)       /* (the tree's cut failed: said) */
			ckpt_fail_msg("cannot fork the image writer", 0, pid);
		return;
	}
	writer = pid;
	signal_callbacks(CKPT_RESUME);
}

static void restart_path(void *uc)
{
	ckpt_cputime_restored(0);
	ckpt_tids_restored(0, ckpt_threads_n());
	ckpt_tree_restarted();
	writer = 0;
	/* the snapshot and the slots were the writer's, not in the image; the
	 * other threads were released by myrestart */
	ckpt_snap.fds = 0;
	if (ckpt_threads_restarted() < 0)
		ckpt_msg("warning", "no memory for the threads' state: checkpoints will fail", 0);
	restarted = 1;
	ckpt_incr_restarted();
	ckpt_pid_restarted();
	ckpt_dontfork_restore(dontfork_cleared);
	ckpt_proc_restore(uc);
	signal_callbacks(CKPT_RESTART);
}

/* public API: registers fn(arg) for an event; 0 or -errno */
CKPT_API int ckpt_on(int ev, void (*fn)(void *), void *arg)
{
	if (ev < CKPT_PRE_CHECKPOINT || ev > CKPT_RESTART || !fn)
		return -EINVAL;
	if (ncb == sizeof(cb) / sizeof(cb[0]))
		return -ENOMEM;
	cb[ncb].ev = ev;
	cb[ncb].fn = fn;
	cb[ncb].arg = arg;
	ncb++;
	return 0;
}

/* public API: a checkpoint now, from the program itself.  0 in the
 * original process once the image is complete, 1 after a restart,
 * -errno on failure (ENOSYS: checkpointing is disabled; EIO: the writer
 * failed and said why on stderr).  Callbacks run here, in the caller's
 * context, not in the signal handler. */
CKPT_API int ckpt_checkpoint(void)
{
	__u32 before = ckpt_rt.ncheckpoints;
	long r;

	if (!ckpt_rt.enabled)
		return -ENOSYS;
	if (ckpt_sigclaim_taken())
		return -EBUSY;           /* the program's own action would run */
	run_callbacks(CKPT_PRE_CHECKPOINT);
	api_call = 1;
	r = k_tgkill(k_getpid(), k_gettid(), ckpt_cfg->sig);
	api_call = 0;
	if (r < 0)
		return r;
	if (ckpt_rt.ncheckpoints == before && ckpt_tree_wait_cut(before))
		return -EAGAIN;          /* the signal is blocked or ignored here */
	if (failed)
		return -EIO;
	if (restarted) {
		restarted = 0;
		run_callbacks(CKPT_RESTART);
		return 1;
	}
	if (wait_writer())
		return -EIO;
	run_callbacks(CKPT_RESUME);
	return 0;
}
