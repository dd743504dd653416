/*
 * gen demo's side-by-side table (netlab/demolayout.h), from hand-built
 * calls and segments: which row each lands on (merged sends, a split send,
 * a recv spanning segments, both directions, no capture, FIN, errors), and
 * the drawing (every line within the width, hostile payloads escaped, maps
 * and byte counts never cut, the fallback threshold), plus the demo's
 * --stacked, --width and --ascii options.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netlab/demolayout.h"
#include "netlab/gen.h"

#define MAXN 32

#include "support/memout.h"

/* A table under construction: calls in the order they happened. */
struct fix {
	struct nl_demo_call calls[MAXN];
	struct nl_demo_seg segs[MAXN];
	struct nl_demo_table t;
	int32_t call_row[MAXN], seg_row[MAXN];
	uint64_t index[2][2];
};

static void fix_init(struct fix *f)
{
	memset(f, 0, sizeof(*f));
	f->t.calls = f->calls;
	f->t.segs = f->segs;
	f->t.heading[0] = "Application sent (each send())";
	f->t.heading[1] = "Wire carried (each segment, captured on lo; "
			  "netlab's message map)";
	f->t.heading[2] = "Receiver got (each recv(); recv size 1024)";
}

/* side 0 client, 1 server; returns the call's position */
static uint32_t call(struct fix *f, enum nl_demo_call_kind kind, int side,
		     uint64_t off, int64_t ret, const char *data)
{
	uint32_t i = f->t.ncalls++;
	struct nl_demo_call *c = &f->calls[i];
	c->kind = kind;
	c->side = (uint8_t)side;
	c->index = ++f->index[kind == NL_DEMO_SEND][side];
	c->off = off;
	c->ret = ret;
	c->data = (const uint8_t *)data;
	c->dlen = data ? (uint32_t)strlen(data) : 0;
	return i;
}

static uint32_t seg(struct fix *f, uint64_t frame, int dir, uint64_t rel,
		    uint32_t len, const char *data, const char *map)
{
	uint32_t j = f->t.nsegs++;
	struct nl_demo_seg *s = &f->segs[j];
	s->frame = frame;
	s->dir = (uint8_t)dir;
	s->rel = rel;
	s->len = len;
	s->data = (const uint8_t *)data;
	s->dlen = data ? (uint32_t)strlen(data) : 0;
	s->map = map;
	return j;
}

static uint32_t fin(struct fix *f, uint64_t frame, int dir, uint64_t rel)
{
	uint32_t j = seg(f, frame, dir, rel, 0, NULL, NULL);
	f->segs[j].fin = true;
	return j;
}

static uint32_t align(struct fix *f)
{
	return nl_demo_layout_align(&f->t, f->call_row, f->seg_row);
}

/* The classic merge: three sends, a late recv that took all 14 bytes. */
static void merge_fixture(struct fix *f)
{
	fix_init(f);
	call(f, NL_DEMO_SEND, 0, 0, 5, "hello");
	call(f, NL_DEMO_SEND, 0, 5, 5, "world");
	call(f, NL_DEMO_SEND, 0, 10, 4, "egon");
	call(f, NL_DEMO_RECV, 1, 0, 14, "helloworldegon");
	call(f, NL_DEMO_RECV, 1, 14, 0, NULL);
	call(f, NL_DEMO_RECV, 0, 0, 0, NULL);
	seg(f, 4, 0, 0, 5, "hello", "msgs #1[5B]");
	seg(f, 6, 0, 5, 5, "world", "msgs #2[5B]");
	seg(f, 8, 0, 10, 4, "egon", "msgs #3[4B]");
	fin(f, 10, 0, 14);
	fin(f, 12, 1, 0);
}

static void test_align_one_segment_per_send(void **state)
{
	(void)state;
	struct fix f;
	merge_fixture(&f);
	assert_int_equal(align(&f), 5);
	assert_int_equal(f.call_row[0], 0);
	assert_int_equal(f.call_row[1], 1);
	assert_int_equal(f.call_row[2], 2);
	/* cause and effect: the recv on the row of its last byte's segment */
	assert_int_equal(f.call_row[3], 2);
	assert_int_equal(f.seg_row[2], 2);
	/* the peer-closed recvs on the rows of the FINs */
	assert_int_equal(f.call_row[4], f.seg_row[3]);
	assert_int_equal(f.call_row[5], f.seg_row[4]);
}

static void test_align_merged_sends(void **state)
{
	(void)state;
	struct fix f;
	fix_init(&f);
	call(&f, NL_DEMO_SEND, 0, 0, 5, "hello");
	call(&f, NL_DEMO_SEND, 0, 5, 5, "world");
	call(&f, NL_DEMO_SEND, 0, 10, 4, "egon");
	call(&f, NL_DEMO_RECV, 1, 0, 14, "helloworldegon");
	seg(&f, 4, 0, 0, 10, "helloworld", "msgs #1[5B] #2[5B]  MERGED 2");
	seg(&f, 6, 0, 10, 4, "egon", NULL);
	assert_int_equal(align(&f), 2);
	/* sends merged into one segment stack up beside it */
	assert_int_equal(f.call_row[0], 0);
	assert_int_equal(f.call_row[1], 0);
	assert_int_equal(f.call_row[2], 1);
	assert_int_equal(f.call_row[3], 1);

	/* all three in one segment: one row holds the whole story */
	fix_init(&f);
	call(&f, NL_DEMO_SEND, 0, 0, 5, "hello");
	call(&f, NL_DEMO_SEND, 0, 5, 5, "world");
	call(&f, NL_DEMO_SEND, 0, 10, 4, "egon");
	call(&f, NL_DEMO_RECV, 1, 0, 14, "helloworldegon");
	seg(&f, 4, 0, 0, 14, "helloworldegon", NULL);
	assert_int_equal(align(&f), 1);
	for (int i = 0; i < 4; i++)
		assert_int_equal(f.call_row[i], 0);
}

/* One 3000-byte send, MSS 988 on the wire, recv(1024) three times. */
static void split_fixture(struct fix *f)
{
	fix_init(f);
	call(f, NL_DEMO_SEND, 0, 0, 3000,
	     "NLG52af78a4:c1 m0 urteqrybgfewrepxxmhlp");
	call(f, NL_DEMO_RECV, 1, 0, 1024,
	     "NLG52af78a4:c1 m0 urteqrybgfewrepxxmhlp");
	call(f, NL_DEMO_RECV, 1, 1024, 1024,
	     "fdjoaptbrcjafsjieucybxwryifzacwzpdwiqbu");
	call(f, NL_DEMO_RECV, 1, 2048, 952,
	     "rysotcisocsrbhfcpvovdeaeedymluldgvwjdeo");
	for (int i = 0; i < 4; i++)
		f->calls[i].more = true;
	seg(f, 4, 0, 0, 988, "NLG52af78a4:c1 m0 urteqrybgfewrepxxmhlp",
	    "msgs #1[head 988B]  SPLIT");
	seg(f, 5, 0, 988, 988, "gswslyjpfcowmzvakiwpftqxoopisiqtzlahfdj",
	    "msgs #1[middle 988B]  SPLIT");
	seg(f, 6, 0, 1976, 988, "moucduivxjasflhohprddanpqiquygaukpkmnqj",
	    "msgs #1[middle 988B]  SPLIT");
	seg(f, 7, 0, 2964, 36, "pstfilcwfjesksqgjkxsjjwdcxneygwbyhpp",
	    "msgs #1[tail 36B]  SPLIT");
}

static void test_align_split_send(void **state)
{
	(void)state;
	struct fix f;
	split_fixture(&f);
	assert_int_equal(align(&f), 4);
	/* the send on its first segment's row, continuations below it */
	assert_int_equal(f.call_row[0], 0);
	for (int j = 0; j < 4; j++)
		assert_int_equal(f.seg_row[j], j);
	/* each recv where its last byte arrived: 1023 in frame 5, 2047 in
	 * frame 6, 2999 in frame 7 */
	assert_int_equal(f.call_row[1], 1);
	assert_int_equal(f.call_row[2], 2);
	assert_int_equal(f.call_row[3], 3);
}

static void test_align_recv_spanning_segments(void **state)
{
	(void)state;
	struct fix f;
	fix_init(&f);
	call(&f, NL_DEMO_SEND, 0, 0, 100, "a");
	call(&f, NL_DEMO_RECV, 1, 0, 40, "a");	/* ends inside frame 1 */
	call(&f, NL_DEMO_RECV, 1, 40, 10, "b"); /* ends exactly with it */
	call(&f, NL_DEMO_RECV, 1, 50, 50, "c"); /* spans frames 2 and 3 */
	seg(&f, 1, 0, 0, 50, "a", NULL);
	seg(&f, 2, 0, 50, 30, "c", NULL);
	seg(&f, 3, 0, 80, 20, "d", NULL);
	assert_int_equal(align(&f), 3);
	assert_int_equal(f.call_row[1], 0);
	assert_int_equal(f.call_row[2], 0);
	assert_int_equal(f.call_row[3], 2);
}

/* The ready protocol: both directions interleave, each row one way. */
static void ready_fixture(struct fix *f)
{
	fix_init(f);
	call(f, NL_DEMO_SEND, 0, 0, 1, "5");
	/* the receiver's thread may record before the sender's */
	call(f, NL_DEMO_RECV, 1, 0, 1, "5");
	call(f, NL_DEMO_SEND, 1, 0, 5, "ready");
	call(f, NL_DEMO_RECV, 0, 0, 5, "ready");
	call(f, NL_DEMO_RECV, 1, 1, 5, "hello");
	call(f, NL_DEMO_SEND, 0, 1, 5, "hello");
	seg(f, 4, 0, 0, 1, "5", "msgs #1[1B]");
	seg(f, 6, 1, 0, 5, "ready", "msgs #1[5B]");
	seg(f, 8, 0, 1, 5, "hello", "msgs #2[5B]");
}

static void test_align_both_directions(void **state)
{
	(void)state;
	struct fix f;
	ready_fixture(&f);
	assert_int_equal(align(&f), 3);
	assert_int_equal(f.call_row[0], 0);
	assert_int_equal(f.call_row[1], 0);
	assert_int_equal(f.call_row[2], 1);
	assert_int_equal(f.call_row[3], 1);
	assert_int_equal(f.call_row[4], 2);
	assert_int_equal(f.call_row[5], 2);
}

static void test_align_without_capture(void **state)
{
	(void)state;
	struct fix f;
	ready_fixture(&f);
	f.t.nsegs = 0;
	f.t.wire_empty = true;
	assert_int_equal(align(&f), 3);
	/* each send a row, with the recvs its bytes completed, even the one
	 * recorded before it */
	assert_int_equal(f.call_row[0], 0);
	assert_int_equal(f.call_row[1], 0);
	assert_int_equal(f.call_row[2], 1);
	assert_int_equal(f.call_row[3], 1);
	assert_int_equal(f.call_row[4], 2);
	assert_int_equal(f.call_row[5], 2);

	merge_fixture(&f);
	f.t.nsegs = 0;
	assert_int_equal(align(&f), 5);
	assert_int_equal(f.call_row[3], 2); /* with "egon" */
	assert_int_equal(f.call_row[4], 3); /* closes: rows of their own */
	assert_int_equal(f.call_row[5], 4);
}

static void test_align_errors_and_leftovers(void **state)
{
	(void)state;
	struct fix f;
	fix_init(&f);
	call(&f, NL_DEMO_SEND, 0, 0, 5, "hello");
	call(&f, NL_DEMO_SEND, 0, 5, -1, NULL); /* EAGAIN */
	call(&f, NL_DEMO_SEND, 0, 5, 5, "world");
	call(&f, NL_DEMO_RECV, 1, 0, 10, "helloworld");
	seg(&f, 4, 0, 0, 5, "hello", NULL);
	/* "world" never captured (not kept): a row of its own after */
	assert_int_equal(align(&f), 2);
	assert_int_equal(f.call_row[0], 0);
	assert_int_equal(f.call_row[1], 0); /* with the send before it */
	assert_int_equal(f.call_row[2], 1);
	assert_int_equal(f.call_row[3], 1);
	/* bytes missing from the capture: the FIN still says the sender had
	 * sent them all, so the recv and the close go on its row */
	fix_init(&f);
	call(&f, NL_DEMO_SEND, 0, 0, 10, "helloworld");
	call(&f, NL_DEMO_RECV, 1, 0, 10, "helloworld");
	call(&f, NL_DEMO_RECV, 1, 10, 0, NULL);
	seg(&f, 4, 0, 0, 5, "hello", NULL);
	fin(&f, 6, 0, 10);
	assert_int_equal(align(&f), 2);
	assert_int_equal(f.call_row[0], 0);
	assert_int_equal(f.call_row[1], 1);
	assert_int_equal(f.call_row[2], 1);
	/* no FIN captured: the close after the recv, on a row of its own */
	f.t.nsegs = 1;
	assert_int_equal(align(&f), 3);
	assert_int_equal(f.call_row[1], 1);
	assert_int_equal(f.call_row[2], 2);
}

/* ---- drawing ---- */

static const char *render(struct fix *f, unsigned width, bool ascii)
{
	struct nl_demo_style st = {.width = width, .ascii = ascii};
	mem.len = 0;
	if (!nl_demo_layout_render(&mem, &f->t, &st))
		return NULL;
	return nl_out_cstr(&mem);
}

static unsigned display_width(const char *s, size_t n)
{
	unsigned w = 0;
	for (size_t i = 0; i < n; i++)
		w += ((uint8_t)s[i] & 0xc0) != 0x80;
	return w;
}

/* Every line at most width columns; the table's lines all as wide. */
static void assert_lines_fit(const char *out, unsigned width)
{
	unsigned table = 0;
	for (const char *p = out; *p;) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);
		unsigned w = display_width(p, (size_t)(nl - p));
		if (w > width)
			fail_msg("%u columns > %u: %.*s", w, width,
				 (int)(nl - p), p);
		if (*p == '+' || *p == '|' || (uint8_t)*p == 0xe2) {
			if (!table)
				table = w;
			assert_int_equal(w, table);
		}
		p = nl + 1;
	}
	assert_true(table > 0);
}

/* The line holding needle; NULL if none. */
static const char *line_with(const char *out, const char *needle, char *buf,
			     size_t size)
{
	const char *hit = strstr(out, needle);
	if (!hit)
		return NULL;
	const char *start = hit;
	while (start > out && start[-1] != '\n')
		start--;
	const char *end = strchr(hit, '\n');
	size_t n = end ? (size_t)(end - start) : strlen(start);
	snprintf(buf, size, "%.*s", (int)n, start);
	return buf;
}

static void test_render_cause_effect_row(void **state)
{
	(void)state;
	struct fix f;
	char line[512];
	merge_fixture(&f);
	const char *out = render(&f, 120, true);
	assert_non_null(out);
	assert_non_null(line_with(out, "frame 8 ", line, sizeof(line)));
	assert_non_null(strstr(line, "c>s send #3 4 B \"egon\""));
	assert_non_null(strstr(line, "c>s recv #1 14 B \"helloworldegon\""));
	assert_non_null(line_with(out, "frame 4 ", line, sizeof(line)));
	assert_null(strstr(line, "recv"));
	assert_non_null(line_with(out, "frame 10 FIN", line, sizeof(line)));
	assert_non_null(strstr(line, "(peer closed)"));
	assert_lines_fit(out, 120);

	/* both directions marked in every cell */
	ready_fixture(&f);
	out = render(&f, 100, true);
	assert_non_null(out);
	assert_non_null(line_with(out, "frame 6 ", line, sizeof(line)));
	assert_non_null(strstr(line, "| s>c send #1 5 B \"ready\""));
	assert_non_null(strstr(line, "| s>c frame 6"));
	assert_non_null(strstr(line, "| s>c recv #1 5 B \"ready\""));
	assert_null(strstr(line, "c>s"));
}

static void test_render_hostile_payload(void **state)
{
	(void)state;
	static const char evil[] = "\x1b[2J\x1b]0;owned\x07\x9b"
				   "31m\xff\xc3\x28\xe2\x82 \"q\" \\ \r\n";
	struct fix f;
	fix_init(&f);
	call(&f, NL_DEMO_SEND, 0, 0, (int64_t)strlen(evil), evil);
	call(&f, NL_DEMO_RECV, 1, 0, (int64_t)strlen(evil), evil);
	seg(&f, 1, 0, 0, (uint32_t)strlen(evil), evil, "msgs #1[30B]");
	f.t.heading[1] = "Wire carried: skipped: \x1b[31mred\x9b";
	for (int ascii = 0; ascii < 2; ascii++)
		for (unsigned w = 90; w <= 200; w += 7) {
			const char *out = render(&f, w, ascii);
			assert_non_null(out);
			assert_null(strchr(out, 0x1b));
			assert_null(strchr(out, 0x07));
			assert_null(strchr(out, '\r'));
			for (const uint8_t *p = (const uint8_t *)out; *p; p++) {
				if (ascii)
					assert_true(*p < 0x80);
				/* raw bytes 0x9b, 0xff, 0xc3 never pass */
				assert_true(*p != 0x9b && *p != 0xff &&
					    *p != 0xc3);
			}
			assert_lines_fit(out, w);
		}
	const char *out = render(&f, 200, true);
	assert_non_null(strstr(out, "\"\\x1b[2J\\x1b]0;owned\\x07\\x9b"));
	/* a cut preview never ends inside an escape */
	out = render(&f, 90, true);
	assert_null(strstr(out, "\\x1\"")); /* "\x1b" cut to "\x1" */
	assert_null(strstr(out, "\\x\""));
	assert_null(strstr(out, "\\\"..."));
	assert_non_null(strstr(out, "\"..."));
}

static void test_render_narrow_widths(void **state)
{
	(void)state;
	struct fix f;
	void (*fixtures[])(struct fix *) = {merge_fixture, split_fixture,
					    ready_fixture};
	for (size_t k = 0; k < 3; k++)
		for (int ascii = 0; ascii < 2; ascii++)
			for (unsigned w = 90; w <= 260; w++) {
				fixtures[k](&f);
				const char *out = render(&f, w, ascii);
				assert_non_null(out);
				assert_lines_fit(out, w);
			}
	/* the table takes what it needs, not the whole terminal */
	merge_fixture(&f);
	const char *out = render(&f, 1000, true);
	assert_non_null(out);
	const char *nl = strchr(out, '\n');
	assert_true(nl - out < 300);
}

static void test_render_never_cuts_counts_or_maps(void **state)
{
	(void)state;
	static const char *map = "msgs #15[tail 531B] #16[370B] #17[head "
				 "547/818B] #18[2B] #19[2B] #20[2B] #21[2B] "
				 "...9 more #31[head 1/90000B]  MERGED 17  "
				 "SPLIT  OFFLOAD>MSS";
	struct fix f;
	split_fixture(&f);
	f.segs[1].map = map;
	f.segs[1].frame = 123456789012ull;
	f.segs[1].rel = 4000000000ull;
	for (unsigned w = 90; w <= 140; w += 5) {
		const char *out = render(&f, w, true);
		assert_non_null(out);
		assert_lines_fit(out, w);
		assert_non_null(strstr(out, "3000 B"));
		assert_non_null(strstr(out, "1024 B"));
		assert_non_null(strstr(out, "952 B"));
		assert_non_null(strstr(out, "frame 123456789012"));
		assert_non_null(strstr(out, "seq +4000000000"));
		/* every part of the map is there, whole */
		char copy[512];
		snprintf(copy, sizeof(copy), "%s", map);
		for (char *t = strtok(copy, " "); t; t = strtok(NULL, " "))
			if (!strstr(out, t))
				fail_msg("width %u: map part '%s' lost", w, t);
		assert_non_null(strstr(out, "MERGED 17"));
		/* previews are cut with an ellipsis instead */
		assert_non_null(strstr(out, "\"..."));
	}
	/* a part longer than its column is broken over lines, not cut */
	static const char *lng = "#1[head_1/1000000000000000000000000000000000"
				 "00000000000000B]";
	f.segs[0].map = lng;
	f.t.heading[1] = "Wire carried: skipped: /dev/a-very-long-device-"
			 "name-without-any-spaces-in-it-at-all";
	for (unsigned w = 90; w <= 140; w += 5) {
		const char *out = render(&f, w, w & 1);
		assert_non_null(out);
		assert_lines_fit(out, w);
		size_t have = 0; /* the characters of lng, in order */
		for (const char *p = out; *p && lng[have]; p++)
			if (*p == lng[have])
				have++;
		assert_int_equal(have, strlen(lng));
	}
}

static void test_render_more_rows(void **state)
{
	(void)state;
	struct fix f;
	split_fixture(&f);
	f.t.max_rows = 2;
	f.t.more_segs = 10;
	const char *out = render(&f, 120, true);
	assert_non_null(out);
	assert_non_null(
	    strstr(out, "  ... 2 more rows: 12 segments, 2 recv() calls\n"));
	assert_null(strstr(out, "frame 6 "));
}

static void test_fallback_threshold(void **state)
{
	(void)state;
	assert_false(nl_demo_layout_fits(0));
	assert_false(nl_demo_layout_fits(NL_DEMO_MIN_WIDTH - 1));
	assert_true(nl_demo_layout_fits(NL_DEMO_MIN_WIDTH));
	assert_int_equal(NL_DEMO_MIN_WIDTH, 90);
	struct fix f;
	merge_fixture(&f);
	mem.len = 0;
	struct nl_demo_style st = {.width = 89, .ascii = true};
	assert_false(nl_demo_layout_render(&mem, &f.t, &st));
	assert_int_equal(mem.len, 0);
	st.width = 90;
	assert_true(nl_demo_layout_render(&mem, &f.t, &st));
	assert_true(mem.len > 0);
}

static void test_utf8_glyphs(void **state)
{
	(void)state;
	struct fix f;
	merge_fixture(&f);
	const char *out = render(&f, 120, false);
	assert_non_null(out);
	assert_non_null(strstr(out, "\u250c\u2500")); /* ┌─ */
	assert_non_null(strstr(out, "\u2502 c\u2192s send #1"));
	assert_null(strstr(out, "c>s"));
	out = render(&f, 120, true);
	assert_null(strstr(out, "\u2502"));
	assert_non_null(strstr(out, "+-"));
}

/* ---- options ---- */

static int parse_demo(struct nl_gen_opts *o, char *err, const char *line)
{
	static char buf[256];
	char *argv[16];
	int argc = 0;
	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && argc < 15; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	err[0] = '\0';
	return nl_gen_parse(o, argv[0][0] == 'd' ? NL_GEN_DEMO : NL_GEN_CLIENT,
			    argc, argv, err);
}

static void test_options(void **state)
{
	(void)state;
	struct nl_gen_opts o;
	char err[NL_ERRBUF_SIZE];
	assert_int_equal(parse_demo(&o, err, "demo merge"), 0);
	assert_false(o.stacked);
	assert_false(o.ascii);
	assert_int_equal(o.width, 0);
	assert_int_equal(
	    parse_demo(&o, err, "demo merge --stacked --width 100 --ascii"), 0);
	assert_true(o.stacked);
	assert_true(o.ascii);
	assert_int_equal(o.width, 100);
	assert_int_equal(parse_demo(&o, err, "demo merge --width 5"), -1);
	assert_non_null(strstr(err, "--width"));
	assert_int_equal(parse_demo(&o, err, "demo merge --width 1001"), -1);
	assert_int_equal(
	    parse_demo(&o, err,
		       "client 127.0.0.1:9 --scenario merge --stacked"),
	    -1);
	assert_non_null(strstr(err, "does not apply"));
	mem.len = 0;
	nl_gen_usage(NL_GEN_DEMO, &mem);
	const char *help = nl_out_cstr(&mem);
	assert_non_null(strstr(help, "--stacked"));
	assert_non_null(strstr(help, "--width N"));
	assert_non_null(strstr(help, "--ascii"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_align_one_segment_per_send),
	    cmocka_unit_test(test_align_merged_sends),
	    cmocka_unit_test(test_align_split_send),
	    cmocka_unit_test(test_align_recv_spanning_segments),
	    cmocka_unit_test(test_align_both_directions),
	    cmocka_unit_test(test_align_without_capture),
	    cmocka_unit_test(test_align_errors_and_leftovers),
	    cmocka_unit_test(test_render_cause_effect_row),
	    cmocka_unit_test(test_render_hostile_payload),
	    cmocka_unit_test(test_render_narrow_widths),
	    cmocka_unit_test(test_render_never_cuts_counts_or_maps),
	    cmocka_unit_test(test_render_more_rows),
	    cmocka_unit_test(test_fallback_threshold),
	    cmocka_unit_test(test_utf8_glyphs),
	    cmocka_unit_test(test_options),
	};
	return cmocka_run_group_tests(tests, memout_setup, memout_teardown);
}
