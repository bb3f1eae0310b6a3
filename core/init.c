/* The constructor: runs before main (and before the program's own
 * constructors have necessarily run), so it only makes raw system calls
 * and touches only the library's own static memory: no malloc, no stdio.
 * The one exception is the environment children inherit (inherit.c):
 * libc's environ pointer, or with CKPT_INHERIT=0 the LD_PRELOAD string. */
#include "ckpt.h"
#include "out.h"
#include "runner.h"

struct ckpt_state ckpt_st;

void ckpt_msg(const char *what, const char *detail, long err)
{
	struct out o = { .len = 0 };
	out_str(&o, "libckpt: ");
	out_str(&o, what);
	if (detail) {
		out_str(&o, ": ");
		out_str(&o, detail);
	}
	if (err) {
		out_str(&o, ": ");
		out_str(&o, err_str(err));
	}
	out_chr(&o, '\n');
	out_flush(&o, 2);
}

int ckpt_starts_with(const char *s, const char *p)
{
	while (*p)
		if (*s++ != *p++)
			return 0;
	return 1;
}

const char *ckpt_base_name(const char *s)
{
	const char *b = s;
	for (; *s; s++)
		if (*s == '/')
			b = s + 1;
	return b;
}

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

long ckpt_parse_uint(const char *v, long max)
{
	long n = 0;

	if (!*v)
		return -1;
	for (; *v >= '0' && *v <= '9'; v++)
		if ((n = n * 10 + (*v - '0')) > max)
			return -1;
	return *v ? -1 : n;
}

const char *ckpt_env_get(char **envp, const char *name)
{
	for (; *envp; envp++) {
		const char *e = *envp, *n = name;
		while (*n && *e == *n)
			e++, n++;
		if (!*n && *e == '=')
			return e + 1;
	}
	return 0;
}

static const char *ckpt_file;

static int parse_signal(const char *v)
{
	static const struct { const char *name; int sig; } names[] = {
		{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "HUP", SIGHUP }, { "INT", SIGINT },
		{ "QUIT", SIGQUIT }, { "TERM", SIGTERM }, { "PWR", SIGPWR }, { "URG", SIGURG },
		{ "XCPU", SIGXCPU }, { "WINCH", SIGWINCH },
	};
	long n;

	if (ckpt_starts_with(v, "SIG"))
		v += 3;
	if (*v >= '0' && *v <= '9') {
		n = ckpt_parse_uint(v, 64);
		return n < 1 || n == SIGKILL || n == SIGSTOP ? -1 : n;
	}
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(v, names[i].name))
			return names[i].sig;
	return -1;
}

static int flag(char **envp, const char *name, int *out)
{
	const char *v = ckpt_env_get(envp, name);
	if (!v || !*v)
		return 0;
	if ((v[0] != '0' && v[0] != '1') || v[1]) {
		ckpt_msg("checkpoints disabled: bad value (want 0 or 1) for", name, 0);
		return -1;
	}
	*out = v[0] == '1';
	return 0;
}

/* bytes, with an optional K, M or G (binary units); -1 if bad */
static long parse_size(const char *v)
{
	static const char units[] = "KMG";
	char num[24];
	unsigned n = strlen(v), k;
	long r;

	if (!n || n >= sizeof(num))
		return -1;
	memcpy(num, v, n + 1);
	for (k = 0; k < 3 && num[n - 1] != units[k]; k++)
		;
	if (k < 3)
		num[--n] = 0;
	r = ckpt_parse_uint(num, 1l << 50);
	return r < 0 ? r : k < 3 ? r << (10 * (k + 1)) : r;
}

/* CKPT_FILE, CKPT_SIGNAL, CKPT_INTERVAL, CKPT_VERBOSE, CKPT_FSYNC,
 * CKPT_INHERIT, CKPT_VERIFY, CKPT_SAVE_WRITTEN, CKPT_SAVE_WRITTEN_MAX,
 * CKPT_FAULT.  A bad value: one line, and the program runs without
 * checkpointing. */
static int read_config(char **envp)
{
	const char *v = ckpt_env_get(envp, "CKPT_SIGNAL");

	if (v && *v && (ckpt_st.sig = parse_signal(v)) < 0) {
		ckpt_msg("checkpoints disabled: bad CKPT_SIGNAL (a number or a name like USR2)", v, 0);
		return -1;
	}
	ckpt_st.inherit = 1;
	ckpt_st.verify = 1;
	ckpt_st.save_written_max = 256ul << 20;
	if (flag(envp, "CKPT_VERBOSE", &ckpt_st.verbose) || flag(envp, "CKPT_FSYNC", &ckpt_st.fsync) ||
	    flag(envp, "CKPT_INHERIT", &ckpt_st.inherit) || flag(envp, "CKPT_VERIFY", &ckpt_st.verify) ||
	    flag(envp, "CKPT_SAVE_WRITTEN", &ckpt_st.save_written))
		return -1;
	v = ckpt_env_get(envp, "CKPT_SAVE_WRITTEN_MAX");
	if (v && *v && (long)(ckpt_st.save_written_max = parse_size(v)) < 0) {
		ckpt_msg("checkpoints disabled: bad CKPT_SAVE_WRITTEN_MAX (bytes, or a number with K, M or G)", v, 0);
		return -1;
	}
	v = ckpt_env_get(envp, "CKPT_FAULT");
	if (v && *v) {
		if (strcmp(v, "damage-image")) {
			ckpt_msg("checkpoints disabled: bad CKPT_FAULT (the one fault is damage-image)", v, 0);
			return -1;
		}
		ckpt_st.fault_damage = 1;
	}
	v = ckpt_env_get(envp, "CKPT_INTERVAL");
	if (v && *v) {
		long n = ckpt_parse_uint(v, 99999999);
		if (n < 1) {
			ckpt_msg("checkpoints disabled: bad CKPT_INTERVAL (whole seconds, at least 1)", v, 0);
			return -1;
		}
		ckpt_st.interval = n;
	}
	ckpt_file = ckpt_env_get(envp, "CKPT_FILE");
	if (ckpt_file && !*ckpt_file) {
		ckpt_msg("checkpoints disabled: empty CKPT_FILE", 0, 0);
		return -1;
	}
	return 0;
}

/* room is left for the ".<pid>" of a descendant's image (inherit.c) */
#define PATH_ROOM (sizeof(ckpt_st.path) - 12)

static int resolve_path(const char *name)
{
	long n;
	unsigned len, nl = strlen(name);

	if (name[0] == '/') {
		if (nl >= PATH_ROOM)
			return -ENAMETOOLONG;
		memcpy(ckpt_st.path, name, nl + 1);
		return 0;
	}
	n = k_getcwd(ckpt_st.path, sizeof(ckpt_st.path));
	if (n < 0)
		return n;
	len = strlen(ckpt_st.path);
	if (len + 1 + nl + 1 > PATH_ROOM)
		return -ENAMETOOLONG;
	if (len > 1)
		ckpt_st.path[len++] = '/';
	memcpy(ckpt_st.path + len, name, nl + 1);
	return 0;
}

__attribute__((constructor))
static void ckpt_init(int argc, char **argv, char **envp)
{
	const unsigned long *auxv;
	char **p;
	long r;

	(void)argc;
	if (!envp || inside_qemu_host())
		return;
	for (p = envp; *p; p++)
		;
	auxv = (const unsigned long *)(p + 1);
	ckpt_st.runner = runner_detect(auxv);
	/* qemu-user runs threads of its own in the process (7.2: one, for
	 * RCU; a forked child gets its own again); the program has none yet */
	if (ckpt_st.runner == CKPT_RUNNER_QEMU && (r = ckpt_count_threads()) > 1)
		ckpt_st.helper_threads = r - 1;
	ckpt_st.sig = SIGUSR2;

	if (argv && argv[0]) {
		const char *b = ckpt_base_name(argv[0]);
		unsigned i;
		for (i = 0; i < sizeof(ckpt_st.comm) - 1 && b[i]; i++)
			ckpt_st.comm[i] = b[i];
		/* under qemu, comm is "qemu-x86_64": give pgrep the program's name */
		if (ckpt_st.runner == CKPT_RUNNER_QEMU)
			k_prctl(PR_SET_NAME, (unsigned long)ckpt_st.comm, 0, 0, 0);
	}

	arch_xstate_probe(&ckpt_st.xstate);

	if (read_config(envp) < 0)
		return;
	r = resolve_path(ckpt_file ? ckpt_file : "myckpt");
	if (r < 0) {
		ckpt_msg("checkpoints disabled", "cannot resolve the image path", r);
		return;
	}
	ckpt_stdio_given();
	ckpt_inherit_init(envp, auxv);
	ckpt_reserve_range();
	if (!ckpt_st.enabled)
		return;
	r = ckpt_install_handler(ckpt_st.sig);
	if (r < 0) {
		ckpt_st.enabled = 0;
		ckpt_msg("checkpoints disabled", "cannot install the signal handler", r);
		return;
	}
	r = ckpt_start_interval();
	if (r < 0)
		ckpt_msg("CKPT_INTERVAL ignored", "cannot create the timer", r);
}

/* public API: tells a program whether it runs under libckpt.so */
__attribute__((visibility("default"))) int ckpt_enabled(void)
{
	return ckpt_st.enabled;
}

/* nolibc's _start stays in the object code even in a library and calls
 * _start_c, which lives in the crt.h we leave out.  Nothing calls _start
 * here: this only satisfies the reference. */
__attribute__((noreturn)) void _start_c(void)
{
	k_exit_group(127);
}
