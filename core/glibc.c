/* Symbols of glibc found without glibc: the dynamic symbol tables (GNU
 * hash) of objects already mapped in memory are walked by hand.
 *
 * __curbrk: when the program break cannot be restored (qemu-user refuses
 * PR_SET_MM_MAP), glibc's malloc must stop using brk: its cached break,
 * __curbrk, still names the old heap end while the kernel's break is
 * elsewhere, and the first heap trim would take the difference for
 * released memory and corrupt the heap.  With __curbrk = (void *)-1,
 * sbrk() fails cleanly (overflow check) and malloc falls back to mmap,
 * as glibc does whenever brk is unavailable.  The writer finds it in
 * libc.so.6 and the restart path of proc.c sets it.
 *
 * __environ: the constructor points it at a copy of the environment that
 * names the owner of the image (inherit.c).  It is looked up in ld.so's
 * list of loaded objects, in search order, because an executable that
 * uses environ has its own copy of it (a copy relocation): libc's
 * original then is dead memory.
 *
 * The next definition of a function the library wraps (sigmask.c), as
 * dlsym(RTLD_NEXT) would find it. */
#include "libckpt.h"
#include <linux/elf.h>

#ifndef DT_GNU_HASH
#define DT_GNU_HASH 0x6ffffef5
#endif
#ifndef DT_VERSYM
#define DT_VERSYM 0x6ffffff0
#endif

static __u32 gnu_hash(const char *s)
{
	__u32 h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/* The dynamic section of the ELF object whose header is mapped at base */
static const Elf64_Dyn *dynamic(__u64 base)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	const Elf64_Phdr *ph;

	if (!base || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return 0;
	ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_DYNAMIC)
			return (const Elf64_Dyn *)(base + ph[i].p_vaddr);
	return 0;
}

/* name in the object loaded at bias with that dynamic section, or 0 */
static void *lookup(__u64 bias, const Elf64_Dyn *dyn, const char *name)
{
	const __u32 *gh = 0;
	const Elf64_Sym *sym = 0;
	const __u16 *versym = 0;
	const char *str = 0;
	__u32 h = gnu_hash(name), nb, off, shift, i;

	for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
		/* ld.so relocates these in place; tolerate either form */
		__u64 v = dyn->d_un.d_ptr < bias ? dyn->d_un.d_ptr + bias : dyn->d_un.d_ptr;
		if (dyn->d_tag == DT_GNU_HASH) gh = (const __u32 *)v;
		if (dyn->d_tag == DT_SYMTAB) sym = (const Elf64_Sym *)v;
		if (dyn->d_tag == DT_STRTAB) str = (const char *)v;
		if (dyn->d_tag == DT_VERSYM) versym = (const __u16 *)v;
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
		/* a hidden version is an old ABI kept for old binaries
		 * (pthread_kill@GLIBC_2.2.5): the default one is the program's */
		if ((ch | 1) == (h | 1) && !strcmp(str + sym[i].st_name, name) && sym[i].st_shndx &&
		    !(versym && (versym[i] & 0x8000)))
			return (void *)(bias + sym[i].st_value);
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
	return lookup(base, dynamic(base), "__curbrk");
}

/* The head of ld.so's struct link_map (<link.h>), stable ABI since it
 * is what debuggers read through _r_debug */
struct loaded {
	__u64 bias;
	const char *name;
	const Elf64_Dyn *dyn;
	struct loaded *next;
};

/* The objects ld.so loaded, in search order: _r_debug.r_map of the ld.so
 * at AT_BASE (0 when ld.so itself was run as the program: then its
 * header starts the page of AT_PHDR) */
__attribute__((minsize)) static struct loaded *loaded(const unsigned long *auxv)
{
	struct { int version; struct loaded *map; } *r;
	__u64 base = 0, phdr = 0;

	for (; auxv && auxv[0]; auxv += 2) {
		if (auxv[0] == AT_BASE)
			base = auxv[1];
		if (auxv[0] == AT_PHDR)
			phdr = auxv[1];
	}
	if (!base)
		base = phdr & ~4095ul;
	r = lookup(base, dynamic(base), "_r_debug");
	return r ? r->map : 0;
}

/* The program's live environ (the first definition in search order), or 0 */
__attribute__((minsize)) char ***ckpt_glibc_environ(const unsigned long *auxv)
{
	for (struct loaded *l = loaded(auxv); l; l = l->next) {
		char ***e = lookup(l->bias, l->dyn, "__environ");
		if (e)
			return e;
	}
	return 0;
}

/* The first definition of name in search order after this library's
 * own (what dlsym(RTLD_NEXT, name) gives us), or 0 */
__attribute__((minsize)) void *ckpt_glibc_next(const unsigned long *auxv, const char *name)
{
	extern const Elf64_Dyn _DYNAMIC[] __attribute__((visibility("hidden")));
	void *f;

	for (struct loaded *l = loaded(auxv); l; l = l->next)
		if (l->dyn != _DYNAMIC && (f = lookup(l->bias, l->dyn, name)))
			return f;
	return 0;
}

/* The next definitions of names (one after another, each with its NUL,
 * an empty name last) into fns, a struct of as many function pointers in
 * the same order: every wrapper's libc function, looked up by one loop */
void ckpt_glibc_nexts(const unsigned long *auxv, void *fns, const char *names)
{
	for (char *at = fns; *names; names += strlen(names) + 1, at += sizeof(void *)) {
		void *f = ckpt_glibc_next(auxv, names);
		__builtin_memcpy(at, &f, sizeof(f));
	}
}

/* This library's file name as ld.so loaded it, or 0 */
__attribute__((minsize)) const char *ckpt_glibc_self(const unsigned long *auxv)
{
	extern const Elf64_Dyn _DYNAMIC[] __attribute__((visibility("hidden")));

	for (struct loaded *l = loaded(auxv); l; l = l->next)
		if (l->dyn == _DYNAMIC)
			return l->name;
	return 0;
}
