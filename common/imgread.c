/* Reading and validating an image: its header, its record table, every
 * record in it against the documented ranges (docs/image-format.md), and
 * the checksums of its page data.  Nothing here changes the address
 * space: every check that can fail happens before myrestart's point of no
 * return, and a damaged image gets one line on stderr and exit status 1.
 * libckpt.so links this same file to check each image it writes before
 * the image replaces the previous one (core/verify.c). */
#include "imgread.h"
#include "crc32c.h"
#include "sockname.h"

static int region_report(const struct img *im, const char *what, unsigned i)
{
	return report(im, "%s (region %u of %u)", what, (__u64)i + 1, (__u64)im->region_recs);
}

static int check_header(struct img *im)
{
	struct ckpt_header *hd = &im->hd;
	__u32 crc = hd->header_crc;

	if (memcmp(hd->magic, CKPT_MAGIC, 8))
		return report(im, "not a ckpt image (bad magic)");
	hd->header_crc = 0;
	if (crc32c(0, hd, sizeof(*hd)) != crc)
		return report(im, "bad checksum in header");
	hd->header_crc = crc;
	if (hd->version != CKPT_VERSION)
		return report(im, "image format version %u; this myrestart reads version %u",
			    (__u64)hd->version, (__u64)CKPT_VERSION);
	if (hd->header_size != sizeof(*hd) || hd->page_size != CKPT_PAGE)
		return report(im, "bad header (size or page size)");
	/* the CPU records are the machine's: nothing below reads them first */
	if (hd->machine != ARCH_ELF_MACHINE)
		return report(im, "taken on another machine (ELF machine %u); this myrestart restores "
			    ARCH_NAME " images", (__u64)hd->machine);
	if (hd->data_off != CKPT_PAGE || hd->records_off % CKPT_PAGE ||
	    hd->records_off < hd->data_off || hd->data_size > hd->records_off - hd->data_off ||
	    hd->records_size > hd->file_size || hd->records_off != hd->file_size - hd->records_size)
		return report(im, "bad header (layout)");
	if (im->fsize < hd->file_size)
		return report(im, "truncated image (%u of %u bytes)", im->fsize, (__u64)hd->file_size);
	if (im->fsize > hd->file_size)
		return report(im, "bad image (data after the record table)");
	if (hd->records_size > IMG_RECORDS_MAX)
		return report(im, "record table too large for this myrestart");
	if (hd->runner > CKPT_RUNNER_QEMU)
		return report(im, "bad header (unknown runner)");
	if (!hd->id || hd->pad || hd->depth >= CKPT_CHAIN_MAX || !hd->depth != !hd->parent_id ||
	    (hd->depth && hd->parent_id == hd->id))
		return report(im, "bad header (image chain)");
	return 0;
}

/* n runs inside a region of np pages, ascending, not overlapping; their
 * pages, or -1 */
static long long runs_pages(const struct ckpt_run *run, unsigned n, __u64 np)
{
	__u64 next = 0, total = 0;

	for (unsigned k = 0; k < n; k++) {
		if (!run[k].npages || run[k].page < next || run[k].page > np ||
		    run[k].npages > np - run[k].page)
			return -1;
		next = run[k].page + run[k].npages;
		total += run[k].npages;
	}
	return total;
}

/* no page both stored and zero */
static int runs_apart(const struct ckpt_run *a, unsigned na, const struct ckpt_run *b, unsigned nb)
{
	for (unsigned i = 0, j = 0; i < na && j < nb; ) {
		if (a[i].page + a[i].npages <= b[j].page)
			i++;
		else if (b[j].page + b[j].npages <= a[i].page)
			j++;
		else
			return 0;
	}
	return 1;
}

/* every run inside the region, ascending, the stored ones adding up to
 * data_len; a delta's zero runs too, apart from the stored */
static int check_runs(const struct img *im, const struct ckpt_region *r, unsigned i)
{
	__u64 np = (r->end - r->start) / CKPT_PAGE;
	long long total = runs_pages(region_runs(r), r->nruns, np);

	if (total < 0 || runs_pages(region_zero(r), r->nzero, np) < 0 ||
	    !runs_apart(region_runs(r), r->nruns, region_zero(r), r->nzero))
		return region_report(im, "bad page run", i);
	if (total * CKPT_PAGE != r->data_len)
		return region_report(im, "page runs do not match the data length", i);
	return 0;
}

static int check_region(const struct img *im, const struct ckpt_region *r, __u32 size, unsigned i)
{
	const struct ckpt_header *hd = &im->hd;
	__u64 fixed = sizeof(*r);

	if (size < fixed || r->nruns > (size - fixed) / sizeof(struct ckpt_run) ||
	    r->nzero > (size - fixed) / sizeof(struct ckpt_run) - r->nruns)
		return region_report(im, "bad region record", i);
	if (r->name_len < 1 || r->name_len > CKPT_NAME_MAX ||
	    fixed + ((__u64)r->nruns + r->nzero) * sizeof(struct ckpt_run) + r->name_len != size ||
	    region_name(r)[r->name_len - 1])
		return region_report(im, "bad region record", i);
	if (r->start % CKPT_PAGE || r->end % CKPT_PAGE || r->start >= r->end ||
	    r->end > CKPT_USER_END || r->start < CKPT_PAGE)
		return region_report(im, "bad region address", i);
	if (r->kind < 1 || r->kind > CKPT_KIND_MAX || (r->prot & ~CKPT_PROT_MASK) ||
	    (r->flags & ~CKPT_RF_MASK))
		return region_report(im, "bad region kind, protection or flags", i);
	if ((r->flags & CKPT_RF_DELTA) && (!hd->depth || !ckpt_kind_delta(r->kind)))
		return region_report(im, "bad region flags (a delta where there is no parent)", i);
	if (r->nzero && !(r->flags & CKPT_RF_DELTA))
		return region_report(im, "bad region record (zero runs outside a delta)", i);
	if ((ckpt_kind_special(r->kind) || r->kind == CKPT_KIND_FILE_SHARED) &&
	    (r->data_len || r->nruns || r->build_id_len > sizeof(r->build_id)))
		return region_report(im, "vdso or shared file region with data", i);
	if ((r->kind == CKPT_KIND_FILE_SHARED || r->kind == CKPT_KIND_FILE_PRIVATE) &&
	    (region_name(r)[0] != '/' || r->build_id_len > sizeof(r->build_id)))
		return region_report(im, "bad region record (a mapped file)", i);
	if (r->data_off % CKPT_PAGE || r->data_off < hd->data_off ||
	    r->data_len > hd->data_off + hd->data_size - r->data_off ||
	    r->data_off - hd->data_off > hd->data_size)
		return region_report(im, "truncated image", i);
	if (i && im->reg[i - 1]->end > r->start)
		return region_report(im, "regions overlap or are out of order", i);
	return check_runs(im, r, i);
}

/* the kinds whose contents the image may hold (1), must hold (2) */
static int saved_rule(__u32 kind)
{
	static const char rule[CKPT_FD_KIND_MAX + 1] = {
		[CKPT_FD_FILE] = 1, [CKPT_FD_DELETED] = 2, [CKPT_FD_PIPE] = 1,
		[CKPT_FD_SOCKPAIR] = 1, [CKPT_FD_MEMFD] = 2, [CKPT_FD_SOCKET] = 1,
	};
	return rule[kind];
}

/* a name of family: the size getsockname gives it (UNIX: a path or an
 * abstract name, 2 bytes unnamed), its sa_family */
static int bad_name(__u32 family, const __u8 *a, __u32 len)
{
	if (!len)
		return 0;
	if (len < 2 || len > CKPT_SOCKADDR_MAX || (__u32)(a[0] | a[1] << 8) != family)
		return 1;
	return family == AF_INET ? len != 16 : family == AF_INET6 ? len != 28 : len > 110;
}

/* A SOCKET's socket: a family, type and protocol we make, a state its
 * type can be in, names that fit them, known options */
static int check_sock(const struct ckpt_fd *f)
{
	const struct ckpt_sock *k = ckpt_fd_sock(f);
	int in = k->family == AF_INET || k->family == AF_INET6;

	if (in ? !((k->type == SOCK_STREAM && k->protocol == IPPROTO_TCP) ||
		   (k->type == SOCK_DGRAM && k->protocol == IPPROTO_UDP)) :
	    k->family != AF_UNIX || k->protocol ||
	    (k->type != SOCK_STREAM && k->type != SOCK_DGRAM && k->type != SOCK_SEQPACKET))
		return 1;
	return k->state < CKPT_SS_UNBOUND || k->state > CKPT_SS_MAX || k->opts & ~CKPT_SO_MASK ||
	       (k->state != CKPT_SS_LISTEN && k->backlog) || k->backlog > CKPT_BACKLOG_MAX ||
	       (k->state == CKPT_SS_LISTEN && k->type == SOCK_DGRAM) ||
	       (k->state == CKPT_SS_CONNECTED) != (k->peer_len > 0) ||
	       (k->state >= CKPT_SS_BOUND && k->state <= CKPT_SS_LISTEN && k->local_len <= 2) ||
	       bad_name(k->family, k->local, k->local_len) || bad_name(k->family, k->peer, k->peer_len) ||
	       (k->state == CKPT_SS_CLOSED && k->protocol != IPPROTO_TCP) ||
	       (f->fdflags & CKPT_FDF_SAVED && (k->state < CKPT_SS_CONNECTED ||
					      (k->type == SOCK_DGRAM && k->family != AF_UNIX))) ||
	       k->rcvbuf > (1u << 30) || k->sndbuf > (1u << 30) || k->pad || k->queued > f->size ||
	       (f->peer != -1 && (f->peer < 0 || f->peer == f->fd || k->state != CKPT_SS_CONNECTED ||
				  k->protocol != IPPROTO_TCP));
}

static int check_fd(const struct img *im, const struct ckpt_fd *f, __u32 size)
{
	int saved = !!(f->fdflags & CKPT_FDF_SAVED);
	__u64 watches;
	const char *path;

	if (size < sizeof(*f) || f->kind < CKPT_FD_FILE || f->kind > CKPT_FD_KIND_MAX ||
	    (f->kind == CKPT_FD_EPOLL && f->aux > CKPT_WATCHES_MAX))
		return report(im, "bad fd record");
	watches = f->kind == CKPT_FD_EPOLL ? f->aux * sizeof(struct ckpt_watch) :
		  f->kind == CKPT_FD_SOCKET ? sizeof(struct ckpt_sock) : 0;
	path = ckpt_fd_path(f);
	if (f->kind == CKPT_FD_SOCKET && (size < sizeof(*f) + watches || check_sock(f)))
		return report(im, "bad fd record (socket)");
	if (f->path_len < 2 || f->path_len > CKPT_NAME_MAX ||
	    sizeof(*f) + watches + f->path_len != size || path[f->path_len - 1] ||
	    f->fd < 0 || f->fd >= (1 << 20) || (f->fd > 2 && f->kind == CKPT_FD_STDIO) ||
	    (f->fdflags & ~CKPT_FDF_MASK) || saved > saved_rule(f->kind) || (saved_rule(f->kind) == 2) > saved ||
	    ((f->kind == CKPT_FD_PIPE || f->kind == CKPT_FD_SOCKPAIR || f->kind == CKPT_FD_DUP) &&
	     (f->peer < 0 || f->peer == f->fd)) ||
	    (f->kind == CKPT_FD_PIPE && ((f->flags & O_ACCMODE) == O_RDWR || f->size > f->aux ||
					 f->aux > (1u << 31) || (saved && (f->flags & O_ACCMODE) != O_RDONLY))) ||
	    (f->kind == CKPT_FD_SOCKPAIR && f->aux != SOCK_STREAM && f->aux != SOCK_DGRAM &&
	     f->aux != SOCK_SEQPACKET) ||
	    (f->kind == CKPT_FD_EVENTFD && (f->aux > 1 || f->val[0] == ~0ull)) ||
	    (f->kind == CKPT_FD_TIMERFD && f->aux > 15))
		return report(im, "bad fd record");
	if (saved &&
	    (f->data_off % CKPT_PAGE || f->data_off < im->hd.data_off ||
	     f->data_off - im->hd.data_off > im->hd.data_size ||
	     f->size > im->hd.data_size - (f->data_off - im->hd.data_off)))
		return report(im, "bad fd record (saved file contents)");
	for (unsigned i = 0; i < im->nfds; i++)
		if (im->fds[i]->fd == f->fd)
			return report(im, "bad fd record (duplicate)");
	return 0;
}

static const struct ckpt_fd *fd_rec(const struct img *im, int fd)
{
	for (unsigned i = 0; i < im->nfds; i++)
		if (im->fds[i]->fd == fd)
			return im->fds[i];
	return 0;
}

/* what the records say of each other: a pair's ends name each other (a
 * pipe's one read and one write end), a DUP names a record that is not
 * one, an epoll watches fds that are in the image */
static int check_fd_links(const struct img *im)
{
	for (unsigned i = 0; i < im->nfds; i++) {
		const struct ckpt_fd *f = im->fds[i], *p = fd_rec(im, f->peer);
		const struct ckpt_watch *w = ckpt_fd_watches(f);
		int bad = 0;
		if (f->kind == CKPT_FD_PIPE || f->kind == CKPT_FD_SOCKPAIR)
			bad = !p || p->kind != f->kind || p->peer != f->fd ||
			      (f->kind == CKPT_FD_PIPE && (p->flags & O_ACCMODE) == (f->flags & O_ACCMODE)) ||
			      (f->kind == CKPT_FD_SOCKPAIR && p->aux != f->aux);
		else if (f->kind == CKPT_FD_DUP)
			bad = !p || p->kind == CKPT_FD_DUP;
		else if (f->kind == CKPT_FD_SOCKET && f->peer >= 0)   /* a TCP connection's two ends */
			bad = !p || p->kind != CKPT_FD_SOCKET || p->peer != f->fd ||
			      ckpt_fd_sock(p)->family != ckpt_fd_sock(f)->family;
		for (unsigned k = 0; f->kind == CKPT_FD_EPOLL && k < f->aux; k++)
			bad |= !fd_rec(im, w[k].fd);
		if (bad)
			return report(im, "bad fd record (fd %u names fds the image does not have)", (__u64)f->fd);
	}
	return 0;
}

/* A file lock: a known kind and type, a range that ends before 2^63
 * (a flock's and a lease's is the whole file), taken through the fd of
 * an FD record before it: one whose fdinfo the library reads (not a
 * socket, an object of an anonymous inode, or a DUP: a lock is recorded
 * with the first fd of its open file description) */
static int check_lock(struct img *im, const struct ckpt_lock *l, __u32 size)
{
	const unsigned can = 1u << CKPT_FD_FILE | 1u << CKPT_FD_NULL | 1u << CKPT_FD_DELETED |
			     1u << CKPT_FD_STDIO | 1u << CKPT_FD_PIPE | 1u << CKPT_FD_MEMFD;
	const struct ckpt_fd *f = size == sizeof(*l) ? fd_rec(im, l->fd) : 0;

	if (im->nlocks == CKPT_LOCKS_MAX || !f || !(can >> f->kind & 1) || l->kind < CKPT_LOCK_FLOCK ||
	    l->kind > CKPT_LOCK_KIND_MAX || l->type > F_WRLCK || l->pad || l->start >> 63 ||
	    l->len > (1ull << 63) - l->start ||
	    ((l->kind == CKPT_LOCK_FLOCK || l->kind == CKPT_LOCK_LEASE) && (l->start || l->len)))
		return report(im, "bad lock record");
	im->locks[im->nlocks++] = l;
	return 0;
}

/* the records an image has exactly once, in the order of img.once[] */
static const struct { __u32 type, size; const char *name; } once_rec[] = {
	{ CKPT_REC_INFO, sizeof(struct ckpt_info), "info" },
	{ CKPT_REC_MM, sizeof(struct ckpt_mm), "mm" },
	{ CKPT_REC_PROC, sizeof(struct ckpt_proc), "process" },
	{ CKPT_REC_SIGNALS, sizeof(struct ckpt_signals), "signal" },
};
#define NONCE (sizeof(once_rec) / sizeof(once_rec[0]))

/* a record of once_rec[]: right size, not seen before */
static int check_once(struct img *im, const struct ckpt_rec *h, unsigned k)
{
	if (h->size != once_rec[k].size || im->once[k])
		return report(im, "bad %s record", once_rec[k].name);
	im->once[k] = h + 1;
	return 0;
}

/* a delta's parent: a file name in the image's own directory */
static int check_parent_name(struct img *im, const char *name, __u32 size)
{
	if (im->parent_name || size < 2 || size > 256 || name[size - 1] || strnlen(name, size) != size - 1 ||
	    strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return report(im, "bad parent record");
	im->parent_name = name;
	return 0;
}

/* a thread record: its struct, then as many bytes of extended state as it
 * says; one leader at most */
static int check_thread(struct img *im, const struct ckpt_rec *h)
{
	const struct ckpt_thread *t = (const struct ckpt_thread *)(h + 1);

	if (im->nthreads == CKPT_THREADS_MAX)
		return report(im, "too many threads for this myrestart (at most %u)", (__u64)CKPT_THREADS_MAX);
	if (h->size < sizeof(*t) || !arch_xstate_valid(&t->xstate) || h->size != sizeof(*t) + t->xstate.size ||
	    (t->flags & ~CKPT_TF_LEADER) || ((t->flags & CKPT_TF_LEADER) && im->leader) ||
	    (t->rseq_area && (t->rseq_area % 32 || t->rseq_len < 32)))
		return report(im, "bad thread record (thread %u)", (__u64)im->nthreads + 1);
	if (t->flags & CKPT_TF_LEADER)
		im->leader = t;
	im->thread[im->nthreads++] = t;
	return 0;
}

/* a POSIX timer: a clock timer_create takes, a signal it can send, a
 * thread of the image when it signals one */
static int check_timer(struct img *im, const struct ckpt_timer *t, __u32 size)
{
	int cpu = t->clock < 0, bad;

	if (im->ntimers == CKPT_TIMERS_MAX)
		return report(im, "too many POSIX timers (at most %u)", (__u64)CKPT_TIMERS_MAX);
	bad = size != sizeof(*t) || t->id < 0 || t->pad || t->value_ns >= CKPT_TIMER_NS_MAX ||
	      t->interval_ns >= CKPT_TIMER_NS_MAX || (cpu ? CKPT_CPUCLOCK_TYPE(t->clock) == 3 : t->clock > 11) ||
	      (t->notify != 1 && (t->signo < 1 || t->signo > 64)) ||
	      (t->notify == 4 ? t->thread < 0 || t->thread >= CKPT_THREADS_MAX : t->notify > 1 || t->thread != -1);
	for (unsigned k = 0; !bad && k < im->ntimers; k++)
		bad = im->timer[k]->id == t->id;
	if (bad)
		return report(im, "bad timer record (timer %u)", (__u64)im->ntimers + 1);
	im->timer[im->ntimers++] = t;
	return 0;
}

/* an object of the TREE record, its bytes at b (the record ends at end) */
static int bad_tobj(const struct ckpt_tobj *o, const char *b, const char *end)
{
	switch (o->kind) {
	case CKPT_TOBJ_PIPE:
		return o->nbytes > o->size || o->size > (1u << 30);
	case CKPT_TOBJ_SHM:
		return o->nbytes || o->size > (1ull << 46);
	case CKPT_TOBJ_EVENTFD:
		return o->nbytes || o->aux > 1 || o->size == ~0ull;
	case CKPT_TOBJ_SOCKET:
		return o->nbytes || o->size;
	case CKPT_TOBJ_SOCKPAIR:
		return o->nbytes || o->ino == o->dev ||
		       (o->size != SOCK_STREAM && o->size != SOCK_DGRAM && o->size != SOCK_SEQPACKET);
	case CKPT_TOBJ_TCPPAIR:
		return o->nbytes || o->ino == o->dev || (o->size != AF_INET && o->size != AF_INET6);
	case CKPT_TOBJ_FILE:
		return o->nbytes < 2 || o->nbytes > CKPT_NAME_MAX || o->nbytes > end - b || b[0] != '/' ||
		       strnlen(b, o->nbytes) != o->nbytes - 1 || (__s64)o->size < 0;
	}
	return 1;
}

/* the process attributes: values the kernel can have */
/* the TREE record: sizes exact, every index in range, a parent before
 * its children */
static int check_tree(struct img *im, const char *body, __u32 size)
{
	const struct ckpt_tree *t = (const void *)body;
	__u64 need = sizeof(*t), bytes = 0;
	unsigned i, k;

	if (im->tree)
		return report(im, "bad image (two tree records)");
	if (size < need || !t->nmembers || t->nmembers > CKPT_TREE_MAX || t->nobjs > CKPT_TOBJS_MAX ||
	    t->nfds > CKPT_TFDS_MAX)
		return report(im, "bad tree record (counts)");
	need += t->nmembers * sizeof(struct ckpt_member) + t->nobjs * sizeof(struct ckpt_tobj) +
		t->nfds * sizeof(struct ckpt_tfd);
	if (size < need)
		return report(im, "bad tree record (size)");
	im->tree = t;
	im->members = (const void *)(t + 1);
	im->tobjs = (const void *)(im->members + t->nmembers);
	im->tfds = (const void *)(im->tobjs + t->nobjs);
	im->tbytes = (const char *)(im->tfds + t->nfds);
	for (i = 0; i < t->nmembers; i++) {
		const struct ckpt_member *m = &im->members[i];
		int live = m->state != CKPT_MS_ZOMBIE, parent = !i, slash = 0;
		for (k = 0; k < sizeof(m->file) && m->file[k]; k++)
			slash |= m->file[k] == '/';
		if (m->pid <= 1 || m->state > CKPT_MS_MAX || (!i && !live) || slash || k == sizeof(m->file) ||
		    (i && live) != (m->file[0] != 0))
			return report(im, "bad tree record (process %u)", (__u64)i + 1);
		for (k = 0; k < i; k++) {
			if (im->members[k].pid == m->pid)
				return report(im, "bad tree record (process %u twice)", (__u64)i + 1);
			parent |= im->members[k].pid == m->ppid && im->members[k].state != CKPT_MS_ZOMBIE;
		}
		if (!parent)
			return report(im, "bad tree record (process %u: its parent is not before it)", (__u64)i + 1);
	}
	for (i = 0; i < t->nobjs; i++) {
		const struct ckpt_tobj *o = &im->tobjs[i];
		if (bad_tobj(o, im->tbytes + bytes, (const char *)body + size))
			return report(im, "bad tree record (object %u)", (__u64)i + 1);
		bytes += o->nbytes;
	}
	for (i = 0; i < t->nfds; i++) {
		const struct ckpt_tfd *f = &im->tfds[i];
		if (f->member >= t->nmembers || f->obj >= t->nobjs || im->tobjs[f->obj].kind == CKPT_TOBJ_SHM ||
		    f->fd < 0 || f->fd >= (1 << 20) || (f->flags & O_ACCMODE) == O_ACCMODE ||
		    (f->fdflags & ~(CKPT_FDF_CLOEXEC | CKPT_TFD_END1)) ||
		    ((f->fdflags & CKPT_TFD_END1) && im->tobjs[f->obj].kind != CKPT_TOBJ_SOCKPAIR &&
		     im->tobjs[f->obj].kind != CKPT_TOBJ_TCPPAIR))
			return report(im, "bad tree record (fd %u)", (__u64)i + 1);
	}
	if (size != need + bytes || bytes > CKPT_TREE_BYTES_MAX)
		return report(im, "bad tree record (size)");
	return 0;
}

static int bad_attrs(const struct ckpt_proc *p)
{
	return p->pad || p->nice < -20 || p->nice > 19 || p->sched_policy > 6 || p->sched_policy == 4 ||
	       p->sched_priority > 99 || p->no_new_privs > 1 || p->subreaper > 1 || p->pdeathsig > 64 ||
	       p->dumpable > 2 || (p->seccomp && p->seccomp != 2);
}

/* one record that may come many times: its checks, and its place in im */
static int check_record(struct img *im, const struct ckpt_rec *h)
{
	const void *body = h + 1;

	switch (h->type) {
	case CKPT_REC_REGION:
		if (im->nregions >= IMG_REGIONS_MAX)
			return report(im, "too many regions for this myrestart");
		im->reg[im->nregions] = body;
		if (check_region(im, body, h->size, im->nregions))
			return 1;
		im->nregions++;
		return 0;
	case CKPT_REC_FD:
		if (im->nfds >= IMG_FDS_MAX)
			return report(im, "too many fds for this myrestart");
		if (check_fd(im, body, h->size))
			return 1;
		im->fds[im->nfds++] = body;
		return 0;
	case CKPT_REC_THREAD: return check_thread(im, h);
	case CKPT_REC_LOCK:   return check_lock(im, body, h->size);
	case CKPT_REC_PARENT: return check_parent_name(im, body, h->size);
	case CKPT_REC_TIMER:  return check_timer(im, body, h->size);
	case CKPT_REC_TREE:   return check_tree(im, body, h->size);
	}
	return report(im, "unknown record type %u (written by a newer ckpt?)", (__u64)h->type);
}

static int check_records(struct img *im)
{
	const char *p = im->records, *end = im->records + im->hd.records_size;
	unsigned n = 0, k;
	int ended = 0;

	/* how many region records there are, for messages ("region 3 of 12");
	 * a malformed table stops the count and is reported below */
	im->region_recs = 0;
	for (const char *q = p; end - q >= (long)sizeof(struct ckpt_rec); ) {
		const struct ckpt_rec *h = (const struct ckpt_rec *)q;
		if (h->size > end - q - sizeof(*h))
			break;
		im->region_recs += h->type == CKPT_REC_REGION;
		q += ckpt_rec_size(h->size);
	}
	/* a tree's member may load its own image over its owner's */
	im->nregions = im->nfds = im->nthreads = im->ntimers = im->nlocks = 0;
	im->once[0] = im->once[1] = im->once[2] = im->once[3] = 0;
	im->leader = 0;
	im->parent_name = 0;
	im->tree = 0;
	while (p < end && !ended) {
		const struct ckpt_rec *h = (const struct ckpt_rec *)p;
		__u64 left = end - p;
		if (left < sizeof(*h) || h->size > left - sizeof(*h))
			return report(im, "bad record table (record runs past its end)");
		if (h->type < 1 || h->type > CKPT_REC_MAX)
			return report(im, "unknown record type %u (written by a newer ckpt?)", (__u64)h->type);
		for (k = 0; k < NONCE && once_rec[k].type != h->type; k++)
			;
		if (k < NONCE) {
			if (check_once(im, h, k))
				return 1;
		} else if (h->type == CKPT_REC_END) {
			ended = 1;
		} else if (check_record(im, h)) {
			return 1;
		}
		n++;
		p += ckpt_rec_size(h->size);
	}
	if (!ended || n != im->hd.nrecords)
		return report(im, "bad record table (no end record or wrong count)");
	for (k = 0; k < NONCE; k++)
		if (!im->once[k])
			return report(im, "bad image (no %s record)", once_rec[k].name);
	if (!im->leader)
		return report(im, "bad image (no leader thread record)");
	if (!im->hd.depth != !im->parent_name)
		return report(im, "bad image (a delta names no parent, or a full image names one)");
	if (check_fd_links(im))
		return 1;
	for (k = 0; k < im->ntimers; k++)
		if (im->timer[k]->thread >= (int)im->nthreads)
			return report(im, "bad timer record (timer %u signals no thread of the image)", (__u64)k + 1);
	for (unsigned i = 0; !(im->info->flags & CKPT_IF_UNRESERVED) && i < im->nregions; i++)
		if (im->reg[i]->start < CKPT_RESERVED_END && im->reg[i]->end > CKPT_RESERVED_START)
			return region_report(im, "region overlaps myrestart's range 0x5000000-0x5400000", i);
	if (im->tree && im->members[0].pid != im->info->pid)
		return report(im, "bad tree record (its first process is not this image's)");
	if (im->info->flags & ~CKPT_IF_UNRESERVED || im->info->pad)
		return report(im, "bad info record");
	if (strnlen(im->proc->cwd, sizeof(im->proc->cwd)) == sizeof(im->proc->cwd) || bad_attrs(im->proc))
		return report(im, "bad process record");
	return 0;
}

static const struct ckpt_region *find_region(const struct img *im, __u64 addr)
{
	for (unsigned i = 0; i < im->nregions; i++)
		if (addr >= im->reg[i]->start && addr < im->reg[i]->end)
			return im->reg[i];
	return 0;
}

/* " x87 sse avx": the names of the components in f, after " xsave" (the
 * instruction) when insn is set */
static void xstate_names(struct out *o, __u64 f, int insn)
{
	if (insn)
		out_str(o, " xsave");
	for (unsigned b = 0; b < 64; b++) {
		if (!(f >> b & 1))
			continue;
		out_chr(o, ' ');
		if (b < ARCH_XSTATE_NNAMES)
			out_str(o, nth_str(ARCH_XSTATE_NAMES, b));
		else
			out_str(o, "bit"), out_u64(o, b);
	}
	o->buf[o->len] = 0;
}

/* A thread restorable here: the CPU's extended state features present,
 * a resume point inside the saved memory */
static int check_thread_here(const struct img *im, const struct ckpt_thread *t, unsigned i,
			     const struct arch_xstate *here)
{
	const struct ckpt_region *r;

	if (!arch_xstate_fits(&t->xstate, here)) {
		static struct out lacks, needs;
		int insn;
		xstate_names(&lacks, arch_xstate_missing(&t->xstate, here, &insn), insn);
		xstate_names(&needs, t->xstate.features, 0);
		return report(im, "this CPU lacks%s (xstate the image needs:%s)", lacks.buf, needs.buf);
	}
	r = find_region(im, arch_pc(&t->cpu));
	if (!r || ckpt_kind_special(r->kind))
		return report(im, "bad thread record (thread %u: resume address outside the saved memory)",
			      (__u64)i + 1);
	r = find_region(im, arch_sp(&t->cpu));
	if (!r || !(r->prot & PROT_WRITE))
		return report(im, "bad thread record (thread %u: stack pointer outside the saved memory)",
			      (__u64)i + 1);
	return 0;
}

/* The image must be restorable here: same runner, every thread too. */
static int check_machine(const struct img *im)
{
	struct arch_xstate here;

	if (im->hd.runner != (__u32)im->runner) {
		if (im->hd.runner == CKPT_RUNNER_QEMU)
			return report(im, "taken under " ARCH_QEMU "; restart it with " ARCH_QEMU);
		return report(im, "taken natively; restart it without " ARCH_QEMU);
	}
	arch_xstate_probe(&here);
	for (unsigned i = 0; i < im->nthreads; i++)
		if (check_thread_here(im, im->thread[i], i, &here))
			return 1;
	return 0;
}

int image_load(struct img *im)
{
	struct statx st;
	long r;

	r = k_openat(AT_FDCWD, im->path, O_RDONLY | O_CLOEXEC, 0);
	if (r < 0)
		return report(im, "cannot open: %s", err_str(r));
	im->fd = r;
	r = k_statx(im->fd, "", AT_EMPTY_PATH, STATX_SIZE | STATX_TYPE, &st);
	if (r < 0)
		return report(im, "cannot stat the image");
	if ((st.stx_mode & S_IFMT) != S_IFREG)
		return report(im, "not a regular file");
	im->fsize = st.stx_size;
	if (!im->fsize)
		return report(im, "empty file, not a ckpt image");
	r = k_pread_full(im->fd, im->records, CKPT_PAGE, 0);
	if (r < 0)
		return report(im, "cannot read the header");
	if (r < 8 || memcmp(im->records, CKPT_MAGIC, 8))
		return report(im, "not a ckpt image (bad magic)");
	if (r != (long)CKPT_PAGE)
		return report(im, "truncated image (header page)");
	memcpy(&im->hd, im->records, sizeof(im->hd));
	if (check_header(im))
		return 1;
	/* the rest of the header page is padding and must be zero: a flipped
	 * byte there is damage too */
	for (r = sizeof(im->hd); r < (long)CKPT_PAGE; r++)
		if (im->records[r])
			return report(im, "bad header (non-zero padding)");
	r = k_pread_full(im->fd, im->records, im->hd.records_size, im->hd.records_off);
	if (r != (long)im->hd.records_size)
		return report(im, "cannot read the record table");
	if (crc32c(0, im->records, im->hd.records_size) != im->hd.records_crc)
		return report(im, "bad checksum in record table");
	return check_records(im) || check_machine(im);
}

/* Page data: each region's CRC32C, read through a small buffer that stays
 * in cache (as cat would read the file), so verifying costs about one read
 * of the image.  The buffer is a temporary mapping, gone before restore. */
#define VERIFY_CHUNK (1ul << 20)
/* CRC32C of len bytes of the image at off, through buf; -1 if short */
static long long crc_of(const struct img *im, long buf, __u64 off, __u64 len)
{
	__u32 crc = 0;
	for (__u64 done = 0; done < len; ) {
		__u64 n = len - done < VERIFY_CHUNK ? len - done : VERIFY_CHUNK;
		if (k_pread_full(im->fd, (void *)buf, n, off + done) != (long)n)
			return -1;
		crc = crc32c(crc, (const void *)buf, n);
		done += n;
	}
	return crc;
}

int image_verify_data(struct img *im)
{
	long buf = k_mmap(0, VERIFY_CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int bad = 0;

	if (k_failed(buf))
		return report(im, "out of memory for checking");
	for (unsigned i = 0; i < im->nregions && !bad; i++) {
		const struct ckpt_region *r = im->reg[i];
		long long crc;
		if (im->verified && im->verified[i])
			continue;
		crc = crc_of(im, buf, r->data_off, r->data_len);
		if (crc < 0)
			bad = region_report(im, "truncated image", i);
		else if (crc != r->data_crc)
			bad = report(im, "bad checksum in region %u (%s)", (__u64)i + 1,
				   region_name(r)[0] ? region_name(r) : "anonymous");
	}
	for (unsigned i = 0; i < im->nfds && !bad; i++) {
		const struct ckpt_fd *f = im->fds[i];
		long long crc;
		if (!(f->fdflags & CKPT_FDF_SAVED))
			continue;
		crc = crc_of(im, buf, f->data_off, f->size);
		if (crc < 0)
			bad = report(im, "truncated image (contents of fd %u)", (__u64)f->fd);
		else if (crc != f->data_crc)
			bad = report(im, "bad checksum in the saved contents of fd %u (%s)", (__u64)f->fd,
				   ckpt_fd_path(f));
	}
	k_munmap(buf, VERIFY_CHUNK);
	return bad;
}
