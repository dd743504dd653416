/*
 * The framing SPEC language (see netlab/framing.h): parsing, canonical
 * text, and header encoding for writers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netlab/framing.h"

/* A length field may sit at most this far into a message: TLS needs 3,
 * real protocols a few dozen; a cap keeps the header gathering bounded. */
#define SPEC_MAX_OFFSET 4096
#define SPEC_MAX_ADJUST (1ll << 40)

static const struct {
	const char *name;
	uint8_t size;
	bool be;
} prefixes[] = {
    {"u8", 1, false},	 {"u16le", 2, false}, {"u16be", 2, true},
    {"u32le", 4, false}, {"u32be", 4, true},  {"u64le", 8, false},
    {"u64be", 8, true},
};

static const struct {
	const char *name;
	enum nl_framing_kind kind;
} words[] = {
    {"varint", NL_FRAMING_VARINT},   {"line", NL_FRAMING_LINE},
    {"jsonhdr", NL_FRAMING_JSONHDR}, {"turns", NL_FRAMING_TURNS},
    {"http", NL_FRAMING_HTTP},	     {"tls", NL_FRAMING_TLS},
    {"none", NL_FRAMING_NONE},	     {"auto", NL_FRAMING_AUTO},
};

static const char *spec_help =
    "u8, u16le, u16be, u32le, u32be, u64le, u64be, "
    "len:SIZE:ENDIAN[,offset=N][,adjust=N], varint, line, jsonhdr, "
    "turns, http, tls, none, auto";

static enum nl_status bad(char *errbuf, const char *fmt, const char *what)
{
	snprintf(errbuf, NL_ERRBUF_SIZE, fmt, what);
	return NL_MALFORMED;
}

/* Whole-string signed decimal within [lo, hi]. */
static bool parse_i64(const char *s, size_t n, int64_t lo, int64_t hi,
		      int64_t *out)
{
	char tmp[32];
	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	const char *d = tmp[0] == '-' || tmp[0] == '+' ? tmp + 1 : tmp;
	if (*d < '0' || *d > '9')
		return false;
	char *end;
	errno = 0;
	long long v = strtoll(tmp, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static enum nl_status parse_len(const char *spec, struct nl_framing_spec *out,
				char *errbuf)
{
	/* len:SIZE:ENDIAN[,offset=N][,adjust=N] */
	const char *p = spec + 4;
	const char *colon = strchr(p, ':');
	if (!colon)
		return bad(errbuf,
			   "framing '%s': expected len:SIZE:ENDIAN (SIZE 1, 2, "
			   "3, 4 or 8; ENDIAN le or be)",
			   spec);
	int64_t size;
	if (!parse_i64(p, (size_t)(colon - p), 1, 8, &size) || size == 5 ||
	    size == 6 || size == 7)
		return bad(errbuf,
			   "framing '%s': length SIZE must be 1, 2, 3, 4 or 8",
			   spec);
	p = colon + 1;
	size_t elen = strcspn(p, ",");
	if (elen == 2 && !strncmp(p, "le", 2))
		out->big_endian = false;
	else if (elen == 2 && !strncmp(p, "be", 2))
		out->big_endian = true;
	else
		return bad(errbuf, "framing '%s': ENDIAN must be le or be",
			   spec);
	out->len_size = (uint8_t)size;
	p += elen;
	bool seen_off = false, seen_adj = false;
	while (*p == ',') {
		p++;
		size_t n = strcspn(p, ",");
		int64_t v;
		if (n > 7 && !strncmp(p, "offset=", 7)) {
			if (seen_off ||
			    !parse_i64(p + 7, n - 7, 0, SPEC_MAX_OFFSET, &v))
				return bad(errbuf,
					   "framing '%s': offset must be given "
					   "once, 0 to 4096",
					   spec);
			out->len_offset = (uint32_t)v;
			seen_off = true;
		} else if (n > 7 && !strncmp(p, "adjust=", 7)) {
			if (seen_adj ||
			    !parse_i64(p + 7, n - 7, -SPEC_MAX_ADJUST,
				       SPEC_MAX_ADJUST, &v))
				return bad(errbuf,
					   "framing '%s': adjust must be given "
					   "once, an integer within +-2^40",
					   spec);
			out->adjust = v;
			seen_adj = true;
		} else {
			return bad(errbuf,
				   "framing '%s': unknown parameter (expected "
				   "offset=N or adjust=N)",
				   spec);
		}
		p += n;
	}
	if (*p)
		return bad(errbuf, "framing '%s': trailing text", spec);
	return NL_OK;
}

enum nl_status nl_framing_parse(const char *spec, struct nl_framing_spec *out,
				char *errbuf)
{
	memset(out, 0, sizeof(*out));
	if (!spec || !*spec)
		return bad(errbuf, "empty framing spec (one of: %s)",
			   spec_help);
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (!strcmp(spec, prefixes[i].name)) {
			out->kind = NL_FRAMING_LENPREFIX;
			out->len_size = prefixes[i].size;
			out->big_endian = prefixes[i].be;
			return NL_OK;
		}
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (!strcmp(spec, words[i].name)) {
			out->kind = words[i].kind;
			return NL_OK;
		}
	}
	if (!strncmp(spec, "len:", 4)) {
		out->kind = NL_FRAMING_LENPREFIX;
		enum nl_status st = parse_len(spec, out, errbuf);
		if (st != NL_OK)
			memset(out, 0, sizeof(*out));
		return st;
	}
	char shown[64];
	snprintf(shown, sizeof(shown), "%s", spec);
	snprintf(errbuf, NL_ERRBUF_SIZE, "unknown framing '%s' (one of: %s)",
		 shown, spec_help);
	return NL_MALFORMED;
}

void nl_framing_format(const struct nl_framing_spec *spec, char *buf,
		       size_t size)
{
	if (size == 0)
		return;
	if (spec->kind == NL_FRAMING_LENPREFIX) {
		if (spec->len_offset == 0 && spec->adjust == 0 &&
		    spec->len_size != 3) {
			for (size_t i = 0;
			     i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
				if (prefixes[i].size == spec->len_size &&
				    prefixes[i].be == spec->big_endian &&
				    (spec->len_size != 1 ||
				     !spec->big_endian)) {
					snprintf(buf, size, "%s",
						 prefixes[i].name);
					return;
				}
		}
		int n = snprintf(buf, size, "len:%u:%s", spec->len_size,
				 spec->big_endian ? "be" : "le");
		if (n > 0 && (size_t)n < size && spec->len_offset)
			n += snprintf(buf + n, size - (size_t)n,
				      ",offset=%" PRIu32, spec->len_offset);
		if (n > 0 && (size_t)n < size && spec->adjust)
			snprintf(buf + n, size - (size_t)n, ",adjust=%" PRId64,
				 spec->adjust);
		return;
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (words[i].kind == spec->kind) {
			snprintf(buf, size, "%s", words[i].name);
			return;
		}
	snprintf(buf, size, "?");
}

size_t nl_framing_encode_header(const struct nl_framing_spec *spec,
				uint64_t body_len, uint8_t *out,
				size_t out_size)
{
	if (spec->kind == NL_FRAMING_VARINT) {
		uint8_t tmp[10];
		size_t n = 0;
		uint64_t v = body_len;
		do {
			uint8_t b = v & 0x7f;
			v >>= 7;
			tmp[n++] = (uint8_t)(b | (v ? 0x80 : 0));
		} while (v);
		if (n > out_size)
			return 0;
		memcpy(out, tmp, n);
		return n;
	}
	if (spec->kind != NL_FRAMING_LENPREFIX)
		return 0;
	size_t total = (size_t)spec->len_offset + spec->len_size;
	if (total > out_size)
		return 0;
	/* value + adjust = bytes after the field = body_len. */
	if (spec->adjust > 0 && body_len < (uint64_t)spec->adjust)
		return 0;
	uint64_t value = spec->adjust >= 0
			     ? body_len - (uint64_t)spec->adjust
			     : body_len + (uint64_t)(-spec->adjust);
	if (spec->adjust < 0 && value < body_len)
		return 0; /* wrapped */
	if (spec->len_size < 8 && value >> (8 * spec->len_size))
		return 0;
	memset(out, 0, spec->len_offset);
	uint8_t *f = out + spec->len_offset;
	for (unsigned i = 0; i < spec->len_size; i++) {
		unsigned shift =
		    spec->big_endian ? 8 * (spec->len_size - 1 - i) : 8 * i;
		f[i] = (uint8_t)(value >> shift);
	}
	return total;
}
