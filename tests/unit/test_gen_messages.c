/*
 * netlab gen: generated messages and their CRC-32 tag, the jsonhdr header
 * as Python's json.dumps writes it, and the truth JSON lines.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "netlab/gen.h"

static void test_crc32(void **state)
{
	(void)state;
	/* the CRC-32 check value; zlib.crc32(b"123456789") */
	assert_int_equal(nl_crc32(0, (const uint8_t *)"123456789", 9),
			 0xcbf43926);
	assert_int_equal(nl_crc32(0, NULL, 0), 0);
	/* incremental == whole */
	uint32_t c = nl_crc32(0, (const uint8_t *)"1234", 4);
	assert_int_equal(nl_crc32(c, (const uint8_t *)"56789", 5), 0xcbf43926);
}

static void test_classic(void **state)
{
	(void)state;
	struct nl_gen_opts o;
	memset(&o, 0, sizeof(o));
	o.scenario = NL_GEN_MERGE;
	uint8_t buf[64];
	const char *want[] = {"hello", "world", "egon", "hello"};
	for (int i = 0; i < 4; i++) {
		size_t n = nl_gen_message(&o, 1, (uint64_t)i, buf, sizeof(buf));
		assert_int_equal(n, strlen(want[i]));
		assert_memory_equal(buf, want[i], n);
	}
	o.scenario = NL_GEN_SPLIT;
	assert_int_equal(nl_gen_default_count(&o), 1);
	size_t n = nl_gen_message(&o, 1, 0, buf, sizeof(buf));
	assert_int_equal(n, 14);
	assert_memory_equal(buf, "helloworldegon", 14);
}

static void test_generated(void **state)
{
	(void)state;
	struct nl_gen_opts o;
	memset(&o, 0, sizeof(o));
	o.scenario = NL_GEN_FRAMED;
	o.size_min = 10;
	o.size_max = 5000;
	o.seed = 42;
	static uint8_t a[5000], b[5000];
	bool varied = false;
	for (uint64_t i = 0; i < 200; i++) {
		uint64_t len = nl_gen_message_len(&o, 3, i);
		assert_true(len >= 10 && len <= 5000);
		varied |= len != nl_gen_message_len(&o, 3, 0);
		size_t n = nl_gen_message(&o, 3, i, a, sizeof(a));
		assert_int_equal(n, len);
		/* reproducible */
		assert_int_equal(nl_gen_message(&o, 3, i, b, sizeof(b)), n);
		assert_memory_equal(a, b, n);
		for (size_t k = 0; k < n; k++)
			assert_true(a[k] >= 0x20 && a[k] < 0x7f);
		struct nl_gen_check c;
		nl_gen_check_begin(&c);
		/* fed in uneven pieces */
		for (size_t off = 0; off < n;) {
			size_t piece = 1 + (off * 7 + i) % 13;
			if (piece > n - off)
				piece = n - off;
			nl_gen_check_update(&c, a + off, piece);
			off += piece;
		}
		assert_int_equal(nl_gen_check_end(&c), n >= NL_GEN_TAG_LEN
							   ? NL_GEN_CRC_OK
							   : NL_GEN_UNTAGGED);
		if (n > NL_GEN_TAG_LEN) {
			a[n - 1] ^= 1;
			nl_gen_check_begin(&c);
			nl_gen_check_update(&c, a, n);
			assert_int_equal(nl_gen_check_end(&c), NL_GEN_CRC_BAD);
		}
	}
	assert_true(varied);
	/* another seed, another stream */
	o.seed = 43;
	nl_gen_message(&o, 3, 0, b, sizeof(b));
	o.seed = 42;
	nl_gen_message(&o, 3, 0, a, sizeof(a));
	assert_memory_not_equal(a, b, 10);
	/* untagged text is untagged */
	struct nl_gen_check c;
	nl_gen_check_begin(&c);
	nl_gen_check_update(&c, (const uint8_t *)"NLGzzzzzzzz:abc", 15);
	assert_int_equal(nl_gen_check_end(&c), NL_GEN_UNTAGGED);
}

static void test_jsonhdr(void **state)
{
	(void)state;
	char buf[256];
	/* json.dumps({"func": "put", "file_name": "a.txt", "file_size": 12}) */
	size_t n = nl_gen_jsonhdr(buf, sizeof(buf), "a.txt", 12);
	assert_int_equal(n, strlen(buf));
	assert_string_equal(
	    buf,
	    "{\"func\": \"put\", \"file_name\": \"a.txt\", \"file_size\": 12}");
	nl_gen_jsonhdr(buf, sizeof(buf), "q\"\\\n\xe9", 0);
	assert_string_equal(buf,
			    "{\"func\": \"put\", \"file_name\": "
			    "\"q\\\"\\\\\\u000a\\u00e9\", \"file_size\": 0}");
	assert_int_equal(nl_gen_jsonhdr(buf, 20, "a.txt", 1), 0);
}

static void test_truth_format(void **state)
{
	(void)state;
	struct nl_outbuf o;
	assert_true(nl_out_init(&o, -1));
	struct sockaddr_storage l, p;
	memset(&l, 0, sizeof(l));
	memset(&p, 0, sizeof(p));
	struct sockaddr_in *a = (struct sockaddr_in *)&l;
	a->sin_family = AF_INET;
	a->sin_port = htons(40000);
	inet_pton(AF_INET, "127.0.0.1", &a->sin_addr);
	struct sockaddr_in6 *b = (struct sockaddr_in6 *)&p;
	b->sin6_family = AF_INET6;
	b->sin6_port = htons(9000);
	inet_pton(AF_INET6, "::1", &b->sin6_addr);
	struct nl_truth_rec r = {.ev = NL_TRUTH_SEND,
				 .ts = {1700000000, 5000},
				 .conn = 3,
				 .local = &l,
				 .peer = &p,
				 .off = 10,
				 .len = 5,
				 .ret = 5};
	nl_truth_format(&o, "client", &r);
	assert_string_equal(
	    nl_out_cstr(&o),
	    "{\"ts\":1700000000.000005,\"side\":\"client\","
	    "\"ev\":\"send\",\"proto\":\"tcp\",\"conn\":3,"
	    "\"local\":\"127.0.0.1:40000\",\"peer\":\"[::1]:9000\","
	    "\"off\":10,\"len\":5,\"ret\":5}");
	o.len = 0;
	r.ev = NL_TRUTH_RECV;
	r.ret = -1;
	r.err = 104; /* ECONNRESET */
	r.udp = true;
	r.local = r.peer = NULL;
	nl_truth_format(&o, "server", &r);
	assert_string_equal(nl_out_cstr(&o),
			    "{\"ts\":1700000000.000005,\"side\":\"server\","
			    "\"ev\":\"recv\",\"proto\":\"udp\",\"conn\":3,"
			    "\"off\":10,\"len\":5,\"ret\":-1,"
			    "\"errno\":\"ECONNRESET\"}");
	o.len = 0;
	struct nl_sockopts so = {1, 0, 536, 4096, -1};
	struct nl_truth_rec s = {
	    .ev = NL_TRUTH_SOCKOPTS, .ts = {1, 0}, .conn = 1, .opts = &so};
	nl_truth_format(&o, "client", &s);
	assert_string_equal(nl_out_cstr(&o),
			    "{\"ts\":1.000000,\"side\":\"client\","
			    "\"ev\":\"sockopts\",\"proto\":\"tcp\",\"conn\":1,"
			    "\"nodelay\":true,\"cork\":false,\"maxseg\":536,"
			    "\"sndbuf\":4096}");
	o.len = 0;
	struct nl_truth_rec m = {.ev = NL_TRUTH_MESSAGE,
				 .ts = {2, 0},
				 .conn = 1,
				 .off = 4,
				 .len = 9,
				 .hdr = 4,
				 .check = "ok"};
	nl_truth_format(&o, "server", &m);
	assert_string_equal(nl_out_cstr(&o),
			    "{\"ts\":2.000000,\"side\":\"server\","
			    "\"ev\":\"message\",\"proto\":\"tcp\",\"conn\":1,"
			    "\"off\":4,\"len\":9,\"hdr\":4,\"check\":\"ok\"}");
	nl_out_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crc32),	 cmocka_unit_test(test_classic),
	    cmocka_unit_test(test_generated),	 cmocka_unit_test(test_jsonhdr),
	    cmocka_unit_test(test_truth_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
