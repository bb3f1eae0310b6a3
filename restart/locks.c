/* File locks: taken again at a restart.  flock and OFD locks belong to
 * an open file description, so they are taken on the reopened fds while
 * they are parked, before the point of no return: a conflict with
 * another process's lock is a refusal then, and nothing has changed.
 * POSIX locks belong to the process and go with the close of any fd of
 * their file, which myrestart does as it puts the fds in place; so
 * before the point of no return each is only tested (F_OFD_GETLK), and it is
 * taken once every fd is in its place.  One that another process took in
 * between is a warning. */
#include "restart.h"

/* "a POSIX write lock on bytes 0-99", "a shared flock", "a read lease";
 * kind 0, another process's lock (F_OFD_GETLK does not tell which kind):
 * "a write lock on bytes 0-99" */
static void out_lock(struct out *o, const struct ckpt_lock *l)
{
	/* by kind: what comes before "read"/"write" and after it */
	static const char pre[] = "a\0\0a POSIX\0an OFD\0a\0a mandatory", post[] = "lock\0\0lock\0lock\0lease\0lock";
	int w = l->type == F_WRLCK;

	if (l->kind == CKPT_LOCK_FLOCK)
		outf(o, w ? "an exclusive flock" : "a shared flock");
	else
		outf(o, "%s %s %s", nth_str(pre, l->kind), w ? "write" : "read", nth_str(post, l->kind));
	if (l->kind != CKPT_LOCK_FLOCK && l->kind != CKPT_LOCK_LEASE)
		outf(o, l->len ? " on bytes %u-%u" : " on bytes %u to the end", l->start, l->start + l->len - 1);
}

/* l in words */
static const char *lock_str(const struct ckpt_lock *l)
{
	static struct out o;

	o.len = 0;
	out_lock(&o, l);
	o.buf[o.len] = 0;
	return o.buf;
}

/* why a restart cannot take l on f again, or 0 when it can */
static const char *lost(const struct ckpt_lock *l, const struct ckpt_fd *f)
{
	if (l->kind >= CKPT_LOCK_LEASE)
		return "not restorable";
	if (f->kind == CKPT_FD_NULL)
		return "the fd is /dev/null";
	return f->kind == CKPT_FD_STDIO ? "the fd is myrestart's" : 0;
}

/* the number in base at *p, which is left after it and one more character */
static __u64 num(const char **p, int base)
{
	__u64 v = 0;

	for (;; ++*p) {
		int d = **p >= '0' && **p <= '9' ? **p - '0' : **p >= 'a' && **p <= 'f' ? **p - 'a' + 10 : 99;
		if (d >= base)
			break;
		v = v * base + d;
	}
	++*p;
	return v;
}

/* Who holds a flock on f's file (the kernel has no F_GETLK for them):
 * the first FLOCK line of /proc/locks on its device and inode that is
 * not ours, "1: FLOCK  ADVISORY  WRITE 1234 fe:00:5308759 0 EOF"; its
 * pid (0: none found), and what it holds in *type (else left as it is) */
#define LOCKS_TEXT (1ul << 16)
static __u64 flock_holder(const struct ckpt_fd *f, __u32 *type)
{
	/* (mapped for this one look: the bss has no room to spare; room
	 * after the text: a match at its very end reads on past it) */
	long m = k_mmap(0, LOCKS_TEXT, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *text = (char *)m;
	__u64 found = 0;
	long n;

	if (k_failed(m))
		return 0;
	n = k_read_file("/proc/locks", text, LOCKS_TEXT - 64);
	text[n < 0 ? 0 : n] = 0;
	for (const char *p = text; *p && !found; p++) {
		__u64 pid, dev, ino;
		int w = p[19] == 'W';
		if (memcmp(p, ": FLOCK  ADVISORY  ", 19))
			continue;                       /* (a waiter's line has "-> FLOCK") */
		for (p += 19; *p && *p++ != ' '; )
			;
		pid = num(&p, 10);
		dev = num(&p, 16) << 32;
		dev |= num(&p, 16);
		ino = num(&p, 10);
		if (dev == f->dev && ino == f->ino && (long)pid != sys_getpid()) {
			*type = w ? F_WRLCK : F_RDLCK;
			found = pid;
		}
	}
	k_munmap(m, LOCKS_TEXT);
	return found;
}

/* one line: f's file is locked by another process (its pid, or 0 or
 * -1: unknown; what it holds), which l needs; returns 1 */
static int conflict(const struct img *im, const struct ckpt_fd *f, const struct ckpt_lock *l,
		    __u64 pid, const struct ckpt_lock *holder)
{
	static struct out o;

	o.len = 0;
	outf(&o, (long)pid > 0 ? "%s is locked by process %u (" : "%s is locked by another process (", path_of(f), pid);
	out_lock(&o, holder);
	outf(&o, "); the program held ");
	out_lock(&o, l);
	outf(&o, " at the checkpoint");
	o.buf[o.len] = 0;
	return report(im, "%s", o.buf);
}

/* one line about l, taken through f: fmt names the fd, its path, the
 * lock and then tail; returns 1 */
static int say(const struct img *im, const char *fmt, const struct ckpt_lock *l, const struct ckpt_fd *f,
	       const char *tail)
{
	return report(im, fmt, (__u64)f->fd, path_of(f), lock_str(l), tail);
}
/* (without its first 9 characters: a refusal) */
static const char cannot[] = "warning: fd %u (%s): cannot take %s again: %s";

static struct flock range(const struct ckpt_lock *l)
{
	return (struct flock){ .l_type = l->type, .l_whence = SEEK_SET, .l_start = l->start, .l_len = l->len };
}

/* fcntl cmd (F_OFD_SETLK, F_SETLK) of l on fd: 0 or -errno */
static long take(int fd, int cmd, const struct ckpt_lock *l)
{
	struct flock fl = range(l);
	return k_fcntl_lock(fd, cmd, &fl);
}

/* the POSIX locks to take once the fds are in place: their fd records'
 * index + 1 (0: none) */
static unsigned short posix_rec[CKPT_LOCKS_MAX];

/* Before the point of no return, with the fds parked (im->held): the
 * flock and OFD locks taken, the POSIX ones tested; what a restart does
 * not take again named.  0, or 1 after one line. */
int locks_prepare(const struct img *im)
{
	for (unsigned i = 0; i < im->nlocks; i++) {
		const struct ckpt_lock *l = im->locks[i];
		int k = objs_index(im, l->fd), h = im->held[k];
		const struct ckpt_fd *f = im->fds[k];
		struct ckpt_lock other = { .kind = CKPT_LOCK_FLOCK, .type = F_WRLCK };
		struct flock fl = range(l);
		const char *why = lost(l, f);
		long r;

		if (why) {
			say(im, cannot, l, f, why);
			continue;
		}
		if (l->kind == CKPT_LOCK_FLOCK) {
			r = k_flock(h, (l->type == F_WRLCK ? LOCK_EX : LOCK_SH) | LOCK_NB);
			if (r == -EWOULDBLOCK)
				return conflict(im, f, l, flock_holder(f, &other.type), &other);
		} else {
			/* who would refuse it: any lock of another open file
			 * description or process (the program's own were all
			 * compatible at the checkpoint) */
			r = k_fcntl_lock(h, F_OFD_GETLK, &fl);
			if (!r && fl.l_type != F_UNLCK) {
				other = (struct ckpt_lock){ 0, 0, fl.l_type, 0, fl.l_start, fl.l_len };
				return conflict(im, f, l, fl.l_pid, &other);
			}
			if (!r && l->kind == CKPT_LOCK_OFD)
				r = take(h, F_OFD_SETLK, l);
			posix_rec[i] = l->kind == CKPT_LOCK_POSIX ? k + 1 : 0;
		}
		if (r < 0)
			return say(im, cannot + 9, l, f, err_str(r));
	}
	return 0;
}

/* Past the point of no return, once every fd is in its place: the POSIX
 * locks */
void locks_install(const struct img *im)
{
	for (unsigned i = 0; i < im->nlocks; i++) {
		const struct ckpt_fd *f = posix_rec[i] ? im->fds[posix_rec[i] - 1] : 0;
		long r = f ? take(f->fd, F_SETLK, im->locks[i]) : 0;
		if (r < 0)
			say(im, cannot, im->locks[i], f, err_str(r));
	}
}

/* --info: one line per lock */
void locks_info(struct out *o, const struct img *im)
{
	for (unsigned i = 0; i < im->nlocks; i++) {
		outf(o, &"\n  fd %u lock: "[!!i], (__u64)im->locks[i]->fd);
		out_lock(o, im->locks[i]);
		out_chr(o, '\n');
		out_flush(o, 1);
	}
}
