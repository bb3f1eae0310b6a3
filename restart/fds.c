/* File descriptors: reopened before the point of no return (so a missing
 * file is a clean refusal), parked above every number the program used,
 * and moved into place once the program's memory is back. */
#include "restart.h"


int fds_check(const struct img *im, const struct ckpt_fd *f, __u32 size)
{
	const char *path = (const char *)(f + 1);

	if (size < sizeof(*f) || f->path_len < 2 || f->path_len > CKPT_NAME_MAX ||
	    sizeof(*f) + f->path_len != size || path[f->path_len - 1] ||
	    f->fd < 3 || f->fd >= (1 << 20) || f->kind < CKPT_FD_FILE || f->kind > CKPT_FD_DELETED)
		return fail(im, "bad descriptor record");
	if (f->kind == CKPT_FD_DELETED &&
	    (f->data_off % CKPT_PAGE || f->data_off < im->hd.data_off ||
	     f->data_off - im->hd.data_off > im->hd.data_size ||
	     f->size > im->hd.data_size - (f->data_off - im->hd.data_off)))
		return fail(im, "bad descriptor record (deleted file contents)");
	for (unsigned i = 0; i < im->nfds; i++)
		if (im->fds[i]->fd == f->fd)
			return fail(im, "bad descriptor record (duplicate)");
	return 0;
}

static int fd_fail(const struct img *im, const struct ckpt_fd *f, const char *what, long err)
{
	return fail(im, "%s fd %u (%s): %s", what, (__u64)f->fd, (const char *)(f + 1), err_str(err));
}

static int size_warning(const struct img *im, const struct ckpt_fd *f, __u64 now)
{
	fail(im, "%s%s changed size since the checkpoint (%u -> %u bytes)",
	     im->strict ? "refusing (--strict): " : "warning: ", (const char *)(f + 1),
	     (__u64)f->size, now);
	return im->strict;
}

/* A file deleted while open: a new unlinked file (O_TMPFILE) in the same
 * directory, or in /tmp, with the saved contents copied in by the kernel
 * (sendfile: no buffer of ours); then opened again through /proc/self/fd
 * with the program's own flags. */
static long recreate_deleted(const struct img *im, const struct ckpt_fd *f, int flags)
{
	char dir[CKPT_NAME_MAX];
	const char *path = (const char *)(f + 1);
	unsigned n = f->path_len - 1;
	long t, r = 0;
	__s64 off = f->data_off;
	__u64 done = 0;
	struct out o = { .len = 0 };

	while (n > 1 && path[n - 1] != '/')
		n--;
	memcpy(dir, path, n);
	dir[n] = 0;
	t = k_openat(AT_FDCWD, dir, O_TMPFILE | O_RDWR | O_CLOEXEC, f->mode & 0777);
	if (t < 0)
		t = k_openat(AT_FDCWD, "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, f->mode & 0777);
	if (t < 0)
		return t;
	while (done < f->size) {
		r = my_syscall4(__NR_sendfile, t, im->fd, &off, f->size - done);
		if (r <= 0)
			break;
		done += r;
	}
	outf(&o, "/proc/self/fd/%u", (__u64)t);
	o.buf[o.len] = 0;
	r = done < f->size ? (r < 0 ? r : -EIO) : k_openat(AT_FDCWD, o.buf, flags, 0);
	sys_close(t);
	return r;
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
		else if (f->kind == CKPT_FD_DELETED)
			t = recreate_deleted(im, f, flags);
		else
			t = k_openat(AT_FDCWD, (const char *)(f + 1), flags, 0);
		if (t < 0)
			return fd_fail(im, f, f->kind == CKPT_FD_DELETED ? "cannot recreate" : "cannot reopen", t);
		if (f->kind == CKPT_FD_FILE && S_ISREG(f->mode) &&
		    k_statx(t, "", AT_EMPTY_PATH, STATX_SIZE, &st) == 0 && st.stx_size != f->size &&
		    size_warning(im, f, st.stx_size)) {
			sys_close(t);
			return 1;
		}
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
		if (f->kind != CKPT_FD_NULL)
			my_syscall3(__NR_lseek, f->fd, f->pos, SEEK_SET);
	}
}
