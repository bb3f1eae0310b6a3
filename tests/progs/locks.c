/* Holds file locks of every kind across checkpoints, in its working
 * directory: a shared and an exclusive flock, POSIX locks on byte ranges
 * (a write lock on bytes 0-99, a read lock from byte 200 to the end) and
 * an OFD write lock on bytes 10-19 (its fd dup'ed too), and a POSIX
 * write lock on bytes 0-9 of a file open write-only.  It prints a
 * numbered line every 50 ms; once a file "unlock" appears it releases
 * every lock and says "unlocked"; once "stop" appears it ends.
 *   locks            all of the above
 *   locks lease      a read lease and an flock on its stdout as well: what
 *                    a restart does not take again */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include "step.h"

static int open_rw(const char *name)
{
	int fd = open(name, O_RDWR | O_CREAT, 0644);
	if (fd < 0) {
		perror(name);
		_exit(2);
	}
	return fd;
}

static int range(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock l = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	return fcntl(fd, cmd, &l);
}

int main(int argc, char **argv)
{
	int lease = argc > 1 && !strcmp(argv[1], "lease");
	int sh = open_rw("fsh"), ex = open_rw("fex"), px = open_rw("posix"), ofd = open_rw("ofd"), ls = -1;
	int dup_ofd = dup(ofd), wo = open("wo", O_WRONLY | O_CREAT, 0644);

	if (flock(sh, LOCK_SH | LOCK_NB) || flock(ex, LOCK_EX | LOCK_NB) ||
	    range(px, F_SETLK, F_WRLCK, 0, 100) || range(px, F_SETLK, F_RDLCK, 200, 0) ||
	    range(ofd, F_OFD_SETLK, F_WRLCK, 10, 10) || dup_ofd < 0 || range(wo, F_SETLK, F_WRLCK, 0, 10)) {
		perror("locks");
		return 1;
	}
	if (lease) {
		close(open_rw("lease"));
		ls = open("lease", O_RDONLY);
		if (ls < 0 || fcntl(ls, F_SETLEASE, F_RDLCK) || flock(1, LOCK_EX | LOCK_NB)) {
			perror("lease");
			return 1;
		}
	}
	for (int n = 0, held = 1;; n++) {
		if (held && access("unlock", F_OK) == 0) {
			if (flock(sh, LOCK_UN) || flock(ex, LOCK_UN) || range(px, F_SETLK, F_UNLCK, 0, 0) ||
			    range(ofd, F_OFD_SETLK, F_UNLCK, 0, 0) || range(wo, F_SETLK, F_UNLCK, 0, 0)) {
				perror("unlock");
				return 1;
			}
			held = 0;
			STEP(n, "unlocked");
			continue;
		}
		if (access("stop", F_OK) == 0)
			return 0;
		STEP(n, "%s", held ? "holding" : "released");
		step_pause(50);
	}
}
