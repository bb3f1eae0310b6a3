/* A client that survives a restart: the server it talks to is not in the
 * image, so after a restart its connection is a dead socket (it reads end
 * of file); the CKPT_RESTART hook connects again and puts the new
 * connection on the same fd, and the loop sends its request again.
 * Without the library (or the hook) it runs the same and, after a
 * restart, says the connection is gone.
 *   cc -Iinclude -o reconnect examples/reconnect.c
 *   LD_PRELOAD=$PWD/libckpt.so ./reconnect PORT [N]   (a line-echo server on 127.0.0.1:PORT)
 * Prints "NNNN reply: LINE" for requests 1..N (40), 50 ms apart. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ckpt.h"

static int fd = -1, port;
static volatile sig_atomic_t reconnected;

static int connect_to(int p)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(p) };
	int s = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(s);
		return -1;
	}
	return s;
}

/* in the restarted process, before it runs on (inside the checkpoint
 * signal's handler: socket, connect, dup2 and close are async-signal-safe) */
static void on_restart(void *arg)
{
	int s = connect_to(port);

	(void)arg;
	if (s >= 0) {
		dup2(s, fd);              /* the same number: the program keeps using fd */
		close(s);
	}
	reconnected = 1;
}

/* one request and its reply line into buf: 1, 0 when the reply must be
 * asked for again (a restart happened meanwhile), -1 when the
 * connection is gone */
static int ask(int i, char *buf, size_t cap)
{
	size_t len = 0;
	int n = snprintf(buf, cap, "request %d\n", i);

	reconnected = 0;
	if (send(fd, buf, n, MSG_NOSIGNAL) != n)
		return reconnected ? 0 : -1;
	while (len < cap - 1 && (len == 0 || buf[len - 1] != '\n')) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;
		if (reconnected)
			return 0;
		if (poll(&p, 1, 100) <= 0)
			continue;
		r = recv(fd, buf + len, cap - 1 - len, 0);
		if (r <= 0)
			return reconnected ? 0 : -1;
		len += r;
	}
	if (reconnected)
		return 0;
	buf[len - 1] = 0;
	return 1;
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 40;
	char buf[256];

	if (argc < 2) {
		fprintf(stderr, "usage: reconnect PORT [N]\n");
		return 2;
	}
	port = atoi(argv[1]);
	if ((fd = connect_to(port)) < 0) {
		perror("connect");
		return 1;
	}
	if (ckpt_enabled() && ckpt_on(CKPT_RESTART, on_restart, 0))
		perror("ckpt_on");
	for (int i = 1; i <= n; i++) {
		int r;
		while ((r = ask(i, buf, sizeof(buf))) == 0)
			;
		if (r < 0) {
			printf("%04d the connection is gone\n", i);
			return 1;
		}
		printf("%04d reply: %s\n", i, buf);
		fflush(stdout);
		usleep(50000);
	}
	return 0;
}
