/*
 * The HTTP/1.x framer: pipelined requests and responses with
 * Content-Length, chunked and until-close bodies, fed whole, byte by byte
 * and in random chunks (the same messages every time), hostile headers,
 * and gaps.
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

#define MAXM 32

struct msgs {
	size_t n;
	struct nl_frame f[MAXM];
	bool error;
	struct nl_frame err;
	bool ended; /* nl_framer_end() gave a last message */
};

/* Feed data in chunks chosen by mode (0 whole, 1 bytewise, else random
 * with seed mode), then end the stream. */
static void feed(const uint8_t *data, size_t len, uint64_t max, unsigned mode,
		 struct msgs *m)
{
	struct nl_framing_spec s;
	char err[NL_ERRBUF_SIZE];
	assert_int_equal(nl_framing_parse("http", &s, err), NL_OK);
	struct nl_framer fr;
	assert_int_equal(nl_framer_init(&fr, &s, max), NL_OK);
	memset(m, 0, sizeof(*m));
	srand(mode);
	size_t pos = 0;
	while (pos < len && !m->error) {
		size_t chunk = mode == 0   ? len - pos
			       : mode == 1 ? 1
					   : 1 + (size_t)rand() % 37;
		if (chunk > len - pos)
			chunk = len - pos;
		/* an exact-size copy: ASan catches any read past it */
		uint8_t *c = malloc(chunk);
		assert_non_null(c);
		memcpy(c, data + pos, chunk);
		size_t off = 0;
		while (off < chunk) {
			enum nl_frame_result r;
			struct nl_frame f;
			size_t used =
			    nl_framer_feed(&fr, c + off, chunk - off, &r, &f);
			assert_true(used <= chunk - off);
			off += used;
			if (r == NL_FRAME_MESSAGE) {
				assert_true(m->n < MAXM);
				assert_int_equal(f.start + f.len, pos + off);
				m->f[m->n++] = f;
			} else if (r == NL_FRAME_ERROR) {
				m->error = true;
				m->err = f;
				break;
			} else {
				assert_int_equal(off, chunk);
			}
		}
		free(c);
		pos += chunk;
	}
	struct nl_frame f;
	if (!m->error && nl_framer_end(&fr, &f)) {
		assert_true(m->n < MAXM);
		m->f[m->n++] = f;
		m->ended = true;
	}
	nl_framer_free(&fr);
}

static void same_everywhere(const char *text, size_t len, uint64_t max,
			    struct msgs *out)
{
	const uint8_t *data = (const uint8_t *)text;
	feed(data, len, max, 0, out);
	for (unsigned mode = 1; mode < 30; mode++) {
		struct msgs m;
		feed(data, len, max, mode, &m);
		assert_int_equal(m.n, out->n);
		assert_int_equal(m.error, out->error);
		assert_int_equal(m.ended, out->ended);
		for (size_t i = 0; i < m.n; i++) {
			assert_int_equal(m.f[i].start, out->f[i].start);
			assert_int_equal(m.f[i].len, out->f[i].len);
			assert_int_equal(m.f[i].header_len,
					 out->f[i].header_len);
		}
		if (m.error) {
			assert_string_equal(m.err.error, out->err.error);
			assert_int_equal(m.err.error_at, out->err.error_at);
		}
	}
}

/* Messages given as pieces; checks each message's length. */
static void expect_msgs(const char *const *pieces, size_t n, bool last_ended)
{
	char buf[4096];
	size_t len = 0, ends[MAXM];
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(pieces[i]);
		memcpy(buf + len, pieces[i], k);
		len += k;
		ends[i] = len;
	}
	struct msgs m;
	same_everywhere(buf, len, 0, &m);
	if (m.error)
		fail_msg("error '%s' at %llu", m.err.error,
			 (unsigned long long)m.err.error_at);
	assert_int_equal(m.n, n);
	assert_int_equal(m.ended, last_ended);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(m.f[i].start + m.f[i].len, ends[i]);
}

static void test_pipelined_requests(void **state)
{
	(void)state;
	const char *reqs[] = {
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
	    "POST /up HTTP/1.1\r\ncontent-LENGTH: 5\r\n\r\nhello",
	    "POST /c HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
	    "5;name=\"v\"\r\nhello\r\n1a \r\nabcdefghijklmnopqrstuvwxyz\r\n"
	    "0\r\nX-Sum: 1\r\nX-Other: 2\r\n\r\n",
	    /* an extra CRLF before a request (RFC 9112 §2.2), LF only */
	    "\r\nDELETE /x HTTP/1.0\nContent-Length:  0 \n\n",
	    "PUT /t HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n"
	    "X-Folded: a\r\n b\r\n\r\nabc",
	};
	expect_msgs(reqs, 5, false);
	struct msgs m;
	same_everywhere(reqs[1], strlen(reqs[1]), 0, &m);
	assert_int_equal(m.f[0].header_len, strlen(reqs[1]) - 5);
	/* a request without a body ends with its header block, even when
	 * nothing follows */
	same_everywhere(reqs[0], strlen(reqs[0]), 0, &m);
	assert_int_equal(m.n, 1);
	assert_false(m.ended);
	assert_int_equal(m.f[0].header_len, m.f[0].len);
}

static void test_responses(void **state)
{
	(void)state;
	const char *resp[] = {
	    "HTTP/1.1 100 Continue\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
	    "HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n",
	    "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "A\r\n0123456789\r\n0\r\n\r\n",
	    "HTTP/1.0 404\r\nContent-Length: 1\r\n\r\nx",
	    /* neither length nor chunked: until the connection closes */
	    "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nall of the rest",
	};
	expect_msgs(resp, 7, true);
	/* chunked, but not as the last coding: until close too */
	const char *te[] = {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, "
			    "gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n"};
	expect_msgs(te, 1, true);
	const char *te2[] = {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunkedx"
			     "\r\n\r\n5\r\nhello\r\n0\r\n\r\n"};
	expect_msgs(te2, 1, true);
	const char *te3[] = {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n"
			     "Transfer-Encoding: , Chunked ,\r\n\r\n"
			     "5\r\nhello\r\n0\r\n\r\n",
			     "HTTP/1.0 200 OK\r\n\r\n"};
	expect_msgs(te3, 2, true);
	/* 101: what follows is another protocol, until close */
	const char *up[] = {"HTTP/1.1 101 Switching Protocols\r\nUpgrade: "
			    "websocket\r\n\r\n",
			    "\x81\x05hello\x82\x00"};
	expect_msgs(up, 2, true);
}

static void expect_error(const char *text, size_t len, uint64_t max,
			 const char *why, uint64_t at)
{
	struct msgs m;
	same_everywhere(text, len, max, &m);
	if (!m.error)
		fail_msg("no error for '%.40s' (%zu messages)", text, m.n);
	if (!strstr(m.err.error, why) || m.err.error_at != at)
		fail_msg("'%.50s': error '%s' at %llu, expected '%s' at %llu",
			 text, m.err.error, (unsigned long long)m.err.error_at,
			 why, (unsigned long long)at);
}

#define ERR(text, why, at) expect_error(text, strlen(text), 0, why, at)

static void test_hostile(void **state)
{
	(void)state;
	ERR("hello world\r\n", "not an HTTP request", 0);
	ERR("GET / HTTP/2.0\r\n\r\n", "not HTTP/1.x", 11);
	ERR("GET /\r\n\r\n", "bad HTTP request target", 5);
	ERR("GET / HTTP/1.1 x\r\n\r\n", "bad HTTP request line", 14);
	ERR("HTTP/1.1 2x0 OK\r\n\r\n", "status code", 10);
	ERR("GET / HTTP/1.1\r\nNo colon here\r\n\r\n", "malformed HTTP header",
	    18);
	ERR("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
	    "Content-Length not a number", 32);
	ERR("GET / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n",
	    "Content-Length not a number", 34);
	ERR("GET / HTTP/1.1\r\nContent-Length:\r\n\r\n",
	    "Content-Length not a number", 32);
	ERR("GET / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
	    "length out of range", 39);
	ERR("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
	    "conflicting", 53);
	ERR("GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "not chunked",
	    42);
	ERR("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "fffffffffffffffff\r\n",
	    "bad HTTP chunk size", 53);
	ERR("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
	    "bad HTTP chunk size", 47);
	ERR("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3x\r\n",
	    "bad HTTP chunk size", 48);
	ERR("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "3\r\nabcX\r\n",
	    "not followed by CRLF", 53);
	ERR("GET / HTTP/1.1\r\n\rX", "header block end", 17);
	/* a body over --max-message */
	expect_error("GET / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n", 40, 1000,
		     "length out of range", 35);
	expect_error("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
		     "3e9\r\n",
		     52, 1000, "length out of range", 51);

	/* endless header: an error past 64 KiB, whatever the line length */
	size_t n = NL_FRAMING_HTTP_HDR_MAX + 100;
	char *big = malloc(n);
	assert_non_null(big);
	memcpy(big, "GET / HTTP/1.1\r\nX-Long: ", 24);
	memset(big + 24, 'a', n - 24);
	expect_error(big, n, 0, "over 64 KiB", NL_FRAMING_HTTP_HDR_MAX);
	for (size_t i = 24; i < n; i += 50)
		memcpy(big + i, "\r\nX: ", 5);
	expect_error(big, n, 0, "over 64 KiB", NL_FRAMING_HTTP_HDR_MAX);
	/* a long line under the cap is fine */
	memset(big + 24, 'a', 20000);
	memcpy(big + 24 + 20000, "\r\n\r\n", 4);
	struct msgs m;
	same_everywhere(big, 24 + 20004, 0, &m);
	assert_false(m.error);
	assert_int_equal(m.n, 1);
	/* a truncated header block is no message, and not ended either */
	same_everywhere(big, 30, 0, &m);
	assert_false(m.error);
	assert_int_equal(m.n, 0);
	free(big);
	/* endless chunk extensions */
	char ext[6000] =
	    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;";
	size_t k = strlen(ext);
	memset(ext + k, 'e', sizeof(ext) - k);
	expect_error(ext, sizeof(ext), 0, "chunk size line too long",
		     k - 2 + 4097 - 1);
}

static struct nl_framer http_framer(void)
{
	struct nl_framing_spec s;
	char err[NL_ERRBUF_SIZE];
	assert_int_equal(nl_framing_parse("http", &s, err), NL_OK);
	struct nl_framer fr;
	assert_int_equal(nl_framer_init(&fr, &s, 0), NL_OK);
	return fr;
}

static void feed_str(struct nl_framer *fr, const char *s,
		     enum nl_frame_result *r, struct nl_frame *f)
{
	size_t n = strlen(s);
	assert_int_equal(nl_framer_feed(fr, (const uint8_t *)s, n, r, f), n);
}

static void test_gaps(void **state)
{
	(void)state;
	enum nl_frame_result r;
	struct nl_frame f;
	/* inside a Content-Length body: in step; the gap ends the message,
	 * the next feed reports it */
	struct nl_framer fr = http_framer();
	feed_str(&fr, "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nab", &r,
		 &f);
	assert_int_equal(r, NL_FRAME_MORE);
	assert_int_equal(nl_framer_msg_len(&fr), 39 + 10);
	assert_int_equal(nl_framer_pending(&fr), 8);
	assert_true(nl_framer_skip(&fr, 8));
	assert_int_equal(nl_framer_feed(&fr, NULL, 0, &r, &f), 0);
	assert_int_equal(r, NL_FRAME_MESSAGE);
	assert_int_equal(f.len, 49);
	/* a gap over the end of the body: lost step */
	feed_str(&fr, "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nab", &r,
		 &f);
	assert_false(nl_framer_skip(&fr, 9));
	assert_int_equal(nl_framer_feed(&fr, (const uint8_t *)"x", 1, &r, &f),
			 0);
	/* in a chunk: in step */
	nl_framer_resync(&fr, 0);
	feed_str(&fr,
		 "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
		 "10\r\nab",
		 &r, &f);
	assert_true(nl_framer_skip(&fr, 14));
	feed_str(&fr, "\r\n0\r\n\r\n", &r, &f);
	assert_int_equal(r, NL_FRAME_MESSAGE);
	assert_int_equal(f.len, 47 + 4 + 16 + 7);
	assert_int_equal(nl_framer_msg_len(&fr), 0);
	/* in a header: lost step */
	feed_str(&fr, "GET / HT", &r, &f);
	assert_false(nl_framer_skip(&fr, 3));
	/* until close: in step, and the end ends it */
	nl_framer_resync(&fr, 0);
	feed_str(&fr, "HTTP/1.1 200 OK\r\n\r\nabc", &r, &f);
	assert_true(nl_framer_skip(&fr, 1000));
	feed_str(&fr, "def", &r, &f);
	assert_int_equal(r, NL_FRAME_MORE);
	assert_true(nl_framer_end(&fr, &f));
	assert_int_equal(f.len, 19 + 3 + 1000 + 3);
	assert_int_equal(f.header_len, 19);
	/* only once */
	assert_false(nl_framer_end(&fr, &f));
	/* turn_end and push are not HTTP's */
	assert_false(nl_framer_push(&fr, &f));
	assert_false(nl_framer_turn_end(&fr, (const uint8_t *)"x", 1, &f));
	nl_framer_free(&fr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pipelined_requests),
	    cmocka_unit_test(test_responses),
	    cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_gaps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
