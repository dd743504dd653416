/*
 * Output buffer: every formatter against exact strings, RFC 5952 IPv6 text,
 * the 256 KiB wrap through a real file and a non-blocking pipe, write
 * failures (EPIPE) and the memory-mode cap.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "netlab/outbuf.h"

#include "support/memout.h"

/* The memory contents so far, then empty the buffer for the next check. */
static const char *take(void)
{
	static char copy[4096];
	snprintf(copy, sizeof(copy), "%s", nl_out_cstr(&mem));
	mem.len = 0;
	return copy;
}

static void test_u64(void **state)
{
	(void)state;
	static const struct {
		uint64_t v;
		const char *s;
	} cases[] = {
	    {0, "0"},
	    {9, "9"},
	    {10, "10"},
	    {99, "99"},
	    {100, "100"},
	    {999, "999"},
	    {1000, "1000"},
	    {9999, "9999"},
	    {10000, "10000"},
	    {12345, "12345"},
	    {4294967295u, "4294967295"},
	    {4294967296u, "4294967296"},
	    {999999999999999999u, "999999999999999999"},
	    {1000000000000000000u, "1000000000000000000"},
	    {9999999999999999999u, "9999999999999999999"},
	    {10000000000000000000u, "10000000000000000000"},
	    {UINT64_MAX, "18446744073709551615"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nl_out_u64(&mem, cases[i].v);
		assert_string_equal(take(), cases[i].s);
	}
	/* every power of ten and its neighbours against printf */
	for (uint64_t p = 1, i = 0; i < 20; i++, p *= 10) {
		char want[64];
		snprintf(want, sizeof(want), "%llu %llu %llu",
			 (unsigned long long)(p - 1), (unsigned long long)p,
			 (unsigned long long)(p + 1));
		nl_out_u64(&mem, p - 1);
		nl_out_char(&mem, ' ');
		nl_out_u64(&mem, p);
		nl_out_char(&mem, ' ');
		nl_out_u64(&mem, p + 1);
		assert_string_equal(take(), want);
	}
}

static void test_i64(void **state)
{
	(void)state;
	nl_out_i64(&mem, 0);
	nl_out_char(&mem, ' ');
	nl_out_i64(&mem, -1);
	nl_out_char(&mem, ' ');
	nl_out_i64(&mem, INT64_MAX);
	nl_out_char(&mem, ' ');
	nl_out_i64(&mem, INT64_MIN);
	assert_string_equal(take(),
			    "0 -1 9223372036854775807 -9223372036854775808");
}

static void test_pad(void **state)
{
	(void)state;
	nl_out_u64_pad(&mem, 1, 5, ' ');
	nl_out_char(&mem, '|');
	nl_out_u64_pad(&mem, 7, 2, '0');
	nl_out_char(&mem, '|');
	nl_out_u64_pad(&mem, 123456, 3, '0'); /* wider than asked: not cut */
	nl_out_char(&mem, '|');
	nl_out_u64_pad(&mem, 0, 6, '0');
	nl_out_char(&mem, '|');
	nl_out_u64_pad(&mem, UINT64_MAX, 0, '0');
	assert_string_equal(take(),
			    "    1|07|123456|000000|18446744073709551615");
	nl_out_repeat(&mem, '-', 3);
	nl_out_repeat(&mem, 'x', 0);
	assert_string_equal(take(), "---");
}

static void test_hex(void **state)
{
	(void)state;
	nl_out_hex(&mem, 0, 0);
	nl_out_char(&mem, ' ');
	nl_out_hex(&mem, 0, 4);
	nl_out_char(&mem, ' ');
	nl_out_hex(&mem, 0x88cc, 4);
	nl_out_char(&mem, ' ');
	nl_out_hex(&mem, 0xabc, 1);
	nl_out_char(&mem, ' ');
	nl_out_hex(&mem, 0x12, 8);
	nl_out_char(&mem, ' ');
	nl_out_hex(&mem, UINT64_MAX, 0);
	nl_out_char(&mem, ' ');
	nl_out_hex(&mem, 1, 20);
	assert_string_equal(take(), "0 0000 88cc abc 00000012 ffffffffffffffff "
				    "00000000000000000001");
	nl_out_hexbyte(&mem, 0);
	nl_out_hexbyte(&mem, 0x0f);
	nl_out_hexbyte(&mem, 0xa0);
	nl_out_hexbyte(&mem, 0xff);
	assert_string_equal(take(), "000fa0ff");
}

static void test_mac_ipv4(void **state)
{
	(void)state;
	static const uint8_t m1[6] = {0, 0x1b, 0x21, 0xAB, 0xcd, 0xEF};
	static const uint8_t m2[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	nl_out_mac(&mem, m1);
	nl_out_char(&mem, ' ');
	nl_out_mac(&mem, m2);
	assert_string_equal(take(), "00:1b:21:ab:cd:ef ff:ff:ff:ff:ff:ff");

	static const uint8_t a[][4] = {
	    {0, 0, 0, 0},   {255, 255, 255, 255}, {10, 0, 100, 1},
	    {127, 0, 0, 1}, {192, 168, 9, 99},
	};
	static const char *const s[] = {
	    "0.0.0.0",	 "255.255.255.255", "10.0.100.1",
	    "127.0.0.1", "192.168.9.99",
	};
	for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
		nl_out_ipv4(&mem, a[i]);
		assert_string_equal(take(), s[i]);
	}
	/* every octet value round-trips */
	for (unsigned v = 0; v < 256; v++) {
		uint8_t x[4] = {(uint8_t)v, (uint8_t)(255 - v), 0, (uint8_t)v};
		char want[32];
		snprintf(want, sizeof(want), "%u.%u.0.%u", v, 255 - v, v);
		nl_out_ipv4(&mem, x);
		assert_string_equal(take(), want);
	}
}

/* Parse eight hex groups "0:1:...:7" into 16 bytes (test input only). */
static void groups(uint8_t out[16], const unsigned g[8])
{
	for (int i = 0; i < 8; i++) {
		out[2 * i] = (uint8_t)(g[i] >> 8);
		out[2 * i + 1] = (uint8_t)g[i];
	}
}

static void test_ipv6_rfc5952(void **state)
{
	(void)state;
	static const struct {
		unsigned g[8];
		const char *s;
	} cases[] = {
	    /* §4.2.1: :: only for more than one zero group */
	    {{0x2001, 0xdb8, 0, 1, 1, 1, 1, 1}, "2001:db8:0:1:1:1:1:1"},
	    /* §4.2.2/4.2.3: the longest run; the first one on a tie */
	    {{0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}, "2001:db8::1:0:0:1"},
	    {{0x2001, 0, 0, 1, 0, 0, 0, 1}, "2001:0:0:1::1"},
	    {{0x2001, 0xdb8, 0, 0, 0, 0, 2, 1}, "2001:db8::2:1"},
	    /* §4.1: no leading zeros; §4.3: lowercase */
	    {{0x2001, 0x0db8, 0xAAAA, 0xBBBB, 0xCCCC, 0xDDDD, 0xEEEE, 0x0001},
	     "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1"},
	    {{0, 0, 0, 0, 0, 0, 0, 0}, "::"},
	    {{0, 0, 0, 0, 0, 0, 0, 1}, "::1"},
	    {{1, 0, 0, 0, 0, 0, 0, 0}, "1::"},
	    {{0xfe80, 0, 0, 0, 0x1, 0x2, 0x3, 0x4}, "fe80::1:2:3:4"},
	    {{0, 0, 1, 0, 0, 0, 0, 0}, "0:0:1::"},
	    {{0, 0, 0, 1, 0, 0, 1, 0}, "::1:0:0:1:0"},
	    {{1, 0, 1, 0, 1, 0, 1, 0}, "1:0:1:0:1:0:1:0"},
	    {{0xff02, 0, 0, 0, 0, 0, 0, 0xfb}, "ff02::fb"},
	    {{0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff},
	     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
	    /* §5: IPv4-mapped addresses end in dotted decimal */
	    {{0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201}, "::ffff:192.0.2.1"},
	    {{0, 0, 0, 0, 0, 0xffff, 0, 0}, "::ffff:0.0.0.0"},
	    /* not mapped: the prefix differs */
	    {{0, 0, 0, 0, 1, 0xffff, 0xc000, 0x0201}, "::1:ffff:c000:201"},
	    {{0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0201}, "64:ff9b::c000:201"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t a[16];
		groups(a, cases[i].g);
		nl_out_ipv6(&mem, a);
		assert_string_equal(take(), cases[i].s);
	}
}

static void test_printf(void **state)
{
	(void)state;
	nl_out_str(&mem, "a");
	nl_out_printf(&mem, "%s=%d,%05.1f", "x", -42, 3.14159);
	assert_string_equal(take(), "ax=-42,003.1");
	/* longer than the memory buffer's current room: grows */
	char big[10000];
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	nl_out_printf(&mem, "<%s>", big);
	const char *r = nl_out_cstr(&mem);
	assert_int_equal(strlen(r), sizeof(big) + 1);
	assert_int_equal(r[0], '<');
	assert_int_equal(r[sizeof(big)], '>');
	mem.len = 0;
}

/* Everything the formatters write, fed the same way to two buffers. */
static void pattern(struct nl_outbuf *o, unsigned i)
{
	uint8_t mac[6] = {(uint8_t)i, 1, 2, 3, 4, (uint8_t)(i >> 8)};
	uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8};
	v6[15] = (uint8_t)i;
	nl_out_u64_pad(o, i, 7, ' ');
	nl_out_char(o, ' ');
	nl_out_mac(o, mac);
	nl_out_char(o, ' ');
	nl_out_ipv4(o, mac);
	nl_out_char(o, ' ');
	nl_out_ipv6(o, v6);
	nl_out_char(o, ' ');
	nl_out_hex(o, (uint64_t)i * 2654435761u, 8);
	if (i % 97 == 0)
		nl_out_printf(o, " printf %u", i);
	if (i % 1000 == 0) {
		static char chunk[70000];
		memset(chunk, 'A' + (int)(i / 1000 % 26), sizeof(chunk));
		nl_out_write(o, chunk, sizeof(chunk));
	}
	nl_out_char(o, '\n');
}

static char *read_all(int fd, size_t *n)
{
	size_t cap = 1 << 20, len = 0;
	char *b = malloc(cap);
	for (;;) {
		if (len == cap)
			b = realloc(b, cap *= 2);
		ssize_t r = read(fd, b + len, cap - len);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	*n = len;
	return b;
}

/* More than four buffers' worth through a file, compared with memory mode:
 * formatters and big writes straddle every 256 KiB boundary. */
/* An unlinked temporary file: a real fd the outbuf writes with write(). */
static int temp_fd(void)
{
	char path[] = "/tmp/nl_outbuf_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

static void test_wrap_file(void **state)
{
	(void)state;
	int fd = temp_fd();
	struct nl_outbuf f;
	assert_true(nl_out_init(&f, fd));
	assert_int_equal(f.cap, NL_OUTBUF_SIZE);
	/* land exactly 3 bytes before the end so the MAC must wrap */
	nl_out_repeat(&f, '.', NL_OUTBUF_SIZE - 4);
	nl_out_repeat(&mem, '.', NL_OUTBUF_SIZE - 4);
	for (unsigned i = 0; i < 30000; i++) {
		pattern(&f, i);
		pattern(&mem, i);
	}
	assert_true(nl_out_flush(&f));
	assert_false(f.failed);
	nl_out_free(&f);

	size_t n;
	lseek(fd, 0, SEEK_SET);
	char *got = read_all(fd, &n);
	close(fd);
	assert_true(n > 4 * NL_OUTBUF_SIZE);
	assert_int_equal(n, mem.len);
	assert_memory_equal(got, nl_out_cstr(&mem), n);
	free(got);
	mem.len = 0;
}

/* nl_out_reserve(): a flush before what might not fit, none otherwise;
 * nothing is lost or reordered. */
static void test_reserve(void **state)
{
	(void)state;
	int fd = temp_fd();
	struct nl_outbuf f;
	assert_true(nl_out_init(&f, fd));
	nl_out_repeat(&f, 'a', NL_OUTBUF_SIZE - 200);
	nl_out_reserve(&f, 100); /* fits: no flush */
	assert_int_equal(f.len, NL_OUTBUF_SIZE - 200);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);
	nl_out_reserve(&f, 300); /* would not: flushed first */
	assert_int_equal(f.len, 0);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), NL_OUTBUF_SIZE - 200);
	nl_out_str(&f, "row");
	assert_true(nl_out_flush(&f));
	nl_out_free(&f);
	size_t n;
	lseek(fd, 0, SEEK_SET);
	char *got = read_all(fd, &n);
	close(fd);
	assert_int_equal(n, NL_OUTBUF_SIZE - 200 + 3);
	assert_memory_equal(got + n - 4, "arow", 4);
	free(got);
	/* in memory the buffer grows instead */
	mem.len = 0;
	nl_out_reserve(&mem, 1000);
	assert_int_equal(mem.len, 0);
}

struct reader {
	int fd;
	size_t n;
	uint64_t sum;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	usleep(50000); /* let the writer fill the pipe and meet EAGAIN */
	char buf[4096];
	for (;;) {
		ssize_t k = read(r->fd, buf, sizeof(buf));
		if (k <= 0)
			break;
		for (ssize_t i = 0; i < k; i++)
			r->sum = r->sum * 31 + (uint8_t)buf[i];
		r->n += (size_t)k;
	}
	return NULL;
}

/* A non-blocking pipe: partial writes and EAGAIN must lose nothing. */
static void test_wrap_pipe_nonblocking(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_NONBLOCK);
	struct reader r = {.fd = p[0]};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, reader_main, &r), 0);

	struct nl_outbuf o;
	assert_true(nl_out_init(&o, p[1]));
	uint64_t sum = 0;
	size_t total = 0;
	for (unsigned i = 0; i < 20000; i++) {
		size_t before = mem.len;
		pattern(&mem, i);
		for (size_t k = before; k < mem.len; k++)
			sum = sum * 31 + (uint8_t)mem.buf[k];
		total += mem.len - before;
		pattern(&o, i);
		mem.len = 0;
	}
	assert_true(nl_out_flush(&o));
	nl_out_free(&o);
	close(p[1]);
	pthread_join(th, NULL);
	close(p[0]);
	assert_int_equal(r.n, total);
	assert_true(r.sum == sum);
}

/* A reader that went away: EPIPE is recorded and later output dropped,
 * without a signal killing us (the CLI ignores SIGPIPE; so does this). */
static void test_epipe(void **state)
{
	(void)state;
	signal(SIGPIPE, SIG_IGN);
	int p[2];
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	struct nl_outbuf o;
	assert_true(nl_out_init(&o, p[1]));
	nl_out_str(&o, "hello\n");
	assert_false(nl_out_flush(&o));
	assert_true(o.failed);
	assert_int_equal(o.write_errno, EPIPE);
	for (unsigned i = 0; i < 100000; i++)
		pattern(&o, i); /* dropped: must neither crash nor grow */
	assert_int_equal(o.len, 0);
	assert_false(nl_out_flush(&o));
	assert_string_equal(nl_out_cstr(&o), "");
	nl_out_free(&o);
	close(p[1]);
}

static void test_bad_fd(void **state)
{
	(void)state;
	struct nl_outbuf o;
	assert_true(nl_out_init(&o, 1000)); /* not open */
	nl_out_str(&o, "x");
	assert_false(nl_out_flush(&o));
	assert_int_equal(o.write_errno, EBADF);
	nl_out_free(&o);
}

/* Memory mode stops at cap_max and keeps what fitted. */
static void test_mem_cap(void **state)
{
	(void)state;
	struct nl_outbuf o;
	assert_true(nl_out_init(&o, -1));
	assert_int_equal(o.cap_max, 64u * 1024 * 1024);
	o.cap_max = 10000;
	for (int i = 0; i < 999; i++)
		nl_out_str(&o, "0123456789");
	assert_false(o.failed);
	nl_out_str(&o, "0123456789"); /* 10000 + NUL does not fit */
	assert_true(o.failed);
	assert_int_equal(o.write_errno, ENOBUFS);
	nl_out_str(&o, "x");
	nl_out_u64(&o, 1);
	nl_out_printf(&o, "%d", 5);
	assert_int_equal(strlen(nl_out_cstr(&o)), 9990);
	nl_out_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_u64),
	    cmocka_unit_test(test_i64),
	    cmocka_unit_test(test_pad),
	    cmocka_unit_test(test_hex),
	    cmocka_unit_test(test_mac_ipv4),
	    cmocka_unit_test(test_ipv6_rfc5952),
	    cmocka_unit_test(test_printf),
	    cmocka_unit_test(test_wrap_file),
	    cmocka_unit_test(test_reserve),
	    cmocka_unit_test(test_wrap_pipe_nonblocking),
	    cmocka_unit_test(test_epipe),
	    cmocka_unit_test(test_bad_fd),
	    cmocka_unit_test(test_mem_cap),
	};
	return cmocka_run_group_tests(tests, memout_setup, memout_teardown);
}
