/*
 * TCP stream reassembly, case by case: in and out of order, retransmissions,
 * overlaps under both policies, gaps, SYN/FIN/RST, sequence wrap, mid-stream
 * pickup, the memory caps. test_reasm_prop.c adds the randomized property
 * tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/reasm_rec.h"

/* ---- in order, out of order ---- */

static void test_in_order_no_copy(void **state)
{
	(void)state;
	open_reasm(0, 0, NL_REASM_FIRST);
	feed(1000, SYN, "");
	const uint8_t *p = feed(1001, 0, "hello");
	assert_ptr_equal(REC.last_data, p); /* straight from the packet */
	p = feed(1006, 0, " world");
	assert_ptr_equal(REC.last_data, p);
	expect_out("hello world");
	assert_int_equal(REC.n, 2);
	expect_ev(0, NL_REASM_DATA, 0, 5);
	assert_int_equal(REC.evs[0].frame, 2);
	expect_ev(1, NL_REASM_DATA, 5, 6);
	assert_int_equal(REC.evs[1].frame, 3);
	assert_int_equal(S.c.delivered_bytes, 11);
	assert_int_equal(S.c.ooo_segs, 0);
	assert_int_equal(S.c.max_buffered, 0);
	assert_int_equal(pool_in_use(), 0);
	finish();
	assert_int_equal(REC.n, 2);
}

static void test_out_of_order_two(void **state)
{
	(void)state;
	open_reasm(0, 0, NL_REASM_FIRST);
	feed(0, SYN, "");
	feed(6, 0, "world"); /* frame 2, waits */
	assert_int_equal(REC.n, 0);
	assert_int_equal(pool_in_use(), 1);
	feed(1, 0, "hello"); /* frame 3 */
	expect_out("helloworld");
	expect_ev(0, NL_REASM_DATA, 0, 5);
	assert_int_equal(REC.evs[0].frame, 3);
	expect_ev(1, NL_REASM_DATA, 5, 5);
	assert_int_equal(REC.evs[1].frame, 2); /* the original carrier */
	assert_int_equal(S.c.ooo_segs, 1);
	assert_int_equal(S.c.max_buffered, NL_REASM_CHUNK);
	assert_int_equal(pool_in_use(), 0);
}

static void test_out_of_order_reverse_many(void **state)
{
	(void)state;
	open_reasm(0, 0, NL_REASM_FIRST);
	static uint8_t data[100 * 700];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + i / 251);
	feed(41, SYN, "");
	for (int k = 99; k >= 0; k--)
		feed_to(&S, &REC, 42 + (uint32_t)k * 700, 0, data + k * 700,
			700, 700);
	assert_int_equal(REC.next, sizeof(data));
	assert_memory_equal(REC.out, data, sizeof(data));
	assert_int_equal(S.c.ooo_segs, 99);
	/* 700 bytes take two chunks; 99 segments waited */
	assert_int_equal(S.c.max_buffered, 99 * 2 * NL_REASM_CHUNK);
	assert_int_equal(pool_in_use(), 0);
	assert_int_equal(REC.count[NL_REASM_GAP], 0);
}

static void test_retransmission_identical(void **state)
{
	(void)state;
	open_reasm(0, 0, NL_REASM_FIRST);
	feed(0, SYN, "");
	feed(1, 0, "abcd");
	feed(1, 0, "abcd"); /* already delivered */
	feed(9, 0, "ijkl");
	feed(9, 0, "ijkl"); /* already buffered */
	feed(5, 0, "efgh");
	expect_out("abcdefghijkl");
	assert_int_equal(S.c.retrans_bytes, 8);
	assert_int_equal(S.c.retrans_segs, 2);
	assert_int_equal(S.c.conflicts, 0);
	assert_int_equal(REC.count[NL_REASM_RETRANS], 2);
	expect_ev(1, NL_REASM_RETRANS, 0, 4);
	expect_ev(2, NL_REASM_RETRANS, 8, 4);
	assert_int_equal(REC.count[NL_REASM_DATA], 3);
}

/* ---- overlaps ---- */

static const char ORIG[] = "0123456789ABCDEFGHIJKLMNOPQRST"; /* 30 bytes */

struct ovl_case {
	const char *name;
	uint32_t a, b; /* the overlapping segment [a, b) */
	int diff;      /* offset changed to 'x' in it; -1 none */
	uint64_t conflict_off, retrans;
};

/*
 * [10, 20) is held out of order; then a segment [a, b) overlaps it; then
 * [0, 10) and [20, 30) fill the rest (their overlaps are identical).
 */
static void run_overlap(const struct ovl_case *k, enum nl_reasm_overlap pol)
{
	open_reasm(0, 0, pol);
	feed(99, SYN, "");
	feed_to(&S, &REC, 100 + 10, 0, ORIG + 10, 10, 10);
	char seg[32];
	memcpy(seg, ORIG + k->a, k->b - k->a);
	if (k->diff >= 0)
		seg[k->diff - (int)k->a] = 'x';
	feed_to(&S, &REC, 100 + k->a, 0, seg, k->b - k->a, k->b - k->a);
	feed_to(&S, &REC, 100, 0, ORIG, 10, 10);
	feed_to(&S, &REC, 100 + 20, 0, ORIG + 20, 10, 10);
	char want[31];
	memcpy(want, ORIG, 31);
	if (k->diff >= 0 && pol == NL_REASM_LAST)
		want[k->diff] = 'x';
	if (REC.next != 30 || memcmp(REC.out, want, 30) != 0)
		fail_msg("%s/%s: got '%.30s'", k->name,
			 pol == NL_REASM_LAST ? "last" : "first", REC.out);
	if (k->diff >= 0) {
		assert_int_equal(S.c.conflicts, 1);
		assert_int_equal(S.c.conflict_bytes, 1);
		assert_int_equal(REC.count[NL_REASM_CONFLICT], 1);
		for (size_t i = 0; i < REC.n; i++)
			if (REC.evs[i].type == NL_REASM_CONFLICT)
				assert_int_equal(REC.evs[i].off,
						 k->conflict_off);
	} else {
		assert_int_equal(S.c.conflicts, 0);
	}
	/* the overlap with [10,20), plus the fillers' overlaps */
	uint64_t fill =
	    (k->a < 10 ? 10 - k->a : 0) + (k->b > 20 ? k->b - 20 : 0);
	assert_int_equal(S.c.retrans_bytes, k->retrans + fill);
	assert_int_equal(pool_in_use(), 0);
}

static void test_overlaps(void **state)
{
	(void)state;
	static const struct ovl_case cases[] = {
	    {"left", 5, 15, -1, 0, 5},
	    {"left-diff", 5, 15, 12, 12, 5},
	    {"right", 15, 25, -1, 0, 5},
	    {"right-diff", 15, 25, 19, 19, 5},
	    {"covering", 5, 25, -1, 0, 10},
	    {"covering-diff", 5, 25, 10, 10, 10},
	    {"inside", 12, 18, -1, 0, 6},
	    {"inside-diff", 12, 18, 17, 17, 6},
	    {"exact-diff", 10, 20, 15, 15, 10},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_overlap(&cases[i], NL_REASM_FIRST);
		run_overlap(&cases[i], NL_REASM_LAST);
	}
}

static void test_overlap_own_part_is_data(void **state)
{
	(void)state;
	/* a byte that differs where nothing was held is just data */
	open_reasm(0, 0, NL_REASM_FIRST);
	feed(99, SYN, "");
	feed(110, 0, "ABCDEFGHIJ");
	feed(105, 0, "5x789ABCDE");
	feed(100, 0, "01234");
	expect_out("012345x789ABCDEFGHIJ");
	assert_int_equal(S.c.conflicts, 0);
}

static void test_overlap_at_delivery_point(void **state)
{
	(void)state;
	/* a segment at next covering a held piece: compared, not resent */
	for (int pol = 0; pol < 2; pol++) {
		open_reasm(0, 0, (enum nl_reasm_overlap)pol);
		feed(0, SYN, "");
		feed(5, 0, "EFGH");	   /* [4,8) held */
		feed(1, 0, "abcdEfxHijk"); /* [0,11): 'x' differs at 6 */
		expect_out(pol == NL_REASM_FIRST ? "abcdEFGHijk"
						 : "abcdEfxHijk");
		assert_int_equal(S.c.conflicts, 1);
		assert_int_equal(S.c.conflict_bytes, 2); /* f, x */
		assert_int_equal(S.c.retrans_bytes, 4);
		expect_ev(0, NL_REASM_DATA, 0, 4);
		expect_ev(1, NL_REASM_RETRANS, 4, 4);
		expect_ev(2, NL_REASM_CONFLICT, 5, 2);
		expect_ev(3, NL_REASM_DATA, 4, 4);
		expect_ev(4, NL_REASM_DATA, 8, 3);
		assert_int_equal(pool_in_use(), 0);
	}
}

static void test_overlap_delivered_cannot_conflict(void **state)
{
	(void)state;
	/* bytes already delivered are gone: a differing copy is only a
	 * retransmission (documented in reasm.h) */
	open_reasm(0, 0, NL_REASM_LAST);
	feed(0, SYN, "");
	feed(1, 0, "abcd");
	feed(3, 0, "XYef");
	expect_out("abcdef");
	assert_int_equal(S.c.conflicts, 0);
	assert_int_equal(S.c.retrans_bytes, 2);
}

/* ---- gaps ---- */

static void test_gap_never_filled(void **state)
{
	(void)state;
	open_reasm(0, 0, NL_REASM_FIRST);
	feed(0, SYN, "");
	feed(1, 0, "0123456789");
	feed(21, 0, "KLMNOPQRST");
	feed(41, 0, "klmnopqrst");
	assert_int_equal(REC.next, 10);
	finish();
	assert_int_equal(REC.next, 50);
	expect_ev(1, NL_REASM_GAP, 10, 10);
	assert_int_equal(REC.evs[1].reason, NL_REASM_GAP_LOST);
	expect_ev(2, NL_REASM_DATA, 20, 10);
	expect_ev(3, NL_REASM_GAP, 30, 10);
	expect_ev(4, NL_REASM_DATA, 40, 10);
	assert_int_equal(S.c.gaps, 2);
	assert_int_equal(S.c.gap_bytes, 20);
	assert_int_equal(pool_in_use(), 0);
	/* finished: later segments are counted and ignored */
	feed(51, 0, "late");
	assert_int_equal(S.c.after_end_segs, 1);
	assert_int_equal(REC.next, 50);
}

static void test_gap_filled_later(void **state)
{
	(void)state;
	open_reasm(0, 0, NL_REASM_FIRST);
	feed(0, SYN, "");
	feed(1, 0, "0123456789");
	feed(21, 0, "KLMNOPQRST");
	feed(11, 0, "ABCDEFGHIJ");
	finish();
	expect_out("0123456789ABCDEFGHIJKLMNOPQRST");
	assert_int_equal(S.c.gaps, 0);
}

static void test_gap_snaplen(void **state)
{
	(void)state;
	open_reasm(0, 0, NL_REASM_FIRST);
	feed(0, SYN, "");
	/* 10 bytes sent, 4 captured: in order */
	feed_to(&S, &REC, 1, 0, "abcd", 4, 10);
	expect_ev(0, NL_REASM_DATA, 0, 4);
	expect_ev(1, NL_REASM_GAP, 4, 6);
	assert_int_equal(REC.evs[1].reason, NL_REASM_GAP_SNAPLEN);
	/* cut segment out of order: waits as data + a missing marker */
	feed_to(&S, &REC, 21, 0, "uvwx", 4, 10);
	feed_to(&S, &REC, 11, 0, "ABCDEFGHIJ", 10, 10);
	assert_int_equal(REC.next, 30);
	expect_ev(3, NL_REASM_DATA, 20, 4);
	expect_ev(4, NL_REASM_GAP, 24, 6);
	assert_int_equal(REC.evs[4].reason, NL_REASM_GAP_SNAPLEN);
	assert_memory_equal(REC.out + 20, "uvwx", 4);
	assert_int_equal(S.c.snaplen_gap_bytes, 12);
	assert_int_equal(S.c.gaps, 2);
	/* nothing captured at all */
	feed_to(&S, &REC, 31, 0, "", 0, 5);
	expect_ev(5, NL_REASM_GAP, 30, 5);
	/* a cut copy waiting out of order stays a gap when a full copy
	 * comes: a capture's snaplen cuts every copy alike */
	feed_to(&S, &REC, 41, 0, "01", 2, 8);	    /* [40,48), 2 captured */
	feed_to(&S, &REC, 41, 0, "01234567", 8, 8); /* the full copy */
	feed_to(&S, &REC, 36, 0, "abcde", 5, 5);
	assert_int_equal(REC.next, 48);
	expect_ev(6, NL_REASM_RETRANS, 40, 2);
	expect_ev(7, NL_REASM_RETRANS, 42, 6);
	expect_ev(8, NL_REASM_DATA, 35, 5);
	expect_ev(9, NL_REASM_DATA, 40, 2);
	expect_ev(10, NL_REASM_GAP, 42, 6);
	assert_int_equal(S.c.retrans_bytes, 8);
	/* a full copy of the cut bytes later: a retransmission */
	feed_to(&S, &REC, 5, 0, "efghij", 6, 6);
	assert_int_equal(S.c.retrans_bytes, 8 + 6);
	assert_int_equal(pool_in_use(), 0);
}

/* ---- SYN, FIN, RST ---- */

static void test_syn_with_data(void **state)
{
	(void)state;
	open_reasm(0, 0, NL_REASM_FIRST);
	feed(5000, SYN, "abc"); /* TFO-style: data at ISN + 1 */
	feed(5004, 0, "def");
	feed(5000, SYN, "abc"); /* the SYN again */
	expect_out("abcdef");
	expect_ev(0, NL_REASM_DATA, 0, 3);
	assert_int_equal(S.c.retrans_bytes, 3);
	assert_false(S.midstream);
}

static void test_fin_with_data(void **state)
{
	(void)state;
	open_reasm(0, 0, NL_REASM_FIRST);
	feed(0, SYN, "");
	feed(1, 0, "abc");
	feed(4, FIN, "xyz");
	expect_out("abcxyz");
	expect_ev(2, NL_REASM_FIN, 6, 0);
	assert_int_equal(REC.evs[2].frame, 3);
	feed(7, 0, "");	     /* the ACK-only segment after the FIN: harmless */
	feed(4, FIN, "xyz"); /* FIN retransmitted */
	assert_int_equal(REC.count[NL_REASM_FIN], 1);
	finish();
	assert_int_equal(REC.count[NL_REASM_FIN], 1);
}

static void test_fin_before_hole(void **state)
{
	(void)state;
	open_reasm(0, 0, NL_REASM_FIRST);
	feed(0, SYN, "");
	feed(4, FIN, "xyz");
	assert_int_equal(REC.n, 0);
	feed(1, 0, "abc");
	expect_out("abcxyz");
	expect_ev(2, NL_REASM_FIN, 6, 0);
	/* and a FIN whose data never came: a gap up to it at finish */
	open_reasm(0, 0, NL_REASM_FIRST);
	feed(0, SYN, "");
	feed(1, 0, "abc");
	feed(11, FIN, "");
	finish();
	expect_ev(1, NL_REASM_GAP, 3, 7);
	expect_ev(2, NL_REASM_FIN, 10, 0);
}

static void test_data_after_fin(void **state)
{
	(void)state;
	open_reasm(0, 0, NL_REASM_FIRST);
	feed(0, SYN, "");
	feed(1, FIN, "abc"); /* FIN at offset 3 */
	feed(5, 0, "zz");    /* after the FIN */
	feed(3, 0, "cdef");  /* straddles it */
	expect_out("abc");
	assert_int_equal(S.c.after_fin_bytes, 5);
	assert_int_equal(REC.count[NL_REASM_AFTER_FIN], 2);
	expect_ev(2, NL_REASM_AFTER_FIN, 4, 2);
	expect_ev(3, NL_REASM_AFTER_FIN, 3, 3);
	/* data held beyond a FIN that arrives later is cut off */
	open_reasm(0, 0, NL_REASM_FIRST);
	feed(0, SYN, "");
	feed(4, 0, "defgh");
	feed(11, 0, "klm");
	feed(1, FIN, "abcdef"); /* FIN at 6 */
	expect_out("abcdef");
	assert_int_equal(S.c.after_fin_bytes, 2 + 3);
	assert_int_equal(REC.count[NL_REASM_FIN], 1);
	assert_int_equal(pool_in_use(), 0);
	/* pieces ending at, starting at and beyond the FIN */
	open_reasm(0, 0, NL_REASM_FIRST);
	feed(0, SYN, "");
	feed(4, 0, "defgh");	  /* [3,8) */
	feed(9, 0, "ij");	  /* [8,10) */
	feed(11, 0, "klm");	  /* [10,13) */
	feed(1, FIN, "abcdefgh"); /* FIN at 8 */
	expect_out("abcdefgh");
	expect_ev(0, NL_REASM_AFTER_FIN, 8, 2);
	expect_ev(1, NL_REASM_AFTER_FIN, 10, 3);
	assert_int_equal(REC.evs[0].frame, 3);
	assert_int_equal(S.c.after_fin_bytes, 5);
	assert_int_equal(pool_in_use(), 0);
}

static void test_rst(void **state)
{
	(void)state;
	open_reasm(0, 0, NL_REASM_FIRST);
	feed(0, SYN, "");
	feed(1, 0, "abc");
	feed(7, 0, "ghi");
	feed(10, RST, "diagnostic"); /* RFC 9293 §3.5.3: not stream data */
	expect_ev(1, NL_REASM_GAP, 3, 3);
	expect_ev(2, NL_REASM_DATA, 6, 3);
	expect_ev(3, NL_REASM_RST, 9, 0);
	assert_int_equal(REC.next, 9);
	assert_int_equal(pool_in_use(), 0);
	feed(10, 0, "more");
	finish();
	assert_int_equal(S.c.after_end_segs, 1);
	assert_int_equal(REC.n, 4);
}

/* ---- sequence space ---- */

static void test_wraparound(void **state)
{
	(void)state;
	open_reasm(0, 0, NL_REASM_FIRST);
	static uint8_t data[300];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ 0x5a);
	const uint32_t isn = 0xfffffff0u;
	feed_to(&S, &REC, isn, SYN, NULL, 0, 0);
	/* segments of 7 in an interleaved order across the wrap */
	for (int pass = 1; pass >= 0; pass--)
		for (uint32_t off = (uint32_t)pass * 7; off < 300; off += 14) {
			uint32_t n = off + 7 <= 300 ? 7 : 300 - off;
			feed_to(&S, &REC, isn + 1 + off, 0, data + off, n, n);
		}
	assert_int_equal(REC.next, 300);
	assert_memory_equal(REC.out, data, 300);
	feed_to(&S, &REC, isn + 301, FIN, NULL, 0, 0);
	assert_int_equal(REC.count[NL_REASM_FIN], 1);
	/* the stream is past 2^32 when its offsets are: a long stream */
	open_reasm(0, 0, NL_REASM_FIRST);
	feed(0, SYN, "");
	S.next = 0xfffffffeull; /* as if 4 GiB had been delivered */
	REC.next = S.next;
	feed(0xffffffffu, 0, "abcd"); /* seq wraps to 0..2 */
	assert_int_equal(REC.next, 0x100000002ull);
	expect_ev(0, NL_REASM_DATA, 0xfffffffeull, 4);
}

static void test_midstream(void **state)
{
	(void)state;
	open_reasm(0, 0, NL_REASM_FIRST);
	feed(123456, 0, "hello");
	expect_ev(0, NL_REASM_MIDSTREAM, 0, 0);
	expect_ev(1, NL_REASM_DATA, 0, 5);
	assert_true(S.midstream);
	assert_int_equal(S.isn, 123455);
	feed(123400, 0, "0123456789"); /* before the first byte seen */
	assert_int_equal(S.c.retrans_bytes, 10); /* counted, no event */
	assert_int_equal(REC.count[NL_REASM_RETRANS], 0);
	assert_int_equal(REC.next, 5);
	feed(123451, 0, "abcdeVWXYZtail"); /* straddles offset 0 */
	expect_out("hellotail");
	assert_int_equal(S.c.retrans_bytes, 10 + 5 + 5);
	expect_ev(2, NL_REASM_RETRANS, 0, 5);
	assert_int_equal(S.c.gaps, 0);
}

static void test_suspicious(void **state)
{
	(void)state;
	open_reasm(0, 0, NL_REASM_FIRST);
	feed(0, SYN, "");
	feed(1 + 0x50000000u, 0, "far");  /* 1.25 GiB ahead */
	feed(1u - 0x50000000u, 0, "old"); /* far behind */
	assert_int_equal(S.c.suspicious, 2);
	assert_int_equal(REC.count[NL_REASM_SUSPICIOUS], 2);
	assert_int_equal(pool_in_use(), 0);
	feed(1 + 0x3fff0000u, 0, "ok"); /* just under 1 GiB: buffered */
	assert_int_equal(pool_in_use(), 1);
	feed(1 + 0x50000000u, RST, ""); /* an out-of-window RST: ignored */
	assert_false(S.reset);
	finish();
	assert_int_equal(S.c.gaps, 1);
}

/* ---- caps ---- */

static void test_stream_cap(void **state)
{
	(void)state;
	/* 4 chunks per stream, 64 in the pool */
	open_reasm(64 * NL_REASM_CHUNK, 4 * NL_REASM_CHUNK, NL_REASM_FIRST);
	REC.pool = R;
	REC.pool_limit = 4;
	static uint8_t data[10 * NL_REASM_CHUNK];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13);
	feed(0, SYN, "");
	/* chunk 0 lost for now; 1..9 arrive */
	for (uint32_t k = 1; k < 10; k++) {
		feed_to(&S, &REC, 1 + k * NL_REASM_CHUNK, 0,
			data + k * NL_REASM_CHUNK, NL_REASM_CHUNK,
			NL_REASM_CHUNK);
		assert_true(pool_in_use() <= 4);
		assert_true(S.chunks <= 4);
	}
	/* the 5th could not wait: chunk 0 was given up, 1..4 delivered
	 * from the pool, 5 from the packet; 6..9 were then in order */
	expect_ev(0, NL_REASM_GAP, 0, NL_REASM_CHUNK);
	assert_int_equal(REC.evs[0].reason, NL_REASM_GAP_CAP);
	assert_int_equal(S.c.cap_gaps, 1);
	assert_int_equal(S.c.cap_gap_bytes, NL_REASM_CHUNK);
	assert_int_equal(REC.next, 10 * NL_REASM_CHUNK);
	expect_ev(5, NL_REASM_DATA, 5 * NL_REASM_CHUNK, NL_REASM_CHUNK);
	assert_int_equal(REC.evs[5].frame, 6); /* chunk k came in frame k + 1 */
	assert_int_equal(S.c.max_buffered, 4 * NL_REASM_CHUNK);
	/* the lost chunk's retransmission is late: counted, not delivered */
	feed_to(&S, &REC, 1, 0, data, NL_REASM_CHUNK, NL_REASM_CHUNK);
	assert_int_equal(S.c.retrans_bytes, NL_REASM_CHUNK);
	finish();
	assert_int_equal(REC.next, sizeof(data));
	assert_memory_equal(REC.out + NL_REASM_CHUNK, data + NL_REASM_CHUNK,
			    sizeof(data) - NL_REASM_CHUNK);
	struct nl_reasm_pool_stats ps;
	nl_reasm_pool_stats(R, &ps);
	assert_int_equal(ps.in_use, 0);
	assert_int_equal(ps.peak, 4);
	assert_int_equal(ps.cap_hits, 1);
	assert_int_equal(ps.global_hits, 0);
	/* a segment larger than the whole per-stream cap cannot wait at
	 * all: the stream moves on to it at once */
	open_reasm(64 * NL_REASM_CHUNK, 4 * NL_REASM_CHUNK, NL_REASM_FIRST);
	feed(0, SYN, "");
	feed_to(&S, &REC, 101, 0, data, 5 * NL_REASM_CHUNK, 5 * NL_REASM_CHUNK);
	expect_ev(0, NL_REASM_GAP, 0, 100);
	expect_ev(1, NL_REASM_DATA, 100, 5 * NL_REASM_CHUNK);
	assert_int_equal(pool_in_use(), 0);
}

static void test_global_cap(void **state)
{
	(void)state;
	/* 8 chunks in all, 6 per stream: two streams compete */
	open_reasm(8 * NL_REASM_CHUNK, 6 * NL_REASM_CHUNK, NL_REASM_FIRST);
	struct nl_reasm_stream s2;
	struct rec rec2 = {0};
	rec2.out = calloc(1, OUT_MAX);
	rec2.state = calloc(1, OUT_MAX);
	assert_non_null(rec2.out);
	nl_reasm_stream_init(&s2);
	REC.pool = rec2.pool = R;
	REC.pool_limit = rec2.pool_limit = 8;
	static uint8_t data[8 * NL_REASM_CHUNK];
	memset(data, 'q', sizeof(data));
	feed(0, SYN, "");
	feed_to(&s2, &rec2, 0, SYN, NULL, 0, 0);
	for (uint32_t k = 1; k <= 5; k++)
		feed_to(&S, &REC, 1 + k * NL_REASM_CHUNK, 0, data,
			NL_REASM_CHUNK, NL_REASM_CHUNK);
	assert_int_equal(pool_in_use(), 5);
	for (uint32_t k = 1; k <= 5; k++)
		feed_to(&s2, &rec2, 1 + k * 100, 0, data, 100, 100);
	/* s2 got 3 chunks; its 4th gave up its hole, delivered 1..4 */
	assert_int_equal(s2.c.cap_gaps, 1);
	assert_int_equal(s2.c.cap_gap_bytes, 100);
	assert_int_equal(rec2.next, 600);
	assert_int_equal(S.c.cap_gaps, 0);
	struct nl_reasm_pool_stats ps;
	nl_reasm_pool_stats(R, &ps);
	assert_int_equal(ps.peak, 8);
	assert_int_equal(ps.global_hits, 1);
	assert_int_equal(ps.in_use, 5);
	/* eviction: the chunks come back without delivery */
	nl_reasm_release(R, &S);
	nl_reasm_release(R, &s2);
	assert_int_equal(pool_in_use(), 0);
	free(rec2.out);
	free(rec2.state);
}

static void test_config_and_names(void **state)
{
	(void)state;
	struct nl_reasm *r = NULL;
	char err[NL_ERRBUF_SIZE];
	assert_int_equal(nl_reasm_new(&r, NULL, err), NL_OK);
	struct nl_reasm_pool_stats ps;
	nl_reasm_pool_stats(r, &ps);
	assert_int_equal((uint64_t)ps.chunks * ps.chunk_size,
			 NL_REASM_DEFAULT_MAX_BUFFER);
	assert_int_equal((uint64_t)ps.stream_cap * ps.chunk_size,
			 NL_REASM_DEFAULT_MAX_STREAM);
	nl_reasm_free(r);
	assert_int_equal(
	    nl_reasm_new(&r, &(struct nl_reasm_config){1ull << 50, 0, 0}, err),
	    NL_NOMEM);
	assert_null(r);
	assert_non_null(strstr(err, "too large"));
	assert_string_equal(nl_reasm_ev_name(NL_REASM_CONFLICT),
			    "overlap_conflict");
	assert_string_equal(nl_reasm_gap_name(NL_REASM_GAP_CAP), "cap");
	/* two of these per connection: keep it small */
	assert_true(sizeof(struct nl_reasm_stream) <= 128);
	/* a zeroed stream is a valid empty stream */
	struct nl_reasm_stream z;
	memset(&z, 0, sizeof(z));
	open_reasm(0, 0, NL_REASM_FIRST);
	nl_reasm_release(R, &z);
	nl_reasm_finish(R, &z, on_event, &REC);
	assert_int_equal(REC.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_in_order_no_copy),
	    cmocka_unit_test(test_out_of_order_two),
	    cmocka_unit_test(test_out_of_order_reverse_many),
	    cmocka_unit_test(test_retransmission_identical),
	    cmocka_unit_test(test_overlaps),
	    cmocka_unit_test(test_overlap_own_part_is_data),
	    cmocka_unit_test(test_overlap_at_delivery_point),
	    cmocka_unit_test(test_overlap_delivered_cannot_conflict),
	    cmocka_unit_test(test_gap_never_filled),
	    cmocka_unit_test(test_gap_filled_later),
	    cmocka_unit_test(test_gap_snaplen),
	    cmocka_unit_test(test_syn_with_data),
	    cmocka_unit_test(test_fin_with_data),
	    cmocka_unit_test(test_fin_before_hole),
	    cmocka_unit_test(test_data_after_fin),
	    cmocka_unit_test(test_rst),
	    cmocka_unit_test(test_wraparound),
	    cmocka_unit_test(test_midstream),
	    cmocka_unit_test(test_suspicious),
	    cmocka_unit_test(test_stream_cap),
	    cmocka_unit_test(test_global_cap),
	    cmocka_unit_test(test_config_and_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
