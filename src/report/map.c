/*
 * --map [ID]: at each connection's end, per direction, the segments that
 * carried the stream drawn above the messages the framing found, on one
 * scaled byte axis, so merges (one segment, several messages) and splits
 * (one message, several segments) are visible at a glance:
 *
 *   connection #1: client 127.0.0.1:40000  server 127.0.0.1:9000
 *     c2s  68 bytes, 3 segments, 5 messages (u32le, auto)
 *          merged: 2 segments carried parts of >= 2 messages (up to 3);
 *          split: 1 message crossed segments (up to 2)
 *     segments |=================|=================|----------------|
 *     messages |---------|---------|-------|==============|---------|
 *              0                                                  68
 *
 * A segment carrying parts of two or more messages is filled with '=', and
 * so is a message carried by two or more segments; bytes never seen are
 * blank. Spans narrower than two columns are counted under the axis ("(3
 * messages too small to draw at this scale)"): a byte scale hides what is
 * small beside what is big. Box drawing unless --ascii. The sink records what it draws while
 * the connection lives, in bounded memory: MAP_SLOTS connections at once
 * and MAP_MARKS segments and messages per direction; past a cap it draws
 * what it has and says so. Connections leave the tracker's table late (a
 * closed one stays until it idles out), so when every slot is taken the
 * sink draws a connection early to free one: a closed one if it has any
 * (its map is complete), else the least recently active (said so).
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "flowtext.h"
#include "netlab/report.h"

#define MAP_SLOTS     64   /* connections recorded at once */
#define MAP_MARKS     1024 /* segments, and messages, kept per direction */
#define MAP_WIDTH     80
#define MAP_MIN_WIDTH 40
#define MAP_MAX_WIDTH 1024
#define LABEL_W	      13 /* "    segments " */

struct span {
	uint64_t start, end;
	bool mark; /* merged segment / split message */
};

struct map_dir {
	struct span *seg, *msg; /* [MAP_MARKS] each, allocated once */
	uint32_t n_seg, n_msg;
	uint64_t segs, msgs, merged, split, cut; /* counted past the caps */
	uint32_t max_per_seg, max_segs;
	bool seg_trunc, msg_trunc;
};

struct map_slot {
	uint64_t conn; /* 0: free */
	uint64_t last; /* sink event count at its last event */
	bool closed;   /* both sides CLOSED or TIME_WAIT, or reset */
	bool have_ends;
	struct nl_addr addr[2];
	uint16_t port[2];
	struct nl_framing_spec spec[2]; /* from the framing notes */
	uint8_t how[2];
	struct map_dir dir[2];
};

struct map_sink {
	struct nl_outbuf *o;
	uint64_t only;	/* --map ID; 0: every connection */
	unsigned width; /* columns of the whole line */
	const char *bar, *fill, *mark;
	uint64_t tick;
	struct map_slot slot[MAP_SLOTS];
	unsigned char cells[MAP_MAX_WIDTH];
};

static void draw_slot(struct map_sink *s, struct map_slot *sl,
		      const struct nl_flow_stats *f, bool early);

/* The slot to evict when all are taken: the least recently active closed
 * connection, else the least recently active one. */
static struct map_slot *victim(struct map_sink *s)
{
	struct map_slot *best = NULL;
	for (unsigned i = 0; i < MAP_SLOTS; i++) {
		struct map_slot *x = &s->slot[i];
		if (!best || (x->closed && !best->closed) ||
		    (x->closed == best->closed && x->last < best->last))
			best = x;
	}
	return best;
}

static struct map_slot *find(struct map_sink *s, uint64_t conn, bool add)
{
	struct map_slot *free_slot = NULL;
	if (!conn || (s->only && conn != s->only))
		return NULL;
	for (unsigned i = 0; i < MAP_SLOTS; i++) {
		if (s->slot[i].conn == conn) {
			s->slot[i].last = s->tick;
			return &s->slot[i];
		}
		if (!s->slot[i].conn && !free_slot)
			free_slot = &s->slot[i];
	}
	if (!add)
		return NULL;
	if (!free_slot) {
		free_slot = victim(s);
		draw_slot(s, free_slot, NULL, !free_slot->closed);
	}
	/* a slot keeps its arrays for the next connection: allocated once */
	struct span *keep[2][2];
	for (unsigned d = 0; d < 2; d++) {
		struct map_dir *md = &free_slot->dir[d];
		if (!md->seg)
			md->seg = malloc(MAP_MARKS * sizeof(*md->seg));
		if (!md->msg)
			md->msg = malloc(MAP_MARKS * sizeof(*md->msg));
		keep[d][0] = md->seg;
		keep[d][1] = md->msg;
	}
	memset(free_slot, 0, sizeof(*free_slot));
	for (unsigned d = 0; d < 2; d++) {
		free_slot->dir[d].seg = keep[d][0];
		free_slot->dir[d].msg = keep[d][1];
	}
	if (!keep[0][0] || !keep[0][1] || !keep[1][0] || !keep[1][1])
		return NULL; /* out of memory: this connection is not drawn */
	free_slot->conn = conn;
	free_slot->last = s->tick;
	return free_slot;
}

static void on_segmap(struct map_sink *s, const struct nl_segmap *m)
{
	if (m->dir > 1 || !m->bytes ||
	    (m->state != NL_SEGMAP_MAPPED && m->state != NL_SEGMAP_UNFRAMED))
		return;
	struct map_slot *sl = find(s, m->conn_id, true);
	if (!sl)
		return;
	struct map_dir *d = &sl->dir[m->dir];
	bool merged = nl_segmap_merged(m);
	d->segs++;
	d->merged += merged;
	if (m->state == NL_SEGMAP_MAPPED && m->n_msgs > d->max_per_seg)
		d->max_per_seg = m->n_msgs;
	if (d->n_seg >= MAP_MARKS) {
		d->seg_trunc = true;
		return;
	}
	d->seg[d->n_seg++] =
	    (struct span){m->offset, m->offset + m->bytes, merged};
}

static void on_message(struct map_sink *s, const struct nl_message *m)
{
	if (m->dir > 1)
		return;
	struct map_slot *sl = find(s, m->conn_id, true);
	if (!sl)
		return;
	struct map_dir *d = &sl->dir[m->dir];
	d->msgs++;
	d->split += m->split;
	d->cut += m->end != NL_MSG_COMPLETE;
	if (m->n_frames > d->max_segs)
		d->max_segs = m->n_frames;
	if (d->n_msg >= MAP_MARKS) {
		d->msg_trunc = true;
		return;
	}
	d->msg[d->n_msg++] =
	    (struct span){m->offset, m->offset + m->len, m->split};
}

/* Cells: 0 blank, 1 fill, 2 marked fill, 3 boundary. */
/* Returns how many spans were narrower than two columns: drawn as a bar
 * or two, their inside cannot be seen at this scale. */
static uint64_t draw_row(struct map_sink *s, const char *label,
			 const struct span *v, uint32_t n, uint64_t base,
			 uint64_t span, unsigned cols)
{
	struct nl_outbuf *o = s->o;
	uint64_t narrow = 0;
	memset(s->cells, 0, cols);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t a = v[i].start - base, b = v[i].end - base;
		unsigned ca = (unsigned)((double)a * (cols - 1) / (double)span);
		unsigned cb = (unsigned)((double)b * (cols - 1) / (double)span);
		/* hostile spans (end before start) stay inside the row */
		if (cb >= cols)
			cb = cols - 1;
		if (ca >= cols)
			ca = cols - 1;
		narrow += cb <= ca + 1;
		for (unsigned c = ca + 1; c < cb; c++)
			if (s->cells[c] < 3)
				s->cells[c] =
				    v[i].mark ? 2 : (s->cells[c] == 2 ? 2 : 1);
		s->cells[ca] = 3;
		s->cells[cb] = 3;
	}
	nl_out_str(o, label);
	nl_out_repeat(o, ' ', LABEL_W - strlen(label));
	for (unsigned c = 0; c < cols; c++) {
		switch (s->cells[c]) {
		case 0:
			nl_out_char(o, ' ');
			break;
		case 1:
			nl_out_str(o, s->fill);
			break;
		case 2:
			nl_out_str(o, s->mark);
			break;
		default:
			nl_out_str(o, s->bar);
			break;
		}
	}
	nl_out_char(o, '\n');
	return narrow;
}

static size_t u64str(char *buf, uint64_t v)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

static void draw_dir(struct map_sink *s, const struct map_slot *sl,
		     unsigned dir, const struct nl_flow_stats *f)
{
	const struct map_dir *d = &sl->dir[dir];
	struct nl_outbuf *o = s->o;
	if (!d->n_seg && !d->n_msg)
		return;
	uint64_t lo = UINT64_MAX, hi = 0;
	for (uint32_t i = 0; i < d->n_seg; i++) {
		lo = d->seg[i].start < lo ? d->seg[i].start : lo;
		hi = d->seg[i].end > hi ? d->seg[i].end : hi;
	}
	for (uint32_t i = 0; i < d->n_msg; i++) {
		lo = d->msg[i].start < lo ? d->msg[i].start : lo;
		hi = d->msg[i].end > hi ? d->msg[i].end : hi;
	}
	uint64_t span = hi > lo ? hi - lo : 1;
	unsigned cols = s->width - LABEL_W - 1;

	NL_OUT_LIT(o, "  ");
	nl_out_str(o, nl_rf_dir((uint8_t)dir));
	NL_OUT_LIT(o, "  ");
	nl_report_count(o, hi - lo, "byte", "bytes");
	NL_OUT_LIT(o, ", ");
	nl_report_count(o, d->segs, "segment", "segments");
	NL_OUT_LIT(o, ", ");
	nl_report_count(o, d->msgs, "message", "messages");
	if (d->cut) {
		NL_OUT_LIT(o, " (");
		nl_out_u64(o, d->cut);
		NL_OUT_LIT(o, " cut)");
	}
	const struct nl_framing_spec *spec = &sl->spec[dir];
	uint8_t how = sl->how[dir];
	if (f && f->dir[dir].how != NL_HOW_NONE) {
		spec = &f->dir[dir].spec;
		how = f->dir[dir].how;
	}
	if (how != NL_HOW_NONE) {
		NL_OUT_LIT(o, " (");
		nl_rf_spec(o, spec);
		NL_OUT_LIT(o, ", ");
		nl_out_str(o, nl_rf_how(how));
		nl_out_char(o, ')');
	}
	nl_out_char(o, '\n');
	if (d->merged || d->split) {
		nl_out_repeat(o, ' ', 7);
		NL_OUT_LIT(o, "merged: ");
		nl_report_count(o, d->merged, "segment", "segments");
		NL_OUT_LIT(o, " carried parts of >= 2 messages");
		if (d->merged) {
			NL_OUT_LIT(o, " (up to ");
			nl_out_u64(o, d->max_per_seg);
			nl_out_char(o, ')');
		}
		nl_out_char(o, '\n');
		nl_out_repeat(o, ' ', 7);
		NL_OUT_LIT(o, "split: ");
		nl_report_count(o, d->split, "message", "messages");
		NL_OUT_LIT(o, " crossed segments");
		if (d->split) {
			NL_OUT_LIT(o, " (up to ");
			nl_out_u64(o, d->max_segs);
			nl_out_char(o, ')');
		}
		nl_out_char(o, '\n');
	}
	uint64_t ns =
	    draw_row(s, "    segments", d->seg, d->n_seg, lo, span, cols);
	uint64_t nm =
	    draw_row(s, "    messages", d->msg, d->n_msg, lo, span, cols);
	/* the axis: first and last stream offset under the row ends */
	char lo_s[24], hi_s[24];
	size_t ll = u64str(lo_s, lo), hl = u64str(hi_s, hi);
	nl_out_repeat(o, ' ', LABEL_W);
	nl_out_write(o, lo_s, ll);
	nl_out_repeat(o, ' ', cols > ll + hl ? cols - ll - hl : 1);
	nl_out_write(o, hi_s, hl);
	nl_out_char(o, '\n');
	if (ns || nm) {
		/* a byte scale hides what is small beside what is big */
		NL_OUT_LIT(o, "    (");
		if (ns) {
			nl_report_count(o, ns, "segment", "segments");
			if (nm)
				NL_OUT_LIT(o, " and ");
		}
		if (nm)
			nl_report_count(o, nm, "message", "messages");
		NL_OUT_LIT(o, " too small to draw at this scale)\n");
	}
	if (d->seg_trunc || d->msg_trunc) {
		NL_OUT_LIT(o, "    (truncated: the first ");
		nl_out_u64(o, MAP_MARKS);
		NL_OUT_LIT(o, " segments and messages drawn)\n");
	}
}

static void draw_slot(struct map_sink *s, struct map_slot *sl,
		      const struct nl_flow_stats *f, bool early)
{
	struct nl_outbuf *o = s->o;
	NL_OUT_LIT(o, "connection #");
	nl_out_u64(o, sl->conn);
	if (sl->have_ends) {
		NL_OUT_LIT(o, ": client ");
		nl_report_endpoint(o, &sl->addr[NL_CLIENT],
				   sl->port[NL_CLIENT]);
		NL_OUT_LIT(o, "  server ");
		nl_report_endpoint(o, &sl->addr[NL_SERVER],
				   sl->port[NL_SERVER]);
	}
	nl_out_char(o, '\n');
	if (early) {
		NL_OUT_LIT(o, "  (drawn before its end: more than ");
		nl_out_u64(o, MAP_SLOTS);
		NL_OUT_LIT(o, " connections carried data at once)\n");
	}
	for (unsigned d = 0; d < 2; d++)
		draw_dir(s, sl, d, f);
	if (!sl->dir[0].n_seg && !sl->dir[1].n_seg && !sl->dir[0].n_msg &&
	    !sl->dir[1].n_msg)
		NL_OUT_LIT(o, "  no mapped segments\n");
	sl->conn = 0;
}

static void on_end(struct map_sink *s, const struct nl_conn_end *e)
{
	const struct nl_conn *c = e->conn;
	if (!c)
		return;
	/* drawn already if it had to make room; not at all without data */
	struct map_slot *sl = find(s, c->id, false);
	if (!sl)
		return;
	memcpy(sl->addr, c->addr, sizeof(sl->addr));
	memcpy(sl->port, c->port, sizeof(sl->port));
	sl->have_ends = true;
	draw_slot(s, sl, e->flow, false);
}

static bool finished(const struct nl_conn *c)
{
	for (unsigned d = 0; d < 2; d++)
		if (c->side[d].state != NL_TCPS_CLOSED &&
		    c->side[d].state != NL_TCPS_TIME_WAIT)
			return c->reset_by < 2;
	return true;
}

/* A packet of a recorded connection: its endpoints and whether it is
 * over, for the header and the choice of a slot to free. */
static void on_conn(struct map_sink *s, const struct nl_conn *c)
{
	struct map_slot *sl = find(s, c->id, false);
	if (!sl)
		return;
	if (!sl->have_ends) {
		memcpy(sl->addr, c->addr, sizeof(sl->addr));
		memcpy(sl->port, c->port, sizeof(sl->port));
		sl->have_ends = true;
	}
	sl->closed = finished(c);
}

static void on_note(struct map_sink *s, const struct nl_flow_note *n)
{
	if (n->type != NL_NOTE_FRAMING || n->dir > 1)
		return;
	struct map_slot *sl = find(s, n->conn_id, true);
	if (!sl)
		return;
	sl->spec[n->dir] = n->spec;
	sl->how[n->dir] = n->how;
}

static void map_event(void *self, const struct nl_event *ev)
{
	struct map_sink *s = self;
	s->tick++;
	switch (ev->type) {
	case NL_EV_PACKET:
		if (ev->segmap)
			on_segmap(s, ev->segmap);
		if (ev->conn)
			on_conn(s, ev->conn);
		break;
	case NL_EV_FLOW_NOTE:
		if (ev->u.note)
			on_note(s, ev->u.note);
		break;
	case NL_EV_SEGMAP:
		if (ev->u.segmap)
			on_segmap(s, ev->u.segmap);
		break;
	case NL_EV_MESSAGE:
		if (ev->u.message)
			on_message(s, ev->u.message);
		break;
	case NL_EV_CONN_END:
		if (ev->u.conn_end)
			on_end(s, ev->u.conn_end);
		break;
	default:
		break;
	}
}

static void map_close(void *self)
{
	struct map_sink *s = self;
	/* connections the tracker never retired (normally it retires all
	 * at the end of the input) */
	for (unsigned i = 0; i < MAP_SLOTS; i++)
		if (s->slot[i].conn)
			draw_slot(s, &s->slot[i], NULL, false);
	(void)nl_out_flush(s->o);
	for (unsigned i = 0; i < MAP_SLOTS; i++)
		for (unsigned d = 0; d < 2; d++) {
			free(s->slot[i].dir[d].seg);
			free(s->slot[i].dir[d].msg);
		}
	free(s);
}

static const struct nl_sink_ops map_ops = {
    .name = "map",
    .on_event = map_event,
    .close = map_close,
};

enum nl_status nl_sink_map_new(struct nl_sink *out, struct nl_outbuf *o,
			       const struct nl_report_opts *opts)
{
	struct map_sink *s = calloc(1, sizeof(*s));
	if (!s)
		return NL_NOMEM;
	s->o = o;
	s->only = opts->map_id;
	s->width = opts->width ? opts->width : MAP_WIDTH;
	if (s->width < MAP_MIN_WIDTH)
		s->width = MAP_MIN_WIDTH;
	if (s->width > MAP_MAX_WIDTH)
		s->width = MAP_MAX_WIDTH;
	if (opts->ascii) {
		s->bar = "|";
		s->fill = "-";
		s->mark = "=";
	} else {
		s->bar = "\u2502";  /* │ */
		s->fill = "\u2500"; /* ─ */
		s->mark = "\u2550"; /* ═ */
	}
	out->ops = &map_ops;
	out->self = s;
	return NL_OK;
}
