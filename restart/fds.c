/* File descriptors: reopened before the point of no return (so a missing
 * file is a clean refusal), parked above every number the program used,
 * and moved into place once the program's memory is back. */
#include "restart.h"


int fds_check(const struct img *im, const struct ckpt_fd *f, __u32 size)
{
	const char *path = (const char *)(f + 1);

	if (size < sizeof(*f) || f->path_len < 2 || f->path_len > CKPT_NAME_MAX ||
	    sizeof(*f) + f->path_len != size || path[f->path_len - 1] ||
	    f->fd < 3 || f->fd >= (1 << 20) || f->kind < CKPT_FD_FILE || f->kind > CKPT_FD_NULL)
		return fail(im, "bad descriptor record");
	for (unsigned i = 0; i < im->nfds; i++)
		if (im->fds[i]->fd == f->fd)
			return fail(im, "bad descriptor record (duplicate)");
	return 0;
}

static int fd_fail(const struct img *im, const struct ckpt_fd *f, const char *what, long err)
{
	struct out *o = msg(im);
	out_str(o, what);
	out_str(o, " fd ");
	out_u64(o, f->fd);
	out_str(o, " (");
	out_str(o, (const char *)(f + 1));
	out_str(o, "): ");
	out_str(o, err_str(err));
	return msg_end();
}

static void size_warning(const struct img *im, const struct ckpt_fd *f, __u64 now)
{
	struct out *o = msg(im);
	out_str(o, "warning: ");
	out_str(o, (const char *)(f + 1));
	out_str(o, " changed size since the checkpoint (");
	out_u64(o, f->size);
	out_str(o, " -> ");
	out_u64(o, now);
	out_str(o, " bytes)");
	msg_end();
}

int fds_prepare(struct img *im)
{
	int base = im->fd + 1;
	unsigned i;

	for (i = 0; i < im->nfds; i++)
		if (im->fds[i]->fd >= base)
			base = im->fds[i]->fd + 1;
	im->fd_base = base;
	for (i = 0; i < im->nfds; i++) {
		const struct ckpt_fd *f = im->fds[i];
		int flags = f->flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY);
		long t, h;
		struct statx st;

		if (f->kind == CKPT_FD_NULL)
			t = k_openat(AT_FDCWD, "/dev/null", O_RDWR, 0);
		else
			t = k_openat(AT_FDCWD, (const char *)(f + 1), flags, 0);
		if (t < 0)
			return fd_fail(im, f, "cannot reopen", t);
		if (f->kind == CKPT_FD_FILE && S_ISREG(f->mode) &&
		    k_statx(t, "", AT_EMPTY_PATH, STATX_SIZE, &st) == 0 && st.stx_size != f->size)
			size_warning(im, f, st.stx_size);
		h = my_syscall3(__NR_fcntl, t, F_DUPFD_CLOEXEC, base);
		sys_close(t);
		if (h < 0)
			return fd_fail(im, f, "cannot hold", h);
		im->held[i] = h;
	}
	return 0;
}

/* After the point of no return: the image descriptor and anything else
 * myrestart inherited give way to the program's own descriptors. */
void fds_install(struct img *im)
{
	int fd;
	unsigned i;

	for (fd = 3; fd < im->fd_base; fd++)
		sys_close(fd);
	for (i = 0; i < im->nfds; i++) {
		const struct ckpt_fd *f = im->fds[i];
		my_syscall3(__NR_dup3, im->held[i], f->fd, f->cloexec ? O_CLOEXEC : 0);
		sys_close(im->held[i]);
		if (f->kind == CKPT_FD_FILE)
			my_syscall3(__NR_lseek, f->fd, f->pos, SEEK_SET);
	}
}
