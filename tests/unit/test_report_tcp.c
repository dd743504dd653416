/*
 * The sinks' view of the TCP tracker: a small exchange is tracked, each
 * packet event (with its note) and each connection's end go through the
 * text, -v, JSON, --conns and --ladder sinks into memory, and the output
 * must hold the relative numbers, roles, state changes, flags, and the
 * connection row/object/diagram.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netlab/conn.h"
#include "netlab/report.h"
#include "support/tcpseq.h"

static struct nl_conn_table *tab;
static struct tcpseq q;
static struct nl_outbuf mem;
static struct nl_sink sink;
static struct nl_report_opts opts;
static uint64_t frame_no;

static void on_retire(void *arg, const struct nl_conn *c,
		      enum nl_conn_end_reason why)
{
	(void)arg;
	struct nl_conn_end end = {.conn = c, .why = why};
	struct nl_event ev = {.type = NL_EV_CONN_END};
	ev.u.conn_end = &end;
	sink.ops->on_event(sink.self, &ev);
}

static void start(enum nl_status (*make)(struct nl_sink *, struct nl_outbuf *,
					 const struct nl_report_opts *))
{
	tcpseq_init(&q);
	frame_no = 0;
	assert_true(nl_out_init(&mem, -1));
	assert_int_equal(make(&sink, &mem, &opts), NL_OK);
	assert_int_equal(nl_conntable_new(&tab, 8, 0, on_retire, NULL), NL_OK);
}

static void seg(int from, uint16_t flags, uint32_t seq, uint32_t ack,
		uint32_t len)
{
	tcpseq_seg(&q, tab, from, flags, seq, ack, len);
	q.note.new_conn = q.created;
	struct nl_event ev = {.type = NL_EV_PACKET,
			      .pkt = &q.pkt,
			      .tcp = &q.note,
			      .conn = q.conn};
	q.pkt.frame = ++frame_no;
	sink.ops->on_event(sink.self, &ev);
}

/* handshake, 10 bytes, a retransmission, client closes (3 segments) */
static const char *exchange(void)
{
	seg(C, SYN, 1000, 0, 0);
	seg(S, SYN | ACK, 5000, 1001, 0);
	seg(C, ACK, 1001, 5001, 0);
	seg(C, PSH | ACK, 1001, 5001, 10);
	q.now_us += 300000;
	seg(C, PSH | ACK, 1001, 5001, 10);
	seg(S, ACK, 5001, 1011, 0);
	seg(C, FIN | ACK, 1011, 5001, 0);
	seg(S, FIN | ACK, 5001, 1012, 0);
	seg(C, ACK, 1012, 5002, 0);
	nl_conntable_finish(tab);
	struct nl_summary sum = {.conns = tab};
	struct nl_event ev = {.type = NL_EV_SUMMARY};
	ev.u.summary = &sum;
	sink.ops->on_event(sink.self, &ev);
	return nl_out_cstr(&mem);
}

static void finish(void)
{
	sink.ops->close(sink.self);
	nl_conntable_free(tab);
	nl_out_free(&mem);
	memset(&opts, 0, sizeof(opts));
}

static void test_text_lines(void **state)
{
	(void)state;
	opts.time_style = NL_TIME_NONE;
	start(nl_sink_text_new);
	const char *out = exchange();
	assert_non_null(
	    strstr(out, "TCP [SYN] seq=0 win=1000 len=0 "
			"[handshake 1/3] [client CLOSED -> SYN_SENT]\n"));
	assert_non_null(strstr(out, "TCP [SYN,ACK] seq=0 ack=1 win=1000 len=0 "
				    "[handshake 2/3] [client SYN_SENT -> "
				    "ESTABLISHED] [server LISTEN -> "
				    "SYN_RECEIVED]\n"));
	assert_non_null(strstr(out, "seq=1 ack=1 win=1000 len=10 "
				    "[retransmission]\n"));
	assert_non_null(strstr(out, "[teardown 2+3/4] [client FIN_WAIT_1 -> "
				    "TIME_WAIT (active closer)] [server "
				    "CLOSE_WAIT -> LAST_ACK]\n"));
	assert_non_null(strstr(out, "[teardown 4/4] [server LAST_ACK -> "
				    "CLOSED]\n"));
	finish();
	/* -S: the numbers as on the wire */
	opts.time_style = NL_TIME_NONE;
	opts.absolute = true;
	start(nl_sink_text_new);
	out = exchange();
	assert_non_null(strstr(out, "TCP [SYN,ACK] seq=5000 ack=1001 "));
	finish();
}

static void test_verbose_block(void **state)
{
	(void)state;
	opts.time_style = NL_TIME_NONE;
	start(nl_sink_verbose_new);
	const char *out = exchange();
	assert_non_null(strstr(out,
			       "  Connection #1: client 10.0.0.1:40000 -> "
			       "server 10.0.0.2:80, relative seq 0 ack "
			       "0\n    role: handshake 1/3\n    state: "
			       "client CLOSED -> SYN_SENT\n    now: client "
			       "SYN_SENT, server CLOSED\n"));
	assert_non_null(strstr(out, "    analysis: [retransmission]\n"));
	finish();
}

static void test_json(void **state)
{
	(void)state;
	opts.conns = true;
	start(nl_sink_json_new);
	const char *out = exchange();
	assert_non_null(strstr(out, "\"seq\":1000,\"ack\":0,"));
	assert_non_null(strstr(out, "\"conn\":1,\"dir\":\"c2s\",\"rseq\":0,"
				    "\"rack\":0,\"role\":\"handshake 1/3\","
				    "\"states\":{\"client\":\"SYN_SENT\","
				    "\"server\":\"CLOSED\"},\"changes\":[{"
				    "\"side\":\"client\",\"from\":\"CLOSED\","
				    "\"to\":\"SYN_SENT\"}],\"analysis\":[]"));
	assert_non_null(strstr(out, "\"analysis\":[\"retransmission\"]"));
	assert_non_null(strstr(out, "{\"type\":\"conn\",\"id\":1,\"client\":"
				    "\"10.0.0.1:40000\",\"server\":"
				    "\"10.0.0.2:80\",\"client_state\":"
				    "\"TIME_WAIT\",\"server_state\":\"CLOSED\","
				    "\"conn_state\":\"SF\",\"history\":"
				    "\"ShADTaFf\""));
	assert_non_null(strstr(out, "\"bytes_c2s\":20,\"bytes_s2c\":0,"));
	assert_non_null(strstr(out, "\"end\":\"end\"}\n"));
	assert_non_null(strstr(out, "\"tcp\":{\"conns\":1,"));
	finish();
}

static void test_conns_table(void **state)
{
	(void)state;
	start(nl_sink_conns_new);
	const char *out = exchange();
	assert_non_null(strstr(out, "connections: 1 TCP\n   id client"));
	assert_non_null(strstr(out, "    1 10.0.0.1:40000        10.0.0.2:80"));
	assert_non_null(strstr(out, "TIME_WAIT    CLOSED       SF         "
				    "ShADTaFf"));
	assert_non_null(strstr(out, "rexmit=1\n"));
	finish();
}

static void test_ladder(void **state)
{
	(void)state;
	opts.ascii = true;
	start(nl_sink_ladder_new);
	const char *out = exchange();
	assert_non_null(strstr(out, "connection #1: client 10.0.0.1:40000  "
				    "server 10.0.0.2:80\n"));
	assert_non_null(strstr(out, "SYN_SENT |--SYN seq=0 len=0----"));
	assert_non_null(strstr(out, "|<-------"));
	assert_non_null(
	    strstr(out, "SYN,ACK seq=0 ack=1 len=0--| SYN_RECEIVED\n"));
	assert_non_null(strstr(out, "[retransmission]"));
	assert_non_null(strstr(out, "conn_state SF, history ShADTaFf, active "
				    "closer: client\n"));
	finish();
	/* another connection's id: nothing drawn */
	opts.ascii = true;
	opts.ladder_id = 2;
	start(nl_sink_ladder_new);
	out = exchange();
	assert_string_equal(out, "");
	finish();
}

/* One connection that ended with its client in TIME_WAIT, client
 * 10.1.H.L:40000 to server 10.0.0.2:80, straight to the summary sink. */
static void tw_conn_end(uint32_t client_host)
{
	struct nl_conn c;
	memset(&c, 0, sizeof(c));
	for (int k = 0; k < 2; k++)
		c.addr[k].family = 4;
	memcpy(c.addr[NL_CLIENT].b,
	       (uint8_t[]){10, 1, (uint8_t)(client_host >> 8),
			   (uint8_t)client_host},
	       4);
	memcpy(c.addr[NL_SERVER].b, (uint8_t[]){10, 0, 0, 2}, 4);
	c.port[NL_CLIENT] = 40000;
	c.port[NL_SERVER] = 80;
	c.side[NL_CLIENT].state = NL_TCPS_TIME_WAIT;
	c.side[NL_SERVER].state = NL_TCPS_CLOSED;
	c.reset_by = c.active_closer = c.delack_side = 2;
	c.id = ++frame_no;
	struct nl_conn_end end = {.conn = &c, .why = NL_CONN_END_CAPTURE};
	struct nl_event ev = {.type = NL_EV_CONN_END};
	ev.u.conn_end = &end;
	sink.ops->on_event(sink.self, &ev);
}

/* TIME_WAIT holders with far more endpoints than the summary keeps
 * (64): the heavy ones stay listed, the one there from the start with
 * its exact count, the one that came late as a lower bound; endpoints
 * seen once are not listed. */
static void test_tw_holders(void **state)
{
	(void)state;
	start(nl_sink_summary_new);
	seg(C, SYN, 1000, 0, 0); /* the table lists connections: one */
	uint32_t single = 1000, late = 0;
	for (int i = 0; i < 600; i++) {
		if (i % 3 == 0)
			tw_conn_end(1); /* 200 */
		else if (i >= 300 && i % 5 == 1)
			tw_conn_end(2), late++; /* 60, from i = 301 */
		else
			tw_conn_end(single++);
	}
	nl_conntable_finish(tab);
	struct nl_summary sum = {.conns = tab};
	struct nl_event ev = {.type = NL_EV_SUMMARY};
	ev.u.summary = &sum;
	sink.ops->on_event(sink.self, &ev);
	const char *out = nl_out_cstr(&mem);
	assert_non_null(strstr(out, "600 clients, 0 servers closed first"));
	const char *a = strstr(out, "10.1.0.1 > 10.0.0.2:80: 200 client "
				    "TIME_WAITs");
	const char *b = strstr(out, "10.1.0.2 > 10.0.0.2:80: at least ");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a < b);
	unsigned long n = strtoul(b + strlen("10.1.0.2 > 10.0.0.2:80: at "
					     "least "),
				  NULL, 10);
	assert_true(n >= 2 && n <= late);
	/* at most three per side, none of the endpoints seen once */
	assert_null(strstr(out, "10.1.3."));
	assert_null(strstr(out, "10.1.4."));
	finish();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_lines),
	    cmocka_unit_test(test_verbose_block),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_conns_table),
	    cmocka_unit_test(test_ladder),
	    cmocka_unit_test(test_tw_holders),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
