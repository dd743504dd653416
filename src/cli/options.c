/* Command-line parsing for replay and sniff. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum {
	OPT_JSON = 256,
	OPT_VERIFY,
	OPT_TIME,
	OPT_NANO,
	OPT_IMMEDIATE,
	OPT_MAX_ARP,
	OPT_MAX_CONNS,
	OPT_CONN_TIMEOUT,
	OPT_CLOSED_TIMEOUT,
	OPT_CONNS,
	OPT_LADDER,
	OPT_ASCII,
	OPT_FRAMING,
	OPT_MAX_FLOWS,
	OPT_MAX_BUFFER,
	OPT_MAX_MESSAGE,
	OPT_OVERLAP,
	OPT_MESSAGES,
	OPT_MAP,
	OPT_FOLLOW,
	OPT_FOLLOW_RAW,
	OPT_TRUTH,
};

static const struct option long_opts[] = {
	{"count", required_argument, NULL, 'c'},
	{"numeric", no_argument, NULL, 'n'},
	{"link", no_argument, NULL, 'e'},
	{"hex", no_argument, NULL, 'x'},
	{"hex-ascii", no_argument, NULL, 'X'},
	{"verbose", no_argument, NULL, 'v'},
	{"quiet", no_argument, NULL, 'q'},
	{"line-buffered", no_argument, NULL, 'l'},
	{"write", required_argument, NULL, 'w'},
	{"snaplen", required_argument, NULL, 's'},
	{"no-promiscuous-mode", no_argument, NULL, 'p'},
	{"buffer-size", required_argument, NULL, 'B'},
	{"json", no_argument, NULL, OPT_JSON},
	{"verify-checksums", no_argument, NULL, OPT_VERIFY},
	{"time", required_argument, NULL, OPT_TIME},
	{"nano", no_argument, NULL, OPT_NANO},
	{"immediate", no_argument, NULL, OPT_IMMEDIATE},
	{"max-arp", required_argument, NULL, OPT_MAX_ARP},
	{"max-conns", required_argument, NULL, OPT_MAX_CONNS},
	{"conn-timeout", required_argument, NULL, OPT_CONN_TIMEOUT},
	{"closed-timeout", required_argument, NULL, OPT_CLOSED_TIMEOUT},
	{"absolute", no_argument, NULL, 'S'},
	{"conns", no_argument, NULL, OPT_CONNS},
	{"ladder", optional_argument, NULL, OPT_LADDER},
	{"ascii", no_argument, NULL, OPT_ASCII},
	{"framing", required_argument, NULL, OPT_FRAMING},
	{"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
	{"max-buffer", required_argument, NULL, OPT_MAX_BUFFER},
	{"max-message", required_argument, NULL, OPT_MAX_MESSAGE},
	{"overlap", required_argument, NULL, OPT_OVERLAP},
	{"messages", no_argument, NULL, OPT_MESSAGES},
	{"map", optional_argument, NULL, OPT_MAP},
	{"follow", required_argument, NULL, OPT_FOLLOW},
	{"follow-raw", required_argument, NULL, OPT_FOLLOW_RAW},
	{"truth", required_argument, NULL, OPT_TRUTH},
	{"relinquish-privileges", required_argument, NULL, 'Z'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

void nl_cli_error(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fputs("netlab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void nl_cli_usage(enum nl_cmd cmd, bool full)
{
	FILE *f = full ? stdout : stderr;
	if (cmd == NL_CMD_REPLAY)
		fputs("usage: netlab replay [OPTIONS] FILE [EXPRESSION]\n"
		      "Analyse a pcap or pcapng capture file ('-' reads standard input).\n",
		      f);
	else
		fputs("usage: netlab sniff [OPTIONS] IFACE [EXPRESSION]\n"
		      "Capture live on IFACE ('any' for all interfaces) until Ctrl-C,\n"
		      "SIGTERM or -c COUNT.\n",
		      f);
	if (!full) {
		fprintf(f, "Try 'netlab %s --help'.\n",
			cmd == NL_CMD_REPLAY ? "replay" : "sniff");
		return;
	}
	fputs("\nEXPRESSION is a BPF filter, as in tcpdump (e.g. 'tcp port 9000').\n"
	      "\noutput:\n"
	      "  -e, --link             show the link-level header (MACs, vendor, frame size)\n"
	      "  -v, --verbose          one indented block per layer: link, network,\n"
	      "                         transport, application\n"
	      "  -x, --hex              hex dump of each packet\n"
	      "  -X, --hex-ascii        hex and ASCII dump of each packet\n"
	      "  -q, --quiet            no per-packet lines: the summary only\n"
	      "      --json             JSON Lines: one object per packet, a summary last\n"
	      "  -n, --numeric          accepted for tcpdump habits (netlab never resolves names)\n"
	      "      --time STYLE       local (default), utc, relative, delta, epoch, date, none\n"
	      "      --nano             nanosecond timestamps\n"
	      "  -l, --line-buffered    flush output after every packet\n"
	      "  -S, --absolute         absolute TCP sequence numbers (default: relative\n"
	      "                         to each direction's ISN, as Wireshark shows them)\n"
	      "      --conns            a table of TCP connections at the end (with --json:\n"
	      "                         one {\"type\":\"conn\"} object per connection)\n"
	      "      --ladder[=ID]      draw TCP connections (or connection ID) as\n"
	      "                         sequence diagrams instead of packet lines\n"
	      "      --ascii            draw with ASCII, not Unicode box drawing\n"
	      "      --messages         list the application's messages as they end\n"
	      "                         instead of packet lines (with --json every\n"
	      "                         message is an object anyway)\n"
	      "      --map[=ID]         at each connection's end (or connection ID's),\n"
	      "                         draw segments above messages on one byte axis\n"
	      "      --follow ID        print connection ID's conversation, message by\n"
	      "                         message (text escaped, binary as hex)\n"
	      "      --follow-raw ID DIR  write one direction (c2s or s2c) of connection\n"
	      "                         ID as raw bytes to standard output (not a\n"
	      "                         terminal: redirect it to a file)\n"
	      "\nanalysis:\n"
	      "  -c, --count N          stop after N packets\n"
	      "      --verify-checksums verify IPv4, ICMP, TCP and UDP checksums\n"
	      "      --max-arp N        ARP table capacity (default 4096; 0 = off)\n"
	      "      --max-conns N      TCP connection table capacity (default 65536;\n"
	      "                         0 = no connection tracking)\n"
	      "      --conn-timeout S   retire a connection idle for S seconds of\n"
	      "                         capture time (default 600; 0 = never)\n"
	      "      --closed-timeout S retire a closed connection S seconds of capture\n"
	      "                         time after its last packet (default 60, as\n"
	      "                         Linux's TIME_WAIT; 0 = like open ones)\n"
	      "  -w, --write FILE       also write the packets read to a pcap file\n"
	      "                         (-: to standard output; the report goes to stderr)\n"
	      "\nstream analysis (reassembly, framing, message maps):\n"
	      "      --framing SPEC     how messages are framed: auto (default), u8,\n"
	      "                         u16le, u16be, u32le, u32be, u64le, u64be,\n"
	      "                         len:SIZE:ENDIAN[,offset=N][,adjust=N], varint,\n"
	      "                         line, jsonhdr, http, tls, turns, none\n"
	      "      --framing PORT=SPEC  framing of connections to server PORT\n"
	      "                         (repeatable, up to 16)\n"
	      "      --max-flows N      connections analysed at once (default 16384;\n"
	      "                         0 = stream analysis off)\n"
	      "      --max-buffer SIZE  reassembly buffer for out-of-order bytes\n"
	      "                         (default 16M; K, M, G suffixes)\n"
	      "      --max-message SIZE longest message believed (default 64M)\n"
	      "      --overlap first|last  which copy of retransmitted bytes that\n"
	      "                         differ is kept (default first)\n"
	      "      --truth FILE       netlab gen's ground truth (gen ... --truth FILE):\n"
	      "                         each send()/recv() shown beside the packets\n"
	      "                         that carried it (replay; up to 4 files)\n",
	      f);
	if (cmd == NL_CMD_SNIFF)
		fputs("\nlive capture:\n"
		      "  -s, --snaplen N        bytes to capture per packet (default 262144)\n"
		      "  -p, --no-promiscuous-mode  do not put the interface in promiscuous mode\n"
		      "  -B, --buffer-size KiB  kernel capture buffer (default 8192 KiB)\n"
		      "      --immediate        deliver packets at once (may drop more on bursts)\n"
		      "  -Z, --relinquish-privileges USER\n"
		      "                         once the capture and the -w file are open, run\n"
		      "                         as USER (default when started as root: nobody;\n"
		      "                         '-Z root' keeps root)\n",
		      f);
	fputs("\n  -h, --help             this help\n"
	      "\nexit status: 0 ok, 1 error, 2 usage or filter error, 3 capture file\n"
	      "ended mid-record, 4 unreadable record in capture file, 5 no permission\n"
	      "to capture.\n",
	      f);
}

/* "-B/--buffer-size" for messages about an option, whichever form was used */
static const char *option_name(int ch)
{
	static char buf[64];
	for (const struct option *o = long_opts; o->name; o++) {
		if (o->val != ch)
			continue;
		if (ch < 256)
			snprintf(buf, sizeof(buf), "-%c/--%s", ch, o->name);
		else
			snprintf(buf, sizeof(buf), "--%s", o->name);
		return buf;
	}
	return "?";
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

/* "64K", "16M", "1G" (powers of 1024) or plain bytes */
static bool parse_size(const char *s, uint64_t min, uint64_t max,
		       uint64_t *out)
{
	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	unsigned shift = 0;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case '\0':
		break;
	default:
		return false;
	}
	if (shift) {
		end++;
		if (*end == 'i' && end[1] == 'B')
			end += 2;
		else if (*end == 'B')
			end++;
	}
	if (*end || v > (max >> shift))
		return false;
	v <<= shift;
	if (v < min)
		return false;
	*out = v;
	return true;
}

/* --framing SPEC or --framing PORT=SPEC (a SPEC never starts with a
 * digit) */
static int parse_framing(struct nl_cli *cli, const char *arg)
{
	char errbuf[NL_ERRBUF_SIZE] = "";
	struct nl_flow_config *fc = &cli->config.flow;
	size_t digits = strspn(arg, "0123456789");
	struct nl_framing_spec spec;
	if (digits && arg[digits] == '=') {
		uint64_t port;
		char num[8];
		if (digits >= sizeof(num)) {
			nl_cli_error("invalid port in --framing '%s' (1 to "
				     "65535)",
				     arg);
			return NL_EXIT_USAGE;
		}
		memcpy(num, arg, digits);
		num[digits] = '\0';
		if (!parse_u64(num, 65535, &port) || port == 0) {
			nl_cli_error("invalid port in --framing '%s' (1 to "
				     "65535)",
				     arg);
			return NL_EXIT_USAGE;
		}
		if (nl_framing_parse(arg + digits + 1, &spec, errbuf) !=
		    NL_OK) {
			nl_cli_error("invalid framing SPEC '%s' for --framing "
				     "%s: %s",
				     arg + digits + 1, arg, errbuf);
			return NL_EXIT_USAGE;
		}
		unsigned i;
		for (i = 0; i < fc->n_ports; i++)
			if (fc->ports[i].port == port)
				break; /* the later one wins */
		if (i == fc->n_ports) {
			if (fc->n_ports >= NL_FLOW_MAX_PORT_SPECS) {
				nl_cli_error("too many --framing PORT=SPEC "
					     "options (at most %d)",
					     NL_FLOW_MAX_PORT_SPECS);
				return NL_EXIT_USAGE;
			}
			fc->n_ports++;
		}
		fc->ports[i].port = (uint16_t)port;
		fc->ports[i].spec = spec;
		return NL_EXIT_OK;
	}
	if (nl_framing_parse(arg, &spec, errbuf) != NL_OK) {
		nl_cli_error("invalid framing SPEC '%s' for --framing: %s", arg,
			     errbuf);
		return NL_EXIT_USAGE;
	}
	fc->spec = spec;
	return NL_EXIT_OK;
}

/* A connection id for --follow / --follow-raw / --map */
static bool parse_conn_id(const char *s, uint64_t *out)
{
	return parse_u64(s, UINT64_MAX, out) && *out != 0;
}

static bool parse_time_style(const char *s, enum nl_time_style *out)
{
	static const char *const names[NL_TIME_STYLE_COUNT] = {
		[NL_TIME_LOCAL] = "local",   [NL_TIME_UTC] = "utc",
		[NL_TIME_RELATIVE] = "relative", [NL_TIME_DELTA] = "delta",
		[NL_TIME_EPOCH] = "epoch",   [NL_TIME_DATE] = "date",
		[NL_TIME_NONE] = "none",
	};
	for (int i = 0; i < NL_TIME_STYLE_COUNT; i++)
		if (names[i] && !strcmp(s, names[i])) {
			*out = (enum nl_time_style)i;
			return true;
		}
	return false;
}

static char *join_words(int n, char **words)
{
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(words[i]) + 1;
	char *s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, words[i]);
	}
	return s;
}

int nl_cli_parse(struct nl_cli *cli, enum nl_cmd cmd, int argc, char **argv)
{
	memset(cli, 0, sizeof(*cli));
	cli->cmd = cmd;
	nl_config_defaults(&cli->config);
	cli->report.time_style = NL_TIME_LOCAL;
	cli->report.time_digits = 6;
	const char *cmdname = cmd == NL_CMD_REPLAY ? "replay" : "sniff";

	opterr = 0;
	optind = 1;
	int ch;
	uint64_t v;
	while ((ch = getopt_long(argc, argv, ":c:nexXvqlSw:s:pB:Z:h", long_opts,
				 NULL)) != -1) {
		bool live_only = false;
		switch (ch) {
		case 'c':
			if (!parse_u64(optarg, UINT64_MAX, &cli->count) ||
			    cli->count == 0) {
				nl_cli_error("invalid packet count '%s' for -c "
					     "(a positive whole number)",
					     optarg);
				return NL_EXIT_USAGE;
			}
			break;
		case 'n':
			break;
		case 'e':
			cli->report.link = true;
			break;
		case 'x':
			cli->report.hex = true;
			break;
		case 'X':
			cli->report.hex_ascii = true;
			break;
		case 'v':
			cli->verbose = true;
			break;
		case 'q':
			cli->quiet = true;
			break;
		case 'l':
			cli->line_buffered = true;
			break;
		case 'w':
			cli->capture.write_file = optarg;
			break;
		case 's':
			live_only = true;
			if (!parse_u64(optarg, 262144, &v)) {
				nl_cli_error("invalid snapshot length '%s' for -s "
					     "(0 to 262144)",
					     optarg);
				return NL_EXIT_USAGE;
			}
			cli->capture.snaplen = (int)v;
			break;
		case 'p':
			live_only = true;
			cli->capture.no_promisc = true;
			break;
		case 'B':
			live_only = true;
			if (!parse_u64(optarg, 4 * 1024 * 1024, &v) || v == 0) {
				nl_cli_error("invalid buffer size '%s' for -B "
					     "(KiB, 1 to 4194304)",
					     optarg);
				return NL_EXIT_USAGE;
			}
			cli->capture.buffer_kib = (int)v;
			break;
		case 'Z':
			live_only = true;
			cli->drop_user = optarg;
			break;
		case OPT_IMMEDIATE:
			live_only = true;
			cli->capture.immediate = true;
			break;
		case OPT_JSON:
			cli->json = true;
			break;
		case OPT_VERIFY:
			cli->config.decode.verify_checksums = true;
			cli->report.verify_checksums = true;
			break;
		case OPT_TIME:
			if (!parse_time_style(optarg, &cli->report.time_style)) {
				nl_cli_error("unknown time style '%s' for --time "
					     "(local, utc, relative, delta, "
					     "epoch, date, none)",
					     optarg);
				return NL_EXIT_USAGE;
			}
			break;
		case OPT_NANO:
			cli->report.time_digits = 9;
			break;
		case OPT_MAX_ARP:
			if (!parse_u64(optarg, 1u << 24, &v)) {
				nl_cli_error("invalid ARP table size '%s' for "
					     "--max-arp (0 to 16777216)",
					     optarg);
				return NL_EXIT_USAGE;
			}
			cli->config.arp_cap = (uint32_t)v;
			break;
		case OPT_MAX_CONNS:
			if (!parse_u64(optarg, NL_CONN_MAX_CAP, &v)) {
				nl_cli_error("invalid connection table size '%s' "
					     "for --max-conns (0 to %u)",
					     optarg, NL_CONN_MAX_CAP);
				return NL_EXIT_USAGE;
			}
			cli->config.conn_cap = (uint32_t)v;
			break;
		case OPT_CONN_TIMEOUT:
			if (!parse_u64(optarg, UINT32_MAX, &v)) {
				nl_cli_error("invalid idle timeout '%s' for "
					     "--conn-timeout (seconds, 0 = never)",
					     optarg);
				return NL_EXIT_USAGE;
			}
			cli->config.conn_idle = (uint32_t)v;
			break;
		case OPT_CLOSED_TIMEOUT:
			if (!parse_u64(optarg, UINT32_MAX, &v)) {
				nl_cli_error("invalid timeout '%s' for "
					     "--closed-timeout (seconds, 0 = "
					     "like open connections)",
					     optarg);
				return NL_EXIT_USAGE;
			}
			cli->config.conn_linger = (uint32_t)v;
			break;
		case 'S':
			cli->report.absolute = true;
			break;
		case OPT_CONNS:
			cli->report.conns = true;
			break;
		case OPT_LADDER:
			cli->ladder = true;
			/* "--ladder 3 FILE": a number followed by more words */
			if (!optarg && optind + 1 < argc && argv[optind][0] &&
			    strspn(argv[optind], "0123456789") ==
				strlen(argv[optind]))
				optarg = argv[optind++];
			if (optarg && (!parse_u64(optarg, UINT64_MAX, &v) ||
				       v == 0)) {
				nl_cli_error("invalid connection id '%s' for "
					     "--ladder (see --conns)",
					     optarg);
				return NL_EXIT_USAGE;
			}
			cli->report.ladder_id = optarg ? v : 0;
			break;
		case OPT_ASCII:
			cli->report.ascii = true;
			break;
		case OPT_FRAMING: {
			int rc = parse_framing(cli, optarg);
			if (rc != NL_EXIT_OK)
				return rc;
			break;
		}
		case OPT_MAX_FLOWS:
			if (!parse_u64(optarg, NL_FLOW_MAX_CAP, &v)) {
				nl_cli_error("invalid flow table size '%s' for "
					     "--max-flows (0 to %u; 0 turns "
					     "stream analysis off)",
					     optarg, (unsigned)NL_FLOW_MAX_CAP);
				return NL_EXIT_USAGE;
			}
			cli->config.flow.cap = (uint32_t)v;
			cli->flows_off = v == 0;
			break;
		case OPT_MAX_BUFFER:
			if (!parse_size(optarg, 64 * 1024, 1ull << 36, &v)) {
				nl_cli_error("invalid size '%s' for --max-buffer "
					     "(64K to 64G; K, M, G suffixes)",
					     optarg);
				return NL_EXIT_USAGE;
			}
			cli->config.flow.reasm.max_buffer = v;
			break;
		case OPT_MAX_MESSAGE:
			if (!parse_size(optarg, 1, 1ull << 40, &v)) {
				nl_cli_error("invalid size '%s' for --max-message "
					     "(1 to 1T bytes; K, M, G "
					     "suffixes)",
					     optarg);
				return NL_EXIT_USAGE;
			}
			cli->config.flow.max_message = v;
			break;
		case OPT_OVERLAP:
			if (!strcmp(optarg, "first")) {
				cli->config.flow.reasm.overlap = NL_REASM_FIRST;
			} else if (!strcmp(optarg, "last")) {
				cli->config.flow.reasm.overlap = NL_REASM_LAST;
			} else {
				nl_cli_error("unknown overlap policy '%s' for "
					     "--overlap (first or last)",
					     optarg);
				return NL_EXIT_USAGE;
			}
			break;
		case OPT_TRUTH:
			if (cmd != NL_CMD_REPLAY) {
				nl_cli_error("--truth applies to 'netlab replay' "
					     "only");
				return NL_EXIT_USAGE;
			}
			if (cli->config.n_truth >= NL_APP_MAX_FILES) {
				nl_cli_error("too many --truth files (at most "
					     "%d)",
					     NL_APP_MAX_FILES);
				return NL_EXIT_USAGE;
			}
			cli->config.truth[cli->config.n_truth++] = optarg;
			break;
		case OPT_MESSAGES:
			cli->messages = true;
			break;
		case OPT_MAP:
			cli->map = true;
			/* "--map 3 FILE", as --ladder */
			if (!optarg && optind + 1 < argc && argv[optind][0] &&
			    strspn(argv[optind], "0123456789") ==
				strlen(argv[optind]))
				optarg = argv[optind++];
			if (optarg && !parse_conn_id(optarg, &v)) {
				nl_cli_error("invalid connection id '%s' for "
					     "--map (see --conns)",
					     optarg);
				return NL_EXIT_USAGE;
			}
			cli->report.map_id = optarg ? v : 0;
			break;
		case OPT_FOLLOW:
			if (!parse_conn_id(optarg, &v)) {
				nl_cli_error("invalid connection id '%s' for "
					     "--follow (see --conns)",
					     optarg);
				return NL_EXIT_USAGE;
			}
			cli->follow = true;
			cli->report.follow_id = v;
			break;
		case OPT_FOLLOW_RAW:
			if (!parse_conn_id(optarg, &v)) {
				nl_cli_error("invalid connection id '%s' for "
					     "--follow-raw (see --conns)",
					     optarg);
				return NL_EXIT_USAGE;
			}
			if (optind >= argc) {
				nl_cli_error("--follow-raw needs a direction "
					     "after the id: c2s or s2c");
				return NL_EXIT_USAGE;
			}
			if (!strcmp(argv[optind], "c2s")) {
				cli->report.follow_dir = NL_CLIENT;
			} else if (!strcmp(argv[optind], "s2c")) {
				cli->report.follow_dir = NL_SERVER;
			} else {
				nl_cli_error("invalid direction '%s' for "
					     "--follow-raw (c2s or s2c)",
					     argv[optind]);
				return NL_EXIT_USAGE;
			}
			optind++;
			cli->follow_raw = true;
			cli->report.follow_id = v;
			break;
		case 'h':
			nl_cli_usage(cmd, true);
			return -1;
		case ':':
			nl_cli_error("option '%s' needs an argument (see 'netlab "
				     "%s --help')",
				     argv[optind - 1], cmdname);
			return NL_EXIT_USAGE;
		default:
			if (optopt)
				nl_cli_error("unknown option '-%c' for %s (see "
					     "'netlab %s --help')",
					     optopt, cmdname, cmdname);
			else
				nl_cli_error("unknown option '%s' for %s (see "
					     "'netlab %s --help')",
					     argv[optind - 1], cmdname, cmdname);
			return NL_EXIT_USAGE;
		}
		if (live_only && cmd != NL_CMD_SNIFF) {
			nl_cli_error("option %s applies to live capture "
				     "('netlab sniff') only",
				     option_name(ch));
			return NL_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		nl_cli_error("missing %s (see 'netlab %s --help')",
			     cmd == NL_CMD_REPLAY ? "capture FILE"
						  : "interface IFACE",
			     cmdname);
		return NL_EXIT_USAGE;
	}
	cli->source = argv[optind++];
	if (optind < argc) {
		cli->filter = join_words(argc - optind, argv + optind);
		if (!cli->filter) {
			nl_cli_error("out of memory");
			return NL_EXIT_ERROR;
		}
	}
	cli->capture.filter = cli->filter;
	if ((cli->report.conns || cli->ladder) && !cli->config.conn_cap) {
		nl_cli_error("--conns and --ladder need connection tracking "
			     "(--max-conns is 0)");
		return NL_EXIT_USAGE;
	}
	int views = cli->ladder + cli->messages + cli->map + cli->follow +
		    cli->follow_raw;
	if (views > 1) {
		nl_cli_error("--ladder, --messages, --map, --follow and "
			     "--follow-raw each replace the packet lines: "
			     "choose one");
		return NL_EXIT_USAGE;
	}
	bool flow_view =
	    cli->messages || cli->map || cli->follow || cli->follow_raw;
	if (flow_view && (!cli->config.conn_cap || cli->flows_off)) {
		nl_cli_error("--messages, --map, --follow and --follow-raw need "
			     "stream analysis (--max-conns or --max-flows is "
			     "0)");
		return NL_EXIT_USAGE;
	}
	if (cli->follow_raw && cli->report.conns) {
		nl_cli_error("--follow-raw writes only the raw bytes: not with "
			     "--conns");
		return NL_EXIT_USAGE;
	}
	if (cli->follow_raw && cli->capture.write_file &&
	    !strcmp(cli->capture.write_file, "-")) {
		nl_cli_error("--follow-raw and -w - both write to standard "
			     "output: write the capture to a file");
		return NL_EXIT_USAGE;
	}
	if ((cli->follow || cli->follow_raw || cli->map) && cli->json) {
		nl_cli_error("--map, --follow and --follow-raw print text, not "
			     "--json (the JSON has the message objects)");
		return NL_EXIT_USAGE;
	}
	/* --follow needs the bytes themselves, which cost a copy per
	 * message: only then */
	if (cli->follow || cli->follow_raw)
		cli->config.flow.want_data = true;
	if (cli->quiet && cli->json) {
		/* --json -q: the summary object only */
	}
	return NL_EXIT_OK;
}

void nl_cli_free(struct nl_cli *cli)
{
	free(cli->filter);
	cli->filter = NULL;
}
