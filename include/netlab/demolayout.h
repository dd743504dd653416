/*
 * The side-by-side table of `netlab gen demo`: what the application sent,
 * what the wire carried and what the receiver got, in three columns whose
 * rows show cause and effect.
 *
 * Rows are anchored by stream offset, as replay --truth anchors its records
 * (netlab/apptruth.h), never by timestamp: a send() returns after its
 * segment was captured, so time order would put causes after effects.
 *
 *   a segment   one row each, in capture order;
 *   a send()    on the row of the first segment that carries its first
 *               byte (sends merged into one segment stack up beside it; a
 *               send split over several segments is followed by the rows
 *               of its continuation segments);
 *   a recv()    on the row of the segment that carried its last byte (the
 *               earliest moment it could have returned); a recv() of 0
 *               bytes (the peer closed) on the row of the peer's FIN;
 *   the rest    (no capture, segments not kept, errors) on rows of their
 *               own in the order the calls happened, a recv() on the row
 *               of the send() that completed its bytes.
 *
 * Pure: calls and segments in, text lines out. The caller chooses the
 * width and the glyphs (netlab's other drawings: Unicode box drawing unless
 * --ascii or the locale is not UTF-8). Every byte that came from the
 * application or the wire is escaped (netlab/escape.h).
 */
#ifndef NETLAB_DEMOLAYOUT_H
#define NETLAB_DEMOLAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "netlab/outbuf.h"
#include "netlab/status.h"

#define NL_DEMO_MIN_WIDTH     90  /* narrower: the stacked views instead */
#define NL_DEMO_DEFAULT_WIDTH 120 /* not a terminal and no $COLUMNS */

enum nl_demo_call_kind { NL_DEMO_SEND, NL_DEMO_RECV };

/* One send() or recv(). */
struct nl_demo_call {
	enum nl_demo_call_kind kind;
	uint8_t side;	     /* who called: 0 client, 1 server */
	uint64_t index;	     /* 1-based among that side's calls of the kind */
	uint64_t off;	     /* stream offset before the call */
	int64_t ret;	     /* bytes; 0: the peer closed; < 0: an error */
	const uint8_t *data; /* its first bytes, for the preview */
	uint32_t dlen;
	bool more; /* it had more than dlen bytes */
};

/* One captured segment (UDP: datagram) with payload, or a bare FIN. */
struct nl_demo_seg {
	uint64_t frame;
	uint8_t dir;  /* 0 client->server, 1 server->client */
	uint64_t rel; /* stream offset of its first byte (of the FIN) */
	uint32_t len; /* payload bytes */
	bool fin;
	const uint8_t *data; /* the first payload bytes, for the preview */
	uint32_t dlen;
	const char *map; /* netlab's message map of it; NULL or "": none */
};

struct nl_demo_table {
	const struct nl_demo_call *calls; /* in the order they happened */
	uint32_t ncalls;
	const struct nl_demo_seg *segs; /* in capture order */
	uint32_t nsegs;
	bool udp;
	/* column headings (sent, wire, received); plain text, escaped */
	const char *heading[3];
	bool wire_empty;    /* nothing captured: a narrow wire column */
	uint32_t max_rows;  /* rows printed before "... N more"; 0: all */
	uint64_t more_segs; /* captured but not kept: counted in "more" */
};

struct nl_demo_style {
	unsigned width; /* columns the table may use */
	bool ascii;	/* ASCII instead of Unicode box drawing */
};

/* Whether a table fits in width columns (else: the stacked views). */
bool nl_demo_layout_fits(unsigned width);

/* The row of each call and each segment (call_row[t->ncalls],
 * seg_row[t->nsegs], every entry set): returns the number of rows. */
uint32_t nl_demo_layout_align(const struct nl_demo_table *t, int32_t *call_row,
			      int32_t *seg_row);

/* The table, every line at most s->width columns wide. False, with nothing
 * written, when it does not fit (nl_demo_layout_fits) or memory ran out. */
NL_WUR bool nl_demo_layout_render(struct nl_outbuf *o,
				  const struct nl_demo_table *t,
				  const struct nl_demo_style *s);

/* A payload preview for a line outside the table: the bytes escaped, in
 * double quotes, cut at an escape's boundary with an ellipsis so that it
 * takes at most cols columns (but its quotes and ellipsis). */
void nl_demo_layout_preview(struct nl_outbuf *o, const uint8_t *p, uint32_t n,
			    bool more, unsigned cols, bool ascii);

#endif
