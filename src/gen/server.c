/*
 * netlab gen server: one epoll loop, non-blocking sockets, a fixed table
 * of --max-conns connections allocated at start.
 *
 * Per connection it keeps a framer (a few bytes of header), a streaming
 * checksum and a preview of the current message, and an output buffer of
 * NL_GEN_SRV_OUTBUF bytes for --echo / --reply-size / "ready". While that
 * buffer holds anything, the connection is not read: backpressure instead
 * of growth. One recv() per readiness event, so what a naive application
 * sees (recv #1, #2 …) is what gets printed.
 *
 * Nothing received is interpreted beyond the framing: no commands, no
 * file names acted upon.
 *
 * Hostile clients cost a slot each at most, and only for a while: beyond
 * --max-conns a connection is accepted, told why and closed; with
 * --idle-timeout S a connection must make progress every S seconds, or
 * it is closed. Progress is any byte in the modes without messages; where
 * messages are framed it is a whole message, or SRV_MIN_PROGRESS bytes of
 * one. A slowloris-style client trickling a byte a second is never idle
 * for long, but it never finishes a header either.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "gen_internal.h"
#include "netlab/escape.h"
#include "netlab/gen.h"

#define NL_GEN_SRV_OUTBUF (64 * 1024)
#define SRV_FRAMED_READ	  (64 * 1024)
#define SRV_NAIVE_READ	  1024 /* the classic examples' recv(1024) */
#define SRV_SHOW_MAX	  256  /* bytes of a recv shown escaped */
#define EV_BATCH	  256
#define SRV_MIN_PROGRESS  1024 /* bytes: progress without a whole message */

enum { R_LEN, R_BODY };

struct sconn {
	int fd; /* -1: free slot */
	uint32_t id;
	struct sockaddr_storage local, peer;
	uint64_t rx, tx, recv_calls, send_calls;
	uint64_t last_ms, read_after_ms;
	uint64_t progress_rx; /* rx when last_ms last moved */
	uint32_t events;      /* current epoll interest */
	bool eof;
	/* framing */
	struct nl_framer fr;
	bool framer_on, len_known;
	uint64_t msg_start, msg_no;
	struct nl_gen_check chk;
	uint8_t preview[NL_GEN_PREVIEW];
	uint32_t preview_len;
	/* ready protocol */
	int rstate;
	char digits[24];
	uint32_t ndigits;
	uint64_t body_left, body_len;
	/* output */
	uint8_t *out;
	uint32_t out_len, out_off;
	uint64_t replies, reply_left;
	bool reply_hdr_done;
};

struct nl_gen_server {
	struct nl_gen_opts o;
	int lfd, ep;
	uint16_t port;
	struct sockaddr_storage laddr;
	struct sconn *conns;
	uint32_t nconns, nactive, ndelayed;
	uint8_t *rbuf;
	size_t rbuf_size;
	struct nl_truth truth;
	struct nl_gen_stats st;
	uint32_t next_id, last_shown;
	uint64_t ended, accept_paused_ms;
	struct nl_outbuf *log;
	uint64_t start_ms;
	char *errbuf;
};

static bool show_recvs(const struct nl_gen_server *s)
{
	if (s->o.quiet || s->o.sink)
		return false;
	return (!s->o.have_framing && !s->o.ready) || s->o.recv_size;
}

static bool show_messages(const struct nl_gen_server *s)
{
	return !s->o.quiet && !s->o.sink;
}

static void conn_line(struct nl_gen_server *s, struct sconn *c)
{
	if (s->last_shown == c->id)
		return;
	s->last_shown = c->id;
	nl_out_printf(s->log, "conn %" PRIu32 ":\n", c->id);
}

static void rec(struct nl_gen_server *s, struct sconn *c, enum nl_truth_ev ev,
		uint64_t off, uint64_t len, int64_t ret, int err,
		const char *check, const uint8_t *data, size_t n)
{
	struct nl_truth_rec r = {
	    .ev = ev,
	    .conn = c ? c->id : 0,
	    .udp = s->o.udp,
	    .local = c ? &c->local : &s->laddr,
	    .peer = c ? &c->peer : NULL,
	    .off = off,
	    .len = len,
	    .ret = ret,
	    .err = err,
	    .check = check,
	};
	nl_truth_record(&s->truth, &r, data, n);
}

enum nl_status nl_gen_server_open(struct nl_gen_server **out,
				  const struct nl_gen_opts *o, char *errbuf)
{
	*out = NULL;
	struct nl_gen_server *s = calloc(1, sizeof(*s));
	if (!s)
		goto nomem;
	s->o = *o;
	s->lfd = s->ep = -1;
	s->nconns = o->udp ? 0 : o->max_conns;
	if (s->nconns) {
		s->conns = calloc(s->nconns, sizeof(*s->conns));
		if (!s->conns)
			goto nomem;
		for (uint32_t i = 0; i < s->nconns; i++)
			s->conns[i].fd = -1;
	}
	s->rbuf_size = o->recv_size ? o->recv_size
		       : o->udp	    ? 65536
		       : (o->have_framing || o->ready || o->sink || o->quiet)
			   ? SRV_FRAMED_READ
			   : SRV_NAIVE_READ;
	s->rbuf = malloc(s->rbuf_size);
	if (!s->rbuf)
		goto nomem;
	nl_gen_raise_nofile(s->nconns + 64);
	if (nl_truth_open(&s->truth, o->truth_file, "server", errbuf) !=
	    NL_OK) {
		nl_gen_server_close(s);
		return NL_ERR_SYS;
	}
	s->truth.observer = o->observer;
	s->truth.observer_arg = o->observer_arg;

	int fd = nl_gen_listen(o->host, o->port, o->udp, !o->no_reuseaddr,
			       &s->laddr, errbuf);
	if (fd < 0) {
		nl_gen_server_close(s);
		return NL_ERR_SYS;
	}
	s->lfd = fd;
	s->port = nl_gen_addr_port(&s->laddr);
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0};
	if (s->ep < 0 || epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev)) {
		snprintf(errbuf, NL_ERRBUF_SIZE, "epoll: %s", strerror(errno));
		nl_gen_server_close(s);
		return NL_ERR_SYS;
	}
	rec(s, NULL, NL_TRUTH_LISTEN, 0, 0, 0, 0, NULL, NULL, 0);
	*out = s;
	return NL_OK;
nomem:
	snprintf(errbuf, NL_ERRBUF_SIZE, "out of memory");
	nl_gen_server_close(s);
	return NL_NOMEM;
}

uint16_t nl_gen_server_port(const struct nl_gen_server *s)
{
	return s->port;
}

void nl_gen_server_stats(const struct nl_gen_server *s, struct nl_gen_stats *st)
{
	*st = s->st;
}

static void set_interest(struct nl_gen_server *s, struct sconn *c)
{
	bool pending = c->out_len > c->out_off || c->replies;
	uint32_t want = 0;
	if (pending)
		want = EPOLLOUT;
	else if (!c->eof && nl_gen_now_ms() >= c->read_after_ms)
		want = EPOLLIN | EPOLLRDHUP;
	if (want == c->events)
		return;
	struct epoll_event ev = {.events = want,
				 .data.u64 = (uint64_t)(c - s->conns) + 1};
	epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &ev);
	c->events = want;
}

static void close_conn(struct nl_gen_server *s, struct sconn *c,
		       const char *why)
{
	if (c->fd < 0)
		return;
	/* a message cut short by the close */
	bool mid = false;
	if (c->framer_on && c->fr.offset > c->fr.msg_start && !c->fr.failed) {
		mid = true;
		if (show_messages(s) || why) {
			conn_line(s, c);
			uint64_t have = c->fr.offset - c->fr.msg_start;
			if (c->len_known)
				nl_out_printf(
				    s->log,
				    "incomplete message at close: %" PRIu64
				    " of %" PRIu64 " bytes\n",
				    have, c->fr.msg_len);
			else
				nl_out_printf(
				    s->log,
				    "incomplete message at close: %" PRIu64
				    " bytes of header\n",
				    have);
		}
	} else if (c->rstate == R_BODY || c->ndigits) {
		mid = true;
		conn_line(s, c);
		nl_out_printf(s->log,
			      "incomplete message at close: %" PRIu64
			      " of %" PRIu64 " body bytes\n",
			      c->body_len - c->body_left, c->body_len);
	}
	if (mid && !why)
		s->st.errors++; /* else counted with its reason */
	rec(s, c, NL_TRUTH_CLOSE, c->rx, 0, 0, 0,
	    why ? why : (mid ? "incomplete message" : "eof"), NULL, 0);
	epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	if (c->read_after_ms)
		s->ndelayed -= c->read_after_ms > 1;
	nl_framer_free(&c->fr);
	free(c->out);
	c->out = NULL;
	s->nactive--;
	s->ended++;
}

static void fail_conn(struct nl_gen_server *s, struct sconn *c, const char *msg)
{
	conn_line(s, c);
	nl_out_printf(s->log, "error: %s; closing the connection\n", msg);
	s->st.errors++;
	rec(s, c, NL_TRUTH_ERROR, c->rx, 0, 0, 0, msg, NULL, 0);
	close_conn(s, c, msg);
}

static void accept_all(struct nl_gen_server *s)
{
	for (;;) {
		struct sockaddr_storage peer;
		socklen_t pl = sizeof(peer);
		int fd = accept4(s->lfd, (struct sockaddr *)&peer, &pl,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				/* the pending connection stays queued: stop
				 * polling the listener for a while instead of
				 * spinning on it */
				nl_out_printf(s->log,
					      "error: accept: %s (raise ulimit "
					      "-n or lower --max-conns); "
					      "pausing accepts for 100 ms\n",
					      strerror(errno));
				struct epoll_event ev = {.events = 0};
				epoll_ctl(s->ep, EPOLL_CTL_MOD, s->lfd, &ev);
				s->accept_paused_ms = nl_gen_now_ms() + 100;
			}
			return;
		}
		if (s->nactive >= s->nconns) {
			static const char msg[] =
			    "netlab gen server: too many "
			    "connections, try again later\n";
			ssize_t w = send(fd, msg, sizeof(msg) - 1,
					 MSG_DONTWAIT | MSG_NOSIGNAL);
			(void)w;
			close(fd);
			s->st.refused++;
			char a[80];
			nl_gen_format_addr(a, sizeof(a), &peer);
			nl_out_printf(s->log,
				      "refused %s: %" PRIu32
				      " connections open (--max-conns)\n",
				      a, s->nactive);
			continue;
		}
		struct sconn *c = NULL;
		for (uint32_t i = 0; i < s->nconns; i++) {
			uint32_t k = (s->next_id + i) % s->nconns;
			if (s->conns[k].fd < 0) {
				c = &s->conns[k];
				break;
			}
		}
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->id = ++s->next_id;
		c->peer = peer;
		socklen_t ll = sizeof(c->local);
		getsockname(fd, (struct sockaddr *)&c->local, &ll);
		c->last_ms = nl_gen_now_ms();
		if (s->o.recv_delay_ms) {
			c->read_after_ms = c->last_ms + s->o.recv_delay_ms;
			s->ndelayed++;
		}
		if (s->o.have_framing) {
			if (nl_framer_init(&c->fr, &s->o.framing,
					   s->o.max_message) != NL_OK) {
				close(fd);
				c->fd = -1;
				continue;
			}
			c->framer_on = true;
		}
		struct epoll_event ev = {
		    .events = 0, .data.u64 = (uint64_t)(c - s->conns) + 1};
		epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev);
		s->nactive++;
		s->st.conns++;
		struct nl_sockopts so;
		nl_gen_get_sockopts(fd, false, &so);
		rec(s, c, NL_TRUTH_ACCEPT, 0, 0, 0, 0, NULL, NULL, 0);
		struct nl_truth_rec r = {.ev = NL_TRUTH_SOCKOPTS,
					 .conn = c->id,
					 .local = &c->local,
					 .peer = &c->peer,
					 .opts = &so};
		nl_truth_record(&s->truth, &r, NULL, 0);
		if (!s->o.quiet) {
			char a[80], b[80];
			nl_gen_format_addr(a, sizeof(a), &peer);
			nl_gen_format_addr(b, sizeof(b), &c->local);
			nl_out_printf(s->log,
				      "conn %" PRIu32 ": %s -> %s accepted\n",
				      c->id, a, b);
			s->last_shown = c->id;
		}
		set_interest(s, c);
	}
}

static void queue_out(struct sconn *c, const void *p, size_t n)
{
	if (!c->out)
		c->out = malloc(NL_GEN_SRV_OUTBUF);
	if (!c->out || c->out_len + n > NL_GEN_SRV_OUTBUF)
		return; /* cannot happen: reads are sized to the space left */
	memcpy(c->out + c->out_len, p, n);
	c->out_len += (uint32_t)n;
}

static void message_done(struct nl_gen_server *s, struct sconn *c,
			 uint64_t start, uint64_t len, uint32_t hdr,
			 bool checkable)
{
	enum nl_gen_verdict v =
	    checkable ? nl_gen_check_end(&c->chk) : NL_GEN_UNTAGGED;
	const char *vs = v == NL_GEN_CRC_OK    ? "ok"
			 : v == NL_GEN_CRC_BAD ? "bad"
					       : "none";
	s->st.messages++;
	c->msg_no++;
	if (v == NL_GEN_CRC_OK)
		s->st.crc_ok++;
	if (v == NL_GEN_CRC_BAD)
		s->st.crc_bad++;
	struct nl_truth_rec r = {.ev = NL_TRUTH_MESSAGE,
				 .conn = c->id,
				 .local = &c->local,
				 .peer = &c->peer,
				 .off = start,
				 .len = len,
				 .hdr = hdr,
				 .check = vs};
	nl_truth_record(&s->truth, &r, c->preview, c->preview_len);
	if (show_messages(s) || v == NL_GEN_CRC_BAD) {
		conn_line(s, c);
		nl_out_printf(s->log,
			      "message #%" PRIu64 ": %" PRIu64
			      " bytes (header %" PRIu32 ", body %" PRIu64 ") ",
			      c->msg_no, len, hdr, len - hdr);
		nl_escape_quoted(s->log, c->preview, c->preview_len,
				 c->preview_len < len - hdr ? c->preview_len - 1
							    : c->preview_len);
		if (v == NL_GEN_CRC_OK)
			nl_out_str(s->log, " checksum ok");
		else if (v == NL_GEN_CRC_BAD)
			nl_out_str(s->log, " CHECKSUM MISMATCH");
		nl_out_char(s->log, '\n');
	}
	if (s->o.reply_size)
		c->replies++;
	c->preview_len = 0;
	nl_gen_check_begin(&c->chk);
}

static void body_bytes(struct sconn *c, const uint8_t *p, size_t n)
{
	nl_gen_check_update(&c->chk, p, n);
	size_t k = NL_GEN_PREVIEW - c->preview_len;
	if (k > n)
		k = n;
	memcpy(c->preview + c->preview_len, p, k);
	c->preview_len += (uint32_t)k;
}

/* Returns false when the connection was closed. */
static bool framed_input(struct nl_gen_server *s, struct sconn *c,
			 const uint8_t *p, size_t n)
{
	bool line = s->o.framing.kind == NL_FRAMING_LINE;
	while (n) {
		enum nl_frame_result r;
		struct nl_frame f;
		size_t used;
		if (!c->len_known && !line) {
			used = nl_framer_feed(&c->fr, p, 1, &r, &f);
			if (r == NL_FRAME_MORE && nl_framer_pending(&c->fr)) {
				c->len_known = true;
				nl_gen_check_begin(&c->chk);
				c->preview_len = 0;
			}
		} else {
			used = nl_framer_feed(&c->fr, p, n, &r, &f);
			body_bytes(c, p, used);
		}
		p += used;
		n -= used;
		if (r == NL_FRAME_ERROR) {
			char why[240], said[64] = "";
			const struct nl_framing_spec *sp = &s->o.framing;
			if (sp->kind == NL_FRAMING_LENPREFIX &&
			    c->fr.hdr_have == c->fr.hdr_need) {
				uint64_t v = 0;
				for (unsigned i = 0; i < sp->len_size; i++)
					v |=
					    (uint64_t)c->fr.hdr[i]
					    << (sp->big_endian
						    ? 8 * (sp->len_size - 1 - i)
						    : 8 * i);
				snprintf(said, sizeof(said),
					 " (the length field says %" PRIu64 ")",
					 v);
			}
			snprintf(why, sizeof(why),
				 "framing error at stream offset %" PRIu64
				 ": %s%s; --max-message is %" PRIu64,
				 f.error_at, f.error, said, s->o.max_message);
			fail_conn(s, c, why);
			return false;
		}
		if (r == NL_FRAME_MESSAGE) {
			if (!c->len_known && !line) {
				nl_gen_check_begin(&c->chk);
				c->preview_len = 0;
			}
			message_done(s, c, f.start, f.len, f.header_len, !line);
			c->len_known = false;
		}
	}
	return true;
}

static bool ready_input(struct nl_gen_server *s, struct sconn *c,
			const uint8_t *p, size_t n)
{
	while (n) {
		if (c->rstate == R_LEN) {
			if (*p < '0' || *p > '9' || c->ndigits >= 19) {
				char why[100];
				snprintf(why, sizeof(why),
					 "ready protocol: expected an ASCII "
					 "length, got byte 0x%02x",
					 *p);
				fail_conn(s, c, why);
				return false;
			}
			c->digits[c->ndigits++] = (char)*p++;
			n--;
			continue;
		}
		size_t k = c->body_left < n ? (size_t)c->body_left : n;
		body_bytes(c, p, k);
		c->body_left -= k;
		p += k;
		n -= k;
		if (!c->body_left) {
			message_done(s, c, c->msg_start, c->body_len, 0, true);
			c->msg_start += c->body_len;
			c->rstate = R_LEN;
		}
	}
	/* The classic protocol has no delimiter: the length is whatever one
	 * recv() returned, which works because the sender waits for "ready". */
	if (c->rstate == R_LEN && c->ndigits) {
		c->digits[c->ndigits] = '\0';
		uint64_t v = strtoull(c->digits, NULL, 10);
		c->msg_start += c->ndigits;
		c->ndigits = 0;
		if (v > s->o.max_message) {
			char why[100];
			snprintf(why, sizeof(why),
				 "ready protocol: length %" PRIu64
				 " above --max-message %" PRIu64,
				 v, s->o.max_message);
			fail_conn(s, c, why);
			return false;
		}
		queue_out(c, "ready", 5);
		c->body_len = c->body_left = v;
		c->rstate = R_BODY;
		nl_gen_check_begin(&c->chk);
		c->preview_len = 0;
		if (v == 0) {
			message_done(s, c, c->msg_start, 0, 0, true);
			c->rstate = R_LEN;
		}
	}
	return true;
}

static void read_conn(struct nl_gen_server *s, struct sconn *c)
{
	size_t want = s->rbuf_size;
	if (s->o.echo && want > NL_GEN_SRV_OUTBUF)
		want = NL_GEN_SRV_OUTBUF;
	ssize_t n = recv(c->fd, s->rbuf, want, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	int err = errno;
	c->recv_calls++;
	s->st.recvs++;
	rec(s, c, NL_TRUTH_RECV, c->rx, want, n, err, NULL,
	    n > 0 ? s->rbuf : NULL, n > 0 ? (size_t)n : 0);
	if (n < 0) {
		char why[160];
		snprintf(why, sizeof(why), "recv: %s after %" PRIu64 " bytes%s",
			 err == ECONNRESET
			     ? "connection reset by peer (ECONNRESET)"
			     : strerror(err),
			 c->rx,
			 c->framer_on && c->fr.offset > c->fr.msg_start
			     ? ", in the middle of a message"
			     : "");
		fail_conn(s, c, why);
		return;
	}
	uint64_t now = nl_gen_now_ms();
	if (!c->framer_on && !s->o.ready)
		c->last_ms = now; /* no messages to finish: any byte counts */
	if (show_recvs(s)) {
		conn_line(s, c);
		nl_out_printf(s->log, "recv #%" PRIu64 ": %zd bytes",
			      c->recv_calls, n);
		if (n == 0) {
			nl_out_str(s->log, " (peer closed)\n");
		} else {
			nl_out_char(s->log, ' ');
			nl_escape_quoted(s->log, s->rbuf, (size_t)n,
					 SRV_SHOW_MAX);
			nl_out_char(s->log, '\n');
		}
	}
	if (n == 0) {
		c->eof = true;
		if (c->out_len == c->out_off && !c->replies)
			close_conn(s, c, NULL);
		else
			set_interest(s, c);
		return;
	}
	c->rx += (uint64_t)n;
	s->st.bytes += (uint64_t)n;
	if (s->o.echo)
		queue_out(c, s->rbuf, (size_t)n);
	uint64_t msgs = c->msg_no;
	if (c->framer_on) {
		if (!framed_input(s, c, s->rbuf, (size_t)n))
			return;
	} else if (s->o.ready) {
		if (!ready_input(s, c, s->rbuf, (size_t)n))
			return;
	} else if (s->o.reply_size) {
		c->replies++; /* one answer per recv(), like the classic */
	}
	if (c->msg_no != msgs || c->rx - c->progress_rx >= SRV_MIN_PROGRESS) {
		c->last_ms = now;
		c->progress_rx = c->rx;
	}
	set_interest(s, c);
}

/* Refill the output buffer with the next replies. */
static void fill_replies(struct nl_gen_server *s, struct sconn *c)
{
	if (!c->out)
		c->out = malloc(NL_GEN_SRV_OUTBUF);
	if (!c->out)
		return;
	while (c->replies && c->out_len < NL_GEN_SRV_OUTBUF) {
		if (!c->reply_hdr_done) {
			uint8_t h[16];
			size_t hl = 0;
			if (s->o.have_framing)
				hl = nl_framing_encode_header(&s->o.framing,
							      s->o.reply_size,
							      h, sizeof(h));
			if (c->out_len + hl > NL_GEN_SRV_OUTBUF)
				break;
			memcpy(c->out + c->out_len, h, hl);
			c->out_len += (uint32_t)hl;
			c->reply_hdr_done = true;
			c->reply_left = s->o.reply_size;
			if (s->o.framing.kind == NL_FRAMING_LINE)
				c->reply_left--; /* the LF ends it */
		}
		while (c->reply_left && c->out_len < NL_GEN_SRV_OUTBUF) {
			uint64_t done = s->o.reply_size - c->reply_left;
			c->out[c->out_len++] =
			    (uint8_t) "output line\n"[done % 12];
			c->reply_left--;
		}
		if (c->reply_left)
			break;
		if (s->o.have_framing && s->o.framing.kind == NL_FRAMING_LINE) {
			if (c->out_len >= NL_GEN_SRV_OUTBUF)
				break;
			c->out[c->out_len++] = '\n';
		}
		c->replies--;
		c->reply_hdr_done = false;
	}
}

static void write_conn(struct nl_gen_server *s, struct sconn *c)
{
	for (;;) {
		if (c->out_off == c->out_len) {
			c->out_off = c->out_len = 0;
			if (!c->replies)
				break;
			fill_replies(s, c);
			if (c->out_len == 0)
				break;
		}
		size_t want = c->out_len - c->out_off;
		ssize_t n =
		    send(c->fd, c->out + c->out_off, want, MSG_NOSIGNAL);
		int err = errno;
		if (n < 0 && (err == EAGAIN || err == EINTR))
			break;
		c->send_calls++;
		s->st.sends++;
		rec(s, c, NL_TRUTH_SEND, c->tx, want, n, err, NULL,
		    n > 0 ? c->out + c->out_off : NULL, n > 0 ? (size_t)n : 0);
		if (n < 0) {
			char why[160];
			snprintf(why, sizeof(why),
				 "send: %s after %" PRIu64 " bytes sent",
				 err == EPIPE ? "peer closed (EPIPE)"
				 : err == ECONNRESET
				     ? "connection reset by peer "
				       "(ECONNRESET)"
				     : strerror(err),
				 c->tx);
			fail_conn(s, c, why);
			return;
		}
		c->out_off += (uint32_t)n;
		c->tx += (uint64_t)n;
	}
	if (c->eof && c->out_off == c->out_len && !c->replies) {
		close_conn(s, c, NULL);
		return;
	}
	set_interest(s, c);
}

static void udp_input(struct nl_gen_server *s)
{
	struct sconn d = {.fd = s->lfd, .local = s->laddr};
	socklen_t pl = sizeof(d.peer);
	ssize_t n = recvfrom(s->lfd, s->rbuf, s->rbuf_size, MSG_TRUNC,
			     (struct sockaddr *)&d.peer, &pl);
	if (n < 0)
		return;
	size_t got = (size_t)n < s->rbuf_size ? (size_t)n : s->rbuf_size;
	s->st.recvs++;
	d.id = (uint32_t)s->st.recvs;
	rec(s, &d, NL_TRUTH_RECV, s->st.bytes, s->rbuf_size, (int64_t)got, 0,
	    NULL, s->rbuf, got);
	s->st.bytes += got;
	nl_gen_check_begin(&d.chk);
	nl_gen_check_update(&d.chk, s->rbuf, got);
	enum nl_gen_verdict v = nl_gen_check_end(&d.chk);
	s->st.messages++;
	s->st.crc_ok += v == NL_GEN_CRC_OK;
	s->st.crc_bad += v == NL_GEN_CRC_BAD;
	if (!s->o.quiet && !s->o.sink) {
		char a[80];
		nl_gen_format_addr(a, sizeof(a), &d.peer);
		nl_out_printf(s->log, "recvfrom #%" PRIu64 ": %zu bytes ",
			      s->st.recvs, got);
		nl_escape_quoted(s->log, s->rbuf, got, SRV_SHOW_MAX);
		nl_out_printf(s->log, " from %s%s%s\n", a,
			      (size_t)n > got ? " (datagram truncated by "
						"--recv-size)"
					      : "",
			      v == NL_GEN_CRC_OK    ? " checksum ok"
			      : v == NL_GEN_CRC_BAD ? " CHECKSUM MISMATCH"
						    : "");
	}
	const uint8_t *back = NULL;
	size_t blen = 0;
	uint8_t reply[1472];
	if (s->o.echo) {
		back = s->rbuf;
		blen = got;
	} else if (s->o.reply_size) {
		blen = s->o.reply_size < sizeof(reply) ? s->o.reply_size
						       : sizeof(reply);
		for (size_t i = 0; i < blen; i++)
			reply[i] = (uint8_t) "output line\n"[i % 12];
		back = reply;
	}
	if (back) {
		ssize_t w = sendto(s->lfd, back, blen, MSG_DONTWAIT,
				   (struct sockaddr *)&d.peer, pl);
		s->st.sends++;
		rec(s, &d, NL_TRUTH_SEND, 0, blen, w, errno, NULL, back,
		    w > 0 ? (size_t)w : 0);
	}
	s->ended++;
}

static void housekeeping(struct nl_gen_server *s, uint64_t now)
{
	for (uint32_t i = 0; i < s->nconns; i++) {
		struct sconn *c = &s->conns[i];
		if (c->fd < 0)
			continue;
		if (c->read_after_ms > 1 && now >= c->read_after_ms) {
			c->read_after_ms = 1; /* done waiting */
			s->ndelayed--;
			set_interest(s, c);
		}
		if (s->o.idle_timeout_ms &&
		    now - c->last_ms >= s->o.idle_timeout_ms) {
			conn_line(s, c);
			uint64_t dribble = c->rx - c->progress_rx;
			if (dribble && (c->framer_on || s->o.ready))
				nl_out_printf(
				    s->log,
				    "too slow: %" PRIu64 " bytes in %" PRIu32
				    " s and no message finished (a "
				    "slowloris-style client?) after %" PRIu64
				    " bytes; closing the connection\n",
				    dribble, s->o.idle_timeout_ms / 1000,
				    c->rx);
			else
				nl_out_printf(
				    s->log,
				    "idle for %" PRIu32 " s after %" PRIu64
				    " bytes; closing the connection\n",
				    s->o.idle_timeout_ms / 1000, c->rx);
			s->st.errors++;
			close_conn(s, c,
				   dribble && (c->framer_on || s->o.ready)
				       ? "too slow"
				       : "idle timeout");
		}
	}
}

enum nl_status nl_gen_server_run(struct nl_gen_server *s, struct nl_outbuf *log,
				 volatile sig_atomic_t *stop, char *errbuf)
{
	s->log = log;
	s->errbuf = errbuf;
	s->start_ms = nl_gen_now_ms();
	struct epoll_event evs[EV_BATCH];
	uint64_t last_scan = s->start_ms;
	while (!(stop && *stop)) {
		if (s->o.exit_after && s->ended >= s->o.exit_after)
			break;
		int timeout = s->ndelayed || s->accept_paused_ms ? 5 : 200;
		int n = epoll_wait(s->ep, evs, EV_BATCH, timeout);
		if (n < 0 && errno != EINTR) {
			snprintf(errbuf, NL_ERRBUF_SIZE, "epoll_wait: %s",
				 strerror(errno));
			return NL_ERR_SYS;
		}
		for (int i = 0; i < n; i++) {
			uint64_t k = evs[i].data.u64;
			if (k == 0) {
				if (s->o.udp)
					udp_input(s);
				else
					accept_all(s);
				continue;
			}
			struct sconn *c = &s->conns[k - 1];
			if (c->fd < 0)
				continue;
			if (evs[i].events & EPOLLOUT)
				write_conn(s, c);
			else if (evs[i].events &
				 (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
				read_conn(s, c);
		}
		uint64_t now = nl_gen_now_ms();
		if (s->accept_paused_ms && now >= s->accept_paused_ms) {
			struct epoll_event ev = {.events = EPOLLIN};
			epoll_ctl(s->ep, EPOLL_CTL_MOD, s->lfd, &ev);
			s->accept_paused_ms = 0;
		}
		if (s->ndelayed ||
		    (s->o.idle_timeout_ms && now - last_scan >= 500)) {
			housekeeping(s, now);
			last_scan = now;
		}
		if (log->len)
			nl_out_flush(log);
	}
	s->st.seconds = (double)(nl_gen_now_ms() - s->start_ms) / 1000.0;
	return NL_OK;
}

void nl_gen_server_close(struct nl_gen_server *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->nconns; i++)
		if (s->conns[i].fd >= 0) {
			if (s->log)
				close_conn(s, &s->conns[i], "server stopped");
			else {
				close(s->conns[i].fd);
				nl_framer_free(&s->conns[i].fr);
				free(s->conns[i].out);
			}
		}
	if (s->ep >= 0)
		close(s->ep);
	if (s->lfd >= 0)
		close(s->lfd);
	nl_truth_close(&s->truth);
	free(s->conns);
	free(s->rbuf);
	free(s);
}
