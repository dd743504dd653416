/*
 * The flow stage: hand-made TCP exchanges (support/tcpseq.h) run through
 * the connection table, the tracker and nl_flow_packet() exactly as the
 * pipeline does, with a recording callback, so each test asserts the
 * messages, segment maps and notes a capture would produce.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netlab/flow.h"
#include "support/guard.h"
#include "support/tcpseq.h"

#define MAXREC 256

static struct {
	struct nl_message msg[MAXREC];
	size_t n_msg;
	struct nl_segmap late[MAXREC];
	size_t n_late;
	struct nl_flow_note note[MAXREC];
	size_t n_note;
	uint8_t data[1 << 16]; /* NL_FLOW_DATA bytes, by stream offset */
	uint64_t data_next[2];
	size_t n_data;
	struct nl_flow_stats end;
	bool ended;
} R;

static struct nl_conn_table *CT;
static struct nl_flow_table *FT;
static struct tcpseq Q;
static struct nl_segmap MAP;

static void on_flow(void *arg, const struct nl_flow_event *ev)
{
	(void)arg;
	switch (ev->type) {
	case NL_FLOW_MESSAGE:
		assert_true(R.n_msg < MAXREC);
		R.msg[R.n_msg++] = *ev->u.message;
		break;
	case NL_FLOW_SEGMAP:
		assert_true(R.n_late < MAXREC);
		assert_true(ev->u.segmap->late);
		R.late[R.n_late++] = *ev->u.segmap;
		break;
	case NL_FLOW_NOTE:
		assert_true(R.n_note < MAXREC);
		R.note[R.n_note++] = *ev->u.note;
		/* a gap is where the data skips ahead */
		if (ev->u.note->type == NL_NOTE_GAP) {
			assert_int_equal(ev->u.note->offset,
					 R.data_next[ev->u.note->dir]);
			R.data_next[ev->u.note->dir] += ev->u.note->len;
		}
		break;
	case NL_FLOW_DATA: {
		const struct nl_flow_data *d = ev->u.data;
		/* data tiles each direction's stream in order */
		assert_int_equal(d->offset, R.data_next[d->dir]);
		R.data_next[d->dir] += d->len;
		if (d->dir == C && d->offset + d->len <= sizeof(R.data))
			memcpy(R.data + d->offset, d->data, d->len);
		R.n_data++;
		break;
	}
	case NL_FLOW_EV_COUNT:
		break;
	}
}

static void on_retire(void *arg, const struct nl_conn *c,
		      enum nl_conn_end_reason why)
{
	(void)arg;
	(void)why;
	if (nl_flow_conn_end(FT, c, &R.end))
		R.ended = true;
}

static void setup_with(const char *spec, uint32_t cap, bool want_data)
{
	memset(&R, 0, sizeof(R));
	tcpseq_init(&Q);
	struct nl_flow_config cfg;
	nl_flow_config_defaults(&cfg);
	char err[NL_ERRBUF_SIZE];
	assert_int_equal(nl_framing_parse(spec, &cfg.spec, err), NL_OK);
	cfg.cap = cap;
	cfg.want_data = want_data;
	assert_int_equal(nl_conntable_new(&CT, 64, 0, on_retire, NULL), NL_OK);
	assert_int_equal(nl_flowtable_new(&FT, &cfg, on_flow, NULL, err),
			 NL_OK);
}

static int teardown(void **state)
{
	(void)state;
	nl_conntable_free(CT);
	nl_flowtable_free(FT);
	CT = NULL;
	FT = NULL;
	guard_release();
	return 0;
}

static int setup_u32le(void **state)
{
	(void)state;
	setup_with("u32le", 16, true);
	return 0;
}

/* One segment from `from` carrying bytes p[0..len) at seq. */
static const struct nl_segmap *seg(int from, uint16_t flags, uint32_t seq,
				   uint32_t ack, const uint8_t *p,
				   uint32_t len)
{
	struct nl_packet *pkt =
	    (struct nl_packet *)tcpseq_build(&Q, from, flags, seq, ack, len);
	static uint64_t frame;
	pkt->frame = ++frame;
	pkt->payload = len ? guard_copy(p, len) : NULL;
	pkt->payload_caplen = len;
	Q.conn = nl_conntable_lookup(CT, pkt, &Q.dir, &Q.created);
	assert_non_null(Q.conn);
	nl_tcp_track(Q.conn, Q.dir, pkt, &Q.note, true);
	nl_flow_packet(FT, Q.conn, Q.dir, pkt, &MAP);
	return &MAP;
}

static uint64_t last_frame(void)
{
	return MAP.frame;
}

/* Client ISN 100, server ISN 500. */
static void handshake(void)
{
	seg(C, SYN, 100, 0, NULL, 0);
	seg(S, SYN | ACK, 500, 101, NULL, 0);
	seg(C, ACK, 101, 501, NULL, 0);
}

/* u32le framing: 4-byte little-endian length, then body of 'a'+i. */
static size_t msg_u32le(uint8_t *out, uint32_t body, uint8_t fill)
{
	out[0] = (uint8_t)body;
	out[1] = (uint8_t)(body >> 8);
	out[2] = (uint8_t)(body >> 16);
	out[3] = (uint8_t)(body >> 24);
	memset(out + 4, fill, body);
	return 4 + body;
}

static void end_all(void)
{
	nl_conntable_finish(CT);
}

static void test_merge(void **state)
{
	(void)state;
	handshake();
	uint8_t b[64];
	size_t n = msg_u32le(b, 5, 'a');
	n += msg_u32le(b + n, 5, 'b');
	n += msg_u32le(b + n, 4, 'c');
	const struct nl_segmap *m = seg(C, PSH | ACK, 101, 501, b, n);
	assert_int_equal(m->state, NL_SEGMAP_MAPPED);
	assert_int_equal(m->n_msgs, 3);
	assert_true(nl_segmap_merged(m));
	assert_false(nl_segmap_split(m));
	for (int i = 0; i < 3; i++) {
		assert_int_equal(m->parts[i].index, i + 1);
		assert_int_equal(m->parts[i].part, NL_PART_WHOLE);
	}
	assert_int_equal(m->parts[2].bytes, 8);
	assert_int_equal(m->parts[2].msg_len, 8);
	assert_int_equal(m->bytes, n);
	assert_int_equal(R.n_msg, 3);
	assert_int_equal(R.msg[0].len, 9);
	assert_int_equal(R.msg[0].header_len, 4);
	assert_int_equal(R.msg[1].offset, 9);
	assert_int_equal(R.msg[2].end, NL_MSG_COMPLETE);
	assert_int_equal(R.msg[2].n_frames, 1);
	assert_int_equal(R.msg[2].frames[0], last_frame());
	assert_memory_equal(R.msg[1].prefix, "\x05\0\0\0bbbbb", 9);
	assert_false(R.msg[1].split);
	end_all();
	assert_true(R.ended);
	assert_int_equal(R.end.dir[C].messages, 3);
	assert_int_equal(R.end.dir[C].merged_segs, 1);
	assert_int_equal(R.end.dir[C].max_msgs_per_seg, 3);
	assert_int_equal(R.end.dir[C].split_msgs, 0);
	assert_int_equal(R.end.dir[C].how, NL_HOW_OPTION);
	/* --follow's bytes are the stream */
	assert_memory_equal(R.data, b, n);
}

static void test_split(void **state)
{
	(void)state;
	handshake();
	static uint8_t b[3004];
	msg_u32le(b, 3000, 'x');
	const struct nl_segmap *m = seg(C, ACK, 101, 501, b, 1000);
	assert_int_equal(m->n_msgs, 1);
	assert_int_equal(m->parts[0].part, NL_PART_HEAD);
	assert_int_equal(m->parts[0].msg_len, 3004);
	assert_true(nl_segmap_split(m));
	uint64_t f1 = last_frame();
	m = seg(C, ACK, 1101, 501, b + 1000, 1000);
	assert_int_equal(m->parts[0].part, NL_PART_MIDDLE);
	assert_int_equal(m->parts[0].at, 1000);
	m = seg(C, PSH | ACK, 2101, 501, b + 2000, 1004);
	assert_int_equal(m->parts[0].part, NL_PART_TAIL);
	assert_int_equal(m->parts[0].bytes, 1004);
	assert_int_equal(R.n_msg, 1);
	assert_true(R.msg[0].split);
	assert_int_equal(R.msg[0].n_frames, 3);
	assert_int_equal(R.msg[0].frames[0], f1);
	assert_int_equal(R.msg[0].first_frame, f1);
	assert_int_equal(R.msg[0].last_frame, last_frame());
	assert_int_equal(R.msg[0].len, 3004);
	end_all();
	assert_int_equal(R.end.dir[C].split_msgs, 1);
	assert_int_equal(R.end.dir[C].max_segs_per_msg, 3);
	assert_int_equal(R.end.dir[C].merged_segs, 0);
}

/* tail of #1, whole #2, head of #3 in one segment */
static void test_tail_whole_head(void **state)
{
	(void)state;
	handshake();
	uint8_t b[64];
	size_t n = msg_u32le(b, 10, 'a');
	n += msg_u32le(b + n, 2, 'b');
	n += msg_u32le(b + n, 20, 'c');
	seg(C, ACK, 101, 501, b, 6);
	const struct nl_segmap *m = seg(C, ACK, 107, 501, b + 6, 20);
	assert_int_equal(m->n_msgs, 3);
	assert_int_equal(m->parts[0].part, NL_PART_TAIL);
	assert_int_equal(m->parts[0].bytes, 8);
	assert_int_equal(m->parts[1].part, NL_PART_WHOLE);
	assert_int_equal(m->parts[2].part, NL_PART_HEAD);
	assert_int_equal(m->parts[2].bytes, 6);
	assert_int_equal(m->parts[2].msg_len, 24);
	assert_true(nl_segmap_merged(m));
	assert_true(nl_segmap_split(m));
}

/* many tiny messages: the map lists the first parts and the last */
static void test_many_parts(void **state)
{
	(void)state;
	handshake();
	uint8_t b[5 * 40];
	size_t n = 0;
	for (int i = 0; i < 40; i++)
		n += msg_u32le(b + n, 1, (uint8_t)('0' + i % 10));
	const struct nl_segmap *m = seg(C, ACK, 101, 501, b, n);
	assert_int_equal(m->n_msgs, 40);
	assert_int_equal(m->n_parts, NL_SEGMAP_PARTS);
	assert_int_equal(m->parts[NL_SEGMAP_PARTS - 2].index,
			 NL_SEGMAP_PARTS - 1);
	assert_int_equal(m->parts[NL_SEGMAP_PARTS - 1].index, 40);
	assert_int_equal(R.n_msg, 40);
}

/* One run of a random exchange for test_fast_path_same(): every packet's
 * map, the late maps and the figures at the end. */
#define FP_SEGS 160
struct fp_run {
	struct nl_segmap map[FP_SEGS];
	struct nl_segmap late[MAXREC];
	size_t n_map, n_late, n_msg;
	uint64_t base; /* frame number before the data */
	struct nl_flow_stats end;
};

static void fp_exchange(const char *spec, uint32_t wanted, unsigned seed,
			struct fp_run *out)
{
	setup_with(spec, 16, false);
	nl_flowtable_set_wanted(FT, wanted);
	memset(out, 0, sizeof(*out));
	srand(seed);
	static uint8_t b[20000];
	size_t n = 0;
	while (n < sizeof(b) - 4 - 3000) {
		/* mostly small messages (merges), now and then a long one */
		uint32_t body = rand() % 8 ? (uint32_t)(rand() % 40)
					   : (uint32_t)(rand() % 3000);
		n += msg_u32le(b + n, body, (uint8_t)('a' + rand() % 26));
	}
	handshake();
	out->base = last_frame();
	size_t pos = 0, held = 0, held_len = 0;
	bool holding = false;
	while (pos < n && out->n_map < FP_SEGS - 2) {
		size_t len = 1 + (size_t)rand() % 1460;
		if (len > n - pos)
			len = n - pos;
		int r = rand() % 16;
		if (r == 0 && !holding && pos + len < n) {
			/* send it after the next one: out of order */
			holding = true;
			held = pos;
			held_len = len;
			pos += len;
			continue;
		}
		out->map[out->n_map++] = *seg(C, ACK | (r < 8 ? PSH : 0),
					      101 + (uint32_t)pos, 501, b + pos,
					      (uint32_t)len);
		if (r == 1) /* and again: a retransmission */
			out->map[out->n_map++] =
			    *seg(C, ACK, 101 + (uint32_t)pos, 501, b + pos,
				 (uint32_t)len);
		pos += len;
		if (holding) {
			holding = false;
			out->map[out->n_map++] =
			    *seg(C, ACK, 101 + (uint32_t)held, 501, b + held,
				 (uint32_t)held_len);
		}
	}
	seg(S, ACK, 501, 101 + (uint32_t)pos, NULL, 0);
	end_all();
	assert_true(R.ended);
	out->end = R.end;
	out->n_late = R.n_late;
	memcpy(out->late, R.late, sizeof(R.late));
	out->n_msg = R.n_msg;
	teardown(NULL);
}

static void fp_same_map(const struct nl_segmap *a, uint64_t base_a,
			const struct nl_segmap *b, uint64_t base_b)
{
	assert_int_equal(a->frame - base_a, b->frame - base_b);
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->offset, b->offset);
	assert_int_equal(a->bytes, b->bytes);
	assert_int_equal(a->n_msgs, b->n_msgs);
	assert_int_equal(a->n_parts, b->n_parts);
	for (unsigned i = 0; i < a->n_parts; i++) {
		assert_int_equal(a->parts[i].index, b->parts[i].index);
		assert_int_equal(a->parts[i].msg_len, b->parts[i].msg_len);
		assert_int_equal(a->parts[i].at, b->parts[i].at);
		assert_int_equal(a->parts[i].bytes, b->parts[i].bytes);
		assert_int_equal(a->parts[i].part, b->parts[i].part);
	}
}

/* Whole length-prefixed messages take a fast path when nobody takes
 * message events: the maps and figures must be those of the full path. */
static void test_fast_path_same(void **state)
{
	(void)state;
	const uint32_t all = (1u << NL_FLOW_MESSAGE) | (1u << NL_FLOW_SEGMAP) |
			     (1u << NL_FLOW_NOTE);
	const uint32_t no_msgs = (1u << NL_FLOW_SEGMAP) | (1u << NL_FLOW_NOTE);
	const char *specs[] = {"u32le", "auto"};
	static struct fp_run full, fast;
	for (unsigned k = 0; k < 2; k++)
		for (unsigned seed = 1; seed <= 6; seed++) {
			fp_exchange(specs[k], all, seed, &full);
			fp_exchange(specs[k], no_msgs, seed, &fast);
			assert_true(full.n_msg > 20);
			assert_int_equal(fast.n_msg, 0);
			assert_int_equal(full.n_map, fast.n_map);
			for (size_t i = 0; i < full.n_map; i++)
				fp_same_map(&full.map[i], full.base, &fast.map[i],
					    fast.base);
			assert_int_equal(full.n_late, fast.n_late);
			for (size_t i = 0; i < full.n_late; i++)
				fp_same_map(&full.late[i], full.base,
					    &fast.late[i], fast.base);
			const struct nl_flow_dir_stats *a = &full.end.dir[C],
						       *b = &fast.end.dir[C];
			assert_int_equal(a->messages, full.n_msg);
			assert_int_equal(a->messages, b->messages);
			assert_int_equal(a->incomplete, b->incomplete);
			assert_int_equal(a->data_segs, b->data_segs);
			assert_int_equal(a->merged_segs, b->merged_segs);
			assert_int_equal(a->split_msgs, b->split_msgs);
			assert_int_equal(a->max_msgs_per_seg,
					 b->max_msgs_per_seg);
			assert_int_equal(a->max_segs_per_msg,
					 b->max_segs_per_msg);
			assert_true(a->merged_segs > 0 && a->split_msgs > 0);
		}
}

static void test_out_of_order(void **state)
{
	(void)state;
	handshake();
	uint8_t b[64];
	size_t n = msg_u32le(b, 10, 'a');
	n += msg_u32le(b + n, 10, 'b');
	/* second half first */
	const struct nl_segmap *m = seg(C, ACK, 115, 501, b + 14, 14);
	uint64_t late_frame = last_frame();
	assert_int_equal(m->state, NL_SEGMAP_PENDING);
	assert_int_equal(R.n_msg, 0);
	m = seg(C, ACK, 101, 501, b, 14);
	assert_int_equal(m->state, NL_SEGMAP_MAPPED);
	assert_int_equal(m->n_msgs, 1);
	assert_int_equal(m->parts[0].part, NL_PART_WHOLE);
	assert_int_equal(R.n_late, 1);
	assert_int_equal(R.late[0].frame, late_frame);
	assert_int_equal(R.late[0].n_msgs, 1);
	assert_int_equal(R.late[0].parts[0].index, 2);
	assert_int_equal(R.late[0].parts[0].part, NL_PART_WHOLE);
	assert_int_equal(R.n_msg, 2);
	assert_int_equal(R.msg[1].frames[0], late_frame);
	assert_memory_equal(R.data, b, n);
}

static void test_retransmission(void **state)
{
	(void)state;
	handshake();
	uint8_t b[16];
	size_t n = msg_u32le(b, 6, 'a');
	seg(C, ACK, 101, 501, b, (uint32_t)n);
	const struct nl_segmap *m = seg(C, ACK, 101, 501, b, (uint32_t)n);
	assert_int_equal(m->state, NL_SEGMAP_RETRANS);
	assert_int_equal(R.n_msg, 1);
}

/* A length over --max-message: error at its offset, the message is cut,
 * and the framer starts over at the next segment. */
static void test_error_resync(void **state)
{
	(void)state;
	handshake();
	uint8_t bad[8] = {0xff, 0xff, 0xff, 0x7f, 'z', 'z', 'z', 'z'};
	seg(C, ACK, 101, 501, bad, 8);
	bool err = false;
	for (size_t i = 0; i < R.n_note; i++)
		if (R.note[i].type == NL_NOTE_FRAMING_ERROR) {
			err = true;
			assert_int_equal(R.note[i].offset, 0);
		}
	assert_true(err);
	assert_int_equal(R.n_msg, 1);
	assert_int_equal(R.msg[0].end, NL_MSG_CUT_ERROR);
	uint8_t b[16];
	size_t n = msg_u32le(b, 3, 'k');
	const struct nl_segmap *m = seg(C, ACK, 109, 501, b, (uint32_t)n);
	assert_int_equal(m->state, NL_SEGMAP_MAPPED);
	assert_int_equal(m->parts[0].part, NL_PART_WHOLE);
	assert_int_equal(R.n_msg, 2);
	assert_int_equal(R.msg[1].offset, 8);
	assert_int_equal(R.msg[1].len, 7);
	bool resync = false;
	for (size_t i = 0; i < R.n_note; i++)
		if (R.note[i].type == NL_NOTE_RESYNC) {
			resync = true;
			assert_int_equal(R.note[i].offset, 8);
		}
	assert_true(resync);
	end_all();
	assert_int_equal(R.end.dir[C].framing_errors, 1);
	assert_int_equal(R.end.dir[C].resyncs, 1);
}

/* The connection ends inside a message: it is reported, cut. */
static void test_cut_at_end(void **state)
{
	(void)state;
	handshake();
	uint8_t b[104];
	msg_u32le(b, 100, 'q');
	seg(C, ACK, 101, 501, b, 50);
	seg(C, FIN | ACK, 151, 501, NULL, 0);
	assert_int_equal(R.n_msg, 1);
	assert_int_equal(R.msg[0].end, NL_MSG_CUT_END);
	assert_int_equal(R.msg[0].len, 50);
	assert_int_equal(R.msg[0].declared, 104);
	end_all();
	assert_int_equal(R.end.dir[C].incomplete, 1);
	assert_int_equal(R.end.dir[C].messages, 0);
}

/* A segment never captured inside a body whose length is known: the
 * message survives (has_gap), the next one is found. */
static void test_gap_in_body(void **state)
{
	(void)state;
	handshake();
	uint8_t b[64];
	size_t n = msg_u32le(b, 30, 'a');
	n += msg_u32le(b + n, 3, 'b');
	seg(C, ACK, 101, 501, b, 10);
	/* bytes 10..20 never seen */
	seg(C, ACK, 121, 501, b + 20, (uint32_t)(n - 20));
	end_all();
	bool gap = false;
	for (size_t i = 0; i < R.n_note; i++)
		if (R.note[i].type == NL_NOTE_GAP) {
			gap = true;
			assert_int_equal(R.note[i].offset, 10);
			assert_int_equal(R.note[i].len, 10);
		}
	assert_true(gap);
	assert_int_equal(R.n_msg, 2);
	assert_int_equal(R.msg[0].end, NL_MSG_COMPLETE);
	assert_true(R.msg[0].has_gap);
	assert_int_equal(R.msg[0].len, 34);
	assert_int_equal(R.msg[1].offset, 34);
	assert_int_equal(R.msg[1].end, NL_MSG_COMPLETE);
}

/* A gap that takes the last bytes of a message: it is complete (with a
 * gap), and the next one starts in step. */
static void test_gap_at_message_end(void **state)
{
	(void)state;
	handshake();
	uint8_t b[64];
	size_t n = msg_u32le(b, 16, 'a');
	n += msg_u32le(b + n, 3, 'b');
	seg(C, ACK, 101, 501, b, 10);
	/* bytes 10..20 (the end of message 1) never seen */
	seg(C, ACK, 121, 501, b + 20, (uint32_t)(n - 20));
	end_all();
	assert_int_equal(R.n_msg, 2);
	assert_int_equal(R.msg[0].end, NL_MSG_COMPLETE);
	assert_true(R.msg[0].has_gap);
	assert_int_equal(R.msg[0].len, 20);
	assert_int_equal(R.msg[1].offset, 20);
	assert_int_equal(R.msg[1].end, NL_MSG_COMPLETE);
	assert_false(R.msg[1].has_gap);
}

/* Both directions, request then response. */
static void test_both_directions(void **state)
{
	(void)state;
	handshake();
	uint8_t q[16], a[16];
	size_t nq = msg_u32le(q, 3, 'q');
	size_t na = msg_u32le(a, 5, 'a');
	seg(C, PSH | ACK, 101, 501, q, (uint32_t)nq);
	const struct nl_segmap *m =
	    seg(S, PSH | ACK, 501, 101 + (uint32_t)nq, a, (uint32_t)na);
	assert_int_equal(m->dir, S);
	assert_int_equal(m->parts[0].index, 1);
	assert_int_equal(R.n_msg, 2);
	assert_int_equal(R.msg[1].dir, S);
	assert_int_equal(R.msg[1].len, 9);
}

/* Connections beyond --max-flows are counted, not analysed. */
static void test_table_full(void **state)
{
	(void)state;
	teardown(NULL);
	setup_with("u32le", 1, false);
	uint8_t b[16];
	size_t n = msg_u32le(b, 2, 'x');
	handshake();
	seg(C, ACK, 101, 501, b, (uint32_t)n);
	Q.cport = 40001;
	handshake();
	const struct nl_segmap *m = seg(C, ACK, 101, 501, b, (uint32_t)n);
	assert_int_equal(m->state, NL_SEGMAP_NOT_ANALYSED);
	struct nl_flow_counts k;
	nl_flowtable_counts(FT, &k);
	assert_int_equal(k.flows, 1);
	assert_int_equal(k.not_analysed, 1);
	assert_int_equal(k.active, 1);
	end_all();
	nl_flowtable_counts(FT, &k);
	assert_int_equal(k.active, 0);
	assert_int_equal(k.peak, 1);
}

/* A live slot is given back as soon as both streams ended, long before
 * the connection leaves the table: many connections one after the other
 * in a flow table of one, all analysed. */
static void test_slot_reuse(void **state)
{
	(void)state;
	teardown(NULL);
	setup_with("u32le", 1, false);
	uint8_t b[16];
	size_t n = msg_u32le(b, 2, 'x');
	for (int i = 0; i < 100; i++) {
		Q.cport = (uint16_t)(41000 + i);
		handshake();
		seg(C, ACK, 101, 501, b, (uint32_t)n);
		if (i % 2)
			seg(C, RST, 101 + (uint32_t)n, 0, NULL, 0);
		else {
			seg(C, FIN | ACK, 101 + (uint32_t)n, 501, NULL, 0);
			seg(S, FIN | ACK, 501, 102 + (uint32_t)n, NULL, 0);
		}
		struct nl_flow_counts k;
		nl_flowtable_counts(FT, &k);
		assert_int_equal(k.active, 0);
	}
	struct nl_flow_counts k;
	nl_flowtable_counts(FT, &k);
	assert_int_equal(k.flows, 100);
	assert_int_equal(k.not_analysed, 0);
	assert_int_equal(k.messages, 100);
	end_all();
	/* the figures outlive the live slot */
	assert_true(R.ended);
	assert_int_equal(R.end.dir[C].messages, 1);
}

/* The number of framing notes so far, and the last one. */
static const struct nl_flow_note *last_framing(size_t *n)
{
	const struct nl_flow_note *last = NULL;
	*n = 0;
	for (size_t i = 0; i < R.n_note; i++)
		if (R.note[i].type == NL_NOTE_FRAMING) {
			last = &R.note[i];
			(*n)++;
		}
	return last;
}

/* Auto-detection learns the framing per server port and direction: a
 * later connection to the same port is framed on its first message, one
 * to another port is not. */
static void test_port_learning(void **state)
{
	(void)state;
	teardown(NULL);
	setup_with("auto", 16, false);
	uint8_t b[64];
	size_t n = msg_u32le(b, 10, 'x'), k;
	handshake();
	uint32_t seq = 101;
	for (int i = 0; i < 4; i++, seq += (uint32_t)n)
		seg(C, ACK | PSH, seq, 501, b, (uint32_t)n);
	const struct nl_flow_note *fn = last_framing(&k);
	assert_int_equal(k, 1); /* four message ends decide early */
	assert_string_equal(fn->why, "messages end at segment ends");
	/* same server port: one message is enough */
	Q.cport = 41001;
	handshake();
	seg(C, ACK | PSH, 101, 501, b, (uint32_t)n);
	fn = last_framing(&k);
	assert_int_equal(k, 2);
	assert_int_equal(fn->spec.kind, NL_FRAMING_LENPREFIX);
	assert_int_equal(fn->spec.len_size, 4);
	assert_false(fn->spec.big_endian);
	assert_string_equal(fn->why, "the framing of this server port's other "
				     "connections explains it too");
	assert_int_equal(MAP.state, NL_SEGMAP_MAPPED);
	/* another server port: still undecided after one message */
	Q.cport = 41002;
	Q.sport = 81;
	handshake();
	seg(C, ACK | PSH, 101, 501, b, (uint32_t)n);
	last_framing(&k);
	assert_int_equal(k, 2);
	assert_int_equal(MAP.state, NL_SEGMAP_PENDING);
	end_all();
}

/* Half-close: the client's FIN ends its stream; the server still talks,
 * and the slot stays until both have ended. */
static void test_half_close(void **state)
{
	(void)state;
	handshake();
	uint8_t b[16];
	size_t n = msg_u32le(b, 3, 'h');
	seg(C, ACK, 101, 501, b, (uint32_t)n);
	seg(C, FIN | ACK, 101 + (uint32_t)n, 501, NULL, 0);
	struct nl_flow_counts k;
	nl_flowtable_counts(FT, &k);
	assert_int_equal(k.active, 1);
	const struct nl_segmap *m =
	    seg(S, ACK, 501, 102 + (uint32_t)n, b, (uint32_t)n);
	assert_int_equal(m->state, NL_SEGMAP_MAPPED);
	seg(S, FIN | ACK, 501 + (uint32_t)n, 102 + (uint32_t)n, NULL, 0);
	nl_flowtable_counts(FT, &k);
	assert_int_equal(k.active, 0);
	assert_int_equal(k.messages, 2);
	/* data after both ends is ignored, not analysed again */
	m = seg(C, ACK, 102 + (uint32_t)n, 502 + (uint32_t)n, b, 2);
	assert_int_equal(m->state, NL_SEGMAP_IGNORED);
}

/* Picked up mid-stream with a fixed framing: starts at the first byte. */
static void test_midstream_fixed(void **state)
{
	(void)state;
	uint8_t b[16];
	size_t n = msg_u32le(b, 4, 'm');
	const struct nl_segmap *m = seg(C, ACK, 7000, 9000, b, (uint32_t)n);
	assert_int_equal(m->state, NL_SEGMAP_MAPPED);
	assert_int_equal(R.n_msg, 1);
	assert_int_equal(R.msg[0].offset, 0);
}

/* Sequence numbers wrapping at 2^32 inside a message. */
static void test_wrap(void **state)
{
	(void)state;
	seg(C, SYN, 0xfffffff0u, 0, NULL, 0);
	seg(S, SYN | ACK, 500, 0xfffffff1u, NULL, 0);
	seg(C, ACK, 0xfffffff1u, 501, NULL, 0);
	uint8_t b[64];
	size_t n = msg_u32le(b, 40, 'w');
	seg(C, ACK, 0xfffffff1u, 501, b, 20);
	const struct nl_segmap *m =
	    seg(C, ACK, 0xfffffff1u + 20, 501, b + 20, (uint32_t)n - 20);
	assert_int_equal(m->parts[0].part, NL_PART_TAIL);
	assert_int_equal(R.n_msg, 1);
	assert_int_equal(R.msg[0].len, 44);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_merge, setup_u32le, teardown),
	    cmocka_unit_test_setup_teardown(test_split, setup_u32le, teardown),
	    cmocka_unit_test_setup_teardown(test_tail_whole_head, setup_u32le,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_many_parts, setup_u32le,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_out_of_order, setup_u32le,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_retransmission, setup_u32le,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_error_resync, setup_u32le,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_cut_at_end, setup_u32le,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_gap_in_body, setup_u32le,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_gap_at_message_end,
					    setup_u32le, teardown),
	    cmocka_unit_test_setup_teardown(test_both_directions, setup_u32le,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_table_full, setup_u32le,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_slot_reuse, setup_u32le,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_port_learning, setup_u32le,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_half_close, setup_u32le,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_midstream_fixed, setup_u32le,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_wrap, setup_u32le, teardown),
	    cmocka_unit_test(test_fast_path_same),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
