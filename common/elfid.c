/* The GNU build-id of an ELF file (NT_GNU_BUILD_ID, what `file` and
 * debuginfod show): the same bytes on every machine that installed the
 * same package, whatever its modification time there.  The writer records
 * it for each file whose pages the image does not hold, and myrestart
 * refuses a file whose build-id is another one. */
#include "syscalls.h"
#include "elfid.h"

struct ehdr64 {
	unsigned char ident[16];
	__u16 type, machine;
	__u32 version;
	__u64 entry, phoff, shoff;
	__u32 flags;
	__u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct phdr64 {
	__u32 type, flags;
	__u64 offset, vaddr, paddr, filesz, memsz, align;
};
#define PT_NOTE 4
#define NT_GNU_BUILD_ID 3

/* the build-id note among the notes read into buf (n bytes) */
static unsigned find_note(const unsigned char *buf, __u64 n, unsigned char *id)
{
	for (__u64 at = 0; at + 12 <= n; ) {
		__u32 namesz = *(const __u32 *)(buf + at), descsz = *(const __u32 *)(buf + at + 4);
		__u32 type = *(const __u32 *)(buf + at + 8);
		__u64 desc = at + 12 + ((namesz + 3) & ~3u);
		if (desc > n || descsz > n - desc)
			return 0;
		if (type == NT_GNU_BUILD_ID && namesz == 4 && !memcmp(buf + at + 12, "GNU", 4) &&
		    descsz && descsz <= ELFID_MAX) {
			memcpy(id, buf + desc, descsz);
			return descsz;
		}
		at = desc + ((descsz + 3) & ~3u);
	}
	return 0;
}

unsigned elf_build_id_mem(const unsigned char *p, __u64 n, unsigned char *id)
{
	const struct ehdr64 *eh = (const struct ehdr64 *)p;
	unsigned k;

	if (n < sizeof(*eh) || memcmp(eh->ident, "\177ELF\2", 5) || eh->phentsize != sizeof(struct phdr64) ||
	    eh->phnum > 64 || eh->phoff > n || eh->phnum * sizeof(struct phdr64) > n - eh->phoff)
		return 0;
	for (unsigned i = 0; i < eh->phnum; i++) {
		const struct phdr64 *ph = (const struct phdr64 *)(p + eh->phoff) + i;
		if (ph->type == PT_NOTE && ph->offset <= n && ph->filesz <= n - ph->offset &&
		    (k = find_note(p + ph->offset, ph->filesz, id)))
			return k;
	}
	return 0;
}

/* fd's build-id into id (ELFID_MAX bytes): its length, or 0 when fd is
 * not a 64-bit ELF file or has none.  One read of the file's first KiB
 * holds its header, its program headers and, in the usual layout, its
 * notes: the restart of a process with a few libraries makes three of
 * these where it made some forty reads. */
unsigned elf_build_id(int fd, unsigned char *id)
{
	unsigned char head[1024], notes[1024];
	const struct ehdr64 *eh = (const struct ehdr64 *)head;
	long got = k_pread_full(fd, head, sizeof(head), 0);

	if (got < (long)sizeof(*eh) || memcmp(eh->ident, "\177ELF\2", 5) ||
	    eh->phentsize != sizeof(struct phdr64) || eh->phnum > 64)
		return 0;
	for (unsigned i = 0; i < eh->phnum; i++) {
		__u64 at = eh->phoff + i * sizeof(struct phdr64);
		struct phdr64 ph;
		const unsigned char *buf = notes;
		unsigned n;
		if (at + sizeof(ph) <= (__u64)got)
			memcpy(&ph, head + at, sizeof(ph));
		else if (k_pread_full(fd, &ph, sizeof(ph), at) != sizeof(ph))
			return 0;
		if (ph.type != PT_NOTE || ph.filesz > sizeof(notes))
			continue;
		if (ph.offset + ph.filesz <= (__u64)got)
			buf = head + ph.offset;
		else if (k_pread_full(fd, notes, ph.filesz, ph.offset) != (long)ph.filesz)
			continue;
		if ((n = find_note(buf, ph.filesz, id)))
			return n;
	}
	return 0;
}
