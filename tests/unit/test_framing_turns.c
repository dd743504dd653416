/*
 * The framers the flow stage drives from outside: turns (the peer's turn
 * ends a message; length, then "ready", then that many bytes), none (a
 * segment with PSH ends a probable send()), the end of the stream, and
 * gaps (nl_framer_skip) in every framing.
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

static struct nl_framer framer(const char *spec, uint64_t max)
{
	struct nl_framing_spec s;
	char err[NL_ERRBUF_SIZE];
	assert_int_equal(nl_framing_parse(spec, &s, err), NL_OK);
	struct nl_framer fr;
	assert_int_equal(nl_framer_init(&fr, &s, max), NL_OK);
	return fr;
}

/* Feed a string that holds no message end. */
static void feed_more(struct nl_framer *fr, const char *s)
{
	enum nl_frame_result r;
	struct nl_frame f;
	size_t n = strlen(s);
	assert_int_equal(nl_framer_feed(fr, (const uint8_t *)s, n, &r, &f), n);
	assert_int_equal(r, NL_FRAME_MORE);
}

static const uint8_t *u(const char *s)
{
	return (const uint8_t *)s;
}

static void test_turns(void **state)
{
	(void)state;
	struct nl_framer fr = framer("turns", 0);
	struct nl_frame f;
	/* nothing yet: the peer's turn ends nothing */
	assert_false(nl_framer_turn_end(&fr, u("hi"), 2, &f));
	feed_more(&fr, "hello");
	feed_more(&fr, "world");
	assert_int_equal(nl_framer_msg_len(&fr), 0);
	assert_true(nl_framer_turn_end(&fr, u("ok"), 2, &f));
	assert_int_equal(f.start, 0);
	assert_int_equal(f.len, 10);
	assert_int_equal(f.header_len, 0);
	/* a number not answered by "ready" is just a turn */
	feed_more(&fr, "12");
	assert_true(nl_framer_turn_end(&fr, u("nope"), 4, &f));
	assert_int_equal(f.len, 2);
	assert_int_equal(nl_framer_msg_len(&fr), 0);
	/* a gap inside a turn stays in step */
	feed_more(&fr, "ab");
	assert_true(nl_framer_skip(&fr, 100));
	feed_more(&fr, "cd");
	assert_true(nl_framer_turn_end(&fr, u("x"), 1, &f));
	assert_int_equal(f.start, 12);
	assert_int_equal(f.len, 104);
	/* the end of the stream ends the last turn; push is not turns' */
	feed_more(&fr, "last");
	assert_false(nl_framer_push(&fr, &f));
	assert_true(nl_framer_end(&fr, &f));
	assert_int_equal(f.start, 116);
	assert_int_equal(f.len, 4);
	assert_false(nl_framer_end(&fr, &f));
	nl_framer_free(&fr);
}

/* Length, then the peer's "ready", then exactly that many bytes: the last
 * message ends when they arrived, without waiting for the peer. */
static void test_turns_length_then_ready(void **state)
{
	(void)state;
	struct nl_framer fr = framer("turns", 0);
	struct nl_frame f;
	enum nl_frame_result r;
	feed_more(&fr, "1");
	feed_more(&fr, "2\r\n");
	assert_true(nl_framer_turn_end(&fr, u("READY\n"), 6, &f));
	assert_int_equal(f.len, 4);
	assert_int_equal(nl_framer_msg_len(&fr), 12);
	assert_int_equal(nl_framer_pending(&fr), 12);
	/* the upload, then more in the same turn */
	const char *up = "0123456789abNEXT";
	assert_int_equal(nl_framer_feed(&fr, u(up), 5, &r, &f), 5);
	assert_int_equal(r, NL_FRAME_MORE);
	assert_int_equal(nl_framer_feed(&fr, u(up) + 5, 11, &r, &f), 7);
	assert_int_equal(r, NL_FRAME_MESSAGE);
	assert_int_equal(f.start, 4);
	assert_int_equal(f.len, 12);
	assert_int_equal(nl_framer_msg_len(&fr), 0);
	/* what follows is a turn again */
	feed_more(&fr, "NEXT");
	assert_true(nl_framer_turn_end(&fr, u("done"), 4, &f));
	assert_int_equal(f.start, 16);
	assert_int_equal(f.len, 4);

	/* a gap inside the announced bytes stays in step and can end it */
	feed_more(&fr, "5");
	assert_true(nl_framer_turn_end(&fr, u("ready"), 5, &f));
	feed_more(&fr, "ab");
	assert_true(nl_framer_skip(&fr, 3));
	assert_int_equal(nl_framer_feed(&fr, NULL, 0, &r, &f), 0);
	assert_int_equal(r, NL_FRAME_MESSAGE);
	assert_int_equal(f.start, 21);
	assert_int_equal(f.len, 5);
	/* the stream ending inside the announced bytes: cut, not ended */
	feed_more(&fr, "3");
	assert_true(nl_framer_turn_end(&fr, u("ready"), 5, &f));
	feed_more(&fr, "a");
	assert_false(nl_framer_end(&fr, &f));
	assert_int_equal(nl_framer_pending(&fr), 2);

	/* not numbers: letters, digits after white space, too many digits,
	 * zero, more than max_message */
	const char *nots[] = {"12a", "1 2", "12345678901234567890", "0",
			      "1000"};
	for (size_t i = 0; i < 5; i++) {
		struct nl_framer g = framer("turns", 999);
		feed_more(&g, nots[i]);
		assert_true(nl_framer_turn_end(&g, u("ready"), 5, &f));
		assert_int_equal(nl_framer_msg_len(&g), 0);
	}
	/* the largest number of digits accepted */
	struct nl_framer g = framer("turns", UINT64_MAX);
	feed_more(&g, "9999999999999999999");
	assert_true(nl_framer_turn_end(&g, u("ready\r\n"), 7, &f));
	assert_int_equal(nl_framer_msg_len(&g), 9999999999999999999ull);
	/* "ready" must be the whole of the peer's bytes */
	g = framer("turns", 0);
	feed_more(&g, "7");
	assert_true(nl_framer_turn_end(&g, u("ready now"), 9, &f));
	assert_int_equal(nl_framer_msg_len(&g), 0);
	nl_framer_free(&fr);
}

static void test_none(void **state)
{
	(void)state;
	struct nl_framer fr = framer("none", 0);
	struct nl_frame f;
	assert_false(nl_framer_push(&fr, &f));
	feed_more(&fr, "abc");
	feed_more(&fr, "de");
	assert_true(nl_framer_push(&fr, &f));
	assert_int_equal(f.start, 0);
	assert_int_equal(f.len, 5);
	assert_false(nl_framer_push(&fr, &f));
	assert_false(nl_framer_turn_end(&fr, u("x"), 1, &f));
	assert_true(nl_framer_skip(&fr, 10));
	feed_more(&fr, "z");
	assert_true(nl_framer_end(&fr, &f));
	assert_int_equal(f.start, 5);
	assert_int_equal(f.len, 11);
	assert_false(nl_framer_end(&fr, &f));
	nl_framer_free(&fr);
}

/* Gaps in length framings: in step inside a known body; lost step in a
 * header or across the end of a body. */
static void test_skip(void **state)
{
	(void)state;
	struct nl_frame f;
	enum nl_frame_result r;
	struct nl_framer fr = framer("u16be", 0);
	const uint8_t m[] = {0, 10, 'a', 'b'};
	assert_int_equal(nl_framer_feed(&fr, m, 4, &r, &f), 4);
	assert_int_equal(nl_framer_msg_len(&fr), 12);
	assert_true(nl_framer_skip(&fr, 0));
	assert_true(nl_framer_skip(&fr, 5));
	assert_int_equal(nl_framer_pending(&fr), 3);
	const uint8_t rest[] = {'x', 'y', 'z', 0, 1, 'q'};
	assert_int_equal(nl_framer_feed(&fr, rest, 6, &r, &f), 3);
	assert_int_equal(r, NL_FRAME_MESSAGE);
	assert_int_equal(f.len, 12);
	assert_int_equal(nl_framer_feed(&fr, rest + 3, 3, &r, &f), 3);
	assert_int_equal(r, NL_FRAME_MESSAGE);
	assert_int_equal(f.start, 12);
	/* a gap where a header would be */
	assert_false(nl_framer_skip(&fr, 1));
	assert_int_equal(nl_framer_feed(&fr, rest, 6, &r, &f), 0);
	assert_false(nl_framer_skip(&fr, 1));
	nl_framer_resync(&fr, 100);
	/* across the end of the body */
	assert_int_equal(nl_framer_feed(&fr, m, 4, &r, &f), 4);
	assert_false(nl_framer_skip(&fr, 9));
	assert_int_equal(nl_framer_msg_len(&fr), 0);
	/* a gap that ends a zero-length remainder exactly */
	nl_framer_resync(&fr, 0);
	assert_int_equal(nl_framer_feed(&fr, m, 2, &r, &f), 2);
	assert_true(nl_framer_skip(&fr, 10));
	assert_int_equal(nl_framer_feed(&fr, rest, 6, &r, &f), 0);
	assert_int_equal(r, NL_FRAME_MESSAGE);
	assert_int_equal(f.len, 12);
	assert_false(nl_framer_end(&fr, &f));
	/* or the end of the stream reports it */
	nl_framer_resync(&fr, 0);
	assert_int_equal(nl_framer_feed(&fr, m, 3, &r, &f), 3);
	assert_true(nl_framer_skip(&fr, 9));
	assert_true(nl_framer_end(&fr, &f));
	assert_int_equal(f.start, 0);
	assert_int_equal(f.len, 12);
	assert_false(nl_framer_end(&fr, &f));

	/* line: a gap can hide an LF */
	fr = framer("line", 0);
	feed_more(&fr, "abc");
	assert_false(nl_framer_skip(&fr, 2));
	/* jsonhdr: in the body yes, in the JSON header no */
	fr = framer("jsonhdr", 0);
	const char *j = "\x0b\0\0\0{\"size\": 9}ab";
	assert_int_equal(nl_framer_feed(&fr, u(j), 17, &r, &f), 17);
	assert_true(nl_framer_skip(&fr, 7));
	assert_int_equal(nl_framer_feed(&fr, u(j), 0, &r, &f), 0);
	assert_int_equal(r, NL_FRAME_MESSAGE);
	assert_int_equal(f.len, 24);
	assert_int_equal(f.header_len, 15);
	assert_int_equal(nl_framer_feed(&fr, u(j), 8, &r, &f), 8);
	assert_false(nl_framer_skip(&fr, 1));
	/* tls and varint */
	fr = framer("tls", 0);
	const uint8_t t[] = {23, 3, 3, 0, 4, 1};
	assert_int_equal(nl_framer_feed(&fr, t, 6, &r, &f), 6);
	assert_int_equal(nl_framer_msg_len(&fr), 9);
	assert_true(nl_framer_skip(&fr, 3));
	assert_int_equal(nl_framer_feed(&fr, t, 6, &r, &f), 0);
	assert_int_equal(r, NL_FRAME_MESSAGE);
	assert_int_equal(f.header_len, 5);
	fr = framer("varint", 0);
	const uint8_t v[] = {0x80};
	assert_int_equal(nl_framer_feed(&fr, v, 1, &r, &f), 1);
	assert_false(nl_framer_skip(&fr, 1));
	/* end: a length framing's partial message is the caller's */
	fr = framer("u8", 0);
	assert_int_equal(nl_framer_feed(&fr, m + 1, 2, &r, &f), 2);
	assert_false(nl_framer_end(&fr, &f));
	assert_false(nl_framer_push(&fr, &f));
	assert_false(nl_framer_turn_end(&fr, u("ready"), 5, &f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_turns),
	    cmocka_unit_test(test_turns_length_then_ready),
	    cmocka_unit_test(test_none),
	    cmocka_unit_test(test_skip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
