/*
 * A memory output buffer shared by the tests of a group: what a sink or an
 * escaper writes lands in `mem` (struct nl_outbuf with no file), set up and
 * freed around the group:
 *   return cmocka_run_group_tests(tests, memout_setup, memout_teardown);
 */
#ifndef NETLAB_TEST_MEMOUT_H
#define NETLAB_TEST_MEMOUT_H

#include "netlab/outbuf.h"

static struct nl_outbuf mem;

static int memout_setup(void **state)
{
	(void)state;
	return nl_out_init(&mem, -1) ? 0 : -1;
}

static int memout_teardown(void **state)
{
	(void)state;
	nl_out_free(&mem);
	return 0;
}

#endif
