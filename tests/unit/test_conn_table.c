/*
 * The connection table: lookups from both directions and both address
 * families, the capacity cap with LRU eviction (counted, reported through
 * the retire callback), the idle timeout in capture time, no growth under
 * a SYN flood, the end-of-capture retirement in id order, the hash
 * chains under churn (checked against a model of what the table holds),
 * and the linger of closed connections.
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
static uint64_t retired[NL_CONN_END_COUNT];
static uint64_t retired_ids[64];
static unsigned n_ids;

static void on_retire(void *arg, const struct nl_conn *c,
		      enum nl_conn_end_reason why)
{
	(void)arg;
	retired[why]++;
	if (n_ids < 64)
		retired_ids[n_ids++] = c->id;
}

static void fresh(uint32_t cap, uint32_t idle)
{
	nl_conntable_free(tab);
	memset(retired, 0, sizeof(retired));
	n_ids = 0;
	tcpseq_init(&q);
	assert_int_equal(nl_conntable_new(&tab, cap, idle, on_retire, NULL),
			 NL_OK);
}

static int teardown(void **state)
{
	(void)state;
	nl_conntable_free(tab);
	tab = NULL;
	return 0;
}

static struct nl_conn *syn_from(uint16_t port)
{
	q.cport = port;
	tcpseq_seg(&q, tab, C, SYN, 1000, 0, 0);
	return q.conn;
}

static void test_both_directions(void **state)
{
	(void)state;
	fresh(16, 0);
	struct nl_conn *a = syn_from(40000);
	assert_true(q.created);
	assert_int_equal(q.dir, NL_CLIENT);
	tcpseq_seg(&q, tab, S, SYN | ACK, 5, 1001, 0);
	assert_ptr_equal(q.conn, a);
	assert_false(q.created);
	assert_int_equal(q.dir, NL_SERVER);
	q.v6 = true;
	struct nl_conn *b = syn_from(40000);
	assert_ptr_not_equal(a, b); /* same ports, other family */
	struct nl_conn_counts n;
	nl_conntable_counts(tab, &n);
	assert_int_equal(n.conns, 2);
	assert_int_equal(n.active, 2);
}

/* A segment between two given endpoints, client port 40000, server 80. */
static struct nl_conn *seg_between(const struct nl_addr *cl,
				   const struct nl_addr *sv, int from,
				   uint16_t flags)
{
	q.v6 = cl->family == 6;
	struct nl_packet *p =
	    (struct nl_packet *)tcpseq_build(&q, from, flags, 1000, 0, 0);
	p->src = from == C ? *cl : *sv;
	p->dst = from == C ? *sv : *cl;
	q.conn = nl_conntable_lookup(tab, p, &q.dir, &q.created);
	return q.conn;
}

/* Endpoints the table's keys do not tell apart, told apart by their
 * tuples: two IPv6 clients whose keys are equal, and an IPv4 address and
 * an IPv6 one with the same 16 bytes. */
static void test_equal_keys(void **state)
{
	(void)state;
	fresh(16, 0);
	/* IPv6: the key folds 128 bits into 64, so a client whose second
	 * half is one more and whose first half makes up for it collides */
	struct nl_addr a = {.family = 6}, b = {.family = 6}, s = {.family = 6};
	uint64_t w[2] = {0x0123456789abcdefull, 0x20010db800000001ull};
	memcpy(a.b, w, 16);
	uint64_t k = 0x9e3779b97f4a7c15ull;
	w[0] ^= w[1] * k ^ (w[1] + 1) * k;
	w[1] += 1;
	memcpy(b.b, w, 16);
	s.b[0] = 0x20;
	s.b[15] = 2;
	struct nl_conn *ca = seg_between(&a, &s, C, SYN);
	struct nl_conn *cb = seg_between(&b, &s, C, SYN);
	assert_true(q.created);
	assert_ptr_not_equal(ca, cb);
	assert_true(ca->key[NL_CLIENT] == cb->key[NL_CLIENT]); /* collided */
	assert_ptr_equal(seg_between(&a, &s, S, SYN | ACK), ca);
	assert_int_equal(q.dir, NL_SERVER);
	assert_ptr_equal(seg_between(&b, &s, S, SYN | ACK), cb);
	assert_int_equal(q.dir, NL_SERVER);
	assert_ptr_equal(seg_between(&a, &s, C, ACK), ca);
	assert_int_equal(q.dir, NL_CLIENT);

	/* 10.0.0.1 and the IPv6 address 0a00:0001:: have the same bytes */
	struct nl_addr v4c = {.family = 4, .b = {10, 0, 0, 1}};
	struct nl_addr v4s = {.family = 4, .b = {10, 0, 0, 2}};
	struct nl_addr v6c = {.family = 6, .b = {10, 0, 0, 1}};
	struct nl_addr v6s = {.family = 6, .b = {10, 0, 0, 2}};
	struct nl_conn *c4 = seg_between(&v4c, &v4s, C, SYN);
	struct nl_conn *c6 = seg_between(&v6c, &v6s, C, SYN);
	assert_true(q.created);
	assert_ptr_not_equal(c4, c6);
	assert_true(c4->key[NL_SERVER] == c6->key[NL_SERVER]);
	assert_ptr_equal(seg_between(&v4c, &v4s, S, SYN | ACK), c4);
	assert_ptr_equal(seg_between(&v6c, &v6s, S, SYN | ACK), c6);
	struct nl_conn_counts n;
	nl_conntable_counts(tab, &n);
	assert_int_equal(n.conns, 4);
}

/* A connection from the port with a retransmission in it. */
static struct nl_conn *retransmitting(uint16_t port)
{
	struct nl_conn *c = syn_from(port);
	tcpseq_seg(&q, tab, S, SYN | ACK, 5000, 1001, 0);
	tcpseq_seg(&q, tab, C, ACK, 1001, 5001, 0);
	tcpseq_seg(&q, tab, C, ACK | PSH, 1001, 5001, 10);
	const struct nl_tcp_note *n =
	    tcpseq_seg(&q, tab, C, ACK | PSH, 1001, 5001, 10);
	assert_true(n->analysis & (1u << NL_TA_RETRANSMISSION));
	return c;
}

static uint64_t retransmissions(void)
{
	struct nl_conn_counts n;
	nl_conntable_counts(tab, &n);
	return n.ta[NL_TA_RETRANSMISSION];
}

/* The table's flag totals count open connections, those it retired and
 * those the finish retired, each once. */
static void test_flag_totals(void **state)
{
	(void)state;
	fresh(2, 0);
	retransmitting(1001);
	assert_int_equal(retransmissions(), 1); /* open */
	retransmitting(1002);
	syn_from(1003); /* full: 1001 is evicted */
	assert_int_equal(retired[NL_CONN_END_EVICTED], 1);
	assert_int_equal(retransmissions(), 2);
	nl_conntable_finish(tab);
	assert_int_equal(retransmissions(), 2);
}

static void test_cap_and_lru_eviction(void **state)
{
	(void)state;
	fresh(4, 0);
	for (uint16_t p = 1; p <= 4; p++)
		syn_from(p + 1000);
	/* touch the oldest: the second oldest becomes the victim */
	syn_from(1001);
	assert_false(q.created);
	syn_from(2000);
	assert_true(q.created);
	assert_int_equal(retired[NL_CONN_END_EVICTED], 1);
	assert_int_equal(retired_ids[0], 2);
	struct nl_conn_counts n;
	nl_conntable_counts(tab, &n);
	assert_int_equal(n.active, 4);
	assert_int_equal(n.evicted, 1);
	assert_int_equal(n.peak, 4);
}

static void test_syn_flood_does_not_grow(void **state)
{
	(void)state;
	fresh(1000, 0);
	for (uint32_t i = 0; i < 200000; i++) {
		q.cport = (uint16_t)(i % 60000 + 1024);
		q.v6 = (i / 60000) & 1;
		/* a different ISN per SYN: a new attempt, never a retry */
		tcpseq_seg(&q, tab, C, SYN, i * 7919u, 0, 0);
		assert_non_null(q.conn);
	}
	struct nl_conn_counts n;
	nl_conntable_counts(tab, &n);
	assert_int_equal(n.active, 1000);
	assert_int_equal(n.peak, 1000);
	assert_int_equal(n.conns, 200000);
	assert_int_equal(n.evicted + n.reused, 200000 - 1000);
	assert_true(n.entry_bytes > sizeof(struct nl_conn));
}

/* the client ports of the connections the table holds, per the callback */
static bool held[2048];
static void on_retire_model(void *arg, const struct nl_conn *c,
			    enum nl_conn_end_reason why)
{
	(void)arg;
	(void)why;
	assert_true(held[c->port[NL_CLIENT] - 40000]);
	held[c->port[NL_CLIENT] - 40000] = false;
}

static void test_chains_under_churn(void **state)
{
	(void)state;
	/* 32 entries, 500 tuples in play: every chain shape the table can
	 * take (heads, middles and tails retired, buckets emptied and
	 * refilled, the free list reused), reached from either side */
	nl_conntable_free(tab);
	memset(held, 0, sizeof(held));
	tcpseq_init(&q);
	assert_int_equal(nl_conntable_new(&tab, 32, 0, on_retire_model, NULL),
			 NL_OK);
	uint32_t x = 12345, nheld = 0;
	for (uint32_t i = 0; i < 100000; i++) {
		x = x * 1103515245u + 12345u;
		uint16_t k = (uint16_t)((x >> 8) % 500);
		q.cport = (uint16_t)(40000 + k);
		q.v6 = (k & 3) == 0;
		bool was = held[k];
		switch ((x >> 20) % 3) {
		case 0: /* a new SYN: a new entry, or a retry of the held one */
			tcpseq_seg(&q, tab, C, SYN, 1000, 0, 0);
			break;
		case 1: /* the server's answer */
			tcpseq_seg(&q, tab, S, SYN | ACK, 7, 1001, 0);
			break;
		default: /* data from the client */
			tcpseq_seg(&q, tab, C, ACK, 1001, 8, 10);
			break;
		}
		assert_non_null(q.conn);
		assert_int_equal(q.created, !was);
		assert_int_equal(q.conn->port[NL_CLIENT], q.cport);
		assert_int_equal(q.dir,
				 (x >> 20) % 3 == 1 ? NL_SERVER : NL_CLIENT);
		held[k] = true;
		nheld = 0;
		for (unsigned j = 0; j < 500; j++)
			nheld += held[j];
		struct nl_conn_counts n;
		nl_conntable_counts(tab, &n);
		assert_int_equal(n.active, nheld);
	}
	assert_int_equal(nheld, 32);
	nl_conntable_finish(tab);
	for (unsigned j = 0; j < 500; j++)
		assert_false(held[j]);
}

static void test_idle_timeout(void **state)
{
	(void)state;
	fresh(16, 10);
	syn_from(1001);
	q.now_us += 5 * 1000000ll;
	syn_from(1002);
	q.now_us +=
	    6 * 1000000ll; /* 11 s after the first, 6 after the second */
	syn_from(1003);
	assert_int_equal(retired[NL_CONN_END_IDLE], 1);
	assert_int_equal(retired_ids[0], 1);
	q.now_us += 100 * 1000000ll;
	syn_from(1001); /* everything else went idle; this one is new */
	assert_true(q.created);
	assert_int_equal(retired[NL_CONN_END_IDLE], 3);
}

static void test_finish_in_id_order(void **state)
{
	(void)state;
	fresh(16, 0);
	for (uint16_t p = 1; p <= 5; p++)
		syn_from(p + 1000);
	syn_from(1003); /* LRU order is now 3,5,4,2,1 */
	syn_from(1001);
	nl_conntable_finish(tab);
	assert_int_equal(retired[NL_CONN_END_CAPTURE], 5);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(retired_ids[i], i + 1);
	struct nl_conn_counts n;
	nl_conntable_counts(tab, &n);
	assert_int_equal(n.active, 0);
	/* the table is reusable after the end */
	syn_from(3000);
	assert_true(q.created);
	assert_int_equal(q.conn->id, 6);
}

/* A whole connection on client port `port`: handshake, one data segment,
 * FIN from the client, FIN from the server, last ACK. Both sides end
 * CLOSED or TIME_WAIT: it is over. */
static struct nl_conn *whole_conn(uint16_t port)
{
	q.cport = port;
	tcpseq_seg(&q, tab, C, SYN, 1000, 0, 0);
	struct nl_conn *c = q.conn;
	tcpseq_seg(&q, tab, S, SYN | ACK, 5, 1001, 0);
	tcpseq_seg(&q, tab, C, ACK, 1001, 6, 0);
	tcpseq_seg(&q, tab, C, ACK | PSH, 1001, 6, 10);
	tcpseq_seg(&q, tab, C, FIN | ACK, 1011, 6, 0);
	tcpseq_seg(&q, tab, S, ACK, 6, 1012, 0);
	tcpseq_seg(&q, tab, S, FIN | ACK, 6, 1012, 0);
	tcpseq_seg(&q, tab, C, ACK, 1012, 7, 0);
	assert_ptr_equal(q.conn, c);
	assert_true(nl_conn_over(c));
	return c;
}

static uint32_t active(void)
{
	struct nl_conn_counts n;
	nl_conntable_counts(tab, &n);
	return n.active;
}

/* a packet on another connection, so the table looks at the clock */
static void tick(int64_t seconds)
{
	q.now_us += seconds * 1000000ll;
	uint16_t port = q.cport;
	q.cport = 50000;
	tcpseq_seg(&q, tab, C, ACK, 1, 1, 0);
	q.cport = port;
}

static void test_closed_linger(void **state)
{
	(void)state;
	fresh(16, 600);
	nl_conntable_set_linger(tab, 5);
	uint64_t id = whole_conn(1001)->id;
	syn_from(1002); /* open: it stays */
	assert_false(nl_conn_over(q.conn));
	q.now_us += 3 * 1000000ll;
	whole_conn(1003); /* closes 3 s later */
	tick(1);
	assert_int_equal(active(), 4);
	assert_int_equal(retired[NL_CONN_END_CLOSED], 0);
	tick(2); /* 6 s after the first one's last packet */
	assert_int_equal(retired[NL_CONN_END_CLOSED], 1);
	assert_int_equal(retired_ids[0], id);
	assert_int_equal(active(), 3);
	tick(3);
	assert_int_equal(retired[NL_CONN_END_CLOSED], 2);
	assert_int_equal(active(), 2);
	struct nl_conn_counts n;
	nl_conntable_counts(tab, &n);
	assert_int_equal(n.closed, 2);
	assert_int_equal(n.linger, 5);
	assert_int_equal(n.idle + n.evicted + n.reused, 0);
	/* a SYN on its tuple now opens a connection of its own: no reuse */
	syn_from(1001);
	assert_true(q.created);
	assert_int_equal(retired[NL_CONN_END_REUSED], 0);
}

static void test_reuse_within_linger(void **state)
{
	(void)state;
	fresh(16, 600);
	nl_conntable_set_linger(tab, 60);
	uint64_t id = whole_conn(1001)->id;
	tick(30); /* TIME_WAIT on Linux lasts 60 s: still there */
	q.cport = 1001;
	tcpseq_seg(&q, tab, C, SYN, 90000, 0, 0);
	assert_true(q.created);
	assert_int_equal(retired[NL_CONN_END_REUSED], 1);
	assert_int_equal(retired[NL_CONN_END_CLOSED], 0);
	assert_int_equal(retired_ids[0], id);
}

static void test_late_segment_restarts_linger(void **state)
{
	(void)state;
	fresh(16, 600);
	nl_conntable_set_linger(tab, 5);
	struct nl_conn *c = whole_conn(1001);
	tick(4);
	/* the last ACK again (a retransmitted FIN's answer): same entry */
	q.cport = 1001;
	tcpseq_seg(&q, tab, C, ACK, 1012, 7, 0);
	assert_ptr_equal(q.conn, c);
	assert_false(q.created);
	tick(4); /* 4 s after that packet */
	assert_int_equal(retired[NL_CONN_END_CLOSED], 0);
	tick(2);
	assert_int_equal(retired[NL_CONN_END_CLOSED], 1);
}

static void test_reset_lingers(void **state)
{
	(void)state;
	fresh(16, 600);
	nl_conntable_set_linger(tab, 5);
	syn_from(1001);
	tcpseq_seg(&q, tab, S, SYN | ACK, 5, 1001, 0);
	tcpseq_seg(&q, tab, C, ACK, 1001, 6, 0);
	tcpseq_seg(&q, tab, S, RST | ACK, 6, 1001, 0);
	assert_true(nl_conn_over(q.conn));
	tick(6);
	assert_int_equal(retired[NL_CONN_END_CLOSED], 1);
	/* refused: RST to a SYN */
	syn_from(1002);
	tcpseq_seg(&q, tab, S, RST | ACK, 0, 1001, 0);
	assert_true(nl_conn_over(q.conn));
	tick(6);
	assert_int_equal(retired[NL_CONN_END_CLOSED], 2);
}

/* A full table gives up a closed connection before an open one, even an
 * open one less recently active: the closed one loses nothing. */
static void test_full_table_takes_closed_first(void **state)
{
	(void)state;
	fresh(3, 600);
	nl_conntable_set_linger(tab, 60);
	syn_from(1001); /* open, the least recently active */
	uint64_t closed_id = whole_conn(1002)->id;
	syn_from(1003);
	syn_from(1004); /* the table is full */
	assert_true(q.created);
	assert_int_equal(retired[NL_CONN_END_CLOSED], 1);
	assert_int_equal(retired[NL_CONN_END_EVICTED], 0);
	assert_int_equal(retired_ids[0], closed_id);
	syn_from(1005); /* no closed one left: the least recently active */
	assert_int_equal(retired[NL_CONN_END_EVICTED], 1);
	assert_int_equal(retired_ids[1], 1);
	struct nl_conn_counts n;
	nl_conntable_counts(tab, &n);
	assert_int_equal(n.closed, 1);
	assert_int_equal(n.evicted, 1);
}

/* A connection on the closed list that a late segment took out of CLOSED
 * is evicted as an open one: by age. */
static void test_full_table_reopened(void **state)
{
	(void)state;
	fresh(3, 600);
	nl_conntable_set_linger(tab, 60);
	struct nl_conn *c = whole_conn(1001);
	uint64_t id = c->id;
	c->side[NL_SERVER].state = NL_TCPS_CLOSE_WAIT; /* as a correction */
	syn_from(1002);
	syn_from(1003);
	syn_from(1004); /* full: 1001 is the least recently active */
	assert_int_equal(retired[NL_CONN_END_EVICTED], 1);
	assert_int_equal(retired[NL_CONN_END_CLOSED], 0);
	assert_int_equal(retired_ids[0], id);
}

/* A linger longer than the idle timeout: a closed connection leaves no
 * later than an open one would. */
static void test_linger_capped_by_idle(void **state)
{
	(void)state;
	fresh(16, 10);
	nl_conntable_set_linger(tab, 60);
	whole_conn(1001);
	tick(8);
	assert_int_equal(retired[NL_CONN_END_CLOSED], 0);
	tick(4);
	assert_int_equal(retired[NL_CONN_END_CLOSED], 1);
	assert_int_equal(retired[NL_CONN_END_IDLE], 0);
}

/* Without a linger (the table's default) a closed connection stays until
 * the end, as an open one does. */
static void test_no_linger_keeps_closed(void **state)
{
	(void)state;
	fresh(16, 600);
	whole_conn(1001);
	tick(500);
	assert_int_equal(active(), 2);
	assert_int_equal(retired[NL_CONN_END_CLOSED], 0);
	tick(200); /* but the idle timeout still applies */
	assert_int_equal(retired[NL_CONN_END_IDLE], 1);
}

/* hostile timestamps: clamped, no overflow in any time difference */
static void test_extreme_timestamps(void **state)
{
	(void)state;
	fresh(4, 10);
	struct nl_time t = {.sec = INT64_MAX, .nsec = 999999999};
	assert_int_equal(nl_time_ns(&t), NL_TIME_NS_MAX);
	t.sec = INT64_MIN;
	assert_int_equal(nl_time_ns(&t), -NL_TIME_NS_MAX);
	q.now_us = INT64_MIN / 1000 + 1;
	syn_from(1001);
	q.now_us = INT64_MAX / 1000 - 1000000;
	syn_from(1002); /* the first goes idle */
	tcpseq_seg(&q, tab, S, SYN | ACK, 5, 1001, 0);
	assert_int_equal(retired[NL_CONN_END_IDLE], 1);
}

static void test_bad_capacity(void **state)
{
	(void)state;
	struct nl_conn_table *t = NULL;
	assert_int_equal(nl_conntable_new(&t, 0, 0, NULL, NULL), NL_NOMEM);
	assert_null(t);
	assert_int_equal(
	    nl_conntable_new(&t, NL_CONN_MAX_CAP + 1, 0, NULL, NULL), NL_NOMEM);
}

static void test_not_tcp(void **state)
{
	(void)state;
	fresh(4, 0);
	tcpseq_build(&q, C, SYN, 1, 0, 0);
	q.pkt.layers = NL_LAYER_BIT(NL_L_IPV4) | NL_LAYER_BIT(NL_L_UDP);
	uint8_t dir;
	bool created;
	assert_null(nl_conntable_lookup(tab, &q.pkt, &dir, &created));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_both_directions, teardown),
	    cmocka_unit_test_teardown(test_equal_keys, teardown),
	    cmocka_unit_test_teardown(test_flag_totals, teardown),
	    cmocka_unit_test_teardown(test_cap_and_lru_eviction, teardown),
	    cmocka_unit_test_teardown(test_syn_flood_does_not_grow, teardown),
	    cmocka_unit_test_teardown(test_chains_under_churn, teardown),
	    cmocka_unit_test_teardown(test_idle_timeout, teardown),
	    cmocka_unit_test_teardown(test_finish_in_id_order, teardown),
	    cmocka_unit_test_teardown(test_extreme_timestamps, teardown),
	    cmocka_unit_test_teardown(test_closed_linger, teardown),
	    cmocka_unit_test_teardown(test_reuse_within_linger, teardown),
	    cmocka_unit_test_teardown(test_late_segment_restarts_linger,
				      teardown),
	    cmocka_unit_test_teardown(test_reset_lingers, teardown),
	    cmocka_unit_test_teardown(test_full_table_takes_closed_first,
				      teardown),
	    cmocka_unit_test_teardown(test_no_linger_keeps_closed, teardown),
	    cmocka_unit_test_teardown(test_linger_capped_by_idle, teardown),
	    cmocka_unit_test_teardown(test_full_table_reopened, teardown),
	    cmocka_unit_test(test_bad_capacity),
	    cmocka_unit_test_teardown(test_not_tcp, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
