/* The parent of the inheritance tests (CKPT_INHERIT).  It obeys a command
 * file, which keeps working across a checkpoint and restart where a pipe
 * would become /dev/null.  spawn DIR: every 10 ms, DIR/cmd, once there,
 * is read, removed and carried out; each command prints one line:
 *   exec PROG ARGS...  fork, the child execs PROG with its output in
 *                      DIR/child.PID.out: "child PID"
 *   fork               fork, the child only waits for signals: "forked PID"
 *   self               exec this program again, same pid: "pid PID"
 * It also prints "pid PID" when it starts. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "step.h"

static void child_output(const char *dir)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/child.%d.out", dir, (int)getpid());
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		close(fd);
	}
}

int main(int argc, char **argv)
{
	char cmd[4200], buf[4096], *words[64];
	if (argc != 2)
		return 2;
	snprintf(cmd, sizeof(cmd), "%s/cmd", argv[1]);
	printf("pid %d\n", (int)getpid());
	fflush(stdout);
	for (;;) {
		int fd = open(cmd, O_RDONLY), n = 0;
		ssize_t len;
		if (fd < 0) {
			step_pause(10);
			continue;
		}
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		unlink(cmd);
		buf[len > 0 ? len : 0] = 0;
		for (char *w = strtok(buf, " \n"); w && n < 63; w = strtok(NULL, " \n"))
			words[n++] = w;
		words[n] = NULL;
		if (n >= 2 && !strcmp(words[0], "exec")) {
			pid_t pid = fork();
			if (pid == 0) {
				child_output(argv[1]);
				execv(words[1], words + 1);
				_exit(127);
			}
			printf("child %d\n", (int)pid);
		} else if (n == 1 && !strcmp(words[0], "fork")) {
			pid_t pid = fork();
			if (pid == 0)
				for (;;)
					pause();
			printf("forked %d\n", (int)pid);
		} else if (n == 1 && !strcmp(words[0], "self")) {
			execv(argv[0], argv);
			printf("self: exec failed\n");
		} else {
			printf("unknown command\n");
		}
		fflush(stdout);
	}
}
