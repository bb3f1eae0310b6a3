/* An event loop over the kernel's event objects, as servers write them:
 * a timerfd (inside a nested epoll) paces the steps, and each step polls
 * a second epoll set holding a self-pipe, both ends of an AF_UNIX stream
 * socketpair (ping-pong, one message always in flight each way), a
 * SOCK_SEQPACKET socketpair (two messages always queued, boundaries
 * checked), a counting and an EFD_SEMAPHORE eventfd and a signalfd for a
 * blocked SIGUSR1 the program sends itself.  Bytes, messages, counts and
 * signals stay queued in them from one step to the next.  Each step also
 * checks memory shared through a sealed memfd mapped twice, a shared
 * anonymous mapping, a shared mapping of FILE (read back with pread from
 * another descriptor) and the offset dup'ed descriptors of SCRATCH share.
 * Only what cannot depend on timing is printed (not timer tick counts).
 *   evloop FILE SCRATCH [STEPS]   (50) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include "step.h"

#define PAGE 4096

/* the objects polled each step, in the order their readiness is printed */
enum { PIPE, SOCKA, SOCKB, SEQ, EFD, SEM, SIG, NIO };
static const char io_name[NIO] = "PABQESG";

static int pipefd[2], sock[2], seq[2], efd, sem, sigfd, tfd;
static int tick_ep, loop_ep, io_ep;   /* loop_ep watches tick_ep */
static char *mem1, *mem2, *shanon, *fmap;
static int mfd, ffd, frd, d1, d2, d3;
static long total_pipe, total_msgs, total_sigs, total_efd;
static unsigned pipe_out, seq_out, seq_in;

static void die(const char *what)
{
	STEP(9999, "FAIL %s: %s", what, strerror(errno));
	exit(1);
}

/* a failure during a step: noted at the end of the step's line, and the
 * program goes on (after a broken restart it should show what broke) */
static char errs[256];

static void note(const char *what)
{
	size_t n = strlen(errs);
	snprintf(errs + n, sizeof(errs) - n, " ERR %s: %s", what, strerror(errno));
}

static void watch(int ep, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
		die("epoll_ctl");
}

static int wait_ep(int ep, struct epoll_event *ev, int max, int ms)
{
	int n;
	while ((n = epoll_wait(ep, ev, max, ms)) < 0 && errno == EINTR)
		;
	return n;
}

/* the timer's next tick, through the nested epoll: 0, or why not */
static const char *wait_tick(void)
{
	struct epoll_event ev;
	uint64_t ticks;
	static int wait_ms = 2000;
	int n = wait_ep(loop_ep, &ev, 1, wait_ms);

	if (n == 0) {
		wait_ms = 200;   /* the timer is gone: do not wait as long again */
		return "timeout";
	}
	if (n < 0 || ev.data.u64 != 1)
		return "loop-bad";
	if (wait_ep(tick_ep, &ev, 1, 0) != 1 || ev.data.u64 != 2)
		return "tick-empty";
	if (read(tfd, &ticks, sizeof(ticks)) != sizeof(ticks) || ticks < 1)
		return "tick-read";
	return 0;
}

/* which of the polled objects are readable, as a string like "PAB-E-G" */
static void readiness(char *out)
{
	struct epoll_event ev[NIO + 2];
	int n = wait_ep(io_ep, ev, NIO + 2, 200);

	memset(out, '-', NIO);
	out[NIO] = 0;
	if (n <= 0)
		strcpy(out, n ? "error" : "timeout");
	for (int i = 0; i < n; i++)
		if (ev[i].data.u64 < NIO)
			out[ev[i].data.u64] = io_name[ev[i].data.u64];
}

static int queued(int fd)
{
	int n = -1;
	ioctl(fd, FIONREAD, &n);
	return n;
}

/* self-pipe: 3 bytes in, 2 out, so one more stays behind each step */
static void do_pipe(char *out)
{
	char b[3];
	for (int k = 0; k < 3; k++)
		b[k] = 'a' + pipe_out++ % 26;
	if (write(pipefd[1], b, 3) != 3)
		note("pipe write");
	int n = read(pipefd[0], b, 2);
	if (n > 0)
		total_pipe += n;
	sprintf(out, "pipe %.*s q%d", n > 0 ? n : 0, b, queued(pipefd[0]));
}

/* A pings, B answers the ping of the step before, A reads the answer a
 * step later still: a message always in flight each way */
static void do_stream(int i, char *out)
{
	char a[8] = "-", b[8] = "-", m[8];
	if (i >= 2 && read(sock[0], a, 6) == 6)
		a[6] = 0;
	if (i >= 1 && read(sock[1], b, 6) == 6) {
		b[6] = 0;
		memcpy(m, "pong", 4);
		memcpy(m + 4, b + 4, 2);
		if (write(sock[1], m, 6) != 6)
			note("pong");
	}
	snprintf(m, sizeof(m), "ping%02d", i % 100);
	if (write(sock[0], m, 6) != 6)
		note("ping");
	total_msgs += (a[0] != '-') + (b[0] != '-');
	sprintf(out, "got %s %s q%d/%d", b, a, queued(sock[1]), queued(sock[0]));
}

/* message k of the seqpacket pair: "m<k>" padded with dots, 4..10 bytes */
static int seq_msg(unsigned k, char *m)
{
	int len = 4 + k % 7, n = sprintf(m, "m%u", k);
	memset(m + n, '.', len - n);
	return len;
}

static void seq_send(void)
{
	char m[16];
	int len = seq_msg(seq_out++, m);
	if (send(seq[0], m, len, 0) != len)
		note("seq send");
}

/* two sent, two received each step, two always queued */
static void do_seq(char *out)
{
	int ok = 1, lens[2];
	for (int k = 0; k < 2; k++) {
		char want[16], got[64];
		int wl = seq_msg(seq_in++, want);
		lens[k] = recv(seq[1], got, sizeof(got), MSG_DONTWAIT);
		ok &= lens[k] == wl && !memcmp(got, want, wl);
		total_msgs += lens[k] > 0;
	}
	seq_send();
	seq_send();
	sprintf(out, "seq %d+%d %s", lens[0], lens[1], ok ? "ok" : "BAD");
}

/* a count of one per step, read every third; the semaphore gets two per
 * step, gives one back, and is drained every tenth */
static void do_eventfds(int i, char *out)
{
	uint64_t v = 0, one = 1, two = 2;
	int n = 0;
	if (i % 3 == 2 && read(efd, &v, 8) == 8)
		total_efd += v;
	if (write(efd, &one, 8) != 8 || write(sem, &two, 8) != 8)
		note("eventfd write");
	if (i % 10 == 9) {
		uint64_t s;
		while (read(sem, &s, 8) == 8)
			n++;
	} else {
		uint64_t s;
		if (read(sem, &s, 8) == 8)
			n = (int)s;
	}
	if (i % 3 == 2)
		out += sprintf(out, "efd %llu", (unsigned long long)v);
	else
		out += sprintf(out, "efd -");
	sprintf(out, " sem %s%d", i % 10 == 9 ? "drained " : "", n);
}

/* SIGUSR1 is raised at one step and read from the signalfd at the next;
 * twice in a row it is still one signal */
static void do_signal(int i, char *out)
{
	struct signalfd_siginfo si;
	int n = 0;
	char *p = out;
	if (i % 4 == 2)
		while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
			p += sprintf(p, "%ssig %d code %d", n ? " " : "", si.ssi_signo, si.ssi_code);
			n++;
			total_sigs++;
		}
	if (i % 4 == 1) {
		kill(getpid(), SIGUSR1);
		if (i % 8 == 5)
			kill(getpid(), SIGUSR1);
	}
	sigset_t pend;
	sigpending(&pend);
	sprintf(p, "%spend %d", n ? " " : "sig - ", sigismember(&pend, SIGUSR1));
}

/* written through one mapping of the memfd, read through the other and
 * with pread; sealed against shrinking early, against growing later */
static void do_memfd(int i, char *out)
{
	char *slot = mem1 + (i % 16) * 64, via_map[16], via_fd[16] = "";
	unsigned sum = 0;
	const char *tried = "";

	if (i == 2 || i == 30) {
		if (fcntl(mfd, F_ADD_SEALS, i == 2 ? F_SEAL_SHRINK : F_SEAL_GROW))
			note("F_ADD_SEALS");
		tried = ftruncate(mfd, i == 2 ? PAGE : 4 * PAGE) ? (errno == EPERM ? " resize EPERM" :
			" resize error") : " resize ok";
	}
	snprintf(slot, 16, "mf%02d", i);
	snprintf(via_map, sizeof(via_map), "%s", mem2 + (i % 16) * 64);
	if (pread(mfd, via_fd, 8, (i % 16) * 64) < 0)
		strcpy(via_fd, "error");
	for (int k = 0; k < 16 * 64; k++)
		sum = sum * 31 + (unsigned char)mem2[k];
	sprintf(out, "memfd %s %s sum %08x seals %d%s", via_map, via_fd, sum,
		fcntl(mfd, F_GET_SEALS), tried);
}

/* a shared anonymous mapping, on two pages */
static void do_anon(int i, char *out)
{
	int *a = (int *)shanon, *b = (int *)(shanon + PAGE), sum = 0;
	a[i] = i * 3 + 1;
	b[i] = ~i;
	for (int k = 0; k <= i; k++)
		sum += a[k] + b[k];
	sprintf(out, "anon %d sum %d", a[i], sum);
}

/* a shared mapping of FILE, read back with pread from another descriptor */
static void do_file(int i, char *out)
{
	uint32_t *w = (uint32_t *)fmap, v0 = 0, vi = 0, prev = 0;
	w[0] = i * 7 + 3;
	w[1 + i] = i * i;
	if (pread(frd, &v0, 4, 0) != 4 || pread(frd, &vi, 4, 4 * (1 + i)) != 4 ||
	    (i > 0 && pread(frd, &prev, 4, 4 * i) != 4)) {
		note("file pread");
		prev = ~0u;
	}
	sprintf(out, "file %u %u %s", v0, vi, i == 0 || prev == (uint32_t)((i - 1) * (i - 1)) ? "ok" : "BAD");
}

/* one offset, three descriptors: written through d1, moved through d3,
 * read through d2 */
static void do_dups(int i, char *out)
{
	char b[8] = "abcdefg";
	if (write(d1, b, i % 5 + 1) != i % 5 + 1)
		note("scratch write");
	if (i % 7 == 6)
		lseek(d3, -2, SEEK_CUR);
	sprintf(out, "off %ld %ld cloexec %d%d", (long)lseek(d2, 0, SEEK_CUR),
		(long)lseek(d3, 0, SEEK_CUR), !!(fcntl(d2, F_GETFD) & FD_CLOEXEC),
		!!(fcntl(d3, F_GETFD) & FD_CLOEXEC));
}

static void *map_shared(int fd, size_t len)
{
	void *p = mmap(0, len, PROT_READ | PROT_WRITE, MAP_SHARED | (fd < 0 ? MAP_ANONYMOUS : 0), fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

static void setup(const char *file, const char *scratch)
{
	sigset_t usr1;
	struct itimerspec its = { { 0, 100000000 }, { 0, 100000000 } };

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &usr1, 0))
		die("sigprocmask");
	if (pipe2(pipefd, O_NONBLOCK) || socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sock) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, seq))
		die("pipe/socketpair");
	efd = eventfd(0, EFD_NONBLOCK);
	sem = eventfd(0, EFD_NONBLOCK | EFD_SEMAPHORE);
	sigfd = signalfd(-1, &usr1, SFD_NONBLOCK);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	if (efd < 0 || sem < 0 || sigfd < 0 || tfd < 0)
		die("eventfd/signalfd/timerfd");

	mfd = memfd_create("evloop", MFD_ALLOW_SEALING);
	if (mfd < 0 || ftruncate(mfd, 2 * PAGE))
		die("memfd");
	mem1 = map_shared(mfd, 2 * PAGE);
	mem2 = map_shared(mfd, 2 * PAGE);
	shanon = map_shared(-1, 2 * PAGE);
	ffd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
	frd = open(file, O_RDONLY);
	if (ffd < 0 || frd < 0 || ftruncate(ffd, PAGE))
		die(file);
	fmap = map_shared(ffd, PAGE);
	d1 = open(scratch, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (d1 < 0)
		die(scratch);
	d2 = dup(d1);
	d3 = fcntl(d1, F_DUPFD_CLOEXEC, 0);

	tick_ep = epoll_create1(EPOLL_CLOEXEC);
	loop_ep = epoll_create1(EPOLL_CLOEXEC);
	io_ep = epoll_create1(0);
	if (tick_ep < 0 || loop_ep < 0 || io_ep < 0)
		die("epoll_create1");
	watch(tick_ep, tfd, 2);
	watch(loop_ep, tick_ep, 1);
	int fds[NIO] = { pipefd[0], sock[0], sock[1], seq[1], efd, sem, sigfd };
	for (int k = 0; k < NIO; k++)
		watch(io_ep, fds[k], k);

	/* the pipe and the seqpacket pair start with something queued */
	if (write(pipefd[1], "#", 1) != 1)
		die("pipe");
	seq_send();
	seq_send();
	if (timerfd_settime(tfd, 0, &its, 0))
		die("timerfd_settime");
}

int main(int argc, char **argv)
{
	int steps = argc > 3 ? atoi(argv[3]) : 50;
	char rdy[16], p[64], s[64], q[64], e[64], g[128], m[128], a[64], f[64], d[64];

	if (argc < 3)
		return 2;
	setup(argv[1], argv[2]);
	for (int i = 0; i < steps; i++) {
		const char *why = wait_tick();
		if (why && strcmp(why, "timeout"))
			step_pause(100);   /* no busy loop if the epoll sets are broken */
		readiness(rdy);
		do_pipe(p);
		do_stream(i, s);
		do_seq(q);
		do_eventfds(i, e);
		do_signal(i, g);
		do_memfd(i, m);
		do_anon(i, a);
		do_file(i, f);
		do_dups(i, d);
		STEP(i, "%s%s%s | %s | %s | %s | %s | %s | %s | %s | %s | %s%s", why ? why : "", why ? " " : "",
		     rdy, p, s, q, e, g, m, a, f, d, errs);
		errs[0] = 0;
	}
	STEP(steps, "done: pipe bytes %ld, messages %ld, signals %ld, eventfd %ld, seals %d", total_pipe,
	     total_msgs, total_sigs, total_efd, fcntl(mfd, F_GET_SEALS));
	return 0;
}
