/*
 * Resumable message splitters for the framings of netlab/framing.h.
 *
 * Each framer walks the stream byte-wise through headers (so any chunking
 * gives the same result) and skips bodies in bulk: it never keeps body
 * bytes and allocates nothing. Length prefixes, varint, TLS records and
 * the u32le + JSON header of jsonhdr live here, with line, turns and none;
 * the JSON scanner is in jsonhdr.c, HTTP in http.c.
 */
#include <string.h>

#include "framing_internal.h"

#define VARINT_MAX  10
#define TURN_DIGITS 19 /* more digits than this is not a length */

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
		break;
	case NL_FRAMING_TLS:
		/* RFC 8446 §5.1: type, version, u16be length */
		f->spec.len_size = 2;
		f->spec.big_endian = true;
		f->spec.len_offset = 3;
		f->spec.adjust = 0;
		break;
	case NL_FRAMING_VARINT:
	case NL_FRAMING_LINE:
	case NL_FRAMING_JSONHDR:
	case NL_FRAMING_TURNS:
	case NL_FRAMING_NONE:
	case NL_FRAMING_HTTP:
		break;
	case NL_FRAMING_AUTO:
		return NL_UNSUPPORTED; /* the flow stage detects, then inits */
	default:
		return NL_MALFORMED;
	}
	nl_framer_reset(f);
	return NL_OK;
}

void nl_framer_free(struct nl_framer *f)
{
	(void)f;
}

static void start_message(struct nl_framer *f)
{
	f->msg_start = f->offset;
	f->msg_len = 0;
	f->hdr_have = 0;
	f->state = NL_FR_HEADER;
	if (f->spec.kind == NL_FRAMING_LENPREFIX ||
	    f->spec.kind == NL_FRAMING_TLS) {
		/* no per-kind state: the hot path clears nothing more */
		f->hdr_need = f->spec.len_offset + f->spec.len_size;
		return;
	}
	memset(&f->u, 0, sizeof(f->u));
	switch (f->spec.kind) {
	case NL_FRAMING_VARINT:
		f->hdr_need = VARINT_MAX;
		break;
	case NL_FRAMING_JSONHDR:
		f->hdr_need = 4;
		break;
	case NL_FRAMING_HTTP:
		f->hdr_need = 0;
		nl_http_begin(f);
		break;
	default:
		f->hdr_need = 0;
		break;
	}
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

uint64_t nl_framer_msg_len(const struct nl_framer *f)
{
	return f->failed ? 0 : f->msg_len;
}

uint64_t nl_framer_pending(const struct nl_framer *f)
{
	if (f->failed || !f->msg_len)
		return 0;
	return f->msg_start + f->msg_len - f->offset;
}

size_t nl_fr_fail(struct nl_framer *f, size_t used, const char *why,
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

static uint32_t header_len(const struct nl_framer *f)
{
	switch (f->spec.kind) {
	case NL_FRAMING_JSONHDR:
		return 4 + f->u.json.need;
	case NL_FRAMING_HTTP:
		return f->u.http.hdr_len;
	case NL_FRAMING_LENPREFIX:
	case NL_FRAMING_VARINT:
	case NL_FRAMING_TLS:
		return f->hdr_have;
	default:
		return 0;
	}
}

size_t nl_fr_finish(struct nl_framer *f, size_t used,
		    enum nl_frame_result *result, struct nl_frame *out)
{
	out->start = f->msg_start;
	out->len = f->offset - f->msg_start;
	out->header_len = header_len(f);
	out->error = NULL;
	out->error_at = 0;
	*result = NL_FRAME_MESSAGE;
	start_message(f);
	return used;
}

/* The header is complete and says `body` bytes follow it: check the limit
 * and set the message length. Returns false when out of range. */
static bool set_body(struct nl_framer *f, uint64_t header, uint64_t body)
{
	if (body > f->max_message)
		return false;
	f->msg_len = header + body;
	f->state = NL_FR_BODY;
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

/* TLS record header byte `at` (RFC 8446 §5.1, RFC 5246 §6.2.1): NULL or
 * why it is not one. */
static const char *tls_check(uint32_t at, uint8_t b)
{
	if (at == 0 && (b < 20 || b > 24))
		return "TLS record type not 20..24";
	if ((at == 1 && b != 3) || (at == 2 && b > 4))
		return "TLS record version not 3.0..3.4";
	return NULL;
}

/* The body that a length field of value v announces: false when out of
 * range (over max_message, below a negative adjust, an oversized TLS
 * record). */
static inline bool lenprefix_body(const struct nl_framer *f, uint64_t v,
				  uint64_t *body)
{
	int64_t adj = f->spec.adjust;
	if (adj < 0) {
		if (v < (uint64_t)(-adj))
			return false;
		*body = v - (uint64_t)(-adj);
	} else {
		if (v > f->max_message)
			return false; /* also keeps v + adj from wrapping */
		*body = v + (uint64_t)adj;
	}
	if (f->spec.kind == NL_FRAMING_TLS && *body > NL_FRAMING_TLS_MAX)
		return false;
	return *body <= f->max_message;
}

/* The length field's value v is known: the body that follows. Returns 1
 * when in range (message length set), -1 when not. */
static inline int lenprefix_length(struct nl_framer *f, uint64_t v)
{
	uint64_t body;
	if (!lenprefix_body(f, v, &body))
		return -1;
	return set_body(f, f->hdr_need, body) ? 1 : -1;
}

/* Lenprefix (and TLS): one header byte. Returns 1 when the length became
 * known, 0 to go on, -1 when out of range. */
static int lenprefix_byte(struct nl_framer *f, uint8_t b)
{
	uint32_t at = f->hdr_have++;
	if (at >= f->spec.len_offset)
		f->hdr[at - f->spec.len_offset] = b;
	if (f->hdr_have < f->hdr_need)
		return 0;
	return lenprefix_length(f, field_value(f));
}

/* Fixed-size loads for the length field (one instruction each after
 * inlining, whatever the host's byte order). */
static inline uint64_t load_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(&v, p, n);
#else
	for (unsigned i = n; i-- > 0;)
		v = v << 8 | p[i];
#endif
	return v;
}

static inline uint64_t load_be(const uint8_t *p, unsigned n)
{
	uint64_t v = load_le(p, n);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v) >> (64 - 8 * n);
#else
	v = 0;
	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
#endif
	return v;
}

/* The length field of a header in hand (p: the message start). */
static inline uint64_t lenprefix_field(const struct nl_framer *f,
				       const uint8_t *p)
{
	const uint8_t *field = p + f->spec.len_offset;
	bool be = f->spec.big_endian;
	switch (f->spec.len_size) {
	case 1:
		return field[0];
	case 2:
		return be ? load_be(field, 2) : load_le(field, 2);
	case 3:
		return be ? load_be(field, 3) : load_le(field, 3);
	case 4:
		return be ? load_be(field, 4) : load_le(field, 4);
	default: /* 8 (nl_framer_init allows nothing else) */
		return be ? load_be(field, 8) : load_le(field, 8);
	}
}

/* Lenprefix with the whole header in hand (p, at least hdr_need bytes):
 * the common case, read at once instead of byte by byte. Same results as
 * lenprefix_byte() over those bytes. */
static int lenprefix_header(struct nl_framer *f, const uint8_t *p)
{
	f->hdr_have = f->hdr_need;
	int r = lenprefix_length(f, lenprefix_field(f, p));
	if (r < 0) /* kept for whoever reports the field */
		memcpy(f->hdr, p + f->spec.len_offset, f->spec.len_size);
	return r;
}

/* nl_framer_whole() for a plain length field (at the message start, no
 * adjust) of a size and byte order known when compiled: a load and two
 * compares a message. */
static inline __attribute__((always_inline)) size_t
whole_plain(const struct nl_framer *f, const uint8_t *p, size_t n,
	    uint32_t *lens, unsigned max, unsigned *count, unsigned size,
	    bool be)
{
	size_t i = 0;
	unsigned k = 0;
	uint64_t lim = f->max_message;
	while (k < max && n - i >= size) {
		uint64_t body = size == 1 ? p[i]
				: be	  ? load_be(p + i, size)
					  : load_le(p + i, size);
		if (body > lim || body > n - i - size)
			break;
		lens[k++] = (uint32_t)(size + body);
		i += size + (size_t)body;
	}
	*count = k;
	return i;
}

size_t nl_framer_whole(struct nl_framer *f, const uint8_t *p, size_t n,
		       uint32_t *lens, unsigned max, unsigned *count)
{
	size_t i = 0;
	unsigned k = 0;
	if (f->spec.kind != NL_FRAMING_LENPREFIX || f->failed ||
	    f->state != NL_FR_HEADER || f->hdr_have) {
		*count = 0;
		return 0;
	}
	/* lens[] holds 32 bits: beyond that, nl_framer_feed() goes on */
	if (n > UINT32_MAX)
		n = UINT32_MAX;
	if (!f->spec.len_offset && !f->spec.adjust) {
		bool be = f->spec.big_endian;
		switch (f->spec.len_size) {
		case 1:
			i = whole_plain(f, p, n, lens, max, &k, 1, false);
			break;
		case 2:
			i = be ? whole_plain(f, p, n, lens, max, &k, 2, true)
			       : whole_plain(f, p, n, lens, max, &k, 2, false);
			break;
		case 4:
			i = be ? whole_plain(f, p, n, lens, max, &k, 4, true)
			       : whole_plain(f, p, n, lens, max, &k, 4, false);
			break;
		case 8:
			i = be ? whole_plain(f, p, n, lens, max, &k, 8, true)
			       : whole_plain(f, p, n, lens, max, &k, 8, false);
			break;
		default:
			goto general;
		}
	} else {
	general:;
		size_t need = f->hdr_need;
		uint64_t body;
		while (k < max && n - i >= need &&
		       lenprefix_body(f, lenprefix_field(f, p + i), &body) &&
		       body <= n - i - need) {
			lens[k++] = (uint32_t)(need + body);
			i += need + (size_t)body;
		}
	}
	f->offset += i;
	f->msg_start = f->offset;
	*count = k;
	return i;
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

static size_t feed_line(struct nl_framer *f, const uint8_t *p, size_t n,
			enum nl_frame_result *result, struct nl_frame *out)
{
	uint64_t limit = NL_FRAMING_LINE_MAX;
	if (f->max_message < limit)
		limit = f->max_message;
	size_t i = 0;
	while (i < n) {
		uint64_t have = f->offset - f->msg_start;
		size_t room = (size_t)(limit - have);
		size_t look = n - i < room ? n - i : room;
		const uint8_t *lf = memchr(p + i, '\n', look);
		if (lf) {
			size_t k = (size_t)(lf - (p + i)) + 1;
			i += k;
			f->offset += k;
			return nl_fr_finish(f, i, result, out);
		}
		i += look;
		f->offset += look;
		if (f->offset - f->msg_start >= limit && i < n)
			return nl_fr_fail(f, i, "line too long (no LF)",
					  f->offset, result, out);
		if (f->offset - f->msg_start >= limit)
			break; /* decide on the next byte */
	}
	return i;
}

/* Turns: note whether the turn so far is a number ("1234", "1234\r\n"),
 * looking at its first TURN_DIGITS + 2 bytes only. */
static void turn_digits(struct nl_framer *f, const uint8_t *p, size_t n)
{
	struct nl_framer_turns *t = &f->u.turns;
	for (size_t i = 0; i < n && t->digits != 3; i++) {
		uint8_t c = p[i];
		bool ws = c == '\r' || c == '\n' || c == ' ' || c == '\t';
		if (c >= '0' && c <= '9' && t->digits <= 1 &&
		    t->ndig < TURN_DIGITS) {
			t->value = t->value * 10 + (uint64_t)(c - '0');
			t->ndig++;
			t->digits = 1;
		} else if (ws && t->digits >= 1 && t->ndig < TURN_DIGITS + 2) {
			t->digits = 2;
			t->ndig++;
		} else {
			t->digits = 3;
		}
	}
}

/* Bytes of a message whose length is known (f->state == NL_FR_BODY). */
static size_t body(struct nl_framer *f, size_t n)
{
	uint64_t left = f->msg_start + f->msg_len - f->offset;
	size_t k = left < n ? (size_t)left : n;
	f->offset += k;
	return k;
}

static bool body_done(const struct nl_framer *f)
{
	return f->state == NL_FR_BODY && f->offset == f->msg_start + f->msg_len;
}

/* jsonhdr's JSON header: consume bytes until it is complete or wrong. */
static size_t feed_json(struct nl_framer *f, const uint8_t *p, size_t n,
			enum nl_frame_result *result, struct nl_frame *out)
{
	struct nl_framer_json *j = &f->u.json;
	size_t i = 0;
	while (i < n && j->have < j->need) {
		const char *why = nl_jsonhdr_byte(j, p[i++]);
		f->offset++;
		if (why)
			return nl_fr_fail(f, i, why, f->msg_start + 4, result,
					  out);
	}
	if (j->have < j->need)
		return i;
	uint64_t size;
	const char *why = nl_jsonhdr_end(j, &size);
	if (why)
		return nl_fr_fail(f, i, why, f->msg_start + 4, result, out);
	if (!set_body(f, 4 + (uint64_t)j->need, size))
		return nl_fr_fail(f, i, "length out of range", f->msg_start + 4,
				  result, out);
	if (body_done(f))
		return nl_fr_finish(f, i, result, out);
	return i;
}

/* One header byte of TLS, varint or jsonhdr (length prefixes have
 * feed_lenprefix()). Returns NULL to go on, or the reason of an error with
 * *at set. */
static const char *header_byte(struct nl_framer *f, uint8_t b, uint64_t *at)
{
	int r;
	switch (f->spec.kind) {
	case NL_FRAMING_TLS: {
		const char *why = tls_check(f->hdr_have, b);
		if (why) {
			*at = f->msg_start + f->hdr_have;
			return why;
		}
		r = lenprefix_byte(f, b);
		*at = f->msg_start + f->spec.len_offset;
		return r < 0 ? "TLS record length over 2^14 + 2048" : NULL;
	}
	case NL_FRAMING_VARINT:
		r = varint_byte(f, b);
		*at = f->msg_start;
		if (r == -1)
			return "varint too long";
		return r < 0 ? "length out of range" : NULL;
	default: /* NL_FRAMING_JSONHDR */
		f->hdr[f->hdr_have++] = b;
		if (f->hdr_have < 4)
			return NULL;
		uint32_t jl = (uint32_t)f->hdr[0] | (uint32_t)f->hdr[1] << 8 |
			      (uint32_t)f->hdr[2] << 16 |
			      (uint32_t)f->hdr[3] << 24;
		*at = f->msg_start;
		if (jl == 0 || jl > NL_FRAMING_JSONHDR_MAX)
			return "JSON header length out of range";
		nl_jsonhdr_begin(&f->u.json, jl);
		f->state = NL_FR_JSON;
		return NULL;
	}
}

/* The length-prefixed message ends at the current offset, `used` bytes
 * into the chunk: report it and start the next (nl_fr_finish() without
 * the per-kind work). */
static inline size_t lenprefix_done(struct nl_framer *f, size_t used,
				    enum nl_frame_result *result,
				    struct nl_frame *out)
{
	out->start = f->msg_start;
	out->len = f->msg_len;
	out->header_len = f->hdr_need;
	out->error = NULL;
	out->error_at = 0;
	*result = NL_FRAME_MESSAGE;
	f->msg_start = f->offset;
	f->msg_len = 0;
	f->hdr_have = 0;
	f->state = NL_FR_HEADER;
	return used;
}

/* Length prefixes, the hot path of stream analysis and of detection:
 * a header in hand is read at once and a message is finished in place;
 * only a header cut by the chunk's end goes byte by byte. */
static size_t feed_lenprefix(struct nl_framer *f, const uint8_t *p, size_t n,
			     enum nl_frame_result *result, struct nl_frame *out)
{
	size_t i = 0;
	while (i < n) {
		if (f->state == NL_FR_HEADER) {
			int r;
			if (!f->hdr_have && n - i >= f->hdr_need) {
				r = lenprefix_header(f, p + i);
				i += f->hdr_need;
				f->offset += f->hdr_need;
			} else {
				r = lenprefix_byte(f, p[i++]);
				f->offset++;
			}
			if (r < 0)
				return nl_fr_fail(
				    f, i, "length out of range",
				    f->msg_start + f->spec.len_offset, result,
				    out);
			if (!r)
				continue;
		}
		/* the body, right after its header when both are in hand */
		i += body(f, n - i);
		if (f->offset == f->msg_start + f->msg_len)
			return lenprefix_done(f, i, result, out);
	}
	return i;
}

size_t nl_framer_feed(struct nl_framer *f, const uint8_t *p, size_t n,
		      enum nl_frame_result *result, struct nl_frame *out)
{
	*result = NL_FRAME_MORE;
	if (f->failed)
		return 0;
	/* a gap (nl_framer_skip) may have ended the message */
	if (body_done(f))
		return nl_fr_finish(f, 0, result, out);
	switch (f->spec.kind) {
	case NL_FRAMING_LINE:
		return feed_line(f, p, n, result, out);
	case NL_FRAMING_HTTP:
		return nl_http_feed(f, p, n, result, out);
	case NL_FRAMING_LENPREFIX:
		return feed_lenprefix(f, p, n, result, out);
	case NL_FRAMING_NONE:
		f->offset += n;
		return n;
	case NL_FRAMING_TURNS:
		if (f->state == NL_FR_BODY) {
			size_t k = body(f, n);
			if (body_done(f))
				return nl_fr_finish(f, k, result, out);
			return k;
		}
		turn_digits(f, p, n);
		f->offset += n;
		return n;
	default:
		break;
	}
	size_t i = 0;
	while (i < n) {
		if (f->state == NL_FR_BODY) {
			i += body(f, n - i);
			if (body_done(f))
				return nl_fr_finish(f, i, result, out);
			continue;
		}
		if (f->state == NL_FR_JSON) {
			size_t k = feed_json(f, p + i, n - i, result, out);
			i += k;
			if (*result != NL_FRAME_MORE)
				return i;
			continue;
		}
		uint64_t at = 0;
		const char *why = header_byte(f, p[i++], &at);
		f->offset++;
		if (why)
			return nl_fr_fail(f, i, why, at, result, out);
		if (body_done(f))
			return nl_fr_finish(f, i, result, out);
	}
	return i;
}

bool nl_framer_skip(struct nl_framer *f, uint64_t n)
{
	if (f->failed)
		return false;
	if (n == 0)
		return true;
	switch (f->spec.kind) {
	case NL_FRAMING_NONE:
		f->offset += n;
		return true;
	case NL_FRAMING_HTTP:
		if (nl_http_skip(f, n))
			return true;
		break;
	case NL_FRAMING_TURNS:
		if (f->state == NL_FR_BODY && n > nl_framer_pending(f)) {
			/* the announced length was wrong: a plain turn */
			f->state = NL_FR_HEADER;
			f->msg_len = 0;
		}
		if (f->state == NL_FR_HEADER)
			f->u.turns.digits = 3;
		f->offset += n;
		return true;
	default:
		if (f->state == NL_FR_BODY && n <= nl_framer_pending(f)) {
			f->offset += n;
			return true;
		}
		break;
	}
	f->offset += n;
	f->failed = true;
	return false;
}

/* The message in progress ends here (turns, none, HTTP until close). */
static bool end_here(struct nl_framer *f, struct nl_frame *out)
{
	if (f->offset == f->msg_start)
		return false;
	enum nl_frame_result r;
	nl_fr_finish(f, 0, &r, out);
	return true;
}

bool nl_fr_is_ready(const uint8_t *p, size_t n)
{
	while (n && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' ' ||
		     p[n - 1] == '\0'))
		n--;
	if (n != 5)
		return false;
	for (size_t i = 0; i < 5; i++)
		if ((p[i] | 0x20) != (uint8_t) "ready"[i])
			return false;
	return true;
}

bool nl_framer_turn_end(struct nl_framer *f, const uint8_t *peer, size_t n,
			struct nl_frame *out)
{
	if (f->spec.kind != NL_FRAMING_TURNS || f->failed)
		return false;
	struct nl_framer_turns t = f->u.turns;
	bool number = f->state == NL_FR_HEADER &&
		      (t.digits == 1 || t.digits == 2) && t.value > 0 &&
		      t.value <= f->max_message;
	if (!end_here(f, out))
		return false;
	if (number && peer && nl_fr_is_ready(peer, n)) {
		/* length, then "ready", then exactly that many bytes */
		f->msg_len = t.value;
		f->state = NL_FR_BODY;
	}
	return true;
}

bool nl_framer_push(struct nl_framer *f, struct nl_frame *out)
{
	if (f->spec.kind != NL_FRAMING_NONE || f->failed)
		return false;
	return end_here(f, out);
}

bool nl_framer_end(struct nl_framer *f, struct nl_frame *out)
{
	if (f->failed)
		return false;
	if (body_done(f)) {
		/* a gap completed it (nl_framer_skip) */
		enum nl_frame_result r;
		nl_fr_finish(f, 0, &r, out);
		return true;
	}
	switch (f->spec.kind) {
	case NL_FRAMING_NONE:
		return end_here(f, out);
	case NL_FRAMING_TURNS:
		return f->state == NL_FR_HEADER && end_here(f, out);
	case NL_FRAMING_HTTP:
		return nl_http_until_close(f) && end_here(f, out);
	default:
		return false;
	}
}
