/* Kernel objects whose whole state the process can see from inside:
 * pipes with both ends here, AF_UNIX socketpairs, eventfd, timerfd,
 * signalfd, epoll, memfd, and numbers that share one open file
 * description (dup).  What the program can change once it runs on
 * (buffered bytes, counters, timers, interest lists) is read in the
 * pause: objs_classify() for each fd as fds_capture() meets it, then
 * objs_capture() into the snapshot's scratch.  What never changes (which
 * socket is whose peer) is found by the writer, objs_pair_sockets(). */
#include "libckpt.h"
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include "out.h"

#define OBJ_INOTIFY 100          /* warned, not restored */
#define KCMP_FILE    0

/* one watch as the pause read it; the writer checks ino against the
 * target's before it turns it into a struct ckpt_watch */
struct obj_watch {
	__s32 fd;
	__u32 events;
	__u64 data, ino;
};

static int qemu(void)
{
	return ckpt_cfg->runner == CKPT_RUNNER_QEMU;
}

static long sockopt(int fd, int opt)
{
	int v = 0;
	unsigned len = sizeof(v);
	long r = k_getsockopt(fd, SOL_SOCKET, opt, &v, &len);
	return r < 0 ? r : v;
}

/* In the pause, for each fd (f filled by capture_one): which object it is */
void objs_classify(struct fd_snap *f)
{
	static const char names[] = "anon_inode:[eventfd]\0anon_inode:[timerfd]\0anon_inode:[signalfd]\0"
				    "anon_inode:[eventpoll]\0anon_inode:inotify";
	static const __u32 kind[] = { CKPT_FD_EVENTFD, CKPT_FD_TIMERFD, CKPT_FD_SIGNALFD, CKPT_FD_EPOLL, OBJ_INOTIFY };
	char proc[32], link[64];
	long n;

	f->same = f->peer = f->sock = -1;
	if (S_ISFIFO(f->mode))
		f->obj = CKPT_FD_PIPE;
	if (S_ISSOCK(f->mode))
		socks_classify(f);
	if ((f->mode & S_IFMT) && !f->deleted)
		return;
	ckpt_fdlink_path(proc, f->fd);
	n = k_readlink(proc, link, sizeof(link) - 1);
	if (n <= 0)
		return;
	link[n] = 0;
	if (f->deleted) {
		if (ckpt_starts_with(link, "/memfd:"))
			f->obj = CKPT_FD_MEMFD;
		return;
	}
	for (unsigned k = 0; k < sizeof(kind) / sizeof(kind[0]); k++)
		if (!strcmp(link, nth_str(names, k)))
			f->obj = kind[k];
}

/* scratch bytes objs_capture() may need for f's buffered data */
__u64 objs_bound(const struct fd_snap *f)
{
	int n = 0;

	if (f->obj == CKPT_FD_PIPE && (f->oflags & O_ACCMODE) == O_RDONLY &&
	    k_ioctl(f->fd, FIONREAD, &n) == 0)
		return (n + CKPT_PAGE - 1) & ~(CKPT_PAGE - 1);
	if (f->obj == CKPT_FD_SOCKPAIR)   /* a queue is bounded by the sender's buffer */
		return 4ul << 20;
	if (f->obj == CKPT_FD_SOCKET)
		return socks_bound(f);
	return 0;
}

/* fds in order of (dev, ino), then number */
static int before(const struct fd_snap *a, const struct fd_snap *b)
{
	if (a->dev != b->dev)
		return a->dev < b->dev;
	if (a->ino != b->ino)
		return a->ino < b->ino;
	return a->fd < b->fd;
}

static void sort_fds(const struct fds_snap *s, unsigned short *order)
{
	for (unsigned i = 0; i < s->n; i++)
		order[i] = i;
	for (unsigned gap = s->n / 2; gap; gap /= 2)      /* shell sort */
		for (unsigned i = gap; i < s->n; i++)
			for (unsigned j = i; j >= gap && before(&s->fd[order[j]], &s->fd[order[j - gap]]); j -= gap) {
				unsigned short t = order[j];
				order[j] = order[j - gap];
				order[j - gap] = t;
			}
}

/* the fds of one inode, order[lo..hi), lowest number first: each is a
 * new open file description, kept in rep[] in kcmp's order (a binary
 * search, so many fds of one file cost n log n comparisons), or names
 * the one it shares.  0, 1, 2 as the program was given them are never
 * named dups (myrestart keeps its own), but others may share theirs. */
static void dups_of(struct fds_snap *s, const unsigned short *order, unsigned lo, unsigned hi,
		    unsigned short *rep)
{
	long pid = k_getpid();
	unsigned nrep = 0;

	for (unsigned k = lo; k < hi; k++) {
		struct fd_snap *f = &s->fd[order[k]];
		unsigned a = 0, b = nrep;
		int found = -1, ordered = 1;
		while (a < b && found < 0 && ordered) {
			unsigned m = (a + b) / 2;
			long c = k_kcmp(pid, pid, KCMP_FILE, s->fd[rep[m]].fd, f->fd);
			if (c == 0)
				found = rep[m];
			else if (c == 1)
				a = m + 1;
			else if (c == 2)
				b = m;
			else
				ordered = 0;
		}
		for (unsigned m = 0; !ordered && m < nrep && found < 0; m++)   /* no order: one by one */
			if (k_kcmp(pid, pid, KCMP_FILE, s->fd[rep[m]].fd, f->fd) == 0)
				found = rep[m];
		if (found >= 0) {
			if (!f->stdio)
				f->same = s->fd[found].fd;
			continue;
		}
		a = ordered ? a : nrep;
		for (unsigned m = nrep++; m > a; m--)
			rep[m] = rep[m - 1];
		rep[a] = order[k];
	}
}

/* In the pause, first: fds that share one open file description (the
 * later ones name the first of them) */
void objs_find_dups(struct fds_snap *s)
{
	static unsigned short order[CKPT_FDS_MAX], rep[CKPT_FDS_MAX];
	unsigned lo = 0;

	sort_fds(s, order);
	for (unsigned hi = 1; hi <= s->n; hi++)
		if (hi == s->n || s->fd[order[hi]].ino != s->fd[order[lo]].ino ||
		    s->fd[order[hi]].dev != s->fd[order[lo]].dev) {
			if (hi - lo > 1)
				dups_of(s, order, lo, hi, rep);
			lo = hi;
		}
}

/* the bytes buffered in pipe r, copied with tee(2) into a scratch pipe of
 * the same size and read from there: the pipe itself is not touched */
static long pipe_bytes(struct fd_snap *r, char *buf)
{
	int p[2], n = 0;
	long got = 0, t;

	if (k_ioctl(r->fd, FIONREAD, &n) < 0 || !n)
		return 0;
	if ((t = k_pipe2(p, O_CLOEXEC | O_NONBLOCK)) < 0)
		return t;
	t = k_fcntl(p[1], F_SETPIPE_SZ, r->aux);
	if (t >= 0)
		t = k_tee(r->fd, p[1], n, 2 /* SPLICE_F_NONBLOCK */);
	if (t == n)
		got = k_read_full(p[0], buf, n);
	sys_close(p[0]);
	sys_close(p[1]);
	return t < 0 ? t : t != n ? -EIO : got;
}

static void pair_pipes(struct fds_snap *s, char *buf, __u64 *at)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct fd_snap *r = &s->fd[i];
		long n;
		if (r->obj != CKPT_FD_PIPE || r->same >= 0 || (r->oflags & O_ACCMODE) != O_RDONLY)
			continue;
		for (unsigned j = 0; j < s->n && r->peer < 0; j++) {
			struct fd_snap *w = &s->fd[j];
			if (w->obj == CKPT_FD_PIPE && w->same < 0 && w->peer < 0 && w->ino == r->ino &&
			    w->dev == r->dev && (w->oflags & O_ACCMODE) == O_WRONLY) {
				r->peer = w->fd;
				w->peer = r->fd;
				r->aux = w->aux = k_fcntl(r->fd, F_GETPIPE_SZ, 0);
			}
		}
		if (r->peer < 0 || (n = pipe_bytes(r, buf + *at)) < 0) {
			r->peer = -1;            /* a lone end: /dev/null, with a warning */
			continue;
		}
		r->saved = 1;
		r->size = n;
		r->data_at = *at;
		*at += (n + CKPT_PAGE - 1) & ~(CKPT_PAGE - 1);
	}
}

/* An AF_UNIX socket's queue, peeked message by message (SO_PEEK_OFF walks
 * it; the queue is left as it was) into buf as __u32 length + bytes,
 * padded to 4.  The bytes stored, or -errno. */
static long objs_sock_queue(int fd, int type, char *buf, __u64 cap)
{
	__u64 used = 0;
	long r, off = 0;

	r = sockopt(fd, SO_PEEK_OFF);
	if (r >= 0 || (r = k_setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(int))) < 0)
		return r < 0 ? r : -EBUSY;     /* the program peeks with offsets itself */
	for (;;) {
		if (cap - used < 8)
			r = -ENOBUFS;
		else
			r = k_recv(fd, buf + used + 4, cap - used - 8,
					MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC);
		if (r < 0 || (__u64)r > cap - used - 8)
			break;
		if (r == 0 && type == SOCK_STREAM)
			break;                   /* the peer shut its end: nothing more */
		*(__u32 *)(buf + used) = r;
		used += (4 + r + 3) & ~3ul;
	}
	off = -1;
	k_setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(int));
	return r == -EAGAIN ? (long)used : r < 0 ? r : -ENOBUFS;
}

/* qemu-user 7.2 can neither peek past a socket's first message
 * (SO_PEEK_OFF) nor ask sock_diag whose peer a socket is.  There, a
 * socket without a name is given one (autobind: the kernel does the same
 * to a socket that sends with SO_PASSCRED) and two sockets whose peer
 * names are each other's unique names are a pair; their queues are read
 * with one peek (a stream's) or taken out and sent again by the other end
 * (messages), which leaves them as they were: both ends are ours and
 * every thread is parked. */
struct sock_name {
	unsigned len;
	char addr[112];
};

/* the socket's own address, or with peer its peer's */
static void sock_name(int fd, int peer, struct sock_name *n)
{
	n->len = sizeof(n->addr);
	if ((peer ? k_getpeername(fd, n->addr, &n->len) : k_getsockname(fd, n->addr, &n->len)) < 0 ||
	    n->len > sizeof(n->addr))
		n->len = 0;
}

static int same_name(const struct sock_name *a, const struct sock_name *b)
{
	return a->len > 2 && a->len == b->len && !memcmp(a->addr, b->addr, a->len);
}

static void qemu_pair_sockets(struct fds_snap *s, struct sock_name *own)
{
	static const __u16 unnamed = AF_UNIX;
	struct sock_name pa, pb;

	for (unsigned i = 0; i < s->n; i++) {
		if (s->fd[i].obj != CKPT_FD_SOCKPAIR || s->fd[i].same >= 0)
			continue;
		sock_name(s->fd[i].fd, 0, &own[i]);
		if (own[i].len == 2 &&
		    k_bind(s->fd[i].fd, &unnamed, sizeof(unnamed)) == 0)
			sock_name(s->fd[i].fd, 0, &own[i]);
	}
	for (unsigned i = 0; i < s->n; i++) {
		struct fd_snap *f = &s->fd[i];
		unsigned k = 0, n = 0;
		if (f->obj != CKPT_FD_SOCKPAIR || f->same >= 0 || f->peer >= 0)
			continue;
		sock_name(f->fd, 1, &pa);
		for (unsigned j = 0; j < s->n; j++)
			if (s->fd[j].obj == CKPT_FD_SOCKPAIR && s->fd[j].same < 0 && same_name(&own[j], &pa))
				k = j, n++;
		if (n != 1 || k == i)
			continue;
		sock_name(s->fd[k].fd, 1, &pb);
		if (same_name(&own[i], &pb)) {
			f->peer = s->fd[k].fd;
			s->fd[k].peer = f->fd;
		}
	}
}

/* qemu: f's queue, whose other end (from) is ours too */
static long qemu_queue(struct fd_snap *f, int from, char *buf, __u64 cap)
{
	__u64 used = 0;
	long r;

	if (f->aux == SOCK_STREAM) {
		r = k_recv(f->fd, buf + 4, cap - 8, MSG_PEEK | MSG_DONTWAIT);
		if (r == -EAGAIN || r == 0)
			return 0;
		*(__u32 *)buf = r;
		return r < 0 ? r : (__u64)r >= cap - 8 ? -ENOBUFS : (r + 7) & ~3l;
	}
	while (cap - used >= 8 &&
	       (r = k_recv(f->fd, buf + used + 4, cap - used - 8, MSG_DONTWAIT)) >= 0) {
		*(__u32 *)(buf + used) = r;
		used += (4 + r + 3) & ~3ul;
	}
	for (__u64 at = 0; at < used; at += (4 + *(__u32 *)(buf + at) + 3) & ~3ul)
		k_send(from, buf + at + 4, *(__u32 *)(buf + at), MSG_DONTWAIT);
	return cap - used < 8 ? -ENOBUFS : (long)used;
}

/* the number (in base) after key: where key starts a line of text, or
 * with anywhere, the first key at all; 0 when there is none */
static __u64 field(const char *p, const char *key, int base, int anywhere)
{
	unsigned kl = strlen(key);

	while (*p && strncmp(p, key, kl)) {
		if (anywhere) {
			p++;
			continue;
		}
		p = strchr(p, '\n');
		if (!p)
			return 0;
		p++;
	}
	if (!*p)
		return 0;
	for (p += kl; *p == ' ' || *p == '\t'; p++)
		;
	return ckpt_parse_num(p, base);
}

/* epoll's interest list: each "tfd:" line of its fdinfo */
static int watches(struct fd_snap *f, const char *text, struct obj_watch *w, unsigned *used)
{
	f->watch_at = *used;
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : 0) {
		if (memcmp(p, "tfd:", 4))
			continue;
		if (*used == CKPT_WATCHES_MAX)
			return -1;
		w[*used].fd = field(p, "tfd:", 10, 0);
		w[*used].events = field(p, " events:", 16, 1);
		w[*used].data = field(p, " data:", 16, 1);
		w[*used].ino = field(p, " ino:", 16, 1);
		++*used;
		f->nwatch++;
	}
	return 0;
}

static void timer_state(struct fd_snap *f, const char *text)
{
	struct { struct timespec interval, value; } its;

	f->aux = field(text, "clockid:", 10, 0);
	f->val[2] = field(text, "ticks:", 10, 0);
	if (k_timerfd_gettime(f->fd, &its) == 0) {
		f->val[0] = its.value.tv_sec * 1000000000ull + its.value.tv_nsec;
		f->val[1] = its.interval.tv_sec * 1000000000ull + its.interval.tv_nsec;
	}
}

/* f's r saved bytes are at *at in the scratch */
static void saved_at(struct fd_snap *f, long r, __u64 *at)
{
	f->saved = 1;
	f->size = r;
	f->data_at = *at;
	*at += (r + CKPT_PAGE - 1) & ~(CKPT_PAGE - 1);
}

/* In the pause, after every fd was classified: everything the objects
 * hold, into buf from *at on (cap bytes in all; the watches and a
 * fdinfo buffer in the last OBJS_TAIL of it).  0, or -errno with what
 * failed in *why. */
long objs_capture(struct fds_snap *s, char *buf, __u64 *at, __u64 cap, const char **why)
{
	struct obj_watch *w = (struct obj_watch *)(buf + cap - OBJS_TAIL);
	char *text = (char *)(w + CKPT_WATCHES_MAX);
	long tcap = OBJS_TAIL - CKPT_WATCHES_MAX * sizeof(*w), r;
	unsigned nw = 0;

	s->watches = w;
	/* (before qemu's autobind names a socket that had none) */
	for (unsigned i = 0; i < s->n; i++)
		if (s->fd[i].same < 0 && (s->fd[i].obj == CKPT_FD_SOCKPAIR || s->fd[i].obj == CKPT_FD_SOCKET))
			socks_capture(&s->fd[i]);
	if (qemu())
		qemu_pair_sockets(s, (struct sock_name *)text);
	pair_pipes(s, buf, at);
	for (unsigned i = 0; i < s->n; i++) {
		struct fd_snap *f = &s->fd[i];
		if (f->same >= 0)
			continue;
		if (fd_lockable(f) && (r = locks_capture(s, f, text, tcap, why)) < 0)
			return r;
		if (f->obj == CKPT_FD_SOCKPAIR) {
			const struct ckpt_sock *k = socks_of(f);   /* (read just now) */
			f->aux = k->type;
			f->val[0] = k->rcvbuf;
			f->val[1] = k->sndbuf;
			f->val[2] = !!(k->opts & CKPT_SO_PASSCRED);
			r = !qemu() ? objs_sock_queue(f->fd, f->aux, buf + *at, cap - OBJS_TAIL - *at) :
			    f->peer >= 0 ? qemu_queue(f, f->peer, buf + *at, cap - OBJS_TAIL - *at) :
			    socks_queue(f, buf + *at, cap - OBJS_TAIL - *at);
			if (r == -ENOBUFS)
				return *why = "a socket's queue is larger than a checkpoint takes", r;
			if (r < 0 && r != -EINVAL && r != -ENOTCONN)
				f->obj = 0;      /* /dev/null, with a warning */
			if (r < 0)           /* not connected (a listener): no queue */
				continue;
			saved_at(f, r, at);
		} else if (f->obj == CKPT_FD_SOCKET) {
			saved_at(f, socks_queue(f, buf + *at, cap - OBJS_TAIL - *at), at);
		} else if (f->obj == CKPT_FD_MEMFD) {
			r = k_fcntl(f->fd, F_GET_SEALS, 0);
			f->aux = r < 0 ? 0 : r;
		} else if (f->obj >= CKPT_FD_EVENTFD && f->obj <= CKPT_FD_EPOLL) {
			if (!ckpt_fdinfo(f->fd, text, tcap))
				return *why = "cannot read /proc/self/fdinfo", -EIO;
			if (f->obj == CKPT_FD_EVENTFD) {
				f->val[0] = field(text, "eventfd-count:", 16, 0);
				f->aux = field(text, "eventfd-semaphore:", 10, 0);
			} else if (f->obj == CKPT_FD_TIMERFD) {
				timer_state(f, text);
			} else if (f->obj == CKPT_FD_SIGNALFD) {
				f->val[0] = field(text, "sigmask:", 16, 0);
			} else if (watches(f, text, w, &nw)) {
				return *why = "too many epoll watches (at most 16384)", -ENOBUFS;
			}
		}
	}
	return 0;
}

/* --- in the writer --- */

/* the inode of the socket at the other end of AF_UNIX socket ino, asked
 * of the kernel's sock_diag (and its type in *type); 0 when it has none
 * (or cannot say) */
__u64 objs_unix_peer(int nl, __u64 ino, __u32 *type)
{
	const __u32 *peer = socks_unix_attr(nl, ino, UDIAG_SHOW_PEER, UNIX_DIAG_PEER, 4, type);
	return peer ? *peer : 0;
}

/* each AF_UNIX socket whose peer is here too becomes a socketpair end */
void objs_pair_sockets(struct fds_snap *s)
{
	long nl = k_socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

	for (unsigned i = 0; i < s->n; i++) {
		struct fd_snap *f = &s->fd[i];
		__u64 peer;
		__u32 type;
		if (f->obj != CKPT_FD_SOCKPAIR || f->same >= 0 || f->peer >= 0)
			continue;
		peer = nl < 0 ? 0 : objs_unix_peer(nl, f->ino, &type);
		for (unsigned j = 0; peer && j < s->n; j++) {
			struct fd_snap *g = &s->fd[j];
			if (j != i && g->obj == CKPT_FD_SOCKPAIR && g->same < 0 && g->peer < 0 && g->ino == peer) {
				f->peer = g->fd;
				g->peer = f->fd;
			}
		}
	}
	if (nl >= 0)
		sys_close(nl);
}

static const struct fd_snap *snap_of(const struct fds_snap *s, int fd)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->fd[i].fd == fd)
			return &s->fd[i];
	return 0;
}

/* the record kind of an object fd, or 0 when it is not one (or cannot be
 * restored: then *why says so for the warning) */
__u32 objs_kind(const struct fds_snap *s, const struct fd_snap *f, const char **why)
{
	*why = 0;
	if (f->same >= 0)
		return CKPT_FD_DUP;
	if (f->obj == OBJ_INOTIFY)
		*why = "is an inotify instance: its watches are not restored; it will be /dev/null after a restart";
	else if (f->obj == CKPT_FD_SOCKPAIR && f->peer < 0 && f->sock >= 0)
		return CKPT_FD_SOCKET;   /* AF_UNIX, its peer elsewhere */
	else if ((f->obj == CKPT_FD_PIPE || f->obj == CKPT_FD_SOCKPAIR) && f->peer < 0)
		*why = "has its other end outside the process; it will be /dev/null after a restart";
	else if (f->obj)
		return f->obj;
	(void)s;
	return 0;
}

/* EPOLL: the watches into out; their count.  A watch whose target is
 * gone or will not be restored is named in a warning and dropped. */
unsigned objs_watches(const struct fds_snap *s, const struct fd_snap *f, struct ckpt_watch *out,
		      __u32 (*kind_fn)(const struct fds_snap *, const struct fd_snap *))
{
	unsigned n = 0;

	for (unsigned i = 0; i < f->nwatch; i++) {
		const struct obj_watch *w = &s->watches[f->watch_at + i];
		const struct fd_snap *t = snap_of(s, w->fd);
		if (!t || t->ino != w->ino || kind_fn(s, t) == CKPT_FD_NULL) {
			struct out o = { .len = 0 };
			outf(&o, "libckpt: warning: epoll fd %u watches fd %u, which will not be restored; "
			     "the watch is dropped\n", (__u64)f->fd, (__u64)w->fd);
			out_flush(&o, 2);
			continue;
		}
		out[n].fd = w->fd;
		out[n].events = w->events;
		out[n].data = w->data;
		n++;
	}
	return n;
}
