/* Children (CKPT_INHERIT).  Children keep LD_PRELOAD, so they can be
 * checkpointed too, but one image file never gets two writers: the
 * process started under the library owns the image path, and every other
 * process running the library that descends from it writes
 * <path>.<its pid> instead.
 *
 * - A child that forks without exec shares our memory image: at each
 *   checkpoint, a pid other than the one we last knew means a fork.
 * - A child that execs runs our constructor anew and knows nothing: the
 *   environment it inherits names the owner (CKPT_OWNER=<pid>) and the
 *   absolute image path (CKPT_FILE), so it also lands beside ours when
 *   it runs elsewhere.  A process that execs itself keeps its pid and so
 *   stays the owner.
 *
 * The initial environment array cannot grow, so the owner points the
 * program's environ at a static copy with both variables in it.  libc
 * has set environ before our constructor runs (ld.so initialises libc
 * before the preloaded objects, which come first in search order), main
 * receives environ as its envp, and glibc's setenv copies a foreign array
 * before growing it: programs see one consistent environment.  The marker
 * string itself is static, so the restart path rewrites the owner's new
 * pid in place, whatever array points at it by then.
 *
 * CKPT_INHERIT=0 instead takes this library out of LD_PRELOAD, in place
 * (strings only shrink), so programs this one execs run without it. */
#include "libckpt.h"
#include "out.h"

#define ENV_MAX 2048
/* all of this runs once per process or per checkpoint: size over speed
 * (the library has a size budget) */
#define COLD __attribute__((minsize))

static char *env_copy[ENV_MAX];
static char owner_var[32];                  /* "CKPT_OWNER=<pid>" */
static char file_var[16 + CKPT_PATH_MAX];   /* "CKPT_FILE=<path>" */

/* v in decimal at at, NUL-terminated */
COLD static void put_u(char *at, unsigned long v)
{
	struct out o = { .len = 0 };

	out_u64(&o, v);
	memcpy(at, o.buf, o.len);
	at[o.len] = 0;
}

/* default: the environment children inherit names us as the owner */
COLD static int mark_environment(const unsigned long *auxv)
{
	char ***env = ckpt_glibc_environ(auxv), **src, **dst = env_copy;

	/* a libc that copy-relocated environ into the executable leaves its
	 * own __environ at 0: that one is not live */
	if (!env || !*env)
		return -1;
	for (src = *env; *src; src++) {
		if (ckpt_starts_with(*src, "CKPT_OWNER=") || ckpt_starts_with(*src, "CKPT_FILE="))
			continue;
		if (dst == env_copy + ENV_MAX - 3)
			return -1;
		*dst++ = *src;
	}
	memcpy(owner_var, "CKPT_OWNER=", 11);
	put_u(owner_var + 11, ckpt_self.owner);
	memcpy(file_var, "CKPT_FILE=", 10);
	memcpy(file_var + 10, ckpt_self.path, ckpt_self.base_len + 1);
	*dst++ = owner_var;
	*dst++ = file_var;
	*dst = 0;
	*env = env_copy;
	return 0;
}

COLD static int same_file(const char *a, const char *b)
{
	struct statx x, y;

	return k_statx(AT_FDCWD, a, 0, STATX_INO, &x) == 0 && k_statx(AT_FDCWD, b, 0, STATX_INO, &y) == 0 &&
	       x.stx_ino == y.stx_ino && x.stx_dev_major == y.stx_dev_major && x.stx_dev_minor == y.stx_dev_minor;
}

/* Is this LD_PRELOAD entry us?  ld.so records an entry with a slash as
 * given and searches one without in the library path. */
COLD static int is_self(const char *tok, const char *self)
{
	const char *s;

	for (s = tok; *s && *s != '/'; s++)
		;
	if (!*s)
		return !strcmp(tok, ckpt_base_name(self));
	return !strcmp(tok, self) || same_file(tok, self);
}

/* CKPT_INHERIT=0: drop our entry from every LD_PRELOAD (entries are
 * separated by spaces or colons), and the variable once it is empty */
COLD static void drop_preload(char **envp, const char *self)
{
	char **p = envp;

	while (*p) {
		char *v = *p + 11, *r = v, *w = v;

		if (!ckpt_starts_with(*p, "LD_PRELOAD=")) {
			p++;
			continue;
		}
		while (*r) {
			/* w never passes r: what is read is never overwritten first */
			char *t = r, sep = t > v ? t[-1] : 0, c;
			int drop;

			while (*r && *r != ' ' && *r != ':')
				r++;
			c = *r;
			*r = 0;
			drop = r == t || is_self(t, self);
			*r = c;
			if (!drop) {
				if (w != v)
					*w++ = sep;
				while (t < r)
					*w++ = *t++;
			}
			if (*r)
				r++;
		}
		*w = 0;
		if (w != v) {
			p++;
			continue;
		}
		/* as unsetenv() does: the array shrinks, its end gets one NULL more */
		for (char **q = p; *q; q++)
			q[0] = q[1];
	}
}

/* In the constructor, once the image path is known; an owner passed down
 * in the environment that is not us makes us a descendant */
COLD void ckpt_inherit_init(char **envp, const unsigned long *auxv)
{
	const char *v = ckpt_env_get(envp, "CKPT_OWNER");
	long owner = v ? ckpt_parse_uint(v, 0x3fffffff) : 0;

	ckpt_self.pid = sys_getpid();
	ckpt_self.owner = owner > 0 ? owner : ckpt_self.pid;
	ckpt_self.tag = ckpt_self.owner == ckpt_self.pid ? 0 : ckpt_self.pid;
	ckpt_self.base_len = strlen(ckpt_self.path);
	if (!ckpt_cfg->inherit) {
		const char *self = ckpt_glibc_self(auxv);
		if (self)
			drop_preload(envp, self);
		else
			ckpt_msg("warning", "CKPT_INHERIT=0 ignored: cannot find this library's name", 0);
	} else if (!ckpt_self.tag && mark_environment(auxv) < 0) {
		ckpt_msg("warning", "environ not found or too large: programs this one execs may take its image for theirs", 0);
	}
}

/* In the signal handler, before the writer is forked: the image path of
 * this checkpoint */
COLD void ckpt_inherit_name(void)
{
	long pid = sys_getpid();

	if (pid != ckpt_self.pid)       /* a child that forked without exec */
		ckpt_self.pid = ckpt_self.tag = pid;
	ckpt_self.path[ckpt_self.base_len] = 0;
	if (ckpt_self.tag) {
		ckpt_self.path[ckpt_self.base_len] = '.';
		put_u(ckpt_self.path + ckpt_self.base_len + 1, ckpt_self.tag);
	}
}

/* In the restarted process (new pid): the owner stays the owner and its
 * children must learn its new pid; a descendant keeps its image name */
COLD void ckpt_inherit_restarted(void)
{
	ckpt_self.pid = sys_getpid();
	if (ckpt_self.tag)
		return;
	ckpt_self.owner = ckpt_self.pid;
	if (owner_var[0])
		put_u(owner_var + 11, ckpt_self.owner);
}
