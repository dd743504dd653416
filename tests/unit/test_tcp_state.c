/*
 * The TCP tracker's state machines: every transition driven by hand-made
 * segment sequences (handshake, simultaneous open, the four closes, RST in
 * each state, refusal, SYN retries, a lost SYN/ACK, port reuse, mid-stream
 * pickup, sequence wrap-around at 2^32), with the roles, state changes,
 * relative numbers and Zeek conn_state/history each must produce.
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
static unsigned n_retired;
static enum nl_conn_end_reason last_why;
static uint64_t last_retired_id;

static void on_retire(void *arg, const struct nl_conn *c,
		      enum nl_conn_end_reason why)
{
	(void)arg;
	n_retired++;
	last_why = why;
	last_retired_id = c->id;
}

static int setup(void **state)
{
	(void)state;
	tcpseq_init(&q);
	n_retired = 0;
	return nl_conntable_new(&tab, 64, 0, on_retire, NULL) == NL_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	nl_conntable_free(tab);
	tab = NULL;
	return 0;
}

#define seg(...) tcpseq_seg(&q, tab, __VA_ARGS__)
#define CL	 (q.conn->side[NL_CLIENT].state)
#define SV	 (q.conn->side[NL_SERVER].state)

static void expect_change(const struct nl_tcp_note *n, unsigned i, uint8_t side,
			  enum nl_tcp_state from, enum nl_tcp_state to)
{
	assert_true(i < n->n_changes);
	assert_int_equal(n->changes[i].side, side);
	assert_int_equal(n->changes[i].from, from);
	assert_int_equal(n->changes[i].to, to);
}

static void expect_role(const struct nl_tcp_note *n, enum nl_tcp_role r,
			unsigned step)
{
	assert_int_equal(n->role, r);
	assert_int_equal(n->step, step);
}

/* SYN 100, SYN/ACK 500: both ESTABLISHED after the third segment */
static void handshake(void)
{
	const struct nl_tcp_note *n = seg(C, SYN, 100, 0, 0);
	expect_role(n, NL_ROLE_HANDSHAKE, 1);
	assert_int_equal(n->n_changes, 1);
	expect_change(n, 0, NL_CLIENT, NL_TCPS_CLOSED, NL_TCPS_SYN_SENT);
	assert_int_equal(n->rseq, 0);
	n = seg(S, SYN | ACK, 500, 101, 0);
	expect_role(n, NL_ROLE_HANDSHAKE, 2);
	assert_int_equal(n->rack, 1);
	assert_int_equal(CL, NL_TCPS_ESTABLISHED);
	assert_int_equal(SV, NL_TCPS_SYN_RECEIVED);
	n = seg(C, ACK, 101, 501, 0);
	expect_role(n, NL_ROLE_HANDSHAKE, 3);
	expect_change(n, 0, NL_SERVER, NL_TCPS_SYN_RECEIVED,
		      NL_TCPS_ESTABLISHED);
	assert_int_equal(n->rseq, 1);
	assert_int_equal(n->rack, 1);
}

static void test_handshake_and_client_close(void **state)
{
	(void)state;
	handshake();
	const struct nl_tcp_note *n = seg(C, PSH | ACK, 101, 501, 10);
	assert_int_equal(n->role, NL_ROLE_NONE);
	assert_int_equal(n->n_changes, 0);
	seg(S, ACK, 501, 111, 0);
	n = seg(C, FIN | ACK, 111, 501, 0);
	expect_role(n, NL_ROLE_TEARDOWN, 1);
	assert_int_equal(CL, NL_TCPS_FIN_WAIT_1);
	assert_int_equal(SV, NL_TCPS_CLOSE_WAIT);
	n = seg(S, ACK, 501, 112, 0);
	expect_role(n, NL_ROLE_TEARDOWN, 2);
	assert_int_equal(CL, NL_TCPS_FIN_WAIT_2);
	n = seg(S, FIN | ACK, 501, 112, 0);
	expect_role(n, NL_ROLE_TEARDOWN, 3);
	assert_int_equal(CL, NL_TCPS_TIME_WAIT);
	assert_int_equal(SV, NL_TCPS_LAST_ACK);
	/* the server's FIN again (the last ACK was lost): step 3, retried */
	n = seg(S, FIN | ACK, 501, 112, 0);
	expect_role(n, NL_ROLE_TEARDOWN, 3);
	assert_int_equal(n->retry, 1);
	n = seg(C, ACK, 112, 502, 0);
	expect_role(n, NL_ROLE_TEARDOWN, 4);
	assert_int_equal(SV, NL_TCPS_CLOSED);
	assert_int_equal(q.conn->active_closer, NL_CLIENT);
	assert_string_equal(nl_conn_zeek_state(q.conn), "SF");
	assert_string_equal(q.conn->history, "ShADaFf");
	assert_int_equal(q.conn->side[NL_CLIENT].bytes, 10);
	assert_true(nl_conn_rtt_server_us(q.conn) >= 0);
}

static void test_server_closes_first(void **state)
{
	(void)state;
	handshake();
	seg(S, FIN | ACK, 501, 101, 0);
	assert_int_equal(SV, NL_TCPS_FIN_WAIT_1);
	assert_int_equal(CL, NL_TCPS_CLOSE_WAIT);
	seg(C, ACK, 101, 502, 0);
	seg(C, FIN | ACK, 101, 502, 0);
	seg(S, ACK, 502, 102, 0);
	assert_int_equal(SV, NL_TCPS_TIME_WAIT);
	assert_int_equal(CL, NL_TCPS_CLOSED);
	assert_int_equal(q.conn->active_closer, NL_SERVER);
}

/* FIN, FIN+ACK, ACK: the middle segment does steps 2 and 3 */
static void test_three_segment_teardown(void **state)
{
	(void)state;
	handshake();
	seg(C, FIN | ACK, 101, 501, 0);
	const struct nl_tcp_note *n = seg(S, FIN | ACK, 501, 102, 0);
	expect_role(n, NL_ROLE_TEARDOWN, 23);
	/* RFC 9293: FIN_WAIT_1 -> TIME_WAIT in one step */
	expect_change(n, 0, NL_CLIENT, NL_TCPS_FIN_WAIT_1, NL_TCPS_TIME_WAIT);
	expect_change(n, 1, NL_SERVER, NL_TCPS_CLOSE_WAIT, NL_TCPS_LAST_ACK);
	n = seg(C, ACK, 102, 502, 0);
	expect_role(n, NL_ROLE_TEARDOWN, 4);
	assert_int_equal(SV, NL_TCPS_CLOSED);
}

static void test_half_close_and_fin_with_data(void **state)
{
	(void)state;
	handshake();
	/* the client's FIN carries 5 bytes: it occupies seq 106 */
	seg(C, FIN | PSH | ACK, 101, 501, 5);
	assert_int_equal(CL, NL_TCPS_FIN_WAIT_1);
	seg(S, ACK, 501, 107, 0);
	assert_int_equal(CL, NL_TCPS_FIN_WAIT_2);
	/* half-closed: the server keeps sending */
	const struct nl_tcp_note *n = seg(S, PSH | ACK, 501, 107, 100);
	assert_int_equal(n->n_changes, 0);
	assert_int_equal(SV, NL_TCPS_CLOSE_WAIT);
	seg(C, ACK, 107, 601, 0);
	assert_int_equal(CL, NL_TCPS_FIN_WAIT_2);
	seg(S, FIN | ACK, 601, 107, 0);
	seg(C, ACK, 107, 602, 0);
	assert_int_equal(CL, NL_TCPS_TIME_WAIT);
	assert_int_equal(SV, NL_TCPS_CLOSED);
	assert_int_equal(q.conn->side[NL_SERVER].bytes, 100);
}

static void test_simultaneous_open(void **state)
{
	(void)state;
	seg(C, SYN, 100, 0, 0);
	const struct nl_tcp_note *n = seg(S, SYN, 500, 0, 0);
	assert_int_equal(n->role, NL_ROLE_SIM_OPEN);
	assert_int_equal(CL, NL_TCPS_SYN_RECEIVED);
	assert_int_equal(SV, NL_TCPS_SYN_RECEIVED);
	seg(C, SYN | ACK, 100, 501, 0);
	assert_int_equal(SV, NL_TCPS_ESTABLISHED);
	seg(S, SYN | ACK, 500, 101, 0);
	assert_int_equal(CL, NL_TCPS_ESTABLISHED);
	assert_true(q.conn->sim_open);
}

static void test_simultaneous_close(void **state)
{
	(void)state;
	handshake();
	seg(C, FIN | ACK, 101, 501, 0);
	/* the server's FIN does not ack the client's: they crossed */
	const struct nl_tcp_note *n = seg(S, FIN | ACK, 501, 101, 0);
	assert_int_equal(n->role, NL_ROLE_SIM_CLOSE);
	assert_int_equal(CL, NL_TCPS_CLOSING);
	assert_int_equal(SV, NL_TCPS_CLOSING);
	seg(C, ACK, 102, 502, 0);
	assert_int_equal(SV, NL_TCPS_TIME_WAIT);
	seg(S, ACK, 502, 102, 0);
	assert_int_equal(CL, NL_TCPS_TIME_WAIT);
	assert_true(q.conn->sim_close);
	assert_string_equal(nl_conn_zeek_state(q.conn), "SF");
}

static void test_refused(void **state)
{
	(void)state;
	seg(C, SYN, 100, 0, 0);
	const struct nl_tcp_note *n = seg(S, RST | ACK, 0, 101, 0);
	assert_int_equal(n->role, NL_ROLE_REFUSED);
	assert_int_equal(CL, NL_TCPS_CLOSED);
	assert_int_equal(SV, NL_TCPS_CLOSED);
	assert_true(q.conn->refused);
	assert_string_equal(nl_conn_zeek_state(q.conn), "REJ");
	assert_string_equal(q.conn->history, "Sr");
}

static void test_syn_retries_unanswered(void **state)
{
	(void)state;
	seg(C, SYN, 100, 0, 0);
	const struct nl_tcp_note *n = seg(C, SYN, 100, 0, 0);
	expect_role(n, NL_ROLE_HANDSHAKE, 1);
	assert_int_equal(n->retry, 1);
	n = seg(C, SYN, 100, 0, 0);
	assert_int_equal(n->retry, 2);
	assert_true(n->analysis & (1u << NL_TA_RETRANSMISSION));
	assert_int_equal(CL, NL_TCPS_SYN_SENT);
	assert_string_equal(nl_conn_zeek_state(q.conn), "S0");
	assert_int_equal(q.conn->id, 1); /* same ISN: the same connection */
}

static void test_lost_synack(void **state)
{
	(void)state;
	seg(C, SYN, 100, 0, 0);
	/* the SYN/ACK is not in the capture */
	const struct nl_tcp_note *n = seg(C, ACK, 101, 501, 0);
	expect_role(n, NL_ROLE_HANDSHAKE, 3);
	assert_int_equal(CL, NL_TCPS_ESTABLISHED);
	assert_int_equal(SV, NL_TCPS_ESTABLISHED);
}

static void test_synack_first(void **state)
{
	(void)state;
	/* the SYN is not in the capture: the SYN/ACK's receiver is the client
	 */
	const struct nl_tcp_note *n = seg(S, SYN | ACK, 500, 101, 0);
	assert_int_equal(n->dir, NL_SERVER);
	assert_false(q.conn->midstream);
	assert_int_equal(CL, NL_TCPS_ESTABLISHED);
	assert_int_equal(q.conn->port[NL_CLIENT], 40000);
	assert_int_equal(q.conn->history[0], '^');
}

/* RST sent by `who` after `prefix` segments of a normal exchange */
struct rst_case {
	unsigned prefix;
	uint8_t who;
	enum nl_tcp_state state; /* the resetter's state */
};

static void drive(unsigned k)
{
	/* handshake, data, client FIN, server ACK, server FIN */
	if (k >= 1)
		seg(C, SYN, 100, 0, 0);
	if (k >= 2)
		seg(S, SYN | ACK, 500, 101, 0);
	if (k >= 3)
		seg(C, ACK, 101, 501, 0);
	if (k >= 4)
		seg(C, FIN | ACK, 101, 501, 0);
	if (k >= 5)
		seg(S, ACK, 501, 102, 0);
	if (k >= 6)
		seg(S, FIN | ACK, 501, 102, 0);
}

static void test_rst_in_each_state(void **state)
{
	(void)state;
	static const struct rst_case cases[] = {
	    {1, C, NL_TCPS_SYN_SENT},	 {2, S, NL_TCPS_SYN_RECEIVED},
	    {2, C, NL_TCPS_ESTABLISHED}, {3, C, NL_TCPS_ESTABLISHED},
	    {3, S, NL_TCPS_ESTABLISHED}, {4, C, NL_TCPS_FIN_WAIT_1},
	    {4, S, NL_TCPS_CLOSE_WAIT},	 {5, C, NL_TCPS_FIN_WAIT_2},
	    {6, S, NL_TCPS_LAST_ACK},	 {6, C, NL_TCPS_TIME_WAIT},
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nl_conntable_free(tab);
		setup(NULL);
		q.cport = (uint16_t)(41000 + i);
		drive(cases[i].prefix);
		const struct nl_tcp_note *n =
		    cases[i].who == C ? seg(C, RST, 200, 0, 0)
				      : seg(S, RST | ACK, 900, 101, 0);
		assert_int_equal(n->role, NL_ROLE_RESET);
		assert_int_equal(n->reset_state, cases[i].state);
		assert_int_equal(CL, NL_TCPS_CLOSED);
		assert_int_equal(SV, NL_TCPS_CLOSED);
		assert_int_equal(q.conn->reset_by, cases[i].who);
	}
	/* Zeek: an aborted established connection */
	assert_string_equal(nl_conn_zeek_state(q.conn), "RSTO");
}

static void test_rst_zeek_states(void **state)
{
	(void)state;
	handshake();
	seg(S, RST | ACK, 501, 101, 0);
	assert_string_equal(nl_conn_zeek_state(q.conn), "RSTR");
	q.cport = 40001;
	seg(C, SYN, 100, 0, 0);
	seg(C, RST, 101, 0, 0);
	assert_string_equal(nl_conn_zeek_state(q.conn), "RSTOS0");
	q.cport = 40002;
	seg(C, SYN, 100, 0, 0);
	seg(C, FIN, 101, 0, 0);
	assert_string_equal(nl_conn_zeek_state(q.conn), "SH");
}

static void test_port_reuse(void **state)
{
	(void)state;
	handshake();
	seg(C, FIN | ACK, 101, 501, 0);
	seg(S, FIN | ACK, 501, 102, 0);
	seg(C, ACK, 102, 502, 0);
	uint64_t first = q.conn->id;
	assert_int_equal(CL, NL_TCPS_TIME_WAIT);
	/* a new SYN on the tuple while the client holds TIME_WAIT */
	const struct nl_tcp_note *n = seg(C, SYN, 90000, 0, 0);
	assert_true(q.created);
	assert_int_not_equal(q.conn->id, first);
	assert_int_equal(n->rseq, 0);
	assert_int_equal(n_retired, 1);
	assert_int_equal(last_why, NL_CONN_END_REUSED);
	assert_int_equal(last_retired_id, first);
	assert_int_equal(CL, NL_TCPS_SYN_SENT);
	/* a new attempt with a new ISN after an unanswered SYN, too */
	seg(C, SYN, 123456, 0, 0);
	assert_true(q.created);
}

static void test_midstream(void **state)
{
	(void)state;
	/* data from the server's well-known port comes first */
	const struct nl_tcp_note *n = seg(S, PSH | ACK, 7000, 3000, 20);
	assert_true(q.conn->midstream);
	assert_true(n->midstream);
	assert_int_equal(n->dir, NL_SERVER);
	assert_int_equal(q.conn->port[NL_SERVER], 80);
	assert_int_equal(CL, NL_TCPS_ESTABLISHED);
	assert_int_equal(n->rseq, 1);
	assert_int_equal(n->rack, 1);
	assert_string_equal(q.conn->history, "^d");
	seg(C, ACK, 3000, 7020, 0);
	assert_string_equal(nl_conn_zeek_state(q.conn), "OTH");
	/* both well-known or both not: the lower port is the server's */
	q.cport = 5000;
	q.sport = 6000;
	seg(S, ACK, 1, 1, 0);
	assert_int_equal(q.conn->port[NL_SERVER], 5000);
}

static void test_wraparound(void **state)
{
	(void)state;
	/* ISNs just below 2^32: every comparison must wrap */
	seg(C, SYN, 0xfffffff0u, 0, 0);
	seg(S, SYN | ACK, 0xffffff00u, 0xfffffff1u, 0);
	seg(C, ACK, 0xfffffff1u, 0xffffff01u, 0);
	const struct nl_tcp_note *n =
	    seg(C, PSH | ACK, 0xfffffff1u, 0xffffff01u, 100);
	assert_int_equal(n->rseq, 1);
	n = seg(S, ACK, 0xffffff01u, 0xfffffff1u + 100, 0);
	assert_int_equal(n->rack, 101);
	assert_int_equal(n->analysis, 0);
	uint32_t fin = 0xfffffff1u + 100; /* = 0x55 after the wrap */
	seg(C, FIN | ACK, fin, 0xffffff01u, 0);
	seg(S, FIN | ACK, 0xffffff01u, fin + 1, 0);
	n = seg(C, ACK, fin + 1, 0xffffff02u, 0);
	assert_int_equal(n->rseq, 102);
	assert_int_equal(CL, NL_TCPS_TIME_WAIT);
	assert_int_equal(SV, NL_TCPS_CLOSED);
}

/* Nagle + delayed ACK: small write, the ACK 40 ms late, the rest at once */
static void test_write_write_read_stall(void **state)
{
	(void)state;
	handshake();
	seg(C, PSH | ACK, 101, 501, 10);
	q.now_us += 40000;
	seg(S, ACK, 501, 111, 0);
	q.step_us = 100;
	seg(C, PSH | ACK, 111, 501, 20);
	assert_int_equal(q.conn->stalls, 1);
	assert_int_equal(q.conn->stall_side, NL_CLIENT);
	assert_true(q.conn->stall_max_us >= 40000);
	/* a prompt ACK is no stall */
	seg(S, ACK, 501, 131, 0);
	seg(C, PSH | ACK, 131, 501, 5);
	assert_int_equal(q.conn->stalls, 1);
}

static void test_ipv6(void **state)
{
	(void)state;
	q.v6 = true;
	handshake();
	assert_int_equal(q.conn->addr[NL_CLIENT].family, 6);
	assert_int_equal(CL, NL_TCPS_ESTABLISHED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_handshake_and_client_close,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_server_closes_first, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_three_segment_teardown, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_half_close_and_fin_with_data,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_simultaneous_open, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_simultaneous_close, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_syn_retries_unanswered, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_lost_synack, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_synack_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rst_in_each_state, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_rst_zeek_states, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_port_reuse, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_midstream, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wraparound, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_write_read_stall, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_ipv6, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
