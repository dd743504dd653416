/*
 * netlab gen option parsing: defaults per role and scenario, every shaping
 * option, and clear errors for bad values and options of another role.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "netlab/gen.h"

static int parse(struct nl_gen_opts *o, enum nl_gen_role role, char *err,
		 const char *line)
{
	static char buf[512];
	char *argv[32];
	int argc = 0;
	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	err[0] = '\0';
	return nl_gen_parse(o, role, argc, argv, err);
}

static void test_server_defaults(void **state)
{
	(void)state;
	struct nl_gen_opts o;
	char err[NL_ERRBUF_SIZE];
	assert_int_equal(parse(&o, NL_GEN_SERVER, err, "server"), 0);
	assert_string_equal(o.host, "127.0.0.1");
	assert_int_equal(o.port, NL_GEN_DEFAULT_PORT);
	assert_false(o.udp);
	assert_false(o.have_framing);
	assert_int_equal(o.max_conns, NL_GEN_DEFAULT_MAX_CONNS);
	assert_int_equal(o.max_message, NL_GEN_DEFAULT_MAX_MESSAGE);
	assert_false(o.no_reuseaddr);

	assert_int_equal(parse(&o, NL_GEN_SERVER, err,
			       "server --udp --bind ::1 --port 0 --recv-size 1 "
			       "--echo --max-conns 5 --idle-timeout 3 "
			       "--no-reuseaddr --recv-delay 250 --exit-after 2 "
			       "--truth t.jsonl -q"),
			 0);
	assert_true(o.udp);
	assert_string_equal(o.host, "::1");
	assert_int_equal(o.port, 0);
	assert_int_equal(o.recv_size, 1);
	assert_true(o.echo);
	assert_int_equal(o.max_conns, 5);
	assert_int_equal(o.idle_timeout_ms, 3000);
	assert_true(o.no_reuseaddr);
	assert_int_equal(o.recv_delay_ms, 250);
	assert_int_equal(o.exit_after, 2);
	assert_string_equal(o.truth_file, "t.jsonl");
	assert_true(o.quiet);

	assert_int_equal(parse(&o, NL_GEN_SERVER, err,
			       "server --framing len:2:be,offset=3 "
			       "--max-message 1000 --reply-size 10"),
			 0);
	assert_true(o.have_framing);
	assert_int_equal(o.framing.len_offset, 3);
	assert_int_equal(o.max_message, 1000);
	assert_int_equal(o.reply_size, 10);
	assert_int_equal(parse(&o, NL_GEN_SERVER, err, "server --help"), 1);
}

static void test_client_scenarios(void **state)
{
	(void)state;
	struct nl_gen_opts o;
	char err[NL_ERRBUF_SIZE];
	assert_int_equal(parse(&o, NL_GEN_CLIENT, err,
			       "client 127.0.0.1:9000 --scenario merge"),
			 0);
	assert_int_equal(o.scenario, NL_GEN_MERGE);
	assert_int_equal(o.port, 9000);
	assert_int_equal(nl_gen_default_count(&o), 3);
	assert_false(o.have_framing);
	/* framed defaults to u32le, i.e. struct.pack('i', n) */
	assert_int_equal(
	    parse(&o, NL_GEN_CLIENT, err, "client --scenario framed [::1]:80"),
	    0);
	assert_string_equal(o.host, "::1");
	assert_int_equal(o.port, 80);
	assert_true(o.have_framing);
	assert_int_equal(o.framing.kind, NL_FRAMING_LENPREFIX);
	assert_int_equal(o.framing.len_size, 4);
	assert_false(o.framing.big_endian);
	assert_int_equal(parse(&o, NL_GEN_CLIENT, err,
			       "client h:1 --scenario framed --framing u16be "
			       "--coalesce --size 10-20 --seed 9 --count 7 "
			       "--interval 5 --nodelay --cork --mss 536 "
			       "--sndbuf 65536 --connections 12"),
			 0);
	assert_true(o.framing.big_endian);
	assert_true(o.coalesce);
	assert_int_equal(o.size_min, 10);
	assert_int_equal(o.size_max, 20);
	assert_int_equal(o.seed, 9);
	assert_int_equal(o.count, 7);
	assert_int_equal(o.interval_ms, 5);
	assert_true(o.nodelay && o.cork);
	assert_int_equal(o.mss, 536);
	assert_int_equal(o.sndbuf, 65536);
	assert_int_equal(o.connections, 12);
	assert_int_equal(
	    parse(&o, NL_GEN_CLIENT, err, "client h:1 --scenario udp"), 0);
	assert_true(o.udp);
	assert_int_equal(
	    parse(&o, NL_GEN_CLIENT, err, "client h:1 --scenario flood"), 0);
	assert_true(o.duration > 1.9 && o.duration < 2.1);
	assert_true(o.have_framing);
	assert_int_equal(parse(&o, NL_GEN_CLIENT, err,
			       "client h:1 --scenario flood --framing none"),
			 0);
	assert_false(o.have_framing);
	assert_int_equal(parse(&o, NL_GEN_CLIENT, err,
			       "client h:1 --scenario jsonhdr --file x"),
			 0);
	assert_int_equal(o.framing.kind, NL_FRAMING_JSONHDR);
	assert_int_equal(nl_gen_default_count(&o), 1);
	assert_int_equal(
	    parse(&o, NL_GEN_DEMO, err, "demo split --write x.pcap"), 0);
	assert_int_equal(o.scenario, NL_GEN_SPLIT);
	assert_string_equal(o.write_file, "x.pcap");
}

static void bad(enum nl_gen_role role, const char *line, const char *needle)
{
	struct nl_gen_opts o;
	char err[NL_ERRBUF_SIZE];
	assert_int_equal(parse(&o, role, err, line), -1);
	if (!strstr(err, needle))
		fail_msg("'%s': error '%s' lacks '%s'", line, err, needle);
}

static void test_errors(void **state)
{
	(void)state;
	bad(NL_GEN_SERVER, "server --port 70000", "--port");
	bad(NL_GEN_SERVER, "server --port", "missing argument");
	bad(NL_GEN_SERVER, "server --bogus", "unknown option");
	bad(NL_GEN_SERVER, "server --scenario merge", "does not apply");
	bad(NL_GEN_SERVER, "server --echo --sink", "choose one");
	bad(NL_GEN_SERVER, "server --framing http", "for the inspector");
	bad(NL_GEN_SERVER, "server --framing u3", "unknown framing");
	bad(NL_GEN_SERVER, "server --udp --framing u32le", "UDP keeps");
	bad(NL_GEN_SERVER, "server --ready --framing u32le", "--ready");
	bad(NL_GEN_SERVER, "server --recv-size 0", "--recv-size");
	bad(NL_GEN_SERVER, "server --max-conns 100000", "--max-conns");
	bad(NL_GEN_SERVER, "server extra", "unexpected argument");
	bad(NL_GEN_CLIENT, "client", "HOST:PORT");
	bad(NL_GEN_CLIENT, "client localhost", "not HOST:PORT");
	bad(NL_GEN_CLIENT, "client h:0", "not HOST:PORT");
	bad(NL_GEN_CLIENT, "client [::1:80", "not HOST:PORT");
	bad(NL_GEN_CLIENT, "client h:1 --scenario nope", "unknown scenario");
	bad(NL_GEN_CLIENT, "client h:1 --size 0", "--size");
	bad(NL_GEN_CLIENT, "client h:1 --size 20-10", "--size");
	bad(NL_GEN_CLIENT, "client h:1 --size 1-999999999999", "--size");
	bad(NL_GEN_CLIENT, "client h:1 --mss 10", "--mss");
	bad(NL_GEN_CLIENT, "client h:1 --duration -1", "--duration");
	bad(NL_GEN_CLIENT, "client h:1 --duration nan", "--duration");
	bad(NL_GEN_CLIENT, "client h:1 --connections 0", "--connections");
	bad(NL_GEN_CLIENT, "client h:1 --file f", "--file");
	bad(NL_GEN_CLIENT, "client h:1 --scenario merge --coalesce",
	    "--coalesce");
	bad(NL_GEN_CLIENT, "client h:1 --echo", "does not apply");
	bad(NL_GEN_DEMO, "demo", "SCENARIO");
	bad(NL_GEN_DEMO, "demo sideways", "unknown scenario");
}

static void test_size(void **state)
{
	(void)state;
	uint64_t a, b;
	assert_true(nl_gen_parse_size("1024", &a, &b));
	assert_int_equal(a, 1024);
	assert_int_equal(b, 1024);
	assert_true(nl_gen_parse_size("1-2", &a, &b));
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	assert_false(nl_gen_parse_size("-2", &a, &b));
	assert_false(nl_gen_parse_size("2-", &a, &b));
	assert_false(nl_gen_parse_size("x", &a, &b));
	assert_false(nl_gen_parse_size("12k", &a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_server_defaults),
	    cmocka_unit_test(test_client_scenarios),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
