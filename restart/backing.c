/* What mappings are backed by, prepared before the point of no return:
 * the files mapped shared or privately are opened (a missing or changed
 * one is a clean refusal), and each shared memory object (regions with
 * the same dev and ino) is made once, as a memfd holding its saved pages,
 * or is the MEMFD/DELETED fd the image restores for it, so that every
 * mapping of it aliases again and writes through the fd show in the
 * mappings. */
#include "restart.h"
#include "elfid.h"

#define RST_SHM_OBJS 256
static struct { __u64 dev, ino; int fd; } obj[RST_SHM_OBJS];
static unsigned nobj;
static int map_fd[IMG_REGIONS_MAX];   /* per region: the fd to map, held high */

static long hold_high(const struct img *im, long t)
{
	long h = t < 0 ? t : k_fcntl(t, F_DUPFD_CLOEXEC, im->fd_base);
	if (t >= 0)
		sys_close(t);
	return h;
}

/* the fd of the MEMFD or DELETED record for this object, reopened read-write */
static long fd_object(const struct img *im, const struct ckpt_region *r)
{
	for (unsigned i = 0; i < im->nfds; i++) {
		const struct ckpt_fd *f = im->fds[i];
		if ((f->kind == CKPT_FD_MEMFD || f->kind == CKPT_FD_DELETED) && f->dev == r->dev && f->ino == r->ino)
			return fd_reopen(im->held[i], O_RDWR);
	}
	return -ENOENT;
}

/* r's saved pages into object fd t at r's offset */
static long fill(const struct img *im, const struct ckpt_region *r, int t)
{
	const struct ckpt_run *run = region_runs(r);
	__s64 off = r->data_off;

	for (unsigned k = 0; k < r->nruns; k++) {
		__u64 n = run[k].npages * CKPT_PAGE;
		long w = k_lseek(t, r->file_off + run[k].page * CKPT_PAGE, SEEK_SET);
		if (w >= 0)
			w = k_sendfile(t, im->fd, &off, n);
		if (w != (long)n)
			return w < 0 ? w : -EIO;
	}
	return 0;
}

/* the object region r maps: found, or made */
static long object(const struct img *im, const struct ckpt_region *r)
{
	struct statx st;
	unsigned k;
	long t;

	for (k = 0; k < nobj; k++)
		if (obj[k].dev == r->dev && obj[k].ino == r->ino)
			break;
	if (k == nobj) {
		if (nobj == RST_SHM_OBJS)
			return -ENOBUFS;
		t = fd_object(im, r);
		/* shared with another process of the tree: its one object */
		if (t == -ENOENT) {
			long s = member_shm(r->dev, r->ino);
			t = s >= 0 ? fd_reopen(s, O_RDWR) : k_memfd_create("ckpt-shared", 0);
		}
		if ((t = hold_high(im, t)) < 0)
			return t;
		obj[nobj++] = (typeof(obj[0])){ r->dev, r->ino, t };
	}
	t = obj[k].fd;
	if (k_statx(t, "", AT_EMPTY_PATH, STATX_SIZE, &st) < 0)
		return -EIO;
	if (st.stx_size < r->file_off + (r->end - r->start) &&
	    k_ftruncate(t, r->file_off + (r->end - r->start)) < 0)
		return -ENOSPC;
	return fill(im, r, t) < 0 ? -EIO : t;
}

/* A file a private mapping is taken from: the one the image was taken
 * with (same size, and same build-id, or for a file without one the same
 * modification time)?  0, or 1 after one line. */
static int same_file(const struct img *im, const struct ckpt_region *r, const char *path, int fd)
{
	static const char *const why[] = { 0, "its size", "its build-id", "its modification time" };
	unsigned char id[ELFID_MAX];
	struct statx st;
	int k = 0;

	if (k_statx(fd, "", AT_EMPTY_PATH, STATX_SIZE | STATX_MTIME, &st) < 0 || st.stx_size != r->file_size)
		k = 1;
	else if (r->build_id_len)
		k = elf_build_id(fd, id) != r->build_id_len || memcmp(id, r->build_id, r->build_id_len) ? 2 : 0;
	else if (st.stx_mtime.tv_sec != r->mtime_sec || st.stx_mtime.tv_nsec != r->mtime_nsec)
		k = 3;
	if (k)
		report(im, "%s changed since the checkpoint (%s differs); the image takes its unchanged pages "
			   "from it (CKPT_SAVE_FILES=1 at checkpoint time makes images that hold them)", path, why[k]);
	return k != 0;
}

static long open_file(const struct img *im, const struct ckpt_region *r, unsigned i)
{
	static char buf[CKPT_NAME_MAX];
	const char *path = pathmap(region_name(r), buf);
	int shared = r->kind == CKPT_KIND_FILE_SHARED;
	long t = k_openat(AT_FDCWD, path, (shared && (r->prot & PROT_WRITE) ? O_RDWR : O_RDONLY) | O_CLOEXEC, 0);

	if (t < 0)
		return report(im, "cannot map %s %s again (at 0x%x): %s%s", path, shared ? "shared" : "privately",
			      r->start, err_str(t), pathmap_hint(t));
	if (!shared && same_file(im, r, path, t)) {
		sys_close(t);
		return 1;
	}
	if ((t = hold_high(im, t)) < 0)
		return report(im, "cannot hold %s: %s", path, err_str(t));
	map_fd[i] = t;
	return 0;
}

static int same_as_previous(const struct img *im, unsigned i)
{
	const struct ckpt_region *r = im->reg[i], *p = i ? im->reg[i - 1] : 0;
	return p && p->kind == r->kind && p->dev == r->dev && p->ino == r->ino &&
	       (r->kind == CKPT_KIND_FILE_PRIVATE || (p->prot & PROT_WRITE) == (r->prot & PROT_WRITE));
}

int backing_prepare(struct img *im)
{
	for (unsigned i = 0; i < im->nregions; i++) {
		const struct ckpt_region *r = im->reg[i];
		long t;
		if (r->kind == CKPT_KIND_FILE_SHARED || r->kind == CKPT_KIND_FILE_PRIVATE) {
			if (same_as_previous(im, i))
				map_fd[i] = map_fd[i - 1];     /* the next mapping of one file */
			else if (open_file(im, r, i))
				return 1;
			continue;
		}
		if (r->kind == CKPT_KIND_SHMEM) {
			if ((t = object(im, r)) < 0)
				return report(im, "cannot make the shared memory at 0x%x again: %s", r->start, err_str(t));
		} else {
			continue;
		}
		map_fd[i] = t;
	}
	return 0;
}

/* the fd region i is mapped from (SHMEM, FILE_SHARED, FILE_PRIVATE) */
int backing_fd(unsigned i)
{
	return map_fd[i];
}

/* once every region is mapped */
void backing_done(const struct img *im)
{
	for (unsigned i = 0; i < nobj; i++)
		sys_close(obj[i].fd);
	for (unsigned i = 0; i < im->nregions; i++)
		if ((im->reg[i]->kind == CKPT_KIND_FILE_SHARED || im->reg[i]->kind == CKPT_KIND_FILE_PRIVATE) &&
		    !same_as_previous(im, i))
			sys_close(map_fd[i]);
}
