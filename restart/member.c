/* A process tree's member between its fork and its restore: the objects
 * the tree's processes share (pipes, socketpairs, files, shared memory),
 * as this member holds them.  The reaper makes each object once and the
 * forker (tree.c) hands every member its part of the owner's table
 * (member_takes); the member's restore asks here which of its fds and
 * which shared memory are the tree's (fds.c, backing.c), and closes the
 * temporary fds once the program's own are in place.  The tree's code
 * calls into the restore, never the other way: the restore reads only
 * this table.  Outside a tree (no member_takes) nothing is the tree's. */
#include "restart.h"

/* The table is in the tree's own mapping, which is gone once the
 * restore has unmapped myrestart's memory: what the restore needs past
 * its point of no return is copied into our bss (which the restore stage
 * keeps, or copies with it); share itself is a flag by then. */
static const struct member_share *share;
static struct member_temps temps;

void member_takes(const struct member_share *s)
{
	share = s;
	temps = s->temps;
}

/* the tree's object fd stands for, or -1; *other: the fd through which
 * this member puts back what the object's end had queued, or -1 */
long member_fd(int fd, int *cloexec, int *other)
{
	for (unsigned k = 0; share && k < share->nfds; k++)
		if (share->fd[k].fd == fd) {
			*cloexec = share->fd[k].cloexec;
			*other = share->fd[k].other;
			return share->fd[k].tmp;
		}
	return -1;
}

/* the tree's shared memory object (dev, ino), or -1 */
long member_shm(__u64 dev, __u64 ino)
{
	for (unsigned k = 0; share && k < share->nshm; k++)
		if (share->shm[k].dev == dev && share->shm[k].ino == ino)
			return share->shm[k].tmp;
	return -1;
}

/* past the point of no return: the objects given way to the program's fds */
void member_close_temps(void)
{
	if (!share)
		return;
	/* (the barrier's other ends were closed at the fork: those numbers
	 * may be the program's own fds, held, by now) */
	for (int fd = temps.lo; fd < temps.hi; fd++)
		sys_close(fd);
	for (int k = 0; k < 3; k++)
		sys_close(temps.ends[k]);
}
