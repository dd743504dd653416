/*
 * Buffered output without stdio. The formatters write straight into the
 * buffer after one capacity check, so printing a field costs a few stores;
 * this is what lets the one-line printer keep up with replay.
 */
#include "netlab/outbuf.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Memory mode starts small (tests print a few lines) and doubles. */
#define MEM_INITIAL_CAP 4096
#define MEM_DEFAULT_MAX (64u * 1024 * 1024)

static const char hexdig[] = "0123456789abcdef";

/* "00" "01" … "99": two digits per table look-up halves the divisions. */
static const char digits2[] = "00010203040506070809"
			      "10111213141516171819"
			      "20212223242526272829"
			      "30313233343536373839"
			      "40414243444546474849"
			      "50515253545556575859"
			      "60616263646566676869"
			      "70717273747576777879"
			      "80818283848586878889"
			      "90919293949596979899";

/*
 * After a failure every formatter must take the slow path and drop its
 * output: shrinking cap makes the fast-path test fail. A descriptor's
 * pending bytes are discarded; memory mode keeps what it has (tests read it).
 */
static void fail(struct nl_outbuf *o, int err)
{
	o->failed = true;
	o->write_errno = err;
	if (o->fd >= 0) {
		o->len = 0;
		o->cap = 0;
	} else {
		o->cap = o->buf ? o->len + 1 : 0;
	}
}

/*
 * Write all of p, retrying after signals and partial writes. A non-blocking
 * descriptor (a terminal shared with another process can be one) waits in
 * poll() rather than spinning or losing output.
 */
static bool write_all(struct nl_outbuf *o, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(o->fd, p, n);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = {.fd = o->fd, .events = POLLOUT};
			if (poll(&pfd, 1, -1) >= 0 || errno == EINTR)
				continue;
		}
		/* write() returning 0 for n > 0 would loop for ever */
		fail(o, w < 0 ? errno : EIO);
		return false;
	}
	return true;
}

bool nl_out_init(struct nl_outbuf *o, int fd)
{
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	o->cap = fd >= 0 ? NL_OUTBUF_SIZE : MEM_INITIAL_CAP;
	o->cap_max = fd >= 0 ? NL_OUTBUF_SIZE : MEM_DEFAULT_MAX;
	o->buf = malloc(o->cap);
	if (!o->buf) {
		o->cap = 0;
		fail(o, ENOMEM);
		return false;
	}
	return true;
}

void nl_out_free(struct nl_outbuf *o)
{
	/* pending output is not lost when a caller frees without flushing */
	if (o->fd >= 0)
		(void)nl_out_flush(o);
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}

bool nl_out_flush(struct nl_outbuf *o)
{
	if (o->failed)
		return false;
	if (o->fd < 0 || o->len == 0)
		return true;
	size_t n = o->len;
	o->len = 0;
	return write_all(o, o->buf, n);
}

/* Memory mode: grow to hold need bytes in all (plus a NUL for cstr). */
static bool mem_grow(struct nl_outbuf *o, size_t need)
{
	size_t max = o->cap_max ? o->cap_max : MEM_DEFAULT_MAX;
	if (need > max) {
		fail(o, ENOBUFS);
		return false;
	}
	size_t cap = o->cap ? o->cap : MEM_INITIAL_CAP;
	while (cap < need)
		cap = cap > max / 2 ? max : cap * 2;
	char *nb = realloc(o->buf, cap);
	if (!nb) {
		fail(o, ENOMEM);
		return false;
	}
	o->buf = nb;
	o->cap = cap;
	return true;
}

/*
 * Room for n more bytes (n small: at most a formatted field), or NULL when
 * output is being dropped. The common case is one comparison.
 */
static inline char *reserve(struct nl_outbuf *o, size_t n)
{
	if (o->len + n < o->cap)
		return o->buf + o->len;
	if (o->failed || !o->buf)
		return NULL;
	if (o->fd >= 0) {
		if (!nl_out_flush(o))
			return NULL;
		if (n < o->cap)
			return o->buf;
		fail(o, EMSGSIZE); /* no formatter asks for this much */
		return NULL;
	}
	if (!mem_grow(o, o->len + n + 1))
		return NULL;
	return o->buf + o->len;
}

void nl_out_reserve(struct nl_outbuf *o, size_t n)
{
	(void)reserve(o, n);
}

void nl_out_write(struct nl_outbuf *o, const void *p, size_t n)
{
	if (n == 0 || o->failed || !o->buf)
		return;
	if (o->len + n < o->cap) {
		memcpy(o->buf + o->len, p, n);
		o->len += n;
		return;
	}
	if (o->fd >= 0) {
		const char *s = p;
		/* fill the buffer up to the brim so writes stay full-sized */
		size_t room = o->cap - o->len;
		memcpy(o->buf + o->len, s, room);
		o->len += room;
		s += room;
		n -= room;
		if (!nl_out_flush(o))
			return;
		if (n >= o->cap) {
			(void)write_all(o, s, n);
			return;
		}
		memcpy(o->buf, s, n);
		o->len = n;
		return;
	}
	char *d = reserve(o, n);
	if (!d)
		return;
	memcpy(d, p, n);
	o->len += n;
}

void nl_out_str(struct nl_outbuf *o, const char *s)
{
	nl_out_write(o, s, strlen(s));
}

void nl_out_char(struct nl_outbuf *o, char ch)
{
	char *d = reserve(o, 1);
	if (!d)
		return;
	*d = ch;
	o->len++;
}

void nl_out_repeat(struct nl_outbuf *o, char ch, size_t n)
{
	while (n > 0) {
		size_t k = n < 256 ? n : 256;
		char *d = reserve(o, k);
		if (!d)
			return;
		memset(d, ch, k);
		o->len += k;
		n -= k;
	}
}

/* clang-format off */
static const uint64_t pow10[20] = {
	1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u,
	100000000u, 1000000000u, 10000000000u, 100000000000u,
	1000000000000u, 10000000000000u, 100000000000000u,
	1000000000000000u, 10000000000000000u, 100000000000000000u,
	1000000000000000000u, 10000000000000000000u,
};
/* clang-format on */

/* Decimal digits of v without a division: log10 from the bit length
 * (1233/4096 ~ log10(2)), corrected by one table comparison. */
static unsigned count_digits(uint64_t v)
{
	if (v < 10)
		return 1;
	unsigned bits = 64 - (unsigned)__builtin_clzll(v);
	unsigned d = (bits * 1233) >> 12;
	return d + (v >= pow10[d]);
}

/* Writes the nd digits of v ending just before end. */
static void put_digits(char *end, uint64_t v)
{
	char *p = end;
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100) * 2;
		v /= 100;
		*--p = digits2[r + 1];
		*--p = digits2[r];
	}
	if (v >= 10) {
		*--p = digits2[v * 2 + 1];
		*--p = digits2[v * 2];
	} else {
		*--p = (char)('0' + v);
	}
}

void nl_out_u64(struct nl_outbuf *o, uint64_t v)
{
	unsigned nd = count_digits(v);
	char *d = reserve(o, 20);
	if (!d)
		return;
	put_digits(d + nd, v);
	o->len += nd;
}

void nl_out_i64(struct nl_outbuf *o, int64_t v)
{
	if (v < 0) {
		nl_out_char(o, '-');
		/* unsigned negation: INT64_MIN has no positive int64_t */
		nl_out_u64(o, (uint64_t)0 - (uint64_t)v);
		return;
	}
	nl_out_u64(o, (uint64_t)v);
}

void nl_out_u64_pad(struct nl_outbuf *o, uint64_t v, unsigned width, char pad)
{
	unsigned nd = count_digits(v);
	if (width > nd)
		nl_out_repeat(o, pad, width - nd);
	nl_out_u64(o, v);
}

void nl_out_hex(struct nl_outbuf *o, uint64_t v, unsigned min_digits)
{
	unsigned nd = 1;
	for (uint64_t t = v >> 4; t; t >>= 4)
		nd++;
	if (min_digits > nd)
		nl_out_repeat(o, '0', min_digits - nd);
	char *d = reserve(o, 16);
	if (!d)
		return;
	for (unsigned i = nd; i > 0; i--) {
		d[i - 1] = hexdig[v & 15];
		v >>= 4;
	}
	o->len += nd;
}

void nl_out_hexbyte(struct nl_outbuf *o, uint8_t b)
{
	char *d = reserve(o, 2);
	if (!d)
		return;
	d[0] = hexdig[b >> 4];
	d[1] = hexdig[b & 15];
	o->len += 2;
}

void nl_out_mac(struct nl_outbuf *o, const uint8_t mac[6])
{
	char *d = reserve(o, 17);
	if (!d)
		return;
	for (int i = 0; i < 6; i++) {
		d[i * 3] = hexdig[mac[i] >> 4];
		d[i * 3 + 1] = hexdig[mac[i] & 15];
		if (i < 5)
			d[i * 3 + 2] = ':';
	}
	o->len += 17;
}

static char *put_u8(char *d, uint8_t b)
{
	if (b >= 100) {
		*d++ = (char)('0' + b / 100);
		b %= 100;
		*d++ = digits2[b * 2];
		*d++ = digits2[b * 2 + 1];
	} else if (b >= 10) {
		*d++ = digits2[b * 2];
		*d++ = digits2[b * 2 + 1];
	} else {
		*d++ = (char)('0' + b);
	}
	return d;
}

static char *put_ipv4(char *d, const uint8_t a[4])
{
	d = put_u8(d, a[0]);
	*d++ = '.';
	d = put_u8(d, a[1]);
	*d++ = '.';
	d = put_u8(d, a[2]);
	*d++ = '.';
	return put_u8(d, a[3]);
}

void nl_out_ipv4(struct nl_outbuf *o, const uint8_t a[4])
{
	char *d = reserve(o, 15);
	if (!d)
		return;
	o->len += (size_t)(put_ipv4(d, a) - d);
}

/* A 16-bit group in lowercase hex without leading zeros (RFC 5952 §4.1). */
static char *put_group(char *d, unsigned g)
{
	int shift = 12;
	while (shift > 0 && ((g >> shift) & 15) == 0)
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		*d++ = hexdig[(g >> shift) & 15];
	return d;
}

void nl_out_ipv6(struct nl_outbuf *o, const uint8_t a[16])
{
	char *d = reserve(o, 46);
	if (!d)
		return;
	char *start = d;
	unsigned g[8];
	for (int i = 0; i < 8; i++)
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];

	/* RFC 5952 §5: IPv4-mapped addresses end in dotted decimal */
	if (!g[0] && !g[1] && !g[2] && !g[3] && !g[4] && g[5] == 0xffff) {
		memcpy(d, "::ffff:", 7);
		d = put_ipv4(d + 7, a + 12);
		o->len += (size_t)(d - start);
		return;
	}

	/* §4.2.2-4.2.3: compress the longest run of two or more zero groups,
	 * the first one when runs tie */
	int best = -1, best_len = 1;
	for (int i = 0; i < 8;) {
		if (g[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && !g[j])
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j;
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			*d++ = ':';
			*d++ = ':';
			i += best_len - 1;
			continue;
		}
		if (i > 0 && i != best + best_len)
			*d++ = ':';
		d = put_group(d, g[i]);
	}
	o->len += (size_t)(d - start);
}

void nl_out_printf(struct nl_outbuf *o, const char *fmt, ...)
{
	if (o->failed || !o->buf)
		return;
	va_list ap;
	va_start(ap, fmt);
	size_t room = o->cap - o->len;
	int n = vsnprintf(o->buf + o->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < room) {
		o->len += (size_t)n;
		return;
	}
	/* did not fit: make room (or go around the buffer) and format again */
	if (o->fd < 0 || (size_t)n < o->cap) {
		char *d = reserve(o, (size_t)n + 1);
		if (!d)
			return;
		va_start(ap, fmt);
		vsnprintf(d, (size_t)n + 1, fmt, ap);
		va_end(ap);
		o->len += (size_t)n;
		return;
	}
	char *tmp = malloc((size_t)n + 1);
	if (!tmp) {
		fail(o, ENOMEM);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(tmp, (size_t)n + 1, fmt, ap);
	va_end(ap);
	nl_out_write(o, tmp, (size_t)n);
	free(tmp);
}

const char *nl_out_cstr(struct nl_outbuf *o)
{
	if (!o->buf || (o->failed && o->fd >= 0))
		return "";
	if (o->len >= o->cap && !mem_grow(o, o->len + 1))
		return "";
	o->buf[o->len] = '\0';
	return o->buf;
}
