/* A process tree (the owner's image has a TREE record): restored with
 * the pids it had, kernel-exact, in a user and pid namespace of its own.
 *
 * myrestart (the process the user started) makes the namespaces and
 * forks their first process, the tree's reaper (pid 1 there), then waits:
 * the signals it gets go on to the owner, and the owner's exit status
 * becomes its own.  The reaper mounts a /proc of the namespace, makes
 * every object the members share (pipes, shared memory) once, and forks
 * the owner with clone3's set_tid; each member forks its own children
 * the same way, so parents, process groups and sessions are what they
 * were.  Then each member loads and checks its own image and prepares
 * everything that may still fail; only when every one of them is ready
 * does the reaper let all of them past the point of no return at once.
 * A member that cannot be restored is named in one line and the whole
 * tree is gone before any program ran. */
#include "restart.h"
#include <linux/sched.h>

#define MS_NOSUID 2
#define MS_NODEV  4
#define MS_NOEXEC 8

/* The owner's table and what each member keeps of it once its own image
 * replaced the owner's: in a mapping of their own (myrestart's bss is
 * full), gone with the rest of myrestart's memory at the restore. */
struct kept {
	struct ckpt_member mem[CKPT_TREE_MAX];
	struct member_share mine;  /* for this member's restore (member.c) */
};
static struct kept *kept;
#define mem  (kept->mem)
static unsigned nmem, nlive;
static int tfd_base, ntemps;       /* the shared objects, then ready and go */
static int ready_w, go_r, run_r;   /* a member's ends of the two barriers */
static int forward_to;             /* where this process passes signals on */

/* which end of its object fd f is: a pipe's write end, a socketpair's
 * or TCP connection's second end (1), or the one end there is (0) */
static int end_of(const struct img *im, const struct ckpt_tfd *f)
{
	__u32 kind = im->tobjs[f->obj].kind;

	return kind == CKPT_TOBJ_PIPE ? (f->flags & O_ACCMODE) != O_RDONLY :
	       (kind == CKPT_TOBJ_SOCKPAIR || kind == CKPT_TOBJ_TCPPAIR) && (f->fdflags & CKPT_TFD_END1);
}

static int temp_of(const struct img *im, const struct ckpt_tfd *f)
{
	return tfd_base + 2 * f->obj + end_of(im, f);
}

/* ---- in the reaper, before any member exists ---- */

static int set_flags(const struct img *im, unsigned k, int fd, int end)
{
	for (unsigned i = 0; i < im->tree->nfds; i++) {
		const struct ckpt_tfd *f = &im->tfds[i];
		if (f->obj == k && end_of(im, f) == end)
			return k_fcntl(fd, F_SETFL, f->flags) < 0;
	}
	return 0;
}

/* the n fds moved to numbers at, at + 1...: first all of them above
 * every number we place, so that none lands on one still to be moved;
 * 0 or -errno */
static long place(int *fd, int n, int at)
{
	long r = 0;

	for (int k = 0; k < n; k++) {
		long h = k_fcntl(fd[k], F_DUPFD, tfd_base + ntemps);
		sys_close(fd[k]);
		fd[k] = h;
		if (h < 0)
			r = h;
	}
	for (int k = 0; k < n; k++)
		if (fd[k] >= 0) {
			if (!r && (r = k_dup3(fd[k], at + k, 0)) > 0)
				r = 0;
			sys_close(fd[k]);
		}
	return r;
}

/* a file two members share (object k, path at b) opened again as it
 * was: flags and offset */
static long open_file(const struct img *im, unsigned k, const char *b)
{
	char buf[CKPT_NAME_MAX];
	const char *path = pathmap(b, buf);
	__u32 flags = 0;
	long fd, r;

	for (unsigned i = 0; i < im->tree->nfds; i++)
		if (im->tfds[i].obj == k)
			flags = im->tfds[i].flags;
	fd = k_openat(AT_FDCWD, path, (flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY)) | O_CLOEXEC, 0);
	if (fd >= 0 && (r = k_lseek(fd, im->tobjs[k].size, SEEK_SET)) < 0) {
		sys_close(fd);
		fd = r;
	}
	if (fd < 0)
		report(im, "cannot open %s again (a file the tree's processes share): %s%s", path, err_str(fd),
		       pathmap_hint(fd));
	return fd;
}

/* a listener several members share: the owner's SOCKET record of it,
 * made once; or -1, said */
static long listener(const struct img *im, const struct ckpt_tobj *o)
{
	int other;

	for (unsigned i = 0; i < im->nfds; i++)
		if (im->fds[i]->kind == CKPT_FD_SOCKET && im->fds[i]->ino == o->ino &&
		    ckpt_fd_sock(im->fds[i])->state == CKPT_SS_LISTEN && im->fds[i]->peer < 0)
			return socks_make(im, im->fds[i], &other);
	report(im, "bad tree record (a shared socket the owner does not listen on)");
	return -1;
}

static int make_objects(const struct img *im)
{
	const char *b = im->tbytes;

	for (unsigned k = 0; k < im->tree->nobjs; b += im->tobjs[k++].nbytes) {
		const struct ckpt_tobj *o = &im->tobjs[k];
		int p[2];
		long r;
		if (o->kind == CKPT_TOBJ_FILE) {
			if ((p[0] = p[1] = open_file(im, k, b)) < 0)
				return 1;
		} else if (o->kind == CKPT_TOBJ_EVENTFD) {
			p[0] = p[1] = make_eventfd(o->size, o->aux);
			if (p[0] < 0 || set_flags(im, k, p[0], 0))
				return report(im, "cannot make an eventfd of the tree again");
		} else if (o->kind == CKPT_TOBJ_PIPE) {
			if ((r = k_pipe2(p, 0)) < 0)
				return report(im, "cannot make a pipe of the tree again: %s", err_str(r));
			if (o->size && k_fcntl(p[1], F_SETPIPE_SZ, o->size) < (long)o->size)
				return report(im, "cannot make a pipe of %z again (/proc/sys/fs/pipe-max-size?)", o->size);
			if (set_flags(im, k, p[0], 0) || set_flags(im, k, p[1], 1))
				return report(im, "cannot set the flags of a pipe of the tree");
		} else if (o->kind == CKPT_TOBJ_SOCKET) {
			if ((p[0] = p[1] = listener(im, o)) < 0)
				return 1;         /* (said) */
		} else if (o->kind == CKPT_TOBJ_SOCKPAIR || o->kind == CKPT_TOBJ_TCPPAIR) {
			if ((r = o->kind == CKPT_TOBJ_SOCKPAIR ? k_socketpair(AF_UNIX, o->size, 0, p) :
				 socks_loopback(im, o->size, p)) < 0)
				return report(im, "cannot make a %s of the tree again: %s",
					      o->kind == CKPT_TOBJ_SOCKPAIR ? "socketpair" : "TCP connection", err_str(r));
			set_flags(im, k, p[0], 0);
			set_flags(im, k, p[1], 1);
		} else {
			p[0] = p[1] = k_memfd_create("ckpt-shared", 0);
			if (p[0] < 0 || k_ftruncate(p[0], o->size) < 0)
				return report(im, "cannot make shared memory of %z again", o->size);
		}
		if (p[1] == p[0] && (p[1] = k_dup(p[0])) < 0)
			return report(im, "cannot hold the tree's objects");
		if (place(p, 2, tfd_base + 2 * k) < 0)
			return report(im, "cannot hold the tree's objects (fd %u)", (__u64)tfd_base + 2 * k);
	}
	return 0;
}

static int is_member(int pid)
{
	for (unsigned i = 0; i < nmem; i++)
		if (mem[i].pid == pid && mem[i].state != CKPT_MS_ZOMBIE)
			return 1;
	return 0;
}

/* ---- in each member, between its fork and its restore ---- */

static __attribute__((noreturn)) void quit(int code)
{
	k_exit_group(code);
	__builtin_unreachable();
}

static __attribute__((noreturn)) void not_ready(void)
{
	k_write_full(ready_w, "f", 1);
	quit(1);
}

static void wait_go(int fd, char want)
{
	char c = 0;
	if (sys_read(fd, &c, 1) != 1 || c != want)
		quit(1);            /* the reaper gave up: it said why */
}

/* a zombie: it dies again as it died */
static __attribute__((noreturn)) void die_as(int status)
{
	int sig = status & 0x7f;

	if (sig && sig != 0x7f) {
		struct k_sigaction dfl = { 0 };
		unsigned long none = 0;
		k_sigaction(sig, &dfl, 0);
		k_prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);     /* no core file */
		k_sigprocmask(SIG_SETMASK, &none, 0);
		k_kill(k_getpid(), sig);
	}
	quit(status >> 8 & 0xff);
}

static void spawn(struct img *im, unsigned i);

/* A socketpair's end of fd k: the first member that holds it puts the
 * bytes queued there back (its own record has them), through the other
 * end's temporary fd, which it returns; -1 for any other fd */
static int refiller(const struct img *im, unsigned k)
{
	const struct ckpt_tfd *f = &im->tfds[k];

	if (im->tobjs[f->obj].kind != CKPT_TOBJ_SOCKPAIR && im->tobjs[f->obj].kind != CKPT_TOBJ_TCPPAIR)
		return -1;
	for (unsigned j = 0; j < im->tree->nfds; j++)
		if (im->tfds[j].obj == f->obj && end_of(im, &im->tfds[j]) == end_of(im, f) &&
		    im->tfds[j].member < f->member)
			return -1;
	return tfd_base + 2 * f->obj + !end_of(im, f);
}

/* what of the owner's tables this member needs once its own image has
 * replaced them, handed to its restore */
static void keep_mine(const struct img *im, unsigned i)
{
	struct member_share *s = &kept->mine;

	for (unsigned k = 0; k < im->tree->nfds && s->nfds < IMG_FDS_MAX; k++)
		if (im->tfds[k].member == i)
			s->fd[s->nfds++] = (typeof(s->fd[0])){ im->tfds[k].fd, temp_of(im, &im->tfds[k]),
							       (im->tfds[k].fdflags & CKPT_FDF_CLOEXEC) != 0,
							       refiller(im, k) };
	for (unsigned k = 0; k < im->tree->nobjs; k++)
		if (im->tobjs[k].kind == CKPT_TOBJ_SHM)
			s->shm[s->nshm++] = (typeof(s->shm[0])){ im->tobjs[k].dev, im->tobjs[k].ino, tfd_base + 2 * k };
	s->temps = (struct member_temps){ tfd_base, tfd_base + ntemps - 6, { ready_w, go_r, run_r } };
	member_takes(s);
}

/* the owner puts the bytes that were in flight back in their pipes */
static void refill(const struct img *im)
{
	const char *b = im->tbytes;

	for (unsigned k = 0; k < im->tree->nobjs; k++) {
		const struct ckpt_tobj *o = &im->tobjs[k];
		if (o->kind == CKPT_TOBJ_PIPE && o->nbytes &&
		    k_write_full(tfd_base + 2 * k + 1, b, o->nbytes) != (long)o->nbytes) {
			report(im, "cannot put %z back in a pipe of the tree", (__u64)o->nbytes);
			not_ready();
		}
		b += o->nbytes;
	}
}

/* the member's own image, beside the owner's */
static void load_own(struct img *im, unsigned i)
{
	static char path[CKPT_NAME_MAX + 64];
	unsigned dlen = 0;

	for (unsigned k = 0; im->path[k]; k++)
		if (im->path[k] == '/')
			dlen = k + 1;
	memcpy(path, im->path, dlen);
	memcpy(path + dlen, mem[i].file, strlen(mem[i].file) + 1);
	sys_close(im->fd);
	im->path = path;
	if (image_load(im))
		not_ready();
	if (im->hd.id != mem[i].image_id || im->hd.depth) {
		report(im, "is not from the same checkpoint as the tree's owner (image id %X, the owner names %X)",
		       im->hd.id, mem[i].image_id);
		not_ready();
	}
	if (im->info->pid != mem[i].pid) {
		report(im, "holds pid %u where the tree names %u", (__u64)im->info->pid, (__u64)mem[i].pid);
		not_ready();
	}
}

static __attribute__((noreturn)) void become(struct img *im, unsigned i)
{
	static char cwd[CKPT_NAME_MAX];
	const struct ckpt_member *m = &mem[i];

	im->exact_tids = 1;
	sys_close(tfd_base + ntemps - 6);     /* the reaper's ends */
	sys_close(tfd_base + ntemps - 3);
	sys_close(tfd_base + ntemps - 1);
	if (m->sid == m->pid)
		k_setsid();
	else if (m->pgid == m->pid)
		k_setpgid(0, 0);
	for (unsigned j = i + 1; j < nmem; j++)
		if (mem[j].ppid == m->pid)
			spawn(im, j);
	if (m->state == CKPT_MS_ZOMBIE)
		die_as(m->status);
	k_write_full(ready_w, "a", 1);
	wait_go(go_r, 'b');
	if (m->pgid != m->pid && m->sid != m->pid && is_member(m->pgid) &&
	    k_setpgid(0, m->pgid) < 0)
		report(im, "warning: pid %u not back in process group %u", (__u64)m->pid, (__u64)m->pgid);
	keep_mine(im, i);
	if (i)
		load_own(im, i);
	else
		refill(im);
	im->cwd = pathmap(im->proc->cwd, cwd);
	if (restore_prepare(im))
		not_ready();
	k_write_full(ready_w, "r", 1);
	wait_go(run_r, 'g');
	restore_run(im);
	quit(1);
}

/* member i, forked by its parent with its own pid */
static void spawn(struct img *im, unsigned i)
{
	int pid = mem[i].pid;
	struct clone_args a;
	long r;

	memset(&a, 0, sizeof(a));
	a.exit_signal = SIGCHLD;
	a.set_tid = (__u64)&pid;
	a.set_tid_size = 1;
	r = k_clone3(&a, sizeof(a));
	if (r == 0)
		become(im, i);
	if (r < 0) {
		report(im, "cannot make pid %u again: %s", (__u64)pid, err_str(r));
		not_ready();
	}
}

/* ---- the reaper ---- */

static void pass_on(int sig, struct k_siginfo *si, void *uc)
{
	(void)uc;
	/* a key on the terminal signalled the whole group: the owner got it too */
	if (si->code != 0x80 /* SI_KERNEL */ && forward_to)
		k_kill(forward_to, sig);
}

static void forward_signals(int to, int ckpt_sig)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCONT, SIGALRM, SIGWINCH };
	struct k_sigaction act = {
		.handler = (void (*)(int, void *, void *))pass_on,
		.flags = K_SA_SIGINFO | ARCH_SA_RESTORER | K_SA_RESTART,
		.restorer = arch_sigreturn,
	};

	forward_to = to;
	for (unsigned k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++)
		k_sigaction(sigs[k], &act, 0);
	if (ckpt_sig > 0 && ckpt_sig < 65 && ckpt_sig != SIGKILL && ckpt_sig != SIGSTOP)
		k_sigaction(ckpt_sig, &act, 0);
}

/* n bytes from the members, each `want`; 0, or 1 when one was not */
static int gather(int fd, unsigned n, char want)
{
	char buf[CKPT_TREE_MAX];
	unsigned got = 0;

	while (got < n) {
		struct pollfd p = { fd, POLLIN, 0 };
		long r = k_poll(&p, 1, 60000);
		if (r == -EINTR)
			continue;
		if (r <= 0 || (r = sys_read(fd, buf, n - got)) <= 0)
			return 1;
		for (long k = 0; k < r; k++)
			if (buf[k] != want)
				return 1;
		got += r;
	}
	return 0;
}

static void say_go(int fd, char c)
{
	for (unsigned k = 0; k < nlive; k++)
		k_write_full(fd, &c, 1);
}

static __attribute__((noreturn)) void reaper(struct img *im, int status_w)
{
	int ready[2], go[2], run[2];
	struct k_siginfo si = { .code = 1, .status = 1 };

	if (k_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0) < 0)
		report(im, "warning: no /proc of the tree's own: the restarted tree cannot be checkpointed again");
	tfd_base = (status_w > im->fd ? status_w : im->fd) + 1;
	ntemps = 2 * im->tree->nobjs + 6;
	if (make_objects(im) || k_pipe2(ready, 0) < 0 || k_pipe2(go, 0) < 0 || k_pipe2(run, 0) < 0)
		quit(1);
	int bar[6] = { ready[0], ready[1], go[0], go[1], run[0], run[1] };
	if (place(bar, 6, tfd_base + ntemps - 6))
		quit(report(im, "cannot hold the tree's barrier"));
	ready_w = tfd_base + ntemps - 5;
	go_r = tfd_base + ntemps - 4;
	run_r = tfd_base + ntemps - 2;
	spawn(im, 0);
	/* the members hold what they share now */
	for (int fd = tfd_base; fd < tfd_base + ntemps - 6; fd++)
		sys_close(fd);
	sys_close(ready_w);
	sys_close(go_r);
	sys_close(run_r);
	if (gather(tfd_base + ntemps - 6, nlive, 'a'))
		goto fail;
	say_go(tfd_base + ntemps - 3, 'b');
	if (gather(tfd_base + ntemps - 6, nlive, 'r'))
		goto fail;
	forward_signals(mem[0].pid, im->proc->ckpt_signal);
	say_go(tfd_base + ntemps - 1, 'g');
	for (int fd = tfd_base + ntemps - 6; fd < tfd_base + ntemps; fd++)
		sys_close(fd);
	/* pid 1 of the namespace: reaps every orphan until the owner ends */
	for (;;) {
		long r = k_waitid(P_ALL, 0, &si, WEXITED | __WALL);
		if (r == -EINTR)
			continue;
		if (r < 0 || si.pid == mem[0].pid)
			break;
	}
	{
		int status = si.code == 1 /* CLD_EXITED */ ? (si.status & 0xff) << 8 : si.status & 0x7f;
		k_write_full(status_w, &status, sizeof(status));
	}
	quit(0);
fail:
	k_kill(-1, SIGKILL);
	quit(1);
}

/* ---- myrestart itself ---- */

static int write_map(const char *file, const char *text)
{
	long fd = k_openat(AT_FDCWD, file, O_WRONLY | O_CLOEXEC, 0), r;

	if (fd < 0)
		return (int)fd;
	r = k_write_full(fd, text, strlen(text));
	sys_close(fd);
	return r < 0 ? (int)r : 0;
}

static int own_namespaces(struct img *im)
{
	struct out o = { .len = 0 };
	long uid = k_getuid(), gid = k_getgid(), r;

	r = k_unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS);
	if (r < 0)
		return report(im, "cannot restart a process tree here: no user and pid namespace of its own (%s): "
			      "see user.max_user_namespaces, kernel.apparmor_restrict_unprivileged_userns", err_str(r));
	outf(&o, "%u %u 1", (__u64)uid, (__u64)uid);
	o.buf[o.len] = 0;
	if ((r = write_map("/proc/self/uid_map", o.buf)) < 0)
		return report(im, "cannot map the user id in the tree's namespace: %s", err_str(r));
	write_map("/proc/self/setgroups", "deny");
	o.len = 0;
	outf(&o, "%u %u 1", (__u64)gid, (__u64)gid);
	o.buf[o.len] = 0;
	if ((r = write_map("/proc/self/gid_map", o.buf)) < 0)
		return report(im, "cannot map the group id in the tree's namespace: %s", err_str(r));
	return 0;
}

static int keep_table(const struct img *im)
{
	long a = k_mmap(0, sizeof(*kept), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (k_failed(a))
		return report(im, "out of memory for the tree's table");
	kept = (struct kept *)a;
	nmem = im->tree->nmembers;
	memcpy(mem, im->members, nmem * sizeof(mem[0]));
	nlive = 0;
	for (unsigned i = 0; i < nmem; i++)
		nlive += mem[i].state != CKPT_MS_ZOMBIE;
	return 0;
}

int tree_restart(struct img *im)
{
	int st[2], status = 0;
	struct k_siginfo si;
	long pid, r;

	if (im->runner != CKPT_RUNNER_NATIVE)
		return report(im, "a process tree is restarted natively only, not under " ARCH_QEMU);
	if (keep_table(im) || k_pipe2(st, O_CLOEXEC) < 0 || own_namespaces(im))
		return 1;
	pid = k_clone(SIGCHLD);
	if (pid == 0) {
		sys_close(st[0]);
		reaper(im, st[1]);
	}
	sys_close(st[1]);
	if (pid < 0)
		return report(im, "cannot start the tree's namespace: %s", err_str(pid));
	forward_signals(pid, im->proc->ckpt_signal);
	do
		r = k_waitid(P_PID, pid, &si, WEXITED);
	while (r == -EINTR);
	if (sys_read(st[0], &status, sizeof(status)) != sizeof(status))
		return 1;        /* the reaper said why */
	if (status & 0x7f) {
		struct k_sigaction dfl = { 0 };
		unsigned long none = 0;
		k_sigaction(status & 0x7f, &dfl, 0);
		k_sigprocmask(SIG_SETMASK, &none, 0);
		k_kill(k_getpid(), status & 0x7f);
		return 128 + (status & 0x7f);
	}
	return status >> 8 & 0xff;
}

/* --check: every member's image, whole */
int tree_check(struct img *im)
{
	if (keep_table(im))
		return 1;
	for (unsigned i = 1; i < nmem; i++) {
		if (mem[i].state == CKPT_MS_ZOMBIE)
			continue;
		ready_w = -1;
		load_own(im, i);
		if (image_verify_data(im))
			return 1;
	}
	return 0;
}

/* --info: the tree */
void tree_info(const struct img *im)
{
	static const char states[] = "running\0stopped\0zombie";
	struct out o = { .len = 0 };
	const char *b = im->tbytes;

	outf(&o, "process tree: %u processes (checkpoint %x)\n      pid     ppid     pgid      sid  state    command\n",
	     (__u64)im->tree->nmembers, (__u64)im->tree->cut);
	out_flush(&o, 1);
	for (unsigned i = 0; i < im->tree->nmembers; i++) {
		const struct ckpt_member *m = &im->members[i];
		unsigned n = sizeof(m->cmdline);
		while (n && !m->cmdline[n - 1])
			n--;
		o.len = 0;
		outf(&o, "  ");
		for (int k = 0; k < 4; k++) {
			__u64 v = (&m->pid)[k] < 0 ? 0 : (__u64)(&m->pid)[k];
			unsigned at = o.len;
			outf(&o, "%u", v);
			out_pad(&o, at + 9);
		}
		outf(&o, "%s", nth_str(states, m->state));
		out_pad(&o, 2 + 36 + 9);
		for (unsigned k = 0; k < n; k++)
			out_chr(&o, m->cmdline[k] ? m->cmdline[k] : ' ');
		outf(&o, "%s\n", i ? "" : "  (the owner: this image)");
		out_flush(&o, 1);
	}
	for (unsigned k = 0; k < im->tree->nobjs; b += im->tobjs[k++].nbytes) {
		const struct ckpt_tobj *ob = &im->tobjs[k];
		o.len = 0;
		if (ob->kind == CKPT_TOBJ_PIPE)
			outf(&o, "  shared pipe %u (%z, %z in flight):", (__u64)k + 1, ob->size, (__u64)ob->nbytes);
		else if (ob->kind == CKPT_TOBJ_FILE)
			outf(&o, "  shared file %u (%s at %u):", (__u64)k + 1, b, ob->size);
		else if (ob->kind == CKPT_TOBJ_EVENTFD)
			outf(&o, "  shared eventfd %u (count %u%s):", (__u64)k + 1, ob->size, ob->aux ? ", semaphore" : "");
		else if (ob->kind == CKPT_TOBJ_SOCKET)
			outf(&o, "  shared listener %u:", (__u64)k + 1);
		else if (ob->kind == CKPT_TOBJ_SOCKPAIR || ob->kind == CKPT_TOBJ_TCPPAIR)
			outf(&o, "  shared %s %u:", ob->kind == CKPT_TOBJ_SOCKPAIR ? "socketpair" : "TCP connection",
			     (__u64)k + 1);
		else
			outf(&o, "  shared memory %u (%z):", (__u64)k + 1, ob->size);
		for (unsigned i = 0; i < im->tree->nfds; i++)
			if (im->tfds[i].obj == k)
				outf(&o, " %u:%u%s", (__u64)im->members[im->tfds[i].member].pid, (__u64)im->tfds[i].fd,
				     ob->kind != CKPT_TOBJ_PIPE ? "" : (im->tfds[i].flags & O_ACCMODE) == O_RDONLY ? "r" : "w");
		out_chr(&o, '\n');
		out_flush(&o, 1);
	}
}
