/* Page runs at region boundaries: a region whose last saved run ends at
 * page N, followed by a region whose first saved page is its own page N
 * (runs count pages from each region's start).  Two such pairs: a short
 * first region (the run would reach past its end) and a long one (the
 * run would fit in it). */
#include <string.h>
#include <sys/mman.h>
#include "step.h"

#define PG 4096

/* mapping of a + b pages; page pa of the first a pages and page pb of the
 * next b pages hold data; the first a pages become read-only, so the two
 * parts are separate regions */
static char *pair(int a, int pa, int b, int pb, char **second)
{
	char *m = mmap(0, (size_t)(a + b) * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 0;
	memset(m + pa * PG, 'a' + a, PG);
	*second = m + (size_t)a * PG;
	memset(*second + pb * PG, 'A' + b, PG);
	mprotect(m, (size_t)a * PG, PROT_READ);
	return m;
}

static unsigned long sum(const char *p, size_t len)
{
	unsigned long h = 0;
	for (size_t i = 0; i < len; i++)
		h = h * 131 + (unsigned char)p[i];
	return h;
}

int main(void)
{
	char *b1, *b2;
	char *a1 = pair(2, 1, 4, 2, &b1);     /* run (1,1) ends at 2; next starts at 2 */
	char *a2 = pair(10, 3, 6, 4, &b2);    /* run (3,1) ends at 4; next starts at 4 */

	if (!a1 || !a2)
		return 1;
	for (int i = 0; i < 40; i++) {
		b1[2 * PG + i] ^= (char)i;
		b2[4 * PG + 100 + i] += (char)(i * 7);
		/* only the data pages are read: reading another page would
		 * map the zero page there, and pagemap shows it present */
		STEP(i, "%lu %lu %lu %lu", sum(a1 + PG, PG), sum(b1 + 2 * PG, PG), sum(a2 + 3 * PG, PG),
		     sum(b2 + 4 * PG, PG));
		step_pause(40);
	}
	return 0;
}
