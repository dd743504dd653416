/*
 * --ladder: TCP connections drawn as the sequence diagrams of a networking
 * textbook. The client is the left column, the server the right one; each
 * segment is an arrow labelled with its flags, relative seq/ack and length,
 * and each side's new state is written beside the arrow where it changes:
 *
 *   connection #1: client 127.0.0.1:40000  server 127.0.0.1:8082
 *    frame       client                                               server
 *                CLOSED |                                            | CLOSED
 *        1     SYN_SENT |--SYN seq=0 len=0-------------------------->|
 *        2  ESTABLISHED |<--------------------SYN,ACK seq=0 ack=1 len=0|
 * SYN_RECEIVED
 *
 * A run of ordinary segments (no role, no state change, no analysis flag)
 * is drawn for its first RUN_SHOWN segments, then condensed into one line
 * with a count. Box-drawing characters unless --ascii.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "netlab/report.h"

#define RUN_SHOWN 4
#define ARROW_MIN 46
#define STATE_W	  12

struct ladder_sink {
	struct nl_outbuf *o;
	struct nl_report_opts opts;
	uint64_t cur; /* connection of the last line drawn */
	uint64_t run_conn;
	uint64_t run_n, run_hidden, run_bytes[2];
	const char *bar, *dash, *right, *left;
};

static void repeat_str(struct nl_outbuf *o, const char *s, size_t n)
{
	size_t l = strlen(s);
	for (size_t i = 0; i < n; i++)
		nl_out_write(o, s, l);
}

static void state_col(struct nl_outbuf *o, const char *st)
{
	size_t n = st ? strlen(st) : 0;
	nl_out_repeat(o, ' ', 8 + (n < STATE_W ? STATE_W - n : 0));
	if (st)
		nl_out_str(o, st);
}

static void flush_run(struct ladder_sink *s)
{
	struct nl_outbuf *o = s->o;
	if (s->run_hidden) {
		state_col(o, NULL);
		nl_out_char(o, ' ');
		nl_out_str(o, s->bar);
		NL_OUT_LIT(o, "  ... ");
		nl_out_u64(o, s->run_hidden);
		NL_OUT_LIT(o, " more segments: ");
		nl_out_u64(o, s->run_bytes[NL_CLIENT]);
		NL_OUT_LIT(o, " bytes c>s, ");
		nl_out_u64(o, s->run_bytes[NL_SERVER]);
		NL_OUT_LIT(o, " bytes s>c ...\n");
	}
	s->run_n = s->run_hidden = 0;
	s->run_bytes[0] = s->run_bytes[1] = 0;
	s->run_conn = 0;
}

static const char *side_change(const struct nl_tcp_note *n, unsigned side)
{
	const char *to = NULL;
	for (unsigned i = 0; i < n->n_changes && i < NL_TCP_MAX_CHANGES; i++)
		if (n->changes[i].side == side)
			to = nl_tcp_state_name(n->changes[i].to);
	return to;
}

static void header(struct ladder_sink *s, const struct nl_tcp_note *n,
		   const struct nl_conn *c)
{
	struct nl_outbuf *o = s->o;
	if (!n->new_conn) {
		NL_OUT_LIT(o, "connection #");
		nl_out_u64(o, n->conn_id);
		NL_OUT_LIT(o, " (continued)\n");
		return;
	}
	NL_OUT_LIT(o, "connection #");
	nl_out_u64(o, n->conn_id);
	NL_OUT_LIT(o, ": client ");
	nl_report_endpoint(o, &c->addr[NL_CLIENT], c->port[NL_CLIENT]);
	NL_OUT_LIT(o, "  server ");
	nl_report_endpoint(o, &c->addr[NL_SERVER], c->port[NL_SERVER]);
	if (c->midstream)
		NL_OUT_LIT(o, "  (picked up mid-stream)");
	NL_OUT_LIT(o, "\n frame");
	nl_out_repeat(o, ' ', 8 + STATE_W - 5 - 6 + 1);
	NL_OUT_LIT(o, "client");
	nl_out_repeat(o, ' ', ARROW_MIN + 2);
	NL_OUT_LIT(o, "server\n");
	/* the states before the first segment */
	const char *before[2];
	for (unsigned side = 0; side < 2; side++) {
		before[side] = nl_tcp_state_name(n->state[side]);
		for (unsigned i = 0; i < n->n_changes; i++)
			if (n->changes[i].side == side) {
				before[side] =
				    nl_tcp_state_name(n->changes[i].from);
				break;
			}
	}
	state_col(o, before[NL_CLIENT]);
	nl_out_char(o, ' ');
	nl_out_str(o, s->bar);
	nl_out_repeat(o, ' ', ARROW_MIN);
	nl_out_str(o, s->bar);
	nl_out_char(o, ' ');
	nl_out_str(o, before[NL_SERVER]);
	nl_out_char(o, '\n');
}

static void label(struct nl_outbuf *o, const struct nl_packet *pkt,
		  const struct nl_tcp_note *n, bool absolute)
{
	nl_report_tcp_flags(o, pkt->tcp.flags);
	NL_OUT_LIT(o, " seq=");
	nl_out_u64(o, absolute ? pkt->tcp.seq : n->rseq);
	if (pkt->tcp.flags & NL_TCP_ACK) {
		NL_OUT_LIT(o, " ack=");
		nl_out_u64(o, absolute ? pkt->tcp.ack : n->rack);
	}
	NL_OUT_LIT(o, " len=");
	nl_out_u64(o, pkt->payload_len);
	nl_report_ta_list(o, n, " ");
}

static void arrow(struct ladder_sink *s, const struct nl_packet *pkt,
		  const struct nl_tcp_note *n)
{
	struct nl_outbuf *o = s->o;
	/* the label is ASCII: measure it in a scratch buffer */
	char lb[768]; /* flags, numbers and every analysis flag fit */
	struct nl_outbuf t = {
	    .fd = -1, .buf = lb, .cap = sizeof(lb), .cap_max = sizeof(lb)};
	label(&t, pkt, n, s->opts.absolute);
	size_t ll = t.failed ? 0 : t.len;
	size_t w = ll + 6 > ARROW_MIN ? ll + 6 : ARROW_MIN;
	nl_out_u64_pad(o, pkt->frame, 6, ' ');
	const char *ls = side_change(n, NL_CLIENT),
		   *rs = side_change(n, NL_SERVER);
	size_t n_ls = ls ? strlen(ls) : 0;
	nl_out_repeat(o, ' ', 2 + (n_ls < STATE_W ? STATE_W - n_ls : 0));
	if (ls)
		nl_out_str(o, ls);
	nl_out_char(o, ' ');
	nl_out_str(o, s->bar);
	if (n->dir == NL_CLIENT) {
		repeat_str(o, s->dash, 2);
		nl_out_write(o, lb, ll);
		repeat_str(o, s->dash, w - ll - 3);
		nl_out_str(o, s->right);
	} else {
		nl_out_str(o, s->left);
		repeat_str(o, s->dash, w - ll - 3);
		nl_out_write(o, lb, ll);
		repeat_str(o, s->dash, 2);
	}
	nl_out_str(o, s->bar);
	if (rs) {
		nl_out_char(o, ' ');
		nl_out_str(o, rs);
	}
	if (n->role != NL_ROLE_NONE && n->role != NL_ROLE_HANDSHAKE &&
	    n->role != NL_ROLE_TEARDOWN) {
		NL_OUT_LIT(o, "  (");
		nl_report_tcp_role(o, n);
		nl_out_char(o, ')');
	}
	nl_out_char(o, '\n');
}

static void on_packet(struct ladder_sink *s, const struct nl_event *ev)
{
	const struct nl_tcp_note *n = ev->tcp;
	if (!n || !ev->conn)
		return;
	if (s->opts.ladder_id && n->conn_id != s->opts.ladder_id)
		return;
	bool ordinary =
	    n->role == NL_ROLE_NONE && !n->n_changes && !n->analysis;
	if (s->run_conn && (s->run_conn != n->conn_id || !ordinary))
		flush_run(s);
	if (s->cur != n->conn_id || n->new_conn) {
		if (s->cur)
			nl_out_char(s->o, '\n');
		header(s, n, ev->conn);
		s->cur = n->conn_id;
	}
	if (ordinary) {
		s->run_conn = n->conn_id;
		if (++s->run_n > RUN_SHOWN) {
			s->run_hidden++;
			s->run_bytes[n->dir] += ev->pkt->payload_len;
			return;
		}
	}
	arrow(s, ev->pkt, n);
}

/* "mss 1460, ws 7, sack, ts" as the SYN negotiated; "-" if unseen */
static void syn_options(struct nl_outbuf *o, const struct nl_tcp_side *sd)
{
	bool any = false;
	if (sd->has_mss) {
		NL_OUT_LIT(o, "mss ");
		nl_out_u64(o, sd->mss);
		any = true;
	}
	if (sd->has_wscale) {
		nl_out_str(o, any ? ", ws " : "ws ");
		nl_out_u64(o, sd->wscale);
		any = true;
	}
	if (sd->sack_perm) {
		nl_out_str(o, any ? ", sack" : "sack");
		any = true;
	}
	if (sd->has_ts) {
		nl_out_str(o, any ? ", ts" : "ts");
		any = true;
	}
	if (!any)
		nl_out_char(o, '-');
}

static void on_end(struct ladder_sink *s, const struct nl_conn_end *e)
{
	const struct nl_conn *c = e->conn;
	if (s->opts.ladder_id && c->id != s->opts.ladder_id)
		return;
	if (s->run_conn == c->id)
		flush_run(s);
	struct nl_outbuf *o = s->o;
	if (s->cur != c->id) {
		NL_OUT_LIT(o, "\nconnection #");
		nl_out_u64(o, c->id);
		NL_OUT_LIT(o, " (continued)\n");
		s->cur = c->id;
	}
	state_col(o, nl_tcp_state_name(c->side[NL_CLIENT].state));
	nl_out_char(o, ' ');
	nl_out_str(o, s->bar);
	nl_out_repeat(o, ' ', ARROW_MIN);
	nl_out_str(o, s->bar);
	nl_out_char(o, ' ');
	nl_out_str(o, nl_tcp_state_name(c->side[NL_SERVER].state));
	NL_OUT_LIT(o, "\n  conn_state ");
	nl_out_str(o, nl_conn_zeek_state(c));
	NL_OUT_LIT(o, ", history ");
	nl_out_str(o, c->hist_len ? c->history : "-");
	if (c->active_closer < 2) {
		NL_OUT_LIT(o, ", active closer: ");
		nl_out_str(o, nl_report_side(c->active_closer));
	}
	if (e->why != NL_CONN_END_CAPTURE && e->why != NL_CONN_END_CLOSED) {
		NL_OUT_LIT(o, " (");
		nl_out_str(o, nl_conn_end_name(e->why));
		nl_out_char(o, ')');
	}
	NL_OUT_LIT(o, "\n  options: client ");
	syn_options(o, &c->side[NL_CLIENT]);
	NL_OUT_LIT(o, "; server ");
	syn_options(o, &c->side[NL_SERVER]);
	int64_t rs = nl_conn_rtt_server_us(c), rc = nl_conn_rtt_client_us(c);
	if (rs >= 0 && rc >= 0) {
		NL_OUT_LIT(o, "; handshake RTT ");
		nl_report_ms(o, rs + rc);
		NL_OUT_LIT(o, " ms");
	}
	nl_out_char(o, '\n');
	s->cur = 0;
}

static void ladder_event(void *self, const struct nl_event *ev)
{
	struct ladder_sink *s = self;
	if (ev->type == NL_EV_PACKET)
		on_packet(s, ev);
	else if (ev->type == NL_EV_CONN_END && ev->u.conn_end)
		on_end(s, ev->u.conn_end);
}

static void ladder_close(void *self)
{
	struct ladder_sink *s = self;
	(void)nl_out_flush(s->o);
	free(s);
}

static const struct nl_sink_ops ladder_ops = {
    .name = "ladder",
    .on_event = ladder_event,
    .close = ladder_close,
};

enum nl_status nl_sink_ladder_new(struct nl_sink *out, struct nl_outbuf *o,
				  const struct nl_report_opts *opts)
{
	struct ladder_sink *s = calloc(1, sizeof(*s));
	if (!s)
		return NL_NOMEM;
	s->o = o;
	s->opts = *opts;
	if (opts->ascii) {
		s->bar = "|";
		s->dash = "-";
		s->right = ">";
		s->left = "<";
	} else {
		s->bar = "\u2502";   /* │ */
		s->dash = "\u2500";  /* ─ */
		s->right = "\u25b6"; /* ▶ */
		s->left = "\u25c0";  /* ◀ */
	}
	out->ops = &ladder_ops;
	out->self = s;
	return NL_OK;
}
