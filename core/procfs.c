/* The library's names under /proc/self: a thread's files, an fd's link
 * and its fdinfo.  Their own file, below every one that reads /proc, so
 * that the readers (threads, tids, fds, objects, locks, incr) need not
 * take them from one another. */
#include "libckpt.h"
#include "out.h"

/* "/proc/self/" dir n file, in buf (40 bytes and more) */
static void proc_path(char *buf, const char *dir, long n, const char *file)
{
	struct out o = { .len = 0 };
	out_str(&o, "/proc/self/");
	out_str(&o, dir);
	out_u64(&o, n);
	out_str(&o, file);
	memcpy(buf, o.buf, o.len);
	buf[o.len] = 0;
}

void ckpt_task_path(char *buf, long tid, const char *file)
{
	proc_path(buf, "task/", tid, file);
}

void ckpt_fdlink_path(char *buf, int fd)
{
	proc_path(buf, "fd/", fd, "");
}

long ckpt_fdinfo(int fd, char *buf, long cap)
{
	char path[40];
	long n;

	proc_path(path, "fdinfo/", fd, "");
	n = k_read_file(path, buf, cap - 1);
	if (n < 0 || n >= cap - 1)
		return 0;
	buf[n] = 0;
	return n;
}
