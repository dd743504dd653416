/*
 * Timestamps: civil dates across leap years and the epoch (computed without
 * gmtime, so compared against known values), 6 vs 9 digits, relative and
 * delta styles, and the cached local offset across DST changes (POSIX TZ
 * strings, so no zone files are needed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "netlab/timefmt.h"

static struct nl_outbuf mem;

static int setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	return nl_out_init(&mem, -1) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	nl_out_free(&mem);
	return 0;
}

static const char *take(void)
{
	static char copy[4096];
	snprintf(copy, sizeof(copy), "%s", nl_out_cstr(&mem));
	mem.len = 0;
	return copy;
}

static const char *iso(int64_t sec, uint32_t nsec)
{
	struct nl_time t = {sec, nsec};
	nl_time_write_iso(&mem, &t);
	return take();
}

static void test_iso_dates(void **state)
{
	(void)state;
	assert_string_equal(iso(0, 0), "1970-01-01T00:00:00.000000000Z");
	assert_string_equal(iso(1700000000, 123456789),
			    "2023-11-14T22:13:20.123456789Z");
	/* leap days: 2000 (divisible by 400) and 2024 are leap, 2100 and
	 * 1900 are not */
	assert_string_equal(iso(951782400, 0),
			    "2000-02-29T00:00:00.000000000Z");
	assert_string_equal(iso(951868800 - 1, 0),
			    "2000-02-29T23:59:59.000000000Z");
	assert_string_equal(iso(951868800, 0),
			    "2000-03-01T00:00:00.000000000Z");
	assert_string_equal(iso(1709164800, 0),
			    "2024-02-29T00:00:00.000000000Z");
	assert_string_equal(iso(4107456000 + 86400, 0),
			    "2100-03-01T00:00:00.000000000Z");
	assert_string_equal(iso(4107456000, 0),
			    "2100-02-28T00:00:00.000000000Z");
	assert_string_equal(iso(-2203891200 - 86400, 0),
			    "1900-02-28T00:00:00.000000000Z");
	assert_string_equal(iso(-11670998400, 0),
			    "1600-02-29T00:00:00.000000000Z");
	/* before the epoch: floor, not truncation */
	assert_string_equal(iso(-1, 999999999),
			    "1969-12-31T23:59:59.999999999Z");
	assert_string_equal(iso(-86400, 0), "1969-12-31T00:00:00.000000000Z");
	assert_string_equal(iso(-62135596800, 0),
			    "0001-01-01T00:00:00.000000000Z");
	assert_string_equal(iso(253402214400 + 86399, 1),
			    "9999-12-31T23:59:59.000000001Z");
	/* year 2038 and the end of 32-bit time_t */
	assert_string_equal(iso(2147483647, 0),
			    "2038-01-19T03:14:07.000000000Z");
	assert_string_equal(iso(4294967295, 0),
			    "2106-02-07T06:28:15.000000000Z");
}

/* Every day from 1900 to 2200 against gmtime_r: no drift anywhere. */
static void test_iso_against_gmtime(void **state)
{
	(void)state;
	for (int64_t t = -2208988800; t < 7258118400; t += 86400 + 3601) {
		time_t tt = (time_t)t;
		struct tm tm;
		assert_non_null(gmtime_r(&tt, &tm));
		char want[64];
		snprintf(want, sizeof(want),
			 "%04d-%02d-%02dT%02d:%02d:%02d.000000000Z",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec);
		assert_string_equal(iso(t, 0), want);
	}
}

static void test_epoch(void **state)
{
	(void)state;
	struct nl_time t = {1700000000, 123456789};
	nl_time_write_epoch(&mem, &t);
	assert_string_equal(take(), "1700000000.123456789");
	t = (struct nl_time){-1, 500000000}; /* -0.5 s */
	nl_time_write_epoch(&mem, &t);
	assert_string_equal(take(), "-0.500000000");
	t = (struct nl_time){0, 0};
	nl_time_write_epoch(&mem, &t);
	assert_string_equal(take(), "0.000000000");
}

static const char *fmt(struct nl_timefmt *tf, int64_t sec, uint32_t nsec)
{
	struct nl_time t = {sec, nsec};
	nl_timefmt_write(tf, &mem, &t);
	return take();
}

static void test_styles(void **state)
{
	(void)state;
	struct nl_timefmt tf;
	nl_timefmt_init(&tf, NL_TIME_UTC, 6);
	/* 6 digits truncate (as tcpdump), never round up into the second */
	assert_string_equal(fmt(&tf, 1700000000, 999999999), "22:13:20.999999");
	nl_timefmt_init(&tf, NL_TIME_UTC, 9);
	assert_string_equal(fmt(&tf, 1700000000, 5), "22:13:20.000000005");
	nl_timefmt_init(&tf, NL_TIME_UTC, 7); /* anything else means 6 */
	assert_string_equal(fmt(&tf, 0, 1000), "00:00:00.000001");

	nl_timefmt_init(&tf, NL_TIME_LOCAL, 6); /* TZ=UTC */
	assert_string_equal(fmt(&tf, 1700000000, 123456000), "22:13:20.123456");
	nl_timefmt_init(&tf, NL_TIME_DATE, 6);
	assert_string_equal(fmt(&tf, 1700000000, 123456000),
			    "2023-11-14 22:13:20.123456");
	nl_timefmt_init(&tf, NL_TIME_EPOCH, 6);
	assert_string_equal(fmt(&tf, 1700000000, 123456789),
			    "1700000000.123456");
	nl_timefmt_init(&tf, NL_TIME_NONE, 6);
	assert_string_equal(fmt(&tf, 1700000000, 0), "");
}

static void test_relative_delta(void **state)
{
	(void)state;
	struct nl_timefmt rel, delta;
	nl_timefmt_init(&rel, NL_TIME_RELATIVE, 6);
	nl_timefmt_init(&delta, NL_TIME_DELTA, 9);
	static const struct nl_time ts[] = {
	    {100, 900000000}, {101, 100000000},
	    {101, 100000000}, {100, 850000000}, /* out of order: negative */
	    {160, 0},
	};
	static const char *const want_rel[] = {
	    "0.000000", "0.200000", "0.200000", "-0.050000", "59.100000",
	};
	static const char *const want_delta[] = {
	    "0.000000000",  "0.200000000",  "0.000000000",
	    "-0.250000000", "59.150000000",
	};
	for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		assert_string_equal(fmt(&rel, ts[i].sec, ts[i].nsec),
				    want_rel[i]);
		assert_string_equal(fmt(&delta, ts[i].sec, ts[i].nsec),
				    want_delta[i]);
	}
}

/* Central Europe: +1, +2 in summer; the switch is on the UTC hour. */
static void test_local_dst(void **state)
{
	(void)state;
	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	tzset();
	struct nl_timefmt tf;
	nl_timefmt_init(&tf, NL_TIME_DATE, 6);
	/* 2024-03-31 00:59:59 UTC is 01:59:59 CET; one second later the
	 * clocks jump to 03:00 CEST */
	assert_string_equal(fmt(&tf, 1711846799, 0),
			    "2024-03-31 01:59:59.000000");
	assert_string_equal(fmt(&tf, 1711846800, 0),
			    "2024-03-31 03:00:00.000000");
	/* back within the cached hour, then back again */
	assert_string_equal(fmt(&tf, 1711846799, 0),
			    "2024-03-31 01:59:59.000000");
	assert_string_equal(fmt(&tf, 1711850400, 0),
			    "2024-03-31 04:00:00.000000");
	/* 2024-10-27 01:00 UTC: 03:00 CEST becomes 02:00 CET */
	assert_string_equal(fmt(&tf, 1729990799, 0),
			    "2024-10-27 02:59:59.000000");
	assert_string_equal(fmt(&tf, 1729990800, 0),
			    "2024-10-27 02:00:00.000000");
	/* local midnight on another day than UTC */
	assert_string_equal(fmt(&tf, 1700000000 + 6000, 0),
			    "2023-11-15 00:53:20.000000");

	/* Lord Howe Island: +10:30, +11 in summer, switching at 02:00 local
	 * standard time, i.e. on the half hour in UTC. The offset must not
	 * be cached for the whole UTC hour. 2024-10-06 02:00 LHST is
	 * 2024-10-05 15:30 UTC = 1728142200. */
	setenv("TZ", "LHST-10:30LHDT-11,M10.1.0,M4.1.0", 1);
	tzset();
	nl_timefmt_init(&tf, NL_TIME_LOCAL, 6);
	assert_string_equal(fmt(&tf, 1728142200 - 1800, 0), "01:30:00.000000");
	assert_string_equal(fmt(&tf, 1728142200 - 1, 0), "01:59:59.000000");
	assert_string_equal(fmt(&tf, 1728142200, 0), "02:30:00.000000");
	assert_string_equal(fmt(&tf, 1728142200 + 1799, 0), "02:59:59.000000");
	assert_string_equal(fmt(&tf, 1728142200 - 1700, 0), "01:31:40.000000");

	setenv("TZ", "UTC", 1);
	tzset();
}

/* Garbage timestamps (a bad pcapng resolution) must not overflow. */
static void test_extremes(void **state)
{
	(void)state;
	struct nl_timefmt tf;
	nl_timefmt_init(&tf, NL_TIME_UTC, 9);
	assert_string_equal(fmt(&tf, INT64_MAX, 999999999),
			    "9223372036854775807.999999999");
	nl_timefmt_init(&tf, NL_TIME_RELATIVE, 6);
	assert_string_equal(fmt(&tf, INT64_MIN, 0), "0.000000");
	assert_string_equal(fmt(&tf, INT64_MAX, 0),
			    "18446744073709551615.000000");
	nl_timefmt_init(&tf, NL_TIME_EPOCH, 6);
	assert_string_equal(fmt(&tf, INT64_MIN, 0),
			    "-9223372036854775808.000000");
	/* a fraction of a second that is not one */
	nl_timefmt_init(&tf, NL_TIME_UTC, 6);
	assert_string_equal(fmt(&tf, 0, 4000000000u), "00:00:00.000000");
	(void)iso(INT64_MIN, 0);
	(void)iso(INT64_MAX, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_iso_dates),
	    cmocka_unit_test(test_iso_against_gmtime),
	    cmocka_unit_test(test_epoch),
	    cmocka_unit_test(test_styles),
	    cmocka_unit_test(test_relative_delta),
	    cmocka_unit_test(test_local_dst),
	    cmocka_unit_test(test_extremes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
