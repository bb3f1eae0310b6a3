/* Descriptors of several kinds: a directory, a file opened O_CLOEXEC
 * read-only, one opened O_WRONLY|O_APPEND, and a pipe (which cannot be
 * checkpointed: after a restart it is /dev/null).  Prints what the program
 * can observe of the first three at each step. */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "step.h"

static const char *kind(int fd)
{
	struct stat st;
	if (fstat(fd, &st))
		return "closed";
	return S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ? "file" :
	       S_ISFIFO(st.st_mode) ? "fifo" : S_ISCHR(st.st_mode) ? "chr" : "other";
}

int main(int argc, char **argv)
{
	int p[2];
	if (argc < 3 || pipe(p))
		return 2;
	close(p[1]);
	int dir = open(argv[1], O_RDONLY | O_DIRECTORY);
	int ro = open(argv[2], O_RDONLY | O_CLOEXEC);
	int ap = open(argv[2], O_WRONLY | O_APPEND);
	printf("pipe fds %d %d\n", p[0], p[1]);
	for (int i = 0; i < 40; i++) {
		int fl = fcntl(ap, F_GETFL), cl = fcntl(ro, F_GETFD);
		DIR *d = fdopendir(dup(dir));
		int n = 0;
		rewinddir(d);
		while (readdir(d))
			n++;
		closedir(d);
		char c;
		pread(ro, &c, 1, i);
		STEP(i, "dir %s entries %d | ro %s cloexec %d char %d | ap %s append %d wronly %d", kind(dir), n,
		     kind(ro), !!(cl & FD_CLOEXEC), c, kind(ap), !!(fl & O_APPEND), (fl & O_ACCMODE) == O_WRONLY);
		step_pause(40);
	}
	return 0;
}
