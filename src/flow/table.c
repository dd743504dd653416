/*
 * The flow table: a fixed array of analysis slots, one per connection that
 * carries data, taken on its first payload byte and given back when the
 * connection leaves the connection table. Slots are allocated once (their
 * pages are touched only when used); a connection that finds none free is
 * not analysed and counted, so a flood of connections cannot grow memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow_internal.h"
#include "netlab/table_mem.h"

void nl_flow_config_defaults(struct nl_flow_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->cap = NL_FLOW_DEFAULT_CAP;
	cfg->detect_bytes = NL_DETECT_DEFAULT_BYTES;
	cfg->spec.kind = NL_FRAMING_AUTO;
	cfg->reasm.overlap = NL_REASM_FIRST;
}

enum nl_status nl_flowtable_new(struct nl_flow_table **out,
				const struct nl_flow_config *cfg,
				nl_flow_fn *fn, void *arg, char *errbuf)
{
	*out = NULL;
	struct nl_flow_table *t = calloc(1, sizeof(*t));
	if (!t)
		goto nomem;
	t->cfg = *cfg;
	t->fn = fn;
	t->arg = arg;
	t->wanted = ~0u;
	if (!t->cfg.cap)
		t->cfg.cap = NL_FLOW_DEFAULT_CAP;
	if (t->cfg.cap > NL_FLOW_MAX_CAP)
		t->cfg.cap = NL_FLOW_MAX_CAP;
	if (!t->cfg.records)
		t->cfg.records = NL_CONN_DEFAULT_CAP;
	if (t->cfg.records > NL_CONN_MAX_CAP)
		t->cfg.records = NL_CONN_MAX_CAP;
	if (!t->cfg.detect_bytes)
		t->cfg.detect_bytes = NL_DETECT_DEFAULT_BYTES;
	if (t->cfg.detect_bytes > NL_DETECT_MAX_BYTES)
		t->cfg.detect_bytes = NL_DETECT_MAX_BYTES;
	if (!t->cfg.max_message)
		t->cfg.max_message = NL_FRAMING_DEFAULT_MAX_MESSAGE;
	enum nl_status st = nl_reasm_new(&t->reasm, &t->cfg.reasm, errbuf);
	if (st != NL_OK) {
		free(t);
		return st;
	}
	/* zeroed and lazily backed: the pages of unused slots are never
	 * touched */
	t->flows = nl_table_alloc(t->cfg.cap, sizeof(*t->flows));
	t->recs = nl_table_alloc(t->cfg.records, sizeof(*t->recs));
	t->det = calloc(NL_DETECT_SLOTS, sizeof(*t->det));
	t->det_buf = calloc(NL_DETECT_SLOTS, t->cfg.detect_bytes);
	if (!t->flows || !t->recs || !t->det || !t->det_buf) {
		nl_flowtable_free(t);
		goto nomem;
	}
	/* free lists hand slots out in order, so untouched pages stay so */
	t->free_head = 1;
	t->rec_free = 1;
	t->det_free = 1;
	t->n.cap = t->cfg.cap;
	t->n.entry_bytes = sizeof(struct flow);
	*out = t;
	return NL_OK;
nomem:
	snprintf(errbuf, NL_ERRBUF_SIZE,
		 "cannot allocate a flow table of %u connections",
		 cfg->cap ? cfg->cap : NL_FLOW_DEFAULT_CAP);
	return NL_NOMEM;
}

static uint32_t hint_slot(uint16_t port, uint8_t dir)
{
	uint32_t h = ((uint32_t)port * 2 + dir) * 0x9e3779b1u;
	return h >> (32 - 10);
}
_Static_assert(PORT_HINTS == 1u << 10, "hint_slot() takes 10 bits");

const struct nl_framing_spec *nl_flow_port_hint(const struct nl_flow_table *t,
						uint16_t port, uint8_t dir)
{
	const struct port_hint *h = &t->hints[hint_slot(port, dir)];
	return h->used && h->port == port && h->dir == dir ? &h->spec : NULL;
}

void nl_flow_port_learn(struct nl_flow_table *t, uint16_t port, uint8_t dir,
			const struct nl_framing_spec *spec)
{
	struct port_hint *h = &t->hints[hint_slot(port, dir)];
	h->used = true;
	h->port = port;
	h->dir = dir;
	h->spec = *spec;
}

void nl_flowtable_set_wanted(struct nl_flow_table *t, uint32_t mask)
{
	t->wanted = mask;
}

/* Free lists are implicit past a high-water mark: slot i's next is i + 1
 * until it has been used once, so the arrays need no set-up pass. */
static uint32_t list_take(uint32_t *head, uint32_t *hw, uint32_t cap,
			  uint32_t next_of_head)
{
	uint32_t k = *head;
	if (!k)
		return 0;
	if (k > *hw) {
		*hw = k;
		*head = k < cap ? k + 1 : 0;
	} else {
		*head = next_of_head;
	}
	return k;
}

static void dir_release(struct nl_flow_table *t, struct flow_dir *d)
{
	nl_reasm_release(t->reasm, &d->rs);
	if (d->fr_ready)
		nl_framer_free(&d->fr);
	d->fr_ready = false;
	if (d->detect) {
		t->det[d->detect - 1].next_free = t->det_free;
		t->det_free = d->detect;
		d->detect = 0;
	}
}

void nl_flowtable_free(struct nl_flow_table *t)
{
	if (!t)
		return;
	if (t->flows)
		for (uint32_t i = 0; i < t->cfg.cap && i < t->hw_flows; i++)
			if (t->flows[i].used)
				for (int k = 0; k < 2; k++)
					dir_release(t, &t->flows[i].d[k]);
	nl_table_free(t->flows, t->cfg.cap, sizeof(*t->flows));
	nl_table_free(t->recs, t->cfg.records, sizeof(*t->recs));
	free(t->det);
	free(t->det_buf);
	nl_reasm_free(t->reasm);
	free(t);
}

static const struct nl_framing_spec *spec_for(const struct nl_flow_table *t,
					      const struct nl_conn *c,
					      uint8_t *how)
{
	for (unsigned i = 0; i < t->cfg.n_ports; i++)
		if (t->cfg.ports[i].port == c->port[NL_SERVER]) {
			*how = NL_HOW_PORT;
			return &t->cfg.ports[i].spec;
		}
	*how = NL_HOW_OPTION;
	return &t->cfg.spec;
}

static void refuse(struct nl_flow_table *t, struct nl_conn *c, uint64_t frame)
{
	c->flow_slot = FLOW_SLOT_REFUSED;
	t->n.not_analysed++;
	struct nl_flow_note n = {.conn_id = c->id,
				 .frame = frame,
				 .type = NL_NOTE_NOT_ANALYSED,
				 .why = "flow table full (--max-flows)"};
	nl_flow_emit(t, NL_FLOW_NOTE, &n);
}

/* Take a record and a live slot for c; NULL if the table is full. */
static struct flow *flow_take(struct nl_flow_table *t, struct nl_conn *c,
			      uint64_t frame)
{
	uint32_t hw = t->hw_flows;
	uint32_t slot =
	    list_take(&t->free_head, &hw, t->cfg.cap,
		      t->free_head && t->free_head <= t->hw_flows
			  ? t->flows[t->free_head - 1].next_free
			  : 0);
	if (!slot) {
		refuse(t, c, frame);
		return NULL;
	}
	t->hw_flows = hw;
	hw = t->hw_recs;
	uint32_t r = list_take(&t->rec_free, &hw, t->cfg.records,
			       t->rec_free && t->rec_free <= t->hw_recs
				   ? t->recs[t->rec_free - 1].next_free
				   : 0);
	if (!r) {
		/* more connections than the table can hold: cannot happen
		 * while records >= the connection table's capacity */
		t->flows[slot - 1].next_free = t->free_head;
		t->free_head = slot;
		refuse(t, c, frame);
		return NULL;
	}
	t->hw_recs = hw;
	struct flow_rec *rec = &t->recs[r - 1];
	memset(rec, 0, sizeof(*rec));
	rec->used = true;
	rec->conn_id = c->id;
	rec->live = slot;
	struct flow *f = &t->flows[slot - 1];
	memset(f, 0, sizeof(*f));
	f->used = true;
	f->conn_id = c->id;
	f->rec = r;
	f->last_speaker = -1;
	f->server_port = c->port[NL_SERVER];
	c->flow_slot = r;
	t->n.flows++;
	if (++t->n.active > t->n.peak)
		t->n.peak = t->n.active;

	uint8_t how;
	const struct nl_framing_spec *spec = spec_for(t, c, &how);
	for (int k = 0; k < 2; k++) {
		struct flow_dir *d = &f->d[k];
		const struct nl_tcp_side *side = &c->side[k];
		/* the tracker knows each side's ISN (or first seq - 1) */
		if (side->base_set)
			nl_reasm_stream_start(&d->rs, side->base,
					      !side->syn_seen);
		d->midstream = side->base_set && !side->syn_seen;
		d->resync_at = UINT64_MAX;
		/* the same for every message of the direction */
		d->msg.m.conn_id = c->id;
		d->msg.m.dir = (uint8_t)k;
		if (spec->kind == NL_FRAMING_AUTO)
			continue;
		d->st.spec = *spec;
		d->st.how = how;
		if (nl_framer_init(&d->fr, spec, t->cfg.max_message) ==
		    NL_OK) {
			d->fr_ready = true;
			d->mode = MODE_IDLE;
		} else {
			d->mode = MODE_OFF;
		}
	}
	return f;
}

static struct flow_rec *rec_of(struct nl_flow_table *t,
			       const struct nl_conn *c)
{
	if (!c->flow_slot || c->flow_slot == FLOW_SLOT_REFUSED ||
	    c->flow_slot > t->hw_recs)
		return NULL;
	struct flow_rec *r = &t->recs[c->flow_slot - 1];
	return r->used && r->conn_id == c->id ? r : NULL;
}

static void rec_fold(struct rec_dir *r, const struct flow_dir *d)
{
	const struct nl_flow_dir_stats *s = &d->st;
	r->kind = (uint8_t)s->spec.kind;
	r->len_size = s->spec.len_size;
	r->big_endian = s->spec.big_endian;
	r->len_offset = s->spec.len_offset;
	r->adjust = s->spec.adjust;
	r->how = s->how;
	r->confirm = s->confirm;
#define SAT32(x) ((x) > UINT32_MAX ? UINT32_MAX : (uint32_t)(x))
	r->messages = SAT32(s->messages);
	r->incomplete = SAT32(s->incomplete);
	r->data_segs = SAT32(s->data_segs);
	r->merged_segs = SAT32(s->merged_segs);
	r->split_msgs = SAT32(s->split_msgs);
	r->offload_segs = SAT32(s->offload_segs);
#undef SAT32
	r->max_msgs_per_seg = s->max_msgs_per_seg;
	r->max_segs_per_msg = s->max_segs_per_msg;
	r->framing_errors = s->framing_errors;
	r->resyncs = s->resyncs;
	r->bytes = s->bytes;
	r->gaps = d->rs.c.gaps;
	r->cap_gaps = d->rs.c.cap_gaps;
	r->conflicts = d->rs.c.conflicts;
	r->ooo_segs = d->rs.c.ooo_segs;
	r->gap_bytes = d->rs.c.gap_bytes;
	r->retrans_bytes = d->rs.c.retrans_bytes;
}

static void rec_expand(struct nl_flow_dir_stats *s, const struct rec_dir *r)
{
	memset(s, 0, sizeof(*s));
	s->spec.kind = (enum nl_framing_kind)r->kind;
	s->spec.len_size = r->len_size;
	s->spec.big_endian = r->big_endian;
	s->spec.len_offset = r->len_offset;
	s->spec.adjust = r->adjust;
	s->how = r->how;
	s->confirm = r->confirm;
	s->messages = r->messages;
	s->incomplete = r->incomplete;
	s->data_segs = r->data_segs;
	s->merged_segs = r->merged_segs;
	s->max_msgs_per_seg = r->max_msgs_per_seg;
	s->split_msgs = r->split_msgs;
	s->max_segs_per_msg = r->max_segs_per_msg;
	s->offload_segs = r->offload_segs;
	s->framing_errors = r->framing_errors;
	s->resyncs = r->resyncs;
	s->bytes = r->bytes;
	s->reasm.gaps = r->gaps;
	s->reasm.cap_gaps = r->cap_gaps;
	s->reasm.conflicts = r->conflicts;
	s->reasm.ooo_segs = r->ooo_segs;
	s->reasm.gap_bytes = r->gap_bytes;
	s->reasm.retrans_bytes = r->retrans_bytes;
}

/* Both streams are over: finish them, fold the figures into the record,
 * give the live slot back. */
static void flow_finish(struct nl_flow_table *t, struct flow_rec *rec,
			int64_t ns)
{
	struct flow *f = &t->flows[rec->live - 1];
	for (uint8_t k = 0; k < 2; k++) {
		struct walk w = {.t = t, .f = f, .dir = k, .ns = ns};
		nl_reasm_finish(t->reasm, &f->d[k].rs, nl_flow_dir_event, &w);
		nl_flow_dir_end(&w);
	}
	for (int k = 0; k < 2; k++) {
		rec_fold(&rec->d[k], &f->d[k]);
		dir_release(t, &f->d[k]);
	}
	f->used = false;
	f->next_free = t->free_head;
	t->free_head = rec->live;
	rec->live = 0;
	t->n.active--;
}

static bool streams_over(const struct flow *f)
{
	return (f->d[0].ended && f->d[1].ended) || f->d[0].rs.reset ||
	       f->d[1].rs.reset;
}

void nl_flow_packet(struct nl_flow_table *t, struct nl_conn *c, uint8_t dir,
		    const struct nl_packet *pkt, struct nl_segmap *map)
{
	nl_flow_segmap_begin(map, c->id, dir, pkt->frame, false);
	const struct nl_tcp *tcp = &pkt->tcp;
	uint32_t plen = pkt->payload_len;
	struct flow_rec *rec = rec_of(t, c);
	struct flow *f;
	if (!rec) {
		if (c->flow_slot == FLOW_SLOT_REFUSED) {
			if (plen)
				map->state = NL_SEGMAP_NOT_ANALYSED;
			return;
		}
		/* a connection joins on its first payload byte */
		if (!plen)
			return;
		f = flow_take(t, c, pkt->frame);
		if (!f) {
			map->state = NL_SEGMAP_NOT_ANALYSED;
			return;
		}
		rec = &t->recs[f->rec - 1];
	} else if (!rec->live) {
		/* both streams ended already */
		if (plen)
			map->state = NL_SEGMAP_IGNORED;
		return;
	} else {
		f = &t->flows[rec->live - 1];
	}
	struct flow_dir *d = &f->d[dir];
	map->push = tcp->flags & NL_TCP_PSH;
	/* larger than the receiver's MSS: the capture point saw a batch
	 * the kernel had not cut yet (GSO/TSO) or had glued (GRO/LRO) */
	const struct nl_tcp_side *rx = &c->side[!dir];
	if (plen && rx->has_mss && rx->mss && plen > rx->mss) {
		map->offload = true;
		d->st.offload_segs++;
		t->n.offload_segs++;
	}
	struct walk w = {.t = t,
			 .f = f,
			 .dir = dir,
			 .cur_frame = pkt->frame,
			 .ns = pkt->ts_ns,
			 .map = map};
	struct nl_reasm_seg seg = {.seq = tcp->seq,
				   .flags = tcp->flags,
				   .payload = pkt->payload,
				   .caplen = pkt->payload_caplen,
				   .len = plen,
				   .frame = pkt->frame};
	nl_reasm_segment(t->reasm, &d->rs, &seg, nl_flow_dir_event, &w);
	nl_flow_dir_after_segment(&w, map->push, plen);
	if (streams_over(f))
		flow_finish(t, rec, w.ns);
}

bool nl_flow_conn_end(struct nl_flow_table *t, const struct nl_conn *c,
		      struct nl_flow_stats *out)
{
	struct flow_rec *rec = rec_of(t, c);
	if (!rec)
		return false;
	if (rec->live)
		flow_finish(t, rec, c->last_ns);
	out->conn_id = c->id;
	for (int k = 0; k < 2; k++)
		rec_expand(&out->dir[k], &rec->d[k]);
	rec->used = false;
	rec->next_free = t->rec_free;
	t->rec_free = (uint32_t)(rec - t->recs) + 1;
	return true;
}

void nl_flowtable_counts(const struct nl_flow_table *t,
			 struct nl_flow_counts *out)
{
	*out = t->n;
	nl_reasm_pool_stats(t->reasm, &out->pool);
}

/* ---- names ---- */

const char *nl_part_name(enum nl_part p)
{
	static const char *const names[NL_PART_COUNT] = {"whole", "head",
							 "middle", "tail"};
	return (unsigned)p < NL_PART_COUNT ? names[p] : "?";
}

const char *nl_segmap_state_name(enum nl_segmap_state s)
{
	static const char *const names[NL_SEGMAP_STATE_COUNT] = {
	    "none",	"mapped",	"pending", "retransmission",
	    "unframed", "not_analysed", "ignored"};
	return (unsigned)s < NL_SEGMAP_STATE_COUNT ? names[s] : "?";
}

const char *nl_msg_end_name(enum nl_msg_end e)
{
	static const char *const names[NL_MSG_END_COUNT] = {"complete", "gap",
							    "end", "error"};
	return (unsigned)e < NL_MSG_END_COUNT ? names[e] : "?";
}

const char *nl_flow_note_name(enum nl_flow_note_type n)
{
	static const char *const names[NL_NOTE_COUNT] = {
	    "framing",	 "framing_error", "resync",	  "gap",
	    "conflict", "midstream",	 "not_analysed"};
	return (unsigned)n < NL_NOTE_COUNT ? names[n] : "?";
}

const char *nl_framing_how_name(enum nl_framing_how h)
{
	static const char *const names[NL_HOW_COUNT] = {"none", "option",
							"port", "auto",
							"fallback"};
	return (unsigned)h < NL_HOW_COUNT ? names[h] : "?";
}

bool nl_segmap_split(const struct nl_segmap *m)
{
	if (m->state != NL_SEGMAP_MAPPED)
		return false;
	/* a head whose length is not known yet (turns, none, http until
	 * close) may well end with the segment: not counted as split */
	for (unsigned i = 0; i < m->n_parts && i < NL_SEGMAP_PARTS; i++)
		if (m->parts[i].part != NL_PART_WHOLE &&
		    !(m->parts[i].part == NL_PART_HEAD && !m->parts[i].msg_len))
			return true;
	return false;
}
