/*
 * Framing auto-detection: each framing recognised from a direction's first
 * bytes as a real sender produces them (whole messages per send(), several
 * merged in one segment, one split across segments, header and body sent
 * apart), and the false positives the detector must avoid: unframed text,
 * random bytes, zeros read as tiny u8/varint/u16 messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netlab/detect.h"

/* A direction's prefix built segment by segment. */
struct prefix {
	uint8_t buf[NL_DETECT_MAX_BYTES];
	uint32_t len;
	struct nl_detect_seg segs[NL_DETECT_MAX_SEGS];
	uint32_t n_segs;
	struct nl_detect_input in;
};

static void start(struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->in.buf = p->buf;
	p->in.segs = p->segs;
}

static void seg(struct prefix *p, const void *data, size_t n, bool push)
{
	assert_true(p->len + n <= sizeof(p->buf));
	assert_true(p->n_segs < NL_DETECT_MAX_SEGS);
	memcpy(p->buf + p->len, data, n);
	p->segs[p->n_segs].start = p->len;
	p->segs[p->n_segs].end = p->len + (uint32_t)n;
	p->segs[p->n_segs].push = push;
	p->n_segs++;
	p->len += (uint32_t)n;
	p->in.len = p->len;
	p->in.n_segs = p->n_segs;
}

static void seg_str(struct prefix *p, const char *s)
{
	seg(p, s, strlen(s), true);
}

/* struct.pack('i', n) + body, or '!I' with be */
static size_t pack32(uint8_t *out, const char *body, bool be)
{
	uint32_t n = (uint32_t)strlen(body);
	for (int i = 0; i < 4; i++)
		out[i] = (uint8_t)(n >> (be ? 8 * (3 - i) : 8 * i));
	memcpy(out + 4, body, n);
	return 4 + n;
}

static void spec_is(const struct nl_framing_spec *s, const char *want)
{
	char got[64];
	nl_framing_format(s, got, sizeof(got));
	if (strcmp(got, want))
		fail_msg("detected '%s', expected '%s'", got, want);
}

static struct nl_detect_result detect(struct prefix *p, bool final)
{
	struct nl_detect_result r;
	if (!nl_framing_detect(&p->in, final, &r))
		fail_msg("no decision (final %d)", final);
	assert_non_null(r.why);
	return r;
}

/* Several u32le messages merged in one segment, one split over two. */
static void test_u32le_merged_and_split(void **state)
{
	(void)state;
	struct prefix p;
	start(&p);
	uint8_t m[256];
	size_t n = 0;
	n += pack32(m + n, "hello", false);
	n += pack32(m + n, "world!", false);
	n += pack32(m + n, "{\"op\": 1}", false);
	seg(&p, m, n, true);
	n = pack32(m, "a longer message, sent in one send()", false);
	seg(&p, m, 11, false);
	seg(&p, m + 11, n - 11, true);
	n = pack32(m, "x", false);
	seg(&p, m, n, true);
	p.in.turn_ended = true;
	p.in.peer_spoke = true;
	struct nl_detect_result r = detect(&p, true);
	spec_is(&r.spec, "u32le");
	assert_false(r.fallback);
	assert_int_equal(r.start, 0);
	assert_int_equal(r.confirm, 5); /* five whole messages */
	assert_string_equal(r.why, "messages end at segment ends");
	/* four messages ending at segment ends decide before the turn
	 * ends; three are not enough yet */
	start(&p);
	struct nl_detect_result r2;
	for (int i = 0; i < 4; i++) {
		if (i == 3)
			assert_false(nl_framing_detect(&p.in, false, &r2));
		n = pack32(m, i % 2 ? "ping" : "a bigger payload", false);
		seg(&p, m, n, true);
	}
	r = detect(&p, false);
	spec_is(&r.spec, "u32le");
	/* header and body sent apart: half the PSH ends are message ends */
	start(&p);
	for (int i = 0; i < 3; i++) {
		n = pack32(m, "body of the message", false);
		seg(&p, m, 4, true);
		seg(&p, m + 4, n - 4, true);
	}
	p.in.turn_ended = true;
	r = detect(&p, true);
	spec_is(&r.spec, "u32le");
	assert_int_equal(r.confirm, 3);
}

/* Protobuf's varint: 7 bits a byte, low first, the high bit "more". */
static size_t varint(uint8_t *out, size_t n)
{
	size_t k = 0;
	do {
		out[k] = (uint8_t)((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
		n >>= 7;
		k++;
	} while (n);
	return k;
}

/* write(header); write(body), as a program sends it without TCP_NODELAY
 * on a busy machine: each header goes alone, a body now and then in two
 * segments, so fewer than half the PSH ends are message ends. Ends just
 * after a header count neither way. */
static void test_header_written_alone(void **state)
{
	(void)state;
	struct prefix p;
	start(&p);
	uint8_t h[10], b[600];
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)('a' + i % 26);
	for (int i = 0; i < 8; i++) {
		size_t n = 150 + 37 * (size_t)i;
		seg(&p, h, varint(h, n), true);
		if (i % 4 == 1) { /* the body in two */
			seg(&p, b, 100, true);
			seg(&p, b + 100, n - 100, true);
		} else {
			seg(&p, b, n, true);
		}
	}
	p.in.turn_ended = true;
	struct nl_detect_result r = detect(&p, true);
	spec_is(&r.spec, "varint");
	assert_int_equal(r.confirm, 8);
}

static void test_u32be_u16be(void **state)
{
	(void)state;
	struct prefix p;
	start(&p);
	uint8_t m[128];
	size_t n = pack32(m, "network order", true);
	seg(&p, m, n, true);
	n = pack32(m, "second", true);
	seg(&p, m, n, true);
	p.in.turn_ended = true;
	struct nl_detect_result r = detect(&p, true);
	/* u16be reads the zero high half as an empty message and u8 three
	 * of them: both end at the same places, with more, shorter
	 * messages, which chance explains better */
	spec_is(&r.spec, "u32be");
	assert_int_equal(r.confirm, 2);
	assert_true(r.has_runner_up);
	spec_is(&r.runner_up, "u16be"); /* the high halves as empty ones */
	/* DNS over TCP, two queries: u16be */
	start(&p);
	const uint8_t dns[] = {0x00, 0x1d, 0x12, 0x34, 0x01, 0x00, 0x00, 0x01,
			       0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 'e',
			       'x',  'a',  'm',	 'p',  'l',  'e',  0x03, 'c',
			       'o',  'm',  0x00, 0x00, 0x01, 0x00, 0x01};
	seg(&p, dns, sizeof(dns), true);
	p.in.turn_ended = true;
	p.in.peer_spoke = true;
	/* one short query is too little evidence for a 2-byte length
	 * (one in a few hundred by chance): turns frames it the same */
	r = detect(&p, true);
	spec_is(&r.spec, "turns");
	assert_true(r.fallback);
	seg(&p, dns, sizeof(dns), true);
	r = detect(&p, true);
	spec_is(&r.spec, "u16be");
	assert_int_equal(r.confirm, 2);
}

static void test_line(void **state)
{
	(void)state;
	struct prefix p;
	start(&p);
	seg_str(&p, "USER bob\r\n");
	p.in.turn_ended = true;
	struct nl_detect_result r = detect(&p, true);
	spec_is(&r.spec, "line");
	assert_string_equal(r.why, "lines of text end at segment ends");
	/* JSON lines, two merged and one split */
	start(&p);
	seg_str(&p, "{\"a\": 1}\n{\"b\": 2}\n");
	seg(&p, "{\"c\": [1, 2,", 12, false);
	seg_str(&p, " 3]}\n");
	p.in.turn_ended = true;
	r = detect(&p, true);
	spec_is(&r.spec, "line");
	assert_int_equal(r.confirm, 3);
	/* the turn ends inside a line: not line */
	start(&p);
	seg_str(&p, "first\nsecond without an end");
	p.in.turn_ended = true;
	p.in.peer_spoke = true;
	r = detect(&p, true);
	spec_is(&r.spec, "turns");
	assert_true(r.fallback);
	/* binary bytes are not text */
	start(&p);
	seg(&p, "ab\x01\x02\ncd\n", 8, true);
	p.in.turn_ended = true;
	r = detect(&p, true);
	assert_int_not_equal(r.spec.kind, NL_FRAMING_LINE);
}

static void test_http(void **state)
{
	(void)state;
	struct prefix p;
	start(&p);
	seg_str(&p, "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
	/* one request line decides, without waiting for the turn's end */
	struct nl_detect_result r = detect(&p, false);
	spec_is(&r.spec, "http");
	assert_string_equal(r.why, "HTTP request line");
	assert_int_equal(r.confirm, 1);
	assert_true(r.has_runner_up);
	spec_is(&r.runner_up, "line");
	/* a request line split over segments, before its end: not yet */
	start(&p);
	seg(&p, "GET /index.ht", 13, false);
	struct nl_detect_result r2;
	assert_false(nl_framing_detect(&p.in, false, &r2));
	seg_str(&p, "ml HTTP/1.0\r\n");
	r = detect(&p, false);
	spec_is(&r.spec, "http");
	assert_int_equal(r.confirm, 0); /* headers still to come */
	/* a response with a body */
	start(&p);
	seg_str(&p, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
	p.in.peer_spoke = true;
	r = detect(&p, true);
	spec_is(&r.spec, "http");
	assert_string_equal(r.why, "HTTP status line");
	/* lower case is not a method */
	start(&p);
	seg_str(&p, "get / http/1.1\r\n\r\n");
	p.in.turn_ended = true;
	r = detect(&p, true);
	spec_is(&r.spec, "line");
}

static void test_tls(void **state)
{
	(void)state;
	struct prefix p;
	start(&p);
	/* a ClientHello record header and the start of its body */
	uint8_t ch[300] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01,
			   0x00, 0x01, 0xfc, 0x03, 0x03};
	seg(&p, ch, sizeof(ch), false);
	struct nl_detect_result r = detect(&p, false);
	spec_is(&r.spec, "tls");
	assert_string_equal(r.why, "TLS record header");
	assert_int_equal(r.confirm, 0);
	/* a bad version is not TLS */
	start(&p);
	ch[1] = 0x02;
	seg(&p, ch, 5, true);
	p.in.turn_ended = true;
	r = detect(&p, true);
	assert_int_not_equal(r.spec.kind, NL_FRAMING_TLS);
}

static void test_jsonhdr(void **state)
{
	(void)state;
	struct prefix p;
	start(&p);
	const char *json = "{\"func\": \"put\", \"file_name\": \"a.bin\", "
			   "\"meta\": {\"owner\": \"alice\", \"mode\": 420}, "
			   "\"file_size\": 100000}";
	uint8_t m[300];
	uint32_t jl = (uint32_t)strlen(json);
	memcpy(m, &jl, 4); /* struct.pack('i', len) on x86 */
	memcpy(m + 4, json, jl);
	memset(m + 4 + jl, 0xee, 100);
	seg(&p, m, 4, true);
	seg(&p, m + 4, jl + 100, true);
	struct nl_detect_result r = detect(&p, false);
	spec_is(&r.spec, "jsonhdr");
	/* the header incomplete: wait */
	start(&p);
	seg(&p, m, 4 + jl - 3, false);
	struct nl_detect_result r2;
	assert_false(nl_framing_detect(&p.in, false, &r2));
	/* a JSON header longer than the prefix, which is full: jsonhdr;
	 * but not if the turn ended inside it */
	r = detect(&p, true);
	spec_is(&r.spec, "jsonhdr");
	assert_int_equal(r.confirm, 0);
	p.in.turn_ended = true;
	r = detect(&p, true);
	assert_true(r.fallback);
	start(&p);
	seg(&p, m, 40, false);
	r = detect(&p, true);
	assert_true(r.fallback); /* 36 bytes of JSON are not enough */
}

static void test_length_then_ready(void **state)
{
	(void)state;
	struct prefix p;
	start(&p);
	seg_str(&p, "1048576");
	p.in.turn_ended = true;
	p.in.peer_spoke = true;
	p.in.peer = (const uint8_t *)"ready";
	p.in.peer_len = 5;
	struct nl_detect_result r = detect(&p, true);
	spec_is(&r.spec, "turns");
	assert_false(r.fallback);
	assert_string_equal(r.why, "a length, then the peer's ready");
	/* without the ready: a plain fallback */
	p.in.peer = (const uint8_t *)"what?";
	r = detect(&p, true);
	spec_is(&r.spec, "turns");
	assert_true(r.fallback);
}

/* Three send()s of unframed text: not u32le (its length would be
 * 0x6c6c6568) nor line (no LF): turns if the peer spoke, else none. */
static void test_unframed_text(void **state)
{
	(void)state;
	struct prefix p;
	start(&p);
	seg_str(&p, "hello");
	seg_str(&p, "world");
	seg_str(&p, "egon");
	struct nl_detect_result r2;
	assert_false(nl_framing_detect(&p.in, false, &r2));
	p.in.turn_ended = true;
	p.in.peer_spoke = true;
	struct nl_detect_result r = detect(&p, true);
	spec_is(&r.spec, "turns");
	assert_true(r.fallback);
	/* merged in one segment, and one-way */
	start(&p);
	seg_str(&p, "helloworldegon");
	p.in.stream_ended = true;
	r = detect(&p, true);
	spec_is(&r.spec, "none");
	assert_true(r.fallback);
}

/* Picked up mid-stream: the first bytes are the tail of a message. */
static void test_midstream(void **state)
{
	(void)state;
	struct prefix p;
	start(&p);
	seg(&p, "tail of something", 17, true);
	uint8_t m[64];
	size_t n = pack32(m, "hello", false);
	seg(&p, m, n, true);
	n = pack32(m, "abc", false);
	seg(&p, m, n, true);
	n = pack32(m, "more data", false);
	seg(&p, m, n, true);
	p.in.midstream = true;
	p.in.turn_ended = true;
	struct nl_detect_result r = detect(&p, true);
	spec_is(&r.spec, "u32le");
	assert_int_equal(r.start, 17);
	assert_int_equal(r.confirm, 3);
	/* an HTTP request after the tail of a body */
	start(&p);
	seg(&p, "\x01\x02 binary tail", 14, true);
	seg_str(&p, "POST /x HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi");
	p.in.midstream = true;
	r = detect(&p, true);
	spec_is(&r.spec, "http");
	assert_int_equal(r.start, 14);
	/* lines: the first whole line begins after the first LF */
	start(&p);
	seg_str(&p, "rest of a line\nnext line\n");
	seg_str(&p, "third\n");
	p.in.midstream = true;
	p.in.turn_ended = true;
	r = detect(&p, true);
	spec_is(&r.spec, "line");
	assert_int_equal(r.start, 15);
}

/* A response speaks like its request: with u8 chosen for the peer, u8
 * wins where u16be would otherwise. */
static void test_peer_spec(void **state)
{
	(void)state;
	struct prefix p;
	start(&p);
	uint8_t m[31] = {0x00, 0x1d};
	memset(m + 2, 'q', 29);
	seg(&p, m, sizeof(m), true);
	seg(&p, m, sizeof(m), true);
	p.in.turn_ended = true;
	struct nl_detect_result r = detect(&p, true);
	spec_is(&r.spec, "u16be");
	assert_false(r.has_runner_up); /* u8: one empty message per hit */
	struct nl_framing_spec peer;
	char err[NL_ERRBUF_SIZE];
	assert_int_equal(nl_framing_parse("u8", &peer, err), NL_OK);
	p.in.peer_spec = &peer;
	r = detect(&p, true);
	spec_is(&r.spec, "u8");
	assert_string_equal(r.why, "the peer's framing explains it too");
	assert_int_equal(r.confirm, 4);
	/* the others are not tried once the peer's framing fits */
	assert_false(r.has_runner_up);
	/* a peer spec outside the candidates: len:2:be,offset=3 */
	assert_int_equal(nl_framing_parse("len:2:be,offset=3", &peer, err),
			 NL_OK);
	start(&p);
	seg(&p, "abc\x00\x02hi", 7, true);
	seg(&p, "xyz\x00\x00", 5, true);
	p.in.peer_spec = &peer;
	p.in.turn_ended = true;
	r = detect(&p, true);
	spec_is(&r.spec, "len:2:be,offset=3");
	/* the peer's framing when it does not explain the data */
	assert_int_equal(nl_framing_parse("u32le", &peer, err), NL_OK);
	start(&p);
	seg_str(&p, "PING\r\n");
	p.in.peer_spec = &peer;
	p.in.turn_ended = true;
	r = detect(&p, true);
	spec_is(&r.spec, "line");
}

/* The framing learned on the server port (hint) is tried first and
 * taken alone on one message end at a segment end, even before the turn
 * is over; without such an end, or when it cannot read the bytes, the
 * direction is judged on its own evidence. The peer's framing comes
 * before it. */
static void test_port_hint(void **state)
{
	(void)state;
	struct prefix p;
	struct nl_detect_result r;
	struct nl_framing_spec hint, peer;
	char err[NL_ERRBUF_SIZE];
	assert_int_equal(nl_framing_parse("u16be", &hint, err), NL_OK);
	uint8_t m[64] = {0x00, 0x05, 'h', 'e', 'l', 'l', 'o'};
	/* one short u16be message: alone not enough to decide early, and
	 * even at the turn's end read as turns-like evidence only */
	start(&p);
	seg(&p, m, 7, true);
	assert_false(nl_framing_detect(&p.in, false, &r));
	/* with the port's hint: decided at once */
	p.in.hint = &hint;
	r = detect(&p, false);
	spec_is(&r.spec, "u16be");
	assert_false(r.fallback);
	assert_int_equal(r.confirm, 1);
	assert_string_equal(r.why, "the framing of this server port's other "
				   "connections explains it too");
	assert_false(r.has_runner_up); /* nothing else was run */
	/* the segment ends inside the message: no message end to confirm
	 * the hint, so no early decision on it */
	start(&p);
	seg(&p, m, 4, true);
	p.in.hint = &hint;
	assert_false(nl_framing_detect(&p.in, false, &r));
	/* text on a port learned as u16be: "GE" reads as a length of
	 * 18245 that no segment end confirms; line wins on its own */
	start(&p);
	seg_str(&p, "GET-STATUS\n");
	seg_str(&p, "QUIT\n");
	p.in.hint = &hint;
	p.in.turn_ended = true;
	r = detect(&p, true);
	spec_is(&r.spec, "line");
	/* the peer's framing before the port's */
	assert_int_equal(nl_framing_parse("u8", &peer, err), NL_OK);
	start(&p);
	seg(&p, m, 7, true);
	p.in.hint = &hint;
	p.in.peer_spec = &peer;
	r = detect(&p, true);
	spec_is(&r.spec, "u8");
	assert_string_equal(r.why, "the peer's framing explains it too");
	/* nothing in hand at all (no buffer): a fallback, no scan of it */
	struct nl_detect_input none = {.hint = &hint, .stream_ended = true};
	assert_true(nl_framing_detect(&none, true, &r));
	assert_true(r.fallback);
}

static uint64_t rng(uint64_t *x)
{
	*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
	return *x;
}

/* Evidence against a length framing: the turn ends inside a message, or
 * most of the sender's sends (PSH) end inside messages. */
static void test_length_counter_evidence(void **state)
{
	(void)state;
	struct prefix p;
	uint8_t m[128];
	size_t n;
	start(&p);
	n = pack32(m, "first message", false);
	seg(&p, m, n, true);
	n = pack32(m, "second message", false);
	seg(&p, m, n, true);
	n = pack32(m, "a third one, longer than what came", false);
	seg(&p, m, 14, true);
	/* the prefix is full: the rest may come */
	struct nl_detect_result r = detect(&p, true);
	spec_is(&r.spec, "u32le");
	assert_int_equal(r.confirm, 2);
	/* the turn is over: the third message can never end */
	p.in.turn_ended = true;
	p.in.peer_spoke = true;
	r = detect(&p, true);
	spec_is(&r.spec, "turns");
	assert_true(r.fallback);
	/* each message written in four send()s (header and body apart, as
	 * the classic examples do): its ends explain a quarter of the
	 * sender's stops, but the lengths fit exactly and the last message
	 * ends where the turn did: still u32le */
	start(&p);
	for (int i = 0; i < 3; i++) {
		n = pack32(m, "0123456789abcdefghijklmnopqrstuvwxyz", false);
		seg(&p, m, 10, true);
		seg(&p, m + 10, 10, true);
		seg(&p, m + 20, 10, true);
		seg(&p, m + 30, n - 30, true);
	}
	p.in.turn_ended = true;
	r = detect(&p, true);
	spec_is(&r.spec, "u32le");
	assert_int_equal(r.confirm, 3);
	/* the same without PSH anywhere: every segment end counts */
	for (uint32_t i = 0; i < p.n_segs; i++)
		p.segs[i].push = false;
	r = detect(&p, true);
	spec_is(&r.spec, "u32le");
	/* but not while the turn may go on: no early call on that */
	p.in.turn_ended = false;
	assert_false(nl_framing_detect(&p.in, false, &r));
	/* with PSH only where the messages end, it is u32le */
	for (uint32_t i = 3; i < p.n_segs; i += 4)
		p.segs[i].push = true;
	r = detect(&p, true);
	spec_is(&r.spec, "u32le");
	assert_int_equal(r.confirm, 3);
}

/* Random bytes, random text, zeros: sliced into segments like a sender's
 * send()s, never taken for a length framing or line. */
static void test_false_positives(void **state)
{
	(void)state;
	static struct prefix p;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	int wrong = 0;
	for (int trial = 0; trial < 600; trial++) {
		start(&p);
		int kind = trial % 3;
		uint32_t nseg = 1 + (uint32_t)(rng(&x) % 12);
		for (uint32_t s = 0; s < nseg; s++) {
			uint8_t b[1500];
			size_t n = 1 + rng(&x) % (trial % 2 ? 40 : 1400);
			for (size_t i = 0; i < n; i++) {
				uint64_t v = rng(&x);
				b[i] =
				    kind == 0 ? (uint8_t)v
				    : kind == 1
					? (uint8_t)("abcdefghij klmno"
						    "pqrstuvwxyz ,.!?"[v % 32])
					: 0;
			}
			seg(&p, b, n, rng(&x) % 4 != 0);
		}
		p.in.turn_ended = trial % 4 != 0;
		p.in.peer_spoke = true;
		struct nl_detect_result r = detect(&p, true);
		if (!r.fallback) {
			char s[64];
			nl_framing_format(&r.spec, s, sizeof(s));
			print_message("trial %d (%s): %s, %u confirm\n", trial,
				      kind == 0	  ? "random"
				      : kind == 1 ? "text"
						  : "zeros",
				      s, r.confirm);
			wrong++;
		}
	}
	/* chance allows a few of 600; more means the scoring is broken */
	assert_true(wrong <= 3);
}

/* Hostile or odd input: nothing, segments out of range, a prefix longer
 * than allowed. */
static void test_odd_input(void **state)
{
	(void)state;
	static struct prefix p;
	start(&p);
	struct nl_detect_result r;
	assert_false(nl_framing_detect(&p.in, false, &r));
	assert_true(nl_framing_detect(&p.in, true, &r));
	spec_is(&r.spec, "none");
	start(&p);
	seg_str(&p, "abc\n");
	p.segs[0].end = 999999;
	p.segs[0].start = 999990;
	p.in.midstream = true;
	assert_true(nl_framing_detect(&p.in, true, &r));
	/* all-zero prefix of the maximum size, one segment */
	start(&p);
	static uint8_t zeros[NL_DETECT_MAX_BYTES];
	seg(&p, zeros, sizeof(zeros), true);
	p.in.turn_ended = true;
	assert_true(nl_framing_detect(&p.in, true, &r));
	assert_true(r.fallback);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_u32le_merged_and_split),
	    cmocka_unit_test(test_header_written_alone),
	    cmocka_unit_test(test_u32be_u16be),
	    cmocka_unit_test(test_line),
	    cmocka_unit_test(test_http),
	    cmocka_unit_test(test_tls),
	    cmocka_unit_test(test_jsonhdr),
	    cmocka_unit_test(test_length_then_ready),
	    cmocka_unit_test(test_unframed_text),
	    cmocka_unit_test(test_midstream),
	    cmocka_unit_test(test_peer_spec),
	    cmocka_unit_test(test_port_hint),
	    cmocka_unit_test(test_length_counter_evidence),
	    cmocka_unit_test(test_false_positives),
	    cmocka_unit_test(test_odd_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
