/* Option parsing for netlab gen server|client|demo (kept out of src/cli so
 * the unit tests can call it). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netlab/gen.h"

#define S (1u << NL_GEN_SERVER)
#define C (1u << NL_GEN_CLIENT)
#define D (1u << NL_GEN_DEMO)

enum {
	O_TCP = 256,
	O_UDP,
	O_TRUTH,
	O_FRAMING,
	O_MAXMSG,
	O_BIND,
	O_PORT,
	O_RECVSIZE,
	O_ECHO,
	O_SINK,
	O_REPLY,
	O_MAXCONNS,
	O_IDLE,
	O_NOREUSE,
	O_RECVDELAY,
	O_READY,
	O_EXITAFTER,
	O_SCENARIO,
	O_COUNT,
	O_SIZE,
	O_SEED,
	O_INTERVAL,
	O_NODELAY,
	O_CORK,
	O_MSS,
	O_SNDBUF,
	O_CONNS,
	O_DURATION,
	O_COALESCE,
	O_FILE,
	O_RESET,
	O_WRITE,
	O_STACKED,
	O_WIDTH,
	O_ASCII,
	O_QUIET,
	O_HELP,
};

static const struct {
	struct option opt;
	unsigned roles;
} table[] = {
    {{"tcp", no_argument, NULL, O_TCP}, S},
    {{"udp", no_argument, NULL, O_UDP}, S | C},
    {{"truth", required_argument, NULL, O_TRUTH}, S | C},
    {{"framing", required_argument, NULL, O_FRAMING}, S | C | D},
    {{"max-message", required_argument, NULL, O_MAXMSG}, S | D},
    {{"bind", required_argument, NULL, O_BIND}, S},
    {{"port", required_argument, NULL, O_PORT}, S},
    {{"recv-size", required_argument, NULL, O_RECVSIZE}, S | D},
    {{"echo", no_argument, NULL, O_ECHO}, S},
    {{"sink", no_argument, NULL, O_SINK}, S},
    {{"reply-size", required_argument, NULL, O_REPLY}, S},
    {{"max-conns", required_argument, NULL, O_MAXCONNS}, S},
    {{"idle-timeout", required_argument, NULL, O_IDLE}, S},
    {{"no-reuseaddr", no_argument, NULL, O_NOREUSE}, S},
    {{"recv-delay", required_argument, NULL, O_RECVDELAY}, S | D},
    {{"ready", no_argument, NULL, O_READY}, S},
    {{"exit-after", required_argument, NULL, O_EXITAFTER}, S},
    {{"scenario", required_argument, NULL, O_SCENARIO}, C},
    {{"count", required_argument, NULL, O_COUNT}, C | D},
    {{"size", required_argument, NULL, O_SIZE}, C | D},
    {{"seed", required_argument, NULL, O_SEED}, C | D},
    {{"interval", required_argument, NULL, O_INTERVAL}, C | D},
    {{"nodelay", no_argument, NULL, O_NODELAY}, C | D},
    {{"cork", no_argument, NULL, O_CORK}, C | D},
    {{"mss", required_argument, NULL, O_MSS}, C | D},
    {{"sndbuf", required_argument, NULL, O_SNDBUF}, C | D},
    {{"connections", required_argument, NULL, O_CONNS}, C},
    {{"duration", required_argument, NULL, O_DURATION}, C | D},
    {{"coalesce", no_argument, NULL, O_COALESCE}, C | D},
    {{"file", required_argument, NULL, O_FILE}, C | D},
    {{"reset", no_argument, NULL, O_RESET}, C},
    {{"write", required_argument, NULL, O_WRITE}, D},
    {{"stacked", no_argument, NULL, O_STACKED}, D},
    {{"width", required_argument, NULL, O_WIDTH}, D},
    {{"ascii", no_argument, NULL, O_ASCII}, D},
    {{"quiet", no_argument, NULL, O_QUIET}, S | C | D},
    {{"help", no_argument, NULL, O_HELP}, S | C | D},
};
#define NOPTS (sizeof(table) / sizeof(table[0]))

static const char *const role_names[] = {"server", "client", "demo"};

static bool parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	if (!s || *s < '0' || *s > '9')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

bool nl_gen_parse_size(const char *s, uint64_t *min, uint64_t *max)
{
	char a[32];
	const char *dash = strchr(s, '-');
	if (!dash)
		return parse_u64(s, 1, NL_GEN_MAX_SIZE, min) &&
		       (*max = *min, true);
	size_t n = (size_t)(dash - s);
	if (n == 0 || n >= sizeof(a))
		return false;
	memcpy(a, s, n);
	a[n] = '\0';
	return parse_u64(a, 1, NL_GEN_MAX_SIZE, min) &&
	       parse_u64(dash + 1, 1, NL_GEN_MAX_SIZE, max) && *min <= *max;
}

static bool parse_hostport(const char *s, struct nl_gen_opts *o)
{
	const char *colon = strrchr(s, ':');
	if (!colon || colon == s)
		return false;
	const char *h = s;
	size_t hl = (size_t)(colon - s);
	if (h[0] == '[') {
		if (hl < 3 || h[hl - 1] != ']')
			return false;
		h++;
		hl -= 2;
	}
	uint64_t port;
	if (hl >= sizeof(o->host) || !parse_u64(colon + 1, 1, 65535, &port))
		return false;
	memcpy(o->host, h, hl);
	o->host[hl] = '\0';
	o->port = (uint16_t)port;
	return true;
}

static bool parse_scenario(const char *s, enum nl_gen_scenario *out)
{
	for (int i = 0; i < NL_GEN_SCENARIO_COUNT; i++)
		if (!strcmp(s, nl_gen_scenario_name((enum nl_gen_scenario)i))) {
			*out = (enum nl_gen_scenario)i;
			return true;
		}
	return false;
}

static int err(char *errbuf, const char *fmt, const char *a, const char *b)
{
	snprintf(errbuf, NL_ERRBUF_SIZE, fmt, a, b);
	return -1;
}

int nl_gen_parse(struct nl_gen_opts *o, enum nl_gen_role role, int argc,
		 char **argv, char *errbuf)
{
	memset(o, 0, sizeof(*o));
	o->role = role;
	snprintf(o->host, sizeof(o->host), "127.0.0.1");
	o->port = NL_GEN_DEFAULT_PORT;
	o->max_conns = NL_GEN_DEFAULT_MAX_CONNS;
	o->max_message = NL_GEN_DEFAULT_MAX_MESSAGE;
	o->connections = 1;
	o->seed = 1;

	struct option longs[NOPTS + 1];
	for (size_t i = 0; i < NOPTS; i++)
		longs[i] = table[i].opt;
	memset(&longs[NOPTS], 0, sizeof(longs[NOPTS]));

	const char *rn = role_names[role];
	optind = 0; /* glibc: full re-initialisation */
	opterr = 0;
	int c, idx;
	bool framing_none = false;
	while ((c = getopt_long(argc, argv, "hq", longs, &idx)) != -1) {
		if (c == 'h')
			c = O_HELP;
		if (c == 'q')
			c = O_QUIET;
		if (c == '?' || c == ':') {
			const char *bad = argv[optind - 1];
			return err(errbuf,
				   "gen %s: unknown option or missing argument "
				   "'%s' (see --help)",
				   rn, bad);
		}
		for (size_t i = 0; i < NOPTS; i++)
			if (table[i].opt.val == c &&
			    !(table[i].roles & (1u << role)))
				return err(errbuf,
					   "option --%s does not apply to "
					   "'gen %s'",
					   table[i].opt.name, rn);
		uint64_t v;
		const char *a = optarg;
		switch (c) {
		case O_HELP:
			return 1;
		case O_QUIET:
			o->quiet = true;
			break;
		case O_TCP:
			o->udp = false;
			break;
		case O_UDP:
			o->udp = true;
			if (role == NL_GEN_CLIENT)
				o->scenario = NL_GEN_UDP;
			break;
		case O_TRUTH:
			o->truth_file = a;
			break;
		case O_FRAMING:
			if (nl_framing_parse(a, &o->framing, errbuf) != NL_OK)
				return -1;
			if (o->framing.kind == NL_FRAMING_NONE) {
				o->have_framing = false;
				framing_none = true;
				break;
			}
			if (o->framing.kind > NL_FRAMING_JSONHDR)
				return err(
				    errbuf,
				    "framing '%s' is for the inspector; "
				    "gen speaks length prefixes, varint, "
				    "line and jsonhdr%s",
				    a, "");
			o->have_framing = true;
			break;
		case O_MAXMSG:
			if (!parse_u64(a, 1, NL_FRAMING_DEFAULT_MAX_MESSAGE,
				       &v))
				return err(errbuf,
					   "--max-message '%s': 1 to 67108864 "
					   "bytes%s",
					   a, "");
			o->max_message = v;
			break;
		case O_BIND:
			if (strlen(a) >= sizeof(o->host))
				return err(errbuf, "--bind '%s': too long%s", a,
					   "");
			snprintf(o->host, sizeof(o->host), "%s", a);
			break;
		case O_PORT:
			if (!parse_u64(a, 0, 65535, &v))
				return err(errbuf,
					   "--port '%s': 0 to 65535 (0: any "
					   "free port)%s",
					   a, "");
			o->port = (uint16_t)v;
			break;
		case O_RECVSIZE:
			if (!parse_u64(a, 1, NL_GEN_MAX_RECV_SIZE, &v))
				return err(errbuf,
					   "--recv-size '%s': 1 to 1048576%s",
					   a, "");
			o->recv_size = (uint32_t)v;
			break;
		case O_ECHO:
			o->echo = true;
			break;
		case O_SINK:
			o->sink = true;
			break;
		case O_READY:
			o->ready = true;
			break;
		case O_NOREUSE:
			o->no_reuseaddr = true;
			break;
		case O_REPLY:
			if (!parse_u64(a, 1, NL_GEN_MAX_SIZE, &v))
				return err(
				    errbuf,
				    "--reply-size '%s': 1 to 268435456%s", a,
				    "");
			o->reply_size = v;
			break;
		case O_MAXCONNS:
			if (!parse_u64(a, 1, NL_GEN_MAX_CONNS, &v))
				return err(errbuf,
					   "--max-conns '%s': 1 to 10000%s", a,
					   "");
			o->max_conns = (uint32_t)v;
			break;
		case O_IDLE:
			if (!parse_u64(a, 1, 86400, &v))
				return err(errbuf,
					   "--idle-timeout '%s': 1 to 86400 "
					   "seconds%s",
					   a, "");
			o->idle_timeout_ms = (uint32_t)(v * 1000);
			break;
		case O_RECVDELAY:
			if (!parse_u64(a, 0, 60000, &v))
				return err(errbuf,
					   "--recv-delay '%s': 0 to 60000 ms%s",
					   a, "");
			o->recv_delay_ms = (uint32_t)v;
			break;
		case O_EXITAFTER:
			if (!parse_u64(a, 1, NL_GEN_MAX_COUNT, &v))
				return err(errbuf,
					   "--exit-after '%s': 1 or "
					   "more%s",
					   a, "");
			o->exit_after = v;
			break;
		case O_SCENARIO:
			if (!parse_scenario(a, &o->scenario))
				return err(
				    errbuf,
				    "unknown scenario '%s' (merge, split, "
				    "framed, jsonhdr, ready, udp, "
				    "flood)%s",
				    a, "");
			o->udp = o->scenario == NL_GEN_UDP;
			break;
		case O_COUNT:
			if (!parse_u64(a, 1, NL_GEN_MAX_COUNT, &v))
				return err(errbuf, "--count '%s': 1 to 10^8%s",
					   a, "");
			o->count = v;
			break;
		case O_SIZE:
			if (!nl_gen_parse_size(a, &o->size_min, &o->size_max))
				return err(errbuf,
					   "--size '%s': N or MIN-MAX, 1 to "
					   "268435456 bytes%s",
					   a, "");
			break;
		case O_SEED:
			if (!parse_u64(a, 0, UINT64_MAX, &v))
				return err(errbuf, "--seed '%s': a number%s", a,
					   "");
			o->seed = v;
			break;
		case O_INTERVAL:
			if (!parse_u64(a, 0, 60000, &v))
				return err(errbuf,
					   "--interval '%s': 0 to 60000 ms%s",
					   a, "");
			o->interval_ms = (uint32_t)v;
			break;
		case O_NODELAY:
			o->nodelay = true;
			break;
		case O_CORK:
			o->cork = true;
			break;
		case O_COALESCE:
			o->coalesce = true;
			break;
		case O_MSS:
			if (!parse_u64(a, 88, 65535, &v))
				return err(errbuf,
					   "--mss '%s': 88 to 65535 bytes%s", a,
					   "");
			o->mss = (int)v;
			break;
		case O_SNDBUF:
			if (!parse_u64(a, 1024, 64 * 1024 * 1024, &v))
				return err(errbuf,
					   "--sndbuf '%s': 1024 to 67108864%s",
					   a, "");
			o->sndbuf = (int)v;
			break;
		case O_CONNS:
			if (!parse_u64(a, 1, NL_GEN_MAX_CONNS, &v))
				return err(errbuf,
					   "--connections '%s': 1 to 10000%s",
					   a, "");
			o->connections = (uint32_t)v;
			break;
		case O_DURATION: {
			char *end;
			double d = strtod(a, &end);
			if (*end || !(d > 0 && d <= 3600) || isnan(d))
				return err(errbuf,
					   "--duration '%s': 0 to 3600 "
					   "seconds%s",
					   a, "");
			o->duration = d;
			break;
		}
		case O_FILE:
			o->file = a;
			break;
		case O_RESET:
			o->reset = true;
			break;
		case O_WRITE:
			o->write_file = a;
			break;
		case O_STACKED:
			o->stacked = true;
			break;
		case O_WIDTH:
			if (!parse_u64(a, 20, 1000, &v))
				return err(errbuf,
					   "--width '%s': 20 to 1000 columns%s",
					   a, "");
			o->width = (uint32_t)v;
			break;
		case O_ASCII:
			o->ascii = true;
			break;
		default:
			return err(errbuf, "gen %s: unexpected option%s", rn,
				   "");
		}
	}
	int rest = argc - optind;
	if (role == NL_GEN_SERVER) {
		if (rest > 0)
			return err(errbuf,
				   "gen server: unexpected argument '%s'%s",
				   argv[optind], "");
		if (o->echo + o->sink + (o->reply_size > 0) > 1)
			return err(errbuf,
				   "gen server: choose one of --echo, --sink "
				   "and --reply-size%s%s",
				   "", "");
		if (o->ready && o->have_framing)
			return err(errbuf,
				   "gen server: --ready is its own protocol; "
				   "drop --framing%s%s",
				   "", "");
		if (o->udp && (o->have_framing || o->ready))
			return err(errbuf,
				   "gen server: UDP keeps message boundaries; "
				   "--framing and --ready are for TCP%s%s",
				   "", "");
		return 0;
	}
	if (rest != 1)
		return err(errbuf,
			   role == NL_GEN_CLIENT
			       ? "gen client: expected one HOST:PORT%s%s"
			       : "gen demo: expected one SCENARIO (merge, "
				 "split, framed, jsonhdr, ready, udp, "
				 "flood)%s%s",
			   "", "");
	if (role == NL_GEN_CLIENT) {
		if (!parse_hostport(argv[optind], o))
			return err(errbuf,
				   "gen client: '%s' is not HOST:PORT (IPv6: "
				   "[::1]:9000)%s",
				   argv[optind], "");
	} else {
		if (!parse_scenario(argv[optind], &o->scenario))
			return err(errbuf,
				   "unknown scenario '%s' (merge, split, "
				   "framed, jsonhdr, ready, udp, flood)%s",
				   argv[optind], "");
		o->udp = o->scenario == NL_GEN_UDP;
	}
	if (o->scenario == NL_GEN_JSONHDR && o->have_framing &&
	    o->framing.kind != NL_FRAMING_JSONHDR)
		return err(errbuf,
			   "jsonhdr scenario: its framing is jsonhdr%s%s", "",
			   "");
	if (o->reset && (o->udp || o->scenario == NL_GEN_FLOOD))
		return err(errbuf,
			   "--reset is for the TCP scenarios other than "
			   "flood%s%s",
			   "", "");
	if (o->file && o->scenario != NL_GEN_JSONHDR)
		return err(errbuf, "--file is for --scenario jsonhdr%s%s", "",
			   "");
	if (o->coalesce && o->scenario != NL_GEN_FRAMED &&
	    o->scenario != NL_GEN_JSONHDR && o->scenario != NL_GEN_FLOOD)
		return err(errbuf,
			   "--coalesce is for the framed, jsonhdr and flood "
			   "scenarios%s%s",
			   "", "");
	if ((o->scenario == NL_GEN_FRAMED || o->scenario == NL_GEN_FLOOD) &&
	    !o->have_framing && !framing_none) {
		o->have_framing = true;
		o->framing.kind = NL_FRAMING_LENPREFIX;
		o->framing.len_size = 4; /* u32le: struct.pack('i', n) */
	}
	if (o->scenario == NL_GEN_JSONHDR)
		o->framing.kind = NL_FRAMING_JSONHDR, o->have_framing = true;
	if (o->scenario == NL_GEN_FLOOD && o->duration == 0 && o->count == 0)
		o->duration = 2.0;
	return 0;
}

void nl_gen_usage(enum nl_gen_role role, struct nl_outbuf *out)
{
	if (role == NL_GEN_SERVER)
		nl_out_str(
		    out,
		    "usage: netlab gen server [OPTIONS]\n"
		    "A TCP or UDP server that shows what recv() returns.\n\n"
		    "  --tcp | --udp          protocol (default tcp)\n"
		    "  --bind ADDR            address (default 127.0.0.1; IPv6 "
		    "too)\n"
		    "  --port N               port (default 9000; 0: any free "
		    "port)\n"
		    "  --recv-size N          recv(N) and print every call "
		    "(default 1024)\n"
		    "  --recv-delay MS        wait before the first recv "
		    "(makes merges visible)\n"
		    "  --framing SPEC         read whole messages (u32le, "
		    "len:..., varint,\n"
		    "                         line, jsonhdr) and verify "
		    "generated checksums\n"
		    "  --ready                the ASCII length / \"ready\" / "
		    "body protocol\n"
		    "  --echo | --sink | --reply-size N\n"
		    "                         send back what came / discard / "
		    "answer N bytes\n"
		    "  --max-conns N          refuse connections beyond N "
		    "(default 2048)\n"
		    "  --max-message N        longest message accepted "
		    "(default 16 MiB)\n"
		    "  --idle-timeout S       close connections silent for S "
		    "seconds\n"
		    "  --no-reuseaddr         do not set SO_REUSEADDR\n"
		    "  --exit-after N         stop after N connections (UDP: "
		    "datagrams)\n"
		    "  --truth FILE           JSON Lines of every recv/send\n"
		    "  -q, --quiet            no per-recv or per-message "
		    "lines\n");
	else if (role == NL_GEN_CLIENT)
		nl_out_str(
		    out,
		    "usage: netlab gen client HOST:PORT [OPTIONS]\n"
		    "Send a sticky-packet scenario to a server.\n\n"
		    "  --scenario NAME        merge, split, framed, jsonhdr, "
		    "ready, udp, flood\n"
		    "  --count N              messages per connection\n"
		    "  --size N|MIN-MAX       generated bodies with a CRC-32 "
		    "tag\n"
		    "  --seed N               for --size ranges and contents "
		    "(default 1)\n"
		    "  --interval MS          pause between messages\n"
		    "  --nodelay, --cork      TCP_NODELAY, TCP_CORK\n"
		    "  --mss N, --sndbuf N    TCP_MAXSEG before connect, "
		    "SO_SNDBUF\n"
		    "  --connections N        concurrent connections (default "
		    "1)\n"
		    "  --duration S           flood: seconds (default 2)\n"
		    "  --framing SPEC         framed: the length prefix "
		    "(default u32le)\n"
		    "  --coalesce             header and body in one send()\n"
		    "  --file PATH            jsonhdr: upload this file\n"
		    "  --reset                end with SO_LINGER 0 + close(): "
		    "RST, not FIN\n"
		    "  --truth FILE           JSON Lines of every send/recv\n"
		    "  -q, --quiet            no per-send lines\n");
	else
		nl_out_str(
		    out, "usage: netlab gen demo SCENARIO [OPTIONS]\n"
			 "Server and client on loopback, captured: what was "
			 "sent, what the\n"
			 "wire carried and what was received, side by side, "
			 "and why.\n\n"
			 "  SCENARIO               merge, split, framed, "
			 "jsonhdr, ready, udp, flood\n"
			 "  --write FILE           keep the capture (pcap)\n"
			 "  --width N              the table's width (default: "
			 "the terminal's,\n"
			 "                         else $COLUMNS, else 120); "
			 "under 90: stacked\n"
			 "  --stacked              the three views one after "
			 "another\n"
			 "  --ascii                draw with ASCII, not "
			 "Unicode box drawing\n"
			 "  --size, --count, --mss, --nodelay, --cork, "
			 "--framing, --coalesce,\n"
			 "  --recv-size, --recv-delay, --seed, --interval, "
			 "--duration\n"
			 "                         as for gen client / gen "
			 "server\n");
}
