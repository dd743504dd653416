/* Internal to src/framing: the bounded JSON header scanner of jsonhdr. */
#ifndef NETLAB_FRAMING_INTERNAL_H
#define NETLAB_FRAMING_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Scan a JSON object for the first of file_size, size, length,
 * content_length (in that order of preference) holding a non-negative
 * integer. Returns NULL and sets *body, or a static reason. */
const char *nl_jsonhdr_scan(const uint8_t *p, size_t n, uint64_t *body);

#endif
