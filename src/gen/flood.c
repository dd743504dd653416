/*
 * --scenario flood: N non-blocking connections each writing a prebuilt
 * block of framed, checksummed messages as fast as the socket takes them,
 * for --duration seconds or --count messages, always stopping at a message
 * boundary so the receiver sees only whole messages.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "client_internal.h"
#include "gen_internal.h"

#define FLOOD_BLOCK    (256 * 1024)
#define FLOOD_MAX_MSGS 8192
#define FLOOD_READ     (64 * 1024)

struct block {
	uint8_t *p;
	size_t len;
	size_t *ends; /* end offset of each message */
	uint32_t k;
};

static bool build_block(struct nl_gen_client *cl, struct block *b)
{
	const struct nl_gen_opts *o = cl->o;
	uint64_t maxlen = o->size_max ? o->size_max : 1024;
	size_t cap = FLOOD_BLOCK;
	if (maxlen + 32 > cap)
		cap = (size_t)maxlen + 32;
	b->p = malloc(cap);
	b->ends = malloc(FLOOD_MAX_MSGS * sizeof(*b->ends));
	if (!b->p || !b->ends)
		return false;
	b->len = 0;
	b->k = 0;
	for (uint64_t i = 0; b->k < FLOOD_MAX_MSGS; i++) {
		size_t mlen = (size_t)nl_gen_message_len(o, 0, i);
		uint8_t h[16];
		size_t hl = 0;
		bool line =
		    o->have_framing && o->framing.kind == NL_FRAMING_LINE;
		if (o->have_framing && !line) {
			hl = nl_framing_encode_header(&o->framing, mlen, h,
						      sizeof(h));
			if (!hl) {
				snprintf(
				    cl->errbuf, NL_ERRBUF_SIZE,
				    "flood: --framing cannot carry %zu-byte "
				    "messages",
				    mlen);
				return false;
			}
		}
		size_t total = hl + mlen + (line ? 1 : 0);
		if (b->len + total > cap && b->k > 0)
			break;
		memcpy(b->p + b->len, h, hl);
		nl_gen_fill(b->p + b->len + hl, mlen, o->seed, 0, i);
		if (line)
			b->p[b->len + hl + mlen] = '\n';
		b->len += total;
		b->ends[b->k++] = b->len;
	}
	return true;
}

static void finish(struct nl_gen_client *cl, int ep, struct nl_gen_cconn *c,
		   uint32_t *active)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	nl_gen_crec(cl, c, NL_TRUTH_CLOSE, c->tx, 0, 0, 0,
		    c->dead ? "error" : "eof", NULL, 0);
	close(c->fd);
	c->fd = -1;
	(*active)--;
}

enum nl_status nl_gen_flood(struct nl_gen_client *cl)
{
	const struct nl_gen_opts *o = cl->o;
	struct block b = {0};
	enum nl_status rc = NL_ERR_SYS;
	int ep = -1;
	uint32_t active = 0;
	cl->rbuf = malloc(FLOOD_READ);
	cl->conns = calloc(o->connections, sizeof(*cl->conns));
	for (uint32_t i = 0; cl->conns && i < o->connections; i++)
		cl->conns[i].fd = -1;
	if (!cl->rbuf || !cl->conns || !build_block(cl, &b)) {
		if (!cl->errbuf[0])
			snprintf(cl->errbuf, NL_ERRBUF_SIZE, "out of memory");
		goto out;
	}
	struct sockaddr_storage ss;
	socklen_t sl;
	if (!nl_gen_resolve(o->host, o->port, false, &ss, &sl, cl->errbuf))
		goto out;
	nl_gen_raise_nofile((uint64_t)o->connections + 64);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0) {
		snprintf(cl->errbuf, NL_ERRBUF_SIZE, "epoll: %s",
			 strerror(errno));
		goto out;
	}
	for (uint32_t i = 0; i < o->connections; i++) {
		struct nl_gen_cconn *c = &cl->conns[i];
		c->id = i + 1;
		c->fd = nl_gen_connect(o, &ss, sl, true, cl->errbuf);
		if (c->fd < 0)
			goto out;
		cl->nconns++;
		memcpy(&c->peer, &ss, sl);
		socklen_t ll = sizeof(c->local);
		getsockname(c->fd, (struct sockaddr *)&c->local, &ll);
		struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = i};
		epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
		active++;
		cl->st->conns++;
		struct nl_sockopts so;
		nl_gen_get_sockopts(c->fd, false, &so);
		nl_gen_crec(cl, c, NL_TRUTH_CONNECT, 0, 0, 0, 0, NULL, NULL, 0);
		struct nl_truth_rec r = {.ev = NL_TRUTH_SOCKOPTS,
					 .conn = c->id,
					 .local = &c->local,
					 .peer = &c->peer,
					 .opts = &so};
		nl_truth_record(&cl->truth, &r, NULL, 0);
	}
	double t0 = nl_gen_now_s(), t_sent = t0;
	double deadline = o->duration > 0 ? t0 + o->duration : 0;
	bool stopping = false;
	uint32_t sending = active;
	struct epoll_event evs[256];
	while (active) {
		if ((cl->stop && *cl->stop) ||
		    (deadline > 0 && nl_gen_now_s() >= deadline))
			stopping = true;
		int n = epoll_wait(ep, evs, 256, 100);
		for (int e = 0; e < n; e++) {
			struct nl_gen_cconn *c = &cl->conns[evs[e].data.u32];
			if (c->fd < 0)
				continue;
			if (c->done) {
				ssize_t r = recv(c->fd, cl->rbuf, FLOOD_READ,
						 MSG_DONTWAIT);
				if (r > 0) {
					c->rx += (uint64_t)r;
					continue;
				}
				if (r < 0 && errno == EAGAIN)
					continue;
				finish(cl, ep, c, &active);
				continue;
			}
			bool boundary =
			    c->pos == 0 ||
			    (c->idx > 0 && b.ends[c->idx - 1] == c->pos);
			bool enough = o->count && c->msgs >= o->count;
			if (enough || (stopping && boundary)) {
				shutdown(c->fd, SHUT_WR);
				c->done = true;
				if (--sending == 0)
					t_sent = nl_gen_now_s();
				struct epoll_event ev = {.events = EPOLLIN,
							 .data.u32 =
							     evs[e].data.u32};
				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
				continue;
			}
			size_t limit = b.len;
			if (stopping)
				limit = b.ends[c->idx];
			else if (o->count &&
				 c->idx + (o->count - c->msgs) <= b.k)
				limit =
				    b.ends[c->idx + (o->count - c->msgs) - 1];
			ssize_t w = send(c->fd, b.p + c->pos, limit - c->pos,
					 MSG_NOSIGNAL);
			int err = errno;
			if (w < 0 && (err == EAGAIN || err == EINTR))
				continue;
			c->sends++;
			cl->st->sends++;
			nl_gen_crec(cl, c, NL_TRUTH_SEND, c->tx, limit - c->pos,
				    w, err, NULL, w > 0 ? b.p + c->pos : NULL,
				    w > 0 ? (size_t)w : 0);
			if (w < 0) {
				nl_gen_conn_error(cl, c, "send", err);
				if (--sending == 0)
					t_sent = nl_gen_now_s();
				finish(cl, ep, c, &active);
				continue;
			}
			c->pos += (size_t)w;
			c->tx += (uint64_t)w;
			cl->st->bytes += (uint64_t)w;
			while (c->idx < b.k && b.ends[c->idx] <= c->pos) {
				c->idx++;
				c->msgs++;
				cl->st->messages++;
			}
			if (c->pos == b.len)
				c->pos = 0, c->idx = 0;
		}
	}
	double secs = t_sent - t0;
	if (secs <= 0)
		secs = 1e-9;
	cl->st->seconds = secs;
	nl_out_printf(cl->log,
		      "flood: %" PRIu64 " connections, %" PRIu64
		      " messages, %" PRIu64 " bytes in %.3f s: %.0f msgs/s, "
		      "%.1f MB/s\n",
		      cl->st->conns, cl->st->messages, cl->st->bytes, secs,
		      (double)cl->st->messages / secs,
		      (double)cl->st->bytes / secs / 1e6);
	rc = cl->st->errors ? NL_ERR_SYS : NL_OK;
out:
	if (ep >= 0)
		close(ep);
	for (uint32_t i = 0; cl->conns && i < o->connections; i++)
		if (cl->conns[i].fd >= 0)
			close(cl->conns[i].fd);
	free(b.p);
	free(b.ends);
	return rc;
}
