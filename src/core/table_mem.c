/*
 * Large tables on huge pages (netlab/table_mem.h). Tables under one huge
 * page come from calloc(); so does everything under AddressSanitizer,
 * which checks heap blocks' bounds and not those of a mapping.
 */
#include "netlab/table_mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_PAGE ((size_t)2 << 20)

#if defined(__SANITIZE_ADDRESS__)
#define NL_TABLE_MMAP 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NL_TABLE_MMAP 0
#endif
#endif
#ifndef NL_TABLE_MMAP
#define NL_TABLE_MMAP 1
#endif

static size_t bytes_of(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return 0;
	return n * size;
}

/* bytes rounded up to whole pages, as mmap() and munmap() count them */
static size_t page_round(size_t bytes)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t page = pg > 0 ? (size_t)pg : 4096;
	return (bytes + page - 1) / page * page;
}

static int mapped(size_t bytes)
{
	return NL_TABLE_MMAP && bytes >= HUGE_PAGE;
}

void *nl_table_alloc(size_t n, size_t size)
{
	size_t bytes = bytes_of(n, size);
	if (!bytes)
		return n && size ? NULL : calloc(1, 1);
	if (!mapped(bytes))
		return calloc(n, size);
	if (bytes > SIZE_MAX - HUGE_PAGE)
		return NULL;
	/* map a huge page more, keep the aligned part */
	size_t span = bytes + HUGE_PAGE;
	uint8_t *m = mmap(NULL, span, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	uintptr_t a =
	    ((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	uint8_t *p = (uint8_t *)a;
	size_t head = (size_t)(p - m);
	size_t len = page_round(bytes);
	if (head)
		munmap(m, head);
	if (span - head > len)
		munmap(p + len, span - head - len);
#ifdef MADV_HUGEPAGE
	/* a hint (fine if refused), for the whole huge pages only: the tail
	 * stays in small pages, so a full table costs no more than its size */
	if (len >= HUGE_PAGE)
		madvise(p, len & ~(HUGE_PAGE - 1), MADV_HUGEPAGE);
#endif
	return p;
}

void nl_table_free(void *p, size_t n, size_t size)
{
	if (!p)
		return;
	size_t bytes = bytes_of(n, size);
	if (!mapped(bytes)) {
		free(p);
		return;
	}
	munmap(p, page_round(bytes));
}
