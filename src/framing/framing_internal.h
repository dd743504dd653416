/* Internal to src/framing: pieces shared by the framers of framer.c,
 * jsonhdr.c and http.c. */
#ifndef NETLAB_FRAMING_INTERNAL_H
#define NETLAB_FRAMING_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "netlab/framing.h"

/* struct nl_framer.state */
enum {
	NL_FR_HEADER, /* reading a header / a turn / a line / HTTP framing */
	NL_FR_JSON,   /* jsonhdr: scanning the JSON header */
	NL_FR_BODY,   /* length known: skipping to the end of the message */
};

/* Report the message ending at f->offset and start the next one. */
size_t nl_fr_finish(struct nl_framer *f, size_t used,
		    enum nl_frame_result *result, struct nl_frame *out);
/* Report an error (the framer then consumes nothing until a resync). */
size_t nl_fr_fail(struct nl_framer *f, size_t used, const char *why,
		  uint64_t at, enum nl_frame_result *result,
		  struct nl_frame *out);

/* The peer's "ready" (any case, trailing white space or NUL allowed). */
bool nl_fr_is_ready(const uint8_t *p, size_t n);

/* jsonhdr: a resumable scanner for one JSON object of j->need bytes. It
 * picks the first of file_size, size, length, content_length (in that
 * order of preference, at top level) holding a non-negative integer. */
void nl_jsonhdr_begin(struct nl_framer_json *j, uint32_t need);
/* One byte: NULL to go on, or a static reason. */
const char *nl_jsonhdr_byte(struct nl_framer_json *j, uint8_t c);
/* After the last byte: NULL with *body set, or a static reason. */
const char *nl_jsonhdr_end(const struct nl_framer_json *j, uint64_t *body);

/* http */
void nl_http_begin(struct nl_framer *f);
size_t nl_http_feed(struct nl_framer *f, const uint8_t *p, size_t n,
		    enum nl_frame_result *result, struct nl_frame *out);
bool nl_http_skip(struct nl_framer *f, uint64_t n);
/* A response body read until the connection closes is in progress. */
bool nl_http_until_close(const struct nl_framer *f);
/* The current message's start line was read and is valid. */
bool nl_http_started(const struct nl_framer *f);

#endif
