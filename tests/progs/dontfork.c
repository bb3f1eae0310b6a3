/* Memory kept from children (MADV_DONTFORK, as V8 keeps its heap): written
 * at every step, its checksum printed.  "libc": the mark set through libc
 * (the library sees it, and the memory is in the image); "raw": set by a
 * system call of the program's own, which the library cannot see (the
 * checkpoint must fail, naming it, rather than lose the memory); "wipe":
 * MADV_WIPEONFORK through libc instead (children see zeros; the image
 * must hold the memory all the same).
 *   dontfork libc|raw|wipe */
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "step.h"

int main(int argc, char **argv)
{
	size_t len = 64 << 12;
	unsigned char *m = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int raw = argc > 1 && !strcmp(argv[1], "raw"), wipe = argc > 1 && !strcmp(argv[1], "wipe");
	if (m == MAP_FAILED)
		return 1;
	memset(m, 7, len);
	if (raw ? syscall(SYS_madvise, m, len, MADV_DONTFORK) : madvise(m, len, wipe ? MADV_WIPEONFORK : MADV_DONTFORK))
		return 2;
	for (int i = 0; i < 40; i++) {
		unsigned long sum = 0;
		m[(i * 4099) % len] += i;
		for (size_t k = 0; k < len; k += 61)
			sum = sum * 33 + m[k];
		STEP(i, "%016lx", sum);
		step_pause(50);
	}
	return 0;
}
