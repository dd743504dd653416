/*
 * Test buffers that end at an unmapped page, so that any read past the end
 * faults at once (as picohttpparser's tests do), with or without ASan.
 */
#ifndef NETLAB_TEST_GUARD_H
#define NETLAB_TEST_GUARD_H

#include <stddef.h>
#include <stdint.h>

/* Copy n bytes so that the last one sits just before a PROT_NONE page.
 * Valid until the next guard_copy() or guard_release(). */
const uint8_t *guard_copy(const void *data, size_t n);
void guard_release(void);

#endif
