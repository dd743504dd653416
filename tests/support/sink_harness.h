/*
 * Shared harness of the output-sink tests (test_text, test_verbose,
 * test_json): a memory outbuf, a hand-filled packet, report options reset
 * before each test, and one event run through a fresh sink. Header-only
 * (static) so each test keeps its own state.
 */
#ifndef NETLAB_TEST_SINK_HARNESS_H
#define NETLAB_TEST_SINK_HARNESS_H

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netlab/report.h"

#define NL_TEST_UNUSED __attribute__((unused))

typedef enum nl_status (*sink_new_fn)(struct nl_sink *, struct nl_outbuf *,
				      const struct nl_report_opts *);

static struct nl_outbuf mem;
static struct nl_packet pkt;
static struct nl_report_opts opts;

NL_TEST_UNUSED static int setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	return nl_out_init(&mem, -1) ? 0 : -1;
}

NL_TEST_UNUSED static int teardown(void **state)
{
	(void)state;
	nl_out_free(&mem);
	return 0;
}

NL_TEST_UNUSED static int reset(void **state)
{
	(void)state;
	memset(&opts, 0, sizeof(opts));
	opts.time_style = NL_TIME_UTC;
	opts.time_digits = 6;
	mem.len = 0;
	return 0;
}

/* "10.0.0.1" or "::1" into a struct nl_addr */
NL_TEST_UNUSED static void addr(struct nl_addr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->b) == 1) {
		a->family = 4;
		return;
	}
	assert_int_equal(inet_pton(AF_INET6, s, a->b), 1);
	a->family = 6;
}

/* Run one event through a fresh sink made by make; the output,
 * NUL-terminated. */
NL_TEST_UNUSED static const char *run_sink(sink_new_fn make,
					   const struct nl_event *ev)
{
	struct nl_sink sink = {0}; /* gcc cannot tell the assert stops */
	mem.len = 0;
	assert_int_equal(make(&sink, &mem, &opts), NL_OK);
	sink.ops->on_event(sink.self, ev);
	sink.ops->close(sink.self);
	return nl_out_cstr(&mem);
}

#endif
