/*
 * Memory for the large fixed tables (connections, flows, their records):
 * allocated once at their cap, zeroed, backed by the kernel only where
 * touched, and on transparent huge pages where the kernel offers them.
 * A table of 65536 connections is 27 MiB: taken in 4 KiB pages, the
 * first touch of each costs a page fault (in a VM, microseconds each), a
 * few thousand over a capture; in 2 MiB pages, a dozen.
 */
#ifndef NETLAB_TABLE_MEM_H
#define NETLAB_TABLE_MEM_H

#include <stddef.h>

/* n elements of size bytes, zeroed; NULL on overflow or no memory. */
void *nl_table_alloc(size_t n, size_t size);
/* Give back what nl_table_alloc(n, size) returned (NULL is fine). */
void nl_table_free(void *p, size_t n, size_t size);

#endif
