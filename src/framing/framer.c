/*
 * Resumable message splitters for the framings of netlab/framing.h.
 *
 * Each framer walks the stream byte-wise through the header (so any
 * chunking gives the same result) and skips bodies in bulk: it never keeps
 * body bytes. The JSON header of jsonhdr is gathered into a buffer of at
 * most NL_FRAMING_JSONHDR_MAX bytes and scanned with a small bounded
 * scanner (jsonscan.c).
 */
#include <stdlib.h>
#include <string.h>

#include "framing_internal.h"
#include "netlab/framing.h"

enum {
	ST_HEADER, /* gathering the fixed header / varint / JSON length */
	ST_JSON,   /* jsonhdr: gathering the JSON header */
	ST_BODY,   /* length known: skipping to the end of the message */
};

#define VARINT_MAX 10

enum nl_status nl_framer_init(struct nl_framer *f,
			      const struct nl_framing_spec *spec,
			      uint64_t max_message)
{
	memset(f, 0, sizeof(*f));
	f->spec = *spec;
	f->max_message =
	    max_message ? max_message : NL_FRAMING_DEFAULT_MAX_MESSAGE;
	switch (spec->kind) {
	case NL_FRAMING_LENPREFIX:
		if (spec->len_size < 1 || spec->len_size > 8 ||
		    spec->len_size == 5 || spec->len_size == 6 ||
		    spec->len_size == 7)
			return NL_MALFORMED;
		f->hdr_need = spec->len_offset + spec->len_size;
		break;
	case NL_FRAMING_VARINT:
		f->hdr_need = VARINT_MAX;
		break;
	case NL_FRAMING_LINE:
		break;
	case NL_FRAMING_JSONHDR:
		f->hdr_need = 4;
		f->json = malloc(NL_FRAMING_JSONHDR_MAX);
		if (!f->json)
			return NL_NOMEM;
		f->json_cap = NL_FRAMING_JSONHDR_MAX;
		break;
	default:
		/* turns, http, tls, auto, none: issue 4 */
		return NL_UNSUPPORTED;
	}
	return NL_OK;
}

void nl_framer_free(struct nl_framer *f)
{
	free(f->json);
	f->json = NULL;
	f->json_cap = 0;
}

static void start_message(struct nl_framer *f)
{
	f->msg_start = f->offset;
	f->msg_len = 0;
	f->hdr_have = 0;
	f->json_len = 0;
	f->json_need = 0;
	f->state = ST_HEADER;
}

void nl_framer_resync(struct nl_framer *f, uint64_t offset)
{
	f->offset = offset;
	f->failed = false;
	start_message(f);
}

void nl_framer_reset(struct nl_framer *f)
{
	nl_framer_resync(f, 0);
}

uint64_t nl_framer_pending(const struct nl_framer *f)
{
	if (f->failed || !f->msg_len)
		return 0;
	return f->msg_start + f->msg_len - f->offset;
}

static size_t fail(struct nl_framer *f, size_t used, const char *why,
		   uint64_t at, enum nl_frame_result *result,
		   struct nl_frame *out)
{
	f->failed = true;
	memset(out, 0, sizeof(*out));
	out->start = f->msg_start;
	out->error = why;
	out->error_at = at;
	*result = NL_FRAME_ERROR;
	return used;
}

/* The header is complete and says `body` bytes follow it: check the limit
 * and set the message length. Returns false when out of range. */
static bool set_body(struct nl_framer *f, uint64_t header, uint64_t body)
{
	if (body > f->max_message)
		return false;
	f->msg_len = header + body;
	f->state = ST_BODY;
	return true;
}

static uint64_t field_value(const struct nl_framer *f)
{
	uint64_t v = 0;
	unsigned n = f->spec.len_size;
	for (unsigned i = 0; i < n; i++) {
		unsigned shift = f->spec.big_endian ? 8 * (n - 1 - i) : 8 * i;
		v |= (uint64_t)f->hdr[i] << shift;
	}
	return v;
}

/* Lenprefix: one header byte. Returns 1 when the length became known, 0 to
 * go on, -1 on error. */
static int lenprefix_byte(struct nl_framer *f, uint8_t b)
{
	uint32_t at = f->hdr_have++;
	if (at >= f->spec.len_offset)
		f->hdr[at - f->spec.len_offset] = b;
	if (f->hdr_have < f->hdr_need)
		return 0;
	uint64_t v = field_value(f);
	int64_t adj = f->spec.adjust;
	uint64_t body;
	if (adj < 0) {
		if (v < (uint64_t)(-adj))
			return -1;
		body = v - (uint64_t)(-adj);
	} else {
		if (v > f->max_message)
			return -1; /* also keeps v + adj from wrapping */
		body = v + (uint64_t)adj;
	}
	return set_body(f, f->hdr_need, body) ? 1 : -1;
}

/* Varint: 1 when complete, 0 to go on, -1 too long, -2 out of range. */
static int varint_byte(struct nl_framer *f, uint8_t b)
{
	uint32_t at = f->hdr_have++;
	f->hdr[at] = b;
	if (b & 0x80) {
		if (f->hdr_have >= VARINT_MAX)
			return -1;
		return 0;
	}
	uint64_t v = 0;
	for (uint32_t i = 0; i < f->hdr_have; i++) {
		uint64_t part = f->hdr[i] & 0x7f;
		if (i == 9 && part > 1)
			return -2; /* beyond 64 bits */
		v |= part << (7 * i);
	}
	return set_body(f, f->hdr_have, v) ? 1 : -2;
}

static size_t finish(struct nl_framer *f, size_t used,
		     enum nl_frame_result *result, struct nl_frame *out)
{
	out->start = f->msg_start;
	out->len = f->msg_len;
	out->header_len =
	    f->spec.kind == NL_FRAMING_JSONHDR
		? 4 + f->json_need
		: (f->spec.kind == NL_FRAMING_LINE ? 0 : f->hdr_have);
	out->error = NULL;
	out->error_at = 0;
	*result = NL_FRAME_MESSAGE;
	start_message(f);
	return used;
}

size_t nl_framer_feed(struct nl_framer *f, const uint8_t *p, size_t n,
		      enum nl_frame_result *result, struct nl_frame *out)
{
	*result = NL_FRAME_MORE;
	if (f->failed)
		return 0;
	size_t i = 0;
	if (f->spec.kind == NL_FRAMING_LINE) {
		uint64_t limit = NL_FRAMING_LINE_MAX;
		if (f->max_message < limit)
			limit = f->max_message;
		while (i < n) {
			uint64_t have = f->offset - f->msg_start;
			size_t room = (size_t)(limit - have);
			size_t look = n - i < room ? n - i : room;
			const uint8_t *lf = memchr(p + i, '\n', look);
			if (lf) {
				size_t k = (size_t)(lf - (p + i)) + 1;
				i += k;
				f->offset += k;
				f->msg_len = f->offset - f->msg_start;
				return finish(f, i, result, out);
			}
			i += look;
			f->offset += look;
			if (f->offset - f->msg_start >= limit && i < n)
				return fail(f, i, "line too long (no LF)",
					    f->offset, result, out);
			if (f->offset - f->msg_start >= limit)
				break; /* decide on the next byte */
		}
		return i;
	}
	while (i < n) {
		if (f->state == ST_BODY) {
			uint64_t left = f->msg_start + f->msg_len - f->offset;
			size_t k = left < n - i ? (size_t)left : n - i;
			i += k;
			f->offset += k;
			if (f->offset == f->msg_start + f->msg_len)
				return finish(f, i, result, out);
			continue;
		}
		if (f->state == ST_JSON) {
			uint32_t want = f->json_need - f->json_len;
			size_t k = want < n - i ? want : n - i;
			memcpy(f->json + f->json_len, p + i, k);
			f->json_len += (uint32_t)k;
			i += k;
			f->offset += k;
			if (f->json_len < f->json_need)
				continue;
			uint64_t body;
			const char *why =
			    nl_jsonhdr_scan(f->json, f->json_len, &body);
			if (why)
				return fail(f, i, why, f->msg_start + 4, result,
					    out);
			if (!set_body(f, 4 + (uint64_t)f->json_need, body))
				return fail(f, i, "length out of range",
					    f->msg_start + 4, result, out);
			if (f->msg_len == f->offset - f->msg_start)
				return finish(f, i, result, out);
			continue;
		}
		/* ST_HEADER */
		uint8_t b = p[i++];
		f->offset++;
		int r;
		switch (f->spec.kind) {
		case NL_FRAMING_LENPREFIX:
			r = lenprefix_byte(f, b);
			if (r < 0)
				return fail(f, i, "length out of range",
					    f->msg_start + f->spec.len_offset,
					    result, out);
			break;
		case NL_FRAMING_VARINT:
			r = varint_byte(f, b);
			if (r == -1)
				return fail(f, i, "varint too long",
					    f->msg_start, result, out);
			if (r < 0)
				return fail(f, i, "length out of range",
					    f->msg_start, result, out);
			break;
		default: /* NL_FRAMING_JSONHDR */
			f->hdr[f->hdr_have++] = b;
			r = 0;
			if (f->hdr_have == 4) {
				uint32_t jl = (uint32_t)f->hdr[0] |
					      (uint32_t)f->hdr[1] << 8 |
					      (uint32_t)f->hdr[2] << 16 |
					      (uint32_t)f->hdr[3] << 24;
				if (jl == 0 || jl > f->json_cap)
					return fail(f, i,
						    "JSON header length out of "
						    "range",
						    f->msg_start, result, out);
				f->json_need = jl;
				f->json_len = 0;
				f->state = ST_JSON;
			}
			break;
		}
		if (r == 1 && f->msg_len == f->offset - f->msg_start)
			return finish(f, i, result, out);
	}
	return i;
}
