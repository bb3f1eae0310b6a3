/* Text: the library's one-line messages and the few string helpers the
 * constructor and the children's bookkeeping need (no libc here). */
#include "libckpt.h"
#include "out.h"

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

void ckpt_fail_msg(const char *what, const char *name, long err)
{
	struct out o = { .len = 0 };

	out_str(&o, "libckpt: checkpoint ");
	out_u64(&o, ckpt_rt.ncheckpoints);
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

__u64 ckpt_parse_num(const char *p, unsigned base)
{
	__u64 v = 0;

	for (;; p++) {
		unsigned d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : 16;
		if (d >= base)
			return v;
		v = v * base + d;
	}
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

