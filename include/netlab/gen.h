/*
 * netlab gen: a traffic generator that reproduces the TCP "sticky packet"
 * scenarios (merge, split) and their fixes (length prefix, JSON header,
 * ready handshake), with a ground-truth record of every send() and recv().
 *
 * Generated message bodies carry a checksum so a receiver can tell that a
 * message arrived whole and unaltered. A body of NL_GEN_TAG_LEN bytes or
 * more starts with the 12-byte tag
 *
 *     "NLG" + 8 lowercase hex digits + ":"
 *
 * where the hex digits are the CRC-32 (IEEE 802.3, as zlib.crc32) of the
 * body's bytes after the tag. The rest is printable ASCII ("c1 m7 " and
 * letters), so escaped previews stay readable. Shorter bodies (e.g. the
 * classic "hello", "world", "egon") carry no tag and are not checked.
 *
 * The generator writes its own output (per-recv lines, messages, summaries)
 * to a caller-given nl_outbuf; system failures go to errbuf.
 */
#ifndef NETLAB_GEN_H
#define NETLAB_GEN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "netlab/framing.h"
#include "netlab/outbuf.h"
#include "netlab/status.h"

#define NL_GEN_TAG_LEN		   12
#define NL_GEN_DEFAULT_PORT	   9000
#define NL_GEN_MAX_CONNS	   10000 /* cap of --max-conns/--connections */
#define NL_GEN_DEFAULT_MAX_CONNS   2048
#define NL_GEN_DEFAULT_MAX_MESSAGE (16ull * 1024 * 1024)
#define NL_GEN_MAX_RECV_SIZE	   (1024 * 1024)
#define NL_GEN_MAX_SIZE		   (256ull * 1024 * 1024) /* --size, --reply-size */
#define NL_GEN_MAX_COUNT	   100000000ull
#define NL_GEN_PREVIEW		   64 /* bytes of a message shown in previews */

enum nl_gen_role { NL_GEN_SERVER, NL_GEN_CLIENT, NL_GEN_DEMO };

enum nl_gen_scenario {
	NL_GEN_MERGE,
	NL_GEN_SPLIT,
	NL_GEN_FRAMED,
	NL_GEN_JSONHDR,
	NL_GEN_READY,
	NL_GEN_UDP,
	NL_GEN_FLOOD,
	NL_GEN_SCENARIO_COUNT
};

const char *nl_gen_scenario_name(enum nl_gen_scenario s);

struct nl_truth_rec;
/* Optional observer of every truth record (demo mode); data/n: the bytes
 * sent or received (NULL for other events). */
typedef void (*nl_gen_observer)(void *arg, const struct nl_truth_rec *r,
				const uint8_t *data, size_t n);

struct nl_gen_opts {
	enum nl_gen_role role;
	/* common */
	bool udp;
	char host[256]; /* client: target host; server: --bind */
	uint16_t port;
	const char *truth_file;
	bool have_framing;
	struct nl_framing_spec framing;
	uint64_t max_message;
	bool quiet;
	nl_gen_observer observer;
	void *observer_arg;
	/* server */
	uint32_t recv_size; /* 0: not given */
	bool echo, sink, ready;
	uint64_t reply_size;
	uint32_t max_conns;
	uint32_t idle_timeout_ms; /* 0: none */
	uint32_t recv_delay_ms;
	bool no_reuseaddr;
	uint64_t exit_after; /* stop after this many connections (UDP:
			      * datagrams) have ended; 0: run until signalled */
	/* client */
	enum nl_gen_scenario scenario;
	uint64_t count;		     /* 0: the scenario's default */
	uint64_t size_min, size_max; /* 0: the scenario's default messages */
	uint64_t seed;
	uint32_t interval_ms;
	bool nodelay, cork, coalesce;
	int mss, sndbuf; /* 0: kernel default */
	uint32_t connections;
	double duration; /* seconds; flood default 2 */
	const char *file;
	bool reset; /* end with SO_LINGER 0 + close(): RST, not FIN */
	/* demo */
	const char *write_file;
	bool stacked;	/* the three views one after another */
	bool ascii;	/* the table without Unicode box drawing */
	uint32_t width; /* the table's width; 0: the terminal's */
};

/* Parse argv (argv[0] = "server", "client" or "demo"). Returns 0 when
 * options are good, 1 when --help was asked (usage written to *help), or
 * -1 with errbuf naming the problem. */
int nl_gen_parse(struct nl_gen_opts *o, enum nl_gen_role role, int argc,
		 char **argv, char *errbuf);
void nl_gen_usage(enum nl_gen_role role, struct nl_outbuf *out);
/* "1024" or "100-2000" into [min, max]. */
NL_WUR bool nl_gen_parse_size(const char *s, uint64_t *min, uint64_t *max);

/* ---- messages and checksums (scenarios.c) ---- */

uint32_t nl_crc32(uint32_t crc, const uint8_t *p, size_t n);

/* Messages each connection sends by default (merge: 3, split: 1 …). */
uint64_t nl_gen_default_count(const struct nl_gen_opts *o);
/* Length of message `index` (0-based) of connection `conn`. */
uint64_t nl_gen_message_len(const struct nl_gen_opts *o, uint32_t conn,
			    uint64_t index);
/* Write the body of that message into buf (len from nl_gen_message_len, at
 * most cap). Reproducible from --seed. Returns bytes written. */
size_t nl_gen_message(const struct nl_gen_opts *o, uint32_t conn,
		      uint64_t index, uint8_t *buf, size_t cap);
/* Fill a tagged body of len bytes (len >= NL_GEN_TAG_LEN) from a seed. */
void nl_gen_fill(uint8_t *buf, size_t len, uint64_t seed, uint32_t conn,
		 uint64_t index);

/* Streaming check of a body against its tag. */
struct nl_gen_check {
	uint8_t tag[NL_GEN_TAG_LEN];
	uint32_t tag_have;
	uint32_t crc; /* running CRC of the bytes after the tag */
	uint64_t len;
};
enum nl_gen_verdict { NL_GEN_UNTAGGED, NL_GEN_CRC_OK, NL_GEN_CRC_BAD };
void nl_gen_check_begin(struct nl_gen_check *c);
void nl_gen_check_update(struct nl_gen_check *c, const uint8_t *p, size_t n);
enum nl_gen_verdict nl_gen_check_end(const struct nl_gen_check *c);

/* The JSON header of the jsonhdr scenario, as Python's json.dumps writes
 * it: {"func": "put", "file_name": NAME, "file_size": N}. Returns its
 * length, 0 if it does not fit. */
size_t nl_gen_jsonhdr(char *buf, size_t cap, const char *name, uint64_t size);

/* ---- ground truth (truth.c) ---- */

enum nl_truth_ev {
	NL_TRUTH_LISTEN,
	NL_TRUTH_CONNECT,
	NL_TRUTH_ACCEPT,
	NL_TRUTH_SOCKOPTS,
	NL_TRUTH_SEND,
	NL_TRUTH_RECV,
	NL_TRUTH_MESSAGE,
	NL_TRUTH_CLOSE,
	NL_TRUTH_ERROR,
	NL_TRUTH_EV_COUNT
};

struct nl_sockopts {
	int nodelay, cork, maxseg, sndbuf, rcvbuf; /* -1: not applicable */
};

struct nl_truth_rec {
	enum nl_truth_ev ev;
	struct timespec ts; /* CLOCK_REALTIME */
	uint32_t conn;	    /* 1-based connection (UDP: peer) number */
	bool udp;
	const struct sockaddr_storage *local, *peer; /* may be NULL */
	uint64_t off;	   /* stream offset before this call / of the message */
	uint64_t len;	   /* bytes asked for (send/recv), message length */
	int64_t ret;	   /* return value of the call; -1 on error */
	int err;	   /* errno when ret < 0 */
	uint32_t hdr;	   /* message: header bytes */
	const char *check; /* message: "ok", "bad", "none"; error: reason */
	const struct nl_sockopts *opts;
};

struct nl_truth {
	const char *side; /* "client", "server" */
	int fd;		  /* -1: no file */
	struct nl_outbuf out;
	nl_gen_observer observer;
	void *observer_arg;
};

NL_WUR enum nl_status nl_truth_open(struct nl_truth *t, const char *path,
				    const char *side, char *errbuf);
void nl_truth_close(struct nl_truth *t);
void nl_truth_record(struct nl_truth *t, struct nl_truth_rec *r,
		     const uint8_t *data, size_t n);
/* One JSON line for r (no newline): the unit-tested formatter. */
void nl_truth_format(struct nl_outbuf *o, const char *side,
		     const struct nl_truth_rec *r);
void nl_gen_format_addr(char *buf, size_t size,
			const struct sockaddr_storage *ss);
void nl_gen_get_sockopts(int fd, bool udp, struct nl_sockopts *so);

/* ---- running (server.c, client.c, demo.c) ---- */

struct nl_gen_server;
/* Bind and listen; the port is known afterwards (ephemeral with port 0). */
NL_WUR enum nl_status nl_gen_server_open(struct nl_gen_server **out,
					 const struct nl_gen_opts *o,
					 char *errbuf);
uint16_t nl_gen_server_port(const struct nl_gen_server *s);
/* Serve until *stop is set or --exit-after is reached. Returns NL_OK or
 * NL_ERR_SYS (errbuf). Output goes to log. */
NL_WUR enum nl_status nl_gen_server_run(struct nl_gen_server *s,
					struct nl_outbuf *log,
					volatile sig_atomic_t *stop,
					char *errbuf);
/* Counters for summaries and tests. */
struct nl_gen_stats {
	uint64_t conns, refused, messages, bytes, crc_ok, crc_bad, errors;
	uint64_t sends, recvs;
	double seconds;
};
void nl_gen_server_stats(const struct nl_gen_server *s,
			 struct nl_gen_stats *st);
void nl_gen_server_close(struct nl_gen_server *s);

/* Run the client scenario. Returns NL_OK, or NL_ERR_SYS with errbuf (a
 * connection failure, EPIPE/ECONNRESET explained). */
NL_WUR enum nl_status nl_gen_client_run(const struct nl_gen_opts *o,
					struct nl_outbuf *log,
					volatile sig_atomic_t *stop,
					struct nl_gen_stats *st, char *errbuf);

/* netlab gen demo: exit status as in the CLI (0 ok, 1 error). *stop (may
 * be NULL) ends it early, e.g. from a signal handler. */
int nl_gen_demo_run(const struct nl_gen_opts *o, struct nl_outbuf *out,
		    volatile sig_atomic_t *stop, char *errbuf);

#endif
