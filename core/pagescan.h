/* PAGEMAP_SCAN (Linux 6.7), which Debian 12's headers predate: the
 * ranges of pages of the calling process with given categories, read
 * from /proc/self/pagemap in one ioctl, optionally write-protecting them
 * (userfaultfd asynchronous write-protect). */
#ifndef CKPT_PAGESCAN_H
#define CKPT_PAGESCAN_H

#include <linux/types.h>

#define PM_SCAN_WP_MATCHING        (1u << 0)
#define PM_SCAN_CHECK_WPASYNC      (1u << 1)
#define PAGE_IS_WPALLOWED          (1u << 0)
#define PAGE_IS_WRITTEN            (1u << 1)
#define PAGE_IS_FILE               (1u << 2)
#define PAGE_IS_PRESENT            (1u << 3)
#define PAGE_IS_SWAPPED            (1u << 4)
#define PAGE_IS_PFNZERO            (1u << 5)

struct pm_scan_arg {
	__u64 size, flags, start, end, walk_end, vec, vec_len, max_pages;
	__u64 category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)

/* which pages: every category of all, one at least of any (if any),
 * none of none; each range tells those and the categories of also */
struct pagescan {
	__u64 flags, all, any, none, also;
};

/* fn(arg, start, end, categories) for each range of [lo, hi) that
 * matches, in order (a range's pages share the categories asked about);
 * 0, -errno from the ioctl (-ENOTTY: no PAGEMAP_SCAN here), or fn's
 * non-zero return */
long pagescan(int pm, __u64 lo, __u64 hi, const struct pagescan *q,
	      int (*fn)(void *arg, __u64 start, __u64 end, __u64 categories), void *arg);

#endif
