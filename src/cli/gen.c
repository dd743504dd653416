/* netlab gen server|client|demo: the command line around src/gen. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "netlab/gen.h"

static volatile sig_atomic_t gen_stop; /* set by SIGINT/SIGTERM */

static void on_signal(int sig)
{
	(void)sig;
	gen_stop = 1;
}

static void catch_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	struct sigaction ign = {.sa_handler = SIG_IGN};
	sigaction(SIGPIPE, &ign, NULL);
}

static void gen_usage_top(FILE *f)
{
	fputs("usage: netlab gen server [OPTIONS]\n"
	      "       netlab gen client HOST:PORT --scenario NAME [OPTIONS]\n"
	      "       netlab gen demo SCENARIO [OPTIONS]\n"
	      "Scenarios: merge, split, framed, jsonhdr, ready, udp, flood.\n"
	      "Try 'netlab gen server --help'.\n",
	      f);
}

static int run_server(const struct nl_gen_opts *o, struct nl_outbuf *out)
{
	char errbuf[NL_ERRBUF_SIZE] = "";
	struct nl_gen_server *s;
	if (nl_gen_server_open(&s, o, errbuf) != NL_OK) {
		nl_cli_error("%s", errbuf);
		return NL_EXIT_ERROR;
	}
	char fr[64] = "";
	if (o->have_framing) {
		strcpy(fr, ", framing ");
		nl_framing_format(&o->framing, fr + 10, sizeof(fr) - 10);
	}
	nl_out_printf(out, "listening on %s%s%s port %u (%s%s%s)\n",
		      strchr(o->host, ':') ? "[" : "", o->host,
		      strchr(o->host, ':') ? "]" : "", nl_gen_server_port(s),
		      o->udp ? "udp" : "tcp", fr,
		      o->ready ? ", ready protocol" : "");
	nl_out_flush(out);
	enum nl_status st = nl_gen_server_run(s, out, &gen_stop, errbuf);
	struct nl_gen_stats stats;
	nl_gen_server_stats(s, &stats);
	nl_gen_server_close(s); /* reports connections still open */
	nl_out_printf(
	    out,
	    "server: %" PRIu64 " connections (%" PRIu64 " refused), %" PRIu64
	    " recv calls, %" PRIu64 " bytes, %" PRIu64 " messages (%" PRIu64
	    " checksums ok, %" PRIu64 " bad), %" PRIu64 " errors\n",
	    stats.conns, stats.refused, stats.recvs, stats.bytes,
	    stats.messages, stats.crc_ok, stats.crc_bad, stats.errors);
	nl_out_flush(out);
	if (st != NL_OK) {
		nl_cli_error("%s", errbuf);
		return NL_EXIT_ERROR;
	}
	return NL_EXIT_OK;
}

static int run_client(const struct nl_gen_opts *o, struct nl_outbuf *out)
{
	char errbuf[NL_ERRBUF_SIZE] = "";
	struct nl_gen_stats st;
	enum nl_status rc = nl_gen_client_run(o, out, &gen_stop, &st, errbuf);
	if (o->scenario != NL_GEN_FLOOD)
		nl_out_printf(out,
			      "client: %" PRIu64 " connections, %" PRIu64
			      " messages, %" PRIu64 " bytes in %" PRIu64
			      " send calls, %" PRIu64 " recv calls\n",
			      st.conns, st.messages, st.bytes, st.sends,
			      st.recvs);
	nl_out_flush(out);
	if (rc != NL_OK) {
		nl_cli_error("%s", errbuf);
		return NL_EXIT_ERROR;
	}
	return NL_EXIT_OK;
}

int nl_cli_gen(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		gen_usage_top(argc < 2 ? stderr : stdout);
		return argc < 2 ? NL_EXIT_USAGE : NL_EXIT_OK;
	}
	enum nl_gen_role role;
	if (!strcmp(argv[1], "server"))
		role = NL_GEN_SERVER;
	else if (!strcmp(argv[1], "client"))
		role = NL_GEN_CLIENT;
	else if (!strcmp(argv[1], "demo"))
		role = NL_GEN_DEMO;
	else {
		nl_cli_error("gen: unknown mode '%s' (server, client, demo)",
			     argv[1]);
		return NL_EXIT_USAGE;
	}
	struct nl_outbuf out;
	if (!nl_out_init(&out, STDOUT_FILENO)) {
		nl_cli_error("out of memory");
		return NL_EXIT_ERROR;
	}
	struct nl_gen_opts o;
	char errbuf[NL_ERRBUF_SIZE] = "";
	int rc = nl_gen_parse(&o, role, argc - 1, argv + 1, errbuf);
	if (rc == 1) {
		nl_gen_usage(role, &out);
		nl_out_flush(&out);
		nl_out_free(&out);
		return NL_EXIT_OK;
	}
	if (rc < 0) {
		nl_cli_error("%s", errbuf);
		nl_out_free(&out);
		return NL_EXIT_USAGE;
	}
	catch_signals();
	if (role == NL_GEN_SERVER)
		rc = run_server(&o, &out);
	else if (role == NL_GEN_CLIENT)
		rc = run_client(&o, &out);
	else {
		rc = nl_gen_demo_run(&o, &out, &gen_stop, errbuf);
		nl_out_flush(&out);
		if (rc != NL_EXIT_OK && errbuf[0])
			nl_cli_error("%s", errbuf);
	}
	nl_out_flush(&out);
	nl_out_free(&out);
	return rc;
}
