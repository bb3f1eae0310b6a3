/* File locks.  The kernel lists the locks taken through an open file
 * description in its /proc/self/fdinfo, as lines like
 *
 *   lock:	1: POSIX  ADVISORY  WRITE 1234 fe:00:5308759 0 99
 *
 * (FLOCK, POSIX, OFDLCK, or LEASE...; READ or WRITE; the first and last
 * byte, or EOF).  A POSIX lock is listed only in the fdinfo of the
 * process that owns it, so the pause reads them, not the forked writer,
 * which owns none.  The writer stores them as LOCK records; a restart
 * takes them again (restart/locks.c). */
#include "libckpt.h"
#include "out.h"

/* after the next word of p: its spaces skipped */
static const char *next_word(const char *p)
{
	while (*p && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static __u64 num(const char *p)
{
	__u64 v = 0;

	while (*p >= '0' && *p <= '9')
		v = v * 10 + *p++ - '0';
	return v;
}

/* one "lock:" line of fd's (p at its number) into l (not inlined: through
 * a pointer its stores are shorter than into s->lock[n]) */
__attribute__((noinline)) static void lock_line(struct ckpt_lock *l, int fd, const char *p)
{
	const char *kind = next_word(p), *mode = next_word(kind), *type = next_word(mode);

	memset(l, 0, sizeof(*l));
	l->fd = fd;
	l->kind = *kind == 'F' ? CKPT_LOCK_FLOCK : *kind == 'P' ? CKPT_LOCK_POSIX :
		  *kind == 'O' ? CKPT_LOCK_OFD : CKPT_LOCK_LEASE;     /* or DELEG, LAYOUT */
	/* ADVISORY: Linux has had no mandatory locks since 5.15 */
	if (l->kind != CKPT_LOCK_LEASE && *mode != 'A')
		l->kind = CKPT_LOCK_MANDATORY;
	l->type = *type == 'W' ? F_WRLCK : F_RDLCK;
	if (l->kind == CKPT_LOCK_FLOCK || l->kind == CKPT_LOCK_LEASE)
		return;                 /* the whole file */
	p = next_word(next_word(next_word(type)));   /* past the pid and dev:inode */
	l->start = num(p);
	p = next_word(p);
	if (*p != 'E')                                /* EOF: len 0 */
		l->len = num(p) - l->start + 1;
}

/* In the pause: the locks taken through f (text: a scratch buffer of
 * cap bytes); 0, or -errno with *why */
long locks_capture(struct fds_snap *s, const struct fd_snap *f, char *text, long cap, const char **why)
{
	if (!ckpt_fdinfo(f->fd, text, cap))
		return *why = "cannot read /proc/self/fdinfo", -EIO;
	for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : 0) {
		if (memcmp(p, "lock:", 5))
			continue;
		if (s->nlocks == CKPT_LOCKS_MAX)
			return *why = "too many file locks", -ENOBUFS;
		lock_line(&s->lock[s->nlocks++], f->fd, next_word(p));
	}
	return 0;
}

/* In the pause, after a close of a file of the program's (which drops
 * every POSIX lock the process holds on that file): the POSIX locks taken
 * again (those still held stay as they are) */
void locks_retake(const struct fds_snap *s)
{
	for (unsigned i = 0; i < s->nlocks; i++) {
		const struct ckpt_lock *l = &s->lock[i];
		struct flock fl = { .l_type = l->type, .l_start = l->start, .l_len = l->len };  /* SEEK_SET */
		long r;
		if (l->kind == CKPT_LOCK_POSIX && (r = k_fcntl(l->fd, F_SETLK, (long)&fl)) < 0)
			ckpt_msg("warning: the pause lost a POSIX lock to another process", 0, r);
	}
}

/* In the writer: a line for each lock of fd record f (of kind) that a
 * restart will not take again: leases, and any lock of an fd that will
 * be /dev/null or myrestart's own 0-2 */
void locks_warn(const struct fds_snap *s, const struct fd_snap *f, __u32 kind)
{
	static const char names[] = "\0flock\0POSIX lock\0OFD lock\0lease\0mandatory lock";

	for (unsigned i = 0; i < s->nlocks; i++) {
		const struct ckpt_lock *l = &s->lock[i];
		struct out o = { .len = 0 };
		if (l->fd != f->fd || (l->kind < CKPT_LOCK_LEASE && kind != CKPT_FD_NULL && kind != CKPT_FD_STDIO))
			continue;
		outf(&o, "libckpt: warning: fd %u (%s) holds a %s %s; a restart will not take it again\n",
		     (__u64)f->fd, f->path, l->type == F_WRLCK ? "write" : "read", nth_str(names, l->kind));
		out_flush(&o, 2);
	}
}
