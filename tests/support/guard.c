#include "support/guard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uint8_t *region;
static size_t region_size;

void guard_release(void)
{
	if (region)
		munmap(region, region_size);
	region = NULL;
	region_size = 0;
}

const uint8_t *guard_copy(const void *data, size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t data_pages = (n + page - 1) / page;
	if (data_pages == 0)
		data_pages = 1;
	guard_release();
	region_size = (data_pages + 1) * page;
	region = mmap(NULL, region_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED) {
		perror("guard_copy: mmap");
		abort();
	}
	uint8_t *guard = region + data_pages * page;
	if (mprotect(guard, page, PROT_NONE) != 0) {
		perror("guard_copy: mprotect");
		abort();
	}
	uint8_t *dst = guard - n;
	if (n)
		memcpy(dst, data, n);
	return dst;
}
