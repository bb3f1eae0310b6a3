/* POSIX timers (timer_create), read in the pause: a forked writer has
 * none of them.  /proc/self/timers lists every one the kernel keeps for
 * the process, those made by raw system calls and glibc's SIGEV_THREAD
 * ones (a SIGEV_THREAD_ID timer to its helper thread) too; timer_gettime
 * says what each has left.  Under qemu-user the file is qemu's own view
 * (host ids, not the program's), so there the library keeps a list of its
 * own of the timers the program makes through libc: it exports
 * timer_create and timer_delete, which go on to libc's in any case; a
 * timer made otherwise (a raw system call, glibc's SIGEV_THREAD) is
 * named instead. */
#include "libckpt.h"
#include "out.h"

struct libc_sigevent { __u64 value; int signo, notify, tid, pad[11]; };
typedef int (*create_fn)(int, struct libc_sigevent *, void **);
typedef int (*delete_fn)(void *);
static struct {                  /* libc's, in ckpt_glibc_nexts()'s order */
	create_fn create;
	delete_fn delete;
} next;
static struct ckpt_timer made[CKPT_TIMERS_MAX];   /* qemu: thread holds the tid */
static __u64 made_tp[CKPT_TIMERS_MAX];            /* ... and then its thread pointer */
static unsigned nmade;

void ckpt_timers_init(const unsigned long *auxv)
{
	ckpt_glibc_nexts(auxv, &next, "timer_create\0timer_delete\0");
}

int ckpt_timer_create(int clock, struct libc_sigevent *ev, void **id) EXPORT(timer_create);
int ckpt_timer_delete(void *id) EXPORT(timer_delete);

int ckpt_timer_create(int clock, struct libc_sigevent *ev, void **id)
{
	int r = next.create ? next.create(clock, ev, id) : -1;
	int notify = ev ? ev->notify : 0;

	if (r || ckpt_cfg->runner != CKPT_RUNNER_QEMU || (notify != 0 && notify != 1 && notify != 4) ||
	    nmade == CKPT_TIMERS_MAX)
		return r;
	made_tp[nmade] = 0;
	made[nmade++] = (struct ckpt_timer){
		.id = (int)(long)*id, .clock = clock, .notify = notify, .signo = ev ? ev->signo : 14,
		.value = ev ? ev->value : (__u64)(long)*id, .thread = notify == 4 ? ev->tid : -1,
	};
	return r;
}

int ckpt_timer_delete(void *id)
{
	for (unsigned i = 0; ckpt_cfg->runner == CKPT_RUNNER_QEMU && i < nmade; i++)
		if (made[i].id == (int)(long)id)
			made[i] = made[--nmade], made_tp[i] = made_tp[nmade];
	return next.delete ? next.delete(id) : -1;
}

#define TIMERS_TEXT 16384        /* /proc/self/timers: about 90 bytes a timer */

/* the number after key on the line at p (negative, or hex after base), or 0 */
static long field(const char *p, const char *key, int base)
{
	long v, neg;

	if (!ckpt_starts_with(p, key))
		return 0;
	p += strlen(key);
	neg = *p == '-';
	v = ckpt_parse_num(p + neg, base);
	return neg ? -v : v;
}

/* the slot of the thread with kernel id tid, or -1: 0 is this thread's
 * (the initiator's, filled in only after the pause's captures), the
 * others were filled in as they parked */
static int slot_of(long tid)
{
	if (tid == k_gettid())
		return 0;
	for (unsigned i = 1; i < ckpt_threads_n(); i++)
		if (ckpt_thread_slot(i)->tid == tid)
			return i;
	return -1;
}

/* one line of the file into t (a new timer at "ID:") */
static void parse_line(const char *p, struct ckpt_timer *t)
{
	const char *s;

	if (ckpt_starts_with(p, "signal: ")) {
		t->signo = field(p, "signal: ", 10);
		for (s = p; *s != '/' && *s != '\n'; s++)
			;
		t->value = field(s, "/", 16);
	} else if (ckpt_starts_with(p, "notify: ")) {
		for (s = p; *s != '.' && *s != '\n'; s++)
			;
		t->notify = ckpt_starts_with(p + 8, "none") ? 1 /* SIGEV_NONE */ : 0;
		if (ckpt_starts_with(s - 3, "tid")) {
			t->notify = 4;   /* SIGEV_THREAD_ID */
			t->thread = slot_of(field(s, ".", 10));
		}
	} else if (ckpt_starts_with(p, "ClockID: ")) {
		t->clock = field(p, "ClockID: ", 10);
	}
}

/* each timer's time left, after the list */
static int read_values(void)
{
	struct { struct timespec interval, value; } it;

	for (unsigned i = 0; i < ckpt_snap.ntimers; i++) {
		struct ckpt_timer *t = &ckpt_snap.timers[i];
		if (t->notify == 4 && t->thread < 0)
			return -ESRCH;
		if (k_timer_gettime(t->id, &it) < 0)
			it.value.tv_sec = it.value.tv_nsec = it.interval.tv_sec = it.interval.tv_nsec = 0;
		t->value_ns = it.value.tv_sec * 1000000000ull + it.value.tv_nsec;
		t->interval_ns = it.interval.tv_sec * 1000000000ull + it.interval.tv_nsec;
	}
	return 0;
}

/* The slot of the thread a timer made under qemu signals: by the tid it
 * was made with the first time, then by that thread's thread pointer,
 * which a restart keeps (its tid it does not) */
static int slot_of_tp(__u64 *tp, long tid)
{
	int k = -1;

	if (!*tp) {
		k = slot_of(tid);
		if (k >= 0)
			*tp = k ? arch_tp_of(&ckpt_thread_slot(k)->cpu) : (__u64)arch_tp();
		return k;
	}
	if (*tp == (__u64)arch_tp())
		return 0;
	for (unsigned i = 1; i < ckpt_threads_n(); i++)
		if (arch_tp_of(&ckpt_thread_slot(i)->cpu) == *tp)
			k = i;
	return k;
}

/* Under qemu: the library's list, and a line for the timers /proc
 * counts beyond it (and beyond the library's CKPT_INTERVAL one, which
 * the restart path makes again) */
static long qemu_list(void)
{
	unsigned others = ckpt_snap.ntimers - !!ckpt_cfg->interval;

	for (unsigned i = 0; i < nmade; i++) {
		ckpt_snap.timers[i] = made[i];
		if (made[i].notify == 4)
			ckpt_snap.timers[i].thread = slot_of_tp(&made_tp[i], made[i].thread);
	}
	ckpt_snap.ntimers = nmade;
	if (others > nmade) {
		struct out o = { .len = 0 };
		outf(&o, "libckpt: warning: %u POSIX timers the program made without libc's timer_create are "
			 "not restored under qemu-user\n", (__u64)(others - nmade));
		out_flush(&o, 2);
	}
	return read_values();
}

/* 0, or why the checkpoint fails (-E2BIG: more than the image holds;
 * -ESRCH: a timer signals a thread that is not the program's) */
long ckpt_timers_capture(void)
{
	long n, a = k_mmap(0, TIMERS_TEXT, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *buf = (char *)a, *p;

	ckpt_snap.ntimers = 0;
	if (k_failed(a))
		return a;
	n = k_read_file("/proc/self/timers", buf, TIMERS_TEXT - 1);
	buf[n > 0 ? n : 0] = 0;
	for (p = buf; n > 0 && *p; p++) {
		if (ckpt_starts_with(p, "ID: ")) {
			if (ckpt_snap.ntimers == CKPT_TIMERS_MAX)
				break;
			ckpt_snap.timers[ckpt_snap.ntimers++] =
				(struct ckpt_timer){ .id = field(p, "ID: ", 10), .thread = -1 };
		} else if (ckpt_snap.ntimers) {
			parse_line(p, &ckpt_snap.timers[ckpt_snap.ntimers - 1]);
		}
		while (*p && *p != '\n')
			p++;
		if (!*p)
			break;
	}
	n = *p || n == TIMERS_TEXT - 1;     /* more than fits */
	k_munmap(a, TIMERS_TEXT);
	if (n)
		return -E2BIG;
	if (ckpt_cfg->runner != CKPT_RUNNER_QEMU)
		return read_values();
	return qemu_list();
}
