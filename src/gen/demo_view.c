/*
 * The demo's three views and its explanation.
 *
 * The wire view shows the inspector's own message map of each segment:
 * the captured packets also run through netlab's pipeline (decode, TCP
 * tracking, reassembly, framing), and demo_flow_sink keeps each segment's
 * map (struct nl_segmap) as text.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "demo_internal.h"
#include "netlab/demolayout.h"
#include "netlab/escape.h"

void demo_free(struct demo *d)
{
	free(d->segs);
	d->segs = NULL;
}

/* Segments are kept in frame order: find one by its frame number. */
static struct demo_seg *seg_by_frame(struct demo *d, uint64_t frame)
{
	uint32_t lo = 0, hi = d->nsegs;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (d->segs[mid].frame < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->nsegs && d->segs[lo].frame == frame ? &d->segs[lo]
							   : NULL;
}

/* The map as the inspector's one-line output writes it: "#4[16B]" for a
 * whole message, "#5[head 40/200B]", "#3[tail 120B]" …, then MERGED N
 * (parts of N messages in one segment) or SPLIT. */
static void map_text(char *buf, size_t size, const struct nl_segmap *m)
{
	size_t k = 0;
	buf[0] = 0;
#define PUT(...)                                                               \
	do {                                                                   \
		if (k < size)                                                  \
			k += (size_t)snprintf(buf + k, size - k, __VA_ARGS__); \
	} while (0)
	switch (m->state) {
	case NL_SEGMAP_MAPPED:
		break;
	case NL_SEGMAP_PENDING:
		PUT("held: out of order or framing not yet known");
		return;
	case NL_SEGMAP_RETRANS:
		PUT("retransmission: bytes already delivered");
		return;
	case NL_SEGMAP_UNFRAMED:
		PUT("no framing");
		return;
	default:
		return;
	}
	PUT("msgs");
	bool split = false;
	for (uint8_t i = 0; i < m->n_parts && i < NL_SEGMAP_PARTS; i++) {
		const struct nl_msg_part *p = &m->parts[i];
		if (i == m->n_parts - 1 && m->n_msgs > m->n_parts)
			PUT(" ...%" PRIu32 " more", m->n_msgs - m->n_parts);
		if (p->part == NL_PART_WHOLE) {
			PUT(" #%" PRIu64 "[%" PRIu32 "B]", p->index, p->bytes);
			continue;
		}
		split = true;
		if (p->part == NL_PART_TAIL || !p->msg_len)
			PUT(" #%" PRIu64 "[%s %" PRIu32 "B]", p->index,
			    nl_part_name((enum nl_part)p->part), p->bytes);
		else
			PUT(" #%" PRIu64 "[%s %" PRIu32 "/%" PRIu64 "B]",
			    p->index, nl_part_name((enum nl_part)p->part),
			    p->bytes, p->msg_len);
	}
	if (m->n_msgs >= 2)
		PUT("  MERGED %" PRIu32, m->n_msgs);
	else if (split)
		PUT("  SPLIT");
	if (m->offload)
		PUT("  OFFLOAD>MSS");
#undef PUT
}

static void flow_event(void *self, const struct nl_event *ev)
{
	struct demo *d = self;
	const struct nl_segmap *m = NULL;
	if (ev->type == NL_EV_PACKET)
		m = ev->segmap;
	else if (ev->type == NL_EV_SEGMAP) /* an earlier frame, known now */
		m = ev->u.segmap;
	else if (ev->type == NL_EV_MESSAGE && ev->u.message->dir == NL_CLIENT &&
		 ev->u.message->end == NL_MSG_COMPLETE) {
		d->map_msgs++;
		d->map_split += ev->u.message->split;
	}
	if (m && m->dir == NL_CLIENT && nl_segmap_merged(m))
		d->map_merged++; /* a frame is mapped once: now or late */
	struct demo_seg *s = m && d->segs ? seg_by_frame(d, m->frame) : NULL;
	if (s && s->len)
		map_text(s->map, sizeof(s->map), m);
}

const struct nl_sink_ops demo_flow_sink_ops = {
    .name = "demo", .on_event = flow_event, .close = NULL};

void demo_wire_packet(struct demo *d, const struct nl_packet *p)
{
	bool tcp = NL_HAS(p, NL_L_TCP), udp = NL_HAS(p, NL_L_UDP);
	if (!tcp && !udp)
		return;
	uint16_t dport = tcp ? p->tcp.dport : p->udp.dport;
	int dir = dport == d->port ? 0 : 1;
	uint64_t rel;
	/* a FIN gets a row of its own in the table: the peer's recv() of 0
	 * bytes is anchored to it */
	bool fin = tcp && (p->tcp.flags & NL_TCP_FIN);
	if (tcp) {
		if (p->tcp.flags & NL_TCP_SYN) {
			d->isn[dir] = p->tcp.seq;
			d->have_isn[dir] = true;
		}
		if (!p->payload_len && !fin)
			return;
		rel = d->have_isn[dir]
			  ? (uint32_t)(p->tcp.seq - d->isn[dir] - 1)
			  : 0;
	} else {
		if (!p->payload_len)
			return;
		rel = d->udp_off[dir];
		d->udp_off[dir] += p->payload_len;
	}
	if (p->payload_len)
		d->payload_segs[dir]++;
	if (!d->segs)
		d->segs = calloc(DEMO_MAX_SEGS, sizeof(*d->segs));
	if (!d->segs || d->nsegs >= DEMO_MAX_SEGS) {
		d->more_segs++;
		return;
	}
	struct demo_seg *s = &d->segs[d->nsegs++];
	s->frame = p->frame;
	s->dir = dir;
	s->rel = rel;
	s->len = p->payload_len;
	s->fin = fin;
	s->plen =
	    p->payload_caplen < DEMO_PREVIEW ? p->payload_caplen : DEMO_PREVIEW;
	if (s->plen) /* a bare FIN has no payload pointer */
		memcpy(s->preview, p->payload, s->plen);
}

static void preview(struct nl_outbuf *o, const uint8_t *p, uint32_t n,
		    bool more)
{
	nl_escape_quoted(o, p, n, more ? n - 1 : n);
}

static const char *const side_name[] = {"client", "server"};

static void view_calls(struct demo *d, struct nl_outbuf *o, enum nl_truth_ev ev)
{
	uint32_t shown = 0, total = 0;
	uint64_t calls[2] = {0, 0};
	for (uint32_t i = 0; i < d->nrecs; i++) {
		struct demo_rec *r = &d->recs[i];
		if (r->ev != ev)
			continue;
		calls[r->side]++;
		if (++total > DEMO_ROWS)
			continue;
		shown++;
		nl_out_printf(o, "  %s %s #%-4" PRIu64 " %7" PRId64 " bytes  ",
			      side_name[r->side],
			      ev == NL_TRUTH_SEND ? "send" : "recv",
			      calls[r->side], r->ret);
		if (r->ret > 0)
			preview(o, r->preview, r->plen, r->more);
		else if (r->ret == 0)
			nl_out_str(o, r->side ? "(peer closed)"
					      : "(server closed)");
		else
			nl_out_str(o, "(error)");
		nl_out_char(o, '\n');
	}
	if (total > shown)
		nl_out_printf(o, "  ... %" PRIu32 " more\n", total - shown);
	if (total == 0)
		nl_out_str(o, "  (none)\n");
}

/* cols: the widest a line may be (its preview is cut to fit); 0: no
 * limit (the stacked views). */
static void view_messages(struct demo *d, struct nl_outbuf *o, unsigned cols,
			  bool ascii)
{
	uint32_t total = 0;
	for (uint32_t i = 0; i < d->nrecs; i++) {
		struct demo_rec *r = &d->recs[i];
		if (r->ev != NL_TRUTH_MESSAGE || r->side != 1)
			continue;
		if (++total > DEMO_ROWS)
			continue;
		const char *check = !strcmp(r->check, "ok")    ? "  checksum ok"
				    : !strcmp(r->check, "bad") ? "  CHECKSUM "
								 "MISMATCH"
							       : "";
		size_t before = o->len;
		nl_out_printf(o,
			      "  message #%-3" PRIu32 " %6" PRIu64
			      " bytes (header %" PRIu32 ")  ",
			      total, r->len, r->hdr);
		size_t used = o->len - before + strlen(check);
		if (cols)
			nl_demo_layout_preview(
			    o, r->preview, r->plen, r->more,
			    cols > used ? cols - (unsigned)used : 0, ascii);
		else
			preview(o, r->preview, r->plen, r->more);
		nl_out_str(o, check);
		nl_out_char(o, '\n');
	}
	if (total > DEMO_ROWS)
		nl_out_printf(o, "  ... %" PRIu32 " more\n", total - DEMO_ROWS);
}

static void view_wire(struct demo *d, struct nl_outbuf *o)
{
	if (d->cap_note[0]) {
		nl_out_printf(o, "  (skipped: %s)\n", d->cap_note);
		return;
	}
	if (d->flow_note[0])
		nl_out_printf(o, "  (no message map: %s)\n", d->flow_note);
	uint32_t shown = 0;
	uint64_t more = d->more_segs;
	for (uint32_t i = 0; i < d->nsegs; i++) {
		struct demo_seg *s = &d->segs[i];
		if (!s->len)
			continue; /* a bare FIN: this view lists payload */
		if (shown == DEMO_ROWS) {
			more++;
			continue;
		}
		shown++;
		nl_out_printf(o,
			      "  frame %-4" PRIu64 " %s  %s +%-6" PRIu64
			      " %6" PRIu32 " bytes  ",
			      s->frame,
			      s->dir ? "server->client" : "client->server",
			      d->co.udp ? "off" : "seq", s->rel, s->len);
		preview(o, s->preview, s->plen, s->len > s->plen);
		if (s->map[0])
			nl_out_printf(o, "  %s", s->map);
		nl_out_char(o, '\n');
	}
	if (more)
		nl_out_printf(o, "  ... %" PRIu64 " more\n", more);
	if (!shown)
		nl_out_str(o, "  (no payload captured)\n");
	if (d->cap_dropped)
		nl_out_printf(o,
			      "  (the capture dropped %" PRIu64 " packets)\n",
			      d->cap_dropped);
}

static uint64_t count(struct demo *d, int side, enum nl_truth_ev ev,
		      bool positive)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < d->nrecs; i++)
		if (d->recs[i].side == side && d->recs[i].ev == ev &&
		    (!positive || d->recs[i].ret > 0))
			n++;
	return n;
}

static int64_t first_recv(struct demo *d)
{
	for (uint32_t i = 0; i < d->nrecs; i++)
		if (d->recs[i].side == 1 && d->recs[i].ev == NL_TRUTH_RECV)
			return d->recs[i].ret;
	return -1;
}

/* Print a paragraph wrapped at width columns, each line indented. (A
 * column is a UTF-8 lead byte: the legend's arrows are one each.) */
static void para_at(struct nl_outbuf *o, size_t indent, size_t width,
		    const char *text)
{
	size_t col = 0;
	const char *p = text;
	while (*p == ' ')
		p++;
	while (*p) {
		size_t n = strcspn(p, " "), w = 0;
		for (size_t i = 0; i < n; i++)
			w += ((uint8_t)p[i] & 0xc0) != 0x80;
		if (!col) {
			nl_out_repeat(o, ' ', indent);
			col = indent;
		} else if (col + 1 + w > width) {
			nl_out_char(o, '\n');
			nl_out_repeat(o, ' ', indent);
			col = indent;
		} else {
			nl_out_char(o, ' ');
			col++;
		}
		nl_out_write(o, p, n);
		col += w;
		p += n;
		while (*p == ' ')
			p++;
	}
	nl_out_char(o, '\n');
}

static void para(struct nl_outbuf *o, const char *text)
{
	para_at(o, 0, 76, text);
}

static void explain(struct demo *d, struct nl_outbuf *o)
{
	char t[1400], segs[96];
	uint64_t sends = count(d, 0, NL_TRUTH_SEND, true);
	uint64_t srecvs = count(d, 1, NL_TRUTH_RECV, true);
	if (d->cap_note[0])
		snprintf(segs, sizeof(segs),
			 "an uncaptured number of segments");
	else
		snprintf(segs, sizeof(segs), "%" PRIu64 " segment%s",
			 d->payload_segs[0],
			 d->payload_segs[0] == 1 ? "" : "s");
	char fr[48];
	nl_framing_format(&d->co.framing, fr, sizeof(fr));
	switch (d->scenario) {
	case NL_GEN_MERGE: {
		char how[400];
		if (!d->cap_note[0] && d->payload_segs[0] < sends)
			snprintf(
			    how, sizeof(how),
			    "Nagle's algorithm (TCP_NODELAY %s) held small "
			    "writes back while earlier data was "
			    "unacknowledged, so the sender merged them into "
			    "fewer segments; and the server read late (after "
			    "%" PRIu32 " ms)",
			    d->co.nodelay ? "on" : "off", d->so.recv_delay_ms);
		else
			snprintf(
			    how, sizeof(how),
			    "Here the segments even kept the send() "
			    "boundaries (on loopback the ACKs return at once, "
			    "so Nagle's algorithm has nothing to wait for), "
			    "but the server read late (after %" PRIu32 " ms)",
			    d->so.recv_delay_ms);
		snprintf(
		    t, sizeof(t),
		    "The client called send() %" PRIu64 " times; TCP carried "
		    "the bytes in %s and the server's first recv() "
		    "returned %" PRId64 " bytes at once. TCP is a byte "
		    "stream: it keeps no boundaries between send() calls. "
		    "%s, so everything was waiting in its receive buffer "
		    "and one recv() took it all: the classic \"sticky "
		    "packet\". --nodelay changes the segments, never the "
		    "recv(). The fix is framing: in 'netlab gen demo "
		    "framed' each message carries a 4-byte length "
		    "(Python's struct.pack('i', n)) and the receiver reads "
		    "exactly that many bytes, however the stream was cut.",
		    sends, segs, first_recv(d), how);
		break;
	}
	case NL_GEN_SPLIT:
		snprintf(
		    t, sizeof(t),
		    "The client sent %" PRIu64 " bytes in %" PRIu64
		    " send() call%s; with TCP_MAXSEG %d the wire carried "
		    "them in %s, and the server needed %" PRIu64
		    " recv(%zu) calls. Neither the segments nor the recv() "
		    "sizes match the message: a receiver that takes one "
		    "recv() as one message gets a fragment and leaves the "
		    "rest to be mistaken for the next message. A length "
		    "prefix ('netlab gen demo framed --size 3000') tells "
		    "the receiver how many bytes make the message.",
		    d->cst.bytes, sends, sends == 1 ? "" : "s", d->co.mss, segs,
		    srecvs, (size_t)(d->so.recv_size ? d->so.recv_size : 1024));
		break;
	case NL_GEN_FRAMED:
		snprintf(
		    t, sizeof(t),
		    "Each message went out as a %s header and its body%s "
		    "(%" PRIu64 " send() calls); the wire carried %s and "
		    "the server's %" PRIu64 " recv() calls returned chunks "
		    "unrelated to the messages, yet the framing recovered "
		    "all %" PRIu64 " messages whole%s. This is the fix for "
		    "sticky packets: read the fixed-size length first, "
		    "then exactly that many bytes.",
		    fr,
		    d->co.coalesce ? " in one send()" : " in separate send()s",
		    sends, segs, srecvs, d->sst.messages,
		    d->sst.crc_ok ? " (each checksum verified)"
				  : " (--size N sends checksummed bodies)");
		break;
	case NL_GEN_JSONHDR:
		snprintf(
		    t, sizeof(t),
		    "The upload sent a 4-byte header length "
		    "(struct.pack('i', len)), a JSON header naming the file "
		    "and its file_size, then the file's bytes, in %" PRIu64
		    " send() calls and %s. The server read the length, the "
		    "JSON header, then exactly file_size bytes: %" PRIu64
		    " upload%s received whole (%" PRIu64 " checksum%s "
		    "verified). Because the header says how long the body "
		    "is, the file's bytes are never mistaken for the next "
		    "header.",
		    sends, segs, d->sst.messages,
		    d->sst.messages == 1 ? "" : "s", d->sst.crc_ok,
		    d->sst.crc_ok == 1 ? "" : "s");
		break;
	case NL_GEN_READY:
		snprintf(
		    t, sizeof(t),
		    "For each message the client sent the body's length "
		    "as ASCII digits, waited for \"ready\", then sent the "
		    "body: %" PRIu64 " messages received whole. The wait "
		    "keeps the length apart from the body (and the body "
		    "from the next length), at the price of one round trip "
		    "per message; the receiver still relies on one recv() "
		    "returning exactly the digits. A binary length prefix "
		    "('netlab gen demo framed') is as safe without waiting.",
		    d->sst.messages);
		break;
	case NL_GEN_UDP:
		snprintf(t, sizeof(t),
			 "Each send() became one datagram and each recvfrom() "
			 "returned exactly one (%" PRIu64
			 " of them), although the "
			 "server read late (after %" PRIu32 " ms) with all of "
			 "them waiting: UDP keeps message boundaries. It does "
			 "not promise delivery or order, and a datagram larger "
			 "than the receive buffer is cut short.",
			 srecvs, d->so.recv_delay_ms);
		break;
	default:
		snprintf(
		    t, sizeof(t),
		    "The client wrote %" PRIu64 " %s-framed messages "
		    "(%.1f MB) as fast as the socket took them, in %" PRIu64
		    " send() calls; the server verified %" PRIu64
		    " checksums. Big writes become many segments and "
		    "recv() returns whatever has arrived: only the framing "
		    "keeps the messages apart.",
		    d->cst.messages, fr, (double)d->cst.bytes / 1e6,
		    d->cst.sends, d->sst.crc_ok);
		break;
	}
	para(o, t);
	if (d->flow_on && !d->co.udp && d->map_msgs) {
		snprintf(t, sizeof(t),
			 "netlab's own analysis of the capture (the message "
			 "maps above): %" PRIu64 " client message%s, %" PRIu64
			 " segment%s carrying "
			 "parts of two or more messages (merged), %" PRIu64
			 " message%s carried by two or more segments (split).",
			 d->map_msgs, d->map_msgs == 1 ? "" : "s",
			 d->map_merged, d->map_merged == 1 ? "" : "s",
			 d->map_split, d->map_split == 1 ? "" : "s");
		nl_out_char(o, '\n');
		para(o, t);
	}
}

static size_t recv_size_shown(const struct demo *d)
{
	if (d->so.recv_size)
		return d->so.recv_size;
	return d->so.have_framing || d->so.ready || d->so.udp ? 65536 : 1024;
}

static void print_stacked(struct demo *d, struct nl_outbuf *out)
{
	nl_out_str(out, "\n1. What the application sent (each send()):\n");
	view_calls(d, out, NL_TRUTH_SEND);
	nl_out_printf(out,
		      "\n2. What the wire carried (each %s with payload, "
		      "captured on lo):\n",
		      d->co.udp ? "datagram" : "segment");
	view_wire(d, out);
	nl_out_printf(out,
		      "\n3. What the receiver got (each recv(); server "
		      "recv size %zu%s):\n",
		      recv_size_shown(d),
		      d->so.recv_delay_ms ? ", first read delayed" : "");
	view_calls(d, out, NL_TRUTH_RECV);
	if (d->so.have_framing || d->so.ready) {
		nl_out_str(out, "\n   Messages the server's framing found:\n");
		view_messages(d, out, 0, true);
	}
}

/* --width, else the terminal's (when stdout is one), else $COLUMNS, else
 * NL_DEMO_DEFAULT_WIDTH. */
static unsigned table_width(const struct nl_gen_opts *o,
			    const struct nl_outbuf *out)
{
	struct winsize ws;
	if (o->width)
		return o->width;
	if (out->fd >= 0 && isatty(out->fd) &&
	    ioctl(out->fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *env = getenv("COLUMNS");
	char *end;
	unsigned long v = env ? strtoul(env, &end, 10) : 0;
	if (env && *env >= '0' && *env <= '9' && !*end && v > 0)
		return v > 1000 ? 1000 : (unsigned)v;
	return NL_DEMO_DEFAULT_WIDTH;
}

static void table_headings(struct demo *d, char *wire, size_t wsize, char *got,
			   size_t gsize)
{
	size_t k;
	if (d->cap_note[0])
		k = (size_t)snprintf(wire, wsize, "Wire carried: skipped: %s",
				     d->cap_note);
	else if (d->co.udp)
		k = (size_t)snprintf(wire, wsize,
				     "Wire carried (each datagram, captured "
				     "on lo)");
	else
		k = (size_t)snprintf(wire, wsize,
				     "Wire carried (each segment with payload "
				     "and each FIN, captured on lo; netlab's "
				     "message map)");
	if (!d->cap_note[0] && d->flow_note[0] && k < wsize)
		k += (size_t)snprintf(wire + k, wsize - k,
				      "; no message map: %s", d->flow_note);
	if (!d->cap_note[0] && !d->payload_segs[0] && !d->payload_segs[1] &&
	    k < wsize)
		k += (size_t)snprintf(wire + k, wsize - k,
				      "; no payload captured");
	if (!d->cap_note[0] && d->cap_dropped && k < wsize)
		snprintf(wire + k, wsize - k,
			 "; the capture dropped %" PRIu64 " packets",
			 d->cap_dropped);
	snprintf(got, gsize, "Receiver got (each recv(); recv size %zu%s)",
		 recv_size_shown(d),
		 d->so.recv_delay_ms ? ", first read delayed" : "");
}

/* The views side by side: false (nothing written) when they do not fit
 * in width or memory ran out. */
static bool print_table(struct demo *d, const struct nl_gen_opts *o,
			struct nl_outbuf *out, unsigned width)
{
	struct nl_demo_call *calls = calloc(d->nrecs + 1, sizeof(*calls));
	struct nl_demo_seg *segs = calloc(d->nsegs + 1, sizeof(*segs));
	struct nl_outbuf tab;
	bool ok = calls && segs && nl_out_init(&tab, -1);
	if (!ok) {
		free(calls);
		free(segs);
		return false;
	}
	uint32_t n = 0;
	uint64_t index[2][2] = {{0, 0}, {0, 0}}; /* [send][side] */
	for (uint32_t i = 0; i < d->nrecs; i++) {
		const struct demo_rec *r = &d->recs[i];
		if (r->ev != NL_TRUTH_SEND && r->ev != NL_TRUTH_RECV)
			continue;
		bool send = r->ev == NL_TRUTH_SEND;
		calls[n++] = (struct nl_demo_call){
		    .kind = send ? NL_DEMO_SEND : NL_DEMO_RECV,
		    .side = (uint8_t)r->side,
		    .index = ++index[send][r->side & 1],
		    .off = r->off,
		    .ret = r->ret,
		    .data = r->preview,
		    .dlen = r->plen,
		    .more = r->more};
	}
	for (uint32_t j = 0; j < d->nsegs; j++) {
		const struct demo_seg *s = &d->segs[j];
		segs[j] = (struct nl_demo_seg){.frame = s->frame,
					       .dir = (uint8_t)s->dir,
					       .rel = s->rel,
					       .len = s->len,
					       .fin = s->fin,
					       .data = s->preview,
					       .dlen = s->plen,
					       .map = s->map};
	}
	char wire[NL_ERRBUF_SIZE + 256], got[160];
	table_headings(d, wire, sizeof(wire), got, sizeof(got));
	struct nl_demo_table t = {
	    .calls = calls,
	    .ncalls = n,
	    .segs = segs,
	    .nsegs = d->nsegs,
	    .udp = d->co.udp,
	    .heading = {"Application sent (each send())", wire, got},
	    .wire_empty = d->cap_note[0] || !d->nsegs,
	    .max_rows = DEMO_ROWS,
	    .more_segs = d->more_segs};
	struct nl_demo_style st = {.width = width,
				   .ascii = o->ascii || !nl_locale_utf8()};
	ok = nl_demo_layout_render(&tab, &t, &st);
	if (ok) {
		const char *c2s = st.ascii ? "c>s" : "c\u2192s";
		const char *s2c = st.ascii ? "s>c" : "s\u2192c";
		char legend[400];
		if (t.wire_empty)
			snprintf(legend, sizeof(legend),
				 "Each row: a send() and the recv() calls its "
				 "bytes completed (%s client to server, %s "
				 "server to client).",
				 c2s, s2c);
		else
			snprintf(legend, sizeof(legend),
				 "Each row: a %s, the send() calls whose first "
				 "byte it carried and the recv() calls whose "
				 "last byte it carried (%s client to server, "
				 "%s server to client).",
				 d->co.udp ? "datagram" : "segment", c2s, s2c);
		nl_out_char(out, '\n');
		para(out, legend);
		nl_out_write(out, tab.buf, tab.len);
		if (d->so.have_framing || d->so.ready) {
			nl_out_str(out,
				   "\nMessages the server's framing found:\n");
			view_messages(d, out, width, st.ascii);
		}
	}
	nl_out_free(&tab);
	free(calls);
	free(segs);
	return ok;
}

void demo_print(struct demo *d, const struct nl_gen_opts *o,
		struct nl_outbuf *out)
{
	nl_out_printf(out,
		      "netlab gen demo %s: 127.0.0.1, server port %u (%s)\n",
		      nl_gen_scenario_name(o->scenario), d->port,
		      d->co.udp ? "udp" : "tcp");
	para_at(out, 2, 78, d->ns_note);
	unsigned width = table_width(o, out);
	if (o->stacked || !nl_demo_layout_fits(width) ||
	    !print_table(d, o, out, width))
		print_stacked(d, out);
	if (d->flood_line[0]) {
		d->flood_line[strcspn(d->flood_line, "\n")] = '\0';
		nl_out_char(out, '\n');
		para(out, d->flood_line);
	}
	if (d->dropped_recs)
		nl_out_printf(out,
			      "(%" PRIu64 " calls beyond the first %u not "
			      "kept)\n",
			      d->dropped_recs, DEMO_MAX_RECS);
	nl_out_str(out, "\nWhat happened:\n");
	explain(d, out);
	if (o->write_file && !d->cap_note[0])
		nl_out_printf(out, "\nCapture written to %s.\n", o->write_file);
}
