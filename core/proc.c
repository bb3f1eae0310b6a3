/* Kernel-side state that memory alone does not carry: signal dispositions,
 * the rseq registration, the mm fields behind brk and /proc/PID/cmdline,
 * and the reservation that keeps myrestart's range free. */
#include "libckpt.h"
#include "out.h"

static int qemu(void)
{
	return ckpt_cfg->runner == CKPT_RUNNER_QEMU;
}

/* Keep 0x5000000-0x5400000 free for myrestart.  qemu 7.2 treats
 * MAP_FIXED_NOREPLACE as a hint, so the address is checked either way.
 * A program that is there already (a large non-PIE executable) stays
 * checkpointable: the image says so, and myrestart moves its restore
 * stage out of the way (restart/relocate.c). */
void ckpt_reserve_range(void)
{
	const unsigned long len = CKPT_RESERVED_END - CKPT_RESERVED_START;
	long a = k_mmap(CKPT_RESERVED_START, len, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
			(qemu() ? 0 : MAP_FIXED_NOREPLACE), -1, 0);

	if (a != (long)CKPT_RESERVED_START) {
		if (!k_failed(a))
			k_munmap(a, len);
		ckpt_rt.unreserved = 1;
	}
	ckpt_rt.enabled = 1;
}

/* glibc registers a struct rseq per thread, in each thread's TCB, at
 * the same offset from each thread pointer; since 2.35 it exports that
 * offset (__rseq_offset, and __rseq_size 0 when it registered none).
 * Read once here, with the program's libc: a probe at that offset costs
 * one system call where a search of the TCB costs hundreds (a third of a
 * small program's checkpoint). */
static long rseq_offset;          /* glibc's rseq area: thread pointer + this */
static int rseq_known;            /* ... as glibc said */

void ckpt_rseq_init(const unsigned long *auxv)
{
	const long *off = ckpt_glibc_next(auxv, "__rseq_offset");
	const unsigned *size = ckpt_glibc_next(auxv, "__rseq_size");

	if (off && size && *size)
		rseq_offset = *off, rseq_known = 1;
}

/* The kernel answers EBUSY to a second registration of exactly the same
 * area, length and signature: the writer (a copy of the initiator,
 * registration included) probes glibc's offset, or else every candidate
 * slot near its thread pointer (an older libc, or an area the program
 * registered itself). */
static int rseq_at(long tp, long off)
{
	return k_rseq((void *)(tp + off), 32, 0, ARCH_RSEQ_SIG) == -EBUSY;
}

static void find_rseq(void)
{
	long tp = arch_tp(), off = rseq_offset;

	if (ckpt_cfg->runner == CKPT_RUNNER_QEMU || !tp)
		return;
	if (!rseq_known || !rseq_at(tp, off))
		for (off = -16384; off < 16384 && !rseq_at(tp, off); off += 32)
			;
	if (off == 16384)
		return;
	for (unsigned i = 0; i < ckpt_threads_n() && i < CKPT_THREADS_MAX; i++) {
		struct ckpt_thread *t = ckpt_thread_slot(i);
		t->rseq_area = arch_tp_of(&t->cpu) + off;
		t->rseq_len = 32;
		t->rseq_sig = ARCH_RSEQ_SIG;
	}
}

/* /proc/self/stat fields 26-28 and 45-51 (start_code .. env_end) */
static void read_mm(void)
{
	static char buf[1024];
	struct ckpt_mm *m = &ckpt_snap.mm;
	__u64 v[53] = { 0 };
	long n = k_read_file("/proc/self/stat", buf, sizeof(buf) - 1);
	char *p;
	int f;

	m->valid = 0;
	if (n <= 0)
		return;
	buf[n] = 0;
	for (p = buf + n; p > buf && *p != ')'; p--)
		;
	if (*p != ')')
		return;
	for (f = 2, p++; *p && f < 52; ) {
		while (*p == ' ')
			p++;
		f++;
		if (*p == '-')
			p++;
		while (*p >= '0' && *p <= '9')
			v[f] = v[f] * 10 + (*p++ - '0');
		while (*p && *p != ' ')
			p++;
	}
	m->start_code = v[26], m->end_code = v[27], m->start_stack = v[28];
	m->start_data = v[45], m->end_data = v[46], m->start_brk = v[47];
	m->arg_start = v[48], m->arg_end = v[49];
	m->env_start = v[50], m->env_end = v[51];
	m->brk = (__u64)sys_brk(0);
	n = k_read_file("/proc/self/auxv", (char *)m->auxv, sizeof(m->auxv));
	m->auxv_size = n > 0 ? n : 0;
	/* qemu's emulated stat leaves most of these at 0: nothing to restore */
	m->valid = m->start_code && m->end_code && m->start_brk && m->brk >= m->start_brk;
}

static void read_info(void)
{
	struct ckpt_info *in = &ckpt_snap.info;
	long n;

	in->time = ckpt_snap.t_real.tv_sec;
	in->time_nsec = ckpt_snap.t_real.tv_nsec;
	in->pid = ckpt_self.pid;     /* the program's, set by the handler (we are the writer) */
	in->ncheckpoints = ckpt_rt.ncheckpoints;
	memcpy(in->comm, ckpt_cfg->comm, sizeof(in->comm));
	n = k_readlink("/proc/self/exe", in->exe, sizeof(in->exe) - 1);
	in->exe[n > 0 ? n : 0] = 0;
	if (k_getcwd(in->cwd, sizeof(in->cwd)) < 0)
		in->cwd[0] = 0;
	n = k_read_file("/proc/self/cmdline", in->cmdline, sizeof(in->cmdline) - 1);
	in->cmdline_len = n > 0 ? n : 0;
	in->cmdline[in->cmdline_len] = 0;
	in->flags = ckpt_rt.unreserved ? CKPT_IF_UNRESERVED : 0;
}

/* Processes the program started are not part of its image: a restarted
 * shell would wait for a pipeline that is not there.  Listed in the pause
 * (a shell reaps its children as soon as it runs on), said by the writer,
 * once per checkpoint: a warning, not a record. */
void ckpt_children_capture(void)
{
	struct out o = { .len = 0 };
	long tid = k_gettid(), n;

	out_str(&o, "/proc/self/task/");
	out_u64(&o, tid);
	out_str(&o, "/children");
	o.buf[o.len] = 0;
	n = k_read_file(o.buf, ckpt_snap.children, sizeof(ckpt_snap.children) - 1);
	ckpt_snap.children[n > 0 ? n : 0] = 0;
}

static void warn_children(void)
{
	struct out o = { .len = 0 };
	unsigned n = strlen(ckpt_snap.children);

	if (ckpt_tree_member() || ckpt_tree_record_max())
		return;         /* they are in the tree's image */

	while (n && ckpt_snap.children[n - 1] == ' ')
		n--;
	if (!n)
		return;
	ckpt_snap.children[n] = 0;
	out_str(&o, "libckpt: warning: the program has child processes (pids ");
	out_str(&o, ckpt_snap.children);
	out_str(&o, "); they are not part of the image and will be missing after a restart\n");
	out_flush(&o, 2);
}

/* In the writer, before memory is copied: what is recorded here is what
 * the restart path will find in the restored library. */
/* VmLck of the program (mlock is not inherited by the writer), in kB */
static __u64 locked_kb(void)
{
	char path[32], buf[2048], *p;
	struct out o = { .len = 0 };
	long n;

	outf(&o, "/proc/%u/status", (__u64)k_getppid());
	memcpy(path, o.buf, o.len);
	path[o.len] = 0;
	n = k_read_file(path, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	for (p = buf; *p && !ckpt_starts_with(p, "VmLck:"); p++)
		;
	for (n = 0; *p && *p != '\n'; p++)
		n = *p >= '0' && *p <= '9' ? n * 10 + *p - '0' : n;
	return n;
}

/* What fork passes on to the writer (nice, personality, policy, the
 * prctl flags, seccomp), read here; the subreaper and the parent-death
 * signal, which it does not, were read in the pause (handler.c) */
static void read_attrs(struct ckpt_proc *p)
{
	struct { int prio; } sp = { 0 };
	long r;

	r = k_getpriority(0 /* PRIO_PROCESS */, 0);
	p->nice = r < 0 ? 0 : 20 - r;
	r = k_personality(0xffffffff);
	p->personality = r < 0 ? 0 : r;
	r = k_sched_getscheduler(0);
	p->sched_policy = r < 0 ? 0 : r & ~0x40000000;   /* less SCHED_RESET_ON_FORK */
	k_sched_getparam(0, &sp);
	p->sched_priority = sp.prio;
	p->no_new_privs = k_prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
	r = k_prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	p->dumpable = r < 0 ? 1 : r;
	r = k_prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	p->timerslack_ns = r < 0 ? 0 : r;
	p->seccomp = k_prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2 ? 2 : 0;
	p->locked_kb = locked_kb();
	if (p->locked_kb)
		ckpt_msg("warning", "memory locked with mlock is not locked again after a restart", 0);
	if (p->seccomp)
		ckpt_msg("warning", "the program's seccomp filters are not restored: after a restart it "
			 "runs without them", 0);
}

void ckpt_proc_capture(void)
{
	int s;

	ckpt_snap.sigs.valid = 0;
	for (s = 1; s <= CKPT_NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP &&
		    k_sigaction(s, 0, (struct k_sigaction *)&ckpt_snap.sigs.act[s - 1]) == 0)
			ckpt_snap.sigs.valid |= 1ull << (s - 1);
	find_rseq();
	read_mm();
	{
		struct ckpt_proc *p = &ckpt_snap.proc;
		int m = sys_umask(022);
		sys_umask(m);
		p->umask = m;
		for (int r = 0; r < CKPT_NRLIMIT; r++)
			if (k_prlimit(0, r, 0, &p->rlimit[r]) < 0)
				p->rlimit[r].cur = p->rlimit[r].max = ~0ull;
		if (k_getcwd(p->cwd, sizeof(p->cwd)) < 0)
			p->cwd[0] = 0;
		read_attrs(p);
	}
	read_info();
	warn_children();
}

/* In the restarted process, in the thread that took the checkpoint
 * signal, still inside its handler with all signals blocked; myrestart
 * has already put memory, threads, registers, mm, fds, signal
 * dispositions, rseq and the process record back.  myrestart's own
 * mappings stay in its range, and it closed the rest of the range before
 * it let the threads go: the program cannot map anything there.  (This
 * thread may run before myrestart's last one has left.) */
/* The break could not be put back (qemu): glibc's malloc is kept off brk
 * (glibc.c).  When the checkpoint stopped this thread just as a brk()
 * returned, glibc's __brk is about to store that result in __curbrk over
 * our mark: the result becomes -1 when the break had moved (a success,
 * the heap it grew is in the image), 0 when it had not (a failure, and
 * glibc asks the emulator's break afresh); uc is the thread's signal
 * frame, whose registers it resumes with. */
static void keep_off_brk(void *uc)
{
	__u64 *ret = arch_uc_reg(uc, ARCH_UC_RET);

	if ((__u64)sys_brk(0) == ckpt_snap.mm.brk || !ckpt_snap.curbrk)
		return;
	*ckpt_snap.curbrk = (void *)-1l;
	if (arch_after_syscall(*arch_uc_reg(uc, ARCH_UC_PC)) && *ret == ckpt_snap.mm.brk)
		*ret = *arch_uc_reg(uc, ARCH_UC_ARG) == *ret ? ~0ull : 0;
}

void ckpt_proc_restore(void *uc)
{
	ckpt_inherit_restarted();
	ckpt_stdio_restarted();
	/* natively the interval timer came back with the program's timers,
	 * its id and the time it had left (restart/timers.c) */
	if (ckpt_cfg->runner == CKPT_RUNNER_QEMU && ckpt_start_interval() < 0)
		ckpt_msg("warning", "cannot restart the CKPT_INTERVAL timer", 0);
	keep_off_brk(uc);
}

/* CKPT_INTERVAL: a POSIX timer of our own (not alarm() or an itimer, which
 * belong to the program) sends the checkpoint signal every interval.  A
 * timer is not inherited by a forked writer; myrestart makes it again with
 * the program's (under qemu-user, which it cannot, the restart path starts
 * it again). */
int ckpt_start_interval(void)
{
	struct { __u64 value; int signo, notify; int pad[12]; } ev = {
		.signo = ckpt_cfg->sig, .notify = 0 /* SIGEV_SIGNAL */,
	};
	struct { struct timespec interval, value; } its = {
		{ ckpt_cfg->interval, 0 }, { ckpt_cfg->interval, 0 },
	};
	int id;
	long r;

	if (!ckpt_cfg->interval)
		return 0;
	r = k_timer_create(CLOCK_MONOTONIC, &ev, &id);
	if (r < 0)
		return r;
	return k_timer_settime(id, 0, &its, 0);
}
