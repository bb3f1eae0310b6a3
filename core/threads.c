/* The program's threads at a checkpoint.  The thread that takes the
 * checkpoint signal (the initiator) signals every other thread of the
 * process (tgkill, from /proc/self/task); each saves its own context and
 * what the kernel keeps for it into a slot and parks on a futex inside
 * its handler.  The initiator then captures what the program shares,
 * forks the writer (a copy of itself alone, with every other thread's
 * stack and slot in memory) and releases them.  A thread that blocks the
 * checkpoint signal, or does not answer in CKPT_THREAD_TIMEOUT seconds,
 * fails the checkpoint with one line naming it, and all are released.
 *
 * Under qemu-user, /proc/self/task also lists qemu's own threads (7.2: its
 * RCU thread, recreated in a forked child).  They never run guest code:
 * qemu blocks every host signal in them but SIGSEGV, SIGFPE and SIGILL,
 * while a thread of the program always has SIGBUS open at the host (qemu
 * needs it), whatever the program blocks.  That tells them apart. */
#include "libckpt.h"
#include "out.h"

#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

/* The threads of the checkpoint under way: this file's alone; the
 * others ask for the count of slots (ckpt_threads_n()) and a slot. */
static struct {
	int quiescing;            /* a thread is checkpointing: the others park */
	int arrived;              /* bumped as each thread parks (the initiator's futex) */
	int release;              /* the checkpoint's epoch, bumped to release them */
	__u64 claim;              /* epoch << 32 | slots taken (0: the initiator's) */
	__u64 parked[CKPT_THREADS_MAX]; /* epoch << 32 | tid once slot i's thread saved all */
	int owed[CKPT_THREADS_MAX]; /* threads signalled whose signal is still to come */
	unsigned nslots;          /* the slots of a checkpoint whose threads all parked */
	char *slots;              /* the slots (mmap'd, not part of the image) */
} q;

/* A slot: the image record, then the extended state, 64-byte aligned. */
static __u64 slot_size(void)
{
	return ((sizeof(struct ckpt_thread) + 63) & ~63ul) + ((ckpt_cfg->xstate.size + 63) & ~63ul);
}
struct ckpt_thread *ckpt_thread_slot(unsigned i)
{
	return (struct ckpt_thread *)(q.slots + i * slot_size());
}
void *ckpt_thread_xarea(const struct ckpt_thread *t)
{
	return (char *)t + ((sizeof(struct ckpt_thread) + 63) & ~63ul);
}
__u64 ckpt_threads_size(void)
{
	return (CKPT_THREADS_MAX * slot_size() + CKPT_PAGE - 1) & ~(CKPT_PAGE - 1);
}

/* a signal mask of thread tid from its status ("SigBlk:\t", "SigPnd:\t"),
 * or 0 */
static __u64 status_mask(long tid, const char *field)
{
	static char text[2048];
	char path[64];
	const char *p;
	__u64 m = 0;
	long n;

	ckpt_task_path(path, tid, "/status");
	n = k_read_file(path, text, sizeof(text) - 1);
	text[n > 0 ? n : 0] = 0;
	for (p = text; *p; p++)
		if ((p == text || p[-1] == '\n') && ckpt_starts_with(p, field)) {
			m = ckpt_parse_num(p + 8, 16);
			break;
		}
	return m;
}

static int qemu_own(long tid)
{
	return ckpt_cfg->runner == CKPT_RUNNER_QEMU && (status_mask(tid, "SigBlk:\t") >> (SIGBUS - 1)) & 1;
}

static int gone(long tid)
{
	char path[64];
	struct statx st;

	ckpt_task_path(path, tid, "");
	return k_statx(AT_FDCWD, path, 0, STATX_TYPE, &st) < 0;
}

/* The program's threads now, this one and qemu's left out, into tids
 * (at most max); their number, or -errno. */
static long list_threads(long *tids, unsigned max)
{
	static char dents[4096];
	long dfd, n, me = k_gettid(), count = 0;

	dfd = k_openat(AT_FDCWD, "/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (dfd < 0)
		return dfd;
	while ((n = sys_getdents64(dfd, (void *)dents, sizeof(dents))) > 0)
		for (long off = 0; off < n; ) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(dents + off);
			long tid = ckpt_parse_uint(d->d_name, 1l << 30);
			off += d->d_reclen;
			if (tid <= 0 || tid == me || qemu_own(tid))
				continue;
			if ((unsigned long)count < max)
				tids[count] = tid;
			count++;
		}
	sys_close(dfd);
	return count;
}

/* Each checkpoint is an epoch: the value of q.release while it
 * quiesces.  Slots are claimed in q.claim (epoch << 32 | slots
 * taken, slot 0 being the initiator's), and a thread is parked once
 * q.parked[slot] holds epoch << 32 | its tid: a thread that comes
 * late, after its checkpoint failed and the next one began, can then
 * neither take a slot of the new one nor pass for parked in it. */
static __u64 tag(__u32 epoch, __u32 low)
{
	return (__u64)epoch << 32 | low;
}

/* the slots of the checkpoint under way: 1 (the initiator's) until
 * every other thread parked, then one a thread */
unsigned ckpt_threads_n(void)
{
	return q.nslots;
}

/* where the slots are, for the writer to leave them out: 0 without */
int ckpt_threads_span(__u64 *start, __u64 *end)
{
	*start = (__u64)q.slots;
	*end = *start + ckpt_threads_size();
	return q.slots != 0;
}

/* The checkpoint signal in a thread when none is under way: 1 if this
 * thread now takes it (the initiator), 0 if another already does */
int ckpt_threads_begin(void)
{
	int idle = 0;
	return __atomic_compare_exchange_n(&q.quiescing, &idle, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* The slots, mapped once (by the constructor, and again after a
 * restart: the writer leaves them out of the image) so that a thread may
 * park as soon as it sees a checkpoint under way. */
int ckpt_threads_init(void)
{
	long a = k_mmap(0, ckpt_threads_size(), PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (k_failed(a))
		return a;
	memset(q.parked, 0, sizeof(q.parked));
	memset(q.owed, 0, sizeof(q.owed));
	q.nslots = 1;
	__atomic_store_n(&q.claim, tag(q.release, 1), __ATOMIC_RELEASE);
	__atomic_store_n(&q.slots, (char *)a, __ATOMIC_RELEASE);
	return 0;
}

/* Threads the initiator signalled whose signal has not come yet (it
 * parked on another, or the checkpoint failed first): that signal, when
 * it comes, is not a new checkpoint.  A set of tids: one thread has one
 * such signal pending at most. */
static void owed_add(int tid)
{
	int *o = q.owed, *free = 0;

	for (unsigned i = 0; i < CKPT_THREADS_MAX; i++) {
		int v = __atomic_load_n(&o[i], __ATOMIC_ACQUIRE);
		if (v == tid)
			return;
		if (!v && !free)
			free = &o[i];
	}
	if (free)
		__atomic_store_n(free, tid, __ATOMIC_RELEASE);
}

/* this thread's signal was one the initiator sent: takes it off the set */
int ckpt_thread_owed(void)
{
	int tid = k_gettid();

	for (unsigned i = 0; i < CKPT_THREADS_MAX; i++) {
		int v = tid;
		if (__atomic_compare_exchange_n(&q.owed[i], &v, 0, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return 1;
	}
	return 0;
}

/* What every thread records of itself, the initiator too. */
static void fill_slot(struct ckpt_thread *t)
{
	long head = 0, len = 0;

	memset(t, 0, sizeof(*t));
	t->tid = k_gettid();
	t->flags = t->tid == k_getpid() ? CKPT_TF_LEADER : 0;
	if (k_prctl(PR_GET_TID_ADDRESS, (unsigned long)&t->tid_address, 0, 0, 0) < 0)
		t->tid_address = ckpt_tid_address();
	k_get_robust_list(0, &head, &len);
	t->robust_head = head;
	t->robust_len = len;
	k_prctl(PR_GET_NAME, (unsigned long)t->comm, 0, 0, 0);
	t->xstate = ckpt_cfg->xstate;
	arch_tls_save(&t->cpu);
}

/* The initiator's own slot, 0, but for its context: the handler saves
 * that itself, since a restart resumes in the frame that saved it */
struct ckpt_thread *ckpt_thread_self(void)
{
	struct ckpt_thread *t = ckpt_thread_slot(0);

	fill_slot(t);
	return t;
}

/* In the restart path: the slots were the writer's, not in the image
 * (myrestart released the other threads): mapped again, none claimed */
int ckpt_threads_restarted(void)
{
	__atomic_store_n(&q.slots, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&q.quiescing, 0, __ATOMIC_RELEASE);
	return ckpt_threads_init();
}

/* A slot of the checkpoint under way, and its epoch; CKPT_THREADS_MAX
 * and more when there are too many threads (the initiator fails then),
 * -1 when no checkpoint is under way (any more). */
static long claim_slot(__u32 *epoch)
{
	for (;;) {
		__u32 gen = __atomic_load_n(&q.release, __ATOMIC_ACQUIRE);
		__u64 old;

		if (!__atomic_load_n(&q.quiescing, __ATOMIC_ACQUIRE))
			return -1;
		old = __atomic_load_n(&q.claim, __ATOMIC_ACQUIRE);
		if (old >> 32 != gen)
			continue;       /* a resume between the two loads: again */
		if (__atomic_compare_exchange_n(&q.claim, &old, old + 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			*epoch = gen;
			return (__u32)old;
		}
	}
}

/* Each thread, restored, is back in the library's code with what
 * myrestart passed it.  Any but the leader: the counter of the threads
 * that left myrestart's memory, which may go once all have (counted from
 * here: counted in myrestart's own code, a thread could still be running
 * it when its restore stage is unmapped).  The leader comes last, with 1,
 * or with where myrestart ran from a copy of itself (the program sits on
 * its range), which it unmaps. */
void ckpt_thread_back(long r)
{
	if (k_gettid() != k_getpid()) {
		__atomic_fetch_add((int *)r, 1, __ATOMIC_ACQ_REL);
		k_futex((int *)r, FUTEX_WAKE_PRIVATE, 0x7fffffff, 0);
	} else if (r != 1) {
		k_munmap(r, CKPT_RESERVED_END - CKPT_RESERVED_START);
	}
}

/* In a thread signalled while a checkpoint is under way: its slot, then
 * parked until the initiator releases every thread.  In the restarted
 * process it returns at once, into the program. */
void ckpt_thread_park(void)
{
	__u32 gen;
	long i;

	if (!__atomic_load_n(&q.slots, __ATOMIC_ACQUIRE))
		return;                 /* a restart is setting them up again */
	i = claim_slot(&gen);
	if (i < 0)
		return;
	if (i < CKPT_THREADS_MAX) {
		struct ckpt_thread *t = ckpt_thread_slot(i);
		fill_slot(t);
		ckpt_cputime_pause(i);
		long back = arch_ctx_save(&t->cpu, ckpt_thread_xarea(t), arch_xstate_mode(&ckpt_cfg->xstate));
		if (back) {
			ckpt_thread_back(back);
			ckpt_cputime_restored(i);
			ckpt_tids_restored(i, q.nslots);
			return;
		}
		__atomic_store_n(&q.parked[i], tag(gen, t->tid), __ATOMIC_RELEASE);
	}
	__atomic_fetch_add(&q.arrived, 1, __ATOMIC_ACQ_REL);
	k_futex(&q.arrived, FUTEX_WAKE_PRIVATE, 1, 0);
	while ((__u32)__atomic_load_n(&q.release, __ATOMIC_ACQUIRE) == gen)
		k_futex(&q.release, FUTEX_WAIT_PRIVATE, (int)gen, 0);
}

/* "thread 1234 (worker) what" as the checkpoint's failure line */
static void thread_fail(long tid, const char *what)
{
	static char text[256];
	char path[64], comm[17];
	struct out o = { .len = 0 };
	long n;

	ckpt_task_path(path, tid, "/comm");
	n = k_read_file(path, comm, sizeof(comm) - 1);
	comm[n > 0 ? n : 0] = 0;
	if (n > 0 && comm[n - 1] == '\n')
		comm[n - 1] = 0;
	out_str(&o, "thread ");
	out_u64(&o, tid);
	out_str(&o, " (");
	out_str(&o, comm);
	out_str(&o, ") ");
	out_str(&o, what);
	memcpy(text, o.buf, o.len);
	text[o.len] = 0;
	ckpt_fail_msg(text, 0, 0);
}

/* the threads the initiator signalled */
struct roll {
	long tid[CKPT_THREADS_MAX];
	int gone[CKPT_THREADS_MAX];   /* ended since */
	unsigned n;
};

/* signals the threads not signalled yet; how many it found new, or -1
 * after the failure line */
static long signal_new(struct roll *r)
{
	long now[CKPT_THREADS_MAX], n = list_threads(now, CKPT_THREADS_MAX), fresh = 0;
	long pid = k_getpid();

	if (n < 0) {
		ckpt_fail_msg("cannot list the threads", "/proc/self/task", n);
		return -1;
	}
	if (n >= CKPT_THREADS_MAX) {
		struct out o = { .len = 0 };
		static char text[96];
		out_str(&o, "the program has more threads than a checkpoint takes (");
		out_u64(&o, CKPT_THREADS_MAX);
		out_chr(&o, ')');
		memcpy(text, o.buf, o.len);
		text[o.len] = 0;
		ckpt_fail_msg(text, 0, 0);
		return -1;
	}
	for (long k = 0; k < n; k++) {
		unsigned j;
		for (j = 0; j < r->n && r->tid[j] != now[k]; j++)
			;
		if (j < r->n)
			continue;
		r->tid[r->n] = now[k];
		/* a thread that ended since the listing does not count */
		owed_add(now[k]);
		r->gone[r->n] = k_tgkill(pid, now[k], ckpt_cfg->sig) < 0;
		r->n++;
		fresh++;
	}
	return fresh;
}

/* thread tid saved all of its slot (a parked thread blocks every signal:
 * that is not the program blocking the checkpoint's) */
static int parked(long tid)
{
	__u64 claim = __atomic_load_n(&q.claim, __ATOMIC_ACQUIRE), want = tag(claim >> 32, tid);

	for (unsigned i = 1; i < (__u32)claim && i < CKPT_THREADS_MAX; i++)
		if (__atomic_load_n(&q.parked[i], __ATOMIC_ACQUIRE) == want)
			return 1;
	return 0;
}

/* the first signalled thread neither parked nor ended, or 0 */
static long straggler(struct roll *r)
{
	for (unsigned j = 0; j < r->n; j++)
		if (!r->gone[j] && !(r->gone[j] = gone(r->tid[j])) && !parked(r->tid[j]))
			return r->tid[j];
	return 0;
}

/* The signal waits for thread tid, which blocks it.  Blocked alone is
 * not enough: a thread inside its handler, not parked yet, blocks it too
 * (a slow one, when the program's threads keep both cores busy). */
static int blocks_signal(long tid)
{
	__u64 bit = 1ul << (ckpt_cfg->sig - 1);

	return (status_mask(tid, "SigBlk:\t") & bit) && (status_mask(tid, "SigPnd:\t") & bit);
}

/* until every signalled thread parked or ended; 0, or -1 after the line */
static int wait_parked(struct roll *r)
{
	struct timespec slice = { 0, 10 * 1000000 };
	unsigned waited = 0, blocking = 0, limit = ckpt_cfg->thread_timeout * 100;
	long tid;
	int arrived;

	for (;;) {
		arrived = __atomic_load_n(&q.arrived, __ATOMIC_ACQUIRE);
		if (!(tid = straggler(r)))
			return 0;
		/* blocked for 100 ms on end: not libc's short windows (a
		 * thread being created starts with every signal blocked) */
		blocking = waited >= 2 && blocks_signal(tid) ? blocking + 1 : 0;
		if (blocking == 10) {
			thread_fail(tid, "blocks the checkpoint signal");
			return -1;
		}
		if (++waited > limit) {
			thread_fail(tid, "did not answer the checkpoint signal in time (CKPT_THREAD_TIMEOUT)");
			return -1;
		}
		k_futex(&q.arrived, FUTEX_WAIT_PRIVATE, arrived, &slice);
	}
}

/* threads that ended never take the signal they were owed */
static void owed_prune(void)
{
	for (unsigned i = 0; i < CKPT_THREADS_MAX; i++) {
		int tid = __atomic_load_n(&q.owed[i], __ATOMIC_ACQUIRE);
		if (tid && gone(tid))
			__atomic_compare_exchange_n(&q.owed[i], &tid, 0, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	}
}

/* In the initiator: every other thread parked in a slot (slots 1 to
 * q.nslots - 1), 0; or -1 after one line, every thread released. */
int ckpt_threads_stop(void)
{
	static struct roll r;
	long fresh;
	__u32 taken;

	r.n = 0;
	owed_prune();
	/* once more after each wait: threads started meanwhile by one not
	 * yet parked */
	while ((fresh = signal_new(&r)) > 0)
		if (wait_parked(&r))
			break;
	taken = (__u32)__atomic_load_n(&q.claim, __ATOMIC_ACQUIRE);
	if (!fresh && taken > CKPT_THREADS_MAX) {
		ckpt_fail_msg("more threads than a checkpoint takes", 0, 0);
		fresh = -1;
	}
	if (fresh) {
		ckpt_threads_resume();
		return -1;
	}
	q.nslots = taken;
	return 0;
}

/* Every parked thread goes on, and the epoch ends: claims first (a late
 * thread sees another epoch and lets go), then quiescing (a thread that
 * takes the checkpoint signal again at once starts a checkpoint of its
 * own), then the release. */
void ckpt_threads_resume(void)
{
	__u32 next = (__u32)q.release + 1;

	q.nslots = 1;
	__atomic_store_n(&q.claim, tag(next, 1), __ATOMIC_RELEASE);
	__atomic_store_n(&q.quiescing, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&q.release, (int)next, __ATOMIC_RELEASE);
	k_futex(&q.release, FUTEX_WAKE_PRIVATE, 0x7fffffff, 0);
}
