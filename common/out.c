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

const char *err_str(long err)
{
	switch (err < 0 ? -err : err) {
	case EPERM: return "operation not permitted";
	case ENOENT: return "no such file or directory";
	case EINTR: return "interrupted";
	case EIO: return "input/output error";
	case EBADF: return "bad file descriptor";
	case ENOMEM: return "out of memory";
	case EACCES: return "permission denied";
	case EFAULT: return "bad address";
	case EBUSY: return "busy";
	case EEXIST: return "file exists";
	case ENOTDIR: return "not a directory";
	case EISDIR: return "is a directory";
	case EINVAL: return "invalid argument";
	case EMFILE: return "too many open files";
	case EFBIG: return "file too large";
	case ENOSPC: return "no space left on device";
	case EROFS: return "read-only file system";
	case ENAMETOOLONG: return "file name too long";
	case ELOOP: return "too many symbolic links";
	case EDQUOT: return "disk quota exceeded";
	case ENOSYS: return "function not implemented";
	default: return "system error";
	}
}
