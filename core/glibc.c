/* When the program break cannot be restored (qemu-user refuses
 * PR_SET_MM_MAP), glibc's malloc must stop using brk: its cached break,
 * __curbrk, still names the old heap end while the kernel's break is
 * elsewhere, and the first heap trim would take the difference for
 * released memory and corrupt the heap.  With __curbrk = (void *)-1,
 * sbrk() fails cleanly (overflow check) and malloc falls back to mmap,
 * as glibc does whenever brk is unavailable.
 *
 * __curbrk is an exported libc data symbol; the writer finds it without
 * libc by walking libc.so.6's dynamic symbol table (GNU hash) in memory,
 * and the restart path of state.c sets it. */
#include "ckpt.h"
#include <linux/elf.h>

#ifndef DT_GNU_HASH
#define DT_GNU_HASH 0x6ffffef5
#endif

static __u32 gnu_hash(const char *s)
{
	__u32 h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static void *lookup(__u64 base, const char *name)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	const Elf64_Dyn *dyn = 0;
	const __u32 *gh = 0;
	const Elf64_Sym *sym = 0;
	const char *str = 0;
	__u32 h = gnu_hash(name), nb, off, shift, i;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return 0;
	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const Elf64_Dyn *)(base + ph[i].p_vaddr);
	for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
		/* ld.so relocates these in place; tolerate either form */
		__u64 v = dyn->d_un.d_ptr < base ? dyn->d_un.d_ptr + base : dyn->d_un.d_ptr;
		if (dyn->d_tag == DT_GNU_HASH) gh = (const __u32 *)v;
		if (dyn->d_tag == DT_SYMTAB) sym = (const Elf64_Sym *)v;
		if (dyn->d_tag == DT_STRTAB) str = (const char *)v;
	}
	if (!gh || !sym || !str)
		return 0;
	nb = gh[0], off = gh[1], shift = gh[3];
	const __u64 *bloom = (const __u64 *)(gh + 4);
	const __u32 *buckets = (const __u32 *)(bloom + gh[2]), *chain = buckets + nb;
	__u64 word = bloom[(h / 64) % gh[2]];
	if (!((word >> (h % 64)) & (word >> ((h >> shift) % 64)) & 1))
		return 0;
	for (i = buckets[h % nb]; i >= off; i++) {
		__u32 ch = chain[i - off];
		if ((ch | 1) == (h | 1) && !strcmp(str + sym[i].st_name, name) && sym[i].st_shndx)
			return (void *)(base + sym[i].st_value);
		if (ch & 1)
			break;
	}
	return 0;
}

/* Where __curbrk lives in the libc mapped at base (the start of its
 * mapping at file offset 0, which the writer finds in /proc/self/maps
 * while the maps still name libc: after a restart its memory is
 * anonymous), or 0. */
void **ckpt_glibc_curbrk(__u64 base)
{
	return lookup(base, "__curbrk");
}
