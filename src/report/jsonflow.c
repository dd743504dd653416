/*
 * JSON of stream analysis: the map fields of a TCP packet object, the
 * {"type":"segmap"}, {"type":"note"} and {"type":"message"} objects, the
 * flow figures of a {"type":"conn"} object and the "flows" member of the
 * summary. The schema is in json.c's header comment; the words are
 * flowtext.c's, shared with the text printers.
 */
#include "flowtext.h"
#include "jsonw.h"

static void jspec(struct jw *w, const char *k, size_t kn,
		  const struct nl_framing_spec *s)
{
	char buf[64];
	nl_framing_format(s, buf, sizeof(buf));
	js(w, k, kn, buf);
}

void nl_json_segmap_fields(struct jw *w, const struct nl_segmap *m)
{
	js(w, JK("map_state"), nl_rf_state(m->state));
	if (m->state == NL_SEGMAP_PENDING)
		js(w, JK("held_for"), m->held_ooo ? "hole" : "framing");
	if (m->state == NL_SEGMAP_MAPPED) {
		ju(w, JK("map_offset"), m->offset);
		ju(w, JK("map_bytes"), m->bytes);
		ju(w, JK("n_msgs"), m->n_msgs);
		jw_open(w, JK("messages"), '[');
		unsigned n = nl_rf_n_parts(m);
		for (unsigned i = 0; i < n; i++) {
			const struct nl_msg_part *p = &m->parts[i];
			jw_open(w, JK_ELEM, '{');
			ju(w, JK("index"), p->index);
			js(w, JK("part"), nl_rf_part(p->part));
			ju(w, JK("bytes"), p->bytes);
			ju(w, JK("at"), p->at);
			jw_key(w, JK("msg_len"));
			if (p->msg_len)
				nl_out_u64(w->o, p->msg_len);
			else
				NL_OUT_LIT(w->o, "null");
			jw_close(w, '}');
		}
		jw_close(w, ']');
		if (nl_segmap_merged(m))
			ju(w, JK("merged"), m->n_msgs);
		if (nl_segmap_split(m))
			jb(w, JK("split"), true);
	}
	if (m->offload)
		jb(w, JK("offload"), true);
}

static struct jw line_open(struct nl_outbuf *o, const char *type)
{
	struct jw w = {.o = o};
	w.first[0] = true;
	jw_open(&w, JK_ELEM, '{');
	js(&w, JK("type"), type);
	return w;
}

static void line_close(struct jw *w)
{
	jw_close(w, '}');
	nl_out_char(w->o, '\n');
}

void nl_json_segmap(struct nl_outbuf *o, const struct nl_segmap *m)
{
	struct jw w = line_open(o, "segmap");
	ju(&w, JK("frame"), m->frame);
	ju(&w, JK("conn"), m->conn_id);
	js(&w, JK("dir"), nl_rf_dir(m->dir));
	jb(&w, JK("late"), m->late);
	nl_json_segmap_fields(&w, m);
	line_close(&w);
}

void nl_json_note(struct nl_outbuf *o, const struct nl_flow_note *n)
{
	struct jw w = line_open(o, "note");
	js(&w, JK("note"), nl_rf_note(n->type));
	ju(&w, JK("conn"), n->conn_id);
	if (n->type != NL_NOTE_NOT_ANALYSED)
		js(&w, JK("dir"), nl_rf_dir(n->dir));
	ju(&w, JK("frame"), n->frame);
	switch (n->type) {
	case NL_NOTE_FRAMING:
		jspec(&w, JK("framing"), &n->spec);
		js(&w, JK("how"), nl_rf_how(n->how));
		ju(&w, JK("confirm"), n->confirm);
		if (n->has_runner_up) {
			jspec(&w, JK("runner_up"), &n->runner_up);
			ju(&w, JK("runner_confirm"), n->runner_confirm);
		}
		break;
	case NL_NOTE_GAP:
		ju(&w, JK("offset"), n->offset);
		ju(&w, JK("len"), n->len);
		js(&w, JK("reason"), nl_reasm_gap_name(n->reason));
		break;
	case NL_NOTE_CONFLICT:
		ju(&w, JK("offset"), n->offset);
		ju(&w, JK("len"), n->len);
		break;
	case NL_NOTE_FRAMING_ERROR:
	case NL_NOTE_RESYNC:
	case NL_NOTE_MIDSTREAM:
		ju(&w, JK("offset"), n->offset);
		break;
	default:
		break;
	}
	if (n->why)
		js(&w, JK("why"), n->why);
	line_close(&w);
}

void nl_json_message(struct nl_outbuf *o, const struct nl_message *m)
{
	struct jw w = line_open(o, "message");
	ju(&w, JK("conn"), m->conn_id);
	js(&w, JK("dir"), nl_rf_dir(m->dir));
	ju(&w, JK("index"), m->index);
	ju(&w, JK("offset"), m->offset);
	ju(&w, JK("len"), m->len);
	ju(&w, JK("header_len"), m->header_len);
	if (m->declared)
		ju(&w, JK("declared"), m->declared);
	jw_open(&w, JK("frames"), '[');
	unsigned n = nl_rf_n_frames(m);
	for (unsigned i = 0; i < n; i++)
		ju(&w, JK_ELEM, m->frames[i]);
	jw_close(&w, ']');
	ju(&w, JK("n_frames"), m->n_frames);
	ju(&w, JK("first_frame"), m->first_frame);
	ju(&w, JK("last_frame"), m->last_frame);
	jb(&w, JK("complete"), m->end == NL_MSG_COMPLETE);
	js(&w, JK("end"), nl_rf_end(m->end));
	jb(&w, JK("split"), m->split);
	if (m->has_gap)
		jb(&w, JK("has_gap"), true);
	jw_key(&w, JK("prefix"));
	nl_out_char(o, '"');
	nl_escape_json(o, m->prefix,
		       m->prefix_len < NL_MSG_PREFIX ? m->prefix_len
						     : NL_MSG_PREFIX);
	nl_out_char(o, '"');
	line_close(&w);
}

static void dir_stats(struct jw *w, const char *k, size_t kn,
		      const struct nl_flow_dir_stats *d)
{
	jw_open(w, k, kn, '{');
	if (d->how == NL_HOW_NONE)
		js(w, JK("framing"), NULL);
	else
		jspec(w, JK("framing"), &d->spec);
	js(w, JK("how"), nl_rf_how(d->how));
	if (d->how == NL_HOW_AUTO)
		ju(w, JK("confirm"), d->confirm);
	if (d->has_runner_up)
		jspec(w, JK("runner_up"), &d->runner_up);
	ju(w, JK("messages"), d->messages);
	ju(w, JK("incomplete"), d->incomplete);
	ju(w, JK("data_segments"), d->data_segs);
	ju(w, JK("merged_segments"), d->merged_segs);
	ju(w, JK("max_msgs_per_segment"), d->max_msgs_per_seg);
	ju(w, JK("split_messages"), d->split_msgs);
	ju(w, JK("max_segments_per_message"), d->max_segs_per_msg);
	ju(w, JK("offload_segments"), d->offload_segs);
	ju(w, JK("framing_errors"), d->framing_errors);
	ju(w, JK("resyncs"), d->resyncs);
	ju(w, JK("bytes"), d->bytes);
	ju(w, JK("gaps"), d->reasm.gaps);
	ju(w, JK("gap_bytes"), d->reasm.gap_bytes);
	ju(w, JK("conflicts"), d->reasm.conflicts);
	ju(w, JK("retrans_bytes"), d->reasm.retrans_bytes);
	ju(w, JK("ooo_segments"), d->reasm.ooo_segs);
	jw_close(w, '}');
}

void nl_json_flow_conn(struct jw *w, const struct nl_flow_stats *f)
{
	const struct nl_flow_dir_stats *c = &f->dir[NL_CLIENT];
	const struct nl_flow_dir_stats *s = &f->dir[NL_SERVER];
	if (c->how == NL_HOW_NONE)
		js(w, JK("framing_c2s"), NULL);
	else
		jspec(w, JK("framing_c2s"), &c->spec);
	if (s->how == NL_HOW_NONE)
		js(w, JK("framing_s2c"), NULL);
	else
		jspec(w, JK("framing_s2c"), &s->spec);
	ju(w, JK("messages"), c->messages + s->messages);
	ju(w, JK("merged_segments"), c->merged_segs + s->merged_segs);
	ju(w, JK("split_messages"), c->split_msgs + s->split_msgs);
	jw_open(w, JK("flow"), '{');
	dir_stats(w, JK("c2s"), c);
	dir_stats(w, JK("s2c"), s);
	jw_close(w, '}');
}

void nl_json_flow_summary(struct jw *w, const struct nl_flow_table *t)
{
	struct nl_flow_counts n;
	nl_flowtable_counts(t, &n);
	jw_open(w, JK("flows"), '{');
	ju(w, JK("analysed"), n.flows);
	ju(w, JK("not_analysed"), n.not_analysed);
	ju(w, JK("messages"), n.messages);
	ju(w, JK("incomplete"), n.incomplete);
	ju(w, JK("merged_segments"), n.merged_segs);
	ju(w, JK("split_messages"), n.split_msgs);
	ju(w, JK("offload_segments"), n.offload_segs);
	ju(w, JK("detect_fallbacks"), n.detect_fallbacks);
	ju(w, JK("active"), n.active);
	ju(w, JK("peak"), n.peak);
	ju(w, JK("cap"), n.cap);
	ju(w, JK("entry_bytes"), n.entry_bytes);
	jw_open(w, JK("pool"), '{');
	ju(w, JK("chunk_size"), n.pool.chunk_size);
	ju(w, JK("chunks"), n.pool.chunks);
	ju(w, JK("in_use"), n.pool.in_use);
	ju(w, JK("peak"), n.pool.peak);
	ju(w, JK("stream_cap"), n.pool.stream_cap);
	ju(w, JK("cap_hits"), n.pool.cap_hits);
	ju(w, JK("global_hits"), n.pool.global_hits);
	jw_close(w, '}');
	jw_close(w, '}');
}
