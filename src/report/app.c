/*
 * The application's records (replay --truth) and UDP flows, as text and
 * JSON (see app.h). Strings from the truth file are escaped like any other
 * data from outside: a truth file is input too.
 */
#include "app.h"

#include <string.h>

#include "netlab/escape.h"

static void side_ev(struct nl_outbuf *o, const struct nl_app_rec *r)
{
	nl_out_str(o, "app ");
	nl_escape_c(o, (const uint8_t *)r->side, strlen(r->side));
	nl_out_char(o, ' ');
	nl_escape_c(o, (const uint8_t *)r->ev, strlen(r->ev));
	if (r->udp && (r->kind == NL_APP_SEND || r->kind == NL_APP_RECV))
		nl_out_str(o, r->kind == NL_APP_SEND ? "to" : "from");
}

void nl_report_app_rec(struct nl_outbuf *o, const struct nl_app_rec *r)
{
	side_ev(o, r);
	if (r->kind == NL_APP_SEND || r->kind == NL_APP_RECV) {
		nl_out_str(o, " #");
		nl_out_u64(o, r->index);
		nl_out_str(o, ": ");
		if (r->ret < 0) {
			nl_out_str(o, "failed");
		} else if (r->ret == 0 && r->kind == NL_APP_RECV) {
			nl_out_str(o, "0 B (the peer closed: end of stream)");
		} else {
			nl_out_i64(o, r->ret);
			nl_out_str(o, " B");
			if (r->kind == NL_APP_RECV && (uint64_t)r->ret < r->len) {
				nl_out_str(o, " (asked ");
				nl_out_u64(o, r->len);
				nl_out_char(o, ')');
			}
		}
		if (!r->udp) {
			nl_out_str(o, " at stream offset ");
			nl_out_u64(o, r->off);
		}
	}
	if (r->detail[0]) {
		nl_out_char(o, ' ');
		nl_escape_c(o, (const uint8_t *)r->detail, strlen(r->detail));
	}
}

void nl_report_app_map(struct nl_outbuf *o, const struct nl_app_map *m)
{
	if (!m->n_sends)
		return;
	nl_out_str(o, "  ");
	nl_escape_c(o, (const uint8_t *)m->side, strlen(m->side));
	if (m->n_sends == 1) {
		nl_out_str(o, " send #");
		nl_out_u64(o, m->first);
		if (m->first_partial || m->last_partial)
			nl_out_str(o, m->first_partial && m->last_partial
					  ? " (middle part: split)"
				      : m->first_partial ? " (last part: split)"
							 : " (first part: split)");
		return;
	}
	nl_out_str(o, " sends #");
	nl_out_u64(o, m->first);
	nl_out_str(o, "-#");
	nl_out_u64(o, m->last);
	nl_out_str(o, " (");
	nl_out_u64(o, m->n_sends);
	nl_out_str(o, " sends in one segment: merged)");
}

void nl_json_app_rec(struct nl_outbuf *o, const struct nl_app_rec *r)
{
	struct jw w = {.o = o};
	nl_out_char(o, '{');
	w.first[0] = true;
	js(&w, JK("type"), "app");
	js(&w, JK("side"), r->side);
	js(&w, JK("ev"), r->ev);
	js(&w, JK("proto"), r->udp ? "udp" : "tcp");
	jw_key(&w, JK("local"));
	nl_out_char(o, '"');
	nl_report_endpoint(o, &r->local, r->local_port);
	nl_out_char(o, '"');
	jw_key(&w, JK("peer"));
	nl_out_char(o, '"');
	nl_report_endpoint(o, &r->peer, r->peer_port);
	nl_out_char(o, '"');
	if (r->kind == NL_APP_SEND || r->kind == NL_APP_RECV) {
		ju(&w, JK("index"), r->index);
		ju(&w, JK("off"), r->off);
		ju(&w, JK("len"), r->len);
		jw_key(&w, JK("ret"));
		nl_out_i64(o, r->ret);
	}
	if (r->detail[0])
		js(&w, JK("detail"), r->detail);
	jw_key(&w, JK("ts"));
	nl_out_i64(o, r->ns / 1000000000);
	nl_out_char(o, '.');
	nl_out_u64_pad(o, (uint64_t)(r->ns % 1000000000), 9, '0');
	nl_out_str(o, "}\n");
}

void nl_json_app_map(struct jw *w, const struct nl_app_map *m)
{
	if (!m->n_sends)
		return;
	jw_open(w, JK("sends"), '{');
	js(w, JK("side"), m->side);
	ju(w, JK("first"), m->first);
	ju(w, JK("last"), m->last);
	ju(w, JK("n"), m->n_sends);
	jb(w, JK("first_partial"), m->first_partial);
	jb(w, JK("last_partial"), m->last_partial);
	jw_close(w, '}');
}

void nl_report_udp_dgram(struct nl_outbuf *o, const struct nl_udp_flow *f,
			 uint8_t dir, uint64_t index)
{
	nl_out_str(o, " dgram #");
	nl_out_u64(o, index);
	nl_out_str(o, dir ? " <-" : " ->");
	nl_out_str(o, " flow ");
	nl_out_u64(o, f->id);
}

void nl_json_udp_dgram(struct jw *w, const struct nl_udp_flow *f, uint8_t dir,
		       uint64_t index)
{
	jw_open(w, JK("udp_flow"), '{');
	ju(w, JK("id"), f->id);
	js(w, JK("dir"), dir ? "reply" : "first");
	ju(w, JK("index"), index);
	jw_close(w, '}');
}

void nl_report_udp_flows(struct nl_outbuf *o, const struct nl_udp_table *t,
			 unsigned max)
{
	struct nl_udp_counts c;
	nl_udptable_counts(t, &c);
	if (!c.flows)
		return;
	nl_out_str(o, "  udp flows   ");
	nl_out_u64(o, c.flows);
	nl_out_str(o, c.flows == 1 ? " flow, " : " flows, ");
	nl_out_u64(o, c.dgrams);
	nl_out_str(o, " datagrams: each one a message, boundaries kept");
	if (c.untracked) {
		nl_out_str(o, "; ");
		nl_out_u64(o, c.untracked);
		nl_out_str(o, " datagrams of flows beyond the table (");
		nl_out_u64(o, c.cap);
		nl_out_str(o, ") not counted");
	}
	nl_out_char(o, '\n');
	for (uint64_t i = 0; i < c.flows && i < max; i++) {
		const struct nl_udp_flow *f = nl_udptable_get(t, i);
		nl_out_str(o, "              #");
		nl_out_u64(o, f->id);
		nl_out_char(o, ' ');
		nl_report_endpoint(o, &f->addr[0], f->port[0]);
		nl_out_str(o, " <> ");
		nl_report_endpoint(o, &f->addr[1], f->port[1]);
		for (int k = 0; k < 2; k++) {
			nl_out_str(o, k ? ", " : ": ");
			nl_out_u64(o, f->dgrams[k]);
			nl_out_str(o, k ? " back" : " out");
			if (f->dgrams[k]) {
				nl_out_str(o, " (");
				nl_out_u64(o, f->min_len[k]);
				if (f->max_len[k] != f->min_len[k]) {
					nl_out_str(o, "-");
					nl_out_u64(o, f->max_len[k]);
				}
				nl_out_str(o, " B)");
			}
		}
		nl_out_char(o, '\n');
	}
	if (c.flows > max) {
		nl_out_str(o, "              ... ");
		nl_out_u64(o, c.flows - max);
		nl_out_str(o, " more\n");
	}
}

void nl_json_udp_flows(struct jw *w, const struct nl_udp_table *t,
		       unsigned max)
{
	struct nl_udp_counts c;
	nl_udptable_counts(t, &c);
	jw_open(w, JK("udp"), '{');
	ju(w, JK("flows"), c.flows);
	ju(w, JK("datagrams"), c.dgrams);
	ju(w, JK("untracked"), c.untracked);
	jw_open(w, JK("list"), '[');
	for (uint64_t i = 0; i < c.flows && i < max; i++) {
		const struct nl_udp_flow *f = nl_udptable_get(t, i);
		jw_open(w, JK_ELEM, '{');
		ju(w, JK("id"), f->id);
		jw_key(w, JK("a"));
		nl_out_char(w->o, '"');
		nl_report_endpoint(w->o, &f->addr[0], f->port[0]);
		nl_out_char(w->o, '"');
		jw_key(w, JK("b"));
		nl_out_char(w->o, '"');
		nl_report_endpoint(w->o, &f->addr[1], f->port[1]);
		nl_out_char(w->o, '"');
		ju(w, JK("dgrams_ab"), f->dgrams[0]);
		ju(w, JK("dgrams_ba"), f->dgrams[1]);
		ju(w, JK("bytes_ab"), f->bytes[0]);
		ju(w, JK("bytes_ba"), f->bytes[1]);
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_close(w, '}');
}
