/* The kernel objects of the image's FD records, made again before the
 * point of no return, so that a failure is still a clean refusal: pipes
 * and socketpairs with the bytes they held, eventfd, timerfd, signalfd,
 * epoll, memfd with its contents and seals.  An epoll's watches name the
 * program's fd numbers, so they are added once every fd is in place
 * (objs_watch, from fds_install). */
#include "restart.h"

#define EFD_SEMAPHORE   1
#define MFD_ALLOW_SEALING 2

int objs_index(const struct img *im, int fd)
{
	for (unsigned i = 0; i < im->nfds; i++)
		if (im->fds[i]->fd == fd)
			return i;
	return -1;
}

/* the image's bytes [off, off + len) mapped read-only (len > 0), or 0 */
static const char *image_bytes(const struct img *im, __u64 off, __u64 len)
{
	long a = k_mmap(0, len, PROT_READ, MAP_PRIVATE, im->fd, off);
	return k_failed(a) ? 0 : (const char *)a;
}

/* pipe: the saved bytes written into its other end; both ends made */
static long make_pipe(const struct img *im, const struct ckpt_fd *f, const struct ckpt_fd *peer, int *other)
{
	int p[2], rd = (f->flags & O_ACCMODE) == O_RDONLY;
	const struct ckpt_fd *r = rd ? f : peer;
	long n = 0;

	if (k_pipe2(p, O_NONBLOCK) < 0)
		return -EMFILE;
	if (r->aux > 65536)
		k_fcntl(p[1], F_SETPIPE_SZ, r->aux);
	if (r->fdflags & CKPT_FDF_SAVED && r->size) {
		__s64 off = r->data_off;
		n = k_sendfile(p[1], im->fd, &off, r->size);
	}
	*other = rd ? p[1] : p[0];
	return n < 0 || (__u64)n != ((r->fdflags & CKPT_FDF_SAVED) ? r->size : 0) ? -ENOSPC : rd ? p[0] : p[1];
}

static void sock_options(int s, const struct ckpt_fd *f)
{
	int v[3] = { f->val[0] / 2, f->val[1] / 2, f->val[2] };   /* the kernel doubles buffer sizes */
	static const int opt[3] = { SO_RCVBUF, SO_SNDBUF, SO_PASSCRED };

	for (int k = 0; k < 3; k++)
		k_setsockopt(s, SOL_SOCKET, opt[k], &v[k], sizeof(int));
}

/* a socket queue's messages (__u32 length + bytes, padded to 4; n bytes
 * at b) sent again by socket from: 0 or -errno */
long sock_send_queue(int from, const char *b, __u64 n)
{
	long r = 0;

	for (__u64 at = 0; at + 4 <= n && r >= 0; ) {
		__u32 len = *(const __u32 *)(b + at);
		r = len > n - at - 4 ? -EINVAL : k_sendto(from, b + at + 4, len, MSG_DONTWAIT, 0, 0);
		if (r >= 0 && r != len)
			r = -ENOSPC;
		at += (4 + len + 3) & ~3ul;
	}
	return r < 0 ? r : 0;
}

/* the messages saved for end f, sent by its peer's socket from */
long objs_refill(const struct img *im, const struct ckpt_fd *f, int from)
{
	const char *b;
	long r;

	if (!(f->fdflags & CKPT_FDF_SAVED) || !f->size)
		return 0;
	if (!(b = image_bytes(im, f->data_off, f->size)))
		return -ENOMEM;
	r = sock_send_queue(from, b, f->size);
	k_munmap((unsigned long)b, f->size);
	return r;
}

/* an eventfd with its counter (which eventfd2 takes only 32 bits of) */
long make_eventfd(__u64 count, int semaphore)
{
	long t = k_eventfd(0, semaphore ? EFD_SEMAPHORE : 0);

	if (t >= 0 && count && k_write_full(t, &count, 8) < 0) {
		sys_close(t);
		t = -EINVAL;
	}
	return t;
}

/* socketpair: each end's queue sent again from the other end */
static long make_sockpair(const struct img *im, const struct ckpt_fd *f, const struct ckpt_fd *peer, int *other)
{
	int sv[2];
	long r;

	if ((r = k_socketpair(AF_UNIX, f->aux, 0, sv)) < 0)
		return r;
	sock_options(sv[0], f);
	sock_options(sv[1], peer);
	*other = sv[1];
	if ((r = objs_refill(im, f, sv[1])) < 0 || (r = objs_refill(im, peer, sv[0])) < 0)
		return r;
	return sv[0];
}

static long make_timerfd(const struct ckpt_fd *f)
{
	/* ticks not read yet come back as one expiry, at once */
	__u64 value = f->val[2] ? 1 : f->val[0];
	struct itimerspec its = {
		{ f->val[1] / 1000000000, f->val[1] % 1000000000 }, { value / 1000000000, value % 1000000000 } };
	long t = k_timerfd_create(f->aux, 0), r;

	if (t >= 0 && value && (r = k_timerfd_settime(t, 0, &its, 0)) < 0)
		return r;
	return t;
}

/* memfd: its name (from "/memfd:NAME (deleted)"), contents and seals */
static long make_memfd(const struct img *im, const struct ckpt_fd *f)
{
	char name[250];
	const char *p = ckpt_fd_path(f) + 7;
	unsigned n = f->path_len - 8;
	__s64 off = f->data_off;
	long t, r = 0;

	if (n >= 10 && !memcmp(p + n - 10, " (deleted)", 10))
		n -= 10;
	if (n > sizeof(name) - 1)
		n = sizeof(name) - 1;
	memcpy(name, p, n);
	name[n] = 0;
	t = k_memfd_create(name, f->aux == F_SEAL_SEAL ? 0 : MFD_ALLOW_SEALING);
	if (t < 0)
		return t;
	if (f->size)
		r = k_sendfile(t, im->fd, &off, f->size);
	if (r >= 0 && (__u64)r != f->size)
		r = -EIO;
	if (r >= 0)
		r = k_ftruncate(t, f->size);
	if (r >= 0 && f->aux && f->aux != F_SEAL_SEAL)
		r = k_fcntl(t, F_ADD_SEALS, f->aux);
	if (r >= 0 && (f->flags & O_ACCMODE) != O_RDWR) {
		r = fd_reopen(t, f->flags & ~(O_CREAT | O_EXCL | O_TRUNC));
		sys_close(t);
		t = r;
	}
	return r < 0 ? r : t;
}

/* The fd for object record i, not yet in place; a pair's other end in
 * *other (else -1).  -errno on failure. */
long objs_make(const struct img *im, unsigned i, int *other)
{
	const struct ckpt_fd *f = im->fds[i], *peer = 0;
	long t;

	*other = -1;
	if (f->kind == CKPT_FD_PIPE || f->kind == CKPT_FD_SOCKPAIR)
		peer = im->fds[objs_index(im, f->peer)];
	switch (f->kind) {
	case CKPT_FD_PIPE:     t = make_pipe(im, f, peer, other); break;
	case CKPT_FD_SOCKPAIR: t = make_sockpair(im, f, peer, other); break;
	case CKPT_FD_EVENTFD:  t = make_eventfd(f->val[0], f->aux); break;
	case CKPT_FD_TIMERFD:  t = make_timerfd(f); break;
	case CKPT_FD_SIGNALFD: t = k_signalfd(-1, &f->val[0], 8, 0); break;
	case CKPT_FD_EPOLL:    t = k_epoll_create(0); break;
	default:               t = make_memfd(im, f); break;
	}
	/* O_NONBLOCK, O_APPEND...: what F_SETFL sets */
	if (t >= 0)
		k_fcntl(t, F_SETFL, f->flags);
	if (*other >= 0)
		k_fcntl(*other, F_SETFL, peer->flags);
	return t;
}

/* After every fd is in place: epoll f's watches.  A watch the kernel
 * refuses now is a warning: the point of no return is behind us. */
void objs_watch(const struct img *im, const struct ckpt_fd *f)
{
	const struct ckpt_watch *w = ckpt_fd_watches(f);

	for (unsigned k = 0; k < f->aux; k++) {
		struct { __u32 events; __u64 data; } ARCH_EPOLL_PACKED ev = { w[k].events, w[k].data };
		long r = k_epoll_ctl(f->fd, EPOLL_CTL_ADD, w[k].fd, &ev);
		if (r < 0)
			report(im, "warning: epoll fd %u cannot watch fd %u again: %s", (__u64)f->fd, (__u64)w[k].fd,
			       err_str(r));
	}
}
