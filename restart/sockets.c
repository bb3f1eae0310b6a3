/* The SOCKET records' sockets, made again before the point of no
 * return: a listener bound to its address and listening with its
 * backlog, a bound socket bound, a connected datagram socket connected
 * again (which sends nothing), each with the options the program had
 * set.  An address another socket has now is a refusal naming it; a UNIX
 * socket file the killed process left behind is taken over when nothing
 * answers on it.  A connected stream socket cannot be: its peer is
 * gone, so it comes back as a "dead socket" of the same family and type,
 * whose reads give the bytes it had received and not read, then end of
 * file, whose writes fail with EPIPE (SIGPIPE, as the kernel sends it),
 * and which poll reports hung up: a TCP one is the end of a loopback
 * connection whose peer sent those bytes and closed, a UNIX one the end
 * of a socketpair whose other end did the same.  A TCP connection with
 * both ends in the image is connected again over loopback, each end's
 * unread bytes sent by the other. */
#include "restart.h"
#include "sockname.h"

#define SO_REUSEADDR  2
#define SO_KEEPALIVE  9
#define SO_REUSEPORT  15
#define IPPROTO_IPV6  41
#define IPV6_V6ONLY   26
#define TCP_NODELAY   1
#define SHUT_WR       1
#define POLLRDHUP     0x2000
#define ECONNREFUSED  111

/* the socket in words, for messages (one at a time) */
static const char *named(const struct ckpt_sock *k, int local)
{
	static struct out o;

	o.len = 0;
	if (local)
		out_sockaddr(&o, k->family, k->local, k->local_len);
	else
		out_sock(&o, k);
	o.buf[o.len] = 0;
	return o.buf;
}

static long setopt(int s, int level, int name, int v)
{
	return k_setsockopt(s, level, name, &v, sizeof(v));
}

static int getopt(int s, int name)
{
	int v = 0;
	unsigned len = sizeof(v);
	k_getsockopt(s, SOL_SOCKET, name, &v, &len);
	return v;
}

/* the options the program set; a buffer size only where it is not the
 * default a new socket has (setting one stops the kernel's tuning) */
static void set_options(int s, const struct ckpt_sock *k)
{
	static const struct { __u32 bit; int level, name; } o[] = {
		{ CKPT_SO_REUSEADDR, SOL_SOCKET, SO_REUSEADDR }, { CKPT_SO_REUSEPORT, SOL_SOCKET, SO_REUSEPORT },
		{ CKPT_SO_KEEPALIVE, SOL_SOCKET, SO_KEEPALIVE }, { CKPT_SO_NODELAY, IPPROTO_TCP, TCP_NODELAY },
		{ CKPT_SO_PASSCRED, SOL_SOCKET, SO_PASSCRED },
	};

	for (unsigned i = 0; i < sizeof(o) / sizeof(o[0]); i++)
		if (k->opts & o[i].bit)
			setopt(s, o[i].level, o[i].name, 1);
	if (k->family == AF_INET6)    /* either way: the default is a sysctl's */
		setopt(s, IPPROTO_IPV6, IPV6_V6ONLY, !!(k->opts & CKPT_SO_V6ONLY));
	if (getopt(s, SO_RCVBUF) != (int)k->rcvbuf)
		setopt(s, SOL_SOCKET, SO_RCVBUF, k->rcvbuf / 2);   /* the kernel doubles it */
	if (getopt(s, SO_SNDBUF) != (int)k->sndbuf)
		setopt(s, SOL_SOCKET, SO_SNDBUF, k->sndbuf / 2);
}

/* A UNIX socket file in the way of bind(s, name) is the killed
 * program's own when connecting to it is refused, as it is once no
 * socket is bound to it any more: then it is unlinked and bound again */
static long bind_unix(int s, const struct ckpt_sock *k, const __u8 *a, unsigned len)
{
	long r = k_bind(s, a, len), t, c;

	if (r != -EADDRINUSE || !a[2])
		return r;             /* (an abstract name has no file) */
	t = k_socket(AF_UNIX, k->type | SOCK_CLOEXEC, 0);
	c = t < 0 ? t : k_connect(t, a, len);
	if (t >= 0)
		sys_close(t);
	if (c != -ECONNREFUSED || k_unlinkat(AT_FDCWD, (const char *)a + 2, 0) < 0)
		return r;
	return k_bind(s, a, len);
}

/* a UNIX name a (len bytes) as this restart uses it: an absolute path
 * after --map, NUL terminated, into out; its length, or 0 when it no
 * longer fits a sockaddr_un */
static unsigned unix_name(const __u8 *a, unsigned len, __u8 *out)
{
	static char buf[CKPT_NAME_MAX];
	const char *p;
	unsigned n;

	memset(out, 0, CKPT_SOCKADDR_MAX);
	memcpy(out, a, len);
	if (len <= 2 || a[2] != '/')
		return len;           /* unnamed, abstract, relative */
	p = pathmap((const char *)out + 2, buf);
	n = strlen(p);
	if (n > 107)
		return 0;
	memcpy(out + 2, p, n + 1);
	return 2 + n + 1;
}

/* a relative UNIX path is the program's: into its working directory
 * (myrestart's own is given back by back()) */
static long to_cwd(const struct img *im, const __u8 *a, unsigned len)
{
	long here = -1;

	if (len > 2 && a[2] && a[2] != '/') {
		here = k_openat(AT_FDCWD, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
		sys_chdir(im->cwd);
	}
	return here;
}

static void back(long here)
{
	if (here >= 0) {
		k_fchdir(here);
		sys_close(here);
	}
}

/* bind(s, its name) */
static long bind_again(const struct img *im, int s, const struct ckpt_sock *k)
{
	__u8 a[CKPT_SOCKADDR_MAX];
	unsigned len;
	long here, r;

	if (k->family != AF_UNIX)
		return k_bind(s, k->local, k->local_len);
	if (!(len = unix_name(k->local, k->local_len, a)))
		return -ENAMETOOLONG;
	here = to_cwd(im, a, len);
	r = bind_unix(s, k, a, len);
	back(here);
	return r;
}

/* loopback in family, any port */
static unsigned loopback(__u32 family, __u8 *a)
{
	memset(a, 0, 28);
	a[0] = family;
	if (family == AF_INET) {
		a[4] = 127, a[7] = 1;
		return 16;
	}
	a[23] = 1;
	return 28;
}

/* A TCP connection over loopback in family: *s connected, *c its
 * accepted end, each with room for its saved bytes (f's arrive at *s,
 * g's at *c: sent by the other end); 0 or -errno */
static long loopback_pair(const struct img *im, __u32 family, const struct ckpt_fd *f, const struct ckpt_fd *g,
			  long *s, long *c)
{
	__u8 a[28];
	unsigned len = loopback(family, a);
	long l = k_socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), r = l;

	*s = *c = -1;
	if (l >= 0 && (r = k_bind(l, a, len)) == 0 && (r = k_listen(l, 1)) == 0 &&
	    (r = k_getsockname(l, a, &len)) == 0 &&
	    (r = *s = k_socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0) {
		setopt(*s, SOL_SOCKET, SO_RCVBUF, f->size + 65536);
		if ((r = k_connect(*s, a, len)) == 0 &&
		    (r = *c = k_accept4(l, 0, 0, SOCK_CLOEXEC)) >= 0) {
			setopt(*c, SOL_SOCKET, SO_SNDBUF, f->size + 65536);
			r = objs_refill(im, f, *c);
			if (r >= 0 && g) {
				setopt(*c, SOL_SOCKET, SO_RCVBUF, g->size + 65536);
				setopt(*s, SOL_SOCKET, SO_SNDBUF, g->size + 65536);
				r = objs_refill(im, g, *s);
			}
		}
	}
	if (l >= 0)
		sys_close(l);
	if (r < 0) {                 /* nothing half made is left open */
		if (*s >= 0)
			sys_close(*s);
		if (*c >= 0)
			sys_close(*c);
		*s = *c = -1;
	}
	return r < 0 ? r : 0;
}

/* a tree's TCP connection between two processes: connected again over
 * loopback (the ends' queues are put back by their holders); 0 or -errno */
long socks_loopback(const struct img *im, __u32 family, int *p)
{
	static const struct ckpt_fd none;
	long s, c, r = loopback_pair(im, family, &none, 0, &s, &c);

	if (r < 0)
		return r;
	p[0] = s, p[1] = c;
	return 0;
}

/* A tree's socketpair or TCP connection end t, which SOCKET record f
 * holds: the bytes queued there sent by the other end (from, when this
 * process puts them back; else -1), then f's options; 0 or -errno */
long socks_tree_end(const struct img *im, const struct ckpt_fd *f, int t, int from)
{
	long r = 0;

	if (from >= 0 && (f->fdflags & CKPT_FDF_SAVED)) {
		setopt(t, SOL_SOCKET, SO_RCVBUF, f->size + 65536);
		setopt(from, SOL_SOCKET, SO_SNDBUF, f->size + 65536);
		r = objs_refill(im, f, from);
	}
	set_options(t, ckpt_fd_sock(f));
	return r;
}

/* A TCP socket whose peer sent the saved bytes and closed, and whose own
 * end is shut for writing: reads give the bytes, then end of file;
 * writes EPIPE; poll POLLIN|POLLHUP.  The peer is an accepted
 * connection of a listener on loopback, closed at once.  -errno when
 * loopback cannot be had (then a socketpair stands in). */
static long dead_tcp(const struct img *im, const struct ckpt_fd *f, const struct ckpt_sock *k)
{
	long s, c, r = loopback_pair(im, k->family, f, 0, &s, &c);
	struct pollfd p = { .fd = s, .events = POLLRDHUP };

	if (c >= 0)
		sys_close(c);         /* its FIN follows the bytes */
	if (r >= 0 && (r = sys_poll(&p, 1, 2000)) == 1 && (p.revents & POLLRDHUP))
		r = k_shutdown(s, SHUT_WR);
	else if (r >= 0)
		r = -ETIMEDOUT;
	if (r < 0 && s >= 0)
		sys_close(s);
	return r < 0 ? r : s;
}

/* A TCP connection whose two ends are both in the image: connected again
 * over loopback (other names: the ports are new), each end's unread
 * bytes sent again by the other; f's end returned, the peer's in *other */
static long tcp_pair(const struct img *im, const struct ckpt_fd *f, int *other)
{
	const struct ckpt_fd *g = im->fds[objs_index(im, f->peer)];
	long s, c, r = loopback_pair(im, ckpt_fd_sock(f)->family, f, g, &s, &c);

	if (r < 0)
		return r;
	set_options(c, ckpt_fd_sock(g));
	k_fcntl(c, F_SETFL, g->flags);
	*other = c;
	set_options(s, ckpt_fd_sock(f));
	return s;
}

/* a UNIX one, or a TCP one where loopback cannot be had: a socketpair
 * end whose other end sent the bytes and closed */
static long dead_pair(const struct img *im, const struct ckpt_fd *f, __u32 type)
{
	int sv[2];
	long r = k_socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv);

	if (r < 0)
		return r;
	setopt(sv[1], SOL_SOCKET, SO_SNDBUF, f->size + 65536);
	r = objs_refill(im, f, sv[1]);
	sys_close(sv[1]);
	k_shutdown(sv[0], SHUT_WR);
	if (r < 0)
		sys_close(sv[0]);
	return r < 0 ? r : sv[0];
}

static long dead_socket(const struct img *im, const struct ckpt_fd *f, const struct ckpt_sock *k)
{
	long r = -1;

	if (k->state == CKPT_SS_CONNECTED)
		report(im, "warning: fd %u (%s) is not restored: it reads end-of-file after the restart",
		       (__u64)f->fd, named(k, 0));
	if (k->family != AF_UNIX && (r = dead_tcp(im, f, k)) >= 0)
		return r;
	return dead_pair(im, f, k->family == AF_UNIX ? k->type : SOCK_STREAM);
}

/* a connected datagram socket: its name again where it can have it, and
 * its peer (a peer that is gone leaves it unconnected, said) */
static void reconnect(const struct img *im, const struct ckpt_fd *f, int s, const struct ckpt_sock *k)
{
	__u8 a[CKPT_SOCKADDR_MAX];
	unsigned len = k->family == AF_UNIX ? unix_name(k->peer, k->peer_len, a) : k->peer_len;
	long r = -ENAMETOOLONG;

	if (k->local_len > 2)
		bind_again(im, s, k);
	if (len && k->family == AF_UNIX) {
		long here = to_cwd(im, a, len);
		r = k_connect(s, a, len);
		back(here);
	} else if (len) {
		r = k_connect(s, k->peer, len);
	}
	if (r < 0)
		report(im, "warning: fd %u (%s) cannot connect again (%s): it is not connected", (__u64)f->fd,
		       named(k, 0), err_str(r));
}

#define SAID (-4095l)      /* an error already reported */

/* new socket s made what k was: s, or SAID */
static long made(const struct img *im, const struct ckpt_fd *f, long s, const struct ckpt_sock *k)
{
	long r = 0;

	set_options(s, k);
	if (k->state == CKPT_SS_BOUND || k->state == CKPT_SS_LISTEN)
		r = bind_again(im, s, k);
	/* a listener's address may still be the killed program's for a
	 * moment (a writer of its, still at work, holds the socket too): up
	 * to 2 s */
	for (int tries = 0; r == -EADDRINUSE && k->state == CKPT_SS_LISTEN && tries < 20; tries++) {
		struct timespec t = { 0, 100000000 };
		k_nanosleep(&t);
		r = bind_again(im, s, k);
	}
	/* a TCP socket bound and not listening may have been a connection
	 * that ended (qemu-user cannot tell): unbound, said */
	if (r == -EADDRINUSE && k->state == CKPT_SS_BOUND && k->protocol == IPPROTO_TCP) {
		report(im, "warning: fd %u (%s) cannot be bound again (address in use): it is not bound",
		       (__u64)f->fd, named(k, 0));
		r = 0;
	}
	if (!r && k->state == CKPT_SS_LISTEN)
		r = k_listen(s, k->backlog);
	if (r < 0) {
		report(im, "cannot %s %s again: %s", k->state == CKPT_SS_LISTEN ? "listen on" : "bind to",
		       named(k, 1), err_str(r));
		sys_close(s);
		return SAID;
	}
	if (k->state == CKPT_SS_CONNECTED)
		reconnect(im, f, s, k);
	return s;
}

/* The socket of SOCKET record f, not yet in place; or -1, said */
long socks_make(const struct img *im, const struct ckpt_fd *f, int *other)
{
	const struct ckpt_sock *k = ckpt_fd_sock(f);
	long s;

	*other = -1;
	if (f->peer >= 0)
		s = tcp_pair(im, f, other);
	else if ((k->state == CKPT_SS_CONNECTED && k->type != SOCK_DGRAM) || k->state == CKPT_SS_CLOSED)
		s = dead_socket(im, f, k);
	else if ((s = k_socket(k->family, k->type | SOCK_CLOEXEC, k->protocol)) >= 0)
		s = made(im, f, s, k);
	if (s >= 0) {
		k_fcntl(s, F_SETFL, f->flags);     /* O_NONBLOCK */
		return s;
	}
	if (s != SAID)
		report(im, "cannot make fd %u (%s) again: %s", (__u64)f->fd, named(k, 0), err_str(s));
	return -1;
}
