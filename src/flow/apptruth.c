/*
 * replay --truth: the application's records anchored to the packets they
 * explain (include/netlab/apptruth.h).
 *
 * All records go into one array at start-up; an index sorts them into
 * streams — one per (kind, protocol, local endpoint, peer endpoint) — in
 * file order within each (which is stream-offset order: one socket's
 * sends are written as they are made). Each stream keeps a cursor: the
 * records before it have been reported. A packet looks up three streams
 * (the sender's sends, the receiver's recvs, either side's other records)
 * in a small open-addressing table.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netlab/apptruth.h"
#include "netlab/conn.h"

struct stream {
	uint8_t kind;
	bool udp;
	struct nl_addr local, peer;
	uint16_t local_port, peer_port;
	uint32_t begin, end; /* in idx[] */
	uint32_t cursor;     /* idx[cursor] is the next to report */
};

struct nl_apptruth {
	struct nl_app_rec *rec;
	uint32_t n, cap;
	uint32_t *idx; /* records by stream, then file order */
	struct stream *st;
	uint32_t n_st;
	uint32_t *slot; /* stream + 1; 0 empty */
	uint32_t mask;
	/* what nl_apptruth_after() reports */
	struct stream *after_recv, *after_close;
	uint64_t after_end, after_udp;
	bool after_fin;
	struct nl_app_counts c;
};

/* ---- reading ---- */

/* The value of "key" in a flat JSON object line: a pointer to its first
 * character, or NULL. Our own writer's output: no nesting, no escaped
 * quotes in keys. */
static const char *field(const char *line, const char *key)
{
	char pat[24];
	int k = snprintf(pat, sizeof(pat), "\"%s\":", key);
	if (k <= 0 || (size_t)k >= sizeof(pat))
		return NULL;
	const char *p = strstr(line, pat);
	return p ? p + k : NULL;
}

static bool field_str(const char *line, const char *key, char *out,
		      size_t size)
{
	const char *p = field(line, key);
	if (!p || *p != '"')
		return false;
	p++;
	size_t i = 0;
	while (*p && *p != '"' && i + 1 < size) {
		if (*p == '\\' && p[1])
			p++;
		out[i++] = *p++;
	}
	out[i] = 0;
	return true;
}

static bool field_i64(const char *line, const char *key, int64_t *out)
{
	const char *p = field(line, key);
	if (!p)
		return false;
	char *end;
	errno = 0;
	long long v = strtoll(p, &end, 10);
	if (end == p || errno)
		return false;
	*out = v;
	return true;
}

/* "1795322267.648051" -> ns, without floating point rounding */
static bool field_ts(const char *line, int64_t *ns)
{
	const char *p = field(line, "ts");
	if (!p)
		return false;
	char *end;
	long long sec = strtoll(p, &end, 10);
	if (end == p)
		return false;
	int64_t frac = 0;
	int digits = 0;
	if (*end == '.')
		for (end++; *end >= '0' && *end <= '9'; end++)
			if (digits < 9) {
				frac = frac * 10 + (*end - '0');
				digits++;
			}
	while (digits++ < 9)
		frac *= 10;
	*ns = (int64_t)sec * 1000000000ll + frac;
	return true;
}

/* "127.0.0.1:9000" or "[::1]:9000" */
static bool parse_endpoint(const char *s, struct nl_addr *a, uint16_t *port)
{
	char host[64];
	const char *colon;
	memset(a, 0, sizeof(*a));
	if (*s == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(host))
			return false;
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = 0;
		colon = close + 1;
		if (inet_pton(AF_INET6, host, a->b) != 1)
			return false;
		a->family = 6;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			return false;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = 0;
		if (inet_pton(AF_INET, host, a->b) != 1)
			return false;
		a->family = 4;
	}
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || p < 0 || p > 65535)
		return false;
	*port = (uint16_t)p;
	return true;
}

static enum nl_app_kind kind_of(const char *ev)
{
	if (!strcmp(ev, "send"))
		return NL_APP_SEND;
	if (!strcmp(ev, "recv"))
		return NL_APP_RECV;
	if (!strcmp(ev, "close") || !strcmp(ev, "error"))
		return NL_APP_CLOSE;
	return NL_APP_CONNECT;
}

/* One line into r: 1, 0 for a record with no place beside the packets
 * (the framing's message view, listen()), -1 for a line not understood. */
static int parse_line(const char *line, struct nl_app_rec *r)
{
	memset(r, 0, sizeof(*r));
	char buf[64];
	if (!field_ts(line, &r->ns) || !field_str(line, "ev", r->ev, sizeof(r->ev)))
		return -1;
	if (!strcmp(r->ev, "message") || !strcmp(r->ev, "listen"))
		return 0; /* framing view / no peer: not a socket call */
	field_str(line, "side", r->side, sizeof(r->side));
	r->udp = field_str(line, "proto", buf, sizeof(buf)) &&
		 !strcmp(buf, "udp");
	if (!field_str(line, "local", buf, sizeof(buf)) ||
	    !parse_endpoint(buf, &r->local, &r->local_port))
		return -1;
	if (!field_str(line, "peer", buf, sizeof(buf)) ||
	    !parse_endpoint(buf, &r->peer, &r->peer_port))
		return -1;
	r->kind = (uint8_t)kind_of(r->ev);
	int64_t v;
	if (field_i64(line, "off", &v) && v >= 0)
		r->off = (uint64_t)v;
	if (field_i64(line, "len", &v) && v >= 0)
		r->len = (uint64_t)v;
	r->ret = field_i64(line, "ret", &v) ? v : (int64_t)r->len;
	if (!field_str(line, "errno", r->detail, sizeof(r->detail)))
		field_str(line, "reason", r->detail, sizeof(r->detail));
	if (!strcmp(r->ev, "sockopts")) {
		/* "nodelay":false,"cork":false,"maxseg":1448 -> nodelay=false
		 * cork=false maxseg=1448 */
		static const char *const keys[] = {"nodelay", "cork", "maxseg",
						   "sndbuf", "rcvbuf"};
		size_t k = 0;
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			const char *v = field(line, keys[i]);
			if (!v)
				continue;
			size_t n = strcspn(v, ",}");
			int w = snprintf(r->detail + k, sizeof(r->detail) - k,
					 "%s%s=%.*s", k ? " " : "", keys[i],
					 (int)n, v);
			if (w < 0 || (size_t)w >= sizeof(r->detail) - k)
				break;
			k += (size_t)w;
		}
	}
	return 1;
}

static enum nl_status read_file(struct nl_apptruth *t, const char *path,
				char *errbuf)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(errbuf, NL_ERRBUF_SIZE, "--truth %s: %s", path,
			 strerror(errno));
		return NL_ERR_SYS;
	}
	char line[1024];
	uint64_t before = t->n;
	while (fgets(line, sizeof(line), f)) {
		size_t k = strlen(line);
		if (k && line[k - 1] != '\n' && !feof(f)) {
			/* longer than any record we write: skip the rest */
			int ch;
			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
			t->c.bad_lines++;
			continue;
		}
		struct nl_app_rec r;
		int got = parse_line(line, &r);
		if (got <= 0) {
			if (got < 0 && strchr(line, '{'))
				t->c.bad_lines++;
			continue;
		}
		if (t->n == NL_APP_MAX_RECORDS) {
			t->c.ignored++;
			continue;
		}
		if (t->n == t->cap) {
			uint32_t nc = t->cap ? t->cap * 2 : 1024;
			struct nl_app_rec *p = realloc(t->rec, nc * sizeof(*p));
			if (!p) {
				fclose(f);
				snprintf(errbuf, NL_ERRBUF_SIZE,
					 "--truth %s: out of memory", path);
				return NL_NOMEM;
			}
			t->rec = p;
			t->cap = nc;
		}
		t->rec[t->n++] = r;
	}
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		snprintf(errbuf, NL_ERRBUF_SIZE, "--truth %s: read error", path);
		return NL_ERR_SYS;
	}
	if (t->n == before) {
		snprintf(errbuf, NL_ERRBUF_SIZE,
			 "--truth %s: no netlab gen --truth records in it",
			 path);
		return NL_MALFORMED;
	}
	return NL_OK;
}

/* ---- streams ---- */

static bool same_ep(const struct nl_addr *a, uint16_t pa,
		    const struct nl_addr *b, uint16_t pb)
{
	return pa == pb && a->family == b->family && !memcmp(a->b, b->b, 16);
}

static uint32_t key_hash(uint8_t kind, bool udp, const struct nl_addr *l,
			 uint16_t lp, const struct nl_addr *p, uint16_t pp)
{
	uint64_t h = (uint64_t)kind * 31 + udp + ((uint64_t)lp << 16) + pp;
	for (int i = 0; i < 16; i++)
		h = (h ^ l->b[i] ^ ((uint64_t)p->b[i] << 8)) *
		    0x100000001b3ull;
	return (uint32_t)(h ^ (h >> 32));
}

static struct stream *find(const struct nl_apptruth *t, uint8_t kind,
			   bool udp, const struct nl_addr *l, uint16_t lp,
			   const struct nl_addr *p, uint16_t pp)
{
	if (!t->slot)
		return NULL;
	for (uint32_t i = key_hash(kind, udp, l, lp, p, pp) & t->mask;;
	     i = (i + 1) & t->mask) {
		uint32_t k = t->slot[i];
		if (!k)
			return NULL;
		struct stream *s = &t->st[k - 1];
		if (s->kind == kind && s->udp == udp &&
		    same_ep(&s->local, s->local_port, l, lp) &&
		    same_ep(&s->peer, s->peer_port, p, pp))
			return s;
	}
}

static int cmp_stream(const struct nl_app_rec *a, const struct nl_app_rec *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->udp != b->udp)
		return a->udp ? 1 : -1;
	int c = memcmp(&a->local, &b->local, sizeof(a->local));
	if (c)
		return c;
	if (a->local_port != b->local_port)
		return a->local_port < b->local_port ? -1 : 1;
	c = memcmp(&a->peer, &b->peer, sizeof(a->peer));
	if (c)
		return c;
	if (a->peer_port != b->peer_port)
		return a->peer_port < b->peer_port ? -1 : 1;
	return 0;
}

static int cmp_idx(const void *pa, const void *pb, void *arg)
{
	const struct nl_apptruth *t = arg;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	int c = cmp_stream(&t->rec[a], &t->rec[b]);
	if (c)
		return c;
	return a < b ? -1 : a > b; /* file order within a stream */
}

static enum nl_status index_streams(struct nl_apptruth *t)
{
	t->idx = malloc((size_t)t->n * sizeof(*t->idx));
	if (!t->idx)
		return NL_NOMEM;
	for (uint32_t i = 0; i < t->n; i++)
		t->idx[i] = i;
	qsort_r(t->idx, t->n, sizeof(*t->idx), cmp_idx, t);
	t->st = calloc(t->n, sizeof(*t->st));
	if (!t->st)
		return NL_NOMEM;
	for (uint32_t i = 0; i < t->n; i++) {
		const struct nl_app_rec *r = &t->rec[t->idx[i]];
		struct stream *s = t->n_st ? &t->st[t->n_st - 1] : NULL;
		if (!s || cmp_stream(&t->rec[t->idx[s->begin]], r)) {
			s = &t->st[t->n_st++];
			s->kind = r->kind;
			s->udp = r->udp;
			s->local = r->local;
			s->peer = r->peer;
			s->local_port = r->local_port;
			s->peer_port = r->peer_port;
			s->begin = s->cursor = i;
		}
		s->end = i + 1;
		/* send #n, recv #n: numbered per socket and kind */
		t->rec[t->idx[i]].index = i - s->begin + 1;
	}
	uint32_t slots = 2;
	while (slots < 2 * t->n_st)
		slots <<= 1;
	t->slot = calloc(slots, sizeof(*t->slot));
	if (!t->slot)
		return NL_NOMEM;
	t->mask = slots - 1;
	for (uint32_t k = 0; k < t->n_st; k++) {
		struct stream *s = &t->st[k];
		uint32_t i = key_hash(s->kind, s->udp, &s->local, s->local_port,
				      &s->peer, s->peer_port) &
			     t->mask;
		while (t->slot[i])
			i = (i + 1) & t->mask;
		t->slot[i] = k + 1;
	}
	return NL_OK;
}

enum nl_status nl_apptruth_open(struct nl_apptruth **out,
				const char *const *paths, unsigned n,
				char *errbuf)
{
	*out = NULL;
	struct nl_apptruth *t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(errbuf, NL_ERRBUF_SIZE, "--truth: out of memory");
		return NL_NOMEM;
	}
	for (unsigned i = 0; i < n && i < NL_APP_MAX_FILES; i++) {
		enum nl_status st = read_file(t, paths[i], errbuf);
		if (st != NL_OK) {
			nl_apptruth_free(t);
			return st;
		}
		t->c.files++;
	}
	t->c.records = t->n;
	if (t->n && index_streams(t) != NL_OK) {
		nl_apptruth_free(t);
		snprintf(errbuf, NL_ERRBUF_SIZE, "--truth: out of memory");
		return NL_NOMEM;
	}
	*out = t;
	return NL_OK;
}

void nl_apptruth_free(struct nl_apptruth *t)
{
	if (!t)
		return;
	free(t->rec);
	free(t->idx);
	free(t->st);
	free(t->slot);
	free(t);
}

/* ---- anchoring ---- */

static void report(struct nl_apptruth *t, struct nl_app_rec *r,
		   nl_app_fn *fn, void *arg)
{
	if (r->printed)
		return;
	r->printed = true;
	t->c.printed++;
	fn(arg, r);
}

/* Report the stream's records while keep(r) says so. */
static void report_while(struct nl_apptruth *t, struct stream *s,
			 bool (*keep)(const struct nl_app_rec *, uint64_t,
				      bool),
			 uint64_t limit, bool flag, nl_app_fn *fn, void *arg)
{
	while (s && s->cursor < s->end) {
		struct nl_app_rec *r = &t->rec[t->idx[s->cursor]];
		if (!keep(r, limit, flag))
			break;
		report(t, r, fn, arg);
		s->cursor++;
	}
}

static bool all(const struct nl_app_rec *r, uint64_t limit, bool flag)
{
	(void)r;
	(void)limit;
	(void)flag;
	return true;
}

/* A send is due before the segment that carries its first byte. */
static bool send_due(const struct nl_app_rec *r, uint64_t end, bool flag)
{
	(void)flag;
	return r->ret <= 0 || r->off < end;
}

/* A recv is due once every byte it returned was captured; one that
 * returned 0 or failed, once the sender's FIN or RST was. */
static bool recv_due(const struct nl_app_rec *r, uint64_t end, bool fin)
{
	if (r->ret <= 0)
		return fin && r->off <= end;
	return r->off + (uint64_t)r->ret <= end;
}

static bool by_time(const struct nl_app_rec *r, uint64_t ns, bool flag)
{
	(void)flag;
	return r->ns <= (int64_t)ns;
}

static bool by_index(const struct nl_app_rec *r, uint64_t index, bool flag)
{
	(void)flag;
	return r->index <= index;
}

/* Which sends' bytes [a, b) holds: the stream is in offset order. */
static void map_sends(const struct nl_apptruth *t, const struct stream *s,
		      uint64_t a, uint64_t b, struct nl_app_map *m)
{
	uint32_t lo = s->begin, hi = s->end;
	while (lo < hi) { /* first send ending after a */
		uint32_t mid = lo + (hi - lo) / 2;
		const struct nl_app_rec *r = &t->rec[t->idx[mid]];
		uint64_t e = r->off + (r->ret > 0 ? (uint64_t)r->ret : 0);
		if (e <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (uint32_t i = lo; i < s->end; i++) {
		const struct nl_app_rec *r = &t->rec[t->idx[i]];
		if (r->off >= b)
			break;
		if (r->ret <= 0)
			continue;
		uint64_t e = r->off + (uint64_t)r->ret;
		if (!m->n_sends++) {
			m->first = r->index;
			m->first_partial = r->off < a;
			memcpy(m->side, r->side, sizeof(m->side));
		}
		m->last = r->index;
		m->last_partial = e > b;
	}
}

void nl_apptruth_before(struct nl_apptruth *t, const struct nl_packet *pkt,
			uint64_t offset, uint64_t udp_index,
			struct nl_app_map *map, nl_app_fn *fn, void *arg)
{
	memset(map, 0, sizeof(*map));
	t->after_recv = t->after_close = NULL;
	bool udp = NL_HAS(pkt, NL_L_UDP);
	if (!udp && !NL_HAS(pkt, NL_L_TCP))
		return;
	uint16_t sp = udp ? pkt->udp.sport : pkt->tcp.sport;
	uint16_t dp = udp ? pkt->udp.dport : pkt->tcp.dport;
	const struct nl_addr *src = &pkt->src, *dst = &pkt->dst;
	/* connect(), accept(), options: at the first packet either way */
	report_while(t, find(t, NL_APP_CONNECT, udp, src, sp, dst, dp), all, 0,
		     false, fn, arg);
	report_while(t, find(t, NL_APP_CONNECT, udp, dst, dp, src, sp), all, 0,
		     false, fn, arg);
	struct stream *snd = find(t, NL_APP_SEND, udp, src, sp, dst, dp);
	struct stream *rcv = find(t, NL_APP_RECV, udp, dst, dp, src, sp);
	if (udp) {
		report_while(t, snd, by_index, udp_index, false, fn, arg);
		if (snd && udp_index && udp_index <= snd->end - snd->begin) {
			const struct nl_app_rec *r =
			    &t->rec[t->idx[snd->begin + udp_index - 1]];
			map->n_sends = 1;
			map->first = map->last = r->index;
			memcpy(map->side, r->side, sizeof(map->side));
		}
		t->after_recv = rcv;
		t->after_udp = udp_index;
		return;
	}
	uint64_t end = offset + pkt->payload_len;
	bool fin = pkt->tcp.flags & (NL_TCP_FIN | NL_TCP_RST);
	if (pkt->tcp.flags & NL_TCP_FIN)
		end++; /* the FIN is read as the end of the stream */
	if (pkt->payload_len) {
		report_while(t, snd, send_due, offset + pkt->payload_len, false,
			     fn, arg);
		if (snd)
			map_sends(t, snd, offset, offset + pkt->payload_len,
				  map);
	}
	/* close(), shutdown(), errors: by time (a close may come long
	 * after its side's FIN, once the peer's FIN was read) */
	int64_t ns = pkt->ts_ns;
	report_while(t, find(t, NL_APP_CLOSE, false, src, sp, dst, dp), by_time,
		     (uint64_t)ns, false, fn, arg);
	report_while(t, find(t, NL_APP_CLOSE, false, dst, dp, src, sp), by_time,
		     (uint64_t)ns, false, fn, arg);
	t->after_recv = rcv;
	t->after_end = fin ? end - (pkt->tcp.flags & NL_TCP_FIN ? 1 : 0)
			   : offset + pkt->payload_len;
	t->after_fin = fin;
	/* the peer learns of a RST on its next call */
	t->after_close = pkt->tcp.flags & NL_TCP_RST
			     ? find(t, NL_APP_CLOSE, false, dst, dp, src, sp)
			     : NULL;
}

void nl_apptruth_after(struct nl_apptruth *t, nl_app_fn *fn, void *arg)
{
	if (t->after_udp) {
		report_while(t, t->after_recv, by_index, t->after_udp, false, fn,
			     arg);
		t->after_udp = 0;
	} else {
		report_while(t, t->after_recv, recv_due, t->after_end,
			     t->after_fin, fn, arg);
	}
	report_while(t, t->after_close, all, 0, false, fn, arg);
	t->after_recv = t->after_close = NULL;
}

void nl_apptruth_finish(struct nl_apptruth *t, nl_app_fn *fn, void *arg)
{
	for (uint32_t i = 0; i < t->n; i++)
		report(t, &t->rec[i], fn, arg);
}

void nl_apptruth_counts(const struct nl_apptruth *t, struct nl_app_counts *out)
{
	*out = t->c;
}
