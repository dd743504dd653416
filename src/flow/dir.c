/*
 * One direction of one connection: the reassembler's events in, messages
 * and segment maps out.
 *
 *   DATA  -> auto-detection holds the first bytes (MODE_DETECT) until a
 *            framing is chosen, then replays them; a framer in step
 *            (MODE_FRAMED) cuts them into messages and each segment's map
 *            records which message bytes it carried; after the framing
 *            lost step (MODE_LOST) bytes are unframed until the next
 *            segment start, where the framer starts over (resync).
 *   GAP   -> a message whose length is known survives it (has_gap);
 *            otherwise it is cut and the framer resynchronises.
 *   FIN/RST -> the stream ended: detection decides, the message in
 *            progress ends (complete for framings that run to the end).
 *
 * Maps: the current packet's map is filled in place; bytes of an earlier
 * frame (it waited out of order, or in the detection buffer) go to the
 * table's "late" map, reported as NL_FLOW_SEGMAP when the frame changes.
 */
#include <string.h>

#include "flow_internal.h"

void nl_flow_emit(struct nl_flow_table *t, enum nl_flow_ev_type type,
		  const void *p)
{
	if (!(t->wanted & (1u << type)))
		return;
	struct nl_flow_event ev = {.type = type};
	switch (type) {
	case NL_FLOW_MESSAGE:
		ev.u.message = p;
		break;
	case NL_FLOW_SEGMAP:
		ev.u.segmap = p;
		break;
	case NL_FLOW_NOTE:
		ev.u.note = p;
		break;
	case NL_FLOW_DATA:
		ev.u.data = p;
		break;
	case NL_FLOW_EV_COUNT:
		return;
	}
	t->fn(t->arg, &ev);
}

static void note(struct walk *w, enum nl_flow_note_type type, uint64_t off,
		 uint64_t len, const char *why)
{
	struct nl_flow_note n = {.conn_id = w->f->conn_id,
				 .frame = w->cur_frame,
				 .dir = w->dir,
				 .type = (uint8_t)type,
				 .offset = off,
				 .len = len,
				 .why = why};
	nl_flow_emit(w->t, NL_FLOW_NOTE, &n);
}

/* ---- segment maps ---- */

/* Every field but parts[], which only n_parts makes valid: a packet's
 * map is set up for every TCP packet, so it is not cleared whole. */
void nl_flow_segmap_begin(struct nl_segmap *m, uint64_t conn_id, uint8_t dir,
			  uint64_t frame, bool late)
{
	m->conn_id = conn_id;
	m->frame = frame;
	m->dir = dir;
	m->state = NL_SEGMAP_NONE;
	m->late = late;
	m->offload = m->push = m->held_ooo = false;
	m->offset = 0;
	m->bytes = m->n_msgs = 0;
	m->n_parts = 0;
}

/* Figures of a map whose frame is complete. */
static void map_count(struct nl_flow_table *t, struct flow_dir *d,
		      const struct nl_segmap *m)
{
	if (m->state != NL_SEGMAP_MAPPED || !m->bytes)
		return;
	d->st.data_segs++;
	if (m->n_msgs >= 2) {
		d->st.merged_segs++;
		t->n.merged_segs++;
	}
	if (m->n_msgs > d->st.max_msgs_per_seg)
		d->st.max_msgs_per_seg = m->n_msgs;
}

/* The last part still open takes the length once the framer knows it. */
static void map_close(struct flow_dir *d, struct nl_segmap *m)
{
	if (!m->n_parts)
		return;
	struct nl_msg_part *p = &m->parts[m->n_parts - 1];
	if (!p->msg_len && d->msg.active && d->msg.m.index == p->index &&
	    d->mode == MODE_FRAMED)
		p->msg_len = nl_framer_msg_len(&d->fr);
}

/* Report the late map gathered for an earlier frame of flow f. */
void nl_flow_late_flush(struct nl_flow_table *t, struct flow *f)
{
	if (!t->late_open)
		return;
	t->late_open = false;
	struct nl_segmap *m = &t->late;
	struct flow_dir *d = &f->d[m->dir & 1];
	map_close(d, m);
	map_count(t, d, m);
	nl_flow_emit(t, NL_FLOW_SEGMAP, m);
}

/* The map that bytes of `frame` go to. */
static struct nl_segmap *map_for(struct walk *w, uint64_t frame)
{
	if (frame && frame == w->cur_frame)
		return w->map;
	struct nl_flow_table *t = w->t;
	if (t->late_open && (t->late.frame != frame ||
			     t->late.conn_id != w->f->conn_id ||
			     t->late.dir != w->dir))
		nl_flow_late_flush(t, w->f);
	if (!t->late_open) {
		nl_flow_segmap_begin(&t->late, w->f->conn_id, w->dir, frame,
				     true);
		t->late_open = true;
	}
	return &t->late;
}

static void map_bytes(struct nl_segmap *m, uint64_t off, uint32_t n)
{
	if (!m->bytes)
		m->offset = off;
	m->bytes += n;
}

static void map_part(struct nl_segmap *m, const struct nl_message *msg,
		     uint64_t at, uint32_t bytes)
{
	m->state = NL_SEGMAP_MAPPED;
	if (m->n_parts && m->parts[m->n_parts - 1].index == msg->index) {
		m->parts[m->n_parts - 1].bytes += bytes;
		return;
	}
	m->n_msgs++;
	struct nl_msg_part p = {.index = msg->index,
				.at = at,
				.bytes = bytes,
				.part = at == 0 ? NL_PART_HEAD : NL_PART_MIDDLE};
	if (m->n_parts < NL_SEGMAP_PARTS)
		m->parts[m->n_parts++] = p;
	else
		m->parts[NL_SEGMAP_PARTS - 1] = p;
}

/* The message whose last byte this map holds has ended. */
static void map_part_end(struct nl_segmap *m, uint64_t index, uint64_t len)
{
	if (!m->n_parts)
		return;
	struct nl_msg_part *p = &m->parts[m->n_parts - 1];
	if (p->index != index)
		return;
	p->msg_len = len;
	p->part = p->part == NL_PART_HEAD ? NL_PART_WHOLE : NL_PART_TAIL;
}

/* ---- messages ---- */

static void msg_begin(struct walk *w, struct flow_dir *d, uint64_t off,
		      uint64_t frame)
{
	struct nl_message *m = &d->msg.m; /* conn_id, dir: set once */
	d->msg.active = true;
	m->index = ++d->next_index;
	m->offset = off;
	m->first_frame = m->last_frame = frame;
	m->first_ns = m->last_ns = w->ns;
	m->n_frames = 0;
	m->n_listed = m->prefix_len = 0;
	m->has_gap = false;
}

static void msg_bytes(struct walk *w, struct nl_message *m, uint64_t frame,
		      const uint8_t *p, size_t n)
{
	bool new_frame = !m->n_frames || m->last_frame != frame;
	if (new_frame) {
		m->n_frames++;
		m->last_frame = frame;
	}
	if (!(w->t->wanted & (1u << NL_FLOW_MESSAGE)))
		return; /* counted only: nobody lists messages */
	if (new_frame) {
		if (m->n_listed < NL_MSG_FRAMES)
			m->frames[m->n_listed++] = frame;
		else
			m->frames[NL_MSG_FRAMES - 1] = frame;
	}
	m->last_ns = w->ns;
	if (p && m->prefix_len < NL_MSG_PREFIX) {
		size_t k = NL_MSG_PREFIX - m->prefix_len;
		if (k > n)
			k = n;
		memcpy(m->prefix + m->prefix_len, p, k);
		m->prefix_len += (uint8_t)k;
	}
}

/* The message in progress ends at stream offset end (exclusive). */
static void msg_end(struct walk *w, struct flow_dir *d, enum nl_msg_end why,
		    uint64_t end, uint64_t len, uint32_t header_len)
{
	if (!d->msg.active)
		return;
	d->msg.active = false;
	struct nl_message *m = &d->msg.m;
	if (d->guessed) {
		/* the first message after an unconfirmed realignment:
		 * where it began is a guess */
		d->guessed = false;
		if (why == NL_MSG_COMPLETE) {
			why = NL_MSG_CUT_GAP;
			m->has_gap = true;
		}
	}
	m->end = (uint8_t)why;
	m->split = m->n_frames >= 2;
	m->len = why == NL_MSG_COMPLETE && len ? len : end - m->offset;
	m->header_len = header_len;
	m->declared = why != NL_MSG_COMPLETE && d->mode == MODE_FRAMED
			  ? nl_framer_msg_len(&d->fr)
			  : 0;
	struct nl_flow_counts *n = &w->t->n;
	if (why == NL_MSG_COMPLETE) {
		d->st.messages++;
		n->messages++;
	} else {
		d->st.incomplete++;
		n->incomplete++;
	}
	if (m->split) {
		d->st.split_msgs++;
		n->split_msgs++;
	}
	if (m->n_frames > d->st.max_segs_per_msg)
		d->st.max_segs_per_msg = m->n_frames;
	nl_flow_emit(w->t, NL_FLOW_MESSAGE, m);
}

static void data_emit(struct walk *w, const struct flow_dir *d,
		      uint64_t off, const uint8_t *p, size_t n, uint64_t frame)
{
	struct nl_flow_data fd = {.conn_id = w->f->conn_id,
				  .dir = w->dir,
				  .offset = off,
				  .data = p,
				  .len = (uint32_t)n,
				  .frame = frame};
	if (d->msg.active && d->mode == MODE_FRAMED) {
		fd.msg_index = d->msg.m.index;
		fd.msg_at = off - d->msg.m.offset;
	}
	nl_flow_emit(w->t, NL_FLOW_DATA, &fd);
}

/* Reassembled bytes for --follow; the check inline, since it is false on
 * the hot path. */
static inline void data_event(struct walk *w, const struct flow_dir *d,
			      uint64_t off, const uint8_t *p, size_t n,
			      uint64_t frame)
{
	if (w->t->cfg.want_data && n)
		data_emit(w, d, off, p, n, frame);
}

/* ---- framing ---- */

/* The framer is out of step from `at` (an error, a gap over a header, or
 * bytes before the first whole message mid-stream): bytes are unframed
 * until resync_at, by default the next segment start. */
static void lose_step(struct flow_dir *d, uint64_t at, bool error)
{
	d->mode = MODE_LOST;
	d->lost_at = at;
	d->resync_at = UINT64_MAX;
	if (error)
		d->st.framing_errors++;
}

/* Whole messages the framer's fast path consumed at the start of a chunk
 * of map m: what msg_begin() .. msg_end() would have recorded for each,
 * when nobody takes message events (so there is nothing to emit). */
static void whole_messages(struct walk *w, struct flow_dir *d,
			   struct nl_segmap *m, const uint32_t *lens,
			   unsigned k)
{
	m->state = NL_SEGMAP_MAPPED;
	m->n_msgs += k;
	for (unsigned i = 0; i < k; i++) {
		struct nl_msg_part p = {.index = ++d->next_index,
					.msg_len = lens[i],
					.bytes = lens[i],
					.part = NL_PART_WHOLE};
		if (m->n_parts < NL_SEGMAP_PARTS)
			m->parts[m->n_parts++] = p;
		else
			m->parts[NL_SEGMAP_PARTS - 1] = p;
	}
	d->st.messages += k;
	w->t->n.messages += k;
	if (!d->st.max_segs_per_msg)
		d->st.max_segs_per_msg = 1;
}

/* Bytes of frame at stream offset off, with a framer (in step or not). */
static void framed_bytes(struct walk *w, struct flow_dir *d, uint64_t frame,
			 uint64_t off, const uint8_t *p, size_t n)
{
	struct nl_segmap *m = map_for(w, frame);
	map_bytes(m, off, (uint32_t)n);
	if (m->state == NL_SEGMAP_NONE || m->state == NL_SEGMAP_PENDING ||
	    m->state == NL_SEGMAP_RETRANS)
		m->state = NL_SEGMAP_UNFRAMED;
	size_t pos = 0;
	/* a new segment after the framing lost step: start over here */
	if (d->mode == MODE_LOST && d->resync_at == UINT64_MAX &&
	    frame != d->last_frame && off >= d->lost_at)
		d->resync_at = off;
	d->last_frame = frame;
	/* whole length-prefixed messages take the framer's fast path when
	 * they are only counted and mapped */
	bool whole_ok = !(w->t->wanted & (1u << NL_FLOW_MESSAGE)) &&
			!w->t->cfg.want_data && !d->guessed;
	while (pos < n) {
		uint64_t at = off + pos;
		if (d->mode == MODE_LOST) {
			size_t k = n - pos;
			if (d->resync_at > at && d->resync_at - at < k)
				k = (size_t)(d->resync_at - at);
			if (d->resync_at > at) {
				data_event(w, d, at, p + pos, k, frame);
				pos += k;
				continue;
			}
			nl_framer_resync(&d->fr, at);
			d->mode = MODE_FRAMED;
			d->resync_at = UINT64_MAX;
			d->st.resyncs++;
			note(w, NL_NOTE_RESYNC, at, 0, NULL);
		}
		if (d->mode != MODE_FRAMED) {
			data_event(w, d, at, p + pos, n - pos, frame);
			break;
		}
		if (!d->msg.active && whole_ok) {
			uint32_t lens[32];
			unsigned k;
			size_t used = nl_framer_whole(&d->fr, p + pos, n - pos,
						      lens, 32, &k);
			if (k) {
				whole_messages(w, d, m, lens, k);
				pos += used;
				if (pos == n)
					break;
				at = off + pos; /* a message cut by the end,
						   or the 33rd: the feeder's */
			}
		}
		if (!d->msg.active)
			msg_begin(w, d, at, frame);
		enum nl_frame_result r;
		struct nl_frame fr;
		size_t used = nl_framer_feed(&d->fr, p + pos, n - pos, &r, &fr);
		if (used) {
			map_part(m, &d->msg.m, at - d->msg.m.offset,
				 (uint32_t)used);
			msg_bytes(w, &d->msg.m, frame, p + pos, used);
			data_event(w, d, at, p + pos, used, frame);
		}
		pos += used;
		if (r == NL_FRAME_MESSAGE) {
			map_part_end(m, d->msg.m.index, fr.len);
			msg_end(w, d, NL_MSG_COMPLETE, off + pos, fr.len,
				fr.header_len);
		} else if (r == NL_FRAME_ERROR || (r == NL_FRAME_MORE &&
						   pos < n && !used)) {
			uint64_t bad = r == NL_FRAME_ERROR ? fr.error_at
							   : off + pos;
			note(w, NL_NOTE_FRAMING_ERROR, bad, 0,
			     r == NL_FRAME_ERROR ? fr.error
						 : "framer made no progress");
			msg_end(w, d, NL_MSG_CUT_ERROR, off + pos, 0, 0);
			lose_step(d, off + pos, true);
		}
	}
}

/* ---- auto-detection ---- */

static struct detect_slot *slot_of(struct nl_flow_table *t,
				   const struct flow_dir *d)
{
	return d->detect ? &t->det[d->detect - 1] : NULL;
}

static uint8_t *slot_buf(struct nl_flow_table *t, const struct flow_dir *d)
{
	return t->det_buf + (size_t)(d->detect - 1) * t->cfg.detect_bytes;
}

static void set_framing(struct walk *w, struct flow_dir *d,
			const struct nl_detect_result *r)
{
	d->st.spec = r->spec;
	d->st.how = r->fallback ? NL_HOW_FALLBACK : NL_HOW_AUTO;
	d->st.confirm = r->confirm;
	d->st.has_runner_up = r->has_runner_up;
	d->st.runner_up = r->runner_up;
	struct nl_flow_note n = {.conn_id = w->f->conn_id,
				 .frame = w->cur_frame,
				 .dir = w->dir,
				 .type = NL_NOTE_FRAMING,
				 .how = d->st.how,
				 .spec = r->spec,
				 .runner_up = r->runner_up,
				 .has_runner_up = r->has_runner_up,
				 .confirm = r->confirm,
				 .runner_confirm = r->runner_confirm,
				 .why = r->why};
	nl_flow_emit(w->t, NL_FLOW_NOTE, &n);
	/* a framing found (not a fallback) is the port's, for its next
	 * connections */
	if (!r->fallback)
		nl_flow_port_learn(w->t, w->f->server_port, w->dir, &r->spec);
	if (nl_framer_init(&d->fr, &r->spec, w->t->cfg.max_message) ==
	    NL_OK) {
		d->fr_ready = true;
		d->mode = MODE_FRAMED;
	} else {
		d->mode = MODE_OFF;
	}
}

static void detect_input(struct walk *w, struct flow_dir *d,
			 struct detect_slot *s, const uint8_t *buf,
			 struct nl_detect_input *in)
{
	const struct flow_dir *peer = &w->f->d[!w->dir];
	memset(in, 0, sizeof(*in));
	in->buf = buf;
	in->len = s ? s->len : 0;
	in->segs = s ? s->segs : NULL;
	in->n_segs = s ? s->n_segs : 0;
	in->midstream = d->midstream;
	in->turn_ended = d->turn_ended;
	in->stream_ended = d->ended;
	in->peer_spoke = peer->spoke;
	in->peer = peer->first;
	in->peer_len = peer->first_len;
	if (peer->st.how != NL_HOW_NONE)
		in->peer_spec = &peer->st.spec;
	if (d->redetect)
		in->prior = &d->st.spec;
	in->hint = nl_flow_port_hint(w->t, w->f->server_port, w->dir);
	in->max_message = w->t->cfg.max_message;
}

/* Try to choose the framing (always when final); on a decision replay the
 * held bytes through the framer. */
static bool same_spec(const struct nl_framing_spec *a,
		      const struct nl_framing_spec *b)
{
	return a->kind == b->kind && a->len_size == b->len_size &&
	       a->big_endian == b->big_endian &&
	       a->len_offset == b->len_offset && a->adjust == b->adjust;
}

/* The framing lost step at a gap: hold what follows and look for where
 * its messages start again (mid-stream detection, this framing first),
 * rather than guessing the next segment start. */
static void realign(struct flow_dir *d)
{
	d->mode = MODE_DETECT;
	d->redetect = true;
	d->midstream = true;
	d->turn_ended = false;
}

static bool detect_try(struct walk *w, struct flow_dir *d, bool final)
{
	struct nl_flow_table *t = w->t;
	struct detect_slot *s = slot_of(t, d);
	if (d->mode != MODE_DETECT)
		return true;
	struct nl_detect_input in;
	struct nl_detect_result r;
	detect_input(w, d, s, s ? slot_buf(t, d) : NULL, &in);
	if (!nl_framing_detect(&in, final, &r))
		return false;
	bool unconfirmed = false;
	if (d->redetect) {
		/* realigning after a gap: the framing stays; only where
		 * its messages start again is new */
		if (!same_spec(&r.spec, &d->st.spec)) {
			/* not confirmed. Lines start after a line end (the
			 * first message, its start unknown, is reported
			 * cut); other framings leave these bytes unframed
			 * and keep looking in the next ones */
			r.spec = d->st.spec;
			r.start = 0;
			const uint8_t *lf = NULL;
			if (s && r.spec.kind == NL_FRAMING_LINE)
				lf = memchr(slot_buf(t, d), '\n', s->len);
			if (lf && (uint32_t)(lf - slot_buf(t, d)) + 1 < s->len) {
				r.start = (uint32_t)(lf - slot_buf(t, d)) + 1;
				d->guessed = true;
			} else {
				unconfirmed = true;
			}
		}
		d->redetect = false;
		if (d->fr_ready)
			nl_framer_free(&d->fr);
		d->fr_ready = nl_framer_init(&d->fr, &d->st.spec,
					     t->cfg.max_message) == NL_OK;
		d->mode = d->fr_ready ? MODE_FRAMED : MODE_OFF;
		if (unconfirmed && s && d->fr_ready) {
			/* replay as unframed: no resync point in them */
			lose_step(d, s->base, false);
			d->lost_at = d->resync_at = UINT64_MAX - 1;
			d->redetect = true;
		}
		/* a later alignment is reached by the replay below (bytes
		 * before it unframed, then the resync note) */
		else if (d->fr_ready && s && !r.start) {
			nl_framer_resync(&d->fr, s->base);
			d->st.resyncs++;
			note(w, NL_NOTE_RESYNC, s->base, 0, r.why);
		}
	} else {
		set_framing(w, d, &r);
	}
	if (!s)
		return true;
	/* replay: bytes before the first whole message are unframed */
	const uint8_t *buf = slot_buf(t, d);
	if (r.start && d->mode == MODE_FRAMED) {
		lose_step(d, s->base, false);
		d->resync_at = s->base + r.start;
	}
	for (uint32_t i = 0; i < s->n_segs; i++) {
		const struct nl_detect_seg *g = &s->segs[i];
		framed_bytes(w, d, s->frames[i], s->base + g->start,
			     buf + g->start, g->end - g->start);
		if (g->push && d->mode == MODE_FRAMED) {
			struct nl_frame fr;
			if (nl_framer_push(&d->fr, &fr)) {
				map_part_end(map_for(w, s->frames[i]),
					     d->msg.m.index, fr.len);
				msg_end(w, d, NL_MSG_COMPLETE,
					s->base + g->end, fr.len,
					fr.header_len);
			}
		}
	}
	s->next_free = t->det_free;
	t->det_free = d->detect;
	d->detect = 0;
	if (unconfirmed)
		realign(d); /* look again in the bytes that follow */
	return true;
}

/* Bytes delivered while detecting: hold them, or decide first if they do
 * not fit. */
static void detect_bytes(struct walk *w, struct flow_dir *d, uint64_t frame,
			 uint64_t off, const uint8_t *p, size_t n)
{
	struct nl_flow_table *t = w->t;
	if (!d->detect && t->det_free) {
		/* slots past the high-water mark were never used: their
		 * next is the one after */
		uint32_t k = t->det_free;
		if (k > t->hw_det) {
			t->hw_det = k;
			t->det_free = k < NL_DETECT_SLOTS ? k + 1 : 0;
		} else {
			t->det_free = t->det[k - 1].next_free;
		}
		d->detect = k;
		struct detect_slot *s = &t->det[k - 1];
		s->len = s->n_segs = s->tried_len = 0;
		s->base = off;
	}
	struct detect_slot *s = slot_of(t, d);
	if (!s && d->redetect && d->fr_ready) {
		/* no room to realign after a gap: the framing starts over at
		 * the next segment start, as after an error */
		t->n.detect_fallbacks++;
		d->redetect = false;
		lose_step(d, off, false);
		framed_bytes(w, d, frame, off, p, n);
		return;
	}
	if (!s) {
		/* no room to hold bytes: decide on what is in hand */
		t->n.detect_fallbacks++;
		struct nl_detect_input in;
		struct nl_detect_result r;
		struct nl_detect_seg g = {.start = 0,
					  .end = (uint32_t)(n > UINT32_MAX
								? UINT32_MAX
								: n)};
		detect_input(w, d, NULL, p, &in);
		in.len = g.end;
		in.segs = &g;
		in.n_segs = 1;
		nl_framing_detect(&in, true, &r);
		set_framing(w, d, &r);
		if (r.start && d->mode == MODE_FRAMED) {
			lose_step(d, off, false);
			d->resync_at = off + r.start;
		}
		framed_bytes(w, d, frame, off, p, n);
		return;
	}
	bool same = s->n_segs && s->frames[s->n_segs - 1] == frame &&
		    s->segs[s->n_segs - 1].end == s->len;
	if (off != s->base + s->len || n > t->cfg.detect_bytes - s->len ||
	    (!same && s->n_segs == NL_DETECT_MAX_SEGS)) {
		detect_try(w, d, true);
		if (d->mode != MODE_DETECT) {
			framed_bytes(w, d, frame, off, p, n);
		} else if (n <= t->cfg.detect_bytes) {
			/* realigning still: hold them in a fresh prefix */
			detect_bytes(w, d, frame, off, p, n);
		} else {
			/* more than a prefix holds: unframed, look on */
			struct nl_segmap *m = map_for(w, frame);
			map_bytes(m, off, (uint32_t)n);
			if (m->state != NL_SEGMAP_MAPPED)
				m->state = NL_SEGMAP_UNFRAMED;
			data_event(w, d, off, p, n, frame);
		}
		return;
	}
	memcpy(slot_buf(t, d) + s->len, p, n);
	if (same) {
		s->segs[s->n_segs - 1].end += (uint32_t)n;
	} else {
		s->frames[s->n_segs] = frame;
		s->segs[s->n_segs].start = s->len;
		s->segs[s->n_segs].end = s->len + (uint32_t)n;
		s->segs[s->n_segs].push = false;
		s->n_segs++;
	}
	s->len += (uint32_t)n;
	/* mapped when the framing is known; the bytes are counted then */
	struct nl_segmap *m = map_for(w, frame);
	if (m->state == NL_SEGMAP_NONE) {
		m->state = NL_SEGMAP_PENDING;
		m->offset = off;
	}
}

/* ---- the reassembler's events ---- */

/* The other side had the word: its turn is over. */
static void turn_change(struct walk *w, const uint8_t *p, size_t n)
{
	struct flow *f = w->f;
	uint8_t me = w->dir;
	if (f->last_speaker == (int8_t)me)
		return;
	int8_t prev = f->last_speaker;
	f->last_speaker = (int8_t)me;
	f->d[me].turn_ended = false;
	if (prev < 0)
		return;
	struct walk pw = *w;
	pw.dir = (uint8_t)prev;
	struct flow_dir *o = &f->d[prev];
	o->turn_ended = true;
	if (o->mode == MODE_DETECT)
		detect_try(&pw, o, true);
	if (o->mode == MODE_FRAMED && o->msg.active) {
		struct nl_frame fr;
		if (nl_framer_turn_end(&o->fr, p, n, &fr)) {
			/* its last segment's map may still be open (just
			 * replayed after detection): it ends there */
			struct nl_segmap *lm = &w->t->late;
			if (w->t->late_open && lm->conn_id == f->conn_id &&
			    lm->dir == (uint8_t)prev &&
			    lm->frame == o->msg.m.last_frame)
				map_part_end(lm, o->msg.m.index, fr.len);
			msg_end(&pw, o, NL_MSG_COMPLETE,
				fr.start + fr.len, fr.len, fr.header_len);
		}
	}
}

static void on_data(struct walk *w, struct flow_dir *d,
		    const struct nl_reasm_event *ev)
{
	/* first: the other side's detection, run at its turn's end, sees
	 * what this side answered ("ready") */
	if (!d->spoke) {
		d->spoke = true;
		size_t k = ev->len < NL_DETECT_PEER_BYTES ? ev->len
							  : NL_DETECT_PEER_BYTES;
		memcpy(d->first, ev->data, k);
		d->first_len = (uint8_t)k;
	}
	turn_change(w, ev->data, ev->len);
	w->new_data = true;
	w->last_ev_frame = ev->frame;
	d->st.bytes += ev->len;
	if (d->mode == MODE_IDLE)
		d->mode = d->fr_ready ? MODE_FRAMED : MODE_DETECT;
	if (d->mode == MODE_DETECT)
		detect_bytes(w, d, ev->frame, ev->offset, ev->data, ev->len);
	else
		framed_bytes(w, d, ev->frame, ev->offset, ev->data, ev->len);
}

static void on_gap(struct walk *w, struct flow_dir *d,
		   const struct nl_reasm_event *ev)
{
	struct nl_flow_note n = {.conn_id = w->f->conn_id,
				 .frame = w->cur_frame,
				 .dir = w->dir,
				 .type = NL_NOTE_GAP,
				 .reason = ev->reason,
				 .offset = ev->offset,
				 .len = ev->len};
	nl_flow_emit(w->t, NL_FLOW_NOTE, &n);
	if (d->mode == MODE_IDLE) {
		/* nothing delivered yet: what follows may start anywhere */
		d->midstream = true;
		if (d->fr_ready)
			realign(d);
		return;
	}
	if (d->mode == MODE_DETECT)
		detect_try(w, d, true);
	if (d->mode != MODE_FRAMED)
		return;
	if (d->msg.active && nl_framer_skip(&d->fr, ev->len)) {
		d->msg.m.has_gap = true;
		/* a gap that ends the message exactly: the framer says so on
		 * its next feed, even of nothing */
		static const uint8_t none[1];
		enum nl_frame_result r;
		struct nl_frame fr;
		nl_framer_feed(&d->fr, none, 0, &r, &fr);
		if (r == NL_FRAME_MESSAGE)
			msg_end(w, d, NL_MSG_COMPLETE, fr.start + fr.len, fr.len,
				fr.header_len);
		return;
	}
	if (!d->msg.active && nl_framer_skip(&d->fr, ev->len))
		return;
	msg_end(w, d, NL_MSG_CUT_GAP, ev->offset, 0, 0);
	realign(d);
}

/* The stream ended (FIN, RST, or the connection's end). */
static void on_end(struct walk *w, struct flow_dir *d)
{
	if (d->ended)
		return;
	d->ended = true;
	if (d->mode == MODE_DETECT)
		detect_try(w, d, true);
	if (!d->msg.active)
		return;
	struct nl_frame fr;
	if (d->mode == MODE_FRAMED && nl_framer_end(&d->fr, &fr))
		msg_end(w, d, NL_MSG_COMPLETE, fr.start + fr.len, fr.len,
			fr.header_len);
	else
		msg_end(w, d, NL_MSG_CUT_END, d->rs.next, 0, 0);
}

void nl_flow_dir_event(void *arg, const struct nl_reasm_stream *s,
		       const struct nl_reasm_event *ev)
{
	(void)s;
	struct walk *w = arg;
	struct flow_dir *d = &w->f->d[w->dir];
	switch (ev->type) {
	case NL_REASM_DATA:
		if (ev->len)
			on_data(w, d, ev);
		break;
	case NL_REASM_GAP:
		on_gap(w, d, ev);
		break;
	case NL_REASM_RETRANS:
		if (w->map && ev->frame == w->cur_frame &&
		    w->map->state == NL_SEGMAP_NONE)
			w->map->state = NL_SEGMAP_RETRANS;
		break;
	case NL_REASM_CONFLICT:
		note(w, NL_NOTE_CONFLICT, ev->offset, ev->len, NULL);
		break;
	case NL_REASM_AFTER_FIN:
	case NL_REASM_SUSPICIOUS:
		if (w->map && ev->frame == w->cur_frame &&
		    (w->map->state == NL_SEGMAP_NONE ||
		     w->map->state == NL_SEGMAP_RETRANS))
			w->map->state = NL_SEGMAP_IGNORED;
		break;
	case NL_REASM_MIDSTREAM:
		d->midstream = true;
		note(w, NL_NOTE_MIDSTREAM, 0, 0, NULL);
		break;
	case NL_REASM_FIN:
	case NL_REASM_RST:
		on_end(w, d);
		break;
	case NL_REASM_EV_COUNT:
		break;
	}
}

/* After the current packet went through the reassembler. */
void nl_flow_dir_after_segment(struct walk *w, bool push, uint32_t plen)
{
	struct flow_dir *d = &w->f->d[w->dir];
	struct nl_segmap *m = w->map;
	bool mine_last = w->new_data && w->last_ev_frame == w->cur_frame;
	if (push && mine_last) {
		/* PSH: the end of a probable send() (framing none) and a
		 * hint for detection */
		if (d->mode == MODE_DETECT && d->detect) {
			struct detect_slot *s = slot_of(w->t, d);
			if (s->n_segs && s->frames[s->n_segs - 1] == w->cur_frame)
				s->segs[s->n_segs - 1].push = true;
		} else if (d->mode == MODE_FRAMED && d->msg.active) {
			struct nl_frame fr;
			if (nl_framer_push(&d->fr, &fr)) {
				map_part_end(m, d->msg.m.index, fr.len);
				msg_end(w, d, NL_MSG_COMPLETE, fr.start + fr.len,
					fr.len, fr.header_len);
			}
		}
	}
	if (d->mode == MODE_DETECT && w->new_data) {
		/* Each attempt runs every candidate over the whole prefix:
		 * try where the sender paused (PSH) or once the prefix has
		 * doubled, so a direction costs O(prefix) attempts' worth,
		 * not one per segment. */
		struct detect_slot *s = slot_of(w->t, d);
		bool full = s && s->n_segs >= NL_DETECT_MAX_SEGS;
		if (s && (full || (push && mine_last) ||
			  s->len >= 2 * s->tried_len)) {
			s->tried_len = s->len;
			detect_try(w, d, full);
		}
	}
	/* payload that produced no event waits in the reassembler's pool
	 * for a hole to be filled; a later NL_FLOW_SEGMAP maps it */
	if (m->state == NL_SEGMAP_NONE && plen && d->rs.head) {
		m->state = NL_SEGMAP_PENDING;
		m->held_ooo = true;
	}
	map_close(d, m);
	map_count(w->t, d, m);
	nl_flow_late_flush(w->t, w->f);
}

/* The connection ends: the stream is finished (nl_reasm_finish done). */
void nl_flow_dir_end(struct walk *w)
{
	struct flow_dir *d = &w->f->d[w->dir];
	on_end(w, d);
	nl_flow_late_flush(w->t, w->f);
}
