/* common/elfid.c: an ELF file's GNU build-id */
#ifndef CKPT_ELFID_H
#define CKPT_ELFID_H

#define ELFID_MAX 20
unsigned elf_build_id(int fd, unsigned char *id);
/* the same of an ELF image mapped whole at p, n bytes (the vdso) */
unsigned elf_build_id_mem(const unsigned char *p, __u64 n, unsigned char *id);

#endif
