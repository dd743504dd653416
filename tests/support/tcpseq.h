/*
 * Hand-made TCP segments for the connection-tracking tests: a decoded
 * struct nl_packet filled the way the decoders fill it, between a client
 * 10.0.0.1:40000 and a server 10.0.0.2:80 (or IPv6 ones), so a test reads
 * as the exchange it drives:
 *
 *   seg(C, SYN, 100, 0, 0);  seg(S, SYN | ACK, 500, 101, 0);
 *
 * Header-only: each test file gets its own copy of the state.
 */
#ifndef NETLAB_TEST_TCPSEQ_H
#define NETLAB_TEST_TCPSEQ_H

#include <string.h>

#include "netlab/conn.h"
#include "netlab/decode.h"

#define C   0 /* from the client */
#define S   1 /* from the server */
#define SYN NL_TCP_SYN
#define ACK NL_TCP_ACK
#define FIN NL_TCP_FIN
#define RST NL_TCP_RST
#define PSH NL_TCP_PSH

struct tcpseq {
	struct nl_packet pkt;
	struct nl_tcp_note note;
	struct nl_conn *conn;
	uint8_t dir;
	bool created;
	int64_t now_us;	 /* capture time of the next segment */
	int64_t step_us; /* added after each segment */
	uint16_t win[2]; /* window each side advertises */
	uint16_t cport, sport;
	bool v6;
	bool whole_note; /* nl_tcp_track()'s: true unless a test says */
};

static inline void tcpseq_init(struct tcpseq *q)
{
	memset(q, 0, sizeof(*q));
	q->now_us = 1700000000ll * 1000000;
	q->step_us = 1000;
	q->win[0] = q->win[1] = 1000;
	q->cport = 40000;
	q->sport = 80;
	q->whole_note = true;
}

static inline void tcpseq_addr(struct tcpseq *q, struct nl_addr *a, int host)
{
	memset(a, 0, sizeof(*a));
	if (q->v6) {
		a->family = 6;
		a->b[0] = 0x20;
		a->b[1] = 0x01;
		a->b[15] = (uint8_t)host;
	} else {
		a->family = 4;
		a->b[0] = 10;
		a->b[3] = (uint8_t)host;
	}
}

/* Build one segment from side `from` into q->pkt. */
static inline const struct nl_packet *tcpseq_build(struct tcpseq *q, int from,
						   uint16_t flags, uint32_t seq,
						   uint32_t ack, uint32_t len)
{
	struct nl_packet *p = &q->pkt;
	memset(p, 0, sizeof(*p));
	p->layers = NL_LAYER_BIT(NL_L_TCP) |
		    NL_LAYER_BIT(q->v6 ? NL_L_IPV6 : NL_L_IPV4);
	p->ts.sec = q->now_us / 1000000;
	p->ts.nsec = (uint32_t)(q->now_us % 1000000) * 1000;
	p->ts_ns = nl_time_ns(&p->ts);
	q->now_us += q->step_us;
	tcpseq_addr(q, from == C ? &p->src : &p->dst, 1);
	tcpseq_addr(q, from == C ? &p->dst : &p->src, 2);
	p->tcp.sport = from == C ? q->cport : q->sport;
	p->tcp.dport = from == C ? q->sport : q->cport;
	p->tcp.seq = seq;
	p->tcp.ack = ack;
	p->tcp.flags = flags;
	p->tcp.win = q->win[from];
	p->payload_len = len;
	p->len = 54 + len;
	p->caplen = p->len;
	return p;
}

/* Build and track one segment; returns the note. */
static inline const struct nl_tcp_note *
tcpseq_seg(struct tcpseq *q, struct nl_conn_table *t, int from, uint16_t flags,
	   uint32_t seq, uint32_t ack, uint32_t len)
{
	const struct nl_packet *p = tcpseq_build(q, from, flags, seq, ack, len);
	q->conn = nl_conntable_lookup(t, p, &q->dir, &q->created);
	if (q->conn) {
		nl_tcp_track(q->conn, q->dir, p, &q->note, q->whole_note);
		/* as the pipeline does: a closed connection starts its linger */
		if (q->note.n_changes)
			nl_conntable_changed(t, q->conn);
	}
	return &q->note;
}

#endif
