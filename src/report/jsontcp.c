/*
 * JSON of the TCP tracker: the fields added to a TCP packet object, the
 * {"type":"conn"} object of a connection (--conns) and the "tcp" member of
 * the summary. The schema is in json.c's header comment.
 */
#include "jsonw.h"

static void jside(struct jw *w, const char *k, size_t kn, unsigned side)
{
	js(w, k, kn, side < 2 ? nl_report_side(side) : NULL);
}

void nl_json_tcp_note(struct jw *w, const struct nl_tcp_note *n)
{
	struct nl_outbuf *o = w->o;
	ju(w, JK("conn"), n->conn_id);
	js(w, JK("dir"), n->dir == NL_CLIENT ? "c2s" : "s2c");
	ju(w, JK("rseq"), n->rseq);
	ju(w, JK("rack"), n->rack);
	jw_key(w, JK("role"));
	if (n->role == NL_ROLE_NONE) {
		NL_OUT_LIT(o, "null");
	} else {
		nl_out_char(o, '"');
		nl_report_tcp_role(o, n); /* fixed words: nothing to escape */
		nl_out_char(o, '"');
	}
	jw_open(w, JK("states"), '{');
	js(w, JK("client"), nl_tcp_state_name(n->state[NL_CLIENT]));
	js(w, JK("server"), nl_tcp_state_name(n->state[NL_SERVER]));
	jw_close(w, '}');
	jw_open(w, JK("changes"), '[');
	for (unsigned i = 0; i < n->n_changes && i < NL_TCP_MAX_CHANGES; i++) {
		jw_open(w, JK_ELEM, '{');
		jside(w, JK("side"), n->changes[i].side);
		js(w, JK("from"), nl_tcp_state_name(n->changes[i].from));
		js(w, JK("to"), nl_tcp_state_name(n->changes[i].to));
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_open(w, JK("analysis"), '[');
	for (uint32_t b = n->analysis; b; b &= b - 1)
		js(w, JK_ELEM, nl_ta_name((enum nl_ta_flag)__builtin_ctz(b)));
	jw_close(w, ']');
	if (n->analysis & (1u << NL_TA_DUP_ACK))
		ju(w, JK("dup_ack"), n->dupack_num);
	if (n->midstream)
		jb(w, JK("midstream"), true);
}

static void jendpoint(struct jw *w, const char *k, size_t kn,
		      const struct nl_addr *a, uint16_t port)
{
	jw_key(w, k, kn);
	nl_out_char(w->o, '"');
	nl_report_endpoint(w->o, a, port);
	nl_out_char(w->o, '"');
}

static void jms(struct jw *w, const char *k, size_t kn, int64_t us)
{
	jw_key(w, k, kn);
	if (us < 0)
		NL_OUT_LIT(w->o, "null");
	else
		nl_report_ms(w->o, us);
}

static void options(struct jw *w, const char *k, size_t kn,
		    const struct nl_tcp_side *s)
{
	jw_open(w, k, kn, '{');
	if (s->has_mss)
		ju(w, JK("mss"), s->mss);
	if (s->has_wscale)
		ju(w, JK("wscale"), s->wscale);
	jb(w, JK("sack_perm"), s->sack_perm);
	jb(w, JK("ts"), s->has_ts);
	jw_close(w, '}');
}

static void ta_counts(struct jw *w, const char *k, size_t kn,
		      const uint32_t *v32, const uint64_t *v64)
{
	jw_open(w, k, kn, '{');
	for (unsigned i = 0; i < NL_TA_COUNT; i++) {
		jw_dkey(w, nl_ta_name((enum nl_ta_flag)i));
		nl_out_u64(w->o, v32 ? v32[i] : v64[i]);
	}
	jw_close(w, '}');
}

void nl_json_conn(struct nl_outbuf *o, const struct nl_conn *c,
		  enum nl_conn_end_reason why, const struct nl_flow_stats *f)
{
	struct jw w = {.o = o};
	w.first[0] = true;
	jw_open(&w, JK_ELEM, '{');
	js(&w, JK("type"), "conn");
	ju(&w, JK("id"), c->id);
	jendpoint(&w, JK("client"), &c->addr[NL_CLIENT], c->port[NL_CLIENT]);
	jendpoint(&w, JK("server"), &c->addr[NL_SERVER], c->port[NL_SERVER]);
	js(&w, JK("client_state"), nl_tcp_state_name(c->side[NL_CLIENT].state));
	js(&w, JK("server_state"), nl_tcp_state_name(c->side[NL_SERVER].state));
	js(&w, JK("conn_state"), nl_conn_zeek_state(c));
	js(&w, JK("history"), c->history);
	jb(&w, JK("midstream"), c->midstream);
	jb(&w, JK("refused"), c->refused);
	jb(&w, JK("simultaneous_open"), c->sim_open);
	jb(&w, JK("simultaneous_close"), c->sim_close);
	jside(&w, JK("active_closer"), c->active_closer);
	jside(&w, JK("reset_by"), c->reset_by);
	if (c->reset_by < 2)
		js(&w, JK("reset_in"), nl_tcp_state_name(c->reset_state));
	int64_t rs = nl_conn_rtt_server_us(c), rc = nl_conn_rtt_client_us(c);
	jms(&w, JK("rtt_ms"), rs >= 0 && rc >= 0 ? rs + rc : -1);
	jms(&w, JK("rtt_server_ms"), rs);
	jms(&w, JK("rtt_client_ms"), rc);
	jw_key(&w, JK("duration"));
	int64_t d = nl_conn_duration_us(c);
	nl_out_u64(o, (uint64_t)(d < 0 ? 0 : d) / 1000000);
	nl_out_char(o, '.');
	nl_out_u64_pad(o, (uint64_t)(d < 0 ? 0 : d) % 1000000, 6, '0');
	ju(&w, JK("pkts_c2s"), c->side[NL_CLIENT].pkts);
	ju(&w, JK("pkts_s2c"), c->side[NL_SERVER].pkts);
	ju(&w, JK("bytes_c2s"), c->side[NL_CLIENT].bytes);
	ju(&w, JK("bytes_s2c"), c->side[NL_SERVER].bytes);
	ju(&w, JK("wire_bytes_c2s"), c->side[NL_CLIENT].wire_bytes);
	ju(&w, JK("wire_bytes_s2c"), c->side[NL_SERVER].wire_bytes);
	options(&w, JK("client_options"), &c->side[NL_CLIENT]);
	options(&w, JK("server_options"), &c->side[NL_SERVER]);
	ta_counts(&w, JK("analysis"), c->ta_count, NULL);
	ju(&w, JK("stalls"), c->stalls);
	if (c->stalls) {
		jside(&w, JK("stall_side"), c->stall_side);
		jms(&w, JK("stall_max_ms"), c->stall_max_us);
	}
	if (f)
		nl_json_flow_conn(&w, f);
	js(&w, JK("end"), nl_conn_end_name(why));
	jw_close(&w, '}');
	nl_out_char(o, '\n');
}

void nl_json_tcp_summary(struct jw *w, const struct nl_conn_table *t)
{
	struct nl_conn_counts n;
	nl_conntable_counts(t, &n);
	jw_open(w, JK("tcp"), '{');
	ju(w, JK("conns"), n.conns);
	ju(w, JK("midstream"), n.midstream);
	ju(w, JK("reused"), n.reused);
	ju(w, JK("idle"), n.idle);
	ju(w, JK("evicted"), n.evicted);
	ju(w, JK("closed"), n.closed);
	ju(w, JK("peak"), n.peak);
	ju(w, JK("cap"), n.cap);
	ta_counts(w, JK("analysis"), NULL, n.ta);
	jw_close(w, '}');
}
