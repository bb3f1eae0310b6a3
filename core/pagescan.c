/* One PAGEMAP_SCAN walk, in as many ioctls as its output takes. */
#include "libckpt.h"
#include "pagescan.h"

long pagescan(int pm, __u64 lo, __u64 hi, const struct pagescan *q,
	      int (*fn)(void *arg, __u64 start, __u64 end, __u64 categories), void *arg)
{
	struct { __u64 start, end, categories; } vec[256];
	struct pm_scan_arg a = {
		.size = sizeof(a), .flags = q->flags, .start = lo, .end = hi,
		.vec = (__u64)vec, .vec_len = 256, .category_inverted = q->none,
		.category_mask = q->all | q->none, .category_anyof_mask = q->any,
		.return_mask = q->all | q->any | q->none | q->also,
	};

	for (;;) {
		long n = k_ioctl(pm, PAGEMAP_SCAN, &a), r;
		if (n < 0)
			return n;
		for (long k = 0; k < n; k++)
			if ((r = fn(arg, vec[k].start, vec[k].end, vec[k].categories)))
				return r;
		if (n < 256)
			return 0;
		/* vec was full: on from where the walk stopped */
		if (a.walk_end <= a.start || a.walk_end > a.end)
			return -EIO;
		a.start = a.walk_end;
	}
}
