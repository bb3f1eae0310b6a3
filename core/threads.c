/* The process's threads.  Until multi-threaded programs are supported, a
 * checkpoint of more than one thread fails (handler.c); under qemu-user
 * the count includes qemu's own, which the constructor counts first. */
#include "libckpt.h"

/* Threads of the process (/proc/self/task), or -errno */
long ckpt_count_threads(void)
{
	static char dents[2048];
	long dfd, n, count = 0;

	dfd = k_openat(AT_FDCWD, "/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (dfd < 0)
		return dfd;
	while ((n = sys_getdents64(dfd, (void *)dents, sizeof(dents))) > 0)
		for (long off = 0; off < n; ) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(dents + off);
			off += d->d_reclen;
			count += d->d_name[0] >= '1' && d->d_name[0] <= '9';
		}
	sys_close(dfd);
	return count;
}

