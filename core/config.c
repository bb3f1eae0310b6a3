/* The configuration: the CKPT_* variables, read once by the constructor
 * into the one object nothing else may change (ckpt_cfg is a pointer to
 * const everywhere else), and the image path. */
#include "libckpt.h"
#include "out.h"
#include "runner.h"

extern struct ckpt_config ckpt_config_rw;
static struct ckpt_config *const cfg = &ckpt_config_rw;

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

/* whole seconds from 1 to max into *out, when name is set; -1 after one
 * line when bad (what: the message) */
static int seconds(char **envp, const char *name, long max, const char *what, unsigned *out)
{
	const char *v = ckpt_env_get(envp, name);
	long n;

	if (!v || !*v)
		return 0;
	n = ckpt_parse_uint(v, max);
	if (n < 1) {
		ckpt_msg(what, v, 0);
		return -1;
	}
	*out = n;
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
 * CKPT_FAULT, CKPT_THREAD_TIMEOUT, CKPT_FULL_EVERY.  A bad value: one line, and the program
 * runs without checkpointing. */
static int read_config(char **envp)
{
	const char *v = ckpt_env_get(envp, "CKPT_SIGNAL");

	if (v && *v && (cfg->sig = parse_signal(v)) < 0) {
		cfg->sig = SIGUSR2;     /* the one the user will send: answered */
		ckpt_msg("checkpoints disabled: bad CKPT_SIGNAL (a number or a name like USR2)", v, 0);
		return -1;
	}
	cfg->inherit = 1;
	cfg->verify = 1;
	cfg->save_written_max = 256ul << 20;
	if (flag(envp, "CKPT_VERBOSE", &cfg->verbose) || flag(envp, "CKPT_FSYNC", &cfg->fsync) ||
	    flag(envp, "CKPT_INHERIT", &cfg->inherit) || flag(envp, "CKPT_VERIFY", &cfg->verify) ||
	    flag(envp, "CKPT_SAVE_WRITTEN", &cfg->save_written) || flag(envp, "CKPT_SAVE_FILES", &cfg->save_files))
		return -1;
	v = ckpt_env_get(envp, "CKPT_SAVE_WRITTEN_MAX");
	if (v && *v && (long)(cfg->save_written_max = parse_size(v)) < 0) {
		ckpt_msg("checkpoints disabled: bad CKPT_SAVE_WRITTEN_MAX (bytes, or a number with K, M or G)", v, 0);
		return -1;
	}
	v = ckpt_env_get(envp, "CKPT_FAULT");
	if (v && *v) {
		/* the writer killing itself at one step of a checkpoint (tests
		 * of "never a set of images that does not restart") */
		static const char kills[] = "kill-writer-after-link\0kill-writer-before-rename\0kill-writer-before-drop";
		for (int k = 0; k < 3; k++)
			if (!strcmp(v, nth_str(kills, k)))
				cfg->fault_kill = k + 1;
		if (strcmp(v, "damage-image") && !cfg->fault_kill) {
			ckpt_msg("checkpoints disabled: bad CKPT_FAULT (damage-image, kill-writer-after-link, "
				 "kill-writer-before-rename or kill-writer-before-drop)", v, 0);
			return -1;
		}
		cfg->fault_damage = !cfg->fault_kill;
	}
	cfg->full_every = 8;
	if (seconds(envp, "CKPT_FULL_EVERY", CKPT_CHAIN_MAX,
		    "checkpoints disabled: bad CKPT_FULL_EVERY (a full image every n checkpoints, 1 to 64)",
		    &cfg->full_every) ||
	    seconds(envp, "CKPT_THREAD_TIMEOUT", 3600,
		    "checkpoints disabled: bad CKPT_THREAD_TIMEOUT (whole seconds, 1 to 3600)", &cfg->thread_timeout) ||
	    seconds(envp, "CKPT_INTERVAL", 99999999,
		    "checkpoints disabled: bad CKPT_INTERVAL (whole seconds, at least 1)", &cfg->interval))
		return -1;
	ckpt_file = ckpt_env_get(envp, "CKPT_FILE");
	if (ckpt_file && !*ckpt_file) {
		ckpt_msg("checkpoints disabled: empty CKPT_FILE", 0, 0);
		return -1;
	}
	return 0;
}

/* room is left for the ".<pid>" of a descendant's image (inherit.c) */
#define PATH_ROOM (sizeof(ckpt_self.path) - 12)

static int resolve_path(const char *name)
{
	long n;
	unsigned len, nl = strlen(name);

	if (name[0] == '/') {
		if (nl >= PATH_ROOM)
			return -ENAMETOOLONG;
		memcpy(ckpt_self.path, name, nl + 1);
		return 0;
	}
	n = k_getcwd(ckpt_self.path, sizeof(ckpt_self.path));
	if (n < 0)
		return n;
	len = strlen(ckpt_self.path);
	if (len + 1 + nl + 1 > PATH_ROOM)
		return -ENAMETOOLONG;
	if (len > 1)
		ckpt_self.path[len++] = '/';
	memcpy(ckpt_self.path + len, name, nl + 1);
	return 0;
}

/* the program's name, for comm under qemu and for the image */
static void set_comm(char **argv)
{
	const char *b;
	unsigned i;

	if (!argv || !argv[0])
		return;
	b = ckpt_base_name(argv[0]);
	for (i = 0; i < sizeof(cfg->comm) - 1 && b[i]; i++)
		cfg->comm[i] = b[i];
	/* under qemu, comm is "qemu-x86_64": give pgrep the program's name */
	if (cfg->runner == CKPT_RUNNER_QEMU)
		k_prctl(PR_SET_NAME, (unsigned long)cfg->comm, 0, 0, 0);
}

/* libckpt.so's own file, whose pages every image holds: an image must
 * not stop restarting because ckpt itself was rebuilt or upgraded */
static void self_file(const unsigned long *auxv)
{
	const char *self = ckpt_glibc_self(auxv);
	struct statx st;

	if (self && k_statx(AT_FDCWD, self, 0, STATX_INO, &st) == 0) {
		cfg->self_dev = (__u64)st.stx_dev_major << 32 | st.stx_dev_minor;
		cfg->self_ino = st.stx_ino;
	}
}

int ckpt_config_read(char **argv, char **envp, const unsigned long *auxv)
{
	long r;

	cfg->runner = runner_detect(auxv);
	cfg->sig = SIGUSR2;
	cfg->thread_timeout = 2;
	set_comm(argv);
	self_file(auxv);
	arch_xstate_probe(&cfg->xstate);
	if (read_config(envp) < 0)
		return -1;
	r = resolve_path(ckpt_file ? ckpt_file : "myckpt");
	if (r < 0) {
		ckpt_msg("checkpoints disabled", "cannot resolve the image path", r);
		return -1;
	}
	return 0;
}
