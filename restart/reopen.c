/* Reopening by path: the path of an fd record as this restart names it
 * (after --map), and an fd opened again through /proc/self/fd as an open
 * file description of its own (another access mode, offset and status
 * flags).  The descriptors (fds.c), the objects behind them (objects.c),
 * the mappings' backing (backing.c) and the locks' messages (locks.c)
 * all reopen this way; it depends on nothing of theirs. */
#include "restart.h"

/* f's path as this restart uses it (after --map) */
const char *path_of(const struct ckpt_fd *f)
{
	static char buf[CKPT_NAME_MAX];
	static const struct ckpt_fd *last;
	static const char *path;

	if (f != last) {
		last = f;
		path = pathmap(ckpt_fd_path(f), buf);
	}
	return path;
}

/* The file open as fd, opened again with flags (its own open file
 * description: other access mode, offset and status flags); or -errno */
long fd_reopen(long fd, int flags)
{
	struct out o = { .len = 0 };

	outf(&o, "/proc/self/fd/%u", (__u64)fd);
	o.buf[o.len] = 0;
	return k_openat(AT_FDCWD, o.buf, flags, 0);
}
