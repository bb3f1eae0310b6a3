/* See out.h. */
#include "out.h"

void out_str(struct out *o, const char *s)
{
	while (s && *s && o->len < sizeof(o->buf) - 1)
		o->buf[o->len++] = *s++;
}

void out_chr(struct out *o, char c)
{
	if (o->len < sizeof(o->buf) - 1)
		o->buf[o->len++] = c;
}

void out_u64(struct out *o, __u64 v)
{
	char t[21];
	int i = 20;
	t[i] = 0;
	do {
		t[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	out_str(o, t + i);
}

void out_hex(struct out *o, __u64 v, int width)
{
	char t[17];
	int i = 16;
	t[i] = 0;
	do {
		t[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (16 - i < width && i > 0)
		t[--i] = '0';
	out_str(o, t + i);
}

void out_size(struct out *o, __u64 v)
{
	static const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;
	__u64 scaled = v * 10;
	while (scaled >= 10240 && u < 4) {
		scaled /= 1024;
		u++;
	}
	out_u64(o, scaled / 10);
	if (u) {
		out_chr(o, '.');
		out_u64(o, scaled % 10);
	}
	out_chr(o, ' ');
	out_str(o, unit[u]);
}

void out_flush(struct out *o, int fd)
{
	k_write_full(fd, o->buf, o->len);
	o->len = 0;
}

/* code byte, then text: a table instead of a switch keeps the restarter small */
static const char err_text[] =
	"\001operation not permitted\0" "\002no such file or directory\0" "\004interrupted\0"
	"\005input/output error\0" "\011bad fd\0" "\014out of memory\0"
	"\015permission denied\0" "\016bad address\0" "\020busy\0" "\021file exists\0"
	"\024not a directory\0" "\025is a directory\0" "\026invalid argument\0"
	"\030too many open files\0" "\033file too large\0" "\034no space left on device\0"
	"\036read-only file system\0" "\044file name too long\0" "\046function not implemented\0"
	"\050too many symbolic links\0" "\142address in use\0" "\143address not available\0"
	"\157connection refused\0" "\172disk quota exceeded\0";

const char *err_str(long err)
{
	const char *p = err_text;
	if (err < 0)
		err = -err;
	for (; *p; p += strlen(p) + 1)
		if (*p == err)
			return p + 1;
	return "system error";
}

static void out_num(struct out *o, char conv, __u64 v)
{
	if (conv == 'd' && v < 10)
		out_chr(o, '0');
	if (conv == 'z' && !o->exact)
		out_size(o, v);
	else if (conv == 'u' || conv == 'z' || conv == 'd')
		out_u64(o, v);
	else
		out_hex(o, v, conv == 'X' ? 16 : 0);
}

const char *nth_str(const char *p, int n)
{
	while (n--)
		p += strlen(p) + 1;
	return p;
}

void voutf(struct out *o, const char *f, __builtin_va_list ap)
{
	for (; *f; f++) {
		if (f[0] != '%' || !f[1]) {
			out_chr(o, *f);
			continue;
		}
		switch (*++f) {
		case 's':
			out_str(o, __builtin_va_arg(ap, const char *));
			break;
		case 'u': case 'd': case 'x': case 'X': case 'z':
			out_num(o, *f, __builtin_va_arg(ap, __u64));
			break;
		default:
			out_chr(o, *f);
		}
	}
}

void out_pad(struct out *o, unsigned col)
{
	while (o->len < col && o->len < sizeof(o->buf) - 1)
		out_chr(o, ' ');
}

void outf(struct out *o, const char *fmt, ...)
{
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	voutf(o, fmt, ap);
	__builtin_va_end(ap);
}
