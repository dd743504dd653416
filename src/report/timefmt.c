/*
 * Timestamps. Civil dates are computed arithmetically (gmtime() per packet
 * would cost a call and a struct per line), and the local-time offset comes
 * from one localtime_r() per hour of capture time: glibc's localtime() may
 * stat the zone file on every call when TZ is unset.
 */
#include "netlab/timefmt.h"

#include <time.h>

#define SECS_PER_DAY  86400
#define SECS_PER_HOUR 3600

/* An hour in which the offset changes (a DST switch on a half hour). */
#define OFFSET_MIXED INT64_MIN

struct civil {
	int64_t year;
	unsigned month, day;
};

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/*
 * Days since 1970-01-01 to a proleptic Gregorian date: H. Hinnant's
 * civil_from_days, exact for every int64 day count we can see.
 */
static struct civil civil_from_days(int64_t z)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097; /* 0..146096 */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* 0..365 */
	int64_t mp = (5 * doy + 2) / 153;		       /* March = 0 */
	struct civil c;
	c.day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	c.month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	c.year = yoe + era * 400 + (c.month <= 2);
	return c;
}

static int64_t offset_at(int64_t sec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	if (!localtime_r(&t, &tm))
		return 0;
	return tm.tm_gmtoff;
}

static int64_t local_offset(struct nl_timefmt *tf, int64_t sec)
{
	int64_t hour = floor_div(sec, SECS_PER_HOUR);
	if (!tf->have_cache || tf->cached_hour != hour) {
		/* Zone changes fall on the UTC hour almost everywhere; check
		 * both ends so a half-hour switch (Lord Howe Island) is not
		 * cached for the whole hour. */
		int64_t a = offset_at(hour * SECS_PER_HOUR);
		int64_t b = offset_at(hour * SECS_PER_HOUR + SECS_PER_HOUR - 1);
		tf->cached_hour = hour;
		tf->cached_offset = a == b ? a : OFFSET_MIXED;
		tf->have_cache = true;
	}
	if (tf->cached_offset == OFFSET_MIXED)
		return offset_at(sec);
	return tf->cached_offset;
}

static void write_frac(struct nl_outbuf *o, uint32_t nsec, unsigned digits)
{
	nl_out_char(o, '.');
	nsec %= 1000000000; /* a bad pcapng fraction must not widen the field */
	if (digits == 9)
		nl_out_u64_pad(o, nsec, 9, '0');
	else
		nl_out_u64_pad(o, nsec / 1000, 6,
			       '0'); /* truncate, as tcpdump */
}

static void write_hms(struct nl_outbuf *o, int64_t secs_of_day)
{
	nl_out_u64_pad(o, (uint64_t)(secs_of_day / 3600), 2, '0');
	nl_out_char(o, ':');
	nl_out_u64_pad(o, (uint64_t)(secs_of_day / 60 % 60), 2, '0');
	nl_out_char(o, ':');
	nl_out_u64_pad(o, (uint64_t)(secs_of_day % 60), 2, '0');
}

static void write_date(struct nl_outbuf *o, int64_t days)
{
	struct civil c = civil_from_days(days);
	if (c.year < 0) {
		nl_out_char(o, '-');
		nl_out_u64_pad(o, (uint64_t)0 - (uint64_t)c.year, 4, '0');
	} else {
		nl_out_u64_pad(o, (uint64_t)c.year, 4, '0');
	}
	nl_out_char(o, '-');
	nl_out_u64_pad(o, c.month, 2, '0');
	nl_out_char(o, '-');
	nl_out_u64_pad(o, c.day, 2, '0');
}

/* Clock time (with the date when asked) of sec + offset. */
static void write_clock(struct nl_outbuf *o, int64_t sec, uint32_t nsec,
			int64_t offset, bool date, unsigned digits)
{
	int64_t t = sec + offset;
	int64_t days = floor_div(t, SECS_PER_DAY);
	if (date) {
		write_date(o, days);
		nl_out_char(o, ' ');
	}
	write_hms(o, t - days * SECS_PER_DAY);
	write_frac(o, nsec, digits);
}

/*
 * A signed duration a - b as seconds with a fraction: "-0.000250". Done in
 * unsigned arithmetic so that garbage timestamps (a pcapng resolution gone
 * wrong) cannot overflow.
 */
static void write_diff(struct nl_outbuf *o, const struct nl_time *a,
		       const struct nl_time *b, unsigned digits)
{
	if (a->sec < b->sec || (a->sec == b->sec && a->nsec < b->nsec)) {
		const struct nl_time *t = a;
		a = b;
		b = t;
		nl_out_char(o, '-'); /* out-of-order timestamps */
	}
	uint64_t s = (uint64_t)a->sec - (uint64_t)b->sec;
	uint32_t an = a->nsec % 1000000000, bn = b->nsec % 1000000000;
	uint32_t ns;
	if (an >= bn) {
		ns = an - bn;
	} else {
		ns = an + 1000000000 - bn;
		s--;
	}
	nl_out_u64(o, s);
	write_frac(o, ns, digits);
}

/* Far beyond any real capture (142 million years): the date arithmetic
 * below stays clear of overflow inside this range. */
#define SANE_SEC ((int64_t)1 << 52)

static bool sane(int64_t sec)
{
	return sec > -SANE_SEC && sec < SANE_SEC;
}

void nl_timefmt_init(struct nl_timefmt *tf, enum nl_time_style style,
		     unsigned digits)
{
	*tf = (struct nl_timefmt){0};
	tf->style = style;
	tf->digits = digits == 9 ? 9 : 6;
}

void nl_timefmt_write(struct nl_timefmt *tf, struct nl_outbuf *o,
		      const struct nl_time *ts)
{
	if (!tf->have_first) {
		tf->first = *ts;
		tf->prev = *ts;
		tf->have_first = true;
	}
	enum nl_time_style style = tf->style;
	if (!sane(ts->sec) && (style == NL_TIME_LOCAL || style == NL_TIME_UTC ||
			       style == NL_TIME_DATE))
		style = NL_TIME_EPOCH;
	switch (style) {
	case NL_TIME_LOCAL:
		write_clock(o, ts->sec, ts->nsec, local_offset(tf, ts->sec),
			    false, tf->digits);
		break;
	case NL_TIME_UTC:
		write_clock(o, ts->sec, ts->nsec, 0, false, tf->digits);
		break;
	case NL_TIME_DATE:
		write_clock(o, ts->sec, ts->nsec, local_offset(tf, ts->sec),
			    true, tf->digits);
		break;
	case NL_TIME_RELATIVE:
		write_diff(o, ts, &tf->first, tf->digits);
		break;
	case NL_TIME_DELTA:
		write_diff(o, ts, &tf->prev, tf->digits);
		break;
	case NL_TIME_EPOCH: {
		struct nl_time zero = {0, 0};
		write_diff(o, ts, &zero, tf->digits);
		break;
	}
	case NL_TIME_NONE:
	case NL_TIME_STYLE_COUNT:
		break;
	}
	tf->prev = *ts;
}

void nl_time_write_iso(struct nl_outbuf *o, const struct nl_time *ts)
{
	int64_t sec = ts->sec;
	if (!sane(sec))
		sec = sec < 0 ? -SANE_SEC : SANE_SEC;
	int64_t days = floor_div(sec, SECS_PER_DAY);
	write_date(o, days);
	nl_out_char(o, 'T');
	write_hms(o, sec - days * SECS_PER_DAY);
	write_frac(o, ts->nsec, 9);
	nl_out_char(o, 'Z');
}

void nl_time_write_epoch(struct nl_outbuf *o, const struct nl_time *ts)
{
	struct nl_time zero = {0, 0};
	write_diff(o, ts, &zero, 9);
}
