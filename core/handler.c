/* The checkpoint signal: save the context, fork a writer that copies the
 * (copy-on-write) memory to the image, and let the program run on.  The
 * same handler frame is where a restarted process wakes up. */
#include "ckpt.h"

static void restart_path(void);

static void wait_writer(void)
{
	char info[128];
	long r;

	if (!ckpt_st.writer)
		return;
	do
		r = k_waitid(P_PID, ckpt_st.writer, info, WEXITED | __WALL);
	while (r == -EINTR);
	ckpt_st.writer = 0;
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
	ckpt_st.ncheckpoints++;
	if (ckpt_ctx_save(&ckpt_st.regs, ckpt_st.xarea, ckpt_st.xmode)) {
		restart_path();
		return;
	}
	/* natively the writer gets no exit signal, so the program's own
	 * wait() never sees it; qemu 7.2 refuses that (EINVAL): plain fork */
	pid = k_clone(ckpt_st.runner == CKPT_RUNNER_QEMU ? SIGCHLD : 0);
	if (pid == 0)
		ckpt_writer_main();
	if (pid < 0) {
		ckpt_st.ncheckpoints--;
		ckpt_msg("checkpoint failed", "cannot fork the image writer", pid);
		return;
	}
	ckpt_st.writer = pid;
}

static void restart_path(void)
{
	ckpt_st.writer = 0;
	ckpt_state_restore();
}

int ckpt_install_handler(int sig)
{
	struct k_sigaction act = {
		.handler = (void (*)(int, void *, void *))ckpt_signal_entry,
		.flags = K_SA_SIGINFO | SA_RESTORER | K_SA_RESTART,
		.restorer = ckpt_sigreturn,
		.mask = ~0ul,  /* nothing of the program runs while we save */
	};
	return k_sigaction(sig, &act, 0);
}

/* public API: a checkpoint now, from the program itself.  0 in the
 * original process once the image is complete, 1 after a restart, -1
 * when checkpointing is unavailable or the writer failed. */
__attribute__((visibility("default"))) int ckpt_checkpoint(void)
{
	__u32 before = ckpt_st.ncheckpoints;
	long tid = my_syscall0(__NR_gettid);
	char info[128];
	int *status = (int *)(info + 24);  /* siginfo_t.si_status */
	long r;

	if (!ckpt_st.enabled)
		return -1;
	r = my_syscall3(__NR_tgkill, my_syscall0(__NR_getpid), tid, ckpt_st.sig);
	if (r < 0)
		return -1;
	if (ckpt_st.ncheckpoints == before)
		return -1;
	/* after a restart the context resumed inside the handler, which set
	 * no writer; the original process waits for its writer's verdict */
	if (!ckpt_st.writer)
		return 1;
	do
		r = k_waitid(P_PID, ckpt_st.writer, info, WEXITED | __WALL);
	while (r == -EINTR);
	ckpt_st.writer = 0;
	return r == 0 && *status == 0 ? 0 : -1;
}
