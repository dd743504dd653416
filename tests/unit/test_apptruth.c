/*
 * replay --truth: application records anchored to the packets they explain
 * (sends before the segment carrying their first byte, recvs after the one
 * carrying their last), and each segment's map of the sends it carried.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "netlab/apptruth.h"
#include "support/tcpseq.h"

static char path[64];
static struct nl_apptruth *T;
static struct tcpseq Q;
static char log_[4096];

static void on_app(void *arg, const struct nl_app_rec *r)
{
	(void)arg;
	size_t k = strlen(log_);
	snprintf(log_ + k, sizeof(log_) - k, "%s:%s#%llu ", r->side, r->ev,
		 (unsigned long long)r->index);
}

#define EP_C "\"local\":\"10.0.0.1:40000\",\"peer\":\"10.0.0.2:80\""
#define EP_S "\"local\":\"10.0.0.2:80\",\"peer\":\"10.0.0.1:40000\""

static void write_truth(const char *text)
{
	strcpy(path, "/tmp/nl-apptruth-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	char err[NL_ERRBUF_SIZE];
	const char *paths[1] = {path};
	assert_int_equal(nl_apptruth_open(&T, paths, 1, err), NL_OK);
	tcpseq_init(&Q);
	log_[0] = 0;
}

static int teardown(void **state)
{
	(void)state;
	nl_apptruth_free(T);
	T = NULL;
	unlink(path);
	return 0;
}

/* One packet through before/after, offset = stream offset. */
static void pkt(int from, uint16_t flags, uint64_t off, uint32_t len,
		struct nl_app_map *m)
{
	const struct nl_packet *p = tcpseq_build(&Q, from, flags, 0, 0, len);
	nl_apptruth_before(T, p, off, 0, m, on_app, NULL);
	strcat(log_, "| ");
	nl_apptruth_after(T, on_app, NULL);
}

static void test_merged_sends(void **state)
{
	(void)state;
	write_truth(
	    "{\"ts\":1.5,\"side\":\"client\",\"ev\":\"connect\",\"proto\":\"tcp\",\"conn\":1," EP_C "}\n"
	    "{\"ts\":1.6,\"side\":\"client\",\"ev\":\"send\",\"proto\":\"tcp\",\"conn\":1," EP_C ",\"off\":0,\"len\":5,\"ret\":5}\n"
	    "{\"ts\":1.7,\"side\":\"client\",\"ev\":\"send\",\"proto\":\"tcp\",\"conn\":1," EP_C ",\"off\":5,\"len\":5,\"ret\":5}\n"
	    "{\"ts\":1.8,\"side\":\"client\",\"ev\":\"send\",\"proto\":\"tcp\",\"conn\":1," EP_C ",\"off\":10,\"len\":4,\"ret\":4}\n"
	    "{\"ts\":1.9,\"side\":\"server\",\"ev\":\"recv\",\"proto\":\"tcp\",\"conn\":1," EP_S ",\"off\":0,\"len\":1024,\"ret\":14}\n"
	    "{\"ts\":1700000000.0015,\"side\":\"client\",\"ev\":\"close\",\"proto\":\"tcp\",\"conn\":1," EP_C ",\"off\":14}\n"
	    "{\"ts\":2.1,\"side\":\"server\",\"ev\":\"recv\",\"proto\":\"tcp\",\"conn\":1," EP_S ",\"off\":14,\"len\":1024,\"ret\":0}\n"
	    "not json at all\n"
	    "{\"ts\":1.0,\"side\":\"client\",\"ev\":\"send\"}\n"
	    "{\"ts\":1.0,\"side\":\"server\",\"ev\":\"listen\",\"local\":\"10.0.0.2:80\"}\n");
	struct nl_app_map m;
	pkt(C, SYN, 0, 0, &m);
	assert_string_equal(log_, "client:connect#1 | ");
	log_[0] = 0;
	pkt(C, PSH | ACK, 0, 14, &m);
	assert_string_equal(log_, "client:send#1 client:send#2 client:send#3 | "
				  "server:recv#1 ");
	assert_int_equal(m.n_sends, 3);
	assert_int_equal(m.first, 1);
	assert_int_equal(m.last, 3);
	assert_false(m.first_partial);
	assert_false(m.last_partial);
	assert_string_equal(m.side, "client");
	log_[0] = 0;
	pkt(C, FIN | ACK, 14, 0, &m);
	assert_string_equal(log_, "client:close#1 | server:recv#2 ");
	struct nl_app_counts c;
	nl_apptruth_counts(T, &c);
	assert_int_equal(c.records, 7);
	assert_int_equal(c.printed, 7);
	/* a send without endpoints is not understood; listen() has no place
	 * beside the packets, and is no error */
	assert_int_equal(c.bad_lines, 1);
}

static void test_split_send(void **state)
{
	(void)state;
	write_truth(
	    "{\"ts\":1.6,\"side\":\"client\",\"ev\":\"send\",\"proto\":\"tcp\",\"conn\":1," EP_C ",\"off\":0,\"len\":3000,\"ret\":3000}\n"
	    "{\"ts\":1.9,\"side\":\"server\",\"ev\":\"recv\",\"proto\":\"tcp\",\"conn\":1," EP_S ",\"off\":0,\"len\":1024,\"ret\":1024}\n"
	    "{\"ts\":1.9,\"side\":\"server\",\"ev\":\"recv\",\"proto\":\"tcp\",\"conn\":1," EP_S ",\"off\":1024,\"len\":1024,\"ret\":1024}\n"
	    "{\"ts\":1.9,\"side\":\"server\",\"ev\":\"recv\",\"proto\":\"tcp\",\"conn\":1," EP_S ",\"off\":2048,\"len\":1024,\"ret\":952}\n");
	struct nl_app_map m;
	pkt(C, ACK, 0, 1000, &m);
	assert_string_equal(log_, "client:send#1 | ");
	assert_int_equal(m.n_sends, 1);
	assert_false(m.first_partial);
	assert_true(m.last_partial);
	log_[0] = 0;
	pkt(C, ACK, 1000, 1000, &m);
	/* recv #1 (bytes 0..1023) complete once byte 1023 is captured */
	assert_string_equal(log_, "| server:recv#1 ");
	assert_true(m.first_partial);
	assert_true(m.last_partial);
	log_[0] = 0;
	pkt(C, ACK, 2000, 1000, &m);
	assert_string_equal(log_, "| server:recv#2 server:recv#3 ");
	assert_true(m.first_partial);
	assert_false(m.last_partial);
}

/* Records of other connections and unknown lines are left alone; the
 * rest come out at the end. */
static void test_unmatched_at_end(void **state)
{
	(void)state;
	write_truth(
	    "{\"ts\":1.6,\"side\":\"client\",\"ev\":\"send\",\"proto\":\"tcp\",\"conn\":9,\"local\":\"[::1]:5000\",\"peer\":\"[::1]:6000\",\"off\":0,\"len\":3,\"ret\":3}\n");
	struct nl_app_map m;
	pkt(C, ACK, 0, 3, &m);
	assert_int_equal(m.n_sends, 0);
	assert_string_equal(log_, "| ");
	log_[0] = 0;
	nl_apptruth_finish(T, on_app, NULL);
	assert_string_equal(log_, "client:send#1 ");
}

static void test_bad_files(void **state)
{
	(void)state;
	char err[NL_ERRBUF_SIZE];
	const char *none[1] = {"/nonexistent/truth.jsonl"};
	assert_int_not_equal(nl_apptruth_open(&T, none, 1, err), NL_OK);
	assert_non_null(strstr(err, "/nonexistent/truth.jsonl"));
	assert_null(T);
	strcpy(path, "/tmp/nl-apptruth-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello\n", 6), 6);
	close(fd);
	const char *p[1] = {path};
	assert_int_equal(nl_apptruth_open(&T, p, 1, err), NL_MALFORMED);
	assert_non_null(strstr(err, "no netlab gen --truth records"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_merged_sends, teardown),
	    cmocka_unit_test_teardown(test_split_send, teardown),
	    cmocka_unit_test_teardown(test_unmatched_at_end, teardown),
	    cmocka_unit_test_teardown(test_bad_files, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
