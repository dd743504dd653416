/*
 * netlab gen client: the scenarios. Every connection is opened first (so
 * --connections N really holds N at once), then each runs its scenario
 * with blocking sendall() loops, draining replies without blocking after
 * each message so an echoing server never deadlocks us. flood has its own
 * non-blocking epoll loop (flood.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client_internal.h"
#include "gen_internal.h"
#include "netlab/escape.h"

#define SHOW_MAX      64
#define DRAIN_BUF     (64 * 1024)
#define CLOSE_WAIT_MS 5000

static void sleep_ms(uint32_t ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
			      .tv_nsec = (long)(ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

void nl_gen_crec(struct nl_gen_client *cl, struct nl_gen_cconn *c,
		 enum nl_truth_ev ev, uint64_t off, uint64_t len, int64_t ret,
		 int err, const char *check, const uint8_t *data, size_t n)
{
	struct nl_truth_rec r = {.ev = ev,
				 .conn = c->id,
				 .udp = cl->o->udp,
				 .local = &c->local,
				 .peer = &c->peer,
				 .off = off,
				 .len = len,
				 .ret = ret,
				 .err = err,
				 .check = check};
	nl_truth_record(&cl->truth, &r, data, n);
}

bool nl_gen_conn_error(struct nl_gen_client *cl, struct nl_gen_cconn *c,
		       const char *call, int err)
{
	const char *why = err == EPIPE ? "the server closed the connection "
					 "(EPIPE)"
			  : err == ECONNRESET
			      ? "connection reset by peer (ECONNRESET): "
				"the server closed with unread data or "
				"reset it"
			      : strerror(err);
	snprintf(cl->errbuf, NL_ERRBUF_SIZE,
		 "conn %" PRIu32 ": %s: %s after %" PRIu64 " bytes sent", c->id,
		 call, why, c->tx);
	nl_gen_crec(cl, c, NL_TRUTH_ERROR, c->tx, 0, -1, err, cl->errbuf, NULL,
		    0);
	c->dead = true;
	cl->st->errors++;
	return false;
}

static bool shown(const struct nl_gen_client *cl)
{
	return !cl->o->quiet && cl->o->connections == 1;
}

/* sendall(): complete partial writes; every send() call is a truth record. */
static bool sendall(struct nl_gen_client *cl, struct nl_gen_cconn *c,
		    const uint8_t *p, size_t n)
{
	size_t done = 0;
	while (done < n) {
		if (cl->stop && *cl->stop)
			return false;
		ssize_t w = send(c->fd, p + done, n - done, MSG_NOSIGNAL);
		int err = errno;
		if (w < 0 && err == EINTR)
			continue;
		c->sends++;
		cl->st->sends++;
		nl_gen_crec(cl, c, NL_TRUTH_SEND, c->tx, n - done, w, err, NULL,
			    w > 0 ? p + done : NULL, w > 0 ? (size_t)w : 0);
		if (w < 0)
			return nl_gen_conn_error(cl, c, "send", err);
		if (shown(cl)) {
			nl_out_printf(cl->log, "send #%" PRIu64 ": %zd bytes ",
				      c->sends, w);
			nl_escape_quoted(cl->log, p + done, (size_t)w,
					 SHOW_MAX);
			if ((size_t)w < n - done)
				nl_out_printf(cl->log, " (partial: %zu asked)",
					      n - done);
			nl_out_char(cl->log, '\n');
		}
		done += (size_t)w;
		c->tx += (uint64_t)w;
		cl->st->bytes += (uint64_t)w;
	}
	return true;
}

/* Read what has arrived (waiting up to wait_ms for the first bytes).
 * Returns false on EOF or error. */
static bool drain(struct nl_gen_client *cl, struct nl_gen_cconn *c, int wait_ms)
{
	for (;;) {
		struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
		int pr = poll(&pfd, 1, wait_ms);
		if (pr <= 0)
			return true;
		ssize_t n = recv(c->fd, cl->rbuf, DRAIN_BUF, MSG_DONTWAIT);
		int err = errno;
		if (n < 0 && (err == EAGAIN || err == EINTR))
			return true;
		c->recvs++;
		cl->st->recvs++;
		nl_gen_crec(cl, c, NL_TRUTH_RECV, c->rx, DRAIN_BUF, n, err,
			    NULL, n > 0 ? cl->rbuf : NULL,
			    n > 0 ? (size_t)n : 0);
		if (n < 0)
			return nl_gen_conn_error(cl, c, "recv", err);
		if (shown(cl)) {
			nl_out_printf(cl->log, "recv #%" PRIu64 ": %zd bytes",
				      c->recvs, n);
			if (n) {
				nl_out_char(cl->log, ' ');
				nl_escape_quoted(cl->log, cl->rbuf, (size_t)n,
						 SHOW_MAX);
			} else {
				nl_out_str(cl->log, " (server closed)");
			}
			nl_out_char(cl->log, '\n');
		}
		if (n == 0) {
			c->eof = true;
			return false;
		}
		c->rx += (uint64_t)n;
		if (wait_ms > 0 && !c->closing)
			wait_ms = 0;
	}
}

static bool send_framed(struct nl_gen_client *cl, struct nl_gen_cconn *c,
			const uint8_t *body, size_t len)
{
	const struct nl_framing_spec *f = &cl->o->framing;
	uint8_t h[16 + 4096];
	size_t hl = 0;
	if (f->kind == NL_FRAMING_LINE) {
		/* a generated body never holds an LF; the LF ends it */
		if (cl->o->coalesce && len + 1 <= cl->bufcap) {
			memmove(cl->buf, body, len);
			cl->buf[len] = '\n';
			return sendall(cl, c, cl->buf, len + 1);
		}
		return sendall(cl, c, body, len) &&
		       sendall(cl, c, (const uint8_t *)"\n", 1);
	}
	hl = nl_framing_encode_header(f, len, h, sizeof(h));
	if (!hl) {
		snprintf(cl->errbuf, NL_ERRBUF_SIZE,
			 "a %zu-byte message does not fit the framing's length "
			 "field",
			 len);
		return false;
	}
	if (cl->o->coalesce && hl + len <= cl->bufcap) {
		memmove(cl->buf + hl, body, len);
		memcpy(cl->buf, h, hl);
		return sendall(cl, c, cl->buf, hl + len);
	}
	/* the classic: header and body as two send()s */
	return sendall(cl, c, h, hl) && sendall(cl, c, body, len);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static bool send_upload(struct nl_gen_client *cl, struct nl_gen_cconn *c,
			uint64_t index)
{
	const struct nl_gen_opts *o = cl->o;
	char json[1024], name[300];
	int fd = -1;
	uint64_t size;
	if (o->file) {
		fd = open(o->file, O_RDONLY | O_CLOEXEC);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
			snprintf(cl->errbuf, NL_ERRBUF_SIZE, "--file %s: %s",
				 o->file,
				 fd < 0 ? strerror(errno)
					: "not a regular file");
			if (fd >= 0)
				close(fd);
			return false;
		}
		size = (uint64_t)st.st_size;
		snprintf(name, sizeof(name), "%s", base_name(o->file));
	} else {
		size = nl_gen_message_len(o, c->id, index);
		snprintf(name, sizeof(name),
			 "netlab-gen-%" PRIu32 "-%" PRIu64 ".bin", c->id,
			 index);
	}
	size_t jl = nl_gen_jsonhdr(json, sizeof(json), name, size);
	uint8_t h[4] = {(uint8_t)jl, (uint8_t)(jl >> 8), 0, 0};
	bool ok;
	if (o->coalesce && !o->file && 4 + jl + size <= cl->bufcap) {
		nl_gen_message(o, c->id, index, cl->buf + 4 + jl, (size_t)size);
		memcpy(cl->buf, h, 4);
		memcpy(cl->buf + 4, json, jl);
		ok = sendall(cl, c, cl->buf, 4 + jl + (size_t)size);
	} else {
		/* struct.pack('i', len(header)), the header, the bytes */
		ok = sendall(cl, c, h, 4) &&
		     sendall(cl, c, (const uint8_t *)json, jl);
		if (ok && fd >= 0) {
			uint64_t left = size;
			while (ok && left) {
				size_t want = left < cl->bufcap ? (size_t)left
								: cl->bufcap;
				ssize_t r = read(fd, cl->buf, want);
				if (r <= 0) {
					snprintf(cl->errbuf, NL_ERRBUF_SIZE,
						 "--file %s: %s", o->file,
						 r < 0 ? strerror(errno)
						       : "shrank while sent");
					ok = false;
					break;
				}
				ok = sendall(cl, c, cl->buf, (size_t)r);
				left -= (uint64_t)r;
			}
		} else if (ok) {
			size_t n = nl_gen_message(o, c->id, index, cl->buf,
						  cl->bufcap);
			ok = sendall(cl, c, cl->buf, n);
		}
	}
	if (fd >= 0)
		close(fd);
	if (ok && shown(cl))
		nl_out_printf(cl->log, "uploaded %s: %" PRIu64 " bytes\n", name,
			      size);
	return ok;
}

static bool send_ready(struct nl_gen_client *cl, struct nl_gen_cconn *c,
		       const uint8_t *body, size_t len)
{
	char digits[24];
	int dl = snprintf(digits, sizeof(digits), "%zu", len);
	if (!sendall(cl, c, (const uint8_t *)digits, (size_t)dl))
		return false;
	/* wait for "ready" (the classic waits with one recv) */
	char got[8];
	size_t have = 0;
	uint64_t deadline = nl_gen_now_ms() + CLOSE_WAIT_MS;
	while (have < 5) {
		struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
		int left = (int)(deadline - nl_gen_now_ms());
		if (left <= 0 || poll(&pfd, 1, left) <= 0) {
			snprintf(cl->errbuf, NL_ERRBUF_SIZE,
				 "conn %" PRIu32
				 ": no \"ready\" from the server "
				 "within 5 s (is it 'gen server --ready'?)",
				 c->id);
			return false;
		}
		ssize_t n = recv(c->fd, got + have, 5 - have, 0);
		int err = errno;
		c->recvs++;
		cl->st->recvs++;
		nl_gen_crec(cl, c, NL_TRUTH_RECV, c->rx, 5 - have, n, err, NULL,
			    n > 0 ? (const uint8_t *)got + have : NULL,
			    n > 0 ? (size_t)n : 0);
		if (n <= 0) {
			if (n == 0)
				snprintf(cl->errbuf, NL_ERRBUF_SIZE,
					 "conn %" PRIu32 ": the server closed "
					 "instead of answering \"ready\"",
					 c->id);
			return n < 0 ? nl_gen_conn_error(cl, c, "recv", err)
				     : false;
		}
		have += (size_t)n;
		c->rx += (uint64_t)n;
	}
	if (memcmp(got, "ready", 5)) {
		snprintf(cl->errbuf, NL_ERRBUF_SIZE,
			 "conn %" PRIu32 ": expected \"ready\" from the server",
			 c->id);
		return false;
	}
	if (shown(cl))
		nl_out_str(cl->log, "recv: \"ready\"\n");
	return sendall(cl, c, body, len);
}

static bool run_conn(struct nl_gen_client *cl, struct nl_gen_cconn *c)
{
	const struct nl_gen_opts *o = cl->o;
	uint64_t count = o->count ? o->count : nl_gen_default_count(o);
	for (uint64_t i = 0; i < count; i++) {
		if (cl->stop && *cl->stop)
			return false;
		if (i && o->interval_ms)
			sleep_ms(o->interval_ms);
		bool ok;
		uint64_t start = c->tx;
		if (o->scenario == NL_GEN_JSONHDR) {
			ok = send_upload(cl, c, i);
		} else {
			size_t n =
			    nl_gen_message(o, c->id, i, cl->body, cl->bodycap);
			if (o->scenario == NL_GEN_READY)
				ok = send_ready(cl, c, cl->body, n);
			else if (o->have_framing && !o->udp)
				ok = send_framed(cl, c, cl->body, n);
			else
				ok = sendall(cl, c, cl->body, n);
		}
		if (!ok)
			return false;
		cl->st->messages++;
		/* the message as the client meant it: the receiver's view is
		 * compared with this */
		nl_gen_crec(cl, c, NL_TRUTH_MESSAGE, start, c->tx - start, 0, 0,
			    NULL, NULL, 0);
		if (!drain(cl, c, 0) && !c->eof)
			return false;
	}
	return true;
}

/* --reset: SO_LINGER with a zero timeout makes close() abort the
 * connection (RFC 9293 §3.10.5 ABORT): the kernel sends RST and drops
 * what is unsent, instead of the FIN of an orderly close. */
static void reset_all(struct nl_gen_client *cl)
{
	for (uint32_t i = 0; i < cl->nconns; i++) {
		struct nl_gen_cconn *c = &cl->conns[i];
		if (!c->dead && !c->eof)
			drain(cl, c, 100); /* what the server answered */
		struct linger lg = {.l_onoff = 1, .l_linger = 0};
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		nl_gen_crec(cl, c, NL_TRUTH_CLOSE, c->tx, 0, 0, 0, "reset",
			    NULL, 0);
		close(c->fd);
		c->fd = -1;
	}
}

enum nl_status nl_gen_client_run(const struct nl_gen_opts *o,
				 struct nl_outbuf *log,
				 volatile sig_atomic_t *stop,
				 struct nl_gen_stats *st, char *errbuf)
{
	memset(st, 0, sizeof(*st));
	struct nl_gen_client cl = {
	    .o = o, .log = log, .st = st, .errbuf = errbuf, .stop = stop};
	struct sigaction sa = {.sa_handler = SIG_IGN};
	sigaction(SIGPIPE, &sa, NULL); /* EPIPE instead of death */
	if (nl_truth_open(&cl.truth, o->truth_file, "client", errbuf) != NL_OK)
		return NL_ERR_SYS;
	cl.truth.observer = o->observer;
	cl.truth.observer_arg = o->observer_arg;
	enum nl_status rc = NL_ERR_SYS;
	double t0 = nl_gen_now_s();
	if (o->scenario == NL_GEN_FLOOD) {
		rc = nl_gen_flood(&cl);
		goto out;
	}
	uint64_t maxlen = o->size_max ? o->size_max : 4096;
	cl.bodycap = (size_t)maxlen;
	cl.bufcap = (size_t)maxlen + 4096 + 16;
	if (cl.bufcap < DRAIN_BUF)
		cl.bufcap = DRAIN_BUF;
	cl.body = malloc(cl.bodycap);
	cl.buf = malloc(cl.bufcap);
	cl.rbuf = malloc(DRAIN_BUF);
	cl.conns = calloc(o->connections, sizeof(*cl.conns));
	for (uint32_t i = 0; cl.conns && i < o->connections; i++)
		cl.conns[i].fd = -1;
	if (!cl.body || !cl.buf || !cl.rbuf || !cl.conns) {
		snprintf(errbuf, NL_ERRBUF_SIZE, "out of memory");
		goto out;
	}
	struct sockaddr_storage ss;
	socklen_t sl;
	if (!nl_gen_resolve(o->host, o->port, o->udp, &ss, &sl, errbuf))
		goto out;
	nl_gen_raise_nofile((uint64_t)o->connections + 64);
	for (uint32_t i = 0; i < o->connections; i++) {
		struct nl_gen_cconn *c = &cl.conns[i];
		c->id = i + 1;
		c->fd = nl_gen_connect(o, &ss, sl, false, errbuf);
		if (c->fd < 0)
			goto out;
		cl.nconns++;
		socklen_t ll = sizeof(c->local);
		getsockname(c->fd, (struct sockaddr *)&c->local, &ll);
		memcpy(&c->peer, &ss, sl);
		st->conns++;
		if (o->cork) {
			int one = 1;
			setsockopt(c->fd, IPPROTO_TCP, TCP_CORK, &one,
				   sizeof(one));
		}
		struct nl_sockopts so;
		nl_gen_get_sockopts(c->fd, o->udp, &so);
		nl_gen_crec(&cl, c, NL_TRUTH_CONNECT, 0, 0, 0, 0, NULL, NULL,
			    0);
		struct nl_truth_rec r = {.ev = NL_TRUTH_SOCKOPTS,
					 .conn = c->id,
					 .udp = o->udp,
					 .local = &c->local,
					 .peer = &c->peer,
					 .opts = &so};
		nl_truth_record(&cl.truth, &r, NULL, 0);
	}
	bool ok = true;
	for (uint32_t i = 0; i < cl.nconns && ok; i++)
		ok = run_conn(&cl, &cl.conns[i]);
	if (o->reset) {
		reset_all(&cl);
		rc = ok ? NL_OK : NL_ERR_SYS;
		if (!ok && !errbuf[0])
			snprintf(errbuf, NL_ERRBUF_SIZE, "interrupted");
		goto out;
	}
	/* uncork, half-close, and read what the server still sends */
	for (uint32_t i = 0; i < cl.nconns; i++) {
		struct nl_gen_cconn *c = &cl.conns[i];
		if (o->cork) {
			int zero = 0;
			setsockopt(c->fd, IPPROTO_TCP, TCP_CORK, &zero,
				   sizeof(zero));
		}
		if (!o->udp)
			shutdown(c->fd, SHUT_WR);
		c->closing = true;
	}
	uint64_t deadline = nl_gen_now_ms() + CLOSE_WAIT_MS;
	for (uint32_t i = 0; i < cl.nconns; i++) {
		struct nl_gen_cconn *c = &cl.conns[i];
		if (c->dead)
			continue;
		if (o->udp) {
			drain(&cl, c, 100);
			continue;
		}
		while (!c->eof && !c->dead && nl_gen_now_ms() < deadline)
			if (!drain(&cl, c, 100) && !c->eof)
				break;
	}
	for (uint32_t i = 0; i < cl.nconns; i++)
		nl_gen_crec(&cl, &cl.conns[i], NL_TRUTH_CLOSE, cl.conns[i].tx,
			    0, 0, 0, cl.conns[i].eof ? "eof" : "closed", NULL,
			    0);
	rc = ok ? NL_OK : NL_ERR_SYS;
	if (!ok && !errbuf[0])
		snprintf(errbuf, NL_ERRBUF_SIZE, "interrupted");
out:
	st->seconds = nl_gen_now_s() - t0;
	for (uint32_t i = 0; cl.conns && i < o->connections; i++)
		if (cl.conns[i].fd >= 0)
			close(cl.conns[i].fd);
	nl_truth_close(&cl.truth);
	free(cl.conns);
	free(cl.body);
	free(cl.buf);
	free(cl.rbuf);
	return rc;
}
