/* Another process's attempt at a lock, for the lock tests:
 *   lockprobe try  KIND TYPE FILE [START LEN]   exit 0: it got the lock
 *                                               (and let it go), 1: refused
 *   lockprobe hold KIND TYPE FILE [START LEN]   takes it, prints "held
 *                                               PID", holds it until killed
 * KIND flock, posix or ofd; TYPE r or w; 2: a usage or other error. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 5 && argc != 7)
		return 2;
	int w = !strcmp(argv[3], "w"), fd = open(argv[4], O_RDWR), r;
	struct flock l = { .l_type = w ? F_WRLCK : F_RDLCK, .l_whence = SEEK_SET,
			   .l_start = argc == 7 ? atol(argv[5]) : 0, .l_len = argc == 7 ? atol(argv[6]) : 0 };
	if (fd < 0)
		return 2;
	if (!strcmp(argv[2], "flock"))
		r = flock(fd, (w ? LOCK_EX : LOCK_SH) | LOCK_NB);
	else
		r = fcntl(fd, !strcmp(argv[2], "ofd") ? F_OFD_SETLK : F_SETLK, &l);
	if (r)
		return errno == EAGAIN || errno == EACCES || errno == EWOULDBLOCK ? 1 : 2;
	if (!strcmp(argv[1], "hold")) {
		printf("held %d\n", (int)getpid());
		fflush(stdout);
		for (;;)
			pause();
	}
	return 0;
}
