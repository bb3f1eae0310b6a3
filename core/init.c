/* The constructor: runs before main (and before the program's own
 * constructors have necessarily run), so it only makes raw system calls
 * and touches only the library's own static memory: no malloc, no stdio.
 * The one exception is the environment children inherit (inherit.c):
 * libc's environ pointer, or with CKPT_INHERIT=0 the LD_PRELOAD string. */
#include "libckpt.h"

/* LD_PRELOAD exported to qemu itself loads us into the host emulator too:
 * there we must stay inert, or SIGUSR2 would never reach the guest. */
static int inside_qemu_host(void)
{
	char exe[CKPT_PATH_MAX];
	long n = k_readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return 0;
	exe[n] = 0;
	return ckpt_starts_with(ckpt_base_name(exe), "qemu-");
}

/* Disabled, the library still takes the checkpoint signal (the program
 * was started expecting it), and answers it with one line instead of
 * letting its default action kill the program. */
static void answer_disabled(const char *why)
{
	ckpt_rt.disabled_why = why;
	ckpt_install_handler(ckpt_cfg->sig);
}

__attribute__((constructor))
static void ckpt_init(int argc, char **argv, char **envp)
{
	char **p;
	long r;

	(void)argc;
	if (!envp)
		return;
	for (p = envp; *p; p++)
		;
	/* the functions the library exports go on to libc's in any process,
	 * qemu itself included (its errno must stay right) */
	ckpt_sigmask_init((const unsigned long *)(p + 1));
	ckpt_pid_init((const unsigned long *)(p + 1));
	ckpt_tids_init((const unsigned long *)(p + 1));
	ckpt_cputime_init((const unsigned long *)(p + 1));
	ckpt_sigclaim_init((const unsigned long *)(p + 1));
	ckpt_timers_init((const unsigned long *)(p + 1));
	ckpt_dontfork_init((const unsigned long *)(p + 1));
	if (inside_qemu_host())
		return;
	ckpt_rseq_init((const unsigned long *)(p + 1));
	if (ckpt_config_read(argv, envp, (const unsigned long *)(p + 1)) < 0) {
		answer_disabled("bad configuration (said at startup)");
		return;
	}
	ckpt_stdio_given();
	ckpt_inherit_init(envp, (const unsigned long *)(p + 1));
	ckpt_reserve_range();
	r = ckpt_threads_init();
	if (r < 0) {
		ckpt_rt.enabled = 0;
		ckpt_msg("checkpoints disabled", "no memory for the threads' state", r);
		answer_disabled("no memory for the threads' state");
		return;
	}
	r = ckpt_install_handler(ckpt_cfg->sig);
	if (r < 0) {
		ckpt_rt.enabled = 0;
		ckpt_msg("checkpoints disabled", "cannot install the signal handler", r);
		return;
	}
	/* in a tree, the owner's interval checkpoints every process */
	r = ckpt_tree_below_owner() ? 0 : ckpt_start_interval();
	if (r < 0)
		ckpt_msg("CKPT_INTERVAL ignored", "cannot create the timer", r);
}

/* public API: tells a program whether it runs under libckpt.so */
CKPT_API int ckpt_enabled(void)
{
	return ckpt_rt.enabled;
}

/* nolibc's _start stays in the object code even in a library and calls
 * _start_c, which lives in the crt.h we leave out.  Nothing calls _start
 * here: this only satisfies the reference. */
__attribute__((noreturn)) void _start_c(void)
{
	k_exit_group(127);
}
