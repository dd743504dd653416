/*
 * TCP stream reassembly, randomized: a random byte stream cut into random
 * segments, shuffled, duplicated, partly overlapped (with identical or
 * different bytes), partly lost or cut by the snapshot length, fed under
 * tight memory caps, over thousands of fixed seeds. What comes out must be
 * exactly what the rules say, byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/reasm_rec.h"

/* ---- randomized property test ---- */

static uint64_t rng;
static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

struct rseg {
	uint32_t off, len, cap;
	uint16_t flags;
	const uint8_t *data;
};

struct prop {
	bool drop;	     /* some segments never captured */
	bool snap;	     /* some cut short by the snapshot length */
	bool mutate;	     /* overlapping copies carry different bytes */
	uint32_t cap_chunks; /* 0: no cap in play */
	enum nl_reasm_overlap policy;
};

enum { PROP_SEGS = 512, PROP_LEN = 8192 };

static uint32_t feed_index;	/* segment being fed */
static uint16_t when[PROP_LEN]; /* feed index at which a byte went out */

static void prop_event(void *ctx, const struct nl_reasm_stream *s,
		       const struct nl_reasm_event *e)
{
	if (e->type == NL_REASM_DATA)
		for (uint64_t i = 0; i < e->len && e->offset + i < PROP_LEN;
		     i++)
			when[e->offset + i] = (uint16_t)feed_index;
	on_event(ctx, s, e);
}

/* The byte the policy must deliver at offset i: the first copy fed, or
 * the last one fed up to the moment the byte went out. */
static uint8_t prop_expect(const struct rseg *segs, size_t n, uint32_t i,
			   enum nl_reasm_overlap policy)
{
	int found = -1;
	for (size_t j = 0; j < n && j <= when[i]; j++) {
		if (i < segs[j].off || i >= segs[j].off + segs[j].cap)
			continue;
		found = (int)j;
		if (policy == NL_REASM_FIRST)
			break;
	}
	assert_true(found >= 0);
	return segs[found].data[i - segs[found].off];
}

/*
 * A random stream, cut into random segments, with duplicates and
 * overlapping copies mixed in, shuffled, fed from a random ISN (a quarter
 * of them across 2^32). The stream carries a FIN, always captured, so the
 * end is known. DATA + GAP must tile [0, len) exactly (the recorder checks
 * it), gaps only where nothing was captured, and every byte delivered must
 * be the copy the policy picks (with identical copies: the original).
 */
static void prop_run(uint64_t seed, const struct prop *o)
{
	static uint8_t orig[PROP_LEN], variants[PROP_SEGS * 600];
	static struct rseg segs[PROP_SEGS];
	static uint8_t covered[PROP_LEN];
	size_t vused = 0;
	rng = seed * 0x9e3779b97f4a7c15ull + 1;
	uint32_t len = 1 + rnd(PROP_LEN - 1);
	for (uint32_t i = 0; i < len; i++)
		orig[i] = (uint8_t)rnd(256);
	uint32_t isn = rnd(4) == 0 ? 0xffffffffu - rnd(2 * len) : rnd(~0u);
	size_t n = 0;
	for (uint32_t off = 0; off < len && n < PROP_SEGS - 1;) {
		uint32_t l = 1 + rnd(rnd(4) == 0 ? 1500 : 200);
		if (l > len - off)
			l = len - off;
		segs[n++] = (struct rseg){off, l, l, 0, orig + off};
		off += l;
	}
	/* duplicates and random overlapping copies */
	size_t extra = rnd((uint32_t)n + 1);
	for (size_t i = 0; i < extra && n < PROP_SEGS - 1; i++) {
		struct rseg g;
		if (rnd(2)) {
			g = segs[rnd((uint32_t)n)];
		} else {
			uint32_t a = rnd(len), l = 1 + rnd(600);
			if (l > len - a)
				l = len - a;
			g = (struct rseg){a, l, l, 0, orig + a};
		}
		if (o->mutate && g.len <= 600) {
			uint8_t *v = variants + vused;
			memcpy(v, g.data, g.len);
			for (uint32_t k = 0; k < g.len; k++)
				if (rnd(10) == 0)
					v[k] ^= (uint8_t)(1 + rnd(255));
			vused += g.len;
			g.data = v;
		}
		segs[n++] = g;
	}
	memset(covered, 0, len);
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		struct rseg g = segs[i];
		if (o->drop && rnd(8) == 0)
			continue;
		if (o->snap && rnd(8) == 0)
			g.cap = rnd(g.len);
		for (uint32_t k = 0; k < g.cap; k++)
			covered[g.off + k] = 1;
		segs[kept++] = g;
	}
	n = kept;
	segs[n++] = (struct rseg){len, 0, 0, FIN, orig};
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = rnd((uint32_t)i + 1);
		struct rseg t = segs[i];
		segs[i] = segs[j];
		segs[j] = t;
	}
	uint32_t chunks = o->cap_chunks ? o->cap_chunks : 1024;
	open_reasm((uint64_t)chunks * NL_REASM_CHUNK,
		   (uint64_t)chunks * NL_REASM_CHUNK, o->policy);
	REC.pool = R;
	REC.pool_limit = chunks;
	memset(when, 0, sizeof(when));
	feed_to(&S, &REC, isn, SYN, NULL, 0, 0);
	for (size_t i = 0; i < n; i++) {
		struct rseg *g = &segs[i];
		struct nl_reasm_seg seg = {
		    isn + 1 + g->off, g->flags, guard_copy(g->data, g->cap),
		    g->cap,	      g->len,	++frame_no};
		feed_index = (uint32_t)i;
		nl_reasm_segment(R, &S, &seg, prop_event, &REC);
	}
	feed_index = (uint32_t)n;
	nl_reasm_finish(R, &S, prop_event, &REC);
	if (REC.next != len)
		fail_msg("seed %llu: reached %llu of %u",
			 (unsigned long long)seed, (unsigned long long)REC.next,
			 len);
	bool exact = !o->cap_chunks && !o->snap;
	for (uint32_t i = 0; i < len; i++) {
		if (REC.state[i] == 1 &&
		    REC.out[i] != prop_expect(segs, n, i, o->policy))
			fail_msg("seed %llu: byte %u differs",
				 (unsigned long long)seed, i);
		/* without a cap or a cut, exactly the bytes captured are
		 * delivered (a cut copy that reaches the delivery point
		 * first makes its bytes a gap, whatever follows) */
		if (exact && REC.state[i] != (covered[i] ? 1 : 2))
			fail_msg("seed %llu: byte %u state %u, covered %u",
				 (unsigned long long)seed, i, REC.state[i],
				 covered[i]);
		if (!covered[i] && REC.state[i] != 2)
			fail_msg("seed %llu: byte %u invented",
				 (unsigned long long)seed, i);
	}
	if (!o->mutate)
		assert_int_equal(S.c.conflicts, 0);
	assert_int_equal(REC.count[NL_REASM_FIN], 1);
	assert_int_equal(S.c.delivered_bytes + S.c.gap_bytes, len);
	if (!o->drop && !o->snap && !o->cap_chunks)
		assert_int_equal(S.c.gaps, 0);
	assert_int_equal(pool_in_use(), 0);
}

static void test_property_clean(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 2000; seed++)
		prop_run(seed, &(struct prop){0});
}

static void test_property_lossy(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 1000; seed++)
		prop_run(seed, &(struct prop){.drop = true});
}

static void test_property_snaplen(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 1000; seed++)
		prop_run(seed,
			 &(struct prop){.drop = seed % 2 == 0, .snap = true});
}

static void test_property_capped(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 1000; seed++)
		prop_run(seed, &(struct prop){
				   .drop = seed % 2 == 0,
				   .snap = seed % 3 == 0,
				   .cap_chunks = 1 + (uint32_t)(seed % 5),
			       });
}

static void test_property_policies(void **state)
{
	(void)state;
	unsigned conflicts = 0;
	for (uint64_t seed = 1; seed <= 1000; seed++) {
		prop_run(seed, &(struct prop){.mutate = true,
					      .drop = seed % 4 == 0,
					      .policy = NL_REASM_FIRST});
		conflicts += S.c.conflicts != 0;
		prop_run(seed, &(struct prop){.mutate = true,
					      .drop = seed % 4 == 0,
					      .policy = NL_REASM_LAST});
	}
	assert_true(conflicts > 500); /* the test does test conflicts */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_property_clean),
	    cmocka_unit_test(test_property_lossy),
	    cmocka_unit_test(test_property_snaplen),
	    cmocka_unit_test(test_property_capped),
	    cmocka_unit_test(test_property_policies),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
