/*
 * Ground truth: one JSON line per send()/recv() (and connect, accept,
 * socket options, message, close, error) the generator makes, e.g.
 *
 * {"ts":1763776000.123456,"side":"client","ev":"send","proto":"tcp",
 *  "conn":1,"local":"127.0.0.1:40312","peer":"127.0.0.1:9000","off":0,
 *  "len":5,"ret":5}
 *
 * Field meanings are in netlab(1) (gen --truth). Records are buffered and
 * written when the buffer fills and at close.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netlab/escape.h"
#include "netlab/gen.h"

static const char *const ev_names[NL_TRUTH_EV_COUNT] = {
    [NL_TRUTH_LISTEN] = "listen",   [NL_TRUTH_CONNECT] = "connect",
    [NL_TRUTH_ACCEPT] = "accept",   [NL_TRUTH_SOCKOPTS] = "sockopts",
    [NL_TRUTH_SEND] = "send",	    [NL_TRUTH_RECV] = "recv",
    [NL_TRUTH_MESSAGE] = "message", [NL_TRUTH_CLOSE] = "close",
    [NL_TRUTH_ERROR] = "error",
};

enum nl_status nl_truth_open(struct nl_truth *t, const char *path,
			     const char *side, char *errbuf)
{
	memset(t, 0, sizeof(*t));
	t->side = side;
	t->fd = -1;
	if (!path)
		return NL_OK;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(errbuf, NL_ERRBUF_SIZE, "%s: %s", path,
			 strerror(errno));
		return NL_ERR_SYS;
	}
	if (!nl_out_init(&t->out, fd)) {
		close(fd);
		snprintf(errbuf, NL_ERRBUF_SIZE, "out of memory");
		return NL_NOMEM;
	}
	t->fd = fd;
	return NL_OK;
}

void nl_truth_close(struct nl_truth *t)
{
	if (t->fd < 0)
		return;
	nl_out_flush(&t->out);
	nl_out_free(&t->out);
	close(t->fd);
	t->fd = -1;
}

void nl_gen_format_addr(char *buf, size_t size,
			const struct sockaddr_storage *ss)
{
	char a[INET6_ADDRSTRLEN] = "?";
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &s->sin_addr, a, sizeof(a));
		snprintf(buf, size, "%s:%u", a, ntohs(s->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof(a));
		snprintf(buf, size, "[%s]:%u", a, ntohs(s->sin6_port));
	} else {
		snprintf(buf, size, "?");
	}
}

void nl_gen_get_sockopts(int fd, bool udp, struct nl_sockopts *so)
{
	socklen_t l;
	so->nodelay = so->cork = so->maxseg = -1;
	if (!udp) {
		l = sizeof(int);
		if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &so->nodelay, &l))
			so->nodelay = -1;
		l = sizeof(int);
		if (getsockopt(fd, IPPROTO_TCP, TCP_CORK, &so->cork, &l))
			so->cork = -1;
		l = sizeof(int);
		if (getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &so->maxseg, &l))
			so->maxseg = -1;
	}
	l = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &so->sndbuf, &l))
		so->sndbuf = -1;
	l = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &so->rcvbuf, &l))
		so->rcvbuf = -1;
}

static void key_u64(struct nl_outbuf *o, const char *k, uint64_t v)
{
	nl_out_str(o, ",\"");
	nl_out_str(o, k);
	nl_out_str(o, "\":");
	nl_out_u64(o, v);
}

static void key_addr(struct nl_outbuf *o, const char *k,
		     const struct sockaddr_storage *ss)
{
	char a[INET6_ADDRSTRLEN + 16];
	nl_gen_format_addr(a, sizeof(a), ss);
	nl_out_str(o, ",\"");
	nl_out_str(o, k);
	nl_out_str(o, "\":");
	nl_json_str(o, a);
}

static void key_opt(struct nl_outbuf *o, const char *k, int v, bool flag)
{
	if (v < 0)
		return;
	nl_out_str(o, ",\"");
	nl_out_str(o, k);
	nl_out_str(o, "\":");
	if (flag)
		nl_out_str(o, v ? "true" : "false");
	else
		nl_out_u64(o, (uint64_t)v);
}

void nl_truth_format(struct nl_outbuf *o, const char *side,
		     const struct nl_truth_rec *r)
{
	nl_out_str(o, "{\"ts\":");
	nl_out_u64(o, (uint64_t)r->ts.tv_sec);
	nl_out_char(o, '.');
	nl_out_u64_pad(o, (uint64_t)(r->ts.tv_nsec / 1000), 6, '0');
	nl_out_str(o, ",\"side\":");
	nl_json_str(o, side);
	nl_out_str(o, ",\"ev\":");
	nl_json_str(o, r->ev < NL_TRUTH_EV_COUNT ? ev_names[r->ev] : "?");
	nl_out_str(o, r->udp ? ",\"proto\":\"udp\"" : ",\"proto\":\"tcp\"");
	if (r->conn)
		key_u64(o, "conn", r->conn);
	if (r->local)
		key_addr(o, "local", r->local);
	if (r->peer)
		key_addr(o, "peer", r->peer);
	switch (r->ev) {
	case NL_TRUTH_SEND:
	case NL_TRUTH_RECV:
		key_u64(o, "off", r->off);
		key_u64(o, "len", r->len);
		nl_out_str(o, ",\"ret\":");
		nl_out_i64(o, r->ret);
		if (r->ret < 0) {
			nl_out_str(o, ",\"errno\":");
			nl_json_str(o, strerrorname_np(r->err)
					   ? strerrorname_np(r->err)
					   : "?");
		}
		break;
	case NL_TRUTH_MESSAGE:
		key_u64(o, "off", r->off);
		key_u64(o, "len", r->len);
		key_u64(o, "hdr", r->hdr);
		if (r->check) {
			nl_out_str(o, ",\"check\":");
			nl_json_str(o, r->check);
		}
		break;
	case NL_TRUTH_ERROR:
	case NL_TRUTH_CLOSE:
		key_u64(o, "off", r->off);
		if (r->check) {
			nl_out_str(o, ",\"reason\":");
			nl_json_str(o, r->check);
		}
		break;
	default:
		break;
	}
	if (r->opts) {
		key_opt(o, "nodelay", r->opts->nodelay, true);
		key_opt(o, "cork", r->opts->cork, true);
		key_opt(o, "maxseg", r->opts->maxseg, false);
		key_opt(o, "sndbuf", r->opts->sndbuf, false);
		key_opt(o, "rcvbuf", r->opts->rcvbuf, false);
	}
	nl_out_char(o, '}');
}

void nl_truth_record(struct nl_truth *t, struct nl_truth_rec *r,
		     const uint8_t *data, size_t n)
{
	if (t->fd < 0 && !t->observer)
		return;
	if (r->ts.tv_sec == 0)
		clock_gettime(CLOCK_REALTIME, &r->ts);
	if (t->fd >= 0) {
		nl_truth_format(&t->out, t->side, r);
		nl_out_char(&t->out, '\n');
	}
	if (t->observer)
		t->observer(t->observer_arg, r, data, n);
}
