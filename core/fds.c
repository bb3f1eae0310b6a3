/* Open file descriptors, as the writer sees them in /proc/self/fd (the
 * writer shares them with the program: it only looks, never seeks).
 * Regular files, directories and devices are reopened by path at restart;
 * a regular file that was deleted while open has its contents saved and
 * comes back as an unlinked file; what cannot be reopened (pipes,
 * sockets...) is named in a warning and becomes /dev/null, so that
 * descriptor numbers stay put. */
#include "ckpt.h"
#include "crc32c.h"
#include "out.h"

static __u64 dec(const char *p, int base)
{
	__u64 v = 0;
	for (; *p >= '0' && *p < '0' + base; p++)
		v = v * base + (*p - '0');
	return v;
}

static const char *field(const char *text, const char *key)
{
	unsigned n = strlen(key);
	for (const char *p = text; *p; p++)
		if ((p == text || p[-1] == '\n') && !memcmp(p, key, n))
			return p + n;
	return 0;
}

static void proc_fd_path(char *buf, const char *dir, int fd)
{
	struct out o = { .len = 0 };
	out_str(&o, dir);
	out_u64(&o, fd);
	memcpy(buf, o.buf, o.len);
	buf[o.len] = 0;
}

static void warn_fd(int fd, const char *path)
{
	struct out o = { .len = 0 };
	out_str(&o, "libckpt: warning: fd ");
	out_u64(&o, fd);
	out_str(&o, " (");
	out_str(&o, path);
	out_str(&o, ") cannot be checkpointed; it will be /dev/null after a restart\n");
	out_flush(&o, 2);
}

/* One record for descriptor fd at p; returns its size, 0 to skip it. */
static __u64 one_fd(int fd, char *p, __u64 room)
{
	struct ckpt_rec *h = (struct ckpt_rec *)p;
	struct ckpt_fd *f = (struct ckpt_fd *)(h + 1);
	char *path = (char *)(f + 1), proc[64], info[512];
	struct statx st;
	const char *v;
	long n, lfd, len;

	if (room < sizeof(*h) + sizeof(*f) + CKPT_NAME_MAX + 8)
		return 0;
	proc_fd_path(proc, "/proc/self/fd/", fd);
	n = k_readlink(proc, path, CKPT_NAME_MAX - 1);
	if (n <= 0 || k_statx(fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_SIZE | STATX_MODE, &st) < 0)
		return 0;
	path[n] = 0;
	len = n;
	proc_fd_path(proc, "/proc/self/fdinfo/", fd);
	lfd = k_openat(AT_FDCWD, proc, O_RDONLY | O_CLOEXEC, 0);
	if (lfd < 0)
		return 0;
	n = k_read_full(lfd, info, sizeof(info) - 1);
	sys_close(lfd);
	info[n > 0 ? n : 0] = 0;
	memset(f, 0, sizeof(*f));
	f->fd = fd;
	f->mode = st.stx_mode;
	f->size = st.stx_size;
	if ((v = field(info, "pos:\t")))
		f->pos = dec(v, 10);
	if ((v = field(info, "flags:\t")))
		f->flags = dec(v, 8);
	f->cloexec = !!(f->flags & O_CLOEXEC);
	f->flags &= ~O_CLOEXEC;
	f->kind = CKPT_FD_FILE;
	if (len > 10 && !memcmp(path + len - 10, " (deleted)", 10) && S_ISREG(st.stx_mode))
		f->kind = CKPT_FD_DELETED;    /* contents saved by ckpt_fds_write_deleted() */
	else if (path[0] != '/' || (len > 10 && !memcmp(path + len - 10, " (deleted)", 10)) ||
		 S_ISFIFO(st.stx_mode) || S_ISSOCK(st.stx_mode) ||
		 /* a terminal other than 0-2 belongs to a session that is gone */
		 (S_ISCHR(st.stx_mode) && (!memcmp(path, "/dev/pts/", 9) || !memcmp(path, "/dev/tty", 8)))) {
		warn_fd(fd, path);
		f->kind = CKPT_FD_NULL;
	}
	f->path_len = strlen(path) + 1;
	h->type = CKPT_REC_FD;
	h->size = sizeof(*f) + f->path_len;
	return sizeof(*h) + ((h->size + 7) & ~7ul);
}

/* Writes the fd records into buf (cap bytes); returns bytes used and the
 * record count in *count.  skip: descriptors of the writer itself. */
__u64 ckpt_fds_records(char *buf, __u64 cap, unsigned *count, int skip)
{
	static char dents[32768];
	__u64 used = 0;
	long dfd, n;

	*count = 0;
	dfd = k_openat(AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (dfd < 0)
		return 0;
	while ((n = sys_getdents64(dfd, (void *)dents, sizeof(dents))) > 0) {
		for (long off = 0; off < n; ) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(dents + off);
			int fd = d->d_name[0] >= '0' && d->d_name[0] <= '9' ? (int)dec(d->d_name, 10) : -1;
			__u64 sz;
			off += d->d_reclen;
			if (fd <= 2 || fd == dfd || fd == skip)
				continue;
			sz = one_fd(fd, buf + used, cap - used);
			if (sz) {
				used += sz;
				(*count)++;
			}
		}
	}
	sys_close(dfd);
	return used;
}

/* Appends the contents of every deleted-but-open file to the image at *off
 * (page aligned), filling in each record's size, data_off and data_crc.
 * Read through /proc/self/fd: a fresh description, so the program's own
 * offset is untouched, even for a descriptor opened write-only. */
int ckpt_fds_write_deleted(char *recs, __u64 size, int img_fd, __u64 *off)
{
	const __u64 chunk = 1ul << 20;
	long buf = 0;

	for (__u64 at = 0; at < size; ) {
		struct ckpt_rec *h = (struct ckpt_rec *)(recs + at);
		struct ckpt_fd *f = (struct ckpt_fd *)(h + 1);
		char proc[64];
		__u64 got = 0;
		__u32 crc = 0;
		long fd, r;

		at += sizeof(*h) + ((h->size + 7) & ~7ul);
		if (f->kind != CKPT_FD_DELETED)
			continue;
		if (!buf && (buf = k_mmap(0, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) < 0)
			return buf;
		proc_fd_path(proc, "/proc/self/fd/", f->fd);
		fd = k_openat(AT_FDCWD, proc, O_RDONLY | O_CLOEXEC, 0);
		if (fd < 0)
			return fd;
		while ((r = k_pread(fd, (void *)buf, chunk, got)) > 0) {
			crc = crc32c(crc, (const void *)buf, r);
			if ((r = k_write_full(img_fd, (const void *)buf, r)) < 0)
				break;
			got += r;
		}
		sys_close(fd);
		if (r < 0)
			return r;
		f->data_off = *off;
		f->size = got;
		f->data_crc = crc;
		*off += (got + CKPT_PAGE - 1) & ~(CKPT_PAGE - 1);
		if ((r = my_syscall3(__NR_lseek, img_fd, *off, SEEK_SET)) < 0)
			return r;
	}
	if (buf)
		k_munmap(buf, chunk);
	return 0;
}
