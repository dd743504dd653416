/*
 * Wireshark's sequence analysis (src/tcp/analysis.c) for the segment that
 * comes next in order: the tracker's fast path and nl_tcp_analyze() both
 * use these, so the rules live in one place.
 *
 * In order means: no SYN, FIN or RST, windows open both ways, the
 * sequence number the sender's next one, and data or an ACK that moves.
 * Of Wireshark's rules only window full, ACKed unseen segment and spurious
 * retransmission can then apply: the others need an empty window, a
 * repeated ACK or a sequence number out of line.
 *
 * The tests combine with & and | rather than && and ||, and updates are
 * selects: whether a segment carries data, or its connection scales its
 * window, changes from one packet to the next in a capture of many
 * connections, so a branch on it is often mispredicted. Every operand is
 * a plain load, evaluated either way.
 */
#ifndef NETLAB_TCP_ANALYSIS_INORDER_H
#define NETLAB_TCP_ANALYSIS_INORDER_H

#include "netlab/conn.h"

#define GT_SEQ(a, b) ((int32_t)((a) - (b)) > 0)
#define GE_SEQ(a, b) ((int32_t)((a) - (b)) >= 0)
#define LT_SEQ(a, b) ((int32_t)((a) - (b)) < 0)
#define LE_SEQ(a, b) ((int32_t)((a) - (b)) <= 0)
#define EQ_SEQ(a, b) ((a) == (b))

#define F(x) (1u << NL_TA_##x)

/* The window as the sender means it: scaled except in a SYN. */
static inline uint32_t nl_ta_window(const struct nl_tcp_side *fwd,
				    const struct nl_tcp *t)
{
	int ws = fwd->win_scale;
	bool scaled = (ws >= 0) & !(t->flags & NL_TCP_SYN);
	return (uint32_t)t->win << (scaled ? ws : 0);
}

static inline bool nl_ta_in_order(const struct nl_tcp_side *fwd,
				  const struct nl_tcp_side *rev,
				  const struct nl_tcp *t, uint32_t seglen,
				  uint32_t window)
{
	return !(t->flags & (NL_TCP_SYN | NL_TCP_FIN | NL_TCP_RST)) &
	       (window != 0) & (rev->window != 0) & (fwd->nextseq != 0) &
	       (t->seq == fwd->nextseq) & ((seglen > 0) | (t->ack != fwd->lastack));
}

/* WINDOW FULL: data up to the edge of the window advertised */
static inline bool nl_ta_window_full(const struct nl_tcp_side *rev,
				     uint32_t seq, uint32_t seglen)
{
	return (seglen > 0) & (rev->win_scale != -1) &
	       (seq + seglen == rev->lastack + rev->window);
}

/* SPURIOUS RETRANSMISSION: data the other side has acknowledged already */
static inline bool nl_ta_acked_already(const struct nl_tcp_side *rev,
				       uint32_t seq, uint32_t seglen)
{
	return (seglen > 0) & (rev->lastack != 0) &
	       LE_SEQ(seq + seglen, rev->lastack);
}

/* ACKED LOST PACKET: acknowledges what the other side was not seen
 * sending; told once until the other side moves on. */
static inline uint32_t nl_ta_acked_unseen(struct nl_tcp_side *fwd,
					  struct nl_tcp_side *rev,
					  const struct nl_tcp *t)
{
	uint32_t ack = t->ack;
	if (!rev->maxseqtobeacked || !GT_SEQ(ack, rev->maxseqtobeacked) ||
	    !(t->flags & NL_TCP_ACK))
		return 0;
	if (EQ_SEQ(ack, fwd->lastack + 1) && t->seq == fwd->nextseq &&
	    (rev->lastsegflags & F(ZERO_WINDOW_PROBE))) {
		/* the window reopens after a zero window probe */
		rev->nextseq = ack;
		rev->maxseqtobeacked = ack;
		return F(WINDOW_UPDATE);
	}
	rev->maxseqtobeacked = ack;
	return F(ACK_LOST_SEGMENT);
}

/* The sender's analysis state after a segment flagged a (before fast and
 * spurious retransmissions are also counted as retransmissions). */
static inline void nl_ta_advance(struct nl_tcp_side *fwd,
				 const struct nl_tcp *t, uint32_t seglen,
				 uint32_t window, uint32_t a, int64_t now)
{
	uint32_t nextseq = t->seq + seglen +
			   ((t->flags & (NL_TCP_SYN | NL_TCP_FIN)) != 0);
	bool probe = (a & F(ZERO_WINDOW_PROBE)) != 0;
	bool further = (GT_SEQ(nextseq, fwd->nextseq) | !fwd->nextseq) & !probe;
	fwd->nextseq = further ? nextseq : fwd->nextseq;
	fwd->nextseq_ns = further ? now : fwd->nextseq_ns;
	bool edge = (EQ_SEQ(t->seq, fwd->maxseqtobeacked) |
		     !fwd->maxseqtobeacked) & !probe;
	fwd->maxseqtobeacked = edge ? fwd->nextseq : fwd->maxseqtobeacked;
	fwd->window = window;
	fwd->lastack = t->ack;
	fwd->lastack_ns = now;
	fwd->lastsegflags = (uint16_t)a;
}

/* Wireshark shows fast and spurious retransmissions also as
 * retransmissions: tcp.analysis.retransmission counts them. */
static inline uint32_t nl_ta_final(uint32_t a)
{
	if (a & (F(FAST_RETRANSMISSION) | F(SPURIOUS_RETRANSMISSION)))
		a |= F(RETRANSMISSION);
	return a;
}

/* The whole analysis of a segment nl_ta_in_order() accepted. */
static inline uint32_t nl_ta_next_in_order(struct nl_tcp_side *fwd,
					   struct nl_tcp_side *rev,
					   const struct nl_tcp *t,
					   uint32_t seglen, uint32_t window,
					   int64_t now)
{
	uint32_t a = (uint32_t)nl_ta_window_full(rev, t->seq, seglen)
		     << NL_TA_WINDOW_FULL;
	/* duplicate ACKs count again once the ACK moves */
	fwd->dupacknum &= -(uint32_t)(t->ack == fwd->lastack);
	a |= nl_ta_acked_unseen(fwd, rev, t);
	a |= (uint32_t)nl_ta_acked_already(rev, t->seq, seglen)
	     << NL_TA_SPURIOUS_RETRANSMISSION;
	nl_ta_advance(fwd, t, seglen, window, a, now);
	return nl_ta_final(a);
}

#endif
