/*
 * Wireshark's tcp.analysis flags, one scenario each, with the definitions
 * of epan/dissectors/packet-tcp.c (tshark 4.0): retransmission, fast and
 * spurious retransmission, out-of-order, duplicate ACK #n, zero window,
 * zero window probe (and its ACK), window full, window update, keep-alive
 * (and its ACK), previous segment not captured, ACKed unseen segment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "netlab/conn.h"
#include "support/tcpseq.h"

static struct nl_conn_table *tab;
static struct tcpseq q;

#define TA(x)	 (1u << NL_TA_##x)
#define seg(...) tcpseq_seg(&q, tab, __VA_ARGS__)

static int setup(void **state)
{
	(void)state;
	tcpseq_init(&q);
	return nl_conntable_new(&tab, 16, 0, NULL, NULL) == NL_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	nl_conntable_free(tab);
	tab = NULL;
	return 0;
}

/* client ISN 100, server ISN 500; no window scaling (the SYNs carry no
 * option), so windows are as on the wire; iRTT 2 ms */
static void handshake(void)
{
	assert_int_equal(seg(C, SYN, 100, 0, 0)->analysis, 0);
	assert_int_equal(seg(S, SYN | ACK, 500, 101, 0)->analysis, 0);
	assert_int_equal(seg(C, ACK, 101, 501, 0)->analysis, 0);
}

static void test_clean_exchange_has_no_flags(void **state)
{
	(void)state;
	handshake();
	assert_int_equal(seg(C, PSH | ACK, 101, 501, 100)->analysis, 0);
	assert_int_equal(seg(S, ACK, 501, 201, 0)->analysis, 0);
	assert_int_equal(seg(S, PSH | ACK, 501, 201, 50)->analysis, 0);
	assert_int_equal(seg(C, FIN | ACK, 201, 551, 0)->analysis, 0);
	assert_int_equal(seg(S, FIN | ACK, 551, 202, 0)->analysis, 0);
	assert_int_equal(seg(C, ACK, 202, 552, 0)->analysis, 0);
}

static void test_retransmission(void **state)
{
	(void)state;
	handshake();
	seg(C, PSH | ACK, 101, 501, 100);
	q.now_us += 200000; /* an RTO later */
	uint32_t a = seg(C, PSH | ACK, 101, 501, 100)->analysis;
	assert_int_equal(a, TA(RETRANSMISSION));
}

static void test_dup_acks_and_fast_retransmission(void **state)
{
	(void)state;
	handshake();
	seg(C, ACK, 101, 501, 100);
	seg(C, ACK, 201, 501, 100); /* lost on the way */
	seg(C, ACK, 301, 501, 100);
	const struct nl_tcp_note *n = seg(S, ACK, 501, 201, 0);
	assert_int_equal(n->analysis, 0);
	n = seg(S, ACK, 501, 201, 0);
	assert_int_equal(n->analysis, TA(DUP_ACK));
	assert_int_equal(n->dupack_num, 1);
	n = seg(S, ACK, 501, 201, 0);
	assert_int_equal(n->dupack_num, 2);
	n = seg(C, ACK, 201, 501, 100);
	assert_int_equal(n->analysis,
			 TA(FAST_RETRANSMISSION) | TA(RETRANSMISSION));
}

/* Duplicate ACKs count from 1 again once the ACK moves, also when it moves
 * on a segment that carries data in order. */
static void test_dup_ack_count_restarts(void **state)
{
	(void)state;
	handshake();
	seg(C, ACK, 101, 501, 100);
	seg(S, ACK, 501, 201, 0);
	assert_int_equal(seg(S, ACK, 501, 201, 0)->dupack_num, 1);
	assert_int_equal(seg(S, ACK, 501, 201, 0)->dupack_num, 2);
	seg(C, ACK, 201, 501, 100);
	/* data from the server, in order, acknowledging the new bytes */
	const struct nl_tcp_note *n = seg(S, PSH | ACK, 501, 301, 10);
	assert_int_equal(n->analysis, 0);
	n = seg(S, ACK, 511, 301, 0);
	assert_int_equal(n->analysis, TA(DUP_ACK));
	assert_int_equal(n->dupack_num, 1);
}

static void test_spurious_retransmission(void **state)
{
	(void)state;
	handshake();
	seg(C, ACK, 101, 501, 100);
	seg(S, ACK, 501, 201, 0);
	q.now_us += 300000;
	uint32_t a = seg(C, ACK, 101, 501, 100)->analysis;
	assert_int_equal(a, TA(SPURIOUS_RETRANSMISSION) | TA(RETRANSMISSION));
}

static void test_out_of_order(void **state)
{
	(void)state;
	handshake();
	q.step_us = 100; /* well inside the iRTT */
	seg(C, ACK, 101, 501, 100);
	uint32_t a = seg(C, ACK, 301, 501, 100)->analysis;
	assert_int_equal(a, TA(LOST_SEGMENT));
	a = seg(C, ACK, 201, 501, 100)->analysis;
	assert_int_equal(a, TA(OUT_OF_ORDER));
}

static void test_zero_window_probe_and_update(void **state)
{
	(void)state;
	handshake();
	seg(C, ACK, 101, 501, 100);
	q.win[S] = 0;
	uint32_t a = seg(S, ACK, 501, 201, 0)->analysis;
	assert_int_equal(a, TA(ZERO_WINDOW));
	a = seg(C, ACK, 201, 501, 1)->analysis;
	assert_int_equal(a, TA(ZERO_WINDOW_PROBE));
	a = seg(S, ACK, 501, 201, 0)->analysis;
	assert_true(a & TA(ZERO_WINDOW_PROBE_ACK));
	assert_true(a & TA(ZERO_WINDOW));
	q.win[S] = 1000;
	a = seg(S, ACK, 501, 201, 0)->analysis;
	assert_int_equal(a, TA(WINDOW_UPDATE));
}

static void test_window_full(void **state)
{
	(void)state;
	q.win[S] = 300;
	handshake();
	/* the server advertised 300 bytes from ack 101 */
	assert_int_equal(seg(C, ACK, 101, 501, 100)->analysis, 0);
	uint32_t a = seg(C, ACK, 201, 501, 200)->analysis;
	assert_int_equal(a, TA(WINDOW_FULL));
}

static void test_keep_alive(void **state)
{
	(void)state;
	handshake();
	seg(C, ACK, 101, 501, 10);
	seg(S, ACK, 501, 111, 0);
	q.now_us += 7200 * 1000000ll;
	uint32_t a = seg(C, ACK, 110, 501, 0)->analysis;
	assert_int_equal(a, TA(KEEP_ALIVE));
	a = seg(S, ACK, 501, 111, 0)->analysis;
	assert_int_equal(a, TA(KEEP_ALIVE_ACK));
	/* a 1-byte keep-alive (BSD style) is no retransmission */
	a = seg(C, ACK, 110, 501, 1)->analysis;
	assert_int_equal(a, TA(KEEP_ALIVE));
}

static void test_acked_unseen_segment(void **state)
{
	(void)state;
	handshake();
	/* the server acknowledges 100 bytes the capture never saw */
	uint32_t a = seg(S, ACK, 501, 201, 0)->analysis;
	assert_int_equal(a, TA(ACK_LOST_SEGMENT));
	a = seg(C, ACK, 201, 501, 100)->analysis;
	assert_int_equal(a, TA(LOST_SEGMENT));
}

static void test_syn_retransmission(void **state)
{
	(void)state;
	seg(C, SYN, 100, 0, 0);
	q.now_us += 1000000;
	assert_int_equal(seg(C, SYN, 100, 0, 0)->analysis, TA(RETRANSMISSION));
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(nl_ta_name(NL_TA_DUP_ACK), "dup_ack");
	assert_string_equal(nl_ta_tshark_field(NL_TA_DUP_ACK), "duplicate_ack");
	assert_string_equal(nl_ta_tshark_field(NL_TA_LOST_SEGMENT),
			    "lost_segment");
	for (unsigned i = 0; i < NL_TA_COUNT; i++) {
		assert_non_null(nl_ta_name((enum nl_ta_flag)i));
		assert_non_null(nl_ta_tshark_field((enum nl_ta_flag)i));
	}
}

/* A small deterministic generator for the exchange below. */
static uint32_t rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* One random exchange on an established connection (data both ways,
 * ACKs, retransmissions, reordering, duplicate ACKs, window changes and
 * zero windows, keep-alives, a FIN at the end), tracked into table t. */
static void random_exchange(struct tcpseq *sq, struct nl_conn_table *t,
			    uint32_t seed, struct nl_tcp_note *notes,
			    size_t *n_notes, bool whole_note)
{
	uint32_t x = seed;
	uint32_t next[2] = {1001, 5001}, acked[2] = {1001, 5001};
	size_t k = 0;
	tcpseq_init(sq);
	sq->whole_note = whole_note;
	notes[k++] = *tcpseq_seg(sq, t, C, SYN, 1000, 0, 0);
	notes[k++] = *tcpseq_seg(sq, t, S, SYN | ACK, 5000, 1001, 0);
	notes[k++] = *tcpseq_seg(sq, t, C, ACK, 1001, 5001, 0);
	for (int i = 0; i < 400; i++) {
		int from = rnd(&x) & 1, to = !from;
		uint32_t r = rnd(&x) % 100;
		uint32_t len = 1 + rnd(&x) % 1460;
		sq->win[from] = (uint16_t)(r < 3 ? 0 : 1000 + rnd(&x) % 4);
		sq->step_us = r < 10 ? 50000 : 300;
		if (r < 50) { /* new data */
			notes[k++] = *tcpseq_seg(sq, t, from, ACK | PSH,
						 next[from], acked[to], len);
			next[from] += len;
		} else if (r < 70) { /* an ACK of all, or of part */
			uint32_t a = r < 65 ? next[to]
					    : next[to] - rnd(&x) % 100;
			notes[k++] =
			    *tcpseq_seg(sq, t, from, ACK, next[from], a, 0);
			acked[from] = a;
		} else if (r < 80) { /* an old ACK again: duplicate */
			notes[k++] = *tcpseq_seg(sq, t, from, ACK, next[from],
						 acked[from], 0);
		} else if (r < 88) { /* a retransmission of something sent */
			uint32_t back = 1 + rnd(&x) % 3000;
			notes[k++] = *tcpseq_seg(sq, t, from, ACK | PSH,
						 next[from] - back, acked[to],
						 len < back ? len : back);
		} else if (r < 93) { /* a segment ahead of a gap */
			notes[k++] = *tcpseq_seg(sq, t, from, ACK | PSH,
						 next[from] + len, acked[to],
						 len);
			next[from] += 2 * len;
		} else if (r < 96) { /* keep-alive */
			notes[k++] = *tcpseq_seg(sq, t, from, ACK,
						 next[from] - 1, acked[to], 0);
		} else { /* 1 byte into the window */
			notes[k++] = *tcpseq_seg(sq, t, from, ACK | PSH,
						 next[from], acked[to], 1);
			next[from] += 1;
		}
	}
	notes[k++] = *tcpseq_seg(sq, t, C, FIN | ACK, next[C], next[S], 0);
	notes[k++] = *tcpseq_seg(sq, t, S, FIN | ACK, next[S], next[C] + 1, 0);
	notes[k++] = *tcpseq_seg(sq, t, C, ACK, next[C] + 1, next[S] + 1, 0);
	*n_notes = k;
}

/* The fast path for in-order segments gives what the full path gives:
 * every packet's note and, at the end, the whole connection entry. So
 * does a note not asked whole, in the parts it promises. */
static void test_fast_path_same(void **state)
{
	(void)state;
	static struct nl_tcp_note fast[500], full[500], brief[500];
	struct tcpseq a, b, c;
	unsigned flagged = 0, changed = 0;
	for (uint32_t seed = 1; seed <= 20; seed++) {
		struct nl_conn_table *ta, *tb, *tc;
		assert_int_equal(nl_conntable_new(&ta, 4, 0, NULL, NULL), NL_OK);
		assert_int_equal(nl_conntable_new(&tb, 4, 0, NULL, NULL), NL_OK);
		assert_int_equal(nl_conntable_new(&tc, 4, 0, NULL, NULL), NL_OK);
		size_t na, nb, nc;
		uint32_t s = seed * 2654435761u;
		nl_tcp_fast_path = true;
		random_exchange(&a, ta, s, fast, &na, true);
		random_exchange(&c, tc, s, brief, &nc, false);
		nl_tcp_fast_path = false;
		random_exchange(&b, tb, s, full, &nb, true);
		nl_tcp_fast_path = true;
		assert_int_equal(na, nb);
		assert_int_equal(na, nc);
		for (size_t i = 0; i < na; i++) {
			assert_memory_equal(&fast[i], &full[i], sizeof(fast[i]));
			flagged += fast[i].analysis != 0;
			assert_int_equal(brief[i].analysis, full[i].analysis);
			assert_int_equal(brief[i].dupack_num, full[i].dupack_num);
			assert_int_equal(brief[i].n_changes, full[i].n_changes);
			assert_memory_equal(brief[i].changes, full[i].changes,
					    full[i].n_changes *
						sizeof(full[i].changes[0]));
			changed += full[i].n_changes;
		}
		assert_memory_equal(a.conn, b.conn, sizeof(*a.conn));
		assert_memory_equal(c.conn, b.conn, sizeof(*c.conn));
		nl_conntable_free(ta);
		nl_conntable_free(tb);
		nl_conntable_free(tc);
	}
	/* the exchanges did raise flags and change states (else the
	 * comparison says little) */
	assert_true(flagged > 1000);
	assert_true(changed >= 20 * 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_clean_exchange_has_no_flags,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_retransmission, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(
		test_dup_acks_and_fast_retransmission, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dup_ack_count_restarts, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_spurious_retransmission, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_out_of_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_zero_window_probe_and_update,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_window_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_keep_alive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_acked_unseen_segment, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_syn_retransmission, setup,
					    teardown),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_fast_path_same),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
