/*
 * Wireshark's TCP sequence analysis, rule for rule (epan/dissectors/
 * packet-tcp.c, tcp_analyze_sequence_number()), so that netlab's flag
 * counts agree with tshark's tcp.analysis.* fields. As there, "fwd" is the
 * sender's direction, "rev" the other one, and a zero nextseq/lastack means
 * "not known yet". The rules are those tshark 4.0 applies (the tshark netlab
 * is checked against): an out-of-order segment is timed from the segment
 * that last advanced nextseq, and no list of unacknowledged segments is
 * kept. Known difference, stated in netlab(1): after segments missing from
 * the capture, "ACKed unseen segment" and fast retransmission counts can
 * differ from tshark's by a few percent.
 */
#include "netlab/conn.h"

#include "analysis_inorder.h"

const char *nl_ta_name(enum nl_ta_flag f)
{
	static const char *const names[NL_TA_COUNT] = {
	    [NL_TA_RETRANSMISSION] = "retransmission",
	    [NL_TA_FAST_RETRANSMISSION] = "fast_retransmission",
	    [NL_TA_SPURIOUS_RETRANSMISSION] = "spurious_retransmission",
	    [NL_TA_OUT_OF_ORDER] = "out_of_order",
	    [NL_TA_DUP_ACK] = "dup_ack",
	    [NL_TA_ZERO_WINDOW] = "zero_window",
	    [NL_TA_ZERO_WINDOW_PROBE] = "zero_window_probe",
	    [NL_TA_ZERO_WINDOW_PROBE_ACK] = "zero_window_probe_ack",
	    [NL_TA_WINDOW_FULL] = "window_full",
	    [NL_TA_WINDOW_UPDATE] = "window_update",
	    [NL_TA_KEEP_ALIVE] = "keep_alive",
	    [NL_TA_KEEP_ALIVE_ACK] = "keep_alive_ack",
	    [NL_TA_LOST_SEGMENT] = "previous_segment_not_captured",
	    [NL_TA_ACK_LOST_SEGMENT] = "acked_unseen_segment",
	};
	return (unsigned)f < NL_TA_COUNT ? names[f] : "?";
}

const char *nl_ta_tshark_field(enum nl_ta_flag f)
{
	static const char *const names[NL_TA_COUNT] = {
	    [NL_TA_RETRANSMISSION] = "retransmission",
	    [NL_TA_FAST_RETRANSMISSION] = "fast_retransmission",
	    [NL_TA_SPURIOUS_RETRANSMISSION] = "spurious_retransmission",
	    [NL_TA_OUT_OF_ORDER] = "out_of_order",
	    [NL_TA_DUP_ACK] = "duplicate_ack",
	    [NL_TA_ZERO_WINDOW] = "zero_window",
	    [NL_TA_ZERO_WINDOW_PROBE] = "zero_window_probe",
	    [NL_TA_ZERO_WINDOW_PROBE_ACK] = "zero_window_probe_ack",
	    [NL_TA_WINDOW_FULL] = "window_full",
	    [NL_TA_WINDOW_UPDATE] = "window_update",
	    [NL_TA_KEEP_ALIVE] = "keep_alive",
	    [NL_TA_KEEP_ALIVE_ACK] = "keep_alive_ack",
	    [NL_TA_LOST_SEGMENT] = "lost_segment",
	    [NL_TA_ACK_LOST_SEGMENT] = "ack_lost_segment",
	};
	return (unsigned)f < NL_TA_COUNT ? names[f] : "?";
}

static uint64_t since_ns(int64_t now, int64_t then)
{
	/* a capture out of time order gives 0, as in Wireshark */
	return now > then ? (uint64_t)(now - then) : 0;
}

uint32_t nl_tcp_analyze(struct nl_conn *c, uint8_t dir,
			const struct nl_packet *pkt, uint32_t *dupack_num)
{
	struct nl_tcp_side *fwd = &c->side[dir], *rev = &c->side[!dir];
	const struct nl_tcp *t = &pkt->tcp;
	uint32_t seq = t->seq, ack = t->ack, seglen = pkt->payload_len;
	uint16_t flags = t->flags;
	bool sfr = flags & (NL_TCP_SYN | NL_TCP_FIN | NL_TCP_RST);
	uint32_t window = nl_ta_window(fwd, t);
	uint32_t a = 0;
	int64_t now = pkt->ts_ns;
	*dupack_num = 0;

	/* the common case (analysis_inorder.h) */
	if (nl_ta_in_order(fwd, rev, t, seglen, window))
		return nl_ta_next_in_order(fwd, rev, t, seglen, window, now);

	/* ZERO WINDOW PROBE: 1 byte at nextseq into a zero window */
	if (seglen == 1 && seq == fwd->nextseq && rev->window == 0) {
		a |= F(ZERO_WINDOW_PROBE);
		goto finished_fwd;
	}
	/* ZERO WINDOW */
	if (window == 0 && !sfr)
		a |= F(ZERO_WINDOW);
	/* LOST PACKET: beyond nextseq, so something before was not seen */
	if (fwd->nextseq && GT_SEQ(seq, fwd->nextseq) && !(flags & NL_TCP_RST))
		a |= F(LOST_SEGMENT);
	/* KEEP ALIVE: 0 or 1 byte, one before nextseq */
	if (seglen <= 1 && seq == fwd->nextseq - 1 &&
	    !(flags & (NL_TCP_SYN | NL_TCP_FIN | NL_TCP_RST)))
		a |= F(KEEP_ALIVE);
	/* WINDOW UPDATE: same seq/ack as before, a new window */
	if (seglen == 0 && window && window != fwd->window &&
	    seq == fwd->nextseq && ack == fwd->lastack && !sfr)
		a |= F(WINDOW_UPDATE);
	if (nl_ta_window_full(rev, seq, seglen) && !sfr)
		a |= F(WINDOW_FULL);
	/* KEEP ALIVE ACK */
	if (seglen == 0 && window && window == fwd->window &&
	    seq == fwd->nextseq && ack == fwd->lastack &&
	    (rev->lastsegflags & F(KEEP_ALIVE)) && !sfr) {
		a |= F(KEEP_ALIVE_ACK);
		goto finished_fwd;
	}
	/* ZERO WINDOW PROBE ACK */
	if (seglen == 0 && window == 0 && window == fwd->window &&
	    seq == fwd->nextseq &&
	    (ack == fwd->lastack || EQ_SEQ(ack, fwd->lastack + 1)) &&
	    (rev->lastsegflags & F(ZERO_WINDOW_PROBE)) && !sfr) {
		a |= F(ZERO_WINDOW_PROBE_ACK);
		/* the receiver took the probe's byte */
		if (EQ_SEQ(ack, fwd->lastack + 1)) {
			rev->nextseq = ack;
			rev->maxseqtobeacked = ack;
		}
		goto finished_fwd;
	}
	/* DUPLICATE ACK: same window, seq and ack, no data */
	if (seglen == 0 && window && window == fwd->window &&
	    seq == fwd->nextseq && ack == fwd->lastack && !sfr) {
		fwd->dupacknum++;
		a |= F(DUP_ACK);
		*dupack_num = (uint32_t)fwd->dupacknum;
		goto finished_fwd;
	}

finished_fwd:
	if (ack != fwd->lastack)
		fwd->dupacknum = 0;
	a |= nl_ta_acked_unseen(fwd, rev, t);

	/* RETRANSMISSION / FAST RETRANSMISSION / OUT-OF-ORDER / SPURIOUS */
	if ((seglen > 0 || (flags & (NL_TCP_SYN | NL_TCP_FIN))) &&
	    !(a & F(KEEP_ALIVE))) {
		bool not_advanced = fwd->nextseq && LT_SEQ(seq, fwd->nextseq);
		if (seglen > 1 && fwd->nextseq - 1 == seq)
			not_advanced = false; /* after a zero window probe */
		if (nl_ta_acked_already(rev, seq, seglen)) {
			a |= F(SPURIOUS_RETRANSMISSION);
			goto done_retrans;
		}
		/* >= 2 duplicate ACKs for this seq, within 20 ms of the
		 * last segment the other way */
		uint64_t dt = since_ns(now, rev->lastack_ns);
		if (not_advanced && rev->dupacknum >= 2 &&
		    rev->lastack == seq && dt < 20000000) {
			a |= F(FAST_RETRANSMISSION);
			goto done_retrans;
		}
		/* close behind the segment that last advanced nextseq, and
		 * not a copy of it: out of order */
		uint64_t ooo_thres =
		    c->first_rtt_ns > 0 ? (uint64_t)c->first_rtt_ns : 3000000;
		uint32_t end = seq + seglen +
			       ((flags & (NL_TCP_SYN | NL_TCP_FIN)) ? 1 : 0);
		if (not_advanced &&
		    since_ns(now, fwd->nextseq_ns) < ooo_thres &&
		    fwd->nextseq != end) {
			a |= F(OUT_OF_ORDER);
			goto done_retrans;
		}
		if (not_advanced)
			a |= F(RETRANSMISSION);
	}
done_retrans:
	nl_ta_advance(fwd, t, seglen, window, a, now);
	return nl_ta_final(a);
}
