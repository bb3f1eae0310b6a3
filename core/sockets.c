/* Sockets whose other end is not in the process (a TCP or UNIX
 * listener, a UDP server, a connection to a database or an X server):
 * what a restart needs to make them again, as struct ckpt_sock.  In the
 * pause, from inside the process: family, type, protocol, the names
 * (getsockname, getpeername), SO_ACCEPTCONN and the options a program
 * sets and can read back, and a connected stream's unread bytes (one
 * MSG_PEEK: the queue is left as it was).  In the writer: a listener's
 * backlog, which only the kernel's sock_diag tells (idiag_wqueue, or
 * UNIX_DIAG_RQLEN's udiag_wqueue, is sk_max_ack_backlog), and the
 * connections it held not yet accepted, which a restart loses. */
#include "libckpt.h"
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>
#include <linux/unix_diag.h>
#include <linux/tcp.h>
#include "sockname.h"

#define SO_REUSEADDR   2
#define SO_KEEPALIVE   9
#define SO_REUSEPORT   15
#define SO_ACCEPTCONN  30
#define SO_PROTOCOL    38
#define IPPROTO_IPV6   41
#define IPV6_V6ONLY    26
#define TCP_LISTEN     10
#define TCP_CLOSE      7
/* sock_diag does not answer (qemu-user): the kernel's default cap */
#define BACKLOG_DEFAULT 4096

/* the sockets' records, indexed by fd_snap.sock (in the library's
 * memory: only the pages a checkpoint touched are in the image) */
static struct ckpt_sock socks[CKPT_FDS_MAX];
static __u32 pending[CKPT_FDS_MAX];   /* connections not yet accepted */
static unsigned nsocks;

static long opt(int fd, int level, int name)
{
	int v = 0;
	unsigned len = sizeof(v);
	long r = k_getsockopt(fd, level, name, &v, &len);
	return r < 0 ? 0 : v;
}

/* In the pause, for each fd before the objects are read: which kind a
 * socket is, SOCKPAIR for AF_UNIX (paired or not by the writer), SOCKET
 * for TCP and UDP over IPv4 and IPv6, else none (/dev/null, warned) */
void socks_classify(struct fd_snap *f)
{
	long d = opt(f->fd, SOL_SOCKET, SO_DOMAIN), t = 0, p = 0;

	if (d == AF_UNIX) {
		f->obj = CKPT_FD_SOCKPAIR;
		t = opt(f->fd, SOL_SOCKET, SO_TYPE);
	} else if (d == AF_INET || d == AF_INET6) {
		t = opt(f->fd, SOL_SOCKET, SO_TYPE);
		p = opt(f->fd, SOL_SOCKET, SO_PROTOCOL);
		if ((t == SOCK_STREAM && p == IPPROTO_TCP) || (t == SOCK_DGRAM && p == IPPROTO_UDP))
			f->obj = CKPT_FD_SOCKET;
	}
	/* for socks_capture, which runs before the objects' own use of them */
	f->val[0] = d, f->val[1] = t, f->val[2] = p;
}

/* a name that is one: a UNIX path or abstract name, an IP port or address */
static int named(__u32 family, const __u8 *a, __u32 len)
{
	if (family == AF_UNIX)
		return len > 2;
	for (unsigned i = 2; i < len; i++)
		if (a[i] && (i < 4 || i >= (family == AF_INET ? 4u : 8u)))
			return 1;
	return 0;
}

/* a TCP socket that has no peer but was a connection (or is trying to
 * be one): it keeps its port only while it was bound by hand, and
 * reads end of file or an error */
static int tcp_ended(int fd)
{
	struct tcp_info t;
	unsigned len = sizeof(t);

	memset(&t, 0, sizeof(t));       /* (qemu-user gives the state alone) */
	if (k_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &t, &len) < 0 || !len)
		return 0;
	return t.tcpi_state != TCP_CLOSE || t.tcpi_segs_out > 0;
}

/* In the pause: f's struct ckpt_sock (f->sock its index, else -1) */
void socks_capture(struct fd_snap *f)
{
	struct ckpt_sock *s = &socks[nsocks];
	unsigned len;
	int v6;

	memset(s, 0, sizeof(*s));
	s->family = f->val[0];
	s->type = f->val[1];
	s->protocol = f->val[2];
	v6 = s->family == AF_INET6;
	len = CKPT_SOCKADDR_MAX;
	if (k_getsockname(f->fd, s->local, &len) == 0 && len <= CKPT_SOCKADDR_MAX)
		s->local_len = len;
	len = CKPT_SOCKADDR_MAX;
	if (k_getpeername(f->fd, s->peer, &len) == 0 && len <= CKPT_SOCKADDR_MAX)
		s->peer_len = len;
	if (opt(f->fd, SOL_SOCKET, SO_ACCEPTCONN))
		s->state = CKPT_SS_LISTEN;
	else if (s->peer_len)
		s->state = CKPT_SS_CONNECTED;
	else if (s->protocol == IPPROTO_TCP && tcp_ended(f->fd))
		s->state = CKPT_SS_CLOSED;
	else
		s->state = named(s->family, s->local, s->local_len) ? CKPT_SS_BOUND : CKPT_SS_UNBOUND;
	s->backlog = s->state == CKPT_SS_LISTEN ? BACKLOG_DEFAULT : 0;
	s->opts = (opt(f->fd, SOL_SOCKET, SO_REUSEADDR) ? CKPT_SO_REUSEADDR : 0) |
		  (opt(f->fd, SOL_SOCKET, SO_REUSEPORT) ? CKPT_SO_REUSEPORT : 0) |
		  (opt(f->fd, SOL_SOCKET, SO_KEEPALIVE) ? CKPT_SO_KEEPALIVE : 0) |
		  (v6 && opt(f->fd, IPPROTO_IPV6, IPV6_V6ONLY) ? CKPT_SO_V6ONLY : 0) |
		  (s->protocol == IPPROTO_TCP && opt(f->fd, IPPROTO_TCP, TCP_NODELAY) ? CKPT_SO_NODELAY : 0) |
		  (s->family == AF_UNIX && opt(f->fd, SOL_SOCKET, SO_PASSCRED) ? CKPT_SO_PASSCRED : 0);
	s->rcvbuf = opt(f->fd, SOL_SOCKET, SO_RCVBUF);
	s->sndbuf = opt(f->fd, SOL_SOCKET, SO_SNDBUF);
	pending[nsocks] = 0;
	f->sock = nsocks++;
}

void socks_reset(void)
{
	nsocks = 0;
}

/* scratch bytes a connected stream's unread bytes need */
__u64 socks_bound(const struct fd_snap *f)
{
	int n = 0;

	if (k_ioctl(f->fd, FIONREAD, &n) < 0 || n <= 0)
		return 0;
	return (n + 8 + CKPT_PAGE - 1) & ~(CKPT_PAGE - 1);
}

/* In the pause: the bytes a connected stream socket received and did
 * not read, peeked at once (a TCP or UNIX stream peek goes on across
 * segments) into buf as one message (a __u32 length, the bytes); the
 * bytes stored.  Bytes that arrive after FIONREAD are after the cut. */
long socks_queue(const struct fd_snap *f, char *buf, __u64 cap)
{
	const struct ckpt_sock *s = &socks[f->sock];
	int n = 0;
	long r;

	if ((s->state != CKPT_SS_CONNECTED && s->state != CKPT_SS_CLOSED) || s->type != SOCK_STREAM ||
	    k_ioctl(f->fd, FIONREAD, &n) < 0 || n <= 0 || (__u64)n + 8 > cap)
		return 0;
	r = k_recv(f->fd, buf + 4, n, MSG_PEEK | MSG_DONTWAIT);
	if (r <= 0)
		return 0;
	*(__u32 *)buf = r;
	return (4 + r + 3) & ~3l;
}

const struct ckpt_sock *socks_of(const struct fd_snap *f)
{
	return f->sock >= 0 ? &socks[f->sock] : 0;
}

/* --- in the writer --- */

/* the listener whose inode is ino: its backlog and its connections not
 * yet accepted */
static void listener_found(const struct fds_snap *s, __u64 ino, __u32 queued, __u32 backlog)
{
	for (unsigned i = 0; i < s->n; i++) {
		const struct fd_snap *f = &s->fd[i];
		if (f->sock >= 0 && f->ino == ino && socks[f->sock].state == CKPT_SS_LISTEN) {
			socks[f->sock].backlog = backlog < CKPT_BACKLOG_MAX ? backlog : CKPT_BACKLOG_MAX;
			pending[f->sock] = queued;
		}
	}
}

static long diag_ask(int nl, const void *q, unsigned len, __u64 *reply, unsigned cap)
{
	if (k_write_full(nl, q, len) < 0)
		return -1;
	return sys_read(nl, (char *)reply, cap);
}

/* every TCP socket of family in states (a bit each), dumped by
 * sock_diag (one request answers all of them): fn(arg, m) for each */
static void tcp_walk(int nl, __u8 family, __u32 states, void (*fn)(void *, const struct inet_diag_msg *),
		     void *arg)
{
	struct { struct nlmsghdr h; struct inet_diag_req_v2 r; } q = {
		.h = { .nlmsg_len = sizeof(q), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.r = { .sdiag_family = family, .sdiag_protocol = IPPROTO_TCP, .idiag_states = states },
	};
	static __u64 reply[2048];
	long n = diag_ask(nl, &q, sizeof(q), reply, sizeof(reply));

	for (; n > 0; n = sys_read(nl, (char *)reply, sizeof(reply)))
		for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
				return;          /* NLMSG_DONE, or an error */
			fn(arg, NLMSG_DATA(h));
		}
}

/* a TCP listener, matched to ours by inode */
static void inet_backlog(void *s, const struct inet_diag_msg *m)
{
	listener_found(s, m->idiag_inode, m->idiag_rqueue, m->idiag_wqueue);
}

/* The payload of attribute attr (len bytes at least) in sock_diag's
 * answer about AF_UNIX socket ino asked with show (UDIAG_SHOW_*), or 0;
 * the socket's type in *type, when given */
const void *socks_unix_attr(int nl, __u64 ino, __u32 show, __u16 attr, __u16 len, __u32 *type)
{
	struct { struct nlmsghdr h; struct unix_diag_req r; } q = {
		.h = { .nlmsg_len = sizeof(q), .nlmsg_type = SOCK_DIAG_BY_FAMILY, .nlmsg_flags = NLM_F_REQUEST },
		.r = { .sdiag_family = AF_UNIX, .udiag_ino = ino, .udiag_show = show,
		       .udiag_cookie = { ~0u, ~0u } },
	};
	static __u64 reply[1024];
	struct nlmsghdr *h = (struct nlmsghdr *)reply;
	long n = diag_ask(nl, &q, sizeof(q), reply, sizeof(reply));

	if (n < (long)sizeof(*h) || h->nlmsg_type != SOCK_DIAG_BY_FAMILY || h->nlmsg_len > n)
		return 0;
	if (type)
		*type = ((struct unix_diag_msg *)NLMSG_DATA(h))->udiag_type;
	for (__u64 at = NLMSG_ALIGN(sizeof(*h)) + NLMSG_ALIGN(sizeof(struct unix_diag_msg));
	     at + sizeof(struct nlattr) <= h->nlmsg_len;) {
		struct nlattr *a = (struct nlattr *)((char *)h + at);
		if (a->nla_len < sizeof(*a))
			break;
		if (a->nla_type == attr && a->nla_len >= sizeof(*a) + len)
			return a + 1;
		at += NLA_ALIGN(a->nla_len);
	}
	return 0;
}

/* a UNIX listener's backlog: UNIX_DIAG_RQLEN of its inode */
static void unix_backlog(const struct fds_snap *s, int nl, __u64 ino)
{
	const __u32 *q = socks_unix_attr(nl, ino, UDIAG_SHOW_RQLEN, UNIX_DIAG_RQLEN, 8, 0);

	if (q)
		listener_found(s, ino, q[0], q[1]);
}

static int same_name(const __u8 *a, __u32 alen, const __u8 *b, __u32 blen)
{
	return alen == blen && !memcmp(a, b, alen);
}

/* In the writer: TCP connections with both ends in the process (each
 * end's name is the other's peer) become pairs, restored connected */
void socks_pair_tcp(struct fds_snap *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct fd_snap *f = &s->fd[i];
		const struct ckpt_sock *a = socks_of(f);
		if (!a || f->obj != CKPT_FD_SOCKET || a->state != CKPT_SS_CONNECTED || a->type != SOCK_STREAM ||
		    f->same >= 0 || f->peer >= 0)
			continue;
		for (unsigned j = i + 1; j < s->n && f->peer < 0; j++) {
			struct fd_snap *g = &s->fd[j];
			const struct ckpt_sock *b = socks_of(g);
			if (b && g->obj == CKPT_FD_SOCKET && b->state == CKPT_SS_CONNECTED && g->same < 0 &&
			    g->peer < 0 && b->family == a->family && b->type == SOCK_STREAM &&
			    same_name(a->local, a->local_len, b->peer, b->peer_len) &&
			    same_name(a->peer, a->peer_len, b->local, b->local_len)) {
				f->peer = g->fd;
				g->peer = f->fd;
			}
		}
	}
}

/* a dump into a table of TCP connections, as tcp_entry() meets them */
struct tcp_tab { struct socks_tcp *tab; unsigned n, cap; __u8 family; };

static void tcp_entry(void *arg, const struct inet_diag_msg *m)
{
	struct tcp_tab *t = arg;

	if (t->n < t->cap && m->idiag_inode) {
		t->tab[t->n].ino = m->idiag_inode;
		t->tab[t->n].family = t->family;
		memcpy(t->tab[t->n].id, &m->id, sizeof(t->tab[t->n].id));   /* sport, dport, src, dst */
		t->n++;
	}
}

/* The peer inode of TCP connection ino, when both its ends are in this
 * network namespace: one sock_diag dump per family, kept in tab for the
 * walk of a tree's fds (*n entries; *n == ~0u: not dumped yet) */
__u64 socks_tcp_peer(int nl, __u64 ino, struct socks_tcp *tab, unsigned *n, unsigned cap)
{
	const struct socks_tcp *e = 0;

	if (*n == ~0u) {
		struct tcp_tab t = { tab, 0, cap, AF_INET };
		tcp_walk(nl, AF_INET, ~(1u << TCP_LISTEN), tcp_entry, &t);
		t.family = AF_INET6;
		tcp_walk(nl, AF_INET6, ~(1u << TCP_LISTEN), tcp_entry, &t);
		*n = t.n;
	}
	for (unsigned i = 0; i < *n && !e; i++)
		e = tab[i].ino == ino ? &tab[i] : 0;
	for (unsigned i = 0; e && i < *n; i++)      /* (ports, then the two addresses, swapped) */
		if (tab[i].family == e->family && tab[i].id[0] == e->id[1] && tab[i].id[1] == e->id[0] &&
		    !memcmp(tab[i].id + 2, e->id + 10, 16) && !memcmp(tab[i].id + 10, e->id + 2, 16))
			return tab[i].ino;
	return 0;
}

/* In the writer: each listener's backlog (left at the default where
 * sock_diag cannot say: qemu-user) */
void socks_backlogs(const struct fds_snap *s)
{
	int seen4 = 0, seen6 = 0;
	long nl = k_socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

	if (nl < 0)
		return;
	for (unsigned i = 0; i < s->n; i++) {
		const struct fd_snap *f = &s->fd[i];
		const struct ckpt_sock *k = socks_of(f);
		if (!k || k->state != CKPT_SS_LISTEN || f->same >= 0)
			continue;
		if (k->family == AF_UNIX)
			unix_backlog(s, nl, f->ino);
		else if (k->family == AF_INET && !seen4++)
			tcp_walk(nl, AF_INET, 1u << TCP_LISTEN, inet_backlog, (void *)s);
		else if (k->family == AF_INET6 && !seen6++)
			tcp_walk(nl, AF_INET6, 1u << TCP_LISTEN, inet_backlog, (void *)s);
	}
	sys_close(nl);
}

/* In the writer: what a restart makes of a SOCKET record's socket, said
 * where it is not the socket itself: a connected stream's peer is gone */
void socks_warn(const struct fd_snap *f)
{
	const struct ckpt_sock *k = socks_of(f);
	struct out o = { .len = 0 };

	if (!(k->state == CKPT_SS_CONNECTED && k->type != SOCK_DGRAM && f->peer < 0) && !pending[f->sock])
		return;
	outf(&o, "libckpt: warning: fd %u (", (__u64)f->fd);
	out_sock(&o, k);
	if (k->state == CKPT_SS_CONNECTED)
		out_str(&o, ") is not restored: it reads end-of-file after a restart\n");
	else
		outf(&o, ") has %u connections not accepted: a restart loses them\n", (__u64)pending[f->sock]);
	out_flush(&o, 2);
}
