/* Process trees: one checkpoint of the owner (the process started under
 * the library) and of every descendant that runs it, as one cut.
 *
 * The owner's handler parks its own threads, lists its descendants
 * (/proc/PID/task/TID/children), makes a small shared memory object (the
 * cut, a memfd) and sends each descendant the checkpoint signal with
 * sigqueue, the value naming the cut's fd.  A descendant that takes such
 * a signal from its owner joins: it parks its threads, maps the cut
 * through /proc/OWNER/fd/N, says it stopped and waits.  Only when every
 * member stopped (and no new one was forked meanwhile) does the owner
 * read what they share -- the pipes between them with the bytes in
 * flight, the shared memory two of them map -- and let all of them
 * capture their own state and fork their writers.  They run on together,
 * once every writer has forked: no byte of a pipe between two members is
 * read or written between the stop and the capture.
 *
 * Each member's writer writes <image>.t<cut>.<pid>; the owner's writer
 * waits for all of them, then writes the image with the TREE record that
 * names them.  Its rename commits the set; only then are the files of
 * earlier cuts removed.  A member that fails, dies or does not answer
 * fails the cut: every process runs on and the previous set stays. */
#include "libckpt.h"
#include "out.h"
#include "maps.h"
#include <linux/futex.h>
#include <linux/memfd.h>
#include <linux/netlink.h>

#define CUT_MAGIC 0xc4e7u    /* the signal value: magic, 16 bits of the cut id, the fd */
#define CUT_SIZE  (CKPT_TREE_BYTES_MAX + (2ul << 20))
#define MAPS_CAP  (1ul << 20)

enum { S_SIGNALLED, S_STOPPED, S_FAILED, S_FORKED, S_CAPTURED };   /* a slot's state */
enum { P_STOPPING, P_CAPTURE, P_RUN, P_FAIL };                      /* the cut's phase */

struct cut_slot {
	int pid;
	int state;                /* S_*: written by the member */
	int written;              /* its writer: 0 at work, 1 image in place, 2 failed */
	int writer;               /* its pid */
	__u64 image_id;
	int armed;                /* runs the library, its handler installed: signalled */
	int pad;
	__u64 since;              /* when it was found (ns) */
	__u64 sent;               /* when it was last signalled (ns) */
};

/* The cut's memory.  The owner's writer assembles the TREE record from
 * mem, obj, tfd and bytes. */
struct cut {
	int phase;                /* P_*: written by the owner */
	int changes;              /* bumped at every slot change: the owner's futex */
	int forking;              /* members forking now (at most all cores but one) */
	__u32 id;
	unsigned n;               /* members, zombies included; 0 is the owner */
	struct cut_slot slot[CKPT_TREE_MAX];
	struct ckpt_member mem[CKPT_TREE_MAX];
	unsigned nobjs, nfds, nbytes;
	__u64 stdio_dev[3], stdio_ino[3];   /* the owner's 0-2 */
	struct ckpt_tobj obj[CKPT_TOBJS_MAX];
	struct ckpt_tfd tfd[CKPT_TFDS_MAX];
	__u64 tfd_ino[CKPT_TFDS_MAX];   /* each one's pipe or file */
	__u64 tfd_dev[CKPT_TFDS_MAX];   /* a file's device */
	__u8 tfd_kind[CKPT_TFDS_MAX];   /* CKPT_TOBJ_PIPE, _SOCKET, _SOCKPAIR, _FILE, _EVENTFD */
	__u64 tfd_peer[CKPT_TFDS_MAX];  /* SOCKPAIR: the other end's inode */
	__u32 tfd_type[CKPT_TFDS_MAX];  /* SOCKPAIR: the socket type, or TFD_TCP | family */
	char link[CKPT_NAME_MAX];       /* scratch: where an fd points */
	char maps[MAPS_CAP];      /* scratch: a member's maps */
	char bytes[CKPT_TREE_BYTES_MAX];
};

static struct cut *cut;       /* mapped for one checkpoint; writers inherit it */
static int my_slot;           /* a member's index in it */
static int joining;           /* this signal is the owner's: join its cut */
static __u32 join_id;         /* ... whose id ends in these 16 bits */
static int cut_fd;            /* the owner's fd of the cut, as the signal said */

static long futex(int *w, int op, int val, long ms)
{
	struct timespec t = { ms / 1000, ms % 1000 * 1000000 };
	return k_futex(w, op, val, ms ? &t : 0);
}

static void bump(void)
{
	__atomic_add_fetch(&cut->changes, 1, __ATOMIC_RELEASE);
	futex(&cut->changes, FUTEX_WAKE, 1, 0);
}

static void set_phase(int p)
{
	__atomic_store_n(&cut->phase, p, __ATOMIC_RELEASE);
	futex(&cut->phase, FUTEX_WAKE, 0x7fffffff, 0);
}

static int is_owner(void)
{
	return k_getpid() == ckpt_self.owner;
}

/* "/proc/PID/WHAT" (WHAT may be 0) */
static const char *proc_path(struct out *o, long pid, const char *what)
{
	o->len = 0;
	outf(o, "/proc/%u/%s", (__u64)pid, what ? what : "");
	o->buf[o->len] = 0;
	return o->buf;
}

/* the fields of /proc/PID/stat after the command name: state, ppid,
 * pgrp, session, and field 52 (the exit code of a zombie) */
struct pstat { char state, comm[16]; int ppid, pgid, sid, exit_code; };
static int read_stat(long pid, struct pstat *s)
{
	struct out o;
	char buf[1024], *p, *c;
	long n = k_read_file(proc_path(&o, pid, "stat"), buf, sizeof(buf) - 1);
	int field;

	if (n <= 0)
		return -1;
	buf[n] = 0;
	for (p = buf + n; p > buf && *p != ')'; p--)
		;
	c = buf;
	while (*c && *c != '(')
		c++;
	memset(s, 0, sizeof(*s));
	for (int k = 0; c + 1 + k < p && k < 15; k++)
		s->comm[k] = c[1 + k];
	if (p == buf || p[1] != ' ')
		return -1;
	s->state = p[2];
	p += 3;
	for (field = 4; *p && field <= 52; field++) {
		long v = 0, neg;
		while (*p == ' ')
			p++;
		neg = *p == '-';
		p += neg;
		while (*p >= '0' && *p <= '9')
			v = v * 10 + *p++ - '0';
		v = neg ? -v : v;
		if (field == 4)
			s->ppid = v;
		else if (field == 5)
			s->pgid = v;
		else if (field == 6)
			s->sid = v;
		else if (field == 52)
			s->exit_code = v;
	}
	return 0;
}

/* calls fn(arg, number) for each numeric entry of directory path */
static int each_entry(const char *path, int (*fn)(void *, long), void *arg)
{
	char dents[2048];
	long dfd = k_openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0), n;
	int r = 0;

	if (dfd < 0)
		return (int)dfd;
	while (!r && (n = sys_getdents64(dfd, (void *)dents, sizeof(dents))) > 0)
		for (long off = 0; !r && off < n; ) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(dents + off);
			long v = ckpt_parse_uint(d->d_name, 1l << 30);
			off += d->d_reclen;
			if (v >= 0 && d->d_name[0] != '.')
				r = fn(arg, v);
		}
	sys_close(dfd);
	return r;
}

static int index_of(int pid)
{
	for (unsigned i = 0; i < cut->n; i++)
		if (cut->mem[i].pid == pid)
			return i;
	return -1;
}

/* ---- the owner: who is in the tree ---- */

struct walk { long pid; unsigned parent; int added; };

static void say_member(struct out *o, long pid, const char *comm)
{
	outf(o, "pid %u (%s)", (__u64)pid, comm);
}

static int fail_line(const char *fmt, long pid, const char *comm, const char *more)
{
	struct out o = { .len = 0 };

	outf(&o, "libckpt: checkpoint failed: ");
	say_member(&o, pid, comm);
	outf(&o, fmt, more);
	out_chr(&o, '\n');
	out_flush(&o, 2);
	return -1;
}

/* does process pid run this very library?  It maps it, or, restarted
 * (the library's pages are then anonymous memory), it has myrestart's
 * code where the library keeps its reservation */
static int runs_library(long pid)
{
	struct out o;
	long n = k_read_file(proc_path(&o, pid, "maps"), cut->maps, MAPS_CAP - 1);
	char *cur = cut->maps, *line;

	if (n <= 0)
		return 0;
	cut->maps[n] = 0;
	while ((line = next_line(&cur))) {
		struct map_ent e;
		if (!maps_parse(line, &e) && ((e.inode == ckpt_cfg->self_ino && e.dev == ckpt_cfg->self_dev) ||
		    (e.start == CKPT_RESERVED_START && (e.inode || (e.end == CKPT_RESERVED_END && !e.prot)))))
			return 1;
	}
	return 0;
}

static int add_child(void *arg, long pid)
{
	struct walk *w = arg;
	struct ckpt_member *m;
	struct pstat st;
	struct out o;
	long n;

	if (index_of(pid) >= 0 || read_stat(pid, &st) || !strcmp(st.comm, "ckpt-writer"))
		return 0;
	if (cut->n == CKPT_TREE_MAX)
		return fail_line(" and more: a tree holds at most 64 processes%s", pid, st.comm, "");
	if (st.state == 'T' || st.state == 't')
		return fail_line(" is stopped (job control or a tracer): continue it first; a stopped process "
				 "cannot take part in a checkpoint%s", pid, st.comm, "");
	m = &cut->mem[cut->n];
	memset(m, 0, sizeof(*m));
	m->pid = pid;
	m->ppid = st.ppid;
	m->pgid = st.pgid;
	m->sid = st.sid;
	m->state = st.state == 'Z' ? CKPT_MS_ZOMBIE : st.state == 'T' ? CKPT_MS_STOPPED : CKPT_MS_RUNNING;
	m->status = st.exit_code;
	n = k_read_file(proc_path(&o, pid, "cmdline"), m->cmdline, sizeof(m->cmdline) - 1);
	if (n <= 0)
		memcpy(m->cmdline, st.comm, 16);
	cut->slot[cut->n] = (struct cut_slot){ .pid = pid, .state = m->state == CKPT_MS_ZOMBIE ? S_FORKED : S_SIGNALLED,
					       .since = k_now_ns() };
	cut->n++;
	w->added++;
	return 0;
}

static int add_task_children(void *arg, long tid)
{
	struct walk *w = arg;
	struct out o;
	char buf[1024], *p;
	long n;

	o.len = 0;
	outf(&o, "/proc/%u/task/%u/children", (__u64)w->pid, (__u64)tid);
	o.buf[o.len] = 0;
	n = k_read_file(o.buf, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	for (p = buf; *p; ) {
		long pid = 0;
		while (*p >= '0' && *p <= '9')
			pid = pid * 10 + *p++ - '0';
		while (*p == ' ')
			p++;
		if (pid > 0 && add_child(w, pid))
			return -1;
	}
	return 0;
}

/* every descendant of the members from `from` on, appended; how many */
static int walk_from(unsigned from)
{
	struct walk w = { .added = 0 };
	struct out o;

	for (unsigned i = from; i < cut->n; i++) {
		if (cut->mem[i].state == CKPT_MS_ZOMBIE)
			continue;
		w.pid = cut->mem[i].pid;
		if (each_entry(proc_path(&o, w.pid, "task"), add_task_children, &w))
			return -1;
	}
	return w.added;
}

static long signal_member(int pid)
{
	struct k_siginfo si;

	memset(&si, 0, sizeof(si));
	si.signo = ckpt_cfg->sig;
	si.code = -1;                       /* SI_QUEUE */
	si.pid = k_getpid();
	si.uid = k_getuid();
	*(__u64 *)&si.status = (__u64)CUT_MAGIC << 48 | (__u64)(cut->id & 0xffff) << 32 | (__u32)cut_fd;
	return k_rt_sigqueueinfo(pid, ckpt_cfg->sig, &si);
}

/* has pid the checkpoint signal's handler (SigCgt in /proc/PID/status)? */
static int caught(long pid)
{
	struct out o;
	char buf[2048], *p;
	long n = k_read_file(proc_path(&o, pid, "status"), buf, sizeof(buf) - 1);
	__u64 mask = 0;

	buf[n > 0 ? n : 0] = 0;
	for (p = buf; *p && !ckpt_starts_with(p, "SigCgt:"); p++)
		;
	if (!*p)
		return 0;
	for (p += 7; *p == '\t' || *p == ' '; p++)
		;
	for (; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++)
		mask = mask << 4 | (__u64)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
	return mask >> (ckpt_cfg->sig - 1) & 1;
}

static void forget(unsigned i)
{
	for (; i + 1 < cut->n; i++) {
		cut->mem[i] = cut->mem[i + 1];
		cut->slot[i] = cut->slot[i + 1];
	}
	cut->n--;
}

/* One look at member i, not yet stopped: signalled once it runs the
 * library with its handler installed (a process in the middle of an exec
 * gets a second: the signal would kill it); a zombie in the cut if it
 * exited meanwhile; the cut fails if it was killed, or if it does not run
 * the library.  1 stopped or settled, 0 not yet, -1 the cut fails. */
static int look_at(unsigned i)
{
	struct cut_slot *s = &cut->slot[i];
	struct ckpt_member *m = &cut->mem[i];
	struct pstat st;
	struct out o;
	long n;
	int state = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);

	if (state == S_FAILED)
		return -1;
	if (state != S_SIGNALLED)
		return 1;
	if (read_stat(m->pid, &st)) {
		forget(i);               /* reaped before its parent stopped */
		return 1;
	}
	if (st.state == 'Z' || st.state == 'X') {
		if (s->armed && (st.exit_code & 0x7f))
			return fail_line(" died while the tree stopped%s", m->pid, st.comm, "");
		m->state = CKPT_MS_ZOMBIE;
		m->status = st.exit_code;
		s->state = S_FORKED;
		return 1;
	}
	if (!s->armed && runs_library(m->pid) && caught(m->pid))
		s->armed = 1;
	if (s->armed) {
		/* again after 100 ms: a signal of its own may have hidden ours */
		if (k_now_ns() - s->sent > 100000000ull) {
			s->sent = k_now_ns();
			signal_member(m->pid);
		}
		return 0;
	}
	if (k_now_ns() - s->since < 1000000000ull)
		return 0;
	n = k_readlink(proc_path(&o, m->pid, "exe"), cut->maps, 255);
	cut->maps[n > 0 ? n : 0] = 0;
	return fail_line(", %s, does not run the library (a static program, a cleared LD_PRELOAD or "
			 "a setuid one): it cannot be in the image", m->pid, st.comm, cut->maps);
}

/* signals the members, again every 100 ms until each stopped; new
 * descendants (forked before their parent stopped) join */
static int stop_members(void)
{
	__u64 deadline = k_now_ns() + (__u64)(ckpt_cfg->thread_timeout ? ckpt_cfg->thread_timeout : 2) * 1000000000ull +
			 1000000000ull;

	for (;;) {
		int seen = __atomic_load_n(&cut->changes, __ATOMIC_ACQUIRE), done = 1;
		for (unsigned i = 1; i < cut->n; i++) {
			int r = look_at(i);
			if (r < 0)
				return -1;
			done &= r;
		}
		if (done) {
			/* the stopped members' children: a new one was forked meanwhile */
			int added = walk_from(0);
			if (added <= 0)
				return added;
			continue;
		}
		if (k_now_ns() > deadline)
			for (unsigned i = 1; i < cut->n; i++)
				if (cut->slot[i].state == S_SIGNALLED)
					return fail_line(" did not stop (the checkpoint signal blocked there?)%s",
							 cut->mem[i].pid, cut->mem[i].cmdline, "");
		futex(&cut->changes, FUTEX_WAIT, seen, 100);
	}
}

/* ---- the owner: what the members share, read while all are stopped ---- */

struct fdwalk { unsigned m; long pid; };

/* the value of field ("flags:", "pos:") in /proc/PID/fdinfo/FD, in base */
static __u64 fd_info(long pid, long fd, const char *field, unsigned base)
{
	struct out o;
	char info[256], *p;
	unsigned n = strlen(field);
	long r;
	__u64 v = 0;

	o.len = 0;
	outf(&o, "/proc/%u/fdinfo/%u", (__u64)pid, (__u64)fd);
	o.buf[o.len] = 0;
	r = k_read_file(o.buf, info, sizeof(info) - 1);
	info[r > 0 ? r : 0] = 0;
	for (p = info; *p && !ckpt_starts_with(p, field); p++)
		;
	if (*p)
		for (p += n; *p == '\t' || *p == ' '; p++)
			;
	for (;; p++) {
		unsigned d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : 16;
		if (d >= base)
			return v;
		v = v * base + d;
	}
}

/* where member pid's fd points (in cut->link), its length or < 0 */
static long fd_link(long pid, long fd)
{
	struct out o;
	long n;

	o.len = 0;
	outf(&o, "/proc/%u/fd/%u", (__u64)pid, (__u64)fd);
	o.buf[o.len] = 0;
	n = k_readlink(o.buf, cut->link, sizeof(cut->link) - 1);
	cut->link[n > 0 ? n : 0] = 0;
	return n;
}

/* a regular file's (dev, ino) that fd of pid opens, but one of the
 * owner's stdio (myrestart gives those back) or a deleted one: 0 or 1 */
static int regular_file(long pid, long fd, long len, __u64 *dev, __u64 *ino)
{
	static const char gone[] = " (deleted)";
	struct statx sx;
	struct out o;

	if (len < 1 || cut->link[0] != '/' ||
	    (len >= (long)sizeof(gone) && !memcmp(cut->link + len - sizeof(gone) + 1, gone, sizeof(gone) - 1)))
		return 0;
	o.len = 0;
	outf(&o, "/proc/%u/fd/%u", (__u64)pid, (__u64)fd);
	o.buf[o.len] = 0;
	if (k_statx(AT_FDCWD, o.buf, 0, STATX_TYPE | STATX_INO, &sx) || (sx.stx_mode & S_IFMT) != S_IFREG)
		return 0;
	*dev = (__u64)sx.stx_dev_major << 32 | sx.stx_dev_minor;
	*ino = sx.stx_ino;
	for (int k = 0; k < 3; k++)
		if (cut->stdio_ino[k] == *ino && cut->stdio_dev[k] == *dev)
			return 0;
	return 1;
}

/* Sockets: a listener the owner holds, and the same socket in other
 * members (a pre-fork server's), is one SOCKET object, the owner's
 * SOCKET record made once by the restart's reaper.  Any other AF_UNIX
 * socket with a peer, or TCP connection whose other end is in this
 * network namespace, is one end of a pair that may join two members
 * (SOCKPAIR; unix_pair decides). */
#define TFD_TCP 0x100u            /* tfd_type: a TCP connection of this family */
static long diag = -1;            /* a sock_diag socket, while the fds are walked */
static struct socks_tcp tcps[CKPT_TFDS_MAX];   /* the namespace's TCP connections, dumped once */
static unsigned ntcp = ~0u;

static void close_diag(void)
{
	if (diag >= 0)
		sys_close(diag);
	diag = -1;
	ntcp = ~0u;
}

static int is_owners_listener(__u64 ino)
{
	for (unsigned k = 0; k < cut->nfds; k++)
		if (cut->tfd_kind[k] == CKPT_TOBJ_SOCKET && cut->tfd_ino[k] == ino && cut->tfd[k].member == 0)
			return 1;
	return 0;
}

/* what socket ino (member w's fd) is to the tree: SOCKET, SOCKPAIR (its
 * peer and type set), or 0, none of its objects */
static unsigned socket_kind(struct fdwalk *w, long fd, __u64 ino, __u64 *peer, __u32 *type)
{
	int v = 0;
	unsigned vl = sizeof(v);

	if (w->m == 0 ? k_getsockopt(fd, SOL_SOCKET, 30 /* SO_ACCEPTCONN */, &v, &vl) == 0 && v :
	    is_owners_listener(ino))
		return CKPT_TOBJ_SOCKET;
	/* (half the table at most: the pipes must have room, a pair left
	 * out is two dead sockets, the checkpoint goes on) */
	if (cut->nfds >= CKPT_TFDS_MAX / 2)
		return 0;
	if (diag < 0)
		diag = k_socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (diag < 0)
		return 0;
	if (!(*peer = objs_unix_peer(diag, ino, type)) &&
	    (*peer = socks_tcp_peer(diag, ino, tcps, &ntcp, CKPT_TFDS_MAX)))
		for (unsigned i = 0; i < ntcp; i++)
			if (tcps[i].ino == ino)
				*type = TFD_TCP | tcps[i].family;
	return *peer ? CKPT_TOBJ_SOCKPAIR : 0;
}

/* each pipe, socket, eventfd and regular file member w holds, in tfd */
static int note_fd(void *arg, long fd)
{
	struct fdwalk *w = arg;
	struct ckpt_tfd *t;
	__u64 dev = 0, ino = 0;
	long n = fd_link(w->pid, fd);

	unsigned kind = CKPT_TOBJ_FILE;

	__u64 peer = 0;
	__u32 type = 0;

	if (n >= 8 && (!memcmp(cut->link, "pipe:[", 6) || !memcmp(cut->link, "socket:[", 8))) {
		kind = cut->link[0] == 'p' ? CKPT_TOBJ_PIPE : CKPT_TOBJ_SOCKET;
		for (char *p = cut->link + (kind == CKPT_TOBJ_PIPE ? 6 : 8); *p >= '0' && *p <= '9'; p++)
			ino = ino * 10 + *p - '0';
		if (kind == CKPT_TOBJ_SOCKET && !(kind = socket_kind(w, fd, ino, &peer, &type)))
			return 0;
	} else if (n == 20 && !memcmp(cut->link, "anon_inode:[eventfd]", 20)) {
		kind = CKPT_TOBJ_EVENTFD;       /* (one inode for all: kcmp tells them apart) */
	} else if (!regular_file(w->pid, fd, n, &dev, &ino))
		return 0;
	if (cut->nfds == CKPT_TFDS_MAX)
		return -E2BIG;
	cut->tfd_kind[cut->nfds] = kind;
	cut->tfd_ino[cut->nfds] = ino;
	cut->tfd_dev[cut->nfds] = dev;
	cut->tfd_peer[cut->nfds] = peer;
	cut->tfd_type[cut->nfds] = type;
	t = &cut->tfd[cut->nfds++];
	t->member = w->m;
	t->obj = 0xffff;
	t->fd = fd;
	t->flags = fd_info(w->pid, fd, "flags:", 8);
	t->fdflags = t->flags & O_CLOEXEC ? CKPT_FDF_CLOEXEC : 0;
	t->flags &= ~O_CLOEXEC;
	return 0;
}

/* the bytes in pipe ino, read through member m's fd without taking them
 * (tee into a pipe of our own), and the pipe's size */
static int pipe_contents(struct ckpt_tobj *ob, const struct ckpt_tfd *t)
{
	struct out o;
	int p[2];
	long fd, n = 0, got;

	o.len = 0;
	outf(&o, "/proc/%u/fd/%u", (__u64)cut->mem[t->member].pid, (__u64)t->fd);
	o.buf[o.len] = 0;
	fd = k_openat(AT_FDCWD, o.buf, O_RDWR | O_NONBLOCK | O_CLOEXEC, 0);
	if (fd < 0)
		return (int)fd;
	ob->size = k_fcntl(fd, F_GETPIPE_SZ, 0);
	if ((long)ob->size < 0 || k_pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
		sys_close(fd);
		return -EIO;
	}
	k_fcntl(p[1], F_SETPIPE_SZ, ob->size);
	got = k_tee(fd, p[1], ob->size, 2 /* SPLICE_F_NONBLOCK */);
	if (got > 0 && cut->nbytes + got <= CKPT_TREE_BYTES_MAX)
		n = sys_read(p[0], cut->bytes + cut->nbytes, got);
	sys_close(p[0]);
	sys_close(p[1]);
	sys_close(fd);
	if (got > 0 && n != got)
		return -E2BIG;
	ob->nbytes = got > 0 ? got : 0;
	cut->nbytes += ob->nbytes;
	return 0;
}

static struct ckpt_tobj *new_obj(unsigned kind, __u64 dev, __u64 ino)
{
	struct ckpt_tobj *ob;

	if (cut->nobjs == CKPT_TOBJS_MAX)
		return 0;
	ob = &cut->obj[cut->nobjs];
	*ob = (struct ckpt_tobj){ .kind = kind, .dev = dev, .ino = ino };
	return ob;
}

/* Pipes: one object for each pipe two members hold, or one held by a
 * member that is not the owner (the owner's own pipes the single-process
 * code restores) */
static int pipe_obj(unsigned i)
{
	const struct ckpt_tfd *t = &cut->tfd[i];
	struct ckpt_tobj *ob;
	int shared = t->member != 0;
	unsigned k;

	for (k = i + 1; k < cut->nfds && !shared; k++)
		shared = cut->tfd_kind[k] == CKPT_TOBJ_PIPE && cut->tfd_ino[k] == cut->tfd_ino[i] &&
			 cut->tfd[k].member != t->member;
	if (!shared)
		return 0;
	if (!(ob = new_obj(CKPT_TOBJ_PIPE, 0, cut->tfd_ino[i])))
		return fail_line(": more than 512 objects between the processes%s", cut->mem[0].pid, "", "");
	for (k = i; k < cut->nfds; k++)
		if (cut->tfd_kind[k] == CKPT_TOBJ_PIPE && cut->tfd_ino[k] == ob->ino)
			cut->tfd[k].obj = cut->nobjs;
	if (pipe_contents(ob, t))
		return fail_line(": cannot read the bytes in one of its pipes%s", cut->mem[t->member].pid, "", "");
	cut->nobjs++;
	return 0;
}

/* is tfd k the open file description of tfd i (kcmp: the kernel's word)? */
static int same_file(unsigned i, unsigned k)
{
	const struct ckpt_tfd *a = &cut->tfd[i], *b = &cut->tfd[k];

	return cut->tfd_kind[k] == cut->tfd_kind[i] && cut->tfd_dev[k] == cut->tfd_dev[i] &&
	       cut->tfd_ino[k] == cut->tfd_ino[i] && b->obj == 0xffff &&
	       !k_kcmp(cut->mem[a->member].pid, cut->mem[b->member].pid, 0 /* KCMP_FILE */,
			    a->fd, b->fd);
}

/* Regular files and eventfds: one object for each open file description
 * (one offset, one counter) that two members share, made once at the
 * restart, as fork left it; a file's path in the bytes */
static int ofd_obj(unsigned i)
{
	const struct ckpt_tfd *t = &cut->tfd[i];
	struct ckpt_tobj *ob;
	int shared = 0, file = cut->tfd_kind[i] == CKPT_TOBJ_FILE;
	long pid = cut->mem[t->member].pid, n = 0;

	for (unsigned k = i + 1; k < cut->nfds && !shared; k++)
		shared = cut->tfd[k].member != t->member && same_file(i, k);
	if (!shared)
		return 0;
	if (file)
		n = fd_link(pid, t->fd) + 1;
	if (!(ob = new_obj(cut->tfd_kind[i], cut->tfd_dev[i], cut->tfd_ino[i])) || n < 0 ||
	    (file && n < 2) || cut->nbytes + n > CKPT_TREE_BYTES_MAX)
		return fail_line(": too many files shared between the processes%s", cut->mem[0].pid, "", "");
	for (unsigned k = i + 1; k < cut->nfds; k++)
		if (same_file(i, k))
			cut->tfd[k].obj = cut->nobjs;
	cut->tfd[i].obj = cut->nobjs++;
	if (file) {
		ob->size = fd_info(pid, t->fd, "pos:", 10);
		ob->nbytes = n;
		memcpy(cut->bytes + cut->nbytes, cut->link, n);
		cut->nbytes += n;
	} else {
		ob->size = fd_info(pid, t->fd, "eventfd-count:", 16);
		ob->aux = fd_info(pid, t->fd, "eventfd-semaphore:", 10);
	}
	return 0;
}

/* a listener of the owner's that other members hold: one object */
static int listener_obj(unsigned i)
{
	struct ckpt_tobj *ob;
	int shared = 0;

	for (unsigned k = 0; k < cut->nfds && !shared; k++)
		shared = cut->tfd_kind[k] == CKPT_TOBJ_SOCKET && cut->tfd_ino[k] == cut->tfd_ino[i] &&
			 cut->tfd[k].member != cut->tfd[i].member;
	if (!shared)
		return 0;
	if (!(ob = new_obj(CKPT_TOBJ_SOCKET, 0, cut->tfd_ino[i])))
		return fail_line(": more than 512 objects between the processes%s", cut->mem[0].pid, "", "");
	for (unsigned k = i; k < cut->nfds; k++)
		if (cut->tfd_kind[k] == CKPT_TOBJ_SOCKET && cut->tfd_ino[k] == ob->ino)
			cut->tfd[k].obj = cut->nobjs;
	cut->nobjs++;
	return 0;
}

/* fd i is one end of an AF_UNIX pair or TCP connection: when two members
 * hold its ends, one SOCKPAIR or TCPPAIR object (ino the end noted
 * first, dev the other) whose fds say which end they hold; each end's
 * queue is in its first holder's own FD record */
static int unix_pair(unsigned i)
{
	struct ckpt_tobj *ob;
	unsigned k;

	for (k = 0; k < cut->nfds; k++)
		if (cut->tfd_kind[k] == CKPT_TOBJ_SOCKPAIR && cut->tfd_ino[k] == cut->tfd_peer[i] &&
		    cut->tfd[k].member != cut->tfd[i].member)
			break;
	if (k == cut->nfds)
		return 0;             /* the pair's ends are in one process: its own */
	if (!(ob = new_obj(cut->tfd_type[i] & TFD_TCP ? CKPT_TOBJ_TCPPAIR : CKPT_TOBJ_SOCKPAIR,
			   cut->tfd_peer[i], cut->tfd_ino[i])))
		return fail_line(": more than 512 objects between the processes%s", cut->mem[0].pid, "", "");
	ob->size = cut->tfd_type[i] & ~TFD_TCP;
	for (k = 0; k < cut->nfds; k++)
		if (cut->tfd_kind[k] == CKPT_TOBJ_SOCKPAIR &&
		    (cut->tfd_ino[k] == cut->tfd_ino[i] || cut->tfd_ino[k] == cut->tfd_peer[i])) {
			cut->tfd[k].obj = cut->nobjs;
			cut->tfd[k].fdflags |= cut->tfd_ino[k] == cut->tfd_peer[i] ? CKPT_TFD_END1 : 0;
		}
	cut->nobjs++;
	return 0;
}

/* the pipes, listeners, socketpairs, TCP connections, files and eventfds
 * the members share, as objects */
static int find_fds(void)
{
	struct out o;
	unsigned n = 0;

	for (unsigned m = 0; m < cut->n; m++) {
		struct fdwalk w = { m, cut->mem[m].pid };
		if (cut->mem[m].state != CKPT_MS_ZOMBIE &&
		    each_entry(proc_path(&o, w.pid, "fd"), note_fd, &w)) {
			close_diag();
			return fail_line(": cannot read its fds%s", w.pid, "", "");
		}
	}
	close_diag();
	for (unsigned i = 0; i < cut->nfds; i++) {
		unsigned k = cut->tfd_kind[i];
		if (cut->tfd[i].obj == 0xffff &&
		    (k == CKPT_TOBJ_PIPE ? pipe_obj(i) : k == CKPT_TOBJ_SOCKET ? listener_obj(i) :
		     k == CKPT_TOBJ_SOCKPAIR ? unix_pair(i) : ofd_obj(i)))
			return -1;
	}
	/* only the fds of objects go in the record */
	for (unsigned i = 0; i < cut->nfds; i++)
		if (cut->tfd[i].obj != 0xffff)
			cut->tfd[n++] = cut->tfd[i];
	cut->nfds = n;
	return 0;
}

/* the cut's own memory, which every member maps: not shared by them */
static __u64 cut_dev, cut_ino;

/* Shared memory (what the writer would save as SHMEM) that two members
 * map: one object, as large as the furthest mapping of it */
static int find_shm(void)
{
	struct out o;

	for (unsigned m = 0; m < cut->n; m++) {
		long n;
		char *cur = cut->maps, *line;
		if (cut->mem[m].state == CKPT_MS_ZOMBIE)
			continue;
		n = k_read_file(proc_path(&o, cut->mem[m].pid, "maps"), cut->maps, MAPS_CAP - 1);
		if (n < 0 || n >= (long)MAPS_CAP - 1)
			return fail_line(": cannot read its maps%s", cut->mem[m].pid, "", "");
		cut->maps[n] = 0;
		while ((line = next_line(&cur))) {
			struct map_ent e;
			unsigned k;
			if (maps_parse(line, &e) || !e.shared || shm_kind(&e) != CKPT_KIND_SHMEM ||
			    (e.dev == cut_dev && e.inode == cut_ino))
				continue;
			for (k = 0; k < cut->nobjs; k++)
				if (cut->obj[k].kind == CKPT_TOBJ_SHM && cut->obj[k].dev == e.dev && cut->obj[k].ino == e.inode)
					break;
			if (k == CKPT_TOBJS_MAX)
				return fail_line(": more than 512 shared objects between the processes%s", cut->mem[m].pid, "", "");
			if (k == cut->nobjs) {
				cut->obj[k] = (struct ckpt_tobj){ .kind = CKPT_TOBJ_SHM, .dev = e.dev, .ino = e.inode };
				cut->obj[k].nbytes = m;          /* first member: until another maps it */
				cut->nobjs++;
			}
			if (cut->obj[k].nbytes != m)
				cut->obj[k].nbytes = ~0u;        /* two members */
			if (e.offset + (e.end - e.start) > cut->obj[k].size)
				cut->obj[k].size = e.offset + (e.end - e.start);
		}
	}
	/* only those two members map stay */
	unsigned n = 0;
	for (unsigned k = 0; k < cut->nobjs; k++) {
		struct ckpt_tobj *ob = &cut->obj[k];
		if (ob->kind == CKPT_TOBJ_SHM && ob->nbytes != ~0u)
			continue;
		if (ob->kind == CKPT_TOBJ_SHM)
			ob->nbytes = 0;
		for (unsigned i = 0; i < cut->nfds; i++)
			if (cut->tfd[i].obj == k)
				cut->tfd[i].obj = n;
		cut->obj[n++] = *ob;
	}
	cut->nobjs = n;
	return 0;
}

/* ---- the cut, from the owner's side ---- */

static int child_of_task(void *arg, long tid)
{
	struct out o;
	char c[4];

	(void)arg;
	o.len = 0;
	outf(&o, "/proc/self/task/%u/children", (__u64)tid);
	o.buf[o.len] = 0;
	return k_read_file(o.buf, c, sizeof(c)) > 0;
}

/* the cut's memory; a file size limit (RLIMIT_FSIZE) is lifted for it,
 * as far as the hard limit allows: SIGXFSZ would end the program */
static int make_cut(void)
{
	struct { __u64 cur, max; } lim, was;
	struct statx st;
	long fd = k_memfd_create(CKPT_CUT_NAME, MFD_CLOEXEC), a, r;

	if (fd < 0)
		return (int)fd;
	k_prlimit(0, RLIMIT_FSIZE, 0, &was);
	lim = was;
	lim.cur = lim.max;
	if (lim.cur < sizeof(struct cut)) {
		sys_close(fd);
		return -EFBIG;
	}
	k_prlimit(0, RLIMIT_FSIZE, &lim, 0);
	r = k_ftruncate(fd, sizeof(struct cut));
	k_prlimit(0, RLIMIT_FSIZE, &was, 0);
	if (r < 0 ||
	    (a = k_mmap(0, sizeof(struct cut), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) < 0) {
		sys_close(fd);
		return -ENOMEM;
	}
	k_statx(fd, "", AT_EMPTY_PATH, STATX_INO, &st);
	cut_dev = (__u64)st.stx_dev_major << 32 | st.stx_dev_minor;
	cut_ino = st.stx_ino;
	cut = (struct cut *)a;
	cut_fd = fd;
	return 0;
}

static void drop_cut(void)
{
	if (cut)
		k_munmap((unsigned long)cut, sizeof(struct cut));
	cut = 0;
	if (cut_fd > 0 && is_owner())
		sys_close(cut_fd);
	cut_fd = 0;
}

static void self_member(void)
{
	struct ckpt_member *m = &cut->mem[0];
	struct pstat st;
	long n;

	read_stat(k_getpid(), &st);
	memset(m, 0, sizeof(*m));
	m->pid = k_getpid();
	m->ppid = st.ppid;
	m->pgid = st.pgid;
	m->sid = st.sid;
	n = k_read_file("/proc/self/cmdline", m->cmdline, sizeof(m->cmdline) - 1);
	if (n <= 0)
		memcpy(m->cmdline, ckpt_cfg->comm, 16);
	cut->slot[0] = (struct cut_slot){ .pid = m->pid, .state = S_STOPPED };
	cut->n = 1;
	for (int fd = 0; fd < 3; fd++) {
		struct statx sx;
		if (k_statx(fd, "", AT_EMPTY_PATH, STATX_INO, &sx) == 0) {
			cut->stdio_dev[fd] = (__u64)sx.stx_dev_major << 32 | sx.stx_dev_minor;
			cut->stdio_ino[fd] = sx.stx_ino;
		}
	}
}

/* Inside ns: the cut's id, random enough that two cuts never share one */
static __u32 new_id(void)
{
	__u32 v = 0;
	k_getrandom(&v, sizeof(v), 1 /* GRND_NONBLOCK */);
	return v ? v : (__u32)k_now_ns() | 1;
}

static int owner_stop(void)
{
	int r;

	if (!ckpt_cfg->inherit || !each_entry("/proc/self/task", child_of_task, 0))
		return 0;           /* no children, or none with the library: one process */
	if (make_cut())
		return fail_line(" has child processes, and no memory to checkpoint them with it%s",
				 k_getpid(), ckpt_cfg->comm, "");
	self_member();
	r = walk_from(0);
	if (r <= 0) {
		drop_cut();
		return r;           /* no descendant: the image of one process */
	}
	if (ckpt_cfg->runner == CKPT_RUNNER_QEMU) {
		fail_line(" has child processes that run the library: a process tree is not checkpointed "
			  "under qemu-user%s", cut->mem[0].pid, ckpt_cfg->comm, "");
		drop_cut();
		return -1;
	}
	cut->id = new_id();
	if (stop_members() || find_fds() || find_shm()) {
		set_phase(P_FAIL);
		drop_cut();
		return -1;
	}
	/* every member mapped the cut: its fd goes before our fds are read */
	sys_close(cut_fd);
	cut_fd = 0;
	set_phase(P_CAPTURE);
	return 0;
}

/* ---- the cut, from a member's side ---- */

static int member_join(void)
{
	struct out o;
	long fd, a, me = k_getpid();

	char link[32];

	/* a signal that came late: the owner's fd may be another file now */
	o.len = 0;
	outf(&o, "/proc/%u/fd/%u", (__u64)ckpt_self.owner, (__u64)cut_fd);
	o.buf[o.len] = 0;
	if (k_readlink(o.buf, link, sizeof(link)) != 25 || memcmp(link, "/memfd:" CKPT_CUT_NAME " (deleted)", 25))
		return -2;
	fd = k_openat(AT_FDCWD, o.buf, O_RDWR | O_CLOEXEC, 0);
	if (fd < 0)
		return -2;
	a = k_mmap(0, sizeof(struct cut), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	sys_close(fd);
	if (k_failed(a))
		return -2;
	cut = (struct cut *)a;
	my_slot = index_of(me);
	if (my_slot <= 0 || cut->phase != P_STOPPING || (cut->id & 0xffff) != join_id) {
		drop_cut();
		return -2;          /* not in this cut (forked since): the owner asks again */
	}
	__atomic_store_n(&cut->slot[my_slot].state, S_STOPPED, __ATOMIC_RELEASE);
	bump();
	for (int waited = 0; __atomic_load_n(&cut->phase, __ATOMIC_ACQUIRE) == P_STOPPING; waited++) {
		if (waited > 600 || k_kill(ckpt_self.owner, 0) < 0) {
			drop_cut();
			return -2;
		}
		futex(&cut->phase, FUTEX_WAIT, P_STOPPING, 100);
	}
	if (cut->phase != P_CAPTURE) {
		drop_cut();
		return -2;
	}
	return 0;
}

/* ---- the handler's hooks ---- */

/* At the signal: is it the owner's call to join a cut? */
void ckpt_tree_signal(const struct k_siginfo *si)
{
	__u64 v;

	joining = 0;
	if (!si || si->code != -1 || si->pid != ckpt_self.owner || is_owner())
		return;
	v = *(const __u64 *)&si->status;
	if (v >> 48 != CUT_MAGIC)
		return;
	joining = 1;
	join_id = v >> 32 & 0xffff;
	cut_fd = (__u32)v;
}

/* ---- a member's own checkpoint is the owner's to take ---- */

static int forwarded;         /* a member passed its checkpoint on */

/* the owner, when it is an ancestor of this process that takes the
 * checkpoint signal (this process is of its tree), or 0 */
static long owner_above(void)
{
	long pid = k_getppid();
	struct pstat st;

	if (is_owner() || ckpt_self.owner <= 1)
		return 0;
	for (int k = 0; k < 4 * CKPT_TREE_MAX && pid > 1; k++, pid = st.ppid) {
		if (pid == ckpt_self.owner)
			return caught(pid) ? pid : 0;
		if (read_stat(pid, &st))
			return 0;
	}
	return 0;
}

/* does the owner above checkpoint this process (CKPT_INTERVAL is its)? */
int ckpt_tree_below_owner(void)
{
	return owner_above() != 0;
}

/* A checkpoint this member would start (its own signal from a user or a
 * timer, ckpt_checkpoint()): the owner's signal instead, which takes the
 * tree's, this process's with it.  1 when passed on. */
int ckpt_tree_forward(void)
{
	long owner = joining ? 0 : owner_above();

	if (!owner || k_kill(owner, ckpt_cfg->sig))
		return 0;
	forwarded = 1;
	return 1;
}

/* ckpt_checkpoint() in a member, passed on: until the tree's cut took
 * this process too (ckpt_rt.ncheckpoints moved on from before), at most
 * 10 s; 0 when it did */
int ckpt_tree_wait_cut(__u32 before)
{
	struct timespec ts = { 0, 10000000 };

	if (!forwarded)
		return -1;
	forwarded = 0;
	for (int k = 0; k < 1000 && __atomic_load_n(&ckpt_rt.ncheckpoints, __ATOMIC_ACQUIRE) == before; k++)
		k_nanosleep(&ts);
	return ckpt_rt.ncheckpoints == before ? -1 : 0;
}

/* Every thread of this process parked: the owner stops the tree, a
 * member joins.  0 go on capturing; -1 the cut failed (said); -2 this
 * process is not in a cut after all (nothing to say) */
int ckpt_tree_stop(void)
{
	cut = 0;
	my_slot = 0;
	if (joining)
		return member_join();
	if (!is_owner())
		return 0;           /* a member checkpointed alone, as it was asked */
	return owner_stop();
}

/* the image name of a member in this cut: <path>.t<cut>.<pid> */
void ckpt_tree_name(void)
{
	struct out o = { .len = 0 };

	if (!cut || !my_slot)
		return;
	outf(&o, ".t%x.%u", (__u64)cut->id, (__u64)k_getpid());
	memcpy(ckpt_self.path + ckpt_self.base_len, o.buf, o.len);
	ckpt_self.path[ckpt_self.base_len + o.len] = 0;
}

/* the capture failed here after the stop: the cut fails */
void ckpt_tree_failed(void)
{
	if (!cut)
		return;
	if (my_slot) {
		__atomic_store_n(&cut->slot[my_slot].state, S_FAILED, __ATOMIC_RELEASE);
		bump();
	} else {
		set_phase(P_FAIL);
	}
	drop_cut();
}

/* has every member captured (1), or did one fail (-1), or not yet (0)? */
static int all_captured(void)
{
	int done = 1;

	for (unsigned i = 1; i < cut->n; i++) {
		int st = __atomic_load_n(&cut->slot[i].state, __ATOMIC_ACQUIRE);
		if (st == S_FAILED)
			return -1;
		done &= st == S_CAPTURED || st == S_FORKED;
	}
	return done;
}

/* the owner, its writer forked: until every member has captured (1), or
 * one failed (-1), at most a minute */
static int wait_captured(void)
{
	for (int waited = 0; waited < 600; waited++) {
		int seen = __atomic_load_n(&cut->changes, __ATOMIC_ACQUIRE), r = all_captured();
		if (r)
			return r;
		futex(&cut->changes, FUTEX_WAIT, seen, 100);
	}
	return -1;
}

/* a member: until the cut's phase moves on from p; the phase it moved to */
static int wait_phase(int p)
{
	for (int waited = 0; waited < 600 && __atomic_load_n(&cut->phase, __ATOMIC_ACQUIRE) == p; waited++)
		futex(&cut->phase, FUTEX_WAIT, p, 100);
	return __atomic_load_n(&cut->phase, __ATOMIC_ACQUIRE);
}

static int my_turn;           /* this member holds a turn to fork */

/* A member's fork comes once the owner runs on, and at most all cores
 * but one fork at a time: the processes already running on (the owner
 * first) keep a core.  Its turn waits at most 2 s (a member that died in
 * its fork gives none back). */
static void fork_turn(void)
{
	static long cores;

	if (!cores) {
		unsigned long set[16] = { 0 };
		long n = k_sched_getaffinity(0, sizeof(set), set);
		for (long i = 0; i < n / 8; i++)
			cores += __builtin_popcountl(set[i]);
		cores = cores > 1 ? cores - 1 : 1;
	}
	for (int waited = 0; waited < 20; waited++) {
		int now = __atomic_load_n(&cut->forking, __ATOMIC_ACQUIRE);
		if (now < cores && __atomic_compare_exchange_n(&cut->forking, &now, now + 1, 0, __ATOMIC_ACQ_REL,
							       __ATOMIC_ACQUIRE)) {
			my_turn = 1;      /* (one taken after the wait gave up is none to give back) */
			return;
		}
		futex(&cut->forking, FUTEX_WAIT, now, 100);
	}
}

static void end_turn(void)
{
	if (!my_turn)
		return;
	my_turn = 0;
	__atomic_fetch_sub(&cut->forking, 1, __ATOMIC_RELEASE);
	futex(&cut->forking, FUTEX_WAKE, 1, 0);
}

/* The writer is forked (pid, or < 0).  The owner forks first, as soon as
 * it has captured, while the members capture; once every member has
 * (P_RUN), it runs on: before, one could still change what another's
 * image holds (an offset they share, a signal, the bytes of a pipe).
 * Its pause is then the stop, the captures and one fork, the shortest
 * of the tree's.  A member says it forked (the owner's writer waits for
 * its image) and runs on. */
void ckpt_tree_forked(long pid)
{
	if (!cut)
		return;
	if (my_slot) {
		end_turn();
		cut->slot[my_slot].writer = pid;
		if (pid <= 0)        /* no writer: the owner's writer hears it from here */
			__atomic_store_n(&cut->slot[my_slot].written, 2, __ATOMIC_RELEASE);
		__atomic_store_n(&cut->slot[my_slot].state, pid > 0 ? S_FORKED : S_FAILED, __ATOMIC_RELEASE);
		bump();
		futex(&cut->slot[my_slot].written, FUTEX_WAKE, 1 << 30, 0);
	} else {
		/* (a member that fails now fails the owner's writer too) */
			set_phase(pid > 0 && wait_captured() > 0 ? P_RUN : P_FAIL);
	}
	drop_cut();
}

/* A tree's writer starts once every process has captured (the owner's
 * is forked before): the captures have the cores to themselves.  Then in
 * the background (nice 19): eight writers on two cores would otherwise
 * take them from the processes that run on (the owner's longest stop
 * was 20-54 ms, 9-24 ms so).  (A writer holds the program's fds until
 * it ends: myrestart waits a little for a listener's address.) */
void ckpt_tree_writer_starts(void)
{
	if (cut) {
		wait_phase(P_CAPTURE);
		k_setpriority(0 /* PRIO_PROCESS */, 0, 19);
	}
}

/* Called just before the fork, once this process has captured what it
 * holds (the owner read what they share before): 0, or -1 when the cut
 * failed (said) and there is to be no writer.  The owner forks at once;
 * a member says it captured, and forks when the owner runs on. */
int ckpt_tree_before_fork(void)
{
	if (!cut)
		return 0;
	if (!my_slot)
		return all_captured() < 0 ? (set_phase(P_FAIL), -1) : 0;
	__atomic_store_n(&cut->slot[my_slot].state, S_CAPTURED, __ATOMIC_RELEASE);
	bump();
	if (wait_phase(P_CAPTURE) != P_RUN)
		return -1;
	fork_turn();
	return 0;
}

/* In the restart path: the cut was the checkpoint's, not the image's */
void ckpt_tree_restarted(void)
{
	cut = 0;
	my_slot = joining = cut_fd = 0;
}

/* ---- the writers ---- */

/* the cut's memory, which no image holds */
int ckpt_tree_span(__u64 *start, __u64 *end)
{
	if (!cut)
		return 0;
	*start = (__u64)cut;
	*end = (__u64)cut + ((sizeof(struct cut) + CKPT_PAGE - 1) & ~(CKPT_PAGE - 1));
	return 1;
}

/* a member's writer: its image is in place (id) or failed (0) */
void ckpt_tree_written(__u64 id)
{
	if (!cut || !my_slot)
		return;
	cut->slot[my_slot].image_id = id;
	__atomic_store_n(&cut->slot[my_slot].written, id ? 1 : 2, __ATOMIC_RELEASE);
	bump();
}

/* is fd one the tree restores as an object shared with another member? */
int ckpt_tree_holds(int fd)
{
	for (unsigned i = 0; cut && i < cut->nfds; i++)
		if (cut->tfd[i].member == my_slot && cut->tfd[i].fd == fd)
			return 1;
	return 0;
}

/* A member's fd 0-2 is the stdio myrestart gives back only when it is one
 * of the owner's: a shell gives its children others (`tr <file`), which
 * come back as themselves */
int ckpt_tree_owners_stdio(__u64 dev, __u64 ino)
{
	if (!cut || !my_slot)
		return 1;
	for (int fd = 0; fd < 3; fd++)
		if (cut->stdio_ino[fd] == ino && cut->stdio_dev[fd] == dev)
			return 1;
	return 0;
}

/* is this process in a tree's cut (its image full, with or of the TREE
 * record)? */
int ckpt_tree_in_cut(void)
{
	return cut != 0;
}

/* is this writer a member's, whose image must not be a delta? */
int ckpt_tree_member(void)
{
	return cut && my_slot;
}

/* The owner's writer: waits for every member's image, then the TREE
 * record's payload (at most cap bytes) is built into buf; its size, 0
 * for a process alone, or -1 with *why set when a member failed. */
/* did member i end (the program, running on, may kill it) before it
 * forked its writer, which would then never say it wrote? */
static int died_unforked(unsigned i)
{
	struct pstat st;

	return __atomic_load_n(&cut->slot[i].state, __ATOMIC_ACQUIRE) != S_FORKED &&
	       (read_stat(cut->mem[i].pid, &st) || st.state == 'Z');
}

long ckpt_tree_record(char *buf, __u64 cap, const char **why)
{
	struct ckpt_tree t;
	char *p = buf;
	unsigned i;

	if (!cut || my_slot)
		return 0;
	for (i = 1; i < cut->n; i++) {
		struct ckpt_member *m = &cut->mem[i];
		int w;
		while (!(w = __atomic_load_n(&cut->slot[i].written, __ATOMIC_ACQUIRE)) && m->state != CKPT_MS_ZOMBIE &&
		       __atomic_load_n(&cut->phase, __ATOMIC_ACQUIRE) != P_FAIL && !died_unforked(i))
			futex(&cut->slot[i].written, FUTEX_WAIT, 0, 100);
		if (cut->phase == P_FAIL || (m->state != CKPT_MS_ZOMBIE && w != 1)) {
			*why = "a process of the tree could not write its image";
			return -1;
		}
		if (m->state != CKPT_MS_ZOMBIE) {
			struct out o = { .len = 0 };
			m->image_id = cut->slot[i].image_id;
			outf(&o, "%s.t%x.%u", ckpt_base_name(ckpt_self.path), (__u64)cut->id, (__u64)m->pid);
			if (o.len >= sizeof(m->file)) {
				*why = "the image's name is too long for a tree's member files";
				return -1;
			}
			memcpy(m->file, o.buf, o.len);
			m->file[o.len] = 0;
		}
	}
	t = (struct ckpt_tree){ cut->id, cut->n, cut->nobjs, cut->nfds };
	if (sizeof(t) + cut->n * sizeof(cut->mem[0]) + cut->nobjs * sizeof(cut->obj[0]) +
	    cut->nfds * sizeof(cut->tfd[0]) + cut->nbytes > cap) {
		*why = "the tree's record is too large";
		return -1;
	}
	memcpy(p, &t, sizeof(t));
	p += sizeof(t);
	memcpy(p, cut->mem, cut->n * sizeof(cut->mem[0]));
	p += cut->n * sizeof(cut->mem[0]);
	memcpy(p, cut->obj, cut->nobjs * sizeof(cut->obj[0]));
	p += cut->nobjs * sizeof(cut->obj[0]);
	memcpy(p, cut->tfd, cut->nfds * sizeof(cut->tfd[0]));
	p += cut->nfds * sizeof(cut->tfd[0]);
	memcpy(p, cut->bytes, cut->nbytes);
	return p + cut->nbytes - buf;
}

/* the upper bound of the record's payload */
__u64 ckpt_tree_record_max(void)
{
	if (!cut || my_slot)
		return 0;
	return sizeof(struct ckpt_tree) + cut->n * sizeof(cut->mem[0]) + cut->nobjs * sizeof(cut->obj[0]) +
	       cut->nfds * sizeof(cut->tfd[0]) + cut->nbytes;
}

static int stale(const char *name, const char *base, unsigned blen, const char *keep)
{
	return !memcmp(name, base, blen) && name[blen] == '.' && name[blen + 1] == 't' &&
	       (!keep || !ckpt_starts_with(name + blen, keep));
}

/* After the owner's rename: the member files of earlier cuts go (those
 * of this one stay); with keep 0, a single process's image replaced a
 * tree: all of them go. */
void ckpt_tree_committed(void)
{
	char dir[CKPT_PATH_MAX], dents[2048];
	const char *base = ckpt_base_name(ckpt_self.path);
	unsigned blen = strlen(base), dlen = base - ckpt_self.path;
	struct out keep = { .len = 0 };
	long dfd, n;

	if (my_slot)
		return;
	if (cut) {
		outf(&keep, ".t%x.", (__u64)cut->id);
		keep.buf[keep.len] = 0;
	}
	memcpy(dir, ckpt_self.path, dlen);
	dir[dlen ? dlen : 0] = 0;
	dfd = k_openat(AT_FDCWD, dlen ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (dfd < 0)
		return;
	while ((n = sys_getdents64(dfd, (void *)dents, sizeof(dents))) > 0)
		for (long off = 0; off < n; ) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(dents + off);
			off += d->d_reclen;
			if (stale(d->d_name, base, blen, cut ? keep.buf : 0))
				k_unlinkat(dfd, d->d_name, 0);
		}
	sys_close(dfd);
}
