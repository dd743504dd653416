/*
 * Both endpoints' RFC 9293 states, inferred from the wire. Each segment is
 * classified into one event, then handled by a switch on it; every state
 * change passes through set_state(), which records it on the packet's
 * note. The receiver's state changes when the segment is seen, as if it
 * arrived (the capture point cannot know better); where a later segment
 * proves that assumption wrong (simultaneous open or close) the state is
 * corrected and the correction noted.
 */
#include <string.h>

#include "netlab/conn.h"

#include "analysis_inorder.h"

/* RFC 9293 §3.4: sequence numbers compare modulo 2^32 */
static bool seq_gt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

const char *nl_tcp_state_name(enum nl_tcp_state s)
{
	static const char *const names[NL_TCPS_COUNT] = {
	    [NL_TCPS_CLOSED] = "CLOSED",
	    [NL_TCPS_LISTEN] = "LISTEN",
	    [NL_TCPS_SYN_SENT] = "SYN_SENT",
	    [NL_TCPS_SYN_RECEIVED] = "SYN_RECEIVED",
	    [NL_TCPS_ESTABLISHED] = "ESTABLISHED",
	    [NL_TCPS_FIN_WAIT_1] = "FIN_WAIT_1",
	    [NL_TCPS_FIN_WAIT_2] = "FIN_WAIT_2",
	    [NL_TCPS_CLOSE_WAIT] = "CLOSE_WAIT",
	    [NL_TCPS_CLOSING] = "CLOSING",
	    [NL_TCPS_LAST_ACK] = "LAST_ACK",
	    [NL_TCPS_TIME_WAIT] = "TIME_WAIT",
	};
	return (unsigned)s < NL_TCPS_COUNT ? names[s] : "?";
}

enum seg_event { EV_SYN, EV_SYNACK, EV_RST, EV_FIN, EV_ACK, EV_BARE };

static enum seg_event classify(uint16_t flags)
{
	if (flags & NL_TCP_RST)
		return EV_RST;
	if (flags & NL_TCP_SYN)
		return (flags & NL_TCP_ACK) ? EV_SYNACK : EV_SYN;
	if (flags & NL_TCP_FIN)
		return EV_FIN;
	return (flags & NL_TCP_ACK) ? EV_ACK : EV_BARE;
}

static void set_state(struct nl_conn *c, struct nl_tcp_note *n, uint8_t side,
		      enum nl_tcp_state to)
{
	uint8_t from = c->side[side].state;
	if (from == to)
		return;
	c->side[side].state = (uint8_t)to;
	if (n->n_changes < NL_TCP_MAX_CHANGES)
		n->changes[n->n_changes++] =
		    (struct nl_tcp_change){side, from, (uint8_t)to};
}

static void role(struct nl_tcp_note *n, enum nl_tcp_role r, uint8_t step)
{
	n->role = (uint8_t)r;
	n->step = step;
}

/* Zeek's history letters, in the order Zeek lists them. */
enum { H_S, H_H, H_A, H_D, H_F, H_R, H_T, H_W };
static const char hist_letter[] = "SHADFRTW";

static void hist_add(struct nl_conn *c, uint8_t dir, unsigned letter)
{
	c->hist_seen[dir] |= (uint16_t)(1u << letter);
	if (c->hist_len < NL_CONN_HISTORY) {
		char ch = hist_letter[letter];
		c->history[c->hist_len++] =
		    dir == NL_CLIENT ? ch : (char)(ch + 32);
		c->history[c->hist_len] = '\0';
	}
}

/* Each letter once per side: after the first, the common case, a test. */
static inline void hist(struct nl_conn *c, uint8_t dir, unsigned letter)
{
	if (!(c->hist_seen[dir] & (1u << letter)))
		hist_add(c, dir, letter);
}

/* Zeek records 't' and 'w' again at the 10th, 100th … occurrence. */
static void hist_repeat(struct nl_conn *c, uint8_t dir, unsigned letter,
			uint16_t *count)
{
	if (*count == UINT16_MAX)
		return; /* 't' 'w' beyond 10000: Zeek's history is full anyway
			 */
	uint32_t n = ++*count;
	if (n == 1) {
		hist(c, dir, letter);
		return;
	}
	while (n % 10 == 0)
		n /= 10;
	if (n == 1 && c->hist_len < NL_CONN_HISTORY) {
		char ch = hist_letter[letter];
		c->history[c->hist_len++] =
		    dir == NL_CLIENT ? ch : (char)(ch + 32);
		c->history[c->hist_len] = '\0';
	}
}

static bool is_wellknown(uint16_t p)
{
	return p < 1024;
}

void nl_tcp_conn_init(struct nl_conn *c, uint8_t dir,
		      const struct nl_packet *pkt)
{
	(void)dir;
	uint16_t f = pkt->tcp.flags;
	bool src_client;
	if ((f & (NL_TCP_SYN | NL_TCP_RST)) == NL_TCP_SYN) {
		/* the SYN sender is the client; a SYN/ACK first means the
		 * SYN was not captured: its receiver is the client */
		src_client = !(f & NL_TCP_ACK);
	} else {
		/* picked up mid-stream: the well-known port, else the lower
		 * port, is the server's (ties: the receiver is the server) */
		c->midstream = true;
		uint16_t sp = pkt->tcp.sport, dp = pkt->tcp.dport;
		if (is_wellknown(sp) != is_wellknown(dp))
			src_client = is_wellknown(dp);
		else
			src_client = sp >= dp;
	}
	uint8_t cl = src_client ? 0 : 1;
	c->addr[cl] = pkt->src;
	c->port[cl] = pkt->tcp.sport;
	c->addr[!cl] = pkt->dst;
	c->port[!cl] = pkt->tcp.dport;
	c->first_ns = c->last_ns = pkt->ts_ns;
	c->active_closer = c->reset_by = c->delack_side = 2;
	for (int i = 0; i < 2; i++) {
		c->side[i].win_scale = -1;
		c->side[i].state =
		    c->midstream ? NL_TCPS_ESTABLISHED : NL_TCPS_CLOSED;
	}
	if (!c->midstream && (f & NL_TCP_ACK)) {
		/* SYN/ACK first: the client's SYN went by unseen */
		c->side[NL_CLIENT].state = NL_TCPS_SYN_SENT;
		c->side[NL_CLIENT].zstate = NL_Z_SYN_SENT;
	}
	if (!src_client && c->hist_len < NL_CONN_HISTORY) {
		/* Zeek's '^': the first packet came from the responder */
		c->history[c->hist_len++] = '^';
		c->history[c->hist_len] = '\0';
	}
}

static void learn_syn_options(struct nl_conn *c, uint8_t dir,
			      const struct nl_tcp *t, bool synack)
{
	struct nl_tcp_side *s = &c->side[dir], *p = &c->side[!dir];
	s->has_mss = t->has_mss;
	s->mss = t->mss;
	s->has_wscale = t->has_wscale;
	s->wscale = t->wscale > 14 ? 14 : t->wscale; /* RFC 7323 §2.3 */
	s->sack_perm = t->sack_perm;
	s->has_ts = t->has_ts;
	/* window scaling holds only when both SYNs carry the option
	 * (Wireshark's verify_tcp_window_scaling) */
	if (!t->has_wscale) {
		s->win_scale = -2;
		p->win_scale = -2;
	} else if (synack && p->win_scale == -2) {
		s->win_scale = -2;
	} else {
		s->win_scale = (int8_t)s->wscale;
	}
}

static void zeek_update(struct nl_conn *c, uint8_t dir, enum seg_event ev)
{
	struct nl_tcp_side *s = &c->side[dir], *p = &c->side[!dir];
	switch (ev) {
	case EV_SYN:
		if (s->zstate == NL_Z_INACTIVE)
			s->zstate = NL_Z_SYN_SENT;
		break;
	case EV_SYNACK:
		if (s->zstate == NL_Z_INACTIVE || s->zstate == NL_Z_SYN_SENT)
			s->zstate = NL_Z_SYN_ACK_SENT;
		break;
	case EV_RST:
		s->zstate = NL_Z_RESET;
		break;
	case EV_FIN:
		if (s->zstate != NL_Z_RESET)
			s->zstate = NL_Z_CLOSED;
		break;
	case EV_ACK:
	case EV_BARE:
		if (s->zstate == NL_Z_SYN_SENT ||
		    s->zstate == NL_Z_SYN_ACK_SENT) {
			s->zstate = NL_Z_ESTABLISHED;
			if (p->zstate == NL_Z_SYN_ACK_SENT ||
			    p->zstate == NL_Z_SYN_SENT)
				p->zstate = NL_Z_ESTABLISHED;
		} else if (s->zstate == NL_Z_INACTIVE) {
			s->zstate = (p->zstate == NL_Z_SYN_ACK_SENT ||
				     p->zstate == NL_Z_ESTABLISHED)
					? NL_Z_ESTABLISHED
					: NL_Z_PARTIAL;
		}
		break;
	}
}

static void on_rst(struct nl_conn *c, uint8_t dir, struct nl_tcp_note *n)
{
	struct nl_tcp_side *s = &c->side[dir], *p = &c->side[!dir];
	uint8_t prev = s->state;
	s->rst_seen = true;
	if (p->state == NL_TCPS_SYN_SENT && !s->syn_seen &&
	    (prev == NL_TCPS_CLOSED || prev == NL_TCPS_LISTEN)) {
		/* RFC 9293 §3.10.7.1: a SYN to a port nobody listens on is
		 * answered by RST; the caller sees ECONNREFUSED */
		c->refused = true;
		role(n, NL_ROLE_REFUSED, 0);
		s->state = NL_TCPS_CLOSED;
		set_state(c, n, (uint8_t)!dir, NL_TCPS_CLOSED);
	} else {
		role(n, NL_ROLE_RESET, 0);
		n->reset_state = prev;
		set_state(c, n, dir, NL_TCPS_CLOSED);
		set_state(c, n, (uint8_t)!dir, NL_TCPS_CLOSED);
	}
	if (c->reset_by == 2) {
		c->reset_by = dir;
		c->reset_state = prev;
	}
}

static void on_syn(struct nl_conn *c, uint8_t dir, const struct nl_packet *pkt,
		   struct nl_tcp_note *n)
{
	struct nl_tcp_side *s = &c->side[dir], *p = &c->side[!dir];
	c->mru_syn_ns = pkt->ts_ns;
	if (s->syn_seen) {
		role(n, NL_ROLE_HANDSHAKE, 1);
		n->retry = s->syn_count < 255 ? s->syn_count : 255;
		s->syn_count++;
		if (dir == NL_CLIENT) /* the RTT runs from the last try */
			c->syn_ns = pkt->ts_ns;
		return;
	}
	s->syn_seen = true;
	s->syn_count = 1;
	learn_syn_options(c, dir, &pkt->tcp, false);
	if (dir == NL_CLIENT) {
		c->syn_ns = pkt->ts_ns;
		c->syn_ok = true;
		role(n, NL_ROLE_HANDSHAKE, 1);
		set_state(c, n, dir, NL_TCPS_SYN_SENT);
	} else if (p->state == NL_TCPS_SYN_SENT) {
		/* RFC 9293 Figure 7: the SYNs crossed. Each side sent its SYN
		 * before the other's arrived, then receives it. */
		c->sim_open = true;
		role(n, NL_ROLE_SIM_OPEN, 0);
		set_state(c, n, dir, NL_TCPS_SYN_SENT);
		set_state(c, n, dir, NL_TCPS_SYN_RECEIVED);
		set_state(c, n, (uint8_t)!dir, NL_TCPS_SYN_RECEIVED);
	}
}

static void on_synack(struct nl_conn *c, uint8_t dir,
		      const struct nl_packet *pkt, struct nl_tcp_note *n)
{
	struct nl_tcp_side *s = &c->side[dir], *p = &c->side[!dir];
	uint32_t ack = pkt->tcp.ack;
	role(n, NL_ROLE_HANDSHAKE, 2);
	if (s->syn_seen && !c->sim_open) {
		n->retry = s->syn_count < 255 ? s->syn_count : 255;
		s->syn_count++;
	} else {
		if (!s->syn_seen)
			learn_syn_options(c, dir, &pkt->tcp, true);
		s->syn_seen = true;
		s->syn_count++;
		if (!c->synack_ok) {
			c->synack_ns = pkt->ts_ns;
			c->synack_ok = true;
		}
	}
	if (s->state == NL_TCPS_CLOSED) {
		s->state = NL_TCPS_LISTEN; /* it was listening: it answers */
		set_state(c, n, dir, NL_TCPS_SYN_RECEIVED);
	}
	/* the SYN/ACK acknowledges the peer's SYN */
	if ((p->state == NL_TCPS_SYN_SENT ||
	     p->state == NL_TCPS_SYN_RECEIVED) &&
	    (!p->syn_seen || seq_gt(ack, p->base)))
		set_state(c, n, (uint8_t)!dir, NL_TCPS_ESTABLISHED);
}

/* The acknowledgement field: what the receiver learns about its own SYN and
 * FIN. RFC 9293 §3.10.7.4 processes the ACK before the FIN. */
static void on_ack(struct nl_conn *c, uint8_t dir, const struct nl_packet *pkt,
		   struct nl_tcp_note *n, bool fin)
{
	struct nl_tcp_side *s = &c->side[dir], *p = &c->side[!dir];
	uint32_t ack = pkt->tcp.ack;
	bool acked_syn = p->syn_seen && seq_gt(ack, p->base);
	bool acked_fin = p->fin_seen && seq_gt(ack, p->fin_seq);
	if (s->state == NL_TCPS_SYN_SENT && !p->syn_seen && !c->sim_open) {
		/* the SYN/ACK went by unseen: this ACK completes the
		 * handshake the peer answered */
		set_state(c, n, dir, NL_TCPS_ESTABLISHED);
		if (p->state == NL_TCPS_CLOSED || p->state == NL_TCPS_LISTEN) {
			p->state = NL_TCPS_SYN_RECEIVED;
			set_state(c, n, (uint8_t)!dir, NL_TCPS_ESTABLISHED);
		}
		role(n, NL_ROLE_HANDSHAKE, 3);
		return;
	}
	if (s->state == NL_TCPS_SYN_SENT && acked_syn)
		set_state(c, n, dir, NL_TCPS_ESTABLISHED);
	switch ((enum nl_tcp_state)p->state) {
	case NL_TCPS_SYN_RECEIVED:
		if (acked_syn) {
			set_state(c, n, (uint8_t)!dir, NL_TCPS_ESTABLISHED);
			if (!c->sim_open && dir == NL_CLIENT) {
				role(n, NL_ROLE_HANDSHAKE, 3);
				if (!c->ack_ok && c->synack_ok) {
					int64_t d = (pkt->ts_ns -
						     c->synack_ns) /
						    1000;
					c->rtt_client_us = d > INT32_MAX
							       ? INT32_MAX
							       : (int32_t)d;
					c->ack_ok = true;
				}
			}
		}
		break;
	case NL_TCPS_FIN_WAIT_1:
		if (acked_fin) {
			set_state(c, n, (uint8_t)!dir, NL_TCPS_FIN_WAIT_2);
			if (!fin)
				role(n, NL_ROLE_TEARDOWN, 2);
		}
		break;
	case NL_TCPS_CLOSING:
		if (acked_fin) {
			set_state(c, n, (uint8_t)!dir, NL_TCPS_TIME_WAIT);
			role(n, NL_ROLE_TEARDOWN, 4);
		}
		break;
	case NL_TCPS_LAST_ACK:
		if (acked_fin) {
			set_state(c, n, (uint8_t)!dir, NL_TCPS_CLOSED);
			role(n, NL_ROLE_TEARDOWN, 4);
		}
		break;
	default:
		break;
	}
}

static void on_fin(struct nl_conn *c, uint8_t dir, const struct nl_packet *pkt,
		   struct nl_tcp_note *n)
{
	struct nl_tcp_side *s = &c->side[dir], *p = &c->side[!dir];
	uint32_t fin_seq = pkt->tcp.seq + pkt->payload_len;
	if (s->fin_seen && fin_seq == s->fin_seq) {
		/* a repeated FIN: step 1 of the active closer, 3 of the other
		 */
		role(n, NL_ROLE_TEARDOWN, c->active_closer == dir ? 1 : 3);
		n->retry = s->fin_count < 255 ? s->fin_count : 255;
		s->fin_count++;
		return;
	}
	s->fin_seen = true;
	s->fin_seq = fin_seq;
	s->fin_count++;
	if (c->active_closer == 2)
		c->active_closer = dir;
	bool acks_peer_fin = p->fin_seen && (pkt->tcp.flags & NL_TCP_ACK) &&
			     seq_gt(pkt->tcp.ack, p->fin_seq);
	/* the sender's side of the close */
	switch ((enum nl_tcp_state)s->state) {
	case NL_TCPS_CLOSE_WAIT:
		if (!acks_peer_fin) {
			/* it sent its FIN before the peer's arrived: the
			 * FINs crossed (RFC 9293 Figure 13) */
			c->sim_close = true;
			role(n, NL_ROLE_SIM_CLOSE, 0);
			set_state(c, n, dir, NL_TCPS_CLOSING);
		} else {
			bool combined =
			    n->n_changes && n->changes[n->n_changes - 1].to ==
						NL_TCPS_FIN_WAIT_2;
			role(n, NL_ROLE_TEARDOWN, combined ? 23 : 3);
			set_state(c, n, dir, NL_TCPS_LAST_ACK);
		}
		break;
	case NL_TCPS_SYN_SENT:
	case NL_TCPS_SYN_RECEIVED:
	case NL_TCPS_ESTABLISHED:
		role(n, NL_ROLE_TEARDOWN, 1);
		set_state(c, n, dir, NL_TCPS_FIN_WAIT_1);
		break;
	default:
		break;
	}
	/* the receiver's side */
	switch ((enum nl_tcp_state)p->state) {
	case NL_TCPS_SYN_RECEIVED:
	case NL_TCPS_ESTABLISHED:
		set_state(c, n, (uint8_t)!dir, NL_TCPS_CLOSE_WAIT);
		break;
	case NL_TCPS_FIN_WAIT_1:
		if (!c->sim_close) {
			c->sim_close = true;
			role(n, NL_ROLE_SIM_CLOSE, 0);
		}
		set_state(c, n, (uint8_t)!dir, NL_TCPS_CLOSING);
		break;
	case NL_TCPS_FIN_WAIT_2: {
		/* FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT within one segment
		 * is RFC 9293's FIN_WAIT_1 -> TIME_WAIT: note it so */
		struct nl_tcp_change *last =
		    n->n_changes ? &n->changes[n->n_changes - 1] : NULL;
		for (unsigned i = 0; i < n->n_changes; i++)
			if (n->changes[i].side == (uint8_t)!dir &&
			    n->changes[i].to == NL_TCPS_FIN_WAIT_2)
				last = &n->changes[i];
		if (last && last->side == (uint8_t)!dir &&
		    last->to == NL_TCPS_FIN_WAIT_2) {
			last->to = NL_TCPS_TIME_WAIT;
			p->state = NL_TCPS_TIME_WAIT;
		} else {
			set_state(c, n, (uint8_t)!dir, NL_TCPS_TIME_WAIT);
		}
		break;
	}
	default:
		break;
	}
}

/* Delayed ACK threshold and how soon after it the held data must follow:
 * Linux delays an ACK up to 40 ms (200 ms elsewhere); Nagle releases the
 * held segment the moment the ACK arrives. */
#define DELACK_MIN_NS  30000000ll
#define RELEASE_MAX_NS 2000000ll

/* The writer's held data followed the late ACK: a stall. */
static __attribute__((noinline)) void count_stall(struct nl_conn *c,
						  uint8_t dir)
{
	c->stalls++;
	c->stall_side = dir;
	if (c->delack_wait_us > c->stall_max_us)
		c->stall_max_us = c->delack_wait_us;
}

/* A pure ACK for everything the peer has sent, late: its sender (the
 * reader) delayed it. */
static __attribute__((noinline)) void late_ack(struct nl_conn *c,
					       uint8_t dir, int64_t now,
					       int64_t wait_ns)
{
	c->delack_side = (uint8_t)!dir;
	c->delack_ns = now;
	int64_t w = wait_ns / 1000;
	c->delack_wait_us = w > UINT32_MAX ? UINT32_MAX : (uint32_t)w;
}

/*
 * The write-write-read stall: a writer sends a small segment, writes the
 * rest of its message, and Nagle holds that back until everything sent is
 * acknowledged; the reader delays its ACK hoping to piggyback a reply. On
 * the wire: a pure ACK for all the writer sent, >= 30 ms after it, then
 * the writer's next data within 2 ms of that ACK.
 *
 * Inlined into both paths (the fast path knows the flags): most packets
 * cost a test or two here and, with data, two stores.
 */
static inline __attribute__((always_inline)) void
nagle_check(struct nl_conn *c, uint8_t dir, const struct nl_packet *pkt,
	    int64_t now)
{
	struct nl_tcp_side *s = &c->side[dir], *p = &c->side[!dir];
	uint32_t len = pkt->payload_len;
	if (len) {
		if (__builtin_expect(c->delack_side == dir, 0) &&
		    now - c->delack_ns <= RELEASE_MAX_NS && s->last_len &&
		    (!p->has_mss || s->last_len < p->mss))
			count_stall(c, dir);
		c->delack_side = 2;
		s->last_len = len > UINT16_MAX ? UINT16_MAX : (uint16_t)len;
		return;
	}
	if ((pkt->tcp.flags &
	     (NL_TCP_ACK | NL_TCP_SYN | NL_TCP_FIN | NL_TCP_RST)) ==
		NL_TCP_ACK &&
	    p->last_len && pkt->tcp.ack == p->nextseq &&
	    now - p->nextseq_ns >= DELACK_MIN_NS)
		late_ack(c, dir, now, now - p->nextseq_ns);
}

/*
 * The common case, data or ACKs in order on a connection both sides hold
 * established: of everything nl_tcp_track() does only the analysis (its
 * in-order case), the counters, the history letter of data or an ACK, the
 * stall check and the note remain; no state, sequence base, iRTT or Zeek
 * state can change. The conditions are checked before anything is
 * written; false: the full path.
 */
static inline __attribute__((always_inline)) bool
track_in_order(struct nl_conn *c, uint8_t dir, const struct nl_packet *pkt,
	       struct nl_tcp_note *n, bool whole_note)
{
	const struct nl_tcp *t = &pkt->tcp;
	struct nl_tcp_side *s = &c->side[dir], *p = &c->side[!dir];
	uint32_t len = pkt->payload_len;
	if ((t->flags & (NL_TCP_SYN | NL_TCP_FIN | NL_TCP_RST | NL_TCP_ACK)) !=
		NL_TCP_ACK ||
	    s->state != NL_TCPS_ESTABLISHED || p->state != NL_TCPS_ESTABLISHED ||
	    s->zstate != NL_Z_ESTABLISHED || !s->base_set || !p->base_set ||
	    (!c->first_rtt_ns && c->mru_syn_ns) || t->win == 0)
		return false;
	uint32_t window = nl_ta_window(s, t);
	if (!nl_ta_in_order(s, p, t, len, window))
		return false;

	int64_t now = pkt->ts_ns;
	uint32_t a = nl_ta_next_in_order(s, p, t, len, window, now);
	n->analysis = a;
	for (uint32_t b = a; b; b &= b - 1)
		c->ta_count[__builtin_ctz(b)]++;
	s->pkts++;
	s->bytes += len;
	s->wire_bytes += pkt->len;
	/* a side's first data or pure ACK: its history letter (the full path
	 * adds just that, the Zeek state being established already) */
	hist(c, dir, len ? H_D : H_A);
	if (len && (a & ((1u << NL_TA_RETRANSMISSION) |
			 (1u << NL_TA_FAST_RETRANSMISSION) |
			 (1u << NL_TA_SPURIOUS_RETRANSMISSION))))
		hist_repeat(c, dir, H_T, &s->hist_t);
	nagle_check(c, dir, pkt, now);
	if (!whole_note) {
		n->n_changes = 0;
		n->dupack_num = 0;
		return true;
	}
	n->conn_id = c->id; /* the rest was cleared by nl_tcp_track() */
	n->dir = dir;
	n->midstream = c->midstream;
	n->rseq = t->seq - s->base;
	n->rack = t->ack - p->base;
	n->state[0] = n->state[1] = NL_TCPS_ESTABLISHED;
	return true;
}

bool nl_tcp_fast_path = true;

void nl_tcp_track(struct nl_conn *c, uint8_t dir, const struct nl_packet *pkt,
		  struct nl_tcp_note *n, bool whole_note)
{
	/* cleared before the fast path, not in it: inlined there, gcc made
	 * this memset a rep stos, whose start-up costs tens of cycles */
	if (whole_note)
		memset(n, 0, sizeof(*n));
	if (nl_tcp_fast_path && track_in_order(c, dir, pkt, n, whole_note))
		return;
	if (!whole_note)
		memset(n, 0, sizeof(*n));
	const struct nl_tcp *t = &pkt->tcp;
	struct nl_tcp_side *s = &c->side[dir], *p = &c->side[!dir];
	enum seg_event ev = classify(t->flags);

	n->conn_id = c->id;
	n->dir = dir;
	n->midstream = c->midstream;
	int64_t now = pkt->ts_ns; /* (the table stamped c->last_ns) */

	/* relative sequence numbers: 0 is the ISN; mid-stream, the first
	 * byte seen is 1 (as Wireshark numbers them) */
	if (ev == EV_SYN || ev == EV_SYNACK) {
		if (!s->syn_seen) {
			s->base = t->seq;
			s->base_set = true;
		}
	} else if (!s->base_set) {
		s->base = t->seq - 1;
		s->base_set = true;
	}
	if ((t->flags & NL_TCP_ACK) && !p->base_set) {
		p->base = t->ack - 1;
		p->base_set = true;
	}

	/* Wireshark's iRTT: latest SYN to the first pure ACK after it */
	if ((t->flags & (NL_TCP_SYN | NL_TCP_ACK)) == NL_TCP_ACK &&
	    c->first_rtt_ns == 0 && c->mru_syn_ns) {
		int64_t d = now - c->mru_syn_ns;
		c->first_rtt_ns = d > 0 ? d : 1;
	}
	if (ev == EV_SYN)
		c->mru_syn_ns = now;

	n->analysis = nl_tcp_analyze(c, dir, pkt, &n->dupack_num);
	for (uint32_t b = n->analysis; b; b &= b - 1)
		c->ta_count[__builtin_ctz(b)]++;

	s->pkts++;
	s->bytes += pkt->payload_len;
	s->wire_bytes += pkt->len;

	switch (ev) {
	case EV_RST:
		on_rst(c, dir, n);
		break;
	case EV_SYN:
		on_syn(c, dir, pkt, n);
		break;
	case EV_SYNACK:
		on_synack(c, dir, pkt, n);
		break;
	case EV_FIN:
		if (t->flags & NL_TCP_ACK)
			on_ack(c, dir, pkt, n, true);
		on_fin(c, dir, pkt, n);
		break;
	case EV_ACK:
		/* the common case, data or ACKs both ways, changes nothing */
		if (p->state != NL_TCPS_ESTABLISHED ||
		    s->state != NL_TCPS_ESTABLISHED)
			on_ack(c, dir, pkt, n, false);
		break;
	case EV_BARE:
		break;
	}
	zeek_update(c, dir, ev);

	/* Zeek's history */
	switch (ev) {
	case EV_SYN:
		hist(c, dir, H_S);
		break;
	case EV_SYNACK:
		hist(c, dir, H_H);
		break;
	case EV_RST:
		hist(c, dir, H_R);
		break;
	case EV_FIN:
		hist(c, dir, H_F);
		break;
	case EV_ACK:
		if (!pkt->payload_len)
			hist(c, dir, H_A);
		break;
	case EV_BARE:
		break;
	}
	if (pkt->payload_len)
		hist(c, dir, H_D);
	if (pkt->payload_len &&
	    (n->analysis &
	     ((1u << NL_TA_RETRANSMISSION) | (1u << NL_TA_FAST_RETRANSMISSION) |
	      (1u << NL_TA_SPURIOUS_RETRANSMISSION))))
		hist_repeat(c, dir, H_T, &s->hist_t);
	if (t->win == 0 && !(t->flags & NL_TCP_RST))
		hist_repeat(c, dir, H_W, &s->hist_w);

	nagle_check(c, dir, pkt, now);

	n->rseq = t->seq - s->base;
	n->rack = (t->flags & NL_TCP_ACK) ? t->ack - p->base : 0;
	n->state[0] = c->side[0].state;
	n->state[1] = c->side[1].state;
}

static int64_t span_us(int64_t a_ns, int64_t b_ns)
{
	return (b_ns - a_ns) / 1000;
}

int64_t nl_conn_rtt_server_us(const struct nl_conn *c)
{
	return c->syn_ok && c->synack_ok ? span_us(c->syn_ns, c->synack_ns)
					 : -1;
}

int64_t nl_conn_rtt_client_us(const struct nl_conn *c)
{
	return c->synack_ok && c->ack_ok ? c->rtt_client_us : -1;
}

int64_t nl_conn_duration_us(const struct nl_conn *c)
{
	return span_us(c->first_ns, c->last_ns);
}

/* Zeek's conn_state(), base/protocols/conn/main.zeek */
const char *nl_conn_zeek_state(const struct nl_conn *c)
{
	uint8_t os = c->side[NL_CLIENT].zstate, rs = c->side[NL_SERVER].zstate;
	bool o_inactive = os == NL_Z_INACTIVE || os == NL_Z_PARTIAL;
	bool r_inactive = rs == NL_Z_INACTIVE || rs == NL_Z_PARTIAL;
	if (rs == NL_Z_RESET) {
		if (os == NL_Z_SYN_SENT || os == NL_Z_SYN_ACK_SENT ||
		    (os == NL_Z_RESET && c->side[0].bytes == 0 &&
		     c->side[1].bytes == 0))
			return "REJ";
		return o_inactive ? "RSTRH" : "RSTR";
	}
	if (os == NL_Z_RESET) {
		if (r_inactive) {
			/* history matches /^?S[^HAFGIQ]*R.*\/ */
			const char *h = c->history;
			if (*h == '^')
				h++;
			if (*h++ == 'S') {
				while (*h && !strchr("HAFGIQ", *h)) {
					if (*h == 'R')
						return "RSTOS0";
					h++;
				}
			}
			return "OTH";
		}
		return "RSTO";
	}
	if (rs == NL_Z_CLOSED && os == NL_Z_CLOSED)
		return "SF";
	if (os == NL_Z_CLOSED)
		return r_inactive ? "SH" : "S2";
	if (rs == NL_Z_CLOSED)
		return o_inactive ? "SHR" : "S3";
	if (os == NL_Z_SYN_SENT && rs == NL_Z_INACTIVE)
		return "S0";
	if (os == NL_Z_ESTABLISHED && rs == NL_Z_ESTABLISHED)
		return "S1";
	return "OTH";
}
