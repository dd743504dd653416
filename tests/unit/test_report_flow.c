/*
 * Stream analysis in the sinks: hand-built segment maps, messages, notes
 * and reassembled data through the one-line, -v, --messages, --map and
 * --follow printers, against exact output. Covers the staging of flow
 * lines after their packet's line, the escaping of hostile message bytes,
 * the map of tiny and huge connections and follow's text/hex choice.
 */
#include <stdio.h>

#include "support/sink_harness.h"

#include "netlab/report.h"

static void tcp_packet(uint64_t n, const char *data, uint32_t len)
{
	memset(&pkt, 0, sizeof(pkt));
	pkt.frame = n;
	pkt.caplen = pkt.len = 54 + len;
	pkt.layers = NL_LAYER_BIT(NL_L_IPV4) | NL_LAYER_BIT(NL_L_TCP);
	addr(&pkt.src, "10.0.0.1");
	addr(&pkt.dst, "10.0.0.2");
	pkt.ip_proto = NL_IPPROTO_TCP;
	pkt.ip4.ihl = 20;
	pkt.ip4.tot_len = (uint16_t)(40 + len);
	pkt.tcp.sport = 40000;
	pkt.tcp.dport = 9000;
	pkt.tcp.seq = 1;
	pkt.tcp.ack = 1;
	pkt.tcp.flags = NL_TCP_PSH | NL_TCP_ACK;
	pkt.tcp.win = 512;
	pkt.tcp.doff = 20;
	if (len) {
		pkt.layers |= NL_LAYER_BIT(NL_L_PAYLOAD);
		pkt.payload = (const uint8_t *)data;
		pkt.payload_caplen = pkt.payload_len = len;
	}
}

static void part(struct nl_segmap *m, uint64_t index, enum nl_part p,
		 uint32_t bytes, uint64_t msg_len)
{
	struct nl_msg_part *x = &m->parts[m->n_parts++];
	x->index = index;
	x->part = (uint8_t)p;
	x->bytes = bytes;
	x->msg_len = msg_len;
	x->at = p == NL_PART_TAIL && msg_len > bytes ? msg_len - bytes : 0;
	m->bytes += bytes;
}

static void mapped(struct nl_segmap *m, uint64_t frame, uint32_t n_msgs)
{
	memset(m, 0, sizeof(*m));
	m->conn_id = 1;
	m->frame = frame;
	m->state = NL_SEGMAP_MAPPED;
	m->n_msgs = n_msgs;
}

/* Several events through one fresh sink. */
static const char *run_all(sink_new_fn make, const struct nl_event *ev,
			   unsigned n)
{
	struct nl_sink sink = {0}; /* gcc cannot tell the assert stops */
	mem.len = 0;
	assert_int_equal(make(&sink, &mem, &opts), NL_OK);
	for (unsigned i = 0; i < n; i++)
		sink.ops->on_event(sink.self, &ev[i]);
	sink.ops->close(sink.self);
	return nl_out_cstr(&mem);
}

static int flow_reset(void **state)
{
	reset(state);
	opts.time_style = NL_TIME_NONE;
	return 0;
}

#define LINE_HEAD                                                              \
	"    4 10.0.0.1:40000 > 10.0.0.2:9000 TCP [PSH,ACK] seq=1 ack=1 "      \
	"win=512 len="

static void test_text_merged(void **state)
{
	(void)state;
	tcp_packet(4, "xxxx", 4);
	struct nl_segmap m;
	mapped(&m, 4, 3);
	part(&m, 3, NL_PART_TAIL, 120, 200);
	part(&m, 4, NL_PART_WHOLE, 16, 16);
	part(&m, 5, NL_PART_HEAD, 40, 200);
	struct nl_event ev = {.type = NL_EV_PACKET, .pkt = &pkt, .segmap = &m};
	assert_string_equal(run_sink(nl_sink_text_new, &ev),
			    LINE_HEAD "4 \"xxxx\" msgs #3[tail 120B] #4[16B] "
				      "#5[head 40/200B]  MERGED 3 SPLIT\n");
	/* a head whose length is not known yet; a middle; offload */
	mapped(&m, 4, 1);
	part(&m, 7, NL_PART_MIDDLE, 1448, 70000);
	m.offload = true;
	assert_string_equal(run_sink(nl_sink_text_new, &ev),
			    LINE_HEAD "4 \"xxxx\" msgs #7[middle 1448/70000B]  "
				      "SPLIT OFFLOAD>MSS\n");
	mapped(&m, 4, 1);
	part(&m, 9, NL_PART_HEAD, 10, 0);
	/* its end may be the segment's: not called split */
	assert_string_equal(run_sink(nl_sink_text_new, &ev),
			    LINE_HEAD "4 \"xxxx\" msgs #9[head 10B]\n");
	mapped(&m, 4, 1);
	part(&m, 2, NL_PART_WHOLE, 4, 4);
	assert_string_equal(run_sink(nl_sink_text_new, &ev),
			    LINE_HEAD "4 \"xxxx\" msgs #2[4B]\n");
}

/* More messages than parts: the first 7, "... N more ...", the last. */
static void test_text_ellipsis(void **state)
{
	(void)state;
	tcp_packet(4, "", 0);
	struct nl_segmap m;
	mapped(&m, 4, 20);
	for (unsigned i = 1; i <= 7; i++)
		part(&m, i, NL_PART_WHOLE, 8, 8);
	part(&m, 20, NL_PART_WHOLE, 8, 8);
	struct nl_event ev = {.type = NL_EV_PACKET, .pkt = &pkt, .segmap = &m};
	assert_string_equal(run_sink(nl_sink_text_new, &ev), LINE_HEAD
			    "0 msgs #1[8B] #2[8B] #3[8B] #4[8B] #5[8B] "
			    "#6[8B] #7[8B] ... 12 more ... #20[8B]  "
			    "MERGED 20\n");
}

static void test_text_states(void **state)
{
	(void)state;
	tcp_packet(4, "", 0);
	struct nl_segmap m = {.conn_id = 1, .frame = 4};
	struct nl_tcp_note n = {.conn_id = 1};
	struct nl_event ev = {.type = NL_EV_PACKET, .pkt = &pkt, .segmap = &m};
	static const struct {
		uint8_t state;
		const char *want;
	} cases[] = {
	    {NL_SEGMAP_NONE, ""},
	    {NL_SEGMAP_PENDING, " msgs (held: framing not yet known)"},
	    {NL_SEGMAP_RETRANS, " msgs (retransmitted: already delivered)"},
	    {NL_SEGMAP_UNFRAMED, " msgs (unframed)"},
	    {NL_SEGMAP_NOT_ANALYSED, " msgs (not analysed)"},
	    {NL_SEGMAP_IGNORED, " msgs (ignored: after the end of the stream)"},
	    {200, " msgs (?)"},
	};
	char want[256];
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m.state = cases[i].state;
		snprintf(want, sizeof(want), LINE_HEAD "0%s\n", cases[i].want);
		assert_string_equal(run_sink(nl_sink_text_new, &ev), want);
	}
	/* held after a hole: the map says why */
	m.state = NL_SEGMAP_PENDING;
	m.held_ooo = true;
	ev.tcp = &n;
	const char *out = run_sink(nl_sink_text_new, &ev);
	assert_non_null(strstr(out, " msgs (held: out of order)\n"));
	/* hostile part count: clamped to the array */
	mapped(&m, 4, 2);
	m.n_parts = 200;
	ev.tcp = NULL;
	out = run_sink(nl_sink_text_new, &ev);
	assert_non_null(strstr(out, " msgs #0[0B]"));
}

/* Flow lines arrive before their packet and print after its line; a
 * connection's end and the summary flush them too. */
static void test_text_staging(void **state)
{
	(void)state;
	tcp_packet(4, "", 0);
	struct nl_segmap late;
	mapped(&late, 3, 2);
	late.late = true;
	part(&late, 1, NL_PART_WHOLE, 8, 8);
	part(&late, 2, NL_PART_HEAD, 2, 8);
	struct nl_flow_note fr = {.conn_id = 1,
				  .frame = 4,
				  .type = NL_NOTE_FRAMING,
				  .how = NL_HOW_AUTO,
				  .confirm = 5,
				  .has_runner_up = true};
	fr.spec.kind = NL_FRAMING_LENPREFIX;
	fr.spec.len_size = 4;
	fr.runner_up = fr.spec;
	fr.runner_up.big_endian = true;
	struct nl_flow_note gap = {.conn_id = 1,
				   .dir = NL_SERVER,
				   .type = NL_NOTE_GAP,
				   .offset = 2896,
				   .len = 1448,
				   .reason = NL_REASM_GAP_LOST};
	struct nl_event ev[] = {
	    {.type = NL_EV_FLOW_NOTE, .u.note = &fr},
	    {.type = NL_EV_SEGMAP, .u.segmap = &late},
	    {.type = NL_EV_PACKET, .pkt = &pkt},
	    {.type = NL_EV_FLOW_NOTE, .u.note = &gap},
	    {.type = NL_EV_CONN_END},
	};
	assert_string_equal(
	    run_all(nl_sink_text_new, ev, 5),
	    LINE_HEAD "0\n"
		      "    * conn 1 c2s: framing u32le (auto: 5 messages "
		      "confirm; runner-up u32be)\n"
		      "    * frame 3 (conn 1 c2s) mapped now: msgs #1[8B] "
		      "#2[head 2/8B]  MERGED 2 SPLIT\n"
		      "    ! conn 1 s2c: gap of 1448 bytes at offset 2896 "
		      "(never captured)\n");
	/* and close() flushes what is left */
	assert_string_equal(
	    run_all(nl_sink_text_new, ev + 3, 1),
	    "    ! conn 1 s2c: gap of 1448 bytes at offset 2896 "
	    "(never captured)\n");
}

/* A burst bigger than the staging buffer is flushed early, not lost. */
static void test_text_staging_overflow(void **state)
{
	(void)state;
	enum { N = 3000 };
	struct nl_event *ev = calloc(N + 1, sizeof(*ev));
	assert_non_null(ev);
	struct nl_flow_note n = {
	    .conn_id = 7, .type = NL_NOTE_RESYNC, .offset = 123456789};
	for (unsigned i = 0; i < N; i++) {
		ev[i].type = NL_EV_FLOW_NOTE;
		ev[i].u.note = &n;
	}
	tcp_packet(4, "", 0);
	ev[N].type = NL_EV_PACKET;
	ev[N].pkt = &pkt;
	const char *out = run_all(nl_sink_text_new, ev, N + 1);
	const char *one = "    * conn 7 c2s: framing back in step at offset "
			  "123456789\n";
	unsigned count = 0;
	for (const char *p = out; (p = strstr(p, one)); p += strlen(one))
		count++;
	assert_int_equal(count, N);
	const char *line = strstr(out, LINE_HEAD "0\n");
	assert_non_null(line);
	/* some were flushed before the packet line, the rest follow it */
	assert_true(line > out);
	assert_non_null(strstr(line, one));
	/* what was held never exceeds the staging buffer */
	assert_true(strlen(line) < 64 * 1024 + 4096);
	free(ev);
}

static void test_note_lines(void **state)
{
	(void)state;
	struct nl_flow_note n = {
	    .conn_id = 3, .frame = 9, .offset = 100, .len = 20};
	struct nl_event ev = {.type = NL_EV_FLOW_NOTE, .u.note = &n};
	static const struct {
		uint8_t type;
		const char *want;
	} cases[] = {
	    {NL_NOTE_FRAMING_ERROR,
	     "    ! conn 3 c2s: framing error at offset 100\n"},
	    {NL_NOTE_RESYNC,
	     "    * conn 3 c2s: framing back in step at offset 100\n"},
	    {NL_NOTE_CONFLICT,
	     "    ! conn 3 c2s: overlap conflict: 20 bytes at offset 100 "
	     "retransmitted with different contents (frame 9)\n"},
	    {NL_NOTE_MIDSTREAM,
	     "    * conn 3 c2s: picked up mid-stream at offset 100: what "
	     "came before is unknown\n"},
	    {NL_NOTE_NOT_ANALYSED,
	     "    ! conn 3: not analysed (flow table full: --max-flows)\n"},
	    {99, "    * conn 3 c2s: ?\n"},
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n.type = cases[i].type;
		assert_string_equal(run_all(nl_sink_messages_new, &ev, 1),
				    cases[i].want);
	}
	n.type = NL_NOTE_FRAMING;
	n.how = NL_HOW_FALLBACK;
	n.spec.kind = NL_FRAMING_TURNS;
	n.why = "the peer spoke";
	assert_string_equal(run_all(nl_sink_messages_new, &ev, 1),
			    "    * conn 3 c2s: framing turns (auto fallback: "
			    "the peer spoke)\n");
	n.why = NULL;
	assert_string_equal(
	    run_all(nl_sink_messages_new, &ev, 1),
	    "    * conn 3 c2s: framing turns (auto fallback: no "
	    "framing explains the stream)\n");
	n.how = NL_HOW_PORT;
	n.why = NULL;
	n.spec.kind = NL_FRAMING_LINE;
	assert_string_equal(
	    run_all(nl_sink_messages_new, &ev, 1),
	    "    * conn 3 c2s: framing line (--framing PORT=SPEC)\n");
}

static void message(struct nl_message *m)
{
	memset(m, 0, sizeof(*m));
	m->conn_id = 1;
	m->index = 3;
	m->offset = 120;
	m->len = 204;
	m->declared = 200;
	m->header_len = 4;
	m->n_frames = 2;
	m->n_listed = 2;
	m->frames[0] = 4;
	m->frames[1] = 6;
	m->first_frame = 4;
	m->last_frame = 6;
	m->split = true;
}

/* Message bytes that try to drive the terminal come out escaped. */
static void test_messages_escaping(void **state)
{
	(void)state;
	struct nl_message m;
	message(&m);
	static const uint8_t hostile[] = {0x00, 0x00, 0x00, 0xc8, 0x1b, '[',
					  '2',	'J',  0x07, 0xff, 0xfe, '"',
					  'h',	'i',  '\\', '\n'};
	memcpy(m.prefix, hostile, sizeof(hostile));
	m.prefix_len = sizeof(hostile);
	struct nl_event ev = {.type = NL_EV_MESSAGE, .u.message = &m};
	const char *out = run_all(nl_sink_messages_new, &ev, 1);
	assert_string_equal(out, "conn 1 c2s msg #3 at 120: 204B (header 4B), "
				 "frames 4,6, split, complete "
				 "\"\\x00\\x00\\x00\\xc8\\x1b[2J\\x07\\xff\\xfe"
				 "\\\"hi\\\\\\n\"...\n");
	for (const char *p = out; *p; p++)
		assert_true((unsigned char)*p >= 0x20 || *p == '\n');
	/* many frames; cut by a gap; a one-frame message */
	m.n_frames = 49;
	m.n_listed = NL_MSG_FRAMES;
	m.last_frame = 60;
	m.end = NL_MSG_CUT_GAP;
	m.prefix_len = 0;
	assert_string_equal(run_all(nl_sink_messages_new, &ev, 1),
			    "conn 1 c2s msg #3 at 120: 204B (header 4B) of "
			    "200B, frames 4..60 (49 segments), split, cut "
			    "(bytes never captured)\n");
	m.n_frames = 1;
	m.n_listed = 1;
	m.split = false;
	m.end = NL_MSG_CUT_END;
	m.header_len = 0;
	m.declared = 0;
	m.dir = NL_SERVER;
	m.has_gap = true;
	m.prefix_len = 200; /* hostile: clamped to the array */
	m.len = 2;
	out = run_all(nl_sink_messages_new, &ev, 1);
	assert_non_null(strstr(out, "conn 1 s2c msg #3 at 120: 2B, frame 4, "
				    "whole, cut (the stream ended first), "
				    "bytes missing inside \""));
}

static void test_verbose_block(void **state)
{
	(void)state;
	tcp_packet(4, "", 0);
	struct nl_segmap m;
	mapped(&m, 4, 3);
	m.offset = 120;
	part(&m, 3, NL_PART_TAIL, 120, 200);
	part(&m, 4, NL_PART_WHOLE, 16, 16);
	part(&m, 5, NL_PART_HEAD, 40, 0);
	struct nl_message msg;
	message(&msg);
	struct nl_event ev[] = {
	    {.type = NL_EV_MESSAGE, .u.message = &msg},
	    {.type = NL_EV_PACKET, .pkt = &pkt, .segmap = &m},
	};
	const char *out = run_all(nl_sink_verbose_new, ev, 2);
	const char *blk =
	    "  Messages (c2s, stream offset 120, 176 bytes): parts of 3 "
	    "messages (merged: one segment carried several sends); a "
	    "message split across segments\n"
	    "    #3 tail: bytes 80-199 of 200 (120 bytes)\n"
	    "    #4 whole: 16 bytes\n"
	    "    #5 head: bytes 0-39 of ? (length not known yet) (40 "
	    "bytes)\n"
	    "    = conn 1 c2s msg #3 at 120: 204B (header 4B), frames 4,6, "
	    "split, complete\n";
	const char *at = strstr(out, blk);
	assert_non_null(at);
	assert_string_equal(at, blk); /* the message comes last */
}

static const char *map_run(const struct nl_event *ev, unsigned n)
{
	return run_all(nl_sink_map_new, ev, n);
}

static void conn_of(struct nl_conn *c, uint64_t id)
{
	memset(c, 0, sizeof(*c));
	c->id = id;
	addr(&c->addr[NL_CLIENT], "10.0.0.1");
	addr(&c->addr[NL_SERVER], "10.0.0.2");
	c->port[NL_CLIENT] = 40000;
	c->port[NL_SERVER] = 9000;
}

/* 3 messages of 10, 10 and 20 bytes in 2 segments of 15 and 25. */
static void test_map_tiny(void **state)
{
	(void)state;
	opts.ascii = true;
	opts.width = 53; /* 40 columns of axis */
	struct nl_segmap s1, s2;
	mapped(&s1, 4, 2);
	part(&s1, 1, NL_PART_WHOLE, 10, 10);
	part(&s1, 2, NL_PART_HEAD, 5, 10);
	mapped(&s2, 5, 2);
	s2.offset = 15;
	part(&s2, 2, NL_PART_TAIL, 5, 10);
	part(&s2, 3, NL_PART_WHOLE, 20, 20);
	struct nl_message m[3];
	for (unsigned i = 0; i < 3; i++) {
		message(&m[i]);
		m[i].index = i + 1;
		m[i].split = i == 1;
		m[i].n_frames = i == 1 ? 2 : 1;
	}
	m[0].offset = 0, m[0].len = 10;
	m[1].offset = 10, m[1].len = 10;
	m[2].offset = 20, m[2].len = 20;
	struct nl_conn c;
	conn_of(&c, 1);
	struct nl_flow_stats fs = {.conn_id = 1};
	fs.dir[0].how = NL_HOW_AUTO;
	fs.dir[0].spec.kind = NL_FRAMING_LENPREFIX;
	fs.dir[0].spec.len_size = 4;
	fs.dir[0].bytes = 40;
	struct nl_conn_end end = {.conn = &c, .flow = &fs};
	struct nl_event ev[] = {
	    {.type = NL_EV_MESSAGE, .u.message = &m[0]},
	    {.type = NL_EV_PACKET, .pkt = &pkt, .segmap = &s1},
	    {.type = NL_EV_MESSAGE, .u.message = &m[1]},
	    {.type = NL_EV_MESSAGE, .u.message = &m[2]},
	    {.type = NL_EV_PACKET, .pkt = &pkt, .segmap = &s2},
	    {.type = NL_EV_CONN_END, .u.conn_end = &end},
	};
	tcp_packet(4, "", 0);
	assert_string_equal(
	    map_run(ev, 6),
	    "connection #1: client 10.0.0.1:40000  server 10.0.0.2:9000\n"
	    "  c2s  40 bytes, 2 segments, 3 messages (u32le, auto)\n"
	    "       merged: 2 segments carried parts of >= 2 messages (up to "
	    "2)\n"
	    "       split: 1 message crossed segments (up to 2)\n"
	    "    segments |=============|=======================|\n"
	    "    messages |--------|=========|------------------|\n"
	    "             0                                    40\n");
	/* another connection id only: nothing drawn */
	opts.map_id = 2;
	assert_string_equal(map_run(ev, 6), "");
}

/* More segments than the sink keeps: drawn up to the cap, and said. */
static void test_map_huge(void **state)
{
	(void)state;
	enum { N = 5000 };
	struct nl_event *ev = calloc(N + 1, sizeof(*ev));
	struct nl_segmap *m = calloc(N, sizeof(*m));
	assert_non_null(ev);
	assert_non_null(m);
	for (unsigned i = 0; i < N; i++) {
		mapped(&m[i], i + 1, 1);
		m[i].offset = (uint64_t)i * 1448;
		part(&m[i], 1, NL_PART_MIDDLE, 1448, 0);
		ev[i].type = NL_EV_PACKET;
		ev[i].pkt = &pkt;
		ev[i].segmap = &m[i];
	}
	struct nl_conn c;
	conn_of(&c, 1);
	struct nl_conn_end end = {.conn = &c};
	ev[N].type = NL_EV_CONN_END;
	ev[N].u.conn_end = &end;
	tcp_packet(4, "", 0);
	const char *out = map_run(ev, N + 1);
	assert_non_null(strstr(out, "  c2s  1482752 bytes, 5000 segments, 0 "
				    "messages\n"));
	assert_non_null(strstr(out, "(truncated: the first 1024 segments"));
	assert_non_null(strstr(
	    out, "    (1024 segments too small to draw at this scale)\n"));
	/* every line within the width: 80 columns, box drawing 3 bytes */
	const char *p = out;
	while (*p) {
		const char *e = strchr(p, '\n');
		assert_non_null(e);
		size_t cols = 0;
		for (const char *q = p; q < e; q++)
			cols += ((unsigned char)*q & 0xc0) != 0x80;
		assert_true(cols <= 80);
		p = e + 1;
	}
	free(ev);
	free(m);
}

/* More connections at once than the sink records: the least recently
 * active is drawn early to make room, and said so; every one is drawn. */
static void test_map_evict(void **state)
{
	(void)state;
	enum { N = 70 };
	struct nl_event ev[N];
	struct nl_segmap m[N];
	for (unsigned i = 0; i < N; i++) {
		mapped(&m[i], i + 1, 1);
		m[i].conn_id = i + 1;
		part(&m[i], 1, NL_PART_WHOLE, 10, 10);
		ev[i] = (struct nl_event){
		    .type = NL_EV_PACKET, .pkt = &pkt, .segmap = &m[i]};
	}
	tcp_packet(4, "", 0);
	const char *out = map_run(ev, N);
	unsigned conns = 0, early = 0;
	for (const char *p = out; (p = strstr(p, "connection #")); p++)
		conns++;
	for (const char *p = out; (p = strstr(p, "(drawn before its end")); p++)
		early++;
	assert_int_equal(conns, N);
	assert_int_equal(early, N - 64);
	assert_true(strstr(out, "connection #1\n") <
		    strstr(out, "connection #2\n"));
}

/* --conns: a line per direction under the connection's row. */
static void test_conns_lines(void **state)
{
	(void)state;
	struct nl_conn c;
	conn_of(&c, 1);
	struct nl_flow_stats fs = {.conn_id = 1};
	struct nl_flow_dir_stats *d = &fs.dir[NL_CLIENT];
	d->how = NL_HOW_AUTO;
	d->spec.kind = NL_FRAMING_LENPREFIX;
	d->spec.len_size = 4;
	d->has_runner_up = true;
	d->runner_up = d->spec;
	d->runner_up.big_endian = true;
	d->messages = 12;
	d->incomplete = 1;
	d->data_segs = 30;
	d->merged_segs = 5;
	d->max_msgs_per_seg = 3;
	d->split_msgs = 2;
	d->max_segs_per_msg = 4;
	d->offload_segs = 1;
	d->reasm.gaps = 1;
	struct nl_conn_end end = {.conn = &c, .flow = &fs};
	struct nl_summary sum = {0};
	struct nl_event ev[] = {
	    {.type = NL_EV_CONN_END, .u.conn_end = &end},
	    {.type = NL_EV_SUMMARY, .u.summary = &sum},
	};
	const char *out = run_all(nl_sink_conns_new, ev, 2);
	const char *want =
	    "        c2s u32le (auto, runner-up u32be) 12 msgs (+1 "
	    "cut), 30 segs, 5 merged (max 3/seg), 2 split (max 4 "
	    "segs/msg), 1 offload, 1 gap\n";
	const char *at = strstr(out, want);
	assert_non_null(at);
	assert_string_equal(at, want); /* s2c carried nothing: no line */
}

/* --truth records print where they come; a datagram names its UDP flow;
 * a segment names the sends it carried. Strings from the truth file are
 * escaped. */
static void test_app_udp(void **state)
{
	(void)state;
	struct nl_app_rec r = {
	    .kind = NL_APP_SEND, .index = 2, .ret = 5, .off = 5, .len = 5};
	strcpy(r.side, "client");
	strcpy(r.ev, "send");
	struct nl_app_map am = {.n_sends = 3, .first = 1, .last = 3};
	strcpy(am.side, "client");
	tcp_packet(4, "", 0);
	struct nl_event ev[] = {
	    {.type = NL_EV_APP, .u.app = &r},
	    {.type = NL_EV_PACKET, .pkt = &pkt, .app = &am},
	};
	assert_string_equal(
	    run_all(nl_sink_text_new, ev, 2),
	    "    > app client send #2: 5 B at stream offset 5\n" LINE_HEAD
	    "0  client sends #1-#3 (3 sends in one "
	    "segment: merged)\n");
	strcpy(r.detail, "\x1b[2J");
	const char *out = run_all(nl_sink_verbose_new, ev, 1);
	assert_string_equal(out, "    > app client send #2: 5 B at stream "
				 "offset 5 \\x1b[2J\n");
	struct nl_udp_flow f = {.id = 2};
	struct nl_event u = {.type = NL_EV_PACKET,
			     .pkt = &pkt,
			     .udp = &f,
			     .udp_dir = 1,
			     .udp_index = 4};
	assert_non_null(
	    strstr(run_all(nl_sink_text_new, &u, 1), " dgram #4 <- flow 2\n"));
}

/* Events a sink does not show leave no trace (each is handled on its
 * own: no case falls into another's). */
static void test_ignored_events(void **state)
{
	(void)state;
	struct nl_message m;
	message(&m);
	struct nl_flow_data d = {
	    .conn_id = 1, .data = (const uint8_t *)"x", .len = 1};
	struct nl_event ev[] = {
	    {.type = NL_EV_MESSAGE, .u.message = &m},
	    {.type = NL_EV_FLOW_DATA, .u.data = &d},
	    {.type = NL_EV_COUNT},
	};
	assert_string_equal(run_all(nl_sink_text_new, ev, 3), "");
	assert_string_equal(run_all(nl_sink_verbose_new, ev + 1, 2), "");
	assert_string_equal(run_all(nl_sink_json_new, ev + 1, 2), "");
	assert_string_equal(run_all(nl_sink_map_new, ev + 1, 2), "");
	assert_string_equal(run_all(nl_sink_messages_new, ev + 1, 2), "");
}

/* Hostile values (any state, part, count, offset or length, arbitrary
 * bytes) through every flow-aware sink: no crash, no over-read (run under
 * ASan), and nothing but printable ASCII and newlines from the text
 * sinks. Deterministic. */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static uint64_t rnd_num(void)
{
	switch (rnd() % 4) {
	case 0:
		return rnd() % 4;
	case 1:
		return rnd() % 5000;
	case 2:
		return UINT64_MAX - rnd() % 4;
	default:
		return rnd();
	}
}

static void test_random_events(void **state)
{
	(void)state;
	enum { N = 3000 };
	static struct nl_segmap maps[N];
	static struct nl_message msgs[N];
	static struct nl_flow_note notes[N];
	static struct nl_flow_data datas[N];
	static uint8_t bytes[N][32];
	static struct nl_event ev[N];
	tcp_packet(4, "\x1b[2J\x07\xff", 6);
	for (unsigned i = 0; i < N; i++) {
		for (unsigned k = 0; k < 32; k++)
			bytes[i][k] = (uint8_t)rnd();
		uint64_t conn = 1 + rnd() % 80;
		switch (rnd() % 5) {
		case 0:
		case 1: {
			struct nl_segmap *m = &maps[i];
			m->conn_id = conn;
			m->frame = rnd_num();
			m->dir = (uint8_t)(rnd() % 3);
			m->state = (uint8_t)(rnd() % 9);
			m->late = rnd() & 1;
			m->offload = rnd() & 1;
			m->offset = rnd_num();
			m->bytes = (uint32_t)rnd_num();
			m->n_msgs = (uint32_t)rnd_num();
			m->n_parts = (uint8_t)rnd();
			for (unsigned k = 0; k < NL_SEGMAP_PARTS; k++) {
				m->parts[k].index = rnd_num();
				m->parts[k].msg_len = rnd_num();
				m->parts[k].at = rnd_num();
				m->parts[k].bytes = (uint32_t)rnd_num();
				m->parts[k].part = (uint8_t)(rnd() % 6);
			}
			ev[i] = (struct nl_event){
			    .type = m->late ? NL_EV_SEGMAP : NL_EV_PACKET,
			    .pkt = &pkt,
			    .segmap = m,
			    .u.segmap = m};
			break;
		}
		case 2: {
			struct nl_message *m = &msgs[i];
			m->conn_id = conn;
			m->dir = (uint8_t)(rnd() % 3);
			m->end = (uint8_t)(rnd() % 6);
			m->split = rnd() & 1;
			m->has_gap = rnd() & 1;
			m->index = rnd_num();
			m->offset = rnd_num();
			m->len = rnd_num();
			m->declared = rnd_num();
			m->header_len = (uint32_t)rnd_num();
			m->n_frames = (uint32_t)rnd_num();
			m->n_listed = (uint8_t)rnd();
			m->prefix_len = (uint8_t)rnd();
			memcpy(m->prefix, bytes[i], NL_MSG_PREFIX);
			for (unsigned k = 0; k < NL_MSG_FRAMES; k++)
				m->frames[k] = rnd_num();
			m->first_frame = rnd_num();
			m->last_frame = rnd_num();
			ev[i] = (struct nl_event){.type = NL_EV_MESSAGE,
						  .u.message = m};
			break;
		}
		case 3: {
			struct nl_flow_note *n = &notes[i];
			n->conn_id = conn;
			n->frame = rnd_num();
			n->dir = (uint8_t)(rnd() % 3);
			n->type = (uint8_t)(rnd() % 9);
			n->how = (uint8_t)(rnd() % 7);
			n->reason = (uint8_t)(rnd() % 5);
			n->offset = rnd_num();
			n->len = rnd_num();
			n->spec.kind = (enum nl_framing_kind)(rnd() % 9);
			n->spec.len_size = (uint8_t)(1 + rnd() % 8);
			n->has_runner_up = rnd() & 1;
			n->confirm = (uint32_t)rnd_num();
			ev[i] = (struct nl_event){.type = NL_EV_FLOW_NOTE,
						  .u.note = n};
			break;
		}
		default: {
			struct nl_flow_data *d = &datas[i];
			d->conn_id = rnd() % 4;
			d->dir = (uint8_t)(rnd() % 3);
			d->offset = rnd_num();
			d->data = bytes[i];
			d->len = (uint32_t)(rnd() % 33);
			d->msg_index = rnd() % 3;
			d->msg_at = rnd() % 2 ? 0 : rnd_num();
			d->frame = rnd_num();
			ev[i] = (struct nl_event){.type = NL_EV_FLOW_DATA,
						  .u.data = d};
			break;
		}
		}
	}
	opts.follow_id = 1;
	opts.ascii = true;
	static const sink_new_fn text_sinks[] = {
	    nl_sink_text_new, nl_sink_verbose_new, nl_sink_messages_new,
	    nl_sink_map_new, nl_sink_follow_new};
	for (unsigned k = 0; k < sizeof(text_sinks) / sizeof(text_sinks[0]);
	     k++) {
		const char *out = run_all(text_sinks[k], ev, N);
		for (size_t i = 0; i < mem.len; i++)
			assert_true((out[i] >= 0x20 && out[i] <= 0x7e) ||
				    out[i] == '\n');
	}
	run_all(nl_sink_json_new, ev, N);
	run_all(nl_sink_follow_raw_new, ev, N);
}

static void data(struct nl_flow_data *d, uint8_t dir, uint64_t msg, uint64_t at,
		 const char *bytes, uint32_t len)
{
	memset(d, 0, sizeof(*d));
	d->conn_id = 1;
	d->dir = dir;
	d->msg_index = msg;
	d->msg_at = at;
	d->offset = at;
	d->data = (const uint8_t *)bytes;
	d->len = len;
	d->frame = 4;
}

static void test_follow(void **state)
{
	(void)state;
	opts.follow_id = 1;
	struct nl_flow_data d[5];
	data(&d[0], NL_CLIENT, 1, 0, "GET / HTTP/1.1\r\nHost: x\x1b[2J\r\n",
	     29);
	data(&d[1], NL_SERVER, 1, 0, "\x05\x00\x00\x00hello", 9);
	data(&d[2], NL_CLIENT, 1, 29, "\r\n", 2);
	data(&d[3], NL_SERVER, 2, 0, "ok\n", 3);
	data(&d[4], NL_SERVER, 2, 3, "", 0);
	d[4].conn_id = 2;
	struct nl_flow_note gap = {.conn_id = 1,
				   .dir = NL_SERVER,
				   .type = NL_NOTE_GAP,
				   .offset = 12,
				   .len = 100};
	struct nl_flow_note other = gap;
	other.conn_id = 2;
	struct nl_event ev[] = {
	    {.type = NL_EV_FLOW_DATA, .u.data = &d[0]},
	    {.type = NL_EV_FLOW_DATA, .u.data = &d[1]},
	    {.type = NL_EV_FLOW_DATA, .u.data = &d[2]},
	    {.type = NL_EV_FLOW_NOTE, .u.note = &gap},
	    {.type = NL_EV_FLOW_NOTE, .u.note = &other},
	    {.type = NL_EV_FLOW_DATA, .u.data = &d[3]},
	    {.type = NL_EV_FLOW_DATA, .u.data = &d[4]},
	};
	assert_string_equal(
	    run_all(nl_sink_follow_new, ev, 7),
	    "== c2s message #1, stream offset 0 (frame 4)\n"
	    "GET / HTTP/1.1\\r\n"
	    "Host: x\\x1b[2J\\r\n"
	    "== s2c message #1, stream offset 0 (frame 4)\n"
	    "  0000  05 00 00 00 68 65 6c 6c  6f                       "
	    "....hello\n"
	    "== c2s message #1 (continued at byte 29), stream offset 29 "
	    "(frame 4)\n"
	    "\\r\n"
	    "    ! conn 1 s2c: gap of 100 bytes at offset 12 (never "
	    "captured)\n"
	    "== s2c message #2, stream offset 0 (frame 4)\n"
	    "ok\n");
	/* raw: one direction's bytes, unescaped; nothing else */
	opts.follow_dir = NL_SERVER;
	const char *raw = run_all(nl_sink_follow_raw_new, ev, 7);
	assert_int_equal(mem.len, 12);
	assert_memory_equal(raw, "\x05\x00\x00\x00hellook\n", 12);
	/* an id that carried nothing says so at the end */
	opts.follow_id = 9;
	struct nl_summary sum = {0};
	struct nl_event end = {.type = NL_EV_SUMMARY, .u.summary = &sum};
	assert_string_equal(run_all(nl_sink_follow_new, &end, 1),
			    "connection #9: no data to follow (see --conns for "
			    "the ids)\n");
}

#define T(f) cmocka_unit_test_setup(f, flow_reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_text_merged),
	    T(test_text_ellipsis),
	    T(test_text_states),
	    T(test_text_staging),
	    T(test_text_staging_overflow),
	    T(test_note_lines),
	    T(test_messages_escaping),
	    T(test_verbose_block),
	    T(test_map_tiny),
	    T(test_map_huge),
	    T(test_map_evict),
	    T(test_conns_lines),
	    T(test_app_udp),
	    T(test_ignored_events),
	    T(test_random_events),
	    T(test_follow),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
