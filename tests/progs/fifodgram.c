/* The objects tests/progs/evloop.c leaves out: a FIFO (a named pipe)
 * opened at both ends, with bytes left in it at every step, a SOCK_DGRAM
 * socketpair with three datagrams always queued (their boundaries
 * checked), and an inotify instance (not restored: warned, /dev/null).
 *   fifodgram FIFO-PATH [STEPS] */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "step.h"

int main(int argc, char **argv)
{
	int steps = argc > 2 ? atoi(argv[2]) : 40, sv[2], rd, wr;
	if (argc < 2 || (mkfifo(argv[1], 0600) && access(argv[1], F_OK)))
		return 2;
	rd = open(argv[1], O_RDONLY | O_NONBLOCK);
	wr = open(argv[1], O_WRONLY);
	if (rd < 0 || wr < 0 || socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) || inotify_init1(IN_CLOEXEC) < 0)
		return 1;
	for (int i = 0; i < 3; i++) {           /* three datagrams ahead */
		char m[16];
		snprintf(m, sizeof(m), "d%d%.*s", i, i % 5, "xxxxx");
		send(sv[0], m, strlen(m), 0);
	}
	for (int i = 0; i < steps; i++) {
		char in[8] = { 0 }, msg[32] = { 0 }, out[16];
		char b[3] = { 'a' + i % 26, 'A' + i % 26, '0' + i % 10 };
		if (write(wr, b, 3) != 3)
			return 3;
		ssize_t n = read(rd, in, 2);          /* one byte more stays each step */
		snprintf(out, sizeof(out), "d%d%.*s", i + 3, (i + 3) % 5, "xxxxx");
		send(sv[0], out, strlen(out), 0);
		ssize_t m = recv(sv[1], msg, sizeof(msg) - 1, 0);
		STEP(i, "fifo %zd [%s] | dgram %zd [%s]", n, in, m, msg);
		step_pause(50);
	}
	return 0;
}
