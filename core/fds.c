/* Open files.  The program and the forked writer share every
 * open file: offsets, status flags and file contents move on
 * as soon as the program resumes.  So all of that is captured inside the
 * pause, by fds_capture() in the signal handler, into a snapshot the
 * writer inherits: per fd one statx, two fcntl and one lseek
 * (under a microsecond), plus the contents of the files that must be
 * saved (deleted ones; with CKPT_SAVE_WRITTEN, those open for writing).
 * The writer then adds the paths (a readlink of /proc/self/fd each, which
 * costs several times the rest, and a path is not shared state), turns
 * the snapshot into records (fds_records) and stores the contents
 * (fds_write_contents), reading nothing of the program's files itself.
 *
 * Regular files, directories and devices are reopened by path at restart;
 * a deleted file comes back as an unlinked file with its saved contents;
 * what cannot be reopened (pipes, sockets...) is named in a warning and
 * becomes /dev/null, so that fd numbers stay put.  0, 1 and 2 are
 * STDIO records while they are what the program was started with
 * (myrestart then keeps its own, see restart/fds.c); a program that
 * reopened one of them (dd of=FILE makes it its fd 1, sort -o
 * too) gets it back like any other fd. */
#include "libckpt.h"
#include "crc32c.h"
#include "out.h"

/* in the library's memory, so in every image too: the pages a checkpoint
 * touched (64 fds a page) */
static struct fds_snap snap;

static int ends_with(const char *s, unsigned len, const char *tail)
{
	unsigned n = strlen(tail);
	return len >= n && !memcmp(s + len - n, tail, n);
}

/* one fd into s->fd[s->n]; 0, or -errno to fail the checkpoint */
static long capture_one(struct fds_snap *s, int fd)
{
	struct fd_snap *f = &s->fd[s->n];
	struct statx st;
	long r;

	if (s->n == CKPT_FDS_MAX)
		return -EMFILE;
	r = k_statx(fd, "", AT_EMPTY_PATH,
		    STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_SIZE | STATX_INO | STATX_MTIME, &st);
	if (r < 0)
		return 0;               /* closed meanwhile (another thread): not ours */
	memset(f, 0, sizeof(*f));
	f->fd = fd;
	f->mode = st.stx_mode;
	f->size = st.stx_size;
	f->dev = (__u64)st.stx_dev_major << 32 | st.stx_dev_minor;
	f->ino = st.stx_ino;
	f->mtime_sec = st.stx_mtime.tv_sec;
	f->mtime_nsec = st.stx_mtime.tv_nsec;
	f->oflags = k_fcntl(fd, F_GETFL, 0);
	f->cloexec = k_fcntl(fd, F_GETFD, 0) == FD_CLOEXEC;
	r = k_lseek(fd, 0, SEEK_CUR);
	f->pos = r < 0 ? 0 : r;         /* pipes, sockets, ttys: no offset */
	/* unlinked (or an O_TMPFILE, a memfd): it cannot be reopened */
	f->deleted = S_ISREG(f->mode) && !st.stx_nlink;
	f->stdio = fd <= 2 && ckpt_stdio_is_given(fd, f->dev, f->ino);
	objs_classify(f);
	s->n++;
	return 0;
}

/* Whose contents go into the image: a deleted file always (it cannot be
 * reopened), a file open for writing with CKPT_SAVE_WRITTEN up to its
 * size limit (larger ones are named in a warning by the writer). */
static int must_save(const struct fd_snap *f)
{
	if (f->stdio || !S_ISREG(f->mode) || f->same >= 0)
		return 0;
	if (f->deleted)
		return 1;
	return ckpt_cfg->save_written && (f->oflags & O_ACCMODE) != O_RDONLY &&
	       f->size <= ckpt_cfg->save_written_max;
}

/* the saved files' contents, read with pread (the program's offset is
 * untouched) through the program's own fd, or where that cannot read
 * (write-only, O_DIRECT) through /proc/self/fd: an open file of our own,
 * whose close drops the process's POSIX locks on the file, so they are
 * taken again */
static long read_contents(struct fds_snap *s, __u64 *at)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct fd_snap *f = &s->fd[i];
		char proc[32];
		long fd, r = -EBADF;
		if (!f->saved || !S_ISREG(f->mode))
			continue;           /* (a pipe's or socket's bytes are objs_capture()'s) */
		if ((f->oflags & O_ACCMODE) != O_WRONLY)
			r = k_pread_full(f->fd, s->contents + *at, f->size, 0);
		if (r < 0) {
			ckpt_fdlink_path(proc, f->fd);
			fd = k_openat(AT_FDCWD, proc, O_RDONLY | O_CLOEXEC, 0);
			if (fd < 0)
				return fd;
			r = k_pread_full(fd, s->contents + *at, f->size, 0);
			sys_close(fd);
			locks_retake(s);
		}
		if (r < 0)
			return r;
		f->size = r;            /* shorter only if someone else truncated it */
		f->data_at = *at;
		*at += (f->size + CKPT_PAGE - 1) & ~(CKPT_PAGE - 1);
	}
	return 0;
}

/* One mapping (reserved, not committed: only what is written costs) for
 * what the kernel objects hold and the file locks, then the saved files'
 * contents (whose reading may need the locks). */
static long capture_contents(struct fds_snap *s, const char **why)
{
	__u64 total = 0, at = 0;
	int objs = 0;
	long a, r;

	objs_find_dups(s);
	for (unsigned i = 0; i < s->n; i++) {
		if ((s->fd[i].saved = must_save(&s->fd[i])))
			total += (s->fd[i].size + CKPT_PAGE - 1) & ~(CKPT_PAGE - 1);
		total += objs_bound(&s->fd[i]);
		objs |= s->fd[i].obj != 0 || fd_lockable(&s->fd[i]);
	}
	if (!total && !objs)
		return 0;
	total += OBJS_TAIL;
	a = k_mmap(0, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (k_failed(a))
		return a;
	s->contents = (char *)a;
	s->contents_size = total;
	if ((r = objs_capture(s, s->contents, &at, total, why)) < 0)
		return r;
	return read_contents(s, &at);
}

/* Each fd's path, read in the pause: the program, running on, may rename
 * a file the writer would then record by its new name (a compiler that
 * renames its output as it finishes: restarted, it renames no more).
 * 0 or -errno. */
static long read_paths(struct fds_snap *s)
{
	__u64 used = 0;
	long a;

	s->paths_size = ((__u64)s->n * CKPT_NAME_MAX + CKPT_PAGE - 1) & ~(CKPT_PAGE - 1);
	if (!s->paths_size)
		return 0;
	a = k_mmap(0, s->paths_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (k_failed(a))
		return a;
	s->paths = (char *)a;
	for (unsigned i = 0; i < s->n; i++) {
		struct fd_snap *f = &s->fd[i];
		char proc[32];
		long r;

		f->path = s->paths + used;
		ckpt_fdlink_path(proc, f->fd);
		r = k_readlink(proc, f->path, CKPT_NAME_MAX - 1);
		if (r <= 0)
			r = 0;            /* gone: an empty path, a NULL record */
		f->path[r] = 0;
		/* unlinked since its statx (by a process outside the pause):
		 * recorded by the name it had, which the restart finds missing */
		if (!f->deleted && S_ISREG(f->mode) && ends_with(f->path, r, " (deleted)"))
			f->path[r -= 10] = 0;
		f->path_len = r + 1;
		used += r + 1;
	}
	return 0;
}

/* In the pause: the snapshot of every fd; 0 or -errno (then
 * nothing is left mapped, and *why may say what failed). */
long fds_capture(struct fds_snap **out, const char **why)
{
	static char dents[4096];
	struct fds_snap *s = &snap;
	long dfd, n, r = 0;

	s->n = 0;
	s->contents = 0;
	s->contents_size = 0;
	s->paths = 0;
	s->paths_size = 0;
	s->watches = 0;
	s->nshm = 0;
	s->shm_data = 0;
	s->ranges = 0;
	s->nlocks = 0;
	socks_reset();
	*why = 0;
	dfd = k_openat(AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (dfd < 0)
		return dfd;
	while (!r && (n = sys_getdents64(dfd, (void *)dents, sizeof(dents))) > 0)
		for (long off = 0; off < n && !r; ) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(dents + off);
			long fd = ckpt_parse_num(d->d_name, 10);
			off += d->d_reclen;
			if (d->d_name[0] >= '0' && d->d_name[0] <= '9' && fd != dfd && fd != ckpt_incr_fd())
				r = capture_one(s, fd);
		}
	sys_close(dfd);
	if (!r && (r = read_paths(s)))
		*why = "no memory for the paths of the fds";
	if (!r)
		r = capture_contents(s, why);
	if (!r)
		r = shm_capture(s, why);
	if (r) {
		fds_release(s);
		return r;
	}
	*out = s;
	return 0;
}

/* The identity of 0, 1 and 2 as the program was given them (dev, inode;
 * dev 0 and inode 0: closed): at start, and after a restart for those
 * that were still the given ones. */
static struct { __u64 dev, ino; } given[3];

static void stdio_identity(int fd)
{
	struct statx st;

	given[fd].dev = given[fd].ino = 0;
	if (k_statx(fd, "", AT_EMPTY_PATH, STATX_INO, &st) == 0) {
		given[fd].dev = (__u64)st.stx_dev_major << 32 | st.stx_dev_minor;
		given[fd].ino = st.stx_ino;
	}
}

void ckpt_stdio_given(void)
{
	for (int fd = 0; fd <= 2; fd++)
		stdio_identity(fd);
}

int ckpt_stdio_is_given(int fd, __u64 dev, __u64 ino)
{
	return given[fd].dev == dev && given[fd].ino == ino;
}

/* In the restarted process: the fds that were the given ones
 * are now myrestart's, which the user gave it */
void ckpt_stdio_restarted(void)
{
	const struct fds_snap *s = &snap;

	for (unsigned i = 0; i < s->n; i++)
		if (s->fd[i].stdio)
			stdio_identity(s->fd[i].fd);
}

/* In the program, once the writer has its copy */
void fds_release(struct fds_snap *s)
{
	if (s && s->contents)
		k_munmap((unsigned long)s->contents, s->contents_size);
	if (s && s->shm_data)
		k_munmap((unsigned long)s->shm_data, s->shm_size);
	if (s && s->ranges)
		k_munmap((unsigned long)s->ranges, s->ranges_size);
	if (s && s->paths)
		k_munmap((unsigned long)s->paths, s->paths_size);
}

/* "libckpt: warning: fd 5 (path) what" */
static void warn_fd(const struct fd_snap *f, const char *what)
{
	struct out o = { .len = 0 };
	outf(&o, "libckpt: warning: fd %u (%s) %s\n", (__u64)f->fd, f->path, what);
	out_flush(&o, 2);
}

static __u32 kind_of(const struct fds_snap *s, const struct fd_snap *f)
{
	const char *p = f->path, *why;
	__u32 k;

	if (f->stdio && ckpt_tree_owners_stdio(f->dev, f->ino))
		return CKPT_FD_STDIO;
	if ((k = objs_kind(s, f, &why)))
		return k;
	if (why)
		return CKPT_FD_NULL;
	if (f->deleted)
		return CKPT_FD_DELETED;
	if (p[0] != '/' || ends_with(p, f->path_len - 1, " (deleted)") ||
	    S_ISFIFO(f->mode) || S_ISSOCK(f->mode) || !(f->mode & S_IFMT) ||
	    /* a terminal other than 0-2 belongs to a session that is gone */
	    (S_ISCHR(f->mode) && (ckpt_starts_with(p, "/dev/pts/") || ckpt_starts_with(p, "/dev/tty"))))
		return CKPT_FD_NULL;
	return CKPT_FD_FILE;
}

/* a SOCKET record's socket, and the bytes a restart gives it: a
 * connected stream's unread ones (datagrams queued are not kept) */
static void socket_record(const struct fds_snap *s, const struct fd_snap *sf, struct ckpt_fd *f)
{
	const struct ckpt_sock *k = socks_of(sf);

	memcpy((struct ckpt_sock *)(f + 1), k, sizeof(*k));
	f->peer = sf->peer;           /* a TCP connection's other end here, or -1 */
	f->aux = 0;
	memset(f->val, 0, sizeof(f->val));
	/* (a datagram socket's queue only where the tree makes its pair) */
	if ((k->state != CKPT_SS_CONNECTED && k->state != CKPT_SS_CLOSED) || !sf->size ||
	    (k->type == SOCK_DGRAM && !ckpt_tree_holds(sf->fd)))
		f->fdflags &= ~CKPT_FDF_SAVED;
	if (!(f->fdflags & CKPT_FDF_SAVED))
		f->size = 0;
	for (__u64 at = 0, n; at + 4 <= f->size; at += (4 + n + 3) & ~3ul)
		((struct ckpt_sock *)(f + 1))->queued += n = *(const __u32 *)(s->contents + sf->data_at + at);
	if (!ckpt_tree_holds(sf->fd))
		socks_warn(sf);
}

/* In the writer: the FD records into buf (cap bytes, enough for
 * CKPT_FDS_MAX of them and every watch); returns the bytes used, the
 * count in *count. */
__u64 fds_records(const struct fds_snap *s, char *buf, unsigned *count)
{
	__u64 used = 0;

	for (unsigned i = 0; i < s->n; i++) {
		const struct fd_snap *sf = &s->fd[i];
		struct ckpt_rec *h = (struct ckpt_rec *)(buf + used);
		struct ckpt_fd *f = (struct ckpt_fd *)(h + 1);
		const char *why;

		memset(f, 0, sizeof(*f));
		f->fd = sf->fd;
		f->kind = kind_of(s, sf);
		if (f->kind == CKPT_FD_NULL && !ckpt_tree_holds(sf->fd)) {
			objs_kind(s, sf, &why);
			warn_fd(sf, why ? why : "cannot be checkpointed; it will be /dev/null after a restart");
		}
		locks_warn(s, sf, f->kind);
		f->flags = sf->oflags & ~O_CLOEXEC;
		f->fdflags = (sf->cloexec ? CKPT_FDF_CLOEXEC : 0) | (sf->saved && f->kind != CKPT_FD_NULL ? CKPT_FDF_SAVED : 0);
		if (ckpt_cfg->save_written && f->kind == CKPT_FD_FILE && !sf->saved && S_ISREG(sf->mode) &&
		    (sf->oflags & O_ACCMODE) != O_RDONLY)
			warn_fd(sf, "is larger than CKPT_SAVE_WRITTEN_MAX; not saved, it will be reopened as it is then");
		f->pos = sf->pos;
		f->size = sf->size;
		f->dev = sf->dev;
		f->ino = sf->ino;
		f->mtime_sec = sf->mtime_sec;
		f->mtime_nsec = sf->mtime_nsec;
		f->mode = sf->mode;
		f->peer = f->kind == CKPT_FD_DUP ? sf->same : sf->peer;
		f->aux = sf->aux;
		memcpy(f->val, sf->val, sizeof(f->val));
		if (f->kind == CKPT_FD_EPOLL)
			f->aux = objs_watches(s, sf, (struct ckpt_watch *)(f + 1), kind_of);
		if (f->kind == CKPT_FD_SOCKET)
			socket_record(s, sf, f);
		f->path_len = sf->path_len;
		memcpy((char *)ckpt_fd_path(f), sf->path, sf->path_len);
		h->type = CKPT_REC_FD;
		h->size = ckpt_fd_path(f) + f->path_len - (const char *)f;
		used += ckpt_rec_size(h->size);
	}
	*count = s->n;
	return used;
}

/* In the writer: the saved contents at *off in the image (page aligned),
 * filling in each record's data_off and data_crc.  0 or -errno. */
long fds_write_contents(const struct fds_snap *s, char *recs, __u64 size, int img_fd, __u64 *off)
{
	unsigned i = 0;

	for (__u64 at = 0; at < size; i++) {
		struct ckpt_rec *h = (struct ckpt_rec *)(recs + at);
		struct ckpt_fd *f = (struct ckpt_fd *)(h + 1);
		const struct fd_snap *sf = &s->fd[i];
		__u64 len = (f->size + CKPT_PAGE - 1) & ~(CKPT_PAGE - 1);
		long r;

		at += ckpt_rec_size(h->size);
		if (!(f->fdflags & CKPT_FDF_SAVED))
			continue;
		f->data_off = *off;
		f->data_crc = crc32c(0, s->contents + sf->data_at, f->size);
		/* the tail of the last page is zero in the snapshot already */
		r = k_write_full(img_fd, s->contents + sf->data_at, len);
		if (r < 0)
			return r;
		*off += len;
	}
	return 0;
}
