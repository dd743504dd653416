/*
 * A recording consumer for the reassembly tests: it checks, on every event,
 * that DATA and GAP events tile the stream from offset 0 with no hole and no
 * byte twice, copies the delivered bytes, and keeps the event list so a test
 * can assert the exact sequence. Payloads are fed from buffers against an
 * unmapped page (support/guard.h), so a read past a segment's captured bytes
 * faults.
 *
 * Header-only: each test file gets its own copy of the state (R, S, REC).
 */
#ifndef NETLAB_TEST_REASM_REC_H
#define NETLAB_TEST_REASM_REC_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netlab/decode.h"
#include "netlab/reasm.h"
#include "support/guard.h"

#define SYN NL_TCP_SYN
#define FIN NL_TCP_FIN
#define RST NL_TCP_RST

#define OUT_MAX (1u << 20)
#define EVS_MAX 4096

struct ev {
	enum nl_reasm_ev_type type;
	uint8_t reason;
	uint64_t off, len, frame;
};

struct rec {
	uint8_t *out;	/* delivered bytes by offset */
	uint8_t *state; /* per offset: 0 nothing, 1 data, 2 gap */
	uint64_t next;	/* DATA and GAP must continue exactly here */
	struct ev evs[EVS_MAX];
	size_t n;
	size_t count[NL_REASM_EV_COUNT];
	const uint8_t *last_data;    /* data pointer of the last DATA */
	const struct nl_reasm *pool; /* to check the cap on every event */
	uint32_t pool_limit;	     /* chunks in use never above this */
};

static struct nl_reasm *R;
static struct nl_reasm_stream S;
static struct rec REC;
static uint64_t frame_no;

static inline void on_event(void *ctx, const struct nl_reasm_stream *s,
			    const struct nl_reasm_event *e)
{
	struct rec *rc = ctx;
	(void)s;
	/* events about bytes are never empty */
	if (e->type <= NL_REASM_AFTER_FIN && e->len == 0)
		fail_msg("empty %s at %llu", nl_reasm_ev_name(e->type),
			 (unsigned long long)e->offset);
	if (e->type == NL_REASM_DATA || e->type == NL_REASM_GAP) {
		if (e->offset != rc->next)
			fail_msg("%s at %llu, expected %llu",
				 nl_reasm_ev_name(e->type),
				 (unsigned long long)e->offset,
				 (unsigned long long)rc->next);
		assert_true(e->len > 0);
		for (uint64_t i = 0; i < e->len && e->offset + i < OUT_MAX;
		     i++) {
			rc->state[e->offset + i] =
			    e->type == NL_REASM_DATA ? 1 : 2;
			if (e->type == NL_REASM_DATA)
				rc->out[e->offset + i] = e->data[i];
		}
		rc->next += e->len;
		if (e->type == NL_REASM_DATA)
			rc->last_data = e->data;
	}
	if (rc->pool) {
		struct nl_reasm_pool_stats ps;
		nl_reasm_pool_stats(rc->pool, &ps);
		assert_true(ps.in_use <= rc->pool_limit);
	}
	rc->count[e->type]++;
	if (rc->n < EVS_MAX)
		rc->evs[rc->n++] = (struct ev){e->type, e->reason, e->offset,
					       e->len, e->frame};
}

static inline void rec_reset(struct rec *rc)
{
	uint8_t *out = rc->out, *state = rc->state;
	memset(rc, 0, sizeof(*rc));
	rc->out = out;
	rc->state = state;
	memset(rc->out, 0, OUT_MAX);
	memset(rc->state, 0, OUT_MAX);
}

static inline void open_reasm(uint64_t max_buffer, uint64_t max_stream,
			      enum nl_reasm_overlap policy)
{
	struct nl_reasm_config cfg = {max_buffer, max_stream, policy};
	char err[NL_ERRBUF_SIZE];
	nl_reasm_free(R);
	R = NULL;
	assert_int_equal(nl_reasm_new(&R, &cfg, err), NL_OK);
	nl_reasm_stream_init(&S);
	rec_reset(&REC);
	frame_no = 0;
}

static inline int setup(void **state)
{
	(void)state;
	REC.out = malloc(OUT_MAX);
	REC.state = malloc(OUT_MAX);
	if (!REC.out || !REC.state)
		return -1;
	open_reasm(0, 0, NL_REASM_FIRST);
	return 0;
}

static inline int teardown(void **state)
{
	(void)state;
	nl_reasm_free(R);
	R = NULL;
	free(REC.out);
	free(REC.state);
	guard_release();
	return 0;
}

/* One segment into stream s: len bytes as sent, caplen of them captured. */
static inline const uint8_t *feed_to(struct nl_reasm_stream *s, struct rec *rc,
				     uint32_t seq, uint16_t flags,
				     const void *bytes, uint32_t caplen,
				     uint32_t len)
{
	const uint8_t *p = guard_copy(bytes, caplen);
	struct nl_reasm_seg seg = {seq, flags, p, caplen, len, ++frame_no};
	nl_reasm_segment(R, s, &seg, on_event, rc);
	return p;
}

static inline const uint8_t *feed(uint32_t seq, uint16_t flags,
				  const char *text)
{
	uint32_t n = (uint32_t)strlen(text);
	return feed_to(&S, &REC, seq, flags, text, n, n);
}

static inline void finish(void)
{
	nl_reasm_finish(R, &S, on_event, &REC);
}

static inline void expect_out(const char *text)
{
	size_t n = strlen(text);
	assert_int_equal(REC.next, n);
	assert_memory_equal(REC.out, text, n);
}

static inline void expect_ev(size_t i, enum nl_reasm_ev_type type, uint64_t off,
			     uint64_t len)
{
	if (i >= REC.n)
		fail_msg("event %zu missing (have %zu)", i, REC.n);
	if (REC.evs[i].type != type || REC.evs[i].off != off ||
	    REC.evs[i].len != len)
		fail_msg("event %zu: %s %llu+%llu, expected %s %llu+%llu", i,
			 nl_reasm_ev_name(REC.evs[i].type),
			 (unsigned long long)REC.evs[i].off,
			 (unsigned long long)REC.evs[i].len,
			 nl_reasm_ev_name(type), (unsigned long long)off,
			 (unsigned long long)len);
}

static inline uint32_t pool_in_use(void)
{
	struct nl_reasm_pool_stats ps;
	nl_reasm_pool_stats(R, &ps);
	return ps.in_use;
}

#endif
