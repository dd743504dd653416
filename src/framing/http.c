/*
 * HTTP/1.x message framing (RFC 9112): where each request or response
 * ends, fed in chunks of any size.
 *
 * The header block is scanned byte by byte with a small state machine that
 * keeps no line buffer: it matches the start line, the names
 * Content-Length and Transfer-Encoding and their values as the bytes go
 * by, and skips every other line (memchr). Bodies are skipped in bulk:
 * Content-Length, chunked (size lines with extensions, CRLF after the
 * data, trailers), or until the connection closes (a response with
 * neither, RFC 9112 §6.3 rule 8). Each message ends exactly, so pipelined
 * requests and responses follow one another.
 *
 * Not known here: the request a response answers, so a response to HEAD
 * that carries Content-Length is read as having a body.
 */
#include <string.h>

#include "framing_internal.h"

#define METHOD_MAX     32   /* "GET", "PROPPATCH", …: longer is not HTTP */
#define CHUNK_LINE_MAX 4096 /* a chunk-size line with its extensions */

enum {
	HP_START,	 /* before the start line (empty lines skipped) */
	HP_METHOD,	 /* request method, or "HTTP" of a status line */
	HP_TARGET,	 /* request target */
	HP_RVER,	 /* request version "HTTP/1.x" */
	HP_SVER,	 /* status line version after "HTTP/" */
	HP_CODE,	 /* status code */
	HP_REASON,	 /* reason phrase, to LF */
	HP_LINE,	 /* start of a header line, or the blank line */
	HP_NAME,	 /* header name */
	HP_VALUE,	 /* a header value we do not need: skip to LF */
	HP_CL,		 /* Content-Length value */
	HP_TE,		 /* Transfer-Encoding value */
	HP_EOH,		 /* CR of the blank line seen: LF */
	HP_CHUNK_SIZE,	 /* chunk size, hex */
	HP_CHUNK_EXT,	 /* after the size: extensions, to LF */
	HP_CHUNK_DATA,	 /* chunk bytes */
	HP_CHUNK_CRLF,	 /* CRLF after the chunk bytes */
	HP_TRAILER,	 /* start of a trailer line, or the blank line */
	HP_TRAILER_SKIP, /* a trailer line, to LF */
	HP_TRAILER_EOH,	 /* CR of the final blank line: LF */
	HP_CLOSE,	 /* the body runs until the connection closes */
};

/* flags */
#define F_RESPONSE 0x01
#define F_CL	   0x02 /* Content-Length seen */
#define F_TE	   0x04 /* Transfer-Encoding seen */
#define F_CHUNKED  0x08 /* its last coding is chunked */
#define F_CR	   0x10 /* a CR before the LF that must follow */
#define F_DIGITS   0x20 /* HP_CL / HP_CHUNK_SIZE: a digit seen */
#define F_AFTER                                                                \
	0x40 /* HP_CL: white space after the digits;                           \
		HP_CHUNK_EXT: in the extensions */

/* tok: Transfer-Encoding token: low 4 bits letters of "chunked" matched */
#define TOK_BAD	  0x10 /* the token is not "chunked" */
#define TOK_ANY	  0x20 /* the token has a character */
#define TOK_ENDED 0x40 /* white space after the token */

static const char *const names[] = {"content-length", "transfer-encoding"};
#define NAME_CL	  0x01
#define NAME_TE	  0x02
#define NAME_HTTP 0x04 /* HP_METHOD: the method so far is a prefix of HTTP */

static const char HTTP1[] = "HTTP/1.";

static bool is_tchar(uint8_t c)
{
	/* RFC 9110 §5.6.2 */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

void nl_http_begin(struct nl_framer *f)
{
	memset(&f->u.http, 0, sizeof(f->u.http));
	f->u.http.phase = HP_START;
}

bool nl_http_until_close(const struct nl_framer *f)
{
	return f->spec.kind == NL_FRAMING_HTTP && f->state == NL_FR_HEADER &&
	       f->u.http.phase == HP_CLOSE;
}

bool nl_http_started(const struct nl_framer *f)
{
	return f->state == NL_FR_BODY || f->u.http.phase >= HP_LINE;
}

/* The end of a Transfer-Encoding list element: remember whether it was
 * "chunked" (an empty element changes nothing, RFC 9110 §5.6.1). */
static void te_token_end(struct nl_framer_http *h)
{
	if (!(h->tok & TOK_ANY))
		return;
	if (!(h->tok & TOK_BAD) && (h->tok & 0x0f) == 7)
		h->flags |= F_CHUNKED;
	else
		h->flags &= (uint8_t)~F_CHUNKED;
	h->tok = 0;
}

static void te_byte(struct nl_framer_http *h, uint8_t c)
{
	if (c == ',') {
		te_token_end(h);
		return;
	}
	if (c == ' ' || c == '\t') {
		if (h->tok & TOK_ANY)
			h->tok |= TOK_ENDED;
		return;
	}
	unsigned pos = h->tok & 0x0f;
	if ((h->tok & TOK_ENDED) || pos >= 7 || lower(c) != "chunked"[pos])
		h->tok |= TOK_BAD;
	else
		h->tok = (uint8_t)((h->tok & ~0x0f) | (pos + 1));
	h->tok |= TOK_ANY;
}

/* The header block ended (at f->offset): where does the body end? Returns
 * NULL, or an error reason. *done: the message ended with the block. */
static const char *headers_done(struct nl_framer *f, bool *done)
{
	struct nl_framer_http *h = &f->u.http;
	h->hdr_len = (uint32_t)(f->offset - f->msg_start);
	h->left = 0;
	h->flags &= (uint8_t) ~(F_DIGITS | F_CR | F_AFTER);
	*done = false;
	if (h->flags & F_RESPONSE) {
		/* RFC 9112 §6.3 rule 1 */
		if (h->status < 200 || h->status == 204 || h->status == 304) {
			*done = true;
			return NULL;
		}
		if (h->flags & F_TE) {
			h->phase =
			    h->flags & F_CHUNKED ? HP_CHUNK_SIZE : HP_CLOSE;
			h->line_len = 0;
			return NULL;
		}
	} else if (h->flags & F_TE) {
		if (!(h->flags & F_CHUNKED))
			return "HTTP request Transfer-Encoding is not chunked";
		h->phase = HP_CHUNK_SIZE;
		h->line_len = 0;
		return NULL;
	}
	if (h->flags & F_CL) {
		if (h->cl > f->max_message)
			return "length out of range";
		f->msg_len = h->hdr_len + h->cl;
		f->state = NL_FR_BODY;
		*done = h->cl == 0;
		return NULL;
	}
	if (h->flags & F_RESPONSE)
		h->phase = HP_CLOSE;
	else
		*done = true;
	return NULL;
}

/* End of a header line (its LF). */
static const char *line_end(struct nl_framer_http *h)
{
	if (h->phase == HP_CL) {
		/* the value was read into h->left */
		if (!(h->flags & F_DIGITS))
			return "HTTP Content-Length not a number";
		/* RFC 9112 §6.3 rule 5: several must agree */
		if ((h->flags & F_CL) && h->cl != h->left)
			return "conflicting HTTP Content-Length";
		h->cl = h->left;
		h->left = 0;
		h->flags |= F_CL;
	}
	if (h->phase == HP_TE)
		te_token_end(h);
	h->phase = HP_LINE;
	h->flags &= (uint8_t) ~(F_DIGITS | F_AFTER | F_CR);
	return NULL;
}

/* One byte of the start line, header block, chunk framing or trailers.
 * Returns NULL, or an error reason. *done: the message ended with c. */
static const char *http_byte(struct nl_framer *f, uint8_t c, bool *done)
{
	struct nl_framer_http *h = &f->u.http;
	*done = false;
	switch (h->phase) {
	case HP_START:
		if (c == '\r' || c == '\n')
			return NULL; /* RFC 9112 §2.2: empty lines first */
		h->name_mask = NAME_HTTP;
		h->phase = HP_METHOD;
		/* fall through */
	case HP_METHOD:
		if (c == '/' && (h->name_mask & NAME_HTTP) && h->sub == 4) {
			h->flags |= F_RESPONSE;
			h->phase = HP_SVER;
			h->sub = 5;
			return NULL;
		}
		if (c == ' ' && h->sub) {
			h->phase = HP_TARGET;
			h->sub = 0;
			return NULL;
		}
		/* methods are upper-case tokens in practice */
		if (!((c >= 'A' && c <= 'Z') || c == '-' || c == '_') ||
		    h->sub >= METHOD_MAX)
			return "not an HTTP request or status line";
		if (h->sub >= 4 || c != (uint8_t)HTTP1[h->sub])
			h->name_mask = 0;
		h->sub++;
		return NULL;
	case HP_TARGET:
		if (c == ' ' && h->sub) {
			h->phase = HP_RVER;
			h->sub = 0;
			return NULL;
		}
		if (c <= 0x20 || c == 0x7f)
			return "bad HTTP request target";
		h->sub = 1;
		return NULL;
	case HP_RVER:
	case HP_SVER:
		if (h->sub < 7) {
			if (c != (uint8_t)HTTP1[h->sub])
				return "not HTTP/1.x";
			h->sub++;
			return NULL;
		}
		if (h->sub == 7) {
			if (c < '0' || c > '9')
				return "not HTTP/1.x";
			h->sub = 8;
			return NULL;
		}
		if (h->phase == HP_SVER) {
			if (c != ' ')
				return "bad HTTP status line";
			h->phase = HP_CODE;
			h->sub = 0;
			return NULL;
		}
		if (c == '\r' && !(h->flags & F_CR)) {
			h->flags |= F_CR;
			return NULL;
		}
		if (c != '\n')
			return "bad HTTP request line";
		h->flags &= (uint8_t)~F_CR;
		h->phase = HP_LINE;
		return NULL;
	case HP_CODE:
		if (h->sub < 3) {
			if (c < '0' || c > '9')
				return "bad HTTP status code";
			h->status = (uint16_t)(h->status * 10 + (c - '0'));
			h->sub++;
			return NULL;
		}
		if (c == '\n') {
			h->phase = HP_LINE;
			return NULL;
		}
		if (c != ' ' && c != '\r')
			return "bad HTTP status line";
		h->phase = HP_REASON;
		return NULL;
	case HP_REASON:
		if (c == '\n')
			h->phase = HP_LINE;
		return NULL;
	case HP_LINE:
		if (c == '\r') {
			h->phase = HP_EOH;
			return NULL;
		}
		if (c == '\n')
			return headers_done(f, done);
		if (c == ' ' || c == '\t') {
			/* obs-fold (RFC 9112 §5.2): a continuation */
			h->phase = HP_VALUE;
			return NULL;
		}
		h->phase = HP_NAME;
		h->name_mask = NAME_CL | NAME_TE;
		h->name_pos = 0;
		/* fall through */
	case HP_NAME:
		if (c == ':' && h->name_pos) {
			h->phase = HP_VALUE;
			for (unsigned k = 0; k < 2; k++)
				if ((h->name_mask & 1u << k) &&
				    !names[k][h->name_pos])
					h->phase = k ? HP_TE : HP_CL;
			if (h->phase == HP_TE) {
				h->flags |= F_TE;
				h->tok = 0;
			}
			if (h->phase == HP_CL)
				h->left = 0;
			return NULL;
		}
		if (!is_tchar(c))
			return "malformed HTTP header line";
		for (unsigned k = 0; k < 2; k++)
			if ((h->name_mask & 1u << k) &&
			    (h->name_pos >= strlen(names[k]) ||
			     lower(c) != (uint8_t)names[k][h->name_pos]))
				h->name_mask &= (uint8_t) ~(1u << k);
		if (h->name_pos < 0xff)
			h->name_pos++;
		return NULL;
	case HP_CL:
		if (c == '\n')
			return line_end(h);
		if (c == '\r' || c == ' ' || c == '\t') {
			if (h->flags & F_DIGITS)
				h->flags |= F_AFTER;
			return NULL;
		}
		if (c < '0' || c > '9' || (h->flags & F_AFTER))
			return "HTTP Content-Length not a number";
		if (h->left > f->max_message / 10)
			return "length out of range";
		h->left = h->left * 10 + (uint64_t)(c - '0');
		if (h->left > f->max_message)
			return "length out of range";
		h->flags |= F_DIGITS;
		return NULL;
	case HP_TE:
		if (c == '\n')
			return line_end(h);
		if (c != '\r')
			te_byte(h, c);
		return NULL;
	case HP_VALUE:
		if (c == '\n')
			return line_end(h);
		return NULL;
	case HP_EOH:
		if (c != '\n')
			return "malformed HTTP header block end";
		return headers_done(f, done);
	case HP_CHUNK_SIZE: {
		int v = hexval(c);
		if (v >= 0) {
			if (h->left > f->max_message >> 4)
				return "bad HTTP chunk size";
			h->left = h->left << 4 | (uint64_t)v;
			h->flags |= F_DIGITS;
			return NULL;
		}
		if (!(h->flags & F_DIGITS))
			return "bad HTTP chunk size";
		h->phase = HP_CHUNK_EXT;
	}
		/* fall through */
	case HP_CHUNK_EXT:
		if (c == '\n') {
			h->flags &= (uint8_t) ~(F_DIGITS | F_CR | F_AFTER);
			if (h->left == 0) {
				h->phase = HP_TRAILER;
				h->line_len = 0;
				return NULL;
			}
			uint64_t body = f->offset - f->msg_start - h->hdr_len;
			if (body + h->left > f->max_message)
				return "length out of range";
			h->phase = HP_CHUNK_DATA;
			return NULL;
		}
		if (h->flags & F_CR)
			return "bad HTTP chunk size line";
		if (c == '\r')
			h->flags |= F_CR;
		else if (c == ';')
			h->flags |= F_AFTER; /* RFC 9112 §7.1.1 extensions */
		else if (c != ' ' && c != '\t' && !(h->flags & F_AFTER))
			return "bad HTTP chunk size";
		return NULL;
	case HP_CHUNK_CRLF:
		if (c == '\r' && !(h->flags & F_CR)) {
			h->flags |= F_CR;
			return NULL;
		}
		if (c != '\n')
			return "HTTP chunk not followed by CRLF";
		h->flags &= (uint8_t)~F_CR;
		h->phase = HP_CHUNK_SIZE;
		h->line_len = 0;
		h->left = 0;
		return NULL;
	case HP_TRAILER:
		if (c == '\n') {
			*done = true;
			return NULL;
		}
		h->phase = c == '\r' ? HP_TRAILER_EOH : HP_TRAILER_SKIP;
		return NULL;
	case HP_TRAILER_SKIP:
		if (c == '\n')
			h->phase = HP_TRAILER;
		return NULL;
	case HP_TRAILER_EOH:
		if (c != '\n')
			return "malformed HTTP trailer end";
		*done = true;
		return NULL;
	default:
		return NULL;
	}
}

/* Bytes of the current line or block so far, to cap them. */
static const char *check_caps(const struct nl_framer *f)
{
	const struct nl_framer_http *h = &f->u.http;
	switch (h->phase) {
	case HP_CHUNK_SIZE:
	case HP_CHUNK_EXT:
		if (h->line_len > CHUNK_LINE_MAX)
			return "HTTP chunk size line too long";
		return NULL;
	case HP_TRAILER:
	case HP_TRAILER_SKIP:
	case HP_TRAILER_EOH:
		if (h->line_len > NL_FRAMING_HTTP_HDR_MAX)
			return "HTTP trailers over 64 KiB";
		return NULL;
	case HP_CHUNK_DATA:
	case HP_CHUNK_CRLF:
	case HP_CLOSE:
		return NULL;
	default: /* the start line and the header block */
		if (f->offset - f->msg_start > NL_FRAMING_HTTP_HDR_MAX)
			return "HTTP header block over 64 KiB";
		return NULL;
	}
}

/* Skip bytes that cannot matter in bulk: the rest of a header value we do
 * not need, the rest of a trailer line. Returns bytes skipped. */
static size_t skip_to_lf(struct nl_framer *f, const uint8_t *p, size_t n)
{
	uint64_t have = f->offset - f->msg_start;
	/* stop short of the cap: the byte past it is checked one by one */
	uint64_t room =
	    have < NL_FRAMING_HTTP_HDR_MAX ? NL_FRAMING_HTTP_HDR_MAX - have : 0;
	size_t look = n < room ? n : (size_t)room;
	const uint8_t *lf = memchr(p, '\n', look);
	size_t k = lf ? (size_t)(lf - p) : look;
	f->offset += k;
	return k;
}

size_t nl_http_feed(struct nl_framer *f, const uint8_t *p, size_t n,
		    enum nl_frame_result *result, struct nl_frame *out)
{
	struct nl_framer_http *h = &f->u.http;
	size_t i = 0;
	while (i < n) {
		if (f->state == NL_FR_BODY) {
			uint64_t left = f->msg_start + f->msg_len - f->offset;
			size_t k = left < n - i ? (size_t)left : n - i;
			i += k;
			f->offset += k;
			if (f->offset == f->msg_start + f->msg_len)
				return nl_fr_finish(f, i, result, out);
			continue;
		}
		if (h->phase == HP_CLOSE) {
			f->offset += n - i;
			return n;
		}
		if (h->phase == HP_CHUNK_DATA) {
			size_t k = h->left < n - i ? (size_t)h->left : n - i;
			i += k;
			f->offset += k;
			h->left -= k;
			if (!h->left)
				h->phase = HP_CHUNK_CRLF;
			continue;
		}
		if (h->phase == HP_VALUE && f->state == NL_FR_HEADER) {
			size_t k = skip_to_lf(f, p + i, n - i);
			i += k;
			if (i == n)
				break;
		}
		uint8_t c = p[i++];
		f->offset++;
		h->line_len++;
		bool done;
		const char *why = http_byte(f, c, &done);
		if (!why)
			why = check_caps(f);
		if (why)
			return nl_fr_fail(f, i, why, f->offset - 1, result,
					  out);
		if (done) {
			bool switched =
			    (h->flags & F_RESPONSE) && h->status == 101;
			size_t r = nl_fr_finish(f, i, result, out);
			/* 101: another protocol follows, until close */
			if (switched)
				f->u.http.phase = HP_CLOSE;
			return r;
		}
	}
	return i;
}

bool nl_http_skip(struct nl_framer *f, uint64_t n)
{
	struct nl_framer_http *h = &f->u.http;
	if (f->state == NL_FR_BODY)
		return n <= nl_framer_pending(f) && (f->offset += n, true);
	if (h->phase == HP_CLOSE) {
		f->offset += n;
		return true;
	}
	if (h->phase == HP_CHUNK_DATA && n <= h->left) {
		f->offset += n;
		h->left -= n;
		if (!h->left)
			h->phase = HP_CHUNK_CRLF;
		return true;
	}
	return false;
}
