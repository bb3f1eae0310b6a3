/* Fds: reopened before the point of no return (so a missing
 * file is a clean refusal), parked above every number the program used,
 * and moved into place once the program's memory is back.  Files whose
 * contents the image holds (CKPT_SAVE_WRITTEN) are put back as they were
 * at the checkpoint, once every other fd has been reopened. */
#include "restart.h"

static int written(const struct ckpt_fd *f)
{
	return f->kind == CKPT_FD_FILE && (f->flags & O_ACCMODE) != O_RDONLY;
}

/* files the program writes: say that the image could have held them */
static const char *hint(const struct ckpt_fd *f)
{
	return written(f) && !(f->fdflags & CKPT_FDF_SAVED)
		? " (CKPT_SAVE_WRITTEN=1 at checkpoint time saves the files a program writes)" : "";
}

/* one line about f; returns -1.  A file that is not there may have
 * moved with the job: the line says how to tell myrestart where to. */
static long fd_report(const struct img *im, const struct ckpt_fd *f, const char *what, long err)
{
	report(im, "%s fd %u (%s): %s%s", what, (__u64)f->fd, path_of(f), err_str(err),
	       *pathmap_hint(err) ? pathmap_hint(err) : hint(f));
	return -1;
}

/* a file reopened by path that is not as it was: a warning, or with
 * --strict a refusal (returns 1) */
static int changed(const struct img *im, const struct ckpt_fd *f, const struct statx *st)
{
	const char *how = im->strict ? "refusing (--strict): " : "warning: ";

	if (st->stx_size != f->size)
		report(im, "%s%s changed size since the checkpoint (%u -> %u bytes)%s", how, path_of(f),
		     (__u64)f->size, (__u64)st->stx_size, hint(f));
	else if (st->stx_mtime.tv_sec != f->mtime_sec || st->stx_mtime.tv_nsec != f->mtime_nsec)
		report(im, "%s%s was modified since the checkpoint%s", how, path_of(f), hint(f));
	else
		return 0;
	return im->strict;
}

/* the saved contents of f into the file dst, copied by the kernel
 * (sendfile: no buffer of ours); 0 or -errno */
static long copy_out(const struct img *im, int dst, const struct ckpt_fd *f)
{
	__s64 off = f->data_off;
	__u64 done = 0;

	while (done < f->size) {
		long r = k_sendfile(dst, im->fd, &off, f->size - done);
		if (r <= 0)
			return r < 0 ? r : -EIO;
		done += r;
	}
	return 0;
}

/* the length of the directory part of path, its last '/' included */
static unsigned dir_len(const char *path, unsigned n)
{
	while (n > 1 && path[n - 1] != '/')
		n--;
	return n;
}

/* A file deleted while open: a new unlinked file (O_TMPFILE) in the same
 * directory, or in /tmp, with the saved contents; then opened again
 * through /proc/self/fd with the program's own flags. */
static long recreate_deleted(const struct img *im, const struct ckpt_fd *f, int flags)
{
	char dir[CKPT_NAME_MAX];
	unsigned n = dir_len(path_of(f), f->path_len - 1);
	long t, r;

	memcpy(dir, path_of(f), n);
	dir[n] = 0;
	t = k_openat(AT_FDCWD, dir, O_TMPFILE | O_RDWR | O_CLOEXEC, f->mode & 0777);
	if (t < 0)
		t = k_openat(AT_FDCWD, "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, f->mode & 0777);
	if (t < 0)
		return t;
	r = copy_out(im, t, f);
	if (!r)
		r = fd_reopen(t, flags);
	sys_close(t);
	return r;
}

/* the saved contents, mode and modification time into dst, synced */
static long fill(const struct img *im, int dst, const struct ckpt_fd *f)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { f->mtime_sec, f->mtime_nsec } };
	long r = copy_out(im, dst, f);

	if (!r)
		r = k_ftruncate(dst, f->size);
	if (!r)
		r = k_fchmod(dst, f->mode & 07777);
	if (!r)
		r = k_utimensat(dst, 0, ts, 0);
	return r ? r : k_fsync(dst);
}

/* CKPT_SAVE_WRITTEN: the file as it was at the checkpoint.  When the path
 * still leads to the file the program had open, it is rewritten in place:
 * programs remember which file they opened (SQLite checks the inode at
 * every transaction and takes a replaced database for a read-only one),
 * and hard links and ownership stay.  An interrupted rewrite is completed
 * by running myrestart again: the image holds the whole contents.  A file
 * that is gone or was replaced is written beside its path and renamed
 * over it, so that a crash leaves the old file or the new one. */
static long put_back(const struct img *im, const struct ckpt_fd *f)
{
	static char tmp[CKPT_NAME_MAX + 16];
	unsigned n = f->path_len - 1;
	struct statx st;
	long t, r;

	t = k_openat(AT_FDCWD, path_of(f), O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (t >= 0 && k_statx(t, "", AT_EMPTY_PATH, STATX_INO, &st) == 0 && st.stx_ino == f->ino &&
	    ((__u64)st.stx_dev_major << 32 | st.stx_dev_minor) == f->dev) {
		r = fill(im, t, f);
		sys_close(t);
		return r;
	}
	if (t >= 0)
		sys_close(t);
	memcpy(tmp, path_of(f), n);
	memcpy(tmp + n, ".ckpt-tmp", 10);
	t = k_openat(AT_FDCWD, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (t < 0)
		return t;
	r = fill(im, t, f);
	sys_close(t);
	if (!r)
		r = k_renameat(AT_FDCWD, tmp, AT_FDCWD, path_of(f));
	if (r)
		k_unlinkat(AT_FDCWD, tmp, 0);
	return r;
}

static int is_recorded(const struct img *im, const char *path)
{
	for (unsigned i = 0; i < im->nfds; i++)
		if (!strcmp(path_of(im->fds[i]), path))
			return 1;
	return 0;
}

/* CKPT_SAVE_WRITTEN: a file next to a put-back one whose name extends
 * its name (a database's "-journal") and that was created after the
 * checkpoint belongs to the future this restart discards: a program
 * would take it for its own (a hot journal played back onto the old
 * database).  Moved aside to NAME.ckpt-stale, with a warning. */
static void move_aside_newer(const struct img *im, const struct ckpt_fd *f)
{
	static char dents[4096], path[CKPT_NAME_MAX + 256], aside[CKPT_NAME_MAX + 300];
	unsigned dn = dir_len(path_of(f), f->path_len - 1), bn = f->path_len - 1 - dn;
	long dfd, n;

	memcpy(path, path_of(f), dn);
	path[dn] = 0;
	dfd = k_openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (dfd < 0)
		return;
	while ((n = sys_getdents64(dfd, (void *)dents, sizeof(dents))) > 0)
		for (long off = 0; off < n; ) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(dents + off);
			unsigned len = strlen(d->d_name);
			struct statx st;
			off += d->d_reclen;
			if (len <= bn || memcmp(d->d_name, path_of(f) + dn, bn) || dn + len + 12 > sizeof(path))
				continue;
			memcpy(path + dn, d->d_name, len + 1);
			if (is_recorded(im, path) ||
			    k_statx(dfd, d->d_name, AT_SYMLINK_NOFOLLOW, STATX_BTIME | STATX_TYPE, &st) < 0 ||
			    !(st.stx_mask & STATX_BTIME) || !S_ISREG(st.stx_mode) ||
			    st.stx_btime.tv_sec < (__s64)im->info->time ||
			    (st.stx_btime.tv_sec == (__s64)im->info->time && st.stx_btime.tv_nsec < im->info->time_nsec))
				continue;
			memcpy(aside, path, dn + len);
			memcpy(aside + dn + len, ".ckpt-stale", 12);
			if (k_renameat(AT_FDCWD, path, AT_FDCWD, aside) == 0)
				report(im, "warning: %s was created after the checkpoint; moved aside to %s", path, aside);
		}
	sys_close(dfd);
}

/* the fd for record f, not yet in place; or -errno */
static long reopen(struct img *im, const struct ckpt_fd *f)
{
	int flags = f->flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY);
	struct statx st;
	long t, r;

	if (f->kind == CKPT_FD_NULL) {
		/* the checkpoint named it too; said again where it takes effect */
		if (!strncmp(ckpt_fd_path(f), "pipe:", 5) || !strncmp(ckpt_fd_path(f), "socket:", 7))
			report(im, "warning: fd %u (%s) had its other end outside the process: it is /dev/null now",
			       (__u64)f->fd, ckpt_fd_path(f));
		return k_openat(AT_FDCWD, "/dev/null", O_RDWR, 0);
	}

	if (f->kind == CKPT_FD_DELETED) {
		t = recreate_deleted(im, f, flags);
		return t < 0 ? fd_report(im, f, "cannot recreate", t) : t;
	}
	if ((f->fdflags & CKPT_FDF_SAVED) && (r = put_back(im, f)) < 0)
		return fd_report(im, f, "cannot put back", r);
	t = k_openat(AT_FDCWD, path_of(f), flags, 0);
	if (t < 0)
		return fd_report(im, f, "cannot reopen", t);
	if (S_ISREG(f->mode) && k_statx(t, "", AT_EMPTY_PATH, STATX_SIZE | STATX_MTIME, &st) == 0 &&
	    changed(im, f, &st)) {
		sys_close(t);
		return -1;
	}
	return t;
}

/* t moved above every number the program uses, as record i's fd */
static int park(struct img *im, unsigned i, long t)
{
	long h = k_fcntl(t, F_DUPFD_CLOEXEC, im->fd_base);

	sys_close(t);
	if (h < 0)
		return fd_report(im, im->fds[i], "cannot hold", h);
	im->held[i] = h;
	return 0;
}

/* each fd of the records with (saved) or without (!saved) contents
 * to put back, reopened or made again and held at base or above; 0 or 1.
 * A pair's second end is made with the first. */
static __u8 tree_held[IMG_FDS_MAX];   /* 1 + FD_CLOEXEC: a tree's object */

static int hold(struct img *im, int saved)
{
	for (unsigned i = 0; i < im->nfds; i++) {
		const struct ckpt_fd *f = im->fds[i];
		int late = f->kind == CKPT_FD_FILE && (f->fdflags & CKPT_FDF_SAVED), other, cx, from;
		long t = member_fd(f->fd, &cx, &from), r;

		/* shared with another process of the tree: what it was (a
		 * socketpair's end with the bytes it had queued) */
		if (t >= 0) {
			if (saved)
				continue;
			if (f->kind == CKPT_FD_SOCKET && (r = socks_tree_end(im, f, t, from)) < 0)
				return fd_report(im, f, "cannot refill", r);
			tree_held[i] = 1 + cx;
			if (park(im, i, k_fcntl(t, F_DUPFD_CLOEXEC, 0)))
				return 1;
			continue;
		}

		if (f->kind == CKPT_FD_STDIO || f->kind == CKPT_FD_DUP || late != saved || im->held[i] >= 0)
			continue;
		if (f->kind >= CKPT_FD_PIPE) {
			t = f->kind == CKPT_FD_SOCKET ? socks_make(im, f, &other) : objs_make(im, i, &other);
			if (t < 0)        /* (a socket's is said) */
				return f->kind == CKPT_FD_SOCKET ? 1 : fd_report(im, f, "cannot make again", t);
			if (other >= 0 && park(im, objs_index(im, f->peer), other))
				return 1;
		} else if ((t = reopen(im, f)) < 0) {
			return 1;
		}
		if (park(im, i, t))
			return 1;
		if (saved)
			move_aside_newer(im, f);
	}
	return 0;
}

/* fd is the very regular file f was at the checkpoint: its size now, else -1 */
static long long same_file(const struct ckpt_fd *f)
{
	struct statx st;

	if (k_statx(f->fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_INO | STATX_SIZE, &st) == 0 &&
	    S_ISREG(st.stx_mode) && st.stx_ino == f->ino &&
	    ((__u64)st.stx_dev_major << 32 | st.stx_dev_minor) == f->dev)
		return st.stx_size;
	return -1;
}

/* `myrestart myckpt >out` truncates the file the program wrote before
 * the checkpoint: said, with the redirection that keeps it */
static void stdio_truncated(const struct img *im, const struct ckpt_fd *f)
{
	long long size = same_file(f);

	if (size >= 0 && (__u64)size < f->pos)
		report(im, "warning: fd %u is the file the program had there, but %z long where it had reached %z "
		       "(a '>' truncated it): '%u<>FILE' or '%u>>FILE' keeps what it wrote", (__u64)f->fd,
		       (__u64)size, f->pos, (__u64)f->fd, (__u64)f->fd);
}

int fds_prepare(struct img *im)
{
	int base = im->fd + 1;
	unsigned i;

	for (i = 0; i < im->nfds; i++) {
		im->held[i] = -1;
		if (im->fds[i]->kind == CKPT_FD_STDIO)
			stdio_truncated(im, im->fds[i]);
		if (im->fds[i]->fd >= base)
			base = im->fds[i]->fd + 1;
	}
	im->fd_base = base;
	/* files are put back only when everything else could be reopened */
	return hold(im, 0) || hold(im, 1);
}

/* 0, 1 and 2 stay what myrestart was given.  When one of them is the
 * very file it was at the checkpoint (same device and inode, as with
 * `myrestart myckpt <input` or `1<>output`), it goes back to the offset
 * the program had reached; not when the file is now shorter than that
 * (a `>` redirection truncated it: the user wants a fresh file). */
static void stdio_offset(const struct ckpt_fd *f)
{
	long long size = same_file(f);

	if (size >= 0 && (__u64)size >= f->pos)
		k_lseek(f->fd, f->pos, SEEK_SET);
}

/* After the point of no return: the image fd and anything else
 * myrestart inherited give way to the program's own fds; then the
 * numbers that shared an open file description share it again, and
 * each epoll watches what it watched. */
void fds_install(struct img *im)
{
	int fd;
	unsigned i;

	member_close_temps();
	/* one call where the kernel has it (5.9), else each number */
	if (im->fd_base > 3 && k_close_range(3, im->fd_base - 1, 0) < 0)
		for (fd = 3; fd < im->fd_base; fd++)
			sys_close(fd);
	for (i = 0; i < im->nfds; i++) {
		const struct ckpt_fd *f = im->fds[i];
		if (tree_held[i]) {
			k_dup3(im->held[i], f->fd, tree_held[i] == 2 ? O_CLOEXEC : 0);
			sys_close(im->held[i]);
			continue;
		}
		if (f->kind == CKPT_FD_STDIO) {
			stdio_offset(f);
			continue;
		}
		if (f->kind == CKPT_FD_DUP)
			continue;
		k_dup3(im->held[i], f->fd, f->fdflags & CKPT_FDF_CLOEXEC ? O_CLOEXEC : 0);
		sys_close(im->held[i]);
		if (f->kind == CKPT_FD_FILE || f->kind == CKPT_FD_DELETED || f->kind == CKPT_FD_MEMFD)
			k_lseek(f->fd, f->pos, SEEK_SET);
	}
	for (i = 0; i < im->nfds; i++)
		if (im->fds[i]->kind == CKPT_FD_DUP && !tree_held[i])
			k_dup3(im->fds[i]->peer, im->fds[i]->fd, im->fds[i]->fdflags & CKPT_FDF_CLOEXEC ? O_CLOEXEC : 0);
	for (i = 0; i < im->nfds; i++)
		if (im->fds[i]->kind == CKPT_FD_EPOLL)
			objs_watch(im, im->fds[i]);
}
