/* Private file mappings (the executable, libc, ld.so, locales) are not
 * saved whole: their pages that the program never wrote are the file's,
 * and a restart maps them from the file again.  Only the changed pages go
 * into the image (copy-on-write made them anonymous: pagemap tells, or
 * under qemu, where pagemap describes the emulator, a comparison with the
 * file).  The image records what identifies the file (its size, and its
 * ELF build-id, else its modification time), so that a restart on another
 * machine with the same packages works and a changed file is refused.
 * CKPT_SAVE_FILES=1 keeps every page instead (self-contained images).
 * libckpt.so's own pages are always kept: a rebuilt or upgraded ckpt
 * still restarts the images the old one wrote.
 * Runs in the writer. */
#include "libckpt.h"
#include "elfid.h"
#include "maps.h"

/* the file of the last region asked about: regions of one file follow
 * each other */
static struct { __u64 dev, ino; int fd; int ok; struct statx st; unsigned idlen; __u8 id[ELFID_MAX]; } cur = { .fd = -1 };

static int is_deleted(const struct map_ent *e)
{
	return e->name_len > 10 && !memcmp(e->name + e->name_len - 10, " (deleted)", 10);
}

/* the file the mapping e is of, still at its path: opened and identified */
static int identify(const struct map_ent *e)
{
	if (cur.fd >= 0 && cur.dev == e->dev && cur.ino == e->inode)
		return cur.ok;
	if (cur.fd >= 0)
		sys_close(cur.fd);
	cur.dev = e->dev;
	cur.ino = e->inode;
	cur.ok = 0;
	cur.fd = k_openat(AT_FDCWD, e->name, O_RDONLY | O_CLOEXEC, 0);
	if (cur.fd < 0)
		return 0;
	if (k_statx(cur.fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_INO | STATX_SIZE | STATX_MTIME, &cur.st) < 0 ||
	    !S_ISREG(cur.st.stx_mode) || cur.st.stx_ino != e->inode ||
	    ((__u64)cur.st.stx_dev_major << 32 | cur.st.stx_dev_minor) != e->dev)
		return 0;
	cur.idlen = elf_build_id(cur.fd, cur.id);
	return cur.ok = 1;
}

/* Whether the private mapping e can be taken from its file at restart;
 * then r gets what identifies the file. */
int files_private(const struct map_ent *e, struct ckpt_region *r)
{
	if (ckpt_cfg->save_files || e->shared || !e->inode || e->name[0] != '/' || is_deleted(e) ||
	    (e->dev == ckpt_cfg->self_dev && e->inode == ckpt_cfg->self_ino) || !identify(e))
		return 0;
	r->file_size = cur.st.stx_size;
	r->mtime_sec = cur.st.stx_mtime.tv_sec;
	r->mtime_nsec = cur.st.stx_mtime.tv_nsec;
	r->build_id_len = cur.idlen;
	memcpy(r->build_id, cur.id, cur.idlen);
	return 1;
}

/* qemu: page i of FILE_PRIVATE region r differs from the file (or lies
 * past its end, where it cannot be read without SIGBUS: then 0) */
int files_page_changed(const struct ckpt_region *r, __u64 i, char *buf)
{
	__u64 off = r->file_off + i * CKPT_PAGE;

	if (off >= r->file_size)
		return 0;
	if (cur.dev != r->dev || cur.ino != r->ino || cur.fd < 0)
		return 1;
	memset(buf, 0, CKPT_PAGE);
	if (k_pread_full(cur.fd, buf, CKPT_PAGE, off) < 0)
		return 1;
	return memcmp(buf, (const char *)(r->start + i * CKPT_PAGE), CKPT_PAGE) != 0;
}
