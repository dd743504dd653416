/* The replay/sniff loop: capture source -> pipeline -> sinks. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "netlab/escape.h"
#include "netlab/oui.h"
#include "netlab/outbuf.h"

/* The signal handler needs to reach the capture; nothing else is global. */
static struct nl_capture *volatile running_capture;

static void on_stop_signal(int sig)
{
	(void)sig;
	struct nl_capture *c = running_capture;
	if (c)
		nl_capture_stop(c);
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A closed pipe (netlab ... | head) shows up as EPIPE on write. */
	signal(SIGPIPE, SIG_IGN);
}

/* -q with --json: pass on only the end-of-run events (and connections). */
struct summary_only {
	struct nl_sink inner;
};

static void summary_only_event(void *self, const struct nl_event *ev)
{
	struct summary_only *s = self;
	if (ev->type == NL_EV_SUMMARY || ev->type == NL_EV_CONN_END)
		s->inner.ops->on_event(s->inner.self, ev);
}

static void summary_only_close(void *self)
{
	struct summary_only *s = self;
	if (s->inner.ops->close)
		s->inner.ops->close(s->inner.self);
	free(s);
}

static const struct nl_sink_ops summary_only_ops = {
	.name = "summary-only",
	.on_event = summary_only_event,
	.close = summary_only_close,
	.events = NL_EV_BIT(NL_EV_SUMMARY) | NL_EV_BIT(NL_EV_CONN_END),
};

static enum nl_status add_sinks(struct nl_cli *cli, struct nl_ctx *ctx,
				struct nl_outbuf *out)
{
	struct nl_sink s;
	enum nl_status st;
	if (cli->follow_raw) {
		/* raw bytes only: a summary would corrupt the file */
		st = nl_sink_follow_raw_new(&s, out, &cli->report);
		if (st != NL_OK)
			return st;
		return nl_ctx_add_sink(ctx, s);
	}
	if (cli->json) {
		st = nl_sink_json_new(&s, out, &cli->report);
		if (st != NL_OK)
			return st;
		if (cli->quiet) {
			struct summary_only *w = malloc(sizeof(*w));
			if (!w) {
				s.ops->close(s.self);
				return NL_NOMEM;
			}
			w->inner = s;
			s.ops = &summary_only_ops;
			s.self = w;
		}
		return nl_ctx_add_sink(ctx, s);
	}
	if (!cli->quiet) {
		if (cli->ladder)
			st = nl_sink_ladder_new(&s, out, &cli->report);
		else if (cli->map)
			st = nl_sink_map_new(&s, out, &cli->report);
		else if (cli->follow)
			st = nl_sink_follow_new(&s, out, &cli->report);
		else if (cli->messages)
			st = nl_sink_messages_new(&s, out, &cli->report);
		else if (cli->verbose)
			st = nl_sink_verbose_new(&s, out, &cli->report);
		else
			st = nl_sink_text_new(&s, out, &cli->report);
		if (st != NL_OK || (st = nl_ctx_add_sink(ctx, s)) != NL_OK)
			return st;
		bool packets = !cli->ladder && !cli->map && !cli->follow &&
			       !cli->messages;
		if (packets && (cli->report.hex || cli->report.hex_ascii)) {
			st = nl_sink_hex_new(&s, out, &cli->report);
			if (st != NL_OK ||
			    (st = nl_ctx_add_sink(ctx, s)) != NL_OK)
				return st;
		}
	}
	if (cli->report.conns) {
		st = nl_sink_conns_new(&s, out, &cli->report);
		if (st != NL_OK || (st = nl_ctx_add_sink(ctx, s)) != NL_OK)
			return st;
	}
	st = nl_sink_summary_new(&s, out, &cli->report);
	if (st != NL_OK)
		return st;
	return nl_ctx_add_sink(ctx, s);
}

static int open_error_status(enum nl_capture_error why)
{
	switch (why) {
	case NL_CAPERR_FILTER:
		return NL_EXIT_USAGE;
	case NL_CAPERR_PERM:
		return NL_EXIT_PERM;
	default:
		return NL_EXIT_ERROR;
	}
}

int nl_cli_run(struct nl_cli *cli)
{
	char errbuf[NL_ERRBUF_SIZE] = "";
	enum nl_capture_error why = NL_CAPERR_NONE;
	struct nl_capture *cap = NULL;
	bool live = cli->cmd == NL_CMD_SNIFF;
	enum nl_status st;

	if (cli->follow_raw && isatty(STDOUT_FILENO)) {
		nl_cli_error("--follow-raw writes raw bytes: redirect standard "
			     "output to a file or a pipe (--follow prints them "
			     "escaped)");
		return NL_EXIT_USAGE;
	}
	/* -w -: the capture takes standard output, the report standard
	 * error (as tcpdump -w - does) */
	int report_fd = cli->capture.write_file &&
				!strcmp(cli->capture.write_file, "-")
			    ? STDERR_FILENO
			    : STDOUT_FILENO;
	install_signals();
	if (live)
		st = nl_capture_open_live(&cap, cli->source, &cli->capture,
					  &why, errbuf);
	else
		st = nl_capture_open_file(&cap, cli->source, &cli->capture,
					  &why, errbuf);
	if (st != NL_OK) {
		nl_cli_error("%s", errbuf);
		return open_error_status(why);
	}
	/* Least privilege: nothing after this point needs root. */
	if (live && !nl_cli_drop_privileges(cli->drop_user, errbuf)) {
		nl_cli_error("%s", errbuf);
		nl_capture_close(cap);
		return NL_EXIT_ERROR;
	}

	uint32_t dlt = nl_capture_linktype(cap);
	if (!nl_decode_linktype_supported(dlt)) {
		const char *name = nl_linktype_name(dlt);
		nl_cli_error("warning: link type %u%s%s%s is not decoded; its "
			     "packets are counted as undecoded",
			     dlt, name ? " (" : "", name ? name : "",
			     name ? ")" : "");
	}

	struct nl_oui_db *oui = NULL;
	if (cli->report.link || cli->verbose || cli->json) {
		char oerr[NL_ERRBUF_SIZE] = "";
		if (nl_oui_load(&oui, NULL, oerr) != NL_OK)
			oui = NULL; /* vendors are a nicety: hex still works */
	}
	cli->report.oui = oui;
	if (!cli->report.ascii && !nl_locale_utf8())
		cli->report.ascii = true; /* box drawing needs UTF-8 */
	/* --map fills the terminal; 80 columns into a file or a pipe */
	struct winsize ws;
	if (isatty(report_fd) && ioctl(report_fd, TIOCGWINSZ, &ws) == 0)
		cli->report.width = ws.ws_col;

	int rc = NL_EXIT_OK;
	struct nl_outbuf out;
	struct nl_ctx ctx;
	if (!nl_out_init(&out, report_fd)) {
		nl_cli_error("out of memory");
		nl_capture_close(cap);
		nl_oui_free(oui);
		return NL_EXIT_ERROR;
	}
	if (nl_ctx_init(&ctx, &cli->config, errbuf) != NL_OK) {
		nl_cli_error("%s", errbuf);
		rc = NL_EXIT_ERROR;
		goto out_free;
	}
	if (add_sinks(cli, &ctx, &out) != NL_OK) {
		nl_cli_error("cannot set up the output");
		rc = NL_EXIT_ERROR;
		goto out_ctx;
	}
	nl_ctx_set_linktype(&ctx, dlt);

	bool flush_each = cli->line_buffered ||
			  (live && isatty(report_fd));
	running_capture = cap;
	uint64_t n = 0;
	bool read_error = false;
	char read_err[NL_ERRBUF_SIZE] = "";
	for (;;) {
		struct nl_time ts;
		const uint8_t *data;
		uint32_t caplen, len;
		enum nl_capture_result r =
			nl_capture_next(cap, &ts, &data, &caplen, &len, read_err);
		if (r == NL_CAP_PACKET) {
			nl_ctx_packet(&ctx, &ts, data, caplen, len);
			if (flush_each)
				nl_out_flush(&out);
			if (out.failed)
				break;
			if (cli->count && ++n >= cli->count)
				break;
		} else if (r == NL_CAP_TIMEOUT) {
			nl_out_flush(&out);
			if (out.failed)
				break;
		} else if (r == NL_CAP_EOF) {
			break;
		} else {
			read_error = true;
			break;
		}
	}
	running_capture = NULL;

	struct nl_summary extra = {0};
	uint64_t trunc_off = 0;
	bool truncated = read_error && nl_capture_truncated(cap, &trunc_off);
	extra.file_truncated = truncated;
	extra.file_truncated_offset = trunc_off;
	if (live) {
		uint64_t recv, drop, ifdrop;
		if (nl_capture_stats(cap, &recv, &drop, &ifdrop)) {
			ctx.stats.live = true;
			ctx.stats.pcap_received = recv;
			ctx.stats.pcap_dropped = drop;
			ctx.stats.pcap_ifdropped = ifdrop;
		}
	}
	if (!out.failed)
		nl_ctx_finish(&ctx, &extra);
	nl_out_flush(&out);
	char dump_err[NL_ERRBUF_SIZE] = "";
	bool dump_failed = nl_capture_finish_dump(cap, dump_err) != NL_OK;

	if (out.failed && out.write_errno != EPIPE) {
		nl_cli_error("cannot write output: %s", strerror(out.write_errno));
		rc = NL_EXIT_ERROR;
	} else if (read_error) {
		if (truncated) {
			nl_cli_error("warning: capture file '%s' ended mid-record "
				     "at byte offset %llu; the %llu complete "
				     "packets before it were reported",
				     cli->source, (unsigned long long)trunc_off,
				     (unsigned long long)ctx.stats.packets);
			rc = NL_EXIT_TRUNCATED;
		} else {
			nl_cli_error("%s: %s; the %llu packets before it were "
				     "reported",
				     live ? cli->source : "capture file", read_err,
				     (unsigned long long)ctx.stats.packets);
			rc = live ? NL_EXIT_ERROR : NL_EXIT_CORRUPT;
		}
	}
	if (dump_failed) {
		nl_cli_error("%s", dump_err);
		if (rc == NL_EXIT_OK)
			rc = NL_EXIT_ERROR;
	}
out_ctx:
	nl_ctx_free(&ctx);
out_free:
	nl_capture_close(cap);
	nl_out_free(&out);
	nl_oui_free(oui);
	return rc;
}
