/*
 * Regression (issue 6, hostile corpus tcp-options.pcap): a TCP option the
 * decoder rejects (bad length, or cut by the end of the header) was printed
 * with a value it never carried ("<mss 0>", "<ts 0/0>"). Real frames are
 * decoded and printed by the one-line and -v printers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netlab/decode.h"
#include "netlab/report.h"

/* Ethernet + IPv4 (10.0.0.1 > 10.0.0.2, TCP) + TCP SYN 40000 > 9000 with
 * doff words of header; opts fill the header after the first 20 bytes. */
static size_t syn_frame(uint8_t *f, const uint8_t *opts, size_t n_opts)
{
	static const uint8_t head[] = {
	    /* Ethernet */
	    0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
	    /* IPv4, total length patched below */
	    0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
	    /* TCP, data offset patched below */
	    0x9c, 0x40, 0x23, 0x28, 0, 0, 0x03, 0xe8, 0, 0, 0, 0, 0x00, 0x02,
	    0xff, 0xff, 0, 0, 0, 0};
	size_t tcp_len = 20 + n_opts;
	memcpy(f, head, sizeof(head));
	memcpy(f + sizeof(head), opts, n_opts);
	f[16] = (uint8_t)((20 + tcp_len) >> 8);
	f[17] = (uint8_t)(20 + tcp_len);
	f[14 + 20 + 12] = (uint8_t)((tcp_len / 4) << 4);
	return sizeof(head) + n_opts;
}

static const char *print(const uint8_t *opts, size_t n_opts, bool verbose)
{
	static uint8_t f[128];
	static struct nl_packet pkt;
	static struct nl_outbuf o;
	size_t n = syn_frame(f, opts, n_opts);
	struct nl_decode_opts dopts = {0};
	nl_decode_packet(&pkt, &dopts, NL_DLT_EN10MB, f, (uint32_t)n,
			 (uint32_t)n);
	pkt.frame = 1;
	nl_out_free(&o);
	assert_true(nl_out_init(&o, -1));
	struct nl_report_opts r = {.time_style = NL_TIME_NONE,
				   .time_digits = 6};
	struct nl_sink s = {0}; /* gcc cannot tell the assert stops */
	if (verbose)
		assert_int_equal(nl_sink_verbose_new(&s, &o, &r), NL_OK);
	else
		assert_int_equal(nl_sink_text_new(&s, &o, &r), NL_OK);
	struct nl_event ev = {.type = NL_EV_PACKET, .pkt = &pkt};
	s.ops->on_event(s.self, &ev);
	s.ops->close(s.self);
	return nl_out_cstr(&o);
}

static void test_bad_length_options_show_no_value(void **state)
{
	(void)state;
	/* MSS length 0, MSS length 3, window scale length 4, then a
	 * timestamp whose length runs past the header */
	static const uint8_t mss0[] = {2, 0, 0, 0};
	static const uint8_t mss3[] = {2, 3, 5, 1, 1, 1, 1, 1};
	static const uint8_t ws4[] = {3, 4, 7, 0};
	static const uint8_t ts_cut[] = {1, 1, 8, 10};
	const struct {
		const uint8_t *opts;
		size_t n;
		const char *want;
	} cases[] = {
	    {mss0, sizeof(mss0), "mss ?"},
	    {mss3, sizeof(mss3), "mss ?,nop,nop,nop,nop,nop"},
	    {ws4, sizeof(ws4), "ws ?"},
	    {ts_cut, sizeof(ts_cut), "nop,nop,ts ?"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int v = 0; v < 2; v++) {
			const char *out = print(cases[i].opts, cases[i].n, v);
			if (!strstr(out, cases[i].want) ||
			    !strstr(out, "option length"))
				fail_msg("case %zu (%s): want %s in:\n%s", i,
					 v ? "-v" : "text", cases[i].want, out);
			assert_null(strstr(out, "mss 0"));
			assert_null(strstr(out, "ts 0/0"));
		}
	}
}

static void test_good_options_keep_their_values(void **state)
{
	(void)state;
	static const uint8_t good[] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 8, 10,
				       0, 0, 0,	   5,	 0, 0, 0, 6, 0, 0};
	const char *out = print(good, sizeof(good), false);
	if (!strstr(out, "<mss 1460,nop,ws 7,ts 5/6,eol"))
		fail_msg("got:\n%s", out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_length_options_show_no_value),
	    cmocka_unit_test(test_good_options_keep_their_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
