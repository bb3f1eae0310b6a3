/* A libevent 2.1 main loop: a persistent 100 ms timer starts each step,
 * and the step is done when its callbacks have all run, one after the
 * other: a one-shot read event on a pipe that keeps a byte more queued
 * each step, bufferevents on the two ends of an AF_UNIX socketpair (a
 * ping sits unread in the socket between steps: the reading end is
 * enabled only to answer it), a bufferevent_pair_new pair (in memory,
 * deferred callbacks) and, every few steps, a SIGUSR1 caught through
 * libevent's signal socketpair.  A tick that comes while a step is still
 * running is skipped, so the output does not depend on timing.
 *   libevent_loop [STEPS]   (50)      build with -levent */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "step.h"

static struct event_base *base;
static struct event *timer_ev, *pipe_ev, *sig_ev;
static struct bufferevent *sa, *sb, *pa, *pb;   /* socket ends, pair ends */
static int pipefd[2], steps, step, busy, parts;
static unsigned pipe_out;
static long total_pipe, total_msgs, total_sigs;
static char got_pipe[8], got_ping[16], got_pong[16], got_pair[16], got_sig[16];

static void fail(const char *what)
{
	STEP(9999, "FAIL %s", what);
	exit(1);
}

/* one part of the step is done; the last one prints its line */
static void part_done(void)
{
	if (--parts)
		return;
	STEP(step, "pipe %s | got %s %s | pair %s | %s", got_pipe, got_ping, got_pong, got_pair, got_sig);
	busy = 0;
	if (++step == steps) {
		STEP(step, "done: pipe bytes %ld, messages %ld, signals %ld, backend %s", total_pipe,
		     total_msgs, total_sigs, event_base_get_method(base));
		event_base_loopexit(base, 0);
	}
}

/* self-pipe: 3 bytes in before the event is added, 2 read by it */
static void pipe_cb(evutil_socket_t fd, short what, void *arg)
{
	int n = read(fd, got_pipe, 2);
	got_pipe[n > 0 ? n : 0] = 0;
	total_pipe += n > 0 ? n : 0;
	part_done();
}

static void send_ping(void)
{
	char m[16];
	snprintf(m, sizeof(m), "ping%02d\n", step % 100);
	bufferevent_write(sa, m, strlen(m));
}

/* socket end B answers the ping of the step before, then stops reading */
static void sb_read(struct bufferevent *bev, void *arg)
{
	char *line = evbuffer_readln(bufferevent_get_input(bev), 0, EVBUFFER_EOL_LF);
	if (!line)
		return;
	bufferevent_disable(bev, EV_READ);
	snprintf(got_ping, sizeof(got_ping), "%s", line);
	total_msgs++;
	memcpy(line, "pong", 4);
	bufferevent_write(bev, line, strlen(line));
	bufferevent_write(bev, "\n", 1);
	free(line);
}

/* socket end A reads the answer and sends this step's ping */
static void sa_read(struct bufferevent *bev, void *arg)
{
	char *line = evbuffer_readln(bufferevent_get_input(bev), 0, EVBUFFER_EOL_LF);
	if (!line)
		return;
	snprintf(got_pong, sizeof(got_pong), "%s", line);
	total_msgs++;
	free(line);
	send_ping();
}

/* this step's ping has left A's output buffer: it is in the socket */
static void sa_written(struct bufferevent *bev, void *arg)
{
	part_done();
}

static void pb_read(struct bufferevent *bev, void *arg)
{
	size_t n = evbuffer_get_length(bufferevent_get_input(bev));
	if (n >= 4) {
		bufferevent_read(bev, got_pair, 4);
		got_pair[4] = 0;
		total_msgs++;
		part_done();
	}
}

static void sig_cb(evutil_socket_t sig, short what, void *arg)
{
	snprintf(got_sig, sizeof(got_sig), "sig %d", (int)sig);
	total_sigs++;
	part_done();
}

static void start_step(void)
{
	char b[3], m[8];

	busy = 1;
	parts = 3;
	strcpy(got_ping, "-");
	strcpy(got_pong, "-");
	strcpy(got_sig, "sig -");
	for (int k = 0; k < 3; k++)
		b[k] = 'a' + pipe_out++ % 26;
	if (write(pipefd[1], b, 3) != 3)
		fail("pipe write");
	event_add(pipe_ev, 0);
	if (step == 0)
		send_ping();
	else
		bufferevent_enable(sb, EV_READ);
	snprintf(m, sizeof(m), "p%03d", step % 1000);
	bufferevent_write(pa, m, 4);
	if (step % 5 == 3) {
		parts++;
		raise(SIGUSR1);
	}
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	if (!busy && step < steps)
		start_step();
}

static struct bufferevent *sock_bev(int fd, bufferevent_data_cb rd, bufferevent_data_cb wr)
{
	struct bufferevent *bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!bev)
		fail("bufferevent_socket_new");
	bufferevent_setcb(bev, rd, wr, 0, 0);
	return bev;
}

int main(int argc, char **argv)
{
	struct timeval tv = { 0, 100000 };
	struct bufferevent *pair[2];
	int sv[2];

	steps = argc > 1 ? atoi(argv[1]) : 50;
	base = event_base_new();
	if (!base || pipe(pipefd) || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		fail("setup");
	evutil_make_socket_nonblocking(pipefd[0]);
	evutil_make_socket_nonblocking(sv[0]);
	evutil_make_socket_nonblocking(sv[1]);
	if (write(pipefd[1], "#", 1) != 1)
		fail("pipe");
	pipe_ev = event_new(base, pipefd[0], EV_READ, pipe_cb, 0);
	timer_ev = event_new(base, -1, EV_PERSIST, timer_cb, 0);
	sig_ev = evsignal_new(base, SIGUSR1, sig_cb, 0);
	sa = sock_bev(sv[0], sa_read, sa_written);
	sb = sock_bev(sv[1], sb_read, 0);
	bufferevent_enable(sa, EV_READ | EV_WRITE);
	bufferevent_enable(sb, EV_WRITE);
	bufferevent_disable(sb, EV_READ);
	if (bufferevent_pair_new(base, BEV_OPT_DEFER_CALLBACKS, pair))
		fail("bufferevent_pair_new");
	pa = pair[0];
	pb = pair[1];
	bufferevent_setcb(pb, pb_read, 0, 0, 0);
	bufferevent_enable(pa, EV_WRITE);
	bufferevent_enable(pb, EV_READ);
	if (!pipe_ev || !timer_ev || !sig_ev || event_add(sig_ev, 0) || event_add(timer_ev, &tv))
		fail("events");
	if (steps <= 0 || event_base_dispatch(base) < 0 || step != steps)
		fail("loop");
	event_free(timer_ev);
	event_free(pipe_ev);
	event_free(sig_ev);
	bufferevent_free(sa);
	bufferevent_free(sb);
	bufferevent_free(pa);
	bufferevent_free(pb);
	event_base_free(base);
	return 0;
}
