/* common/elfid.c: an ELF file's GNU build-id */
#ifndef CKPT_ELFID_H
#define CKPT_ELFID_H

#define ELFID_MAX 20
unsigned elf_build_id(int fd, unsigned char *id);

#endif
