/* The TCP tracker's notes in words; see common.h. */
#include "common.h"

const char *nl_report_side(unsigned side)
{
	return side == NL_CLIENT ? "client" : "server";
}

static void retry(struct nl_outbuf *o, const struct nl_tcp_note *n)
{
	if (!n->retry)
		return;
	NL_OUT_LIT(o, ", retry ");
	nl_out_u64(o, n->retry);
}

bool nl_report_tcp_role(struct nl_outbuf *o, const struct nl_tcp_note *n)
{
	switch ((enum nl_tcp_role)n->role) {
	case NL_ROLE_NONE:
	case NL_ROLE_COUNT:
		return false;
	case NL_ROLE_HANDSHAKE:
		NL_OUT_LIT(o, "handshake ");
		nl_out_u64(o, n->step);
		NL_OUT_LIT(o, "/3");
		retry(o, n);
		return true;
	case NL_ROLE_SIM_OPEN:
		NL_OUT_LIT(o, "simultaneous open");
		return true;
	case NL_ROLE_TEARDOWN:
		NL_OUT_LIT(o, "teardown ");
		if (n->step == 23)
			NL_OUT_LIT(o, "2+3");
		else
			nl_out_u64(o, n->step);
		NL_OUT_LIT(o, "/4");
		retry(o, n);
		return true;
	case NL_ROLE_SIM_CLOSE:
		NL_OUT_LIT(o, "simultaneous close");
		return true;
	case NL_ROLE_RESET:
		NL_OUT_LIT(o, "reset by ");
		nl_out_str(o, nl_report_side(n->dir));
		NL_OUT_LIT(o, " in ");
		nl_out_str(o, nl_tcp_state_name(n->reset_state));
		return true;
	case NL_ROLE_REFUSED:
		NL_OUT_LIT(o, "refused: nobody listens (ECONNREFUSED)");
		return true;
	}
	return false;
}

bool nl_report_tcp_side_changes(struct nl_outbuf *o,
				const struct nl_tcp_note *n, unsigned side)
{
	bool any = false, tw = false;
	for (unsigned i = 0; i < n->n_changes && i < NL_TCP_MAX_CHANGES; i++) {
		const struct nl_tcp_change *ch = &n->changes[i];
		if (ch->side != side)
			continue;
		if (!any) {
			nl_out_str(o, nl_report_side(side));
			nl_out_char(o, ' ');
			nl_out_str(o, nl_tcp_state_name(ch->from));
		}
		NL_OUT_LIT(o, " -> ");
		nl_out_str(o, nl_tcp_state_name(ch->to));
		tw |= ch->to == NL_TCPS_TIME_WAIT;
		any = true;
	}
	if (tw)
		NL_OUT_LIT(o, " (active closer)");
	return any;
}

const char *nl_report_ta_words(unsigned i)
{
	static const char *const w[NL_TA_COUNT] = {
	    [NL_TA_RETRANSMISSION] = "retransmission",
	    [NL_TA_FAST_RETRANSMISSION] = "fast retransmission",
	    [NL_TA_SPURIOUS_RETRANSMISSION] = "spurious retransmission",
	    [NL_TA_OUT_OF_ORDER] = "out-of-order",
	    [NL_TA_DUP_ACK] = "dup ack",
	    [NL_TA_ZERO_WINDOW] = "zero window",
	    [NL_TA_ZERO_WINDOW_PROBE] = "zero window probe",
	    [NL_TA_ZERO_WINDOW_PROBE_ACK] = "zero window probe ack",
	    [NL_TA_WINDOW_FULL] = "window full",
	    [NL_TA_WINDOW_UPDATE] = "window update",
	    [NL_TA_KEEP_ALIVE] = "keep-alive",
	    [NL_TA_KEEP_ALIVE_ACK] = "keep-alive ack",
	    [NL_TA_LOST_SEGMENT] = "previous segment not captured",
	    [NL_TA_ACK_LOST_SEGMENT] = "acked unseen segment",
	};
	return i < NL_TA_COUNT ? w[i] : "?";
}

void nl_report_ta_list(struct nl_outbuf *o, const struct nl_tcp_note *n,
		       const char *sep)
{
	uint32_t a = n->analysis;
	/* fast and spurious are kinds of retransmission: say it once */
	if (a & ((1u << NL_TA_FAST_RETRANSMISSION) |
		 (1u << NL_TA_SPURIOUS_RETRANSMISSION)))
		a &= ~(1u << NL_TA_RETRANSMISSION);
	for (uint32_t b = a; b; b &= b - 1) {
		unsigned i = (unsigned)__builtin_ctz(b);
		nl_out_str(o, sep);
		nl_out_char(o, '[');
		nl_out_str(o, nl_report_ta_words(i));
		if (i == NL_TA_DUP_ACK) {
			NL_OUT_LIT(o, " #");
			nl_out_u64(o, n->dupack_num);
		}
		nl_out_char(o, ']');
	}
}

void nl_report_tcp_notes(struct nl_outbuf *o, const struct nl_tcp_note *n)
{
	if (n->role != NL_ROLE_NONE) {
		NL_OUT_LIT(o, " [");
		nl_report_tcp_role(o, n);
		nl_out_char(o, ']');
	}
	for (unsigned side = 0; side < 2; side++) {
		bool has = false;
		for (unsigned i = 0; i < n->n_changes && i < NL_TCP_MAX_CHANGES;
		     i++)
			has |= n->changes[i].side == side;
		if (!has)
			continue;
		NL_OUT_LIT(o, " [");
		nl_report_tcp_side_changes(o, n, side);
		nl_out_char(o, ']');
	}
	nl_report_ta_list(o, n, " ");
}

void nl_report_ms(struct nl_outbuf *o, int64_t us)
{
	if (us < 0) {
		nl_out_char(o, '-');
		return;
	}
	nl_out_u64(o, (uint64_t)us / 1000);
	nl_out_char(o, '.');
	nl_out_u64_pad(o, (uint64_t)us % 1000, 3, '0');
}
