/* common/chain.c: a delta image's parents, loaded and checked with it
 * (by myrestart and by libckpt.so's self-check), and the restore's reads
 * of the pages they hold (myrestart only). */
#ifndef CKPT_CHAIN_H
#define CKPT_CHAIN_H

#include "imgread.h"

int chain_load(struct img *im);
int chain_verify_data(struct img *im);
int chain_owns(const struct img *im, __u64 start, __u64 end);
int chain_fill(const struct img *im, const struct ckpt_region *r);
void chain_zero(const struct ckpt_region *r, __u64 lo, __u64 hi);
/* len bytes of fd's file at off into fresh memory at dst, its pages
 * faulted in at once first; 0 or -errno (restore.c's too) */
long read_into(int fd, __u64 dst, __u64 len, __u64 off);
void chain_release(const struct img *im);

#endif
