/* The program's other threads.  Once the memory is back, myrestart's own
 * thread (which then restores the leader) clones each of them on a first
 * stack of its own in myrestart's range, with its thread pointer, and
 * with its tid address, which the kernel clears when the thread ends
 * (pthread_join waits on it).  The id glibc caches there stays the one
 * of the checkpoint: the locks the thread holds name it (core/tids.c).  Each thread takes what the kernel keeps for it, says it is ready
 * and waits; when all are, they are released together and jump into
 * their contexts (inside their own checkpoint handlers, whose sigreturn
 * puts back their signal masks and every other register).  myrestart's
 * range is closed only once every thread has left it. */
#include "restart.h"
#include <linux/sched.h>

#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

static int ready, go, jumped;

struct start {
	const struct ckpt_thread *t;
	void *area;               /* its extended state, 64-byte aligned */
};
static struct start starts[CKPT_THREADS_MAX];
static long tids[CKPT_THREADS_MAX];      /* the kernel's, by THREAD record */

/* thread record i's tid now (the leader's: ours) */
long thread_tid(unsigned i)
{
	return tids[i] ? tids[i] : k_gettid();
}

/* What the kernel keeps for one thread, in that thread: its robust futex
 * list, its rseq registration and its name.  (Its thread pointer comes
 * with its registers; its tid address with its clone, or for the leader
 * here: set_tid_address().) */
void thread_kernel_state(const struct ckpt_thread *t)
{
	k_set_robust_list(t->robust_head, t->robust_len);
	if (t->rseq_area)
		k_rseq((void *)t->rseq_area, t->rseq_len, 0, t->rseq_sig);
	k_prctl(PR_SET_NAME, (unsigned long)t->comm, 0, 0, 0);
	/* cleared when the leader ends; what it holds is glibc's cached id,
	 * which stays the checkpoint's (core/tids.c) */
	if ((t->flags & CKPT_TF_LEADER) && t->tid_address)
		k_set_tid_address(t->tid_address);
}

static long futex(int *word, int op, int val)
{
	return k_futex(word, op, val, 0);
}

/* each thread's first stack: its extended state at the bottom, 4 KiB
 * of stack above it */
static __u64 block_size(const struct img *im)
{
	return ((im->leader->xstate.size + 63) & ~63ul) + 4096;
}

/* before the point of no return: the threads fit in the room there is */
int threads_check(const struct img *im)
{
	if ((im->nthreads - 1) * block_size(im) > RST_THREADS_HI - RST_THREADS_LO)
		return report(im, "too many threads for this myrestart with this CPU's state (%u)",
			      (__u64)im->nthreads);
	return 0;
}

static __attribute__((noreturn)) void thread_main(void *arg)
{
	const struct start *s = arg;

	thread_kernel_state(s->t);
	__atomic_fetch_add(&ready, 1, __ATOMIC_ACQ_REL);
	futex(&ready, FUTEX_WAKE_PRIVATE, 1);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		futex(&go, FUTEX_WAIT_PRIVATE, 0);
	arch_tls_restore(&s->t->cpu);
	/* the thread counts itself in jumped once back in the library's code
	 * (core/threads.c): counted here, it could still be running this
	 * code when the restore stage it lives in is unmapped */
	arch_ctx_jump(&s->t->cpu, s->area, arch_xstate_mode(&s->t->xstate), (long)&jumped);
}

static __attribute__((noreturn)) void die(const struct img *im, const char *what, long err)
{
	report(im, "restore failed (past the point of no return): %s: %s", what, err_str(err));
	k_exit_group(1);
}

/* thread t on the stack [at, at + bs): in a tree's pid namespace with
 * the tid it had (clone3's set_tid), so that the kernel agrees with
 * every tid the program keeps; elsewhere with the tid the kernel gives */
static long clone_thread(const struct img *im, unsigned long flags, __u64 at, __u64 bs,
			 const struct ckpt_thread *t, struct start *s)
{
	struct clone_args a;
	int tid = t->tid;

	if (!im->exact_tids)
		return arch_clone_thread(flags, at + bs, (int *)t->tid_address, arch_tp_of(&t->cpu),
					 thread_main, s);
	memset(&a, 0, sizeof(a));
	a.flags = flags;
	a.child_tid = t->tid_address;
	a.stack = at;
	a.stack_size = bs;
	a.tls = arch_tp_of(&t->cpu);
	a.set_tid = (__u64)&tid;
	a.set_tid_size = 1;
	return arch_clone3_thread(&a, sizeof(a), thread_main, s);
}

/* after the point of no return: every thread but the leader cloned and
 * ready */
void threads_start(const struct img *im)
{
	unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			      CLONE_SYSVSEM | CLONE_SETTLS;
	__u64 bs = block_size(im), at = RST_THREADS_LO;
	unsigned n = 0;
	long r;

	if (im->nthreads < 2)
		return;
	r = k_mmap(RST_THREADS_LO, RST_THREADS_HI - RST_THREADS_LO, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (r != (long)RST_THREADS_LO)
		die(im, "cannot map the threads' stacks", r < 0 ? r : -ENOMEM);
	for (unsigned i = 0; i < im->nthreads; i++) {
		const struct ckpt_thread *t = im->thread[i];
		struct start *s = &starts[n];
		if (t == im->leader)
			continue;
		s->t = t;
		s->area = (void *)at;
		memcpy(s->area, t + 1, t->xstate.size);
		r = clone_thread(im, flags | (t->tid_address ? CLONE_CHILD_CLEARTID : 0), at, bs, t, s);
		if (r < 0)
			die(im, "cannot create a thread", r);
		tids[i] = r;
		at += bs;
		n++;
	}
	for (int k; (k = __atomic_load_n(&ready, __ATOMIC_ACQUIRE)) < (int)n; )
		futex(&ready, FUTEX_WAIT_PRIVATE, k);
}

/* the threads into their contexts; returns once every one has left
 * myrestart's range, which is then closed: the program cannot map
 * anything where a later restart needs myrestart */
void threads_release(const struct img *im)
{
	extern char rst_text_end[], rst_data_end[], rst_bss_end[];
	const __u64 end[][2] = {
		{ (__u64)rst_text_end, 0x5100000 }, { (__u64)rst_data_end, 0x5200000 },
		{ (__u64)rst_bss_end, RST_STACK_LO }, { RST_SCRATCH, CKPT_RESERVED_END },
	};
	int n = im->nthreads - 1;

	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	futex(&go, FUTEX_WAKE_PRIVATE, 0x7fffffff);
	for (int k; (k = __atomic_load_n(&jumped, __ATOMIC_ACQUIRE)) < n; )
		futex(&jumped, FUTEX_WAIT_PRIVATE, k);
	/* a relocated stage runs from a copy: the range is the image's */
	for (unsigned i = 0; !im->stage && i < sizeof(end) / sizeof(end[0]); i++) {
		__u64 lo = (end[i][0] + CKPT_PAGE - 1) & ~(CKPT_PAGE - 1);
		if (lo < end[i][1])
			k_mmap(lo, end[i][1] - lo, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
	}
}
