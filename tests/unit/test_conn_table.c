/*
 * The connection table: lookups from both directions and both address
 * families, the capacity cap with LRU eviction (counted, reported through
 * the retire callback), the idle timeout in capture time, no growth under
 * a SYN flood, the end-of-capture retirement in id order, and the hash
 * chains under churn (checked against a model of what the table holds).
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
	    cmocka_unit_test_teardown(test_cap_and_lru_eviction, teardown),
	    cmocka_unit_test_teardown(test_syn_flood_does_not_grow, teardown),
	    cmocka_unit_test_teardown(test_chains_under_churn, teardown),
	    cmocka_unit_test_teardown(test_idle_timeout, teardown),
	    cmocka_unit_test_teardown(test_finish_in_id_order, teardown),
	    cmocka_unit_test_teardown(test_extreme_timestamps, teardown),
	    cmocka_unit_test(test_bad_capacity),
	    cmocka_unit_test_teardown(test_not_tcp, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
