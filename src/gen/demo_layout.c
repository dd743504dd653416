/*
 * gen demo's side-by-side table (include/netlab/demolayout.h): calls and
 * segments anchored to rows by stream offset, then laid out in three
 * columns that share the width.
 *
 * A cell is a memory outbuf of lines separated by '\n'. Entries are written
 * into it token by token: numbers and names are never cut (a token longer
 * than the column is broken over lines), a payload preview is cut at an
 * escape's boundary with an ellipsis, a message map wraps onto continuation
 * lines. Everything in a cell is ASCII but the glyphs, so a line's display
 * width is its count of UTF-8 lead bytes.
 */
#include "netlab/demolayout.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netlab/escape.h"

#define NCOLS	    3
#define COL_MIN	    14	       /* the narrowest column */
#define PREVIEW_MIN 10	       /* narrower room: the preview takes a new line */
#define INDENT	    2	       /* an entry's continuation lines */
#define UNBOUNDED   (1u << 20) /* a column width for measuring */
/* "│ " + " │ " + " │ " + " │" */
#define FRAME_COLS (2 * NCOLS + NCOLS + 1)

struct glyphs {
	const char *h, *v;
	const char *top[3], *mid[3], *bot[3]; /* left, middle, right */
	const char *ell;		      /* after a cut preview */
	const char *dir[2];		      /* c>s, s>c */
};

static const struct glyphs ascii_glyphs = {.h = "-",
					   .v = "|",
					   .top = {"+", "+", "+"},
					   .mid = {"+", "+", "+"},
					   .bot = {"+", "+", "+"},
					   .ell = "...",
					   .dir = {"c>s", "s>c"}};

static const struct glyphs utf8_glyphs = {
    .h = "\u2500",			   /* ─ */
    .v = "\u2502",			   /* │ */
    .top = {"\u250c", "\u252c", "\u2510"}, /* ┌ ┬ ┐ */
    .mid = {"\u251c", "\u253c", "\u2524"}, /* ├ ┼ ┤ */
    .bot = {"\u2514", "\u2534", "\u2518"}, /* └ ┴ ┘ */
    .ell = "\u2026",			   /* … */
    .dir = {"c\u2192s", "s\u2192c"}};	   /* c→s s→c */

static unsigned dwidth(const char *s, size_t n)
{
	unsigned w = 0;
	for (size_t i = 0; i < n; i++)
		w += ((uint8_t)s[i] & 0xc0) != 0x80;
	return w;
}

bool nl_demo_layout_fits(unsigned width)
{
	return width >= NL_DEMO_MIN_WIDTH;
}

/* ---- rows ---- */

/* The stream a call's bytes belong to: 0 client->server, 1 back. */
static uint8_t stream_of(const struct nl_demo_call *c)
{
	uint8_t side = c->side & 1;
	return c->kind == NL_DEMO_SEND ? side : (uint8_t)(1 - side);
}

/* From *pos on, the first call not yet placed that moved bytes of stream d
 * (kind: its sends or its recvs); t->ncalls if none. Cursors only move
 * forward: one pass over the calls per cursor in all. */
static uint32_t next_call(const struct nl_demo_table *t, const int32_t *row,
			  uint32_t *pos, enum nl_demo_call_kind kind, uint8_t d)
{
	for (; *pos < t->ncalls; (*pos)++) {
		const struct nl_demo_call *c = &t->calls[*pos];
		if (c->kind == kind && c->ret > 0 && stream_of(c) == d &&
		    row[*pos] < 0)
			return *pos;
	}
	return t->ncalls;
}

struct cursors {
	uint32_t send[2], recv[2];
	uint64_t seen[2]; /* stream bytes carried (or sent) so far */
};

/* Recvs of stream d whose last byte has been seen go on row r. */
static void place_recvs(const struct nl_demo_table *t, int32_t *call_row,
			struct cursors *k, uint8_t d, int32_t r)
{
	uint32_t i;
	while ((i = next_call(t, call_row, &k->recv[d], NL_DEMO_RECV, d)) <
		   t->ncalls &&
	       t->calls[i].off + (uint64_t)t->calls[i].ret <= k->seen[d])
		call_row[i] = r;
}

/* The peer-closed recv of stream d goes on the row of d's FIN, unless a
 * recv with bytes is still waiting before it. */
static void place_eof(const struct nl_demo_table *t, int32_t *call_row,
		      const struct cursors *k, uint8_t d, int32_t r)
{
	uint32_t pos = k->recv[d];
	uint32_t waiting = next_call(t, call_row, &pos, NL_DEMO_RECV, d);
	for (uint32_t i = 0; i < waiting; i++) {
		const struct nl_demo_call *c = &t->calls[i];
		if (c->kind == NL_DEMO_RECV && c->ret == 0 &&
		    stream_of(c) == d && call_row[i] < 0) {
			call_row[i] = r;
			return;
		}
	}
}

uint32_t nl_demo_layout_align(const struct nl_demo_table *t, int32_t *call_row,
			      int32_t *seg_row)
{
	int32_t nrows = 0;
	struct cursors k;
	memset(&k, 0, sizeof(k));
	for (uint32_t i = 0; i < t->ncalls; i++)
		call_row[i] = -1;
	for (uint32_t j = 0; j < t->nsegs; j++) {
		const struct nl_demo_seg *s = &t->segs[j];
		uint8_t d = s->dir & 1;
		int32_t r = nrows++;
		seg_row[j] = r;
		/* a bare FIN counts too: its offset says every byte before
		 * it was sent */
		if (s->rel + s->len > k.seen[d])
			k.seen[d] = s->rel + s->len;
		uint32_t i;
		while ((i = next_call(t, call_row, &k.send[d], NL_DEMO_SEND,
				      d)) < t->ncalls &&
		       t->calls[i].off < k.seen[d])
			call_row[i] = r;
		place_recvs(t, call_row, &k, d, r);
		if (s->fin)
			place_eof(t, call_row, &k, d, r);
	}
	/* What the wire did not show, in the order it happened. A recv with
	 * bytes waits for the send that completes them (the receiver's thread
	 * may record it before the sender's does); an error stays with the
	 * call before it of its side and kind. */
	int32_t last[2][2] = {{-1, -1}, {-1, -1}};
	for (uint32_t i = 0; i < t->ncalls; i++) {
		const struct nl_demo_call *c = &t->calls[i];
		int kind = c->kind == NL_DEMO_SEND, side = c->side & 1;
		if (call_row[i] < 0 && c->ret < 0 && last[kind][side] >= 0)
			call_row[i] = last[kind][side];
		if (call_row[i] < 0 && !kind && c->ret <= 0) {
			/* a close comes after the recvs before it, even of
			 * bytes nobody was seen sending */
			uint8_t d = stream_of(c);
			uint32_t j;
			while ((j = next_call(t, call_row, &k.recv[d],
					      NL_DEMO_RECV, d)) < i)
				call_row[j] = nrows++;
		}
		if (call_row[i] < 0 && (kind || c->ret <= 0)) {
			int32_t r = nrows++;
			call_row[i] = r;
			if (kind && c->ret > 0) {
				uint8_t d = stream_of(c);
				uint64_t end = c->off + (uint64_t)c->ret;
				if (end > k.seen[d])
					k.seen[d] = end;
				place_recvs(t, call_row, &k, d, r);
			}
		}
		if (call_row[i] >= 0)
			last[kind][side] = call_row[i];
	}
	/* recvs of bytes nobody was seen sending (records not kept) */
	for (uint32_t i = 0; i < t->ncalls; i++)
		if (call_row[i] < 0)
			call_row[i] = nrows++;
	return (uint32_t)nrows;
}

/* ---- cells ---- */

struct cell {
	struct nl_outbuf *o;
	unsigned width;	 /* of the column */
	unsigned col;	 /* of the current line, written so far */
	unsigned start;	 /* where the current line's text starts */
	unsigned indent; /* of continuation lines */
	unsigned widest;
};

static void cell_reset(struct cell *c, unsigned width, unsigned indent)
{
	c->o->len = 0;
	c->width = width;
	c->col = c->start = c->widest = 0;
	c->indent = indent;
}

static void put(struct cell *c, const char *s, size_t n)
{
	nl_out_write(c->o, s, n);
	c->col += dwidth(s, n);
	if (c->col > c->widest)
		c->widest = c->col;
}

static void cell_break(struct cell *c)
{
	nl_out_char(c->o, '\n');
	nl_out_repeat(c->o, ' ', c->indent);
	c->col = c->start = c->indent;
}

/* A new entry (a call, a segment) starts on a line of its own. */
static void cell_entry(struct cell *c)
{
	if (c->o->len)
		nl_out_char(c->o, '\n');
	c->col = c->start = 0;
}

/* Room left on the line, after the space a token needs before it. */
static unsigned room(const struct cell *c)
{
	unsigned sep = c->col > c->start;
	return c->col + sep < c->width ? c->width - c->col - sep : 0;
}

/* The bytes of the first w display columns of s. */
static size_t prefix_bytes(const char *s, size_t n, unsigned w)
{
	size_t i = 0;
	for (unsigned k = 0; i < n; k++) {
		if (k == w)
			break;
		i++;
		while (i < n && ((uint8_t)s[i] & 0xc0) == 0x80)
			i++;
	}
	return i;
}

/* A token that is never cut: on this line if it fits, else on the next,
 * broken over lines when longer than the column. */
static void cell_token(struct cell *c, const char *s, size_t n)
{
	unsigned w = dwidth(s, n);
	if (w > room(c) && c->col > c->start)
		cell_break(c);
	else if (c->col > c->start)
		put(c, " ", 1);
	while (w > c->width - c->col) {
		size_t k = prefix_bytes(s, n, c->width - c->col);
		put(c, s, k);
		s += k;
		n -= k;
		w = dwidth(s, n);
		cell_break(c);
	}
	put(c, s, n);
}

static void cell_str(struct cell *c, const char *s)
{
	cell_token(c, s, strlen(s));
}

/* Text wrapped at spaces. Groups separated by two spaces (a map's
 * "MERGED 3", "SPLIT") stay whole when a line can hold them. */
static void cell_words(struct cell *c, const char *s)
{
	while (*s == ' ')
		s++;
	while (*s) {
		const char *end = strstr(s, "  ");
		size_t n = end ? (size_t)(end - s) : strlen(s);
		if (memchr(s, ' ', n) && dwidth(s, n) > c->width - c->indent) {
			for (size_t i = 0; i < n;) {
				size_t w = strcspn(s + i, " ");
				if (w > n - i)
					w = n - i;
				if (w)
					cell_token(c, s + i, w);
				i += w;
				while (i < n && s[i] == ' ')
					i++;
			}
		} else if (n) {
			cell_token(c, s, n);
		}
		s += n;
		while (*s == ' ')
			s++;
	}
}

/* Length of the escape at e: "\x1b" and "\n" are cut whole or not at all. */
static size_t escape_unit(const char *e, size_t n)
{
	size_t u = e[0] != '\\' ? 1 : n > 1 && e[1] == 'x' ? 4 : 2;
	return u < n ? u : n;
}

/* How much of the escaped text e fits in cols columns, quotes (and the
 * ellipsis, when there were more bytes or it is cut) included. */
static size_t fit_escaped(const char *e, size_t elen, bool more, unsigned cols,
			  unsigned ellw, bool *cut)
{
	*cut = 2 + elen + (more ? ellw : 0) > cols;
	if (!*cut)
		return elen;
	size_t budget = cols > 2 + ellw ? cols - 2 - ellw : 0, k = 0;
	while (k < elen && k + escape_unit(e + k, elen - k) <= budget)
		k += escape_unit(e + k, elen - k);
	return k;
}

/* "escaped bytes" with an ellipsis when cut (or when there were more than
 * the preview holds), on this line if PREVIEW_MIN columns are left. */
static void cell_preview(struct cell *c, struct nl_outbuf *esc,
			 const struct glyphs *g, const uint8_t *p, uint32_t n,
			 bool more)
{
	esc->len = 0;
	nl_escape_c(esc, p, n);
	if (esc->failed)
		return;
	size_t ell = strlen(g->ell);
	unsigned ellw = dwidth(g->ell, ell);
	bool cut, cut_below;
	fit_escaped(esc->buf, esc->len, more, room(c), ellw, &cut);
	fit_escaped(esc->buf, esc->len, more, c->width - c->indent, ellw,
		    &cut_below);
	/* whole on the next line beats cut on this one */
	if (cut && (room(c) < PREVIEW_MIN || !cut_below) && c->col > c->start)
		cell_break(c);
	else if (c->col > c->start)
		put(c, " ", 1);
	size_t k = fit_escaped(esc->buf, esc->len, more, c->width - c->col,
			       ellw, &cut);
	put(c, "\"", 1);
	put(c, esc->buf, k);
	put(c, "\"", 1);
	if (cut || more)
		put(c, g->ell, ell);
}

void nl_demo_layout_preview(struct nl_outbuf *o, const uint8_t *p, uint32_t n,
			    bool more, unsigned cols, bool ascii)
{
	const struct glyphs *g = ascii ? &ascii_glyphs : &utf8_glyphs;
	struct nl_outbuf esc;
	if (!nl_out_init(&esc, -1))
		return;
	nl_escape_c(&esc, p, n);
	if (!esc.failed) {
		bool cut;
		size_t k = fit_escaped(esc.buf, esc.len, more, cols,
				       dwidth(g->ell, strlen(g->ell)), &cut);
		nl_out_char(o, '"');
		nl_out_write(o, esc.buf, k);
		nl_out_char(o, '"');
		if (cut || more)
			nl_out_str(o, g->ell);
	}
	nl_out_free(&esc);
}

static void entry_call(struct cell *c, struct nl_outbuf *esc,
		       const struct glyphs *g, const struct nl_demo_call *x)
{
	char buf[48];
	cell_entry(c);
	cell_str(c, g->dir[stream_of(x)]);
	snprintf(buf, sizeof(buf), "%s #%" PRIu64,
		 x->kind == NL_DEMO_SEND ? "send" : "recv", x->index);
	cell_str(c, buf);
	if (x->ret < 0) {
		cell_str(c, "(error)");
		return;
	}
	snprintf(buf, sizeof(buf), "%" PRId64 " B", x->ret);
	cell_str(c, buf);
	if (x->ret > 0)
		cell_preview(c, esc, g, x->data, x->dlen, x->more);
	else
		cell_str(c, x->side ? "(peer closed)" : "(server closed)");
}

/* measuring: the map as if on lines of its own, as it may be drawn: the
 * column needs room for the longer of the two, not for both. */
static void entry_seg(struct cell *c, struct nl_outbuf *esc,
		      const struct glyphs *g, const struct nl_demo_seg *s,
		      bool udp, bool measuring)
{
	char buf[48];
	cell_entry(c);
	cell_str(c, g->dir[s->dir & 1]);
	snprintf(buf, sizeof(buf), "frame %" PRIu64, s->frame);
	cell_str(c, buf);
	if (s->len || !s->fin) {
		snprintf(buf, sizeof(buf), "%s +%" PRIu64, udp ? "off" : "seq",
			 s->rel);
		cell_str(c, buf);
		snprintf(buf, sizeof(buf), "%" PRIu32 " B", s->len);
		cell_str(c, buf);
		cell_preview(c, esc, g, s->data, s->dlen, s->len > s->dlen);
	}
	if (s->fin)
		cell_str(c, "FIN");
	if (s->map && s->map[0]) {
		if (measuring)
			cell_break(c);
		cell_words(c, s->map);
	}
}

/* ---- the table ---- */

struct table {
	const struct nl_demo_table *t;
	const struct glyphs *g;
	struct nl_outbuf buf[NCOLS], esc;
	struct cell cell[NCOLS];
	int32_t *call_row, *seg_row;
	uint32_t *order, *first; /* calls by row: order[first[r]..first[r+1]) */
	int32_t *row_seg;	 /* the segment of a shown row, or -1 */
	uint32_t shown;
	bool map_apart; /* measuring: maps on lines of their own */
};

/* The cells of row r, the columns width[] wide. */
static void fill_row(struct table *tb, uint32_t r, const unsigned width[])
{
	for (int i = 0; i < NCOLS; i++)
		cell_reset(&tb->cell[i], width[i], INDENT);
	for (uint32_t k = tb->first[r]; k < tb->first[r + 1]; k++) {
		const struct nl_demo_call *x = &tb->t->calls[tb->order[k]];
		int col = x->kind == NL_DEMO_SEND ? 0 : 2;
		entry_call(&tb->cell[col], &tb->esc, tb->g, x);
	}
	if (tb->row_seg[r] >= 0)
		entry_seg(&tb->cell[1], &tb->esc, tb->g,
			  &tb->t->segs[tb->row_seg[r]], tb->t->udp,
			  tb->map_apart);
}

static void fill_headings(struct table *tb, const unsigned width[])
{
	for (int i = 0; i < NCOLS; i++) {
		cell_reset(&tb->cell[i], width[i], 0);
		tb->esc.len = 0;
		const char *h = tb->t->heading[i] ? tb->t->heading[i] : "";
		nl_escape_c(&tb->esc, (const uint8_t *)h, strlen(h));
		nl_out_char(&tb->esc, '\0');
		if (!tb->esc.failed)
			cell_words(&tb->cell[i], tb->esc.buf);
	}
}

/* Max-min fair shares of avail: a column that wants less than an equal
 * share gets what it wants, the others split the rest. */
static void share(unsigned avail, const unsigned want[], unsigned got[])
{
	bool done[NCOLS] = {false};
	unsigned left = avail, n = NCOLS;
	for (bool more = true; more && n;) {
		more = false;
		for (int i = 0; i < NCOLS; i++)
			if (!done[i] && want[i] <= left / n) {
				got[i] = want[i];
				left -= want[i];
				done[i] = true;
				n--;
				more = true;
			}
	}
	for (int i = 0; i < NCOLS && n; i++)
		if (!done[i]) {
			got[i] = left / n;
			left -= got[i];
			n--;
		}
}

/* The widest line of each column, the rows drawn unbounded; map_apart:
 * each map on lines of its own. */
static void measure(struct table *tb, bool map_apart, unsigned out[])
{
	unsigned inf[NCOLS] = {UNBOUNDED, UNBOUNDED, UNBOUNDED};
	tb->map_apart = map_apart;
	for (int i = 0; i < NCOLS; i++)
		out[i] = COL_MIN;
	for (uint32_t r = 0; r < tb->shown; r++) {
		fill_row(tb, r, inf);
		for (int i = 0; i < NCOLS; i++)
			if (tb->cell[i].widest > out[i])
				out[i] = tb->cell[i].widest;
	}
	tb->map_apart = false;
}

/* Give each column a share of what is left for its wish. */
static void grow(unsigned avail, const unsigned wish[], unsigned width[])
{
	unsigned used = width[0] + width[1] + width[2], extra[NCOLS],
		 more[NCOLS];
	for (int i = 0; i < NCOLS; i++)
		extra[i] = wish[i] > width[i] ? wish[i] - width[i] : 0;
	share(avail - used, extra, more);
	for (int i = 0; i < NCOLS; i++)
		width[i] += more[i];
}

/* Column widths: first what the rows need (each at least COL_MIN, maps
 * on lines of their own), then room for maps beside their segments, then
 * for headings to wrap less. */
static void widths(struct table *tb, unsigned avail, unsigned width[])
{
	unsigned need[NCOLS], inline_maps[NCOLS], head[NCOLS];
	unsigned inf[NCOLS] = {UNBOUNDED, UNBOUNDED, UNBOUNDED};
	measure(tb, true, need);
	measure(tb, false, inline_maps);
	fill_headings(tb, inf);
	for (int i = 0; i < NCOLS; i++)
		head[i] = tb->cell[i].widest;
	if (tb->t->wire_empty && head[1] > avail / 3)
		head[1] = avail / 3; /* a note, not content: let it wrap */
	share(avail, need, width);
	grow(avail, inline_maps, width);
	grow(avail, head, width);
}

static void rule(struct nl_outbuf *o, const struct glyphs *g,
		 const char *const end[], const unsigned width[])
{
	for (int i = 0; i < NCOLS; i++) {
		nl_out_str(o, end[i ? 1 : 0]);
		for (unsigned k = 0; k < width[i] + 2; k++)
			nl_out_str(o, g->h);
	}
	nl_out_str(o, end[2]);
	nl_out_char(o, '\n');
}

/* The filled cells side by side, each padded to its width. */
static void print_cells(struct table *tb, struct nl_outbuf *o,
			const unsigned width[])
{
	const char *p[NCOLS], *end[NCOLS];
	for (int i = 0; i < NCOLS; i++) {
		p[i] = tb->buf[i].buf;
		end[i] = p[i] + tb->buf[i].len;
	}
	for (;;) {
		bool any = false;
		for (int i = 0; i < NCOLS; i++)
			any |= p[i] < end[i];
		if (!any)
			break;
		for (int i = 0; i < NCOLS; i++) {
			const char *nl =
			    memchr(p[i], '\n', (size_t)(end[i] - p[i]));
			const char *stop = nl ? nl : end[i];
			size_t n = (size_t)(stop - p[i]);
			nl_out_str(o, tb->g->v);
			nl_out_char(o, ' ');
			nl_out_write(o, p[i], n);
			nl_out_repeat(o, ' ', width[i] - dwidth(p[i], n) + 1);
			p[i] = nl ? nl + 1 : end[i];
		}
		nl_out_str(o, tb->g->v);
		nl_out_char(o, '\n');
	}
}

/* "... 5 more rows: 3 send() calls, 4 segments, 2 recv() calls" */
static void print_more(struct table *tb, struct nl_outbuf *o, uint32_t nrows)
{
	const struct nl_demo_table *t = tb->t;
	uint64_t sends = 0, recvs = 0, segs = t->more_segs;
	for (uint32_t i = 0; i < t->ncalls; i++)
		if ((uint32_t)tb->call_row[i] >= tb->shown) {
			if (t->calls[i].kind == NL_DEMO_SEND)
				sends++;
			else
				recvs++;
		}
	for (uint32_t j = 0; j < t->nsegs; j++)
		segs += (uint32_t)tb->seg_row[j] >= tb->shown;
	if (!sends && !recvs && !segs)
		return;
	nl_out_printf(o, "  ... %" PRIu32 " more rows:", nrows - tb->shown);
	const char *sep = " ";
	if (sends) {
		nl_out_printf(o, "%s%" PRIu64 " send() call%s", sep, sends,
			      sends == 1 ? "" : "s");
		sep = ", ";
	}
	if (segs) {
		nl_out_printf(o, "%s%" PRIu64 " %s%s", sep, segs,
			      t->udp ? "datagram" : "segment",
			      segs == 1 ? "" : "s");
		sep = ", ";
	}
	if (recvs)
		nl_out_printf(o, "%s%" PRIu64 " recv() call%s", sep, recvs,
			      recvs == 1 ? "" : "s");
	nl_out_char(o, '\n');
}

/* Calls grouped by shown row, in call order within a row. */
static bool index_rows(struct table *tb)
{
	const struct nl_demo_table *t = tb->t;
	tb->first = calloc((size_t)tb->shown + 1, sizeof(*tb->first));
	tb->order = calloc((size_t)t->ncalls + 1, sizeof(*tb->order));
	tb->row_seg = malloc(((size_t)tb->shown + 1) * sizeof(*tb->row_seg));
	if (!tb->first || !tb->order || !tb->row_seg)
		return false;
	for (uint32_t i = 0; i < t->ncalls; i++)
		if ((uint32_t)tb->call_row[i] < tb->shown)
			tb->first[tb->call_row[i] + 1]++;
	for (uint32_t r = 0; r < tb->shown; r++) {
		tb->first[r + 1] += tb->first[r];
		tb->row_seg[r] = -1;
	}
	uint32_t *fill = calloc((size_t)tb->shown + 1, sizeof(*fill));
	if (!fill)
		return false;
	for (uint32_t i = 0; i < t->ncalls; i++) {
		uint32_t r = (uint32_t)tb->call_row[i];
		if (r < tb->shown)
			tb->order[tb->first[r] + fill[r]++] = i;
	}
	free(fill);
	for (uint32_t j = 0; j < t->nsegs; j++)
		if ((uint32_t)tb->seg_row[j] < tb->shown)
			tb->row_seg[tb->seg_row[j]] = (int32_t)j;
	return true;
}

static void draw(struct table *tb, struct nl_outbuf *o, unsigned avail,
		 uint32_t nrows)
{
	unsigned width[NCOLS];
	widths(tb, avail, width);
	rule(o, tb->g, tb->g->top, width);
	fill_headings(tb, width);
	print_cells(tb, o, width);
	for (uint32_t r = 0; r < tb->shown; r++) {
		rule(o, tb->g, tb->g->mid, width);
		fill_row(tb, r, width);
		print_cells(tb, o, width);
	}
	rule(o, tb->g, tb->g->bot, width);
	print_more(tb, o, nrows);
}

bool nl_demo_layout_render(struct nl_outbuf *o, const struct nl_demo_table *t,
			   const struct nl_demo_style *s)
{
	if (!nl_demo_layout_fits(s->width))
		return false;
	struct table tb;
	memset(&tb, 0, sizeof(tb));
	tb.t = t;
	tb.g = s->ascii ? &ascii_glyphs : &utf8_glyphs;
	struct nl_outbuf tab; /* all or nothing reaches o */
	bool ok = nl_out_init(&tab, -1) && nl_out_init(&tb.esc, -1);
	for (int i = 0; i < NCOLS; i++) {
		ok = ok && nl_out_init(&tb.buf[i], -1);
		tb.cell[i].o = &tb.buf[i];
	}
	tb.call_row = malloc(((size_t)t->ncalls + 1) * sizeof(int32_t));
	tb.seg_row = malloc(((size_t)t->nsegs + 1) * sizeof(int32_t));
	if (ok && tb.call_row && tb.seg_row) {
		uint32_t nrows =
		    nl_demo_layout_align(t, tb.call_row, tb.seg_row);
		tb.shown =
		    t->max_rows && nrows > t->max_rows ? t->max_rows : nrows;
		ok = index_rows(&tb);
		if (ok)
			draw(&tb, &tab, s->width - FRAME_COLS, nrows);
		ok = ok && !tab.failed && !tb.esc.failed;
		for (int i = 0; i < NCOLS; i++)
			ok = ok && !tb.buf[i].failed;
		if (ok)
			nl_out_write(o, tab.buf, tab.len);
	} else {
		ok = false;
	}
	free(tb.call_row);
	free(tb.seg_row);
	free(tb.first);
	free(tb.order);
	free(tb.row_seg);
	for (int i = 0; i < NCOLS; i++)
		nl_out_free(&tb.buf[i]);
	nl_out_free(&tb.esc);
	nl_out_free(&tab);
	return ok;
}
