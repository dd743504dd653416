/*
 * Framing: the SPEC language, header encoding, and the resumable framers.
 * Every framer must find the same boundaries whether fed the whole stream,
 * byte by byte, or in random chunks; hostile headers end in NL_FRAME_ERROR
 * with a reason and an offset, never a crash or a huge allocation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netlab/framing.h"

/* ---- spec parsing ---- */

static void parse_ok(const char *text, const char *canon)
{
	struct nl_framing_spec s;
	char err[NL_ERRBUF_SIZE] = "";
	if (nl_framing_parse(text, &s, err) != NL_OK)
		fail_msg("'%s' rejected: %s", text, err);
	char buf[96];
	nl_framing_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, canon);
	/* the canonical text parses to the same spec */
	struct nl_framing_spec t;
	assert_int_equal(nl_framing_parse(buf, &t, err), NL_OK);
	assert_memory_equal(&s, &t, sizeof(s));
}

static void test_parse_forms(void **state)
{
	(void)state;
	parse_ok("u8", "u8");
	parse_ok("u16le", "u16le");
	parse_ok("u16be", "u16be");
	parse_ok("u32le", "u32le");
	parse_ok("u32be", "u32be");
	parse_ok("u64le", "u64le");
	parse_ok("u64be", "u64be");
	parse_ok("len:4:le", "u32le");
	parse_ok("len:2:be,offset=3", "len:2:be,offset=3");
	parse_ok("len:3:be", "len:3:be");
	parse_ok("len:2:le,adjust=-2", "len:2:le,adjust=-2");
	parse_ok("len:8:be,adjust=4,offset=1", "len:8:be,offset=1,adjust=4");
	parse_ok("varint", "varint");
	parse_ok("line", "line");
	parse_ok("jsonhdr", "jsonhdr");
	parse_ok("turns", "turns");
	parse_ok("http", "http");
	parse_ok("tls", "tls");
	parse_ok("none", "none");
	parse_ok("auto", "auto");

	struct nl_framing_spec s;
	char err[NL_ERRBUF_SIZE];
	assert_int_equal(nl_framing_parse("len:2:be,offset=3", &s, err), NL_OK);
	assert_int_equal(s.kind, NL_FRAMING_LENPREFIX);
	assert_int_equal(s.len_size, 2);
	assert_true(s.big_endian);
	assert_int_equal(s.len_offset, 3);
	assert_int_equal(s.adjust, 0);
}

static void parse_bad(const char *text, const char *needle)
{
	struct nl_framing_spec s;
	char err[NL_ERRBUF_SIZE] = "";
	assert_int_not_equal(nl_framing_parse(text, &s, err), NL_OK);
	if (!strstr(err, needle))
		fail_msg("'%s': error '%s' lacks '%s'", text, err, needle);
}

static void test_parse_bad(void **state)
{
	(void)state;
	parse_bad("", "empty");
	parse_bad("u32", "unknown framing");
	parse_bad("U32LE", "unknown framing");
	parse_bad("u32le ", "unknown framing");
	parse_bad("len:", "len:SIZE:ENDIAN");
	parse_bad("len:5:le", "SIZE must be 1, 2, 3, 4 or 8");
	parse_bad("len:0:le", "SIZE");
	parse_bad("len:16:le", "SIZE");
	parse_bad("len:x:le", "SIZE");
	parse_bad("len:4:xx", "ENDIAN");
	parse_bad("len:4:le,offset=", "offset");
	parse_bad("len:4:le,offset=-1", "offset");
	parse_bad("len:4:le,offset=99999", "offset");
	parse_bad("len:4:le,offset=1,offset=2", "offset");
	parse_bad("len:4:le,adjust=abc", "adjust");
	parse_bad("len:4:le,adjust=99999999999999999999", "adjust");
	parse_bad("len:4:le,foo=1", "unknown parameter");
	parse_bad("len:4:le,", "unknown parameter");
}

/* ---- header encoding ---- */

static void test_encode_header(void **state)
{
	(void)state;
	struct nl_framing_spec s;
	char err[NL_ERRBUF_SIZE];
	uint8_t h[32];
	/* struct.pack('i', 300) on x86 == b',\x01\x00\x00' */
	assert_int_equal(nl_framing_parse("u32le", &s, err), NL_OK);
	assert_int_equal(nl_framing_encode_header(&s, 300, h, sizeof(h)), 4);
	assert_memory_equal(h, "\x2c\x01\x00\x00", 4);
	/* struct.pack('!I', 300) */
	assert_int_equal(nl_framing_parse("u32be", &s, err), NL_OK);
	assert_int_equal(nl_framing_encode_header(&s, 300, h, sizeof(h)), 4);
	assert_memory_equal(h, "\x00\x00\x01\x2c", 4);
	/* too big for the field */
	assert_int_equal(nl_framing_parse("u8", &s, err), NL_OK);
	assert_int_equal(nl_framing_encode_header(&s, 256, h, sizeof(h)), 0);
	assert_int_equal(nl_framing_encode_header(&s, 255, h, sizeof(h)), 1);
	/* TLS-like: 3 bytes before a u16be */
	assert_int_equal(nl_framing_parse("len:2:be,offset=3", &s, err), NL_OK);
	assert_int_equal(nl_framing_encode_header(&s, 517, h, sizeof(h)), 5);
	assert_memory_equal(h, "\x00\x00\x00\x02\x05", 5);
	/* adjust: value + adjust = body */
	assert_int_equal(nl_framing_parse("len:2:le,adjust=-2", &s, err),
			 NL_OK);
	assert_int_equal(nl_framing_encode_header(&s, 10, h, sizeof(h)), 2);
	assert_memory_equal(h, "\x0c\x00", 2);
	assert_int_equal(nl_framing_parse("len:2:le,adjust=4", &s, err), NL_OK);
	assert_int_equal(nl_framing_encode_header(&s, 3, h, sizeof(h)), 0);
	/* varint 300 = ac 02 */
	assert_int_equal(nl_framing_parse("varint", &s, err), NL_OK);
	assert_int_equal(nl_framing_encode_header(&s, 300, h, sizeof(h)), 2);
	assert_memory_equal(h, "\xac\x02", 2);
	assert_int_equal(nl_framing_encode_header(&s, UINT64_MAX, h, sizeof(h)),
			 10);
	assert_int_equal(nl_framing_encode_header(&s, 300, h, 1), 0);
	/* no fixed header */
	assert_int_equal(nl_framing_parse("line", &s, err), NL_OK);
	assert_int_equal(nl_framing_encode_header(&s, 5, h, sizeof(h)), 0);
}

/* ---- framers ---- */

#define MAXB 64

struct bounds {
	size_t n;
	struct nl_frame f[MAXB];
	bool error;
	struct nl_frame err;
};

/* Feed `data` in chunks chosen by `mode` (0 whole, 1 bytewise, else random
 * with seed mode; even ones through nl_framer_whole() where it applies). */
static void run(const struct nl_framing_spec *spec, uint64_t max,
		const uint8_t *data, size_t len, unsigned mode,
		struct bounds *b)
{
	struct nl_framer fr;
	memset(b, 0, sizeof(*b));
	assert_int_equal(nl_framer_init(&fr, spec, max), NL_OK);
	srand(mode);
	size_t pos = 0;
	while (pos < len) {
		size_t chunk = mode == 0   ? len - pos
			       : mode == 1 ? 1
					   : 1 + (size_t)rand() % 23;
		if (chunk > len - pos)
			chunk = len - pos;
		size_t off = 0;
		while (off < chunk) {
			/* even random modes: the fast path of whole messages
			 * first, which must find the same frames */
			if (mode >= 2 && mode % 2 == 0) {
				uint32_t lens[3];
				unsigned k = 99;
				size_t used = nl_framer_whole(
				    &fr, data + pos + off, chunk - off, lens,
				    1 + mode % 3, &k);
				assert_true(k <= 1 + mode % 3);
				size_t at = 0;
				for (unsigned i = 0; i < k; i++) {
					assert_true(b->n < MAXB);
					b->f[b->n++] = (struct nl_frame){
					    .start = pos + off + at,
					    .len = lens[i],
					    .header_len = spec->len_offset +
							  spec->len_size};
					at += lens[i];
				}
				assert_int_equal(at, used);
				off += used;
				if (off == chunk)
					break;
			}
			enum nl_frame_result r;
			struct nl_frame f;
			size_t used = nl_framer_feed(&fr, data + pos + off,
						     chunk - off, &r, &f);
			assert_true(used <= chunk - off);
			off += used;
			if (r == NL_FRAME_MESSAGE) {
				assert_true(b->n < MAXB);
				b->f[b->n++] = f;
			} else if (r == NL_FRAME_ERROR) {
				b->error = true;
				b->err = f;
				nl_framer_free(&fr);
				return;
			} else {
				assert_int_equal(off, chunk);
			}
		}
		pos += chunk;
	}
	nl_framer_free(&fr);
}

static void same_everywhere(const char *spec_text, uint64_t max,
			    const uint8_t *data, size_t len, struct bounds *out)
{
	struct nl_framing_spec s;
	char err[NL_ERRBUF_SIZE];
	assert_int_equal(nl_framing_parse(spec_text, &s, err), NL_OK);
	run(&s, max, data, len, 0, out);
	for (unsigned mode = 1; mode < 40; mode++) {
		struct bounds b;
		run(&s, max, data, len, mode, &b);
		assert_int_equal(b.n, out->n);
		assert_int_equal(b.error, out->error);
		for (size_t i = 0; i < b.n; i++) {
			assert_int_equal(b.f[i].start, out->f[i].start);
			assert_int_equal(b.f[i].len, out->f[i].len);
			assert_int_equal(b.f[i].header_len,
					 out->f[i].header_len);
		}
		if (b.error) {
			assert_string_equal(b.err.error, out->err.error);
			assert_int_equal(b.err.error_at, out->err.error_at);
		}
	}
}

/* Build a stream of messages "hello", "", "world!!", 300 x 'z' with spec. */
static size_t build(const char *spec_text, uint8_t *buf, size_t cap,
		    size_t *hdr_lens)
{
	struct nl_framing_spec s;
	char err[NL_ERRBUF_SIZE];
	assert_int_equal(nl_framing_parse(spec_text, &s, err), NL_OK);
	static uint8_t big[300];
	memset(big, 'z', sizeof(big));
	const struct {
		const uint8_t *p;
		size_t n;
	} msgs[] = {{(const uint8_t *)"hello", 5},
		    {(const uint8_t *)"", 0},
		    {(const uint8_t *)"world!!", 7},
		    {big, sizeof(big)}};
	size_t len = 0;
	for (size_t i = 0; i < 4; i++) {
		size_t h = nl_framing_encode_header(&s, msgs[i].n, buf + len,
						    cap - len);
		if (!h && s.kind == NL_FRAMING_LENPREFIX)
			fail_msg("cannot encode %zu with %s", msgs[i].n,
				 spec_text);
		hdr_lens[i] = h;
		len += h;
		memcpy(buf + len, msgs[i].p, msgs[i].n);
		len += msgs[i].n;
	}
	return len;
}

static void test_lenprefix_chunkings(void **state)
{
	(void)state;
	const char *specs[] = {"u16le",
			       "u16be",
			       "u32le",
			       "u32be",
			       "u64le",
			       "u64be",
			       "len:3:be",
			       "len:2:be,offset=3",
			       "len:4:le,adjust=-4",
			       "varint"};
	for (size_t k = 0; k < sizeof(specs) / sizeof(specs[0]); k++) {
		uint8_t buf[1024];
		size_t hl[4];
		size_t len = build(specs[k], buf, sizeof(buf), hl);
		struct bounds b;
		same_everywhere(specs[k], 0, buf, len, &b);
		assert_false(b.error);
		assert_int_equal(b.n, 4);
		const size_t bodies[] = {5, 0, 7, 300};
		uint64_t at = 0;
		for (size_t i = 0; i < 4; i++) {
			assert_int_equal(b.f[i].start, at);
			assert_int_equal(b.f[i].header_len, hl[i]);
			assert_int_equal(b.f[i].len, hl[i] + bodies[i]);
			at += b.f[i].len;
		}
		assert_int_equal(at, len);
	}
}

/* The fast path alone: whole messages only, never past a cut one or a
 * bad length, nothing mid-message or for other kinds. */
static void test_whole_fast_path(void **state)
{
	(void)state;
	struct nl_framing_spec s;
	char err[NL_ERRBUF_SIZE];
	struct nl_framer fr;
	uint32_t lens[4];
	unsigned k;
	/* u16be: 2 "ab", 0, 3 "xyz", then a header saying 9 with 2 bytes */
	const uint8_t d[] = {0, 2, 'a', 'b', 0, 0, 0, 3, 'x', 'y', 'z',
			     0, 9, 'p', 'q'};
	assert_int_equal(nl_framing_parse("u16be", &s, err), NL_OK);
	assert_int_equal(nl_framer_init(&fr, &s, 0), NL_OK);
	assert_int_equal(nl_framer_whole(&fr, d, sizeof(d), lens, 4, &k), 11);
	assert_int_equal(k, 3);
	assert_int_equal(lens[0], 4);
	assert_int_equal(lens[1], 2);
	assert_int_equal(lens[2], 5);
	/* the cut message is the feeder's: in it, the fast path is off */
	enum nl_frame_result r;
	struct nl_frame f;
	assert_int_equal(nl_framer_feed(&fr, d + 11, 4, &r, &f), 4);
	assert_int_equal(r, NL_FRAME_MORE);
	assert_int_equal(nl_framer_msg_len(&fr), 11);
	assert_int_equal(nl_framer_whole(&fr, d, sizeof(d), lens, 4, &k), 0);
	assert_int_equal(k, 0);
	/* max caps the count */
	nl_framer_reset(&fr);
	assert_int_equal(nl_framer_whole(&fr, d, sizeof(d), lens, 1, &k), 4);
	assert_int_equal(k, 1);
	/* a length over max_message stops it before the header */
	const uint8_t big[] = {0, 1, 'a', 0x10, 0x00, 'b'};
	assert_int_equal(nl_framer_init(&fr, &s, 100), NL_OK);
	assert_int_equal(nl_framer_whole(&fr, big, sizeof(big), lens, 4, &k),
			 3);
	assert_int_equal(k, 1);
	assert_int_equal(nl_framer_feed(&fr, big + 3, 3, &r, &f), 2);
	assert_int_equal(r, NL_FRAME_ERROR);
	assert_int_equal(f.error_at, 3);
	/* other kinds: nothing */
	assert_int_equal(nl_framing_parse("line", &s, err), NL_OK);
	assert_int_equal(nl_framer_init(&fr, &s, 0), NL_OK);
	const uint8_t line[] = "ab\ncd\n";
	assert_int_equal(
	    nl_framer_whole(&fr, line, sizeof(line) - 1, lens, 4, &k), 0);
	assert_int_equal(k, 0);
	assert_int_equal(nl_framing_parse("tls", &s, err), NL_OK);
	assert_int_equal(nl_framer_init(&fr, &s, 0), NL_OK);
	const uint8_t rec[] = {23, 3, 3, 0, 1, 'x'};
	assert_int_equal(nl_framer_whole(&fr, rec, sizeof(rec), lens, 4, &k),
			 0);
	assert_int_equal(k, 0);
}

static void test_u8(void **state)
{
	(void)state;
	const uint8_t data[] = {3, 'a', 'b', 'c', 0, 1, 'x'};
	struct bounds b;
	same_everywhere("u8", 0, data, sizeof(data), &b);
	assert_int_equal(b.n, 3);
	assert_int_equal(b.f[1].start, 4);
	assert_int_equal(b.f[1].len, 1);
	assert_int_equal(b.f[2].len, 2);
}

static void test_line(void **state)
{
	(void)state;
	const char *text = "GET a\r\n\nsecond line\nthird";
	struct bounds b;
	same_everywhere("line", 0, (const uint8_t *)text, strlen(text), &b);
	assert_false(b.error);
	assert_int_equal(b.n, 3);
	assert_int_equal(b.f[0].len, 7);
	assert_int_equal(b.f[1].start, 7);
	assert_int_equal(b.f[1].len, 1);
	assert_int_equal(b.f[2].len, 12);
	assert_int_equal(b.f[2].header_len, 0);
}

static size_t jsonmsg(uint8_t *buf, const char *json, size_t body)
{
	size_t jl = strlen(json);
	buf[0] = (uint8_t)jl;
	buf[1] = (uint8_t)(jl >> 8);
	buf[2] = buf[3] = 0;
	memcpy(buf + 4, json, jl);
	memset(buf + 4 + jl, 'B', body);
	return 4 + jl + body;
}

static void test_jsonhdr(void **state)
{
	(void)state;
	uint8_t buf[2048];
	size_t len =
	    jsonmsg(buf,
		    "{\"func\": \"put\", \"file_name\": \"a \\\"b\\\".txt\","
		    " \"meta\": {\"size\": 1, \"x\": [1, 2.5e3, null]},"
		    " \"file_size\": 100}",
		    100);
	size_t first = len;
	len += jsonmsg(buf + len, "{\"length\":0,\"size\":3}", 3);
	struct bounds b;
	same_everywhere("jsonhdr", 0, buf, len, &b);
	assert_false(b.error);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.f[0].len, first);
	assert_int_equal(b.f[0].header_len, first - 100);
	/* "size" is preferred to "length" whatever the order */
	assert_int_equal(b.f[1].start, first);
	assert_int_equal(b.f[1].len, 4 + 21 + 3);
}

static void expect_error(const char *spec, uint64_t max, const uint8_t *data,
			 size_t len, const char *why, uint64_t at)
{
	struct bounds b;
	same_everywhere(spec, max, data, len, &b);
	if (!b.error)
		fail_msg("%s: no error (%zu messages)", spec, b.n);
	if (!strstr(b.err.error, why))
		fail_msg("%s: error '%s', expected '%s'", spec, b.err.error,
			 why);
	assert_int_equal(b.err.error_at, at);
}

static void test_hostile_lengths(void **state)
{
	(void)state;
	const uint8_t huge[] = {'\x01', 0,    0,    0,	  'x',
				0xff,	0xff, 0xff, 0x7f, 'y'};
	expect_error("u32le", 1000, huge, sizeof(huge), "length out of range",
		     5);
	const uint8_t huge64[] = {0xff, 0xff, 0xff, 0xff,
				  0xff, 0xff, 0xff, 0xff};
	expect_error("u64be", 0, huge64, sizeof(huge64), "length out of range",
		     0);
	/* adjust makes it negative: value 2, adjust -5 */
	const uint8_t neg[] = {'a', 2, 'b', 'c'};
	expect_error("len:1:le,offset=1,adjust=-5", 0, neg, sizeof(neg),
		     "length out of range", 1);
	/* adjust pushes it past the maximum */
	const uint8_t pos[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0};
	char spec[64];
	snprintf(spec, sizeof(spec), "len:8:be,adjust=%lld", 1ll << 40);
	expect_error(spec, 0, pos, sizeof(pos), "length out of range", 0);
	/* adjust overflow at exactly the limit */
	const uint8_t edge[] = {0x0a};
	expect_error("len:1:le,adjust=1", 10, edge, 1, "length out of range",
		     0);
}

static void test_hostile_truncated(void **state)
{
	(void)state;
	struct nl_framing_spec s;
	char err[NL_ERRBUF_SIZE];
	assert_int_equal(nl_framing_parse("u32le", &s, err), NL_OK);
	struct nl_framer fr;
	assert_int_equal(nl_framer_init(&fr, &s, 0), NL_OK);
	enum nl_frame_result r;
	struct nl_frame f;
	const uint8_t two[] = {5, 0};
	assert_int_equal(nl_framer_feed(&fr, two, 2, &r, &f), 2);
	assert_int_equal(r, NL_FRAME_MORE);
	assert_int_equal(nl_framer_pending(&fr), 0);
	const uint8_t rest[] = {0, 0, 'a', 'b'};
	assert_int_equal(nl_framer_feed(&fr, rest, 4, &r, &f), 4);
	assert_int_equal(r, NL_FRAME_MORE);
	assert_int_equal(nl_framer_pending(&fr), 3);
	nl_framer_free(&fr);
}

static void test_hostile_varint(void **state)
{
	(void)state;
	uint8_t endless[40];
	memset(endless, 0xff, sizeof(endless));
	expect_error("varint", 0, endless, sizeof(endless), "varint too long",
		     0);
	/* ten bytes, but beyond 64 bits */
	uint8_t wide[10];
	memset(wide, 0xff, 9);
	wide[9] = 0x02;
	expect_error("varint", UINT64_MAX, wide, 10, "length out of range", 0);
	/* a plausible varint above the cap */
	const uint8_t big[] = {0x80, 0x80, 0x80, 0x40};
	expect_error("varint", 1000, big, sizeof(big), "length out of range",
		     0);
}

static void test_hostile_line(void **state)
{
	(void)state;
	size_t n = NL_FRAMING_LINE_MAX + 10;
	uint8_t *p = malloc(n);
	assert_non_null(p);
	memset(p, 'a', n);
	struct nl_framing_spec s;
	char err[NL_ERRBUF_SIZE];
	assert_int_equal(nl_framing_parse("line", &s, err), NL_OK);
	struct bounds b;
	run(&s, 0, p, n, 0, &b);
	assert_true(b.error);
	assert_string_equal(b.err.error, "line too long (no LF)");
	run(&s, 0, p, n, 7, &b);
	assert_true(b.error);
	/* exactly at the limit with its LF: a message */
	p[NL_FRAMING_LINE_MAX - 1] = '\n';
	run(&s, 0, p, NL_FRAMING_LINE_MAX, 0, &b);
	assert_false(b.error);
	assert_int_equal(b.n, 1);
	/* a small max_message caps lines too */
	run(&s, 10, (const uint8_t *)"0123456789abc\n", 14, 1, &b);
	assert_true(b.error);
	free(p);
}

static void test_hostile_json(void **state)
{
	(void)state;
	const char *bad[][2] = {
	    {"[1,2]", "not an object"},
	    {"{\"file_size\": -1}", "non-negative integer"},
	    {"{\"file_size\": 1.5}", "non-negative integer"},
	    {"{\"file_size\": \"10\"}", "non-negative integer"},
	    {"{\"file_size\": 012}", "non-negative integer"},
	    {"{\"file_size\": 99999999999999999999999}", "non-negative"},
	    {"{\"func\": \"put\"}", "no file_size"},
	    {"{\"a\": "
	     "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
	     "]]]]]]]}",
	     "nested too deeply"},
	    {"{\"file_size\": 1", "truncated"},
	    {"{\"file_size\": 1} x", "trailing"},
	    {"{\"a\" 1}", "malformed"},
	    {"{\"a\": tru}", "malformed"},
	    {"{\"a\": \"\x01\"}", "malformed"},
	    {"{\"a\": \"\\q\"}", "malformed"},
	    {"{\"a\": 1,}", "malformed"},
	    {"\x89PNG\r\n", "not an object"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t buf[512];
		size_t len = jsonmsg(buf, bad[i][0], 0);
		expect_error("jsonhdr", 0, buf, len, bad[i][1], 4);
	}
	/* a header length of zero or beyond the cap */
	const uint8_t zero[] = {0, 0, 0, 0};
	expect_error("jsonhdr", 0, zero, 4, "JSON header length", 0);
	const uint8_t big[] = {0, 0, 2, 0};
	expect_error("jsonhdr", 0, big, 4, "JSON header length", 0);
	/* the body length above max_message */
	uint8_t buf[64];
	size_t len = jsonmsg(buf, "{\"size\": 5000}", 0);
	expect_error("jsonhdr", 4096, buf, len, "length out of range", 4);
}

static void test_unsupported_and_resync(void **state)
{
	(void)state;
	/* every kind but auto has a framer of its own, allocation-free */
	const char *kinds[] = {"turns", "http", "tls", "none", "jsonhdr"};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct nl_framing_spec s;
		char err[NL_ERRBUF_SIZE];
		struct nl_framer fr;
		assert_int_equal(nl_framing_parse(kinds[i], &s, err), NL_OK);
		assert_int_equal(nl_framer_init(&fr, &s, 0), NL_OK);
		nl_framer_free(&fr);
	}
	{
		struct nl_framing_spec s;
		char err[NL_ERRBUF_SIZE];
		struct nl_framer fr;
		assert_int_equal(nl_framing_parse("auto", &s, err), NL_OK);
		assert_int_equal(nl_framer_init(&fr, &s, 0), NL_UNSUPPORTED);
		nl_framer_free(&fr);
		s.kind = NL_FRAMING_KIND_COUNT;
		assert_int_not_equal(nl_framer_init(&fr, &s, 0), NL_OK);
	}
	/* after an error nothing is consumed until resync */
	struct nl_framing_spec s;
	char err[NL_ERRBUF_SIZE];
	assert_int_equal(nl_framing_parse("u8", &s, err), NL_OK);
	struct nl_framer fr;
	assert_int_equal(nl_framer_init(&fr, &s, 2), NL_OK);
	enum nl_frame_result r;
	struct nl_frame f;
	const uint8_t d[] = {9, 1, 'x'};
	assert_int_equal(nl_framer_feed(&fr, d, 3, &r, &f), 1);
	assert_int_equal(r, NL_FRAME_ERROR);
	assert_int_equal(nl_framer_feed(&fr, d + 1, 2, &r, &f), 0);
	assert_int_equal(r, NL_FRAME_MORE);
	nl_framer_resync(&fr, 1);
	assert_int_equal(nl_framer_feed(&fr, d + 1, 2, &r, &f), 2);
	assert_int_equal(r, NL_FRAME_MESSAGE);
	assert_int_equal(f.start, 1);
	assert_int_equal(f.len, 2);
	nl_framer_free(&fr);
}

/* TLS: records of a ClientHello-like handshake, a ChangeCipherSpec and
 * application data, and hostile headers. */
static void test_tls(void **state)
{
	(void)state;
	uint8_t buf[1024];
	size_t len = 0;
	const struct {
		uint8_t type, minor;
		size_t body;
	} recs[] = {{22, 1, 512}, {20, 3, 1}, {23, 3, 0}, {23, 3, 100}};
	for (size_t i = 0; i < 4; i++) {
		buf[len++] = recs[i].type;
		buf[len++] = 3;
		buf[len++] = recs[i].minor;
		buf[len++] = (uint8_t)(recs[i].body >> 8);
		buf[len++] = (uint8_t)recs[i].body;
		memset(buf + len, 0xaa, recs[i].body);
		len += recs[i].body;
	}
	struct bounds b;
	same_everywhere("tls", 0, buf, len, &b);
	assert_false(b.error);
	assert_int_equal(b.n, 4);
	uint64_t at = 0;
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(b.f[i].start, at);
		assert_int_equal(b.f[i].header_len, 5);
		assert_int_equal(b.f[i].len, 5 + recs[i].body);
		at += b.f[i].len;
	}
	/* hostile: the reason and the offending byte */
	const uint8_t type[] = {22, 3, 1, 0, 1, 'x', 0x47, 3, 1, 0, 0};
	expect_error("tls", 0, type, sizeof(type), "record type", 6);
	const uint8_t major[] = {23, 2, 0, 0, 1};
	expect_error("tls", 0, major, sizeof(major), "version", 1);
	const uint8_t minor[] = {23, 3, 5, 0, 1};
	expect_error("tls", 0, minor, sizeof(minor), "version", 2);
	/* 2^14 + 2048 is the largest record body (RFC 5246 §6.2.3) */
	const uint8_t ok[] = {23, 3, 3, 0x48, 0x00};
	same_everywhere("tls", 0, ok, sizeof(ok), &b);
	assert_false(b.error);
	const uint8_t big[] = {23, 3, 3, 0x48, 0x01};
	expect_error("tls", 0, big, sizeof(big), "over 2^14", 3);
	/* and --max-message below a record */
	expect_error("tls", 100, recs[0].body ? buf : buf, 5, "over 2^14", 3);
}

/* jsonhdr scans its JSON header as it arrives: an error shows at the
 * offending byte, long before the header is complete. */
static void test_jsonhdr_streaming(void **state)
{
	(void)state;
	struct nl_framing_spec s;
	char err[NL_ERRBUF_SIZE];
	assert_int_equal(nl_framing_parse("jsonhdr", &s, err), NL_OK);
	struct nl_framer fr;
	assert_int_equal(nl_framer_init(&fr, &s, 0), NL_OK);
	/* announces 60000 header bytes, but the third is wrong */
	const uint8_t d[] = {0x60, 0xea, 0, 0, '{', ' ', 'x', '"', 'a'};
	enum nl_frame_result r;
	struct nl_frame f;
	assert_int_equal(nl_framer_feed(&fr, d, sizeof(d), &r, &f), 7);
	assert_int_equal(r, NL_FRAME_ERROR);
	assert_string_equal(f.error, "JSON header malformed");
	assert_int_equal(f.error_at, 4);

	/* nesting: 32 open containers are fine, 33 are not */
	char json[256];
	size_t k = 0;
	k += (size_t)snprintf(json + k, sizeof(json) - k, "{\"size\":2,\"a\":");
	for (int i = 0; i < 31; i++)
		json[k++] = '[';
	for (int i = 0; i < 31; i++)
		json[k++] = ']';
	json[k++] = '}';
	json[k] = '\0';
	uint8_t buf[512];
	size_t len = jsonmsg(buf, json, 2);
	struct bounds b;
	same_everywhere("jsonhdr", 0, buf, len, &b);
	assert_false(b.error);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.f[0].len, len);
	memmove(json + 15, json + 14, strlen(json + 14) + 1);
	json[14] = '[';
	memmove(json + strlen(json) - 1, "]}", 3);
	len = jsonmsg(buf, json, 2);
	expect_error("jsonhdr", 0, buf, len, "nested too deeply", 4);

	/* strings with escapes; an escaped key is not a size key; the
	 * first occurrence of the preferred key wins; sizes nested deeper
	 * do not count */
	len =
	    jsonmsg(buf,
		    "{\"n\\u0061me\": \"\\\"x\\u00e9\\n\", \"s\\u0069ze\": 9,"
		    " \"o\": {\"file_size\": 7}, \"length\": 3, \"size\": 1,"
		    " \"length\": 4, \"size\": 2, \"e\": -0.5E+3, \"t\": [true,"
		    " false, null, {}, []]}\r\n ",
		    1);
	same_everywhere("jsonhdr", 0, buf, len, &b);
	assert_false(b.error);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.f[0].len, len); /* "size": 1 */
	/* a size of 0 and an empty body; then 0 as the JSON length */
	len = jsonmsg(buf, "{\"size\":0}", 0);
	same_everywhere("jsonhdr", 0, buf, len, &b);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.f[0].header_len, len);
	const char *bad[][2] = {
	    {"{\"size\": 1e3}", "non-negative"},
	    {"{\"size\": 00}", "non-negative"},
	    {"{\"size\": {}}", "non-negative"},
	    {"{\"x\": 1.}", "malformed"},
	    {"{\"x\": -}", "malformed"},
	    {"{\"x\": 1e}", "malformed"},
	    {"{\"x\": \"\\u12g4\"}", "malformed"},
	    {"{\"x\": [1 2]}", "malformed"},
	    {"{\"x\": [1,]}", "malformed"},
	    {"{\"x\": nul}", "malformed"},
	    {"{\"x\": 1]", "malformed"},
	    {"{} {}", "trailing"},
	    {"{\"x\": \"abc", "truncated"},
	    {"   ", "truncated"},
	    {"{}", "no file_size"},
	    {"{\"size\": 9223372036854775808}", "non-negative"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = jsonmsg(buf, bad[i][0], 0);
		expect_error("jsonhdr", 0, buf, len, bad[i][1], 4);
	}
	nl_framer_free(&fr);
}

/* The flow stage keeps two framers per connection in a fixed table. */
static void test_framer_size(void **state)
{
	(void)state;
	assert_true(sizeof(struct nl_framer) <= 128);
}

/* Random bytes into every framer, resyncing after each error: no crash,
 * offsets only move forward, every message within the limits. */
static void test_random_garbage(void **state)
{
	(void)state;
	const char *specs[] = {"u8",
			       "u16be",
			       "u32le",
			       "u64le",
			       "len:3:le,offset=2,adjust=-3",
			       "varint",
			       "line",
			       "jsonhdr",
			       "tls",
			       "http",
			       "turns",
			       "none"};
	static uint8_t buf[1 << 16];
	uint64_t x = 0x243f6a8885a308d3ull;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		/* bias towards small values and JSON-ish bytes */
		uint8_t b = (uint8_t)x;
		buf[i] = (x >> 8) % 3 == 0   ? (uint8_t) "{}\"0:,\n"[b % 7]
			 : (x >> 8) % 3 == 1 ? (uint8_t)(b & 7)
					     : b;
	}
	for (size_t k = 0; k < sizeof(specs) / sizeof(specs[0]); k++) {
		struct nl_framing_spec s;
		char err[NL_ERRBUF_SIZE];
		assert_int_equal(nl_framing_parse(specs[k], &s, err), NL_OK);
		struct nl_framer fr;
		assert_int_equal(nl_framer_init(&fr, &s, 4096), NL_OK);
		size_t pos = 0;
		uint64_t last = 0;
		while (pos < sizeof(buf)) {
			enum nl_frame_result r;
			struct nl_frame f;
			size_t n =
			    sizeof(buf) - pos < 37 ? sizeof(buf) - pos : 37;
			size_t used = nl_framer_feed(&fr, buf + pos, n, &r, &f);
			assert_true(used <= n);
			pos += used;
			if (r == NL_FRAME_MESSAGE) {
				assert_true(f.start >= last);
				assert_true(f.len >= f.header_len);
				assert_true(f.len <=
					    4096 + 16 + NL_FRAMING_JSONHDR_MAX);
				assert_int_equal(f.start + f.len, pos);
				last = f.start + f.len;
			} else if (r == NL_FRAME_ERROR) {
				assert_non_null(f.error);
				assert_true(f.error_at <= pos);
				nl_framer_resync(&fr, pos);
				last = pos;
			}
		}
		nl_framer_free(&fr);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_forms),
	    cmocka_unit_test(test_parse_bad),
	    cmocka_unit_test(test_encode_header),
	    cmocka_unit_test(test_lenprefix_chunkings),
	    cmocka_unit_test(test_whole_fast_path),
	    cmocka_unit_test(test_u8),
	    cmocka_unit_test(test_line),
	    cmocka_unit_test(test_jsonhdr),
	    cmocka_unit_test(test_hostile_lengths),
	    cmocka_unit_test(test_hostile_truncated),
	    cmocka_unit_test(test_hostile_varint),
	    cmocka_unit_test(test_hostile_line),
	    cmocka_unit_test(test_hostile_json),
	    cmocka_unit_test(test_unsupported_and_resync),
	    cmocka_unit_test(test_tls),
	    cmocka_unit_test(test_jsonhdr_streaming),
	    cmocka_unit_test(test_framer_size),
	    cmocka_unit_test(test_random_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
