/*
 * Per-direction TCP stream reassembly (see include/netlab/reasm.h).
 *
 * A stream holds a sorted, non-overlapping list of pieces: each piece is one
 * pool chunk holding up to NL_REASM_CHUNK bytes of out-of-order data from
 * one frame, or a "missing" marker for bytes a snapshot length cut off.
 * Invariant: every piece starts after s->next (anything that reaches next is
 * delivered at once), and no piece extends past the FIN.
 *
 * A segment is split into its captured part and its cut-off part, and each
 * is merged in one left-to-right walk:
 *   - bytes before next: already delivered, a retransmission;
 *   - bytes at next: delivered straight from the packet up to the first
 *     buffered piece, whose bytes are compared and then delivered;
 *   - bytes after next: compared with the pieces they overlap, stored in
 *     new pieces where nothing is held yet.
 */
#include "netlab/reasm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netlab/decode.h"

/* chunk 0 is never used, so that a zeroed stream has an empty list */
#define NIL 0

struct nl_reasm_chunk {
	uint64_t off;	/* stream offset of the first byte */
	uint64_t frame; /* frame that carried it */
	uint32_t next;	/* next piece of the stream, or free list */
	uint32_t len;	/* bytes (<= NL_REASM_CHUNK unless missing) */
	bool missing;	/* snaplen cut: no data, a gap when reached */
};

struct nl_reasm {
	enum nl_reasm_overlap overlap;
	struct nl_reasm_chunk *meta;
	uint8_t *data;
	uint32_t nchunks, free_head, in_use, peak, stream_cap;
	uint64_t cap_hits, global_hits;
};

/* What a walk needs besides the stream: who to tell, and about which
 * frame. */
struct walk {
	struct nl_reasm *r;
	struct nl_reasm_stream *s;
	nl_reasm_fn *fn;
	void *ctx;
	uint64_t frame;
	bool stored; /* this segment put something in the pool */
	bool retrans;
};

/* ---- pool ---- */

enum nl_status nl_reasm_new(struct nl_reasm **out,
			    const struct nl_reasm_config *cfg, char *errbuf)
{
	uint64_t max_buffer = cfg && cfg->max_buffer
				  ? cfg->max_buffer
				  : NL_REASM_DEFAULT_MAX_BUFFER;
	uint64_t max_stream = cfg && cfg->max_stream
				  ? cfg->max_stream
				  : NL_REASM_DEFAULT_MAX_STREAM;
	*out = NULL;
	uint64_t n = max_buffer / NL_REASM_CHUNK;
	if (n == 0)
		n = 1;
	/* chunk indices are 32-bit, 0 meaning none */
	if (n >= UINT32_MAX) {
		snprintf(errbuf, NL_ERRBUF_SIZE,
			 "reassembly buffer of %llu bytes is too large",
			 (unsigned long long)max_buffer);
		return NL_NOMEM;
	}
	if (max_stream > NL_REASM_MAX_STREAM)
		max_stream = NL_REASM_MAX_STREAM; /* max_buffered is 32-bit */
	uint64_t per = max_stream / NL_REASM_CHUNK;
	if (per == 0)
		per = 1;
	if (per > n)
		per = n;
	struct nl_reasm *r = calloc(1, sizeof(*r));
	if (r) {
		r->meta = calloc(n + 1, sizeof(*r->meta));
		r->data = malloc(n * NL_REASM_CHUNK);
	}
	if (!r || !r->meta || !r->data) {
		snprintf(errbuf, NL_ERRBUF_SIZE,
			 "cannot allocate %llu bytes of reassembly buffer",
			 (unsigned long long)(n * NL_REASM_CHUNK));
		nl_reasm_free(r);
		return NL_NOMEM;
	}
	r->overlap = cfg ? cfg->overlap : NL_REASM_FIRST;
	r->nchunks = (uint32_t)n;
	r->stream_cap = (uint32_t)per;
	for (uint32_t i = 1; i <= r->nchunks; i++)
		r->meta[i].next = i < r->nchunks ? i + 1 : NIL;
	r->free_head = 1;
	*out = r;
	return NL_OK;
}

void nl_reasm_free(struct nl_reasm *r)
{
	if (!r)
		return;
	free(r->meta);
	free(r->data);
	free(r);
}

void nl_reasm_pool_stats(const struct nl_reasm *r,
			 struct nl_reasm_pool_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->chunk_size = NL_REASM_CHUNK;
	out->chunks = r->nchunks;
	out->in_use = r->in_use;
	out->peak = r->peak;
	out->stream_cap = r->stream_cap;
	out->cap_hits = r->cap_hits;
	out->global_hits = r->global_hits;
}

static inline uint8_t *chunk_data(struct nl_reasm *r, uint32_t i)
{
	return r->data + (size_t)(i - 1) * NL_REASM_CHUNK;
}

static inline uint64_t piece_end(const struct nl_reasm *r, uint32_t i)
{
	return r->meta[i].off + r->meta[i].len;
}

static void chunk_put(struct nl_reasm *r, struct nl_reasm_stream *s, uint32_t i)
{
	r->meta[i].next = r->free_head;
	r->free_head = i;
	r->in_use--;
	s->chunks--;
}

/* ---- events ---- */

static inline void add32(uint32_t *counter, uint64_t n)
{
	uint64_t v = *counter + n;
	*counter = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void emit(struct walk *w, enum nl_reasm_ev_type type, uint64_t off,
		 uint64_t len, const uint8_t *data, uint64_t frame,
		 uint8_t reason)
{
	struct nl_reasm_event ev = {
	    .type = type,
	    .reason = reason,
	    .offset = off,
	    .len = len,
	    .data = data,
	    .frame = frame,
	};
	w->fn(w->ctx, w->s, &ev);
}

static void deliver(struct walk *w, const uint8_t *data, uint64_t len,
		    uint64_t frame)
{
	struct nl_reasm_stream *s = w->s;
	emit(w, NL_REASM_DATA, s->next, len, data, frame, 0);
	s->c.delivered_bytes += len;
	s->next += len;
}

static void gap(struct walk *w, uint64_t len, enum nl_reasm_gap_reason why)
{
	struct nl_reasm_stream *s = w->s;
	if (len == 0)
		return;
	emit(w, NL_REASM_GAP, s->next, len, NULL, w->frame, (uint8_t)why);
	s->c.gaps++;
	s->c.gap_bytes += len;
	if (why == NL_REASM_GAP_CAP) {
		s->c.cap_gaps++;
		s->c.cap_gap_bytes += len;
	} else if (why == NL_REASM_GAP_SNAPLEN) {
		s->c.snaplen_gap_bytes += len;
	}
	s->next += len;
}

static void retrans(struct walk *w, uint64_t off, uint64_t len)
{
	if (len == 0)
		return;
	emit(w, NL_REASM_RETRANS, off, len, NULL, w->frame, 0);
	w->s->c.retrans_bytes += len;
	w->retrans = true;
}

/* Deliver the first piece, which starts at next, and free it. */
static void pop_head(struct walk *w)
{
	struct nl_reasm *r = w->r;
	struct nl_reasm_stream *s = w->s;
	uint32_t h = s->head;
	const struct nl_reasm_chunk *m = &r->meta[h];
	if (m->missing)
		gap(w, m->len, NL_REASM_GAP_SNAPLEN);
	else
		deliver(w, chunk_data(r, h), m->len, m->frame);
	s->head = m->next;
	if (s->head == NIL)
		s->tail = NIL;
	chunk_put(r, s, h);
}

/* Deliver every piece that now starts at next, then the FIN if reached. */
static void drain(struct walk *w)
{
	struct nl_reasm *r = w->r;
	struct nl_reasm_stream *s = w->s;
	while (s->head != NIL && r->meta[s->head].off == s->next)
		pop_head(w);
	if (s->fin_seen && !s->fin_done && s->next == s->fin_off) {
		s->fin_done = true;
		emit(w, NL_REASM_FIN, s->next, 0, NULL, w->frame, 0);
	}
}

/* Give up every hole before `upto`: gaps, with the buffered data between
 * them delivered. Frees the chunks of everything before upto. */
static void skip_holes(struct walk *w, uint64_t upto,
		       enum nl_reasm_gap_reason why)
{
	struct nl_reasm *r = w->r;
	struct nl_reasm_stream *s = w->s;
	while (s->next < upto) {
		uint32_t h = s->head;
		if (h == NIL || r->meta[h].off >= upto) {
			gap(w, upto - s->next, why);
			break;
		}
		gap(w, r->meta[h].off - s->next, why);
		drain(w);
	}
	drain(w);
}

/* ---- merging ---- */

/*
 * Bytes [p, q) of the segment (data at p, NULL if cut off) overlap piece i.
 * Identical bytes are a retransmission; differing ones a conflict, resolved
 * by the policy. A cut-off copy, or a missing piece, cannot be compared.
 */
static void overlap(struct walk *w, uint32_t i, uint64_t p, uint64_t q,
		    const uint8_t *data)
{
	struct nl_reasm *r = w->r;
	struct nl_reasm_stream *s = w->s;
	const struct nl_reasm_chunk *m = &r->meta[i];
	retrans(w, p, q - p);
	if (!data || m->missing)
		return;
	uint8_t *held = chunk_data(r, i) + (p - m->off);
	size_t n = (size_t)(q - p);
	if (memcmp(held, data, n) == 0)
		return;
	size_t a = 0, b = n;
	while (held[a] == data[a])
		a++;
	while (held[b - 1] == data[b - 1])
		b--;
	emit(w, NL_REASM_CONFLICT, p + a, b - a, NULL, w->frame, 0);
	s->c.conflicts++;
	add32(&s->c.conflict_bytes, b - a);
	if (r->overlap == NL_REASM_LAST)
		memcpy(held, data, n);
}

/*
 * Store [p, e) (data NULL: cut off) after piece `prev` (NIL: at the head),
 * in as many chunks as it takes. All or nothing: false, with nothing
 * changed, if a cap forbids it. *prev becomes the last new piece.
 */
static bool store(struct walk *w, uint32_t *prev, uint64_t p, uint64_t e,
		  const uint8_t *data)
{
	struct nl_reasm *r = w->r;
	struct nl_reasm_stream *s = w->s;
	uint64_t need =
	    data ? (e - p + NL_REASM_CHUNK - 1) / NL_REASM_CHUNK : 1;
	if (s->chunks + need > r->stream_cap) {
		r->cap_hits++;
		return false;
	}
	if (r->in_use + need > r->nchunks) {
		r->cap_hits++;
		r->global_hits++;
		return false;
	}
	uint32_t after = *prev == NIL ? s->head : r->meta[*prev].next;
	while (p < e) {
		uint32_t i = r->free_head;
		struct nl_reasm_chunk *m = &r->meta[i];
		r->free_head = m->next;
		uint64_t n = e - p;
		if (data && n > NL_REASM_CHUNK)
			n = NL_REASM_CHUNK;
		m->off = p;
		m->len = (uint32_t)n;
		m->frame = w->frame;
		m->missing = data == NULL;
		if (data) {
			memcpy(chunk_data(r, i), data, (size_t)n);
			data += n;
		}
		if (*prev == NIL)
			s->head = i;
		else
			r->meta[*prev].next = i;
		*prev = i;
		p += n;
	}
	r->meta[*prev].next = after;
	if (after == NIL)
		s->tail = *prev;
	r->in_use += (uint32_t)need;
	if (r->in_use > r->peak)
		r->peak = r->in_use;
	s->chunks += (uint32_t)need;
	uint64_t held = (uint64_t)s->chunks * NL_REASM_CHUNK;
	if (held > s->c.max_buffered)
		s->c.max_buffered = (uint32_t)held;
	w->stored = true;
	return true;
}

/*
 * Merge bytes [sp, se) of the segment (data at sp, or NULL if cut off).
 * Signed: a stream picked up mid-stream can see bytes from before offset 0.
 */
static void take(struct walk *w, int64_t sp, int64_t se, const uint8_t *data)
{
	struct nl_reasm *r = w->r;
	struct nl_reasm_stream *s = w->s;
	if (se <= sp)
		return;
	if (sp < (int64_t)s->next) {
		/* RFC 9293 §3.10.7.4: the part already received is trimmed;
		 * it was delivered, so it cannot be compared any more. Bytes
		 * before offset 0 (sent before a mid-stream capture began)
		 * are counted but have no offset to report. */
		int64_t upto = se < (int64_t)s->next ? se : (int64_t)s->next;
		if (sp < 0) {
			int64_t pre = (upto < 0 ? upto : 0) - sp;
			s->c.retrans_bytes += (uint64_t)pre;
			w->retrans = true;
		}
		if (upto > 0) {
			uint64_t from = sp < 0 ? 0 : (uint64_t)sp;
			retrans(w, from, (uint64_t)upto - from);
		}
		if (data)
			data += upto - sp;
		sp = upto;
		if (se <= sp)
			return;
	}
	uint64_t e = (uint64_t)se;
	uint64_t p = (uint64_t)sp;
	uint32_t prev = NIL;
	while (p < e) {
		if (p == s->next) {
			uint32_t h = s->head;
			if (h != NIL && r->meta[h].off == p) {
				/* compare before delivering the held copy; a
				 * piece ending past e moves next past e */
				uint64_t q = piece_end(r, h);
				if (q > e)
					q = e;
				overlap(w, h, p, q, data);
				if (data)
					data += q - p;
				p = q;
				pop_head(w);
				prev = NIL;
				continue;
			}
			uint64_t end = e;
			if (h != NIL && r->meta[h].off < e)
				end = r->meta[h].off;
			if (data) {
				deliver(w, data, end - p, w->frame);
				data += end - p;
			} else {
				gap(w, end - p, NL_REASM_GAP_SNAPLEN);
			}
			p = end;
			continue;
		}
		/* out of order: find the first piece ending after p */
		uint32_t cur;
		if (s->tail != NIL && piece_end(r, s->tail) <= p) {
			prev = s->tail;
			cur = NIL;
		} else {
			cur = prev == NIL ? s->head : r->meta[prev].next;
			while (cur != NIL && piece_end(r, cur) <= p) {
				prev = cur;
				cur = r->meta[cur].next;
			}
		}
		if (cur != NIL && r->meta[cur].off <= p) {
			uint64_t q = piece_end(r, cur);
			if (q > e)
				q = e;
			overlap(w, cur, p, q, data);
			if (data)
				data += q - p;
			p = q;
			continue;
		}
		uint64_t end = e;
		if (cur != NIL && r->meta[cur].off < e)
			end = r->meta[cur].off;
		if (!store(w, &prev, p, end, data)) {
			/* a cap: stop waiting for what lies before p */
			skip_holes(w, p, NL_REASM_GAP_CAP);
			prev = NIL;
			continue;
		}
		if (data)
			data += end - p;
		p = end;
	}
}

/* ---- segments ---- */

void nl_reasm_stream_init(struct nl_reasm_stream *s)
{
	memset(s, 0, sizeof(*s));
}

void nl_reasm_stream_start(struct nl_reasm_stream *s, uint32_t isn,
			   bool midstream)
{
	memset(s, 0, sizeof(*s));
	s->have_isn = true;
	s->isn = isn;
	s->midstream = midstream;
}

static void flush(struct walk *w)
{
	struct nl_reasm *r = w->r;
	struct nl_reasm_stream *s = w->s;
	if (s->tail != NIL)
		skip_holes(w, piece_end(r, s->tail), NL_REASM_GAP_LOST);
	if (s->fin_seen && s->next < s->fin_off) {
		gap(w, s->fin_off - s->next, NL_REASM_GAP_LOST);
		drain(w);
	}
}

/* A FIN has just set the end: data buffered beyond it contradicts it and
 * is cut off, reported, never delivered. */
static void cut_after_fin(struct walk *w)
{
	struct nl_reasm *r = w->r;
	struct nl_reasm_stream *s = w->s;
	uint32_t prev = NIL;
	for (uint32_t i = s->head; i != NIL;) {
		struct nl_reasm_chunk *m = &r->meta[i];
		uint32_t nx = m->next;
		if (piece_end(r, i) <= s->fin_off) {
			prev = i;
		} else if (m->off < s->fin_off) {
			uint64_t keep = s->fin_off - m->off;
			add32(&s->c.after_fin_bytes, m->len - keep);
			emit(w, NL_REASM_AFTER_FIN, s->fin_off, m->len - keep,
			     NULL, m->frame, 0);
			m->len = (uint32_t)keep;
			prev = i;
		} else {
			add32(&s->c.after_fin_bytes, m->len);
			emit(w, NL_REASM_AFTER_FIN, m->off, m->len, NULL,
			     m->frame, 0);
			if (prev == NIL)
				s->head = nx;
			else
				r->meta[prev].next = nx;
			chunk_put(r, s, i);
		}
		i = nx;
	}
	s->tail = prev;
}

void nl_reasm_segment(struct nl_reasm *r, struct nl_reasm_stream *s,
		      const struct nl_reasm_seg *seg, nl_reasm_fn *fn,
		      void *ctx)
{
	struct walk w = {
	    .r = r, .s = s, .fn = fn, .ctx = ctx, .frame = seg->frame};
	if (s->reset || s->finished) {
		s->c.after_end_segs++;
		return;
	}
	bool syn = seg->flags & NL_TCP_SYN;
	if (!s->have_isn) {
		s->have_isn = true;
		/* without the SYN, the stream starts at the first byte seen */
		s->isn = seg->seq - (syn ? 0 : 1);
		if (!syn) {
			s->midstream = true;
			emit(&w, NL_REASM_MIDSTREAM, 0, 0, NULL, seg->frame, 0);
		}
	}
	/* the SYN occupies one sequence number before the data */
	uint32_t dseq = seg->seq + (syn ? 1 : 0);
	uint32_t next_seq = s->isn + 1 + (uint32_t)s->next;
	int64_t rel = (int32_t)(dseq - next_seq);
	if (rel > NL_REASM_MAX_DISTANCE || rel < -NL_REASM_MAX_DISTANCE) {
		s->c.suspicious++;
		emit(&w, NL_REASM_SUSPICIOUS, s->next, seg->len, NULL,
		     seg->frame, 0);
		return;
	}
	int64_t off = (int64_t)s->next + rel;
	uint64_t len = seg->len;
	uint64_t cap = seg->caplen < seg->len ? seg->caplen : seg->len;
	if (seg->flags & NL_TCP_RST) {
		/* RFC 9293 §3.5.3: data on a RST is a diagnostic, not part of
		 * the stream. What is held is delivered, holes are lost. */
		flush(&w);
		s->reset = true;
		emit(&w, NL_REASM_RST, s->next, 0, NULL, seg->frame, 0);
		nl_reasm_release(r, s);
		return;
	}
	if ((seg->flags & NL_TCP_FIN) && !s->fin_seen &&
	    off + (int64_t)len >= (int64_t)s->next) {
		/* RFC 9293 §3.4: the FIN occupies the number after the data */
		s->fin_seen = true;
		s->fin_off = (uint64_t)(off + (int64_t)len);
		cut_after_fin(&w);
	}
	if (s->fin_seen && off + (int64_t)len > (int64_t)s->fin_off) {
		int64_t from =
		    off > (int64_t)s->fin_off ? off : (int64_t)s->fin_off;
		uint64_t n = (uint64_t)(off + (int64_t)len - from);
		add32(&s->c.after_fin_bytes, n);
		emit(&w, NL_REASM_AFTER_FIN, (uint64_t)from, n, NULL,
		     seg->frame, 0);
		len -= n;
		if (cap > len)
			cap = len;
	}
	if (len == 0) {
		drain(&w); /* a bare FIN at next */
		return;
	}
	take(&w, off, off + (int64_t)cap, seg->payload);
	take(&w, off + (int64_t)cap, off + (int64_t)len, NULL);
	drain(&w);
	if (w.stored)
		s->c.ooo_segs++;
	if (w.retrans)
		s->c.retrans_segs++;
}

void nl_reasm_finish(struct nl_reasm *r, struct nl_reasm_stream *s,
		     nl_reasm_fn *fn, void *ctx)
{
	struct walk w = {.r = r, .s = s, .fn = fn, .ctx = ctx};
	if (s->finished || s->reset)
		return;
	if (s->have_isn)
		flush(&w);
	s->finished = true;
	nl_reasm_release(r, s);
}

void nl_reasm_release(struct nl_reasm *r, struct nl_reasm_stream *s)
{
	for (uint32_t i = s->head; i != NIL;) {
		uint32_t nx = r->meta[i].next;
		chunk_put(r, s, i);
		i = nx;
	}
	s->head = s->tail = NIL;
}

const char *nl_reasm_ev_name(enum nl_reasm_ev_type t)
{
	static const char *const names[NL_REASM_EV_COUNT] = {
	    "data",	 "gap",	       "retransmission", "overlap_conflict",
	    "after_fin", "suspicious", "midstream",	 "fin",
	    "rst",
	};
	return (unsigned)t < NL_REASM_EV_COUNT ? names[t] : "?";
}

const char *nl_reasm_gap_name(enum nl_reasm_gap_reason why)
{
	static const char *const names[NL_REASM_GAP_REASON_COUNT] = {
	    "lost", "snaplen", "cap"};
	return (unsigned)why < NL_REASM_GAP_REASON_COUNT ? names[why] : "?";
}
