/* POSIX timers (timer_create), read in the pause: a forked writer has
 * none of them.  /proc/self/timers lists every one the kernel keeps for
 * the process, those made by raw system calls and glibc's SIGEV_THREAD
 * ones (a SIGEV_THREAD_ID timer to its helper thread) too; timer_gettime
 * says what each has left.  Under qemu-user the file is qemu's own view
 * (host ids, not the program's), so the timers are only named there:
 * myrestart names them again and makes none (restart/timers.c). */
#include "libckpt.h"
#include "out.h"

#define TIMERS_TEXT 16384        /* /proc/self/timers: about 90 bytes a timer */

/* the number after key on the line at p (negative, or hex after base), or 0 */
static long field(const char *p, const char *key, int base)
{
	long v = 0, neg;

	if (!ckpt_starts_with(p, key))
		return 0;
	p += strlen(key);
	neg = *p == '-';
	for (p += neg;; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : 99;
		if (d >= base)
			break;
		v = v * base + d;
	}
	return neg ? -v : v;
}

/* the slot of the thread with kernel id tid, or -1: 0 is this thread's
 * (the initiator's, filled in only after the pause's captures), the
 * others were filled in as they parked */
static int slot_of(long tid)
{
	if (tid == my_syscall0(__NR_gettid))
		return 0;
	for (unsigned i = 1; i < ckpt_rt.nslots; i++)
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
		if (my_syscall2(__NR_timer_gettime, t->id, &it) < 0)
			it.value.tv_sec = it.value.tv_nsec = it.interval.tv_sec = it.interval.tv_nsec = 0;
		t->value_ns = it.value.tv_sec * 1000000000ull + it.value.tv_nsec;
		t->interval_ns = it.interval.tv_sec * 1000000000ull + it.interval.tv_nsec;
	}
	return 0;
}

/* 0, or why the checkpoint fails (-E2BIG: more than the image holds;
 * -ESRCH: a timer signals a thread that is not the program's) */
long ckpt_timers_capture(void)
{
	long n, a = k_mmap(0, TIMERS_TEXT, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *buf = (char *)a, *p;

	ckpt_snap.ntimers = 0;
	if ((unsigned long)a >= -4095ul)
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
	if (ckpt_snap.ntimers) {
		struct out o = { .len = 0 };
		outf(&o, "libckpt: warning: the program's %u POSIX timers are not restored under qemu-user\n",
		     (__u64)ckpt_snap.ntimers);
		out_flush(&o, 2);
	}
	return 0;
}
