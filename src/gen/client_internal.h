/* Internal to src/gen: the client's state, shared with flood.c. */
#ifndef NETLAB_CLIENT_INTERNAL_H
#define NETLAB_CLIENT_INTERNAL_H

#include "netlab/gen.h"

struct nl_gen_cconn {
	int fd;
	uint32_t id;
	struct sockaddr_storage local, peer;
	uint64_t tx, rx, sends, recvs;
	bool dead, eof, closing;
	/* flood */
	size_t pos;    /* offset in the block */
	uint32_t idx;  /* next message end in the block */
	uint64_t msgs; /* messages completely sent */
	bool done;     /* all sent, half-closed */
};

struct nl_gen_client {
	const struct nl_gen_opts *o;
	struct nl_outbuf *log;
	struct nl_truth truth;
	struct nl_gen_stats *st;
	char *errbuf;
	volatile sig_atomic_t *stop;
	struct nl_gen_cconn *conns;
	uint32_t nconns;
	uint8_t *body, *buf, *rbuf;
	size_t bodycap, bufcap;
};

void nl_gen_crec(struct nl_gen_client *cl, struct nl_gen_cconn *c,
		 enum nl_truth_ev ev, uint64_t off, uint64_t len, int64_t ret,
		 int err, const char *check, const uint8_t *data, size_t n);
/* Record and explain a failed call (EPIPE, ECONNRESET …); returns false. */
bool nl_gen_conn_error(struct nl_gen_client *cl, struct nl_gen_cconn *c,
		       const char *call, int err);
enum nl_status nl_gen_flood(struct nl_gen_client *cl);

#endif
