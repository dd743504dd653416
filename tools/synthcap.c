/* synthcap: a fast, deterministic synthetic capture writer for netlab's
 * tests and benchmarks.
 *
 *   synthcap [--packets N] [--seed S] [--truth FILE] [--profile mixed|synflood]
 *            [--concurrency K] [--v6 P] [--reorder P] [--retrans P]
 *            [--loss P] [--gap P] [--framing F] [-v] OUT.pcap
 *   (OUT "-" = stdout)
 *
 * Output is classic pcap (microsecond, LINKTYPE_ETHERNET) written with one
 * buffered fwrite per few MiB; the same seed and options always give the same
 * bytes. The TCP model, per connection, is explicit:
 *
 *   application writes (messages framed by --framing: u32le by default,
 *   struct.pack('<i', n) + body; u32be u16le u16be varint line jsonhdr)
 *     -> stream bytes (offset 0 = ISN + 1)
 *     -> segments of at most one MSS, cut without regard to message bounds
 *     -> each segment emitted, possibly reordered, lost or resent
 *     -> the receiver's ACKs (every 2nd segment; at once on out-of-order or
 *        duplicate data; otherwise delayed or piggybacked on the response)
 *
 * The capture point is on the client's link: client packets appear when
 * sent, server packets one-way-delay after they were sent, so a server's
 * reaction to a client packet appears one RTT later and a client's reaction
 * to a server packet a few microseconds later.
 *
 * --truth FILE writes JSON Lines: "conn" (4-tuple, ISNs, SYN frame), "seg"
 * (one per captured data segment), "msg" (one per application message, with
 * every captured frame that carried a byte of it) and a final "summary".
 * Frame numbers count from 1, as tshark does. See tools/BENCH.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PCAP_SNAPLEN 262144u
#define T0_SEC	     1700000000u /* capture start, 2023-11-14 22:13:20 UTC */
#define PAT_SIZE     65536u	 /* payload pattern; power of two */
#define PAT_MASK     (PAT_SIZE - 1)
#define MAX_MSGS     64 /* messages in one application write */
#define MAX_HOLES    16 /* undelivered ranges per direction */
#define MAX_RESEND   16
#define MAX_PACKS    64 /* pending ACKs per direction */
#define MAX_CONC     4096
#define NMISC	     16 /* concurrent ARP/UDP exchanges */
#define NCLIENTS     4096
#define NSERVERS     32
#define TS_OPT_LEN   12 /* NOP NOP TS */
#define SYN_OPT_LEN  20 /* MSS SACK_PERM TS NOP WSCALE */
#define OBUF_PCAP    (4u << 20)
#define OBUF_TRUTH   (1u << 20)

enum { TH_FIN = 1, TH_SYN = 2, TH_RST = 4, TH_PSH = 8, TH_ACK = 16 };
enum { CLIENT = 0, SERVER = 1 };
enum profile { PROF_MIXED, PROF_SYNFLOOD };
enum phase { PH_SCRIPT, PH_DATA, PH_DONE };
enum close_kind { CLOSE_FIN4, CLOSE_FIN3, CLOSE_RST, CLOSE_COUNT };
enum ev { EV_SCRIPT, EV_ACK, EV_RESEND, EV_DATA };
enum seg_kind { SEG_NEW, SEG_RETX, SEG_OOO };
enum misc_kind { MISC_IDLE, MISC_ARP, MISC_DNS, MISC_LP };
/* How messages are framed in the TCP streams. The message lengths drawn
 * are the same whatever the framing (the body is the drawn length less 4),
 * so the default u32le output is what it always was. */
enum sframing {
	SF_U32LE,
	SF_U32BE,
	SF_U16LE,
	SF_U16BE,
	SF_VARINT,
	SF_LINE,
	SF_JSONHDR,
	SF_COUNT
};
static const char *const sframing_names[SF_COUNT] = {
    "u32le", "u32be", "u16le", "u16be", "varint", "line", "jsonhdr"};

static const char *const close_names[CLOSE_COUNT] = {"fin4", "fin3", "rst"};
static const uint16_t server_ports[] = {8888,  9001,  9100,  12345,
					15000, 40000, 50051, 31337};
#define LP_UDP_PORT 7777

struct opts {
	uint64_t packets;
	uint64_t seed;
	const char *truth;
	const char *out;
	enum profile profile;
	unsigned conc;
	double v6, reorder, retrans, loss, gap;
	enum sframing framing;
	bool verbose;
};

struct rng {
	uint64_t s[4];
};

struct obuf {
	FILE *f;
	uint8_t *buf;
	size_t len, cap;
	bool err;
};

struct msg {
	uint32_t off, len, index, salt;
	uint32_t hl; /* header bytes (length field, JSON header) */
};

struct span {
	uint32_t off, len;
	uint64_t t;
	uint8_t kind;
};

struct pack {
	uint64_t t;
	uint32_t ack; /* relative to the acked side's ISN + 1 */
	uint8_t nsack;
	uint32_t sack[3][2];
};

struct seglog {
	uint64_t frame;
	uint32_t off, len;
};

/* One endpoint: its addressing, and its byte stream as a sender together
 * with the peer's receive state for that stream. */
struct side {
	uint8_t mac[6];
	uint8_t addr[16];
	uint16_t port, mss, win, ipid;
	uint8_t wscale;
	uint32_t isn, ts_off, last_tsval;
	uint32_t wr_start, wr_end;	    /* the current write */
	uint32_t snd_nxt, snd_una, snd_max; /* stream offsets */
	uint64_t t_ready;		    /* may send the next segment */
	uint64_t t_lastdata;
	uint32_t msg_next;
	bool fin;
	unsigned unacked;	     /* peer: in-order segments not yet acked */
	struct span hole[MAX_HOLES]; /* sent, not delivered; sorted */
	unsigned nhole;
	struct span rsq[MAX_RESEND]; /* to (re)send; sorted by t */
	unsigned nrsq;
	struct pack pq[MAX_PACKS]; /* peer's ACKs for this stream, FIFO */
	unsigned pq_head, pq_len;
};

struct step {
	int8_t from;
	uint8_t flags;
	bool app_delay;
};

struct conn {
	uint64_t id;
	enum phase phase;
	bool v6, closing, next_decided;
	int writer, next_writer;
	uint32_t flow;
	uint64_t rtt, t_last;
	uint32_t cwnd;
	unsigned turns_left;
	enum close_kind close;
	int closer;
	struct step script[4];
	unsigned nscript, iscript;
	uint64_t t_script;
	enum ev ev;
	struct side side[2];
	struct msg msg[MAX_MSGS];
	unsigned nmsg;
	struct seglog *log;
	size_t nlog, caplog;
};

struct misc {
	enum misc_kind kind;
	unsigned step, nsteps;
	uint32_t a, b; /* client index, server index */
	uint16_t sport, dnsid;
	uint32_t name, lp_len[3];
	unsigned lp_n;
};

struct gen {
	struct opts o;
	struct rng r;
	struct obuf pcap, truth;
	bool have_truth;
	uint64_t now, frames, bytes, conns_started, msgs, segs, misc_skipped;
	uint64_t answered;
	uint8_t pat[2 * PAT_SIZE];
	uint16_t port_next[NCLIENTS];
	uint32_t ipid_next[NCLIENTS];
	unsigned nconn;
	struct conn *conn;
	struct misc misc[NMISC];
	/* event heap over slots: conns 0..nconn-1, misc nconn.. */
	unsigned nslot;
	uint64_t *key;
	uint32_t *heap, *pos;
};

/* ---- randomness: xoshiro256**, seeded by splitmix64 ---- */

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rnext(struct rng *r)
{
	uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

static uint32_t rbelow(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rnext(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static uint32_t rrange(struct rng *r, uint32_t lo, uint32_t hi)
{
	return lo + rbelow(r, hi - lo + 1);
}

static bool rchance(struct rng *r, double p)
{
	return p > 0 && (double)(rnext(r) >> 11) * 0x1.0p-53 < p;
}

/* Roughly log-uniform over [lo, lo << octaves): an octave, then a point in
 * it. Avoids libm, which the tools rule does not link. */
static uint64_t rlog(struct rng *r, uint64_t lo, unsigned octaves)
{
	uint64_t base = lo << rbelow(r, octaves);
	return base + rnext(r) % base;
}

/* ---- buffered output ---- */

static void ob_init(struct obuf *o, FILE *f, size_t cap)
{
	o->f = f;
	o->cap = cap;
	o->len = 0;
	o->err = false;
	o->buf = malloc(cap);
	if (!o->buf) {
		fprintf(stderr, "synthcap: out of memory\n");
		exit(1);
	}
}

static void ob_flush(struct obuf *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
		o->err = true;
	o->len = 0;
}

static uint8_t *ob_reserve(struct obuf *o, size_t n)
{
	if (o->cap - o->len < n)
		ob_flush(o);
	return o->buf + o->len;
}

static void ob_str(struct obuf *o, const char *s)
{
	size_t n = strlen(s);
	memcpy(ob_reserve(o, n), s, n);
	o->len += n;
}

static void ob_u64(struct obuf *o, uint64_t v)
{
	char tmp[24];
	int i = 24;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(ob_reserve(o, 24), tmp + i, (size_t)(24 - i));
	o->len += (size_t)(24 - i);
}

/* ---- checksums (RFC 1071: native-order sums, stored natively) ---- */

static uint64_t csum_add(uint64_t acc, const uint8_t *p, size_t n)
{
	uint32_t a, b;
	while (n >= 8) {
		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		acc += (uint64_t)a + b;
		p += 8;
		n -= 8;
	}
	if (n >= 4) {
		memcpy(&a, p, 4);
		acc += a;
		p += 4;
		n -= 4;
	}
	if (n) {
		a = 0;
		memcpy(&a, p, n);
		acc += a;
	}
	return acc;
}

static uint16_t csum_fold(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---- frames ---- */

/* Start a pcap record of a frame of n bytes at time t (µs since T0). */
static uint8_t *rec_begin(struct gen *g, uint64_t t, uint32_t n)
{
	uint8_t *p = ob_reserve(&g->pcap, 16 + n);
	uint32_t h[4] = {T0_SEC + (uint32_t)(t / 1000000),
			 (uint32_t)(t % 1000000), n, n};
	memcpy(p, h, sizeof h);
	g->pcap.len += 16 + n;
	g->frames++;
	g->bytes += 16 + n;
	return p + 16;
}

static uint8_t *put_eth(uint8_t *p, const uint8_t *dst, const uint8_t *src,
			uint16_t type)
{
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	put16(p + 12, type);
	return p + 14;
}

/* IP header; returns the pseudo-header sum for the L4 checksum. */
static uint64_t put_ip(uint8_t *p, bool v6, const uint8_t *src,
		       const uint8_t *dst, uint8_t proto, uint32_t l4len,
		       uint16_t id, uint32_t flow)
{
	uint8_t ph[12];
	if (v6) {
		put32(p, 0x60000000u | (flow & 0xfffff));
		put16(p + 4, (uint16_t)l4len);
		p[6] = proto;
		p[7] = 64;
		memcpy(p + 8, src, 16);
		memcpy(p + 24, dst, 16);
		put32(ph, l4len);
		put32(ph + 4, proto);
		return csum_add(csum_add(0, p + 8, 32), ph, 8);
	}
	p[0] = 0x45;
	p[1] = 0;
	put16(p + 2, (uint16_t)(20 + l4len));
	put16(p + 4, id);
	put16(p + 6, 0x4000); /* DF */
	p[8] = 64;
	p[9] = proto;
	memset(p + 10, 0, 2);
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	uint16_t c = csum_fold(csum_add(0, p, 20));
	memcpy(p + 10, &c, 2);
	memcpy(ph, src, 4);
	memcpy(ph + 4, dst, 4);
	ph[8] = 0;
	ph[9] = proto;
	put16(ph + 10, (uint16_t)l4len);
	return csum_add(0, ph, 12);
}

/* ---- hosts ---- */

static void client_host(uint32_t i, bool v6, uint8_t *mac, uint8_t *addr)
{
	/* 10.1.0.1 up, skipping .0 and .255 to look like /24s */
	uint8_t m[6] = {
	    0x02, 0x00, 10, 1, (uint8_t)(i / 254), (uint8_t)(i % 254 + 1)};
	memcpy(mac, m, 6);
	memset(addr, 0, 16);
	if (v6) {
		static const uint8_t pfx[8] = {0xfd, 0, 0, 1, 0, 0, 0, 0};
		memcpy(addr, pfx, 8);
		memcpy(addr + 14, m + 4, 2);
	} else {
		memcpy(addr, m + 2, 4);
	}
}

static void server_host(uint32_t i, bool v6, uint8_t *mac, uint8_t *addr)
{
	uint8_t m[6] = {0x02, 0x01, 10, 2, 0, (uint8_t)(10 + i)};
	memcpy(mac, m, 6);
	memset(addr, 0, 16);
	if (v6) {
		static const uint8_t pfx[8] = {0xfd, 0, 0, 2, 0, 0, 0, 0};
		memcpy(addr, pfx, 8);
		put16(addr + 14, (uint16_t)(10 + i));
	} else {
		memcpy(addr, m + 2, 4);
	}
}

/* ---- stream model ---- */

static uint32_t rcv_nxt(const struct side *s)
{
	return s->nhole ? s->hole[0].off : s->snd_max;
}

/* Acknowledgment number carried by a packet from endpoint `from`. */
static uint32_t ack_of(const struct conn *c, int from)
{
	const struct side *p = &c->side[1 - from];
	return p->isn + 1 + rcv_nxt(p) + (p->fin ? 1 : 0);
}

/* The header of message m under framing f into h (at most 96 bytes);
 * returns its length. line has none: its LF is the message's last byte. */
static uint32_t msg_header(enum sframing f, const struct msg *m, uint8_t *h)
{
	uint32_t body = m->len - m->hl;
	switch (f) {
	case SF_U32LE:
	case SF_U32BE:
		for (int i = 0; i < 4; i++)
			h[f == SF_U32LE ? i : 3 - i] =
			    (uint8_t)(body >> (8 * i));
		return 4;
	case SF_U16LE:
	case SF_U16BE:
		h[f == SF_U16LE ? 0 : 1] = (uint8_t)body;
		h[f == SF_U16LE ? 1 : 0] = (uint8_t)(body >> 8);
		return 2;
	case SF_VARINT: {
		uint32_t n = 0;
		do {
			h[n++] =
			    (uint8_t)((body & 0x7f) | (body > 0x7f ? 0x80 : 0));
			body >>= 7;
		} while (body);
		return n;
	}
	case SF_JSONHDR: {
		/* json.dumps() of the tutorials' upload header */
		int n =
		    snprintf((char *)h + 4, 92,
			     "{\"func\": \"put\", \"file_name\": \"m%u.bin\", "
			     "\"file_size\": %u}",
			     m->index, body);
		for (int i = 0; i < 4; i++)
			h[i] = (uint8_t)((uint32_t)n >> (8 * i));
		return 4 + (uint32_t)n;
	}
	default:
		return 0;
	}
}

/* A message whose body is `body` bytes: its header length and total. */
static void msg_frame(enum sframing f, struct msg *m, uint32_t body)
{
	uint8_t h[96];
	if (f == SF_U16LE || f == SF_U16BE)
		body = body > 65535 ? 65535 : body;
	if (f == SF_LINE) {
		m->hl = 0;
		m->len = body + 1;
		return;
	}
	m->hl = 0;
	m->len = body; /* msg_header() reads the body length as len - hl */
	m->hl = msg_header(f, m, h);
	m->len = body + m->hl;
}

/* Bytes [in, in+n) of message m, other framings than u32le. */
static void fill_msg(const struct gen *g, const struct msg *m, uint32_t in,
		     uint32_t n, uint8_t *dst)
{
	uint8_t h[96];
	uint32_t hl = msg_header(g->o.framing, m, h), k = 0;
	for (; in < hl && k < n; in++)
		dst[k++] = h[in];
	for (; k < n; in++)
		dst[k++] = g->o.framing == SF_LINE && in == m->len - 1
			       ? '\n'
			       : g->pat[(m->salt + in - hl) & PAT_MASK];
}

/* Copy stream bytes [off, off+len) of the current write of `s`. */
static void fill_stream(const struct gen *g, const struct conn *c, uint32_t off,
			uint32_t len, uint8_t *dst)
{
	unsigned lo = 0, hi = c->nmsg;
	while (hi - lo > 1) {
		unsigned mid = (lo + hi) / 2;
		if (c->msg[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	for (unsigned i = lo; len; i++) {
		const struct msg *m = &c->msg[i];
		uint32_t in = off - m->off, n = m->len - in, k = 0;
		if (n > len)
			n = len;
		if (g->o.framing != SF_U32LE) {
			fill_msg(g, m, in, n, dst);
			dst += n;
			off += n;
			len -= n;
			continue;
		}
		/* the 4-byte little-endian length prefix, struct.pack('<i') */
		for (; in < 4 && k < n; in++)
			dst[k++] = (uint8_t)((m->len - 4) >> (8 * in));
		if (k < n)
			memcpy(dst + k,
			       g->pat + ((m->salt + in - 4) & PAT_MASK), n - k);
		dst += n;
		off += n;
		len -= n;
	}
}

static void truth_dir(struct obuf *o, int from)
{
	ob_str(o, from == CLIENT ? "\"c2s\"" : "\"s2c\"");
}

static void truth_addr(struct obuf *o, bool v6, const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];
	inet_ntop(v6 ? AF_INET6 : AF_INET, a, buf, sizeof buf);
	ob_str(o, "\"");
	ob_str(o, buf);
	ob_str(o, "\"");
}

/* Emit one TCP segment from endpoint `from`. Data comes from the current
 * write at stream offset `off`. Returns the frame number, 0 if not captured.
 */
static uint64_t emit_tcp(struct gen *g, struct conn *c, int from, uint8_t flags,
			 uint32_t off, uint32_t len, const struct pack *ack,
			 bool captured)
{
	struct side *s = &c->side[from], *p = &c->side[1 - from];
	uint32_t tsval = s->ts_off + (uint32_t)(g->now / 1000);
	unsigned nsack = ack ? ack->nsack : 0;
	uint32_t optlen = (flags & TH_SYN) ? SYN_OPT_LEN
			  : nsack	   ? TS_OPT_LEN + 4 + 8 * nsack
					   : TS_OPT_LEN;
	uint32_t thl = 20 + optlen, l4 = thl + len;
	uint32_t iphl = c->v6 ? 40 : 20, n = 14 + iphl + l4;
	s->last_tsval = tsval;
	c->t_last = g->now;
	if (!captured)
		return 0;
	uint8_t *f = rec_begin(g, g->now, n);
	uint8_t *ip = put_eth(f, p->mac, s->mac, c->v6 ? 0x86dd : 0x0800);
	uint64_t ps = put_ip(ip, c->v6, s->addr, p->addr, 6, l4, s->ipid++,
			     c->flow + (uint32_t)from);
	uint8_t *t = ip + iphl, *o = t + 20;
	uint32_t seq =
	    (flags & TH_SYN) ? s->isn : s->isn + 1 + off + (s->fin ? 1 : 0);
	uint32_t ackno = ack ? p->isn + 1 + ack->ack : ack_of(c, from);
	put16(t, s->port);
	put16(t + 2, p->port);
	put32(t + 4, seq);
	put32(t + 8, (flags & TH_ACK) ? ackno : 0);
	put16(t + 12, (uint16_t)((thl / 4) << 12 | flags));
	put16(t + 14,
	      (flags & TH_SYN) ? (from == CLIENT ? 64240 : 65160) : s->win);
	memset(t + 16, 0, 4);
	if (flags & TH_SYN) {
		o[0] = 2, o[1] = 4;
		put16(o + 2, s->mss);
		o[4] = 4, o[5] = 2;
		o += 6;
	} else {
		o[0] = 1, o[1] = 1;
		o += 2;
	}
	o[0] = 8, o[1] = 10;
	put32(o + 2, tsval);
	put32(o + 6, (flags & TH_SYN) && !(flags & TH_ACK) ? 0 : p->last_tsval);
	o += 10;
	if (flags & TH_SYN) {
		o[0] = 1, o[1] = 3, o[2] = 3, o[3] = s->wscale;
		o += 4;
	} else if (nsack) {
		o[0] = 1, o[1] = 1, o[2] = 5, o[3] = (uint8_t)(2 + 8 * nsack);
		o += 4;
		for (unsigned i = 0; i < nsack; i++, o += 8) {
			put32(o, p->isn + 1 + ack->sack[i][0]);
			put32(o + 4, p->isn + 1 + ack->sack[i][1]);
		}
	}
	if (len)
		fill_stream(g, c, off, len, o);
	uint16_t cs = csum_fold(csum_add(ps, t, l4));
	memcpy(t + 16, &cs, 2);
	return g->frames;
}

static void span_insert(struct span *a, unsigned *n, struct span v,
			bool by_time)
{
	unsigned i = *n;
	while (i && (by_time ? a[i - 1].t > v.t : a[i - 1].off > v.off)) {
		a[i] = a[i - 1];
		i--;
	}
	a[i] = v;
	(*n)++;
}

static void span_remove(struct span *a, unsigned *n, unsigned i)
{
	memmove(a + i, a + i + 1, (*n - i - 1) * sizeof *a);
	(*n)--;
}

/* Delay before endpoint `to` reacts, as seen at the capture point, to a
 * packet from `prev` that appeared at the capture point. */
static uint64_t react(struct gen *g, const struct conn *c, int to, int prev)
{
	if (to == prev)
		return rrange(&g->r, 3, 30);
	if (to == SERVER)
		return c->rtt + rlog(&g->r, 10, 5);
	return rrange(&g->r, 8, 60);
}

/* Queue the peer's ACK of stream `w`, sent in reaction to data at t. */
static void push_ack(struct conn *c, int w, uint64_t t)
{
	struct side *s = &c->side[w];
	struct pack *a;
	if (s->pq_len == MAX_PACKS) { /* full: fold into the newest */
		a = &s->pq[(s->pq_head + s->pq_len - 1) % MAX_PACKS];
	} else {
		/* FIFO in time: an ACK never overtakes an earlier one */
		if (s->pq_len) {
			const struct pack *last =
			    &s->pq[(s->pq_head + s->pq_len - 1) % MAX_PACKS];
			if (t < last->t)
				t = last->t;
		}
		a = &s->pq[(s->pq_head + s->pq_len) % MAX_PACKS];
		a->t = t;
		s->pq_len++;
	}
	a->ack = rcv_nxt(s);
	a->nsack = 0;
	/* SACK blocks: delivered data above each hole (RFC 2018). */
	for (unsigned i = 0; i < s->nhole && a->nsack < 3; i++) {
		uint32_t lo = s->hole[i].off + s->hole[i].len;
		uint32_t hi =
		    i + 1 < s->nhole ? s->hole[i + 1].off : s->snd_max;
		if (hi > lo) {
			a->sack[a->nsack][0] = lo;
			a->sack[a->nsack][1] = hi;
			a->nsack++;
		}
	}
}

/* The peer receives the segment at stream offset `off` of `w`. Stream
 * offsets are relative to ISN + 1 and never wrap (a connection carries far
 * less than 4 GiB), so plain comparisons are right for them. */
static void deliver(struct gen *g, struct conn *c, int w, uint32_t off,
		    bool resend)
{
	struct side *s = &c->side[w];
	bool filled = false;
	for (unsigned i = 0; resend && i < s->nhole; i++) {
		if (s->hole[i].off == off) {
			span_remove(s->hole, &s->nhole, i);
			filled = true;
			break;
		}
	}
	uint64_t at = g->now + react(g, c, 1 - w, w);
	bool ooo = s->nhole && off > s->hole[0].off;
	if (filled || ooo || resend) {
		/* RFC 5681 §4.2: out-of-order, hole-filling and duplicate
		 * data are acknowledged at once. */
		s->unacked = 0;
		push_ack(c, w, at);
	} else if (++s->unacked >= 2) {
		s->unacked = 0;
		push_ack(c, w, at);
	}
}

static void log_seg(struct gen *g, struct conn *c, int w, uint64_t frame,
		    uint32_t off, uint32_t len, enum seg_kind kind, bool lost)
{
	if (!g->have_truth || !frame)
		return;
	if (c->nlog == c->caplog) {
		size_t cap = c->caplog ? 2 * c->caplog : 256;
		struct seglog *nl = realloc(c->log, cap * sizeof *nl);
		if (!nl) {
			fprintf(stderr, "synthcap: out of memory\n");
			exit(1);
		}
		c->log = nl;
		c->caplog = cap;
	}
	c->log[c->nlog++] = (struct seglog){frame, off, len};
	struct obuf *o = &g->truth;
	ob_str(o, "{\"type\":\"seg\",\"frame\":");
	ob_u64(o, frame);
	ob_str(o, ",\"conn\":");
	ob_u64(o, c->id);
	ob_str(o, ",\"dir\":");
	truth_dir(o, w);
	ob_str(o, ",\"seq_off\":");
	ob_u64(o, off);
	ob_str(o, ",\"len\":");
	ob_u64(o, len);
	if (kind == SEG_RETX)
		ob_str(o, ",\"retx\":true");
	if (kind == SEG_OOO)
		ob_str(o, ",\"ooo\":true");
	if (lost)
		ob_str(o, ",\"lost\":true");
	ob_str(o, "}\n");
}

/* One "msg" line per message of the current write that has been sent. */
static void truth_msgs(struct gen *g, struct conn *c)
{
	const struct side *s = &c->side[c->writer];
	struct obuf *o = &g->truth;
	for (unsigned i = 0; i < c->nmsg; i++) {
		const struct msg *m = &c->msg[i];
		uint32_t end = m->off + m->len, covered = m->off;
		bool progress = true;
		if (m->off >= s->snd_max)
			break;
		g->msgs++;
		if (!g->have_truth)
			continue;
		ob_str(o, "{\"type\":\"msg\",\"conn\":");
		ob_u64(o, c->id);
		ob_str(o, ",\"dir\":");
		truth_dir(o, c->writer);
		ob_str(o, ",\"index\":");
		ob_u64(o, m->index);
		ob_str(o, ",\"offset\":");
		ob_u64(o, m->off);
		ob_str(o, ",\"len\":");
		ob_u64(o, m->len);
		ob_str(o, ",\"header_len\":");
		ob_u64(o, m->hl);
		ob_str(o, ",\"frames\":[");
		const char *sep = "";
		for (size_t k = 0; k < c->nlog; k++) {
			const struct seglog *l = &c->log[k];
			if (l->off >= end || l->off + l->len <= m->off)
				continue;
			ob_str(o, sep);
			ob_u64(o, l->frame);
			sep = ",";
		}
		/* complete: every byte was captured at least once */
		while (progress && covered < end) {
			progress = false;
			for (size_t k = 0; k < c->nlog; k++) {
				const struct seglog *l = &c->log[k];
				if (l->off <= covered &&
				    l->off + l->len > covered) {
					covered = l->off + l->len;
					progress = true;
				}
			}
		}
		ob_str(o, covered >= end ? "],\"complete\":true}\n"
					 : "],\"complete\":false}\n");
	}
}

/* ---- connection life ---- */

static void start_turn(struct gen *g, struct conn *c, int w, uint64_t t)
{
	struct side *s = &c->side[w];
	struct rng *r = &g->r;
	uint32_t off = s->snd_nxt, lens[MAX_MSGS];
	unsigned n = 0, kind = rbelow(r, 100);
	if (kind < 58) { /* a few small messages: merged into one segment */
		unsigned k =
		    rbelow(r, 4) == 0 ? rrange(r, 4, 12) : rrange(r, 1, 3);
		while (n < k)
			lens[n++] = rrange(r, 5, 100);
	} else if (kind < 66) { /* a burst of small ones across segments */
		unsigned k = rrange(r, 20, MAX_MSGS);
		while (n < k)
			lens[n++] = rrange(r, 5, 100);
	} else if (kind < 98) {
		lens[n++] = rrange(r, 101, 1400);
	} else if (kind < 99) { /* large: 2-64 KiB, across MSS segments */
		lens[n++] = (uint32_t)rlog(r, 2048, 5);
	} else { /* a small header message, then a large body */
		lens[n++] = rrange(r, 5, 100);
		lens[n++] = (uint32_t)rlog(r, 2048, 5);
	}
	c->nmsg = n;
	for (unsigned i = 0; i < n; i++) {
		c->msg[i] = (struct msg){off, lens[i], s->msg_next++,
					 (uint32_t)rnext(r) & PAT_MASK, 4};
		if (g->o.framing != SF_U32LE)
			msg_frame(g->o.framing, &c->msg[i], lens[i] - 4);
		off += c->msg[i].len;
	}
	c->writer = w;
	c->nlog = 0;
	s->wr_start = s->snd_nxt;
	s->wr_end = off;
	s->snd_una = s->snd_nxt;
	s->t_ready = t;
}

static void set_script(struct conn *c, uint64_t t, unsigned n,
		       const struct step *st)
{
	memcpy(c->script, st, n * sizeof *st);
	c->nscript = n;
	c->iscript = 0;
	c->t_script = t;
	c->phase = PH_SCRIPT;
}

static void start_close(struct conn *c, uint64_t t)
{
	int x = c->closer, y = 1 - x;
	const uint8_t fa = TH_FIN | TH_ACK;
	if (c->close == CLOSE_FIN4) {
		const struct step st[4] = {{(int8_t)x, fa, false},
					   {(int8_t)y, TH_ACK, false},
					   {(int8_t)y, fa, true},
					   {(int8_t)x, TH_ACK, false}};
		set_script(c, t, 4, st);
	} else if (c->close == CLOSE_FIN3) {
		const struct step st[3] = {{(int8_t)x, fa, false},
					   {(int8_t)y, fa, false},
					   {(int8_t)x, TH_ACK, false}};
		set_script(c, t, 3, st);
	} else {
		const struct step st[1] = {{(int8_t)x, TH_RST | TH_ACK, false}};
		set_script(c, t, 1, st);
	}
	c->closing = true;
}

/* Ephemeral ports that tshark 4.0 dissects by number (EtherCAT, PCP, ENIP,
 * CBSP, ADS, IRC): a client there would have our payload decoded as that
 * protocol and flagged malformed. */
static bool port_clashes(uint16_t p)
{
	static const uint16_t clash[] = {34980, 44321, 44322, 44818,
					 48049, 48898, 57000};
	for (size_t i = 0; i < sizeof clash / sizeof clash[0]; i++)
		if (p == clash[i])
			return true;
	return false;
}

static void start_conn(struct gen *g, struct conn *c, uint64_t t)
{
	struct rng *r = &g->r;
	struct seglog *log = c->log;
	size_t caplog = c->caplog;
	memset(c, 0, sizeof *c);
	c->log = log;
	c->caplog = caplog;
	c->v6 = rchance(r, g->o.v6);
	uint32_t ci = rbelow(r, NCLIENTS), si = rbelow(r, NSERVERS);
	struct side *cs = &c->side[CLIENT], *ss = &c->side[SERVER];
	client_host(ci, c->v6, cs->mac, cs->addr);
	server_host(si, c->v6, ss->mac, ss->addr);
	do {
		cs->port = g->port_next[ci];
		g->port_next[ci] = cs->port == 60999 ? 32768 : cs->port + 1;
	} while (port_clashes(cs->port));
	ss->port = server_ports[si % (sizeof server_ports / 2)];
	for (int e = 0; e < 2; e++) {
		struct side *s = &c->side[e];
		/* some ISNs just below 2^32 so the sequence space wraps */
		s->isn = rbelow(r, 8) == 0 ? 0u - rrange(r, 1, 300000)
					   : (uint32_t)rnext(r);
		s->mss = c->v6 ? 1440 : 1460;
		s->wscale = 7;
		s->win = (uint16_t)rrange(r, 502, 2048);
		s->ipid = (uint16_t)rnext(r);
		s->ts_off = (uint32_t)rnext(r);
	}
	c->flow = (uint32_t)rnext(r) & 0xffffe;
	c->rtt = rlog(r, 100, 9);
	c->cwnd = rrange(r, 10, 40) * (uint32_t)(c->side[0].mss - TS_OPT_LEN);
	unsigned lk = rbelow(r, 100);
	c->turns_left = lk < 70	  ? rrange(r, 1, 6)
			: lk < 95 ? rrange(r, 2, 30)
				  : rrange(r, 50, 250);
	unsigned ck = rbelow(r, 100);
	c->close = ck < 65 ? CLOSE_FIN4 : ck < 96 ? CLOSE_FIN3 : CLOSE_RST;
	c->closer = rbelow(r, 10) < 6 ? CLIENT : SERVER;
	const struct step open[3] = {{CLIENT, TH_SYN, false},
				     {SERVER, TH_SYN | TH_ACK, false},
				     {CLIENT, TH_ACK, false}};
	set_script(c, t, 3, open);
}

static void truth_conn(struct gen *g, struct conn *c, uint64_t frame)
{
	struct obuf *o = &g->truth;
	const struct side *cs = &c->side[CLIENT], *ss = &c->side[SERVER];
	ob_str(o, "{\"type\":\"conn\",\"conn\":");
	ob_u64(o, c->id);
	ob_str(o, c->v6 ? ",\"family\":6,\"client\":"
			: ",\"family\":4,"
			  "\"client\":");
	truth_addr(o, c->v6, cs->addr);
	ob_str(o, ",\"cport\":");
	ob_u64(o, cs->port);
	ob_str(o, ",\"server\":");
	truth_addr(o, c->v6, ss->addr);
	ob_str(o, ",\"sport\":");
	ob_u64(o, ss->port);
	ob_str(o, ",\"isn_c\":");
	ob_u64(o, cs->isn);
	ob_str(o, ",\"isn_s\":");
	ob_u64(o, ss->isn);
	ob_str(o, ",\"mss_c\":");
	ob_u64(o, cs->mss);
	ob_str(o, ",\"mss_s\":");
	ob_u64(o, ss->mss);
	ob_str(o, ",\"wscale\":7,\"syn_frame\":");
	ob_u64(o, frame);
	ob_str(o, ",\"close\":\"");
	ob_str(o, close_names[c->close]);
	ob_str(o, c->closer == CLIENT ? "\",\"closer\":\"client\"}\n"
				      : "\",\"closer\":\"server\"}\n");
}

/* Nothing left to send in this turn: acknowledge, then the next turn. */
static void end_turn(struct gen *g, struct conn *c)
{
	int w = c->writer, r = 1 - w;
	struct side *s = &c->side[w];
	if (!c->next_decided) {
		truth_msgs(g, c);
		c->next_decided = true;
		c->next_writer = --c->turns_left == 0	   ? -1
				 : rbelow(&g->r, 100) < 85 ? r
							   : w;
		if (s->unacked) {
			s->unacked = 0;
			if (c->next_writer != r) { /* delayed ACK timer */
				push_ack(c, w,
					 s->t_lastdata + react(g, c, r, w) +
					     rlog(&g->r, 200, 7));
				return;
			}
			/* else the response carries the ACK */
		}
	}
	c->next_decided = false;
	uint64_t t = s->t_lastdata;
	if (c->next_writer == r)
		t += react(g, c, r, w) +
		     (r == CLIENT ? rlog(&g->r, 50, 9) : rlog(&g->r, 20, 8));
	else
		t += rlog(&g->r, 50, 9);
	if (t < c->t_last)
		t = c->t_last + rrange(&g->r, 1, 20);
	if (c->next_writer < 0)
		start_close(c, t);
	else
		start_turn(g, c, c->next_writer, t);
}

/* Choose this connection's next packet and its time. */
static uint64_t conn_plan(struct gen *g, struct conn *c)
{
	for (;;) {
		if (c->phase == PH_SCRIPT) {
			c->ev = EV_SCRIPT;
			return c->t_script;
		}
		struct side *s = &c->side[c->writer];
		uint64_t best = UINT64_MAX;
		if (s->pq_len) {
			best = s->pq[s->pq_head].t;
			c->ev = EV_ACK;
		}
		if (s->nrsq) {
			uint64_t t =
			    s->rsq[0].t > s->t_ready ? s->rsq[0].t : s->t_ready;
			if (t < best) {
				best = t;
				c->ev = EV_RESEND;
			}
		}
		if (s->snd_nxt < s->wr_end) {
			uint32_t len = s->wr_end - s->snd_nxt;
			uint32_t mss = (uint32_t)(s->mss - TS_OPT_LEN);
			uint32_t inflight = s->snd_nxt - s->snd_una;
			if (len > mss)
				len = mss;
			bool blocked = inflight && inflight + len > c->cwnd;
			if ((!blocked || best == UINT64_MAX) &&
			    s->t_ready < best) {
				best = s->t_ready;
				c->ev = EV_DATA;
			}
		}
		if (best != UINT64_MAX)
			return best;
		end_turn(g, c);
	}
}

static void maybe_misc(struct gen *g);

static void emit_data(struct gen *g, struct conn *c, int w, uint32_t off,
		      uint32_t len, enum seg_kind kind, bool lost)
{
	struct side *s = &c->side[w];
	uint8_t fl = TH_ACK | (off + len == s->wr_end ? TH_PSH : 0);
	/* Client-side capture: a client segment lost on the path was
	 * captured; a lost server segment never reached the capture point. */
	bool cap = !(lost && w == SERVER) && !rchance(&g->r, g->o.gap);
	uint64_t fr = emit_tcp(g, c, w, fl, off, len, NULL, cap);
	log_seg(g, c, w, fr, off, len, kind, lost);
	g->segs++;
	s->t_lastdata = g->now;
	s->t_ready = g->now + rrange(&g->r, 3, 30);
	if (!lost)
		deliver(g, c, w, off, kind != SEG_NEW);
}

static void conn_step(struct gen *g, struct conn *c)
{
	struct rng *r = &g->r;
	struct side *s = &c->side[c->writer];
	if (c->ev == EV_SCRIPT) {
		const struct step *st = &c->script[c->iscript++];
		struct side *me = &c->side[st->from];
		if (st->flags & TH_SYN && !(st->flags & TH_ACK)) {
			c->id = ++g->conns_started;
			if (g->have_truth)
				truth_conn(g, c, g->frames + 1);
		}
		emit_tcp(g, c, st->from, st->flags, me->snd_nxt, 0, NULL, true);
		if (st->flags & TH_FIN)
			me->fin = true;
		if (c->iscript < c->nscript) {
			const struct step *nx = &c->script[c->iscript];
			c->t_script = g->now + react(g, c, nx->from, st->from);
			if (nx->app_delay)
				c->t_script += rlog(r, 50, 6);
		} else if (c->closing || (st->flags & TH_RST)) {
			c->phase = PH_DONE;
		} else {
			c->phase = PH_DATA;
			start_turn(g, c, CLIENT, g->now + rlog(r, 10, 5));
		}
	} else if (c->ev == EV_ACK) {
		struct pack a = s->pq[s->pq_head];
		s->pq_head = (s->pq_head + 1) % MAX_PACKS;
		s->pq_len--;
		uint32_t inflight = s->snd_nxt - s->snd_una;
		emit_tcp(g, c, 1 - c->writer, TH_ACK,
			 c->side[1 - c->writer].snd_nxt, 0, &a, true);
		if (a.ack > s->snd_una)
			s->snd_una = a.ack > s->wr_end ? s->wr_end : a.ack;
		if (inflight + (uint32_t)s->mss > c->cwnd) { /* ACK clocking */
			uint64_t t =
			    g->now + react(g, c, c->writer, 1 - c->writer);
			if (t > s->t_ready)
				s->t_ready = t;
		}
	} else if (c->ev == EV_RESEND) {
		struct span sp = s->rsq[0];
		span_remove(s->rsq, &s->nrsq, 0);
		emit_data(g, c, c->writer, sp.off, sp.len, sp.kind, false);
	} else {
		uint32_t mss = (uint32_t)(s->mss - TS_OPT_LEN);
		uint32_t off = s->snd_nxt, len = s->wr_end - off;
		bool room = s->nhole < MAX_HOLES && s->nrsq < MAX_RESEND;
		if (len > mss)
			len = mss;
		if (room && len < s->wr_end - off && rchance(r, g->o.reorder)) {
			/* hold this segment back; the next goes first */
			struct span h = {off, len, g->now, SEG_OOO};
			span_insert(s->hole, &s->nhole, h, false);
			span_insert(s->rsq, &s->nrsq, h, true);
			off += len;
			len = s->wr_end - off > mss ? mss : s->wr_end - off;
			room = s->nhole < MAX_HOLES && s->nrsq < MAX_RESEND;
		}
		s->snd_nxt = off + len;
		s->snd_max = s->snd_nxt;
		bool lost = room && rchance(r, g->o.loss);
		if (lost) { /* resent about when the dup ACKs arrive */
			struct span h = {off, len, g->now + 2 * c->rtt + 200,
					 SEG_RETX};
			span_insert(s->hole, &s->nhole, h, false);
			span_insert(s->rsq, &s->nrsq, h, true);
		} else if (room && rchance(r, g->o.retrans)) {
			struct span h = {off, len, g->now + 3 * c->rtt + 1000,
					 SEG_RETX};
			span_insert(s->rsq, &s->nrsq, h, true);
		}
		emit_data(g, c, c->writer, off, len, SEG_NEW, lost);
	}
	maybe_misc(g);
}

/* ---- ARP and UDP ---- */

static void emit_udp(struct gen *g, const uint8_t *smac, const uint8_t *sip,
		     uint16_t sport, const uint8_t *dmac, const uint8_t *dip,
		     uint16_t dport, uint16_t ipid, const uint8_t *pay,
		     uint32_t len)
{
	uint32_t l4 = 8 + len, n = 14 + 20 + l4;
	uint8_t *f = rec_begin(g, g->now, n);
	uint8_t *ip = put_eth(f, dmac, smac, 0x0800);
	uint64_t ps = put_ip(ip, false, sip, dip, 17, l4, ipid, 0);
	uint8_t *u = ip + 20;
	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, (uint16_t)l4);
	memset(u + 6, 0, 2);
	memcpy(u + 8, pay, len);
	uint16_t cs = csum_fold(csum_add(ps, u, l4));
	if (!cs)
		cs = 0xffff;
	memcpy(u + 6, &cs, 2);
}

static void emit_arp(struct gen *g, const struct misc *m, bool reply)
{
	uint8_t cm[6], ca[16], sm[6], sa[16];
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	client_host(m->a, false, cm, ca);
	server_host(m->b, false, sm, sa);
	uint8_t *f = rec_begin(g, g->now, 42);
	uint8_t *p = put_eth(f, reply ? cm : bcast, reply ? sm : cm, 0x0806);
	put16(p, 1);
	put16(p + 2, 0x0800);
	p[4] = 6, p[5] = 4;
	put16(p + 6, reply ? 2 : 1);
	memcpy(p + 8, reply ? sm : cm, 6);
	memcpy(p + 14, reply ? sa : ca, 4);
	if (reply)
		memcpy(p + 18, cm, 6);
	else
		memset(p + 18, 0, 6);
	memcpy(p + 24, reply ? ca : sa, 4);
}

/* A DNS A query for h<name>.svc.example.net, or its answer. */
static uint32_t dns_msg(const struct misc *m, bool resp, uint8_t *p)
{
	uint8_t *q = p + 12;
	char label[16];
	int ln = snprintf(label, sizeof label, "h%" PRIu32, m->name);
	put16(p, m->dnsid);
	put16(p + 2, resp ? 0x8180 : 0x0100);
	put16(p + 4, 1);
	put16(p + 6, resp ? 1 : 0);
	memset(p + 8, 0, 4);
	*q++ = (uint8_t)ln;
	memcpy(q, label, (size_t)ln);
	q += ln;
	memcpy(q, "\3svc\7example\3net\0\0\1\0\1", 21);
	q += 21;
	if (resp) {
		static const uint8_t an[12] = {0xc0, 0x0c, 0, 1,  0, 1,
					       0,    0,	   1, 44, 0, 4};
		memcpy(q, an, 12);
		q += 12;
		uint8_t a[4] = {10, 3, (uint8_t)(m->name >> 8),
				(uint8_t)m->name};
		memcpy(q, a, 4);
		q += 4;
	}
	return (uint32_t)(q - p);
}

static void misc_step(struct gen *g, struct misc *m)
{
	uint8_t cm[6], ca[16], sm[6], sa[16], pay[512];
	bool back = m->step == 1;
	client_host(m->a, false, cm, ca);
	if (m->kind == MISC_ARP) {
		emit_arp(g, m, back);
	} else if (m->kind == MISC_DNS) {
		static const uint8_t dmac[6] = {0x02, 0x01, 10, 2, 0, 53};
		static const uint8_t dip[4] = {10, 2, 0, 53};
		uint32_t n = dns_msg(m, back, pay);
		if (back)
			emit_udp(g, dmac, dip, 53, cm, ca, m->sport,
				 (uint16_t)rnext(&g->r), pay, n);
		else
			emit_udp(g, cm, ca, m->sport, dmac, dip, 53,
				 g->ipid_next[m->a]++, pay, n);
	} else {
		uint32_t n = 0;
		server_host(m->b, false, sm, sa);
		for (unsigned i = 0; i < m->lp_n; i++) {
			uint32_t pl = m->lp_len[i] - 4;
			pay[n++] = (uint8_t)pl;
			pay[n++] = (uint8_t)(pl >> 8);
			pay[n++] = 0;
			pay[n++] = 0;
			memcpy(pay + n, g->pat + (rnext(&g->r) & PAT_MASK), pl);
			n += pl;
		}
		if (back)
			emit_udp(g, sm, sa, LP_UDP_PORT, cm, ca, m->sport,
				 (uint16_t)rnext(&g->r), pay, n);
		else
			emit_udp(g, cm, ca, m->sport, sm, sa, LP_UDP_PORT,
				 g->ipid_next[m->a]++, pay, n);
	}
	m->step++;
}

/* ---- the event heap ---- */

static bool slot_before(const struct gen *g, uint32_t a, uint32_t b)
{
	return g->key[a] < g->key[b] || (g->key[a] == g->key[b] && a < b);
}

static void heap_swap(struct gen *g, unsigned i, unsigned j)
{
	uint32_t a = g->heap[i], b = g->heap[j];
	g->heap[i] = b;
	g->heap[j] = a;
	g->pos[b] = i;
	g->pos[a] = j;
}

static void heap_up(struct gen *g, unsigned i)
{
	while (i && slot_before(g, g->heap[i], g->heap[(i - 1) / 2])) {
		heap_swap(g, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct gen *g, unsigned i)
{
	for (;;) {
		unsigned l = 2 * i + 1, m = i;
		if (l < g->nslot && slot_before(g, g->heap[l], g->heap[m]))
			m = l;
		if (l + 1 < g->nslot &&
		    slot_before(g, g->heap[l + 1], g->heap[m]))
			m = l + 1;
		if (m == i)
			return;
		heap_swap(g, i, m);
		i = m;
	}
}

static void maybe_misc(struct gen *g)
{
	struct rng *r = &g->r;
	uint32_t x = rbelow(r, 100000);
	enum misc_kind kind = x < 250	 ? MISC_ARP
			      : x < 1350 ? MISC_DNS
			      : x < 2000 ? MISC_LP
					 : MISC_IDLE;
	if (kind == MISC_IDLE)
		return;
	struct misc *m = NULL;
	for (unsigned i = 0; i < NMISC && !m; i++)
		if (g->misc[i].kind == MISC_IDLE)
			m = &g->misc[i];
	if (!m) {
		g->misc_skipped++;
		return;
	}
	*m = (struct misc){.kind = kind};
	m->a = rbelow(r, NCLIENTS);
	m->b = rbelow(r, NSERVERS);
	/* a range tshark leaves alone (not traceroute's 33434-33534, nor
	 * the exchange feeds registered around 56000-59533) */
	m->sport = (uint16_t)rrange(r, 50000, 53999);
	m->dnsid = (uint16_t)rnext(r);
	m->name = rbelow(r, 65536);
	m->nsteps = 2;
	if (kind == MISC_LP) {
		m->lp_n = rrange(r, 1, 3);
		for (unsigned i = 0; i < m->lp_n; i++)
			m->lp_len[i] = rrange(r, 5, 120);
		m->nsteps = rbelow(r, 10) < 4 ? 2 : 1;
	}
	uint32_t slot = g->nconn + (uint32_t)(m - g->misc);
	g->key[slot] = g->now + rrange(r, 1, 50);
	heap_up(g, g->pos[slot]);
}

/* ---- profiles ---- */

static void run_mixed(struct gen *g)
{
	struct rng *r = &g->r;
	g->nconn = g->o.conc;
	g->nslot = g->nconn + NMISC;
	g->conn = calloc(g->nconn, sizeof *g->conn);
	g->key = calloc(g->nslot, sizeof *g->key);
	g->heap = calloc(g->nslot, sizeof *g->heap);
	g->pos = calloc(g->nslot, sizeof *g->pos);
	if (!g->conn || !g->key || !g->heap || !g->pos) {
		fprintf(stderr, "synthcap: out of memory\n");
		exit(1);
	}
	for (unsigned i = 0; i < NCLIENTS; i++) {
		g->port_next[i] = (uint16_t)rrange(r, 32768, 60999);
		g->ipid_next[i] = (uint16_t)rnext(r);
	}
	for (unsigned i = 0; i < g->nslot; i++) {
		g->heap[i] = g->pos[i] = i;
		if (i < g->nconn) {
			start_conn(g, &g->conn[i], rrange(r, 0, 5000));
			g->key[i] = conn_plan(g, &g->conn[i]);
		} else {
			g->key[i] = UINT64_MAX;
		}
	}
	for (unsigned i = g->nslot; i-- > 0;)
		heap_down(g, i);
	while (g->frames < g->o.packets && !g->pcap.err) {
		uint32_t slot = g->heap[0];
		if (g->key[slot] > g->now)
			g->now = g->key[slot];
		if (slot < g->nconn) {
			struct conn *c = &g->conn[slot];
			conn_step(g, c);
			if (c->phase == PH_DONE)
				start_conn(g, c, g->now + rlog(r, 20, 8));
			g->key[slot] = conn_plan(g, c);
		} else {
			struct misc *m = &g->misc[slot - g->nconn];
			misc_step(g, m);
			if (m->step < m->nsteps) {
				g->key[slot] =
				    g->now + (m->kind == MISC_ARP
						  ? rrange(r, 20, 300)
						  : rlog(r, 100, 6));
			} else {
				m->kind = MISC_IDLE;
				g->key[slot] = UINT64_MAX;
			}
		}
		heap_down(g, 0);
	}
	for (unsigned i = 0; i < g->nconn; i++) {
		struct conn *c = &g->conn[i];
		if (c->phase == PH_DATA && !c->next_decided)
			truth_msgs(g, c);
		free(c->log);
	}
	free(g->conn);
	free(g->key);
	free(g->heap);
	free(g->pos);
}

/* N SYNs to one server port, each from its own (address, port) in
 * 100.64.0.0/10; about one in a thousand is answered with a SYN-ACK, which
 * the spoofed source never acknowledges. */
static void run_synflood(struct gen *g)
{
	struct rng *r = &g->r;
	static const uint8_t smac[6] = {0x02, 0x01, 10, 2, 0, 10};
	static const uint8_t gw[6] = {0x02, 0x00, 0, 0, 0, 1};
	const uint8_t sip[4] = {10, 2, 0, 10};
	const uint16_t dport = 8888;
	struct conn c;
	memset(&c, 0, sizeof c);
	for (uint64_t i = 0; i < g->o.packets && !g->pcap.err; i++) {
		/* distinct tuples: 32 ports per address, 2^22 addresses */
		uint32_t hostn = (uint32_t)(i >> 5) % ((1u << 22) - 2),
			 k = i & 31;
		uint32_t a = (100u << 24 | 64u << 16) + hostn + 1;
		uint8_t cip[4] = {(uint8_t)(a >> 24), (uint8_t)(a >> 16),
				  (uint8_t)(a >> 8), (uint8_t)a};
		uint16_t sport =
		    (uint16_t)(1024 + (k * 2011 + (hostn % 1000)) % 64000);
		uint32_t seq = (uint32_t)rnext(r);
		g->now += rrange(r, 0, 2);
		uint8_t *f = rec_begin(g, g->now, 54);
		uint8_t *ip = put_eth(f, smac, gw, 0x0800);
		uint64_t ps =
		    put_ip(ip, false, cip, sip, 6, 20, (uint16_t)rnext(r), 0);
		uint8_t *t = ip + 20;
		put16(t, sport);
		put16(t + 2, dport);
		put32(t + 4, seq);
		put32(t + 8, 0);
		put16(t + 12, 5 << 12 | TH_SYN);
		put16(t + 14, 1024);
		memset(t + 16, 0, 4);
		uint16_t cs = csum_fold(csum_add(ps, t, 20));
		memcpy(t + 16, &cs, 2);
		if (rbelow(r, 1000))
			continue;
		/* answer it: reuse the connection emitter for the SYN-ACK */
		struct side *cl = &c.side[CLIENT], *sv = &c.side[SERVER];
		memcpy(cl->mac, gw, 6);
		memset(cl->addr, 0, 16);
		memcpy(cl->addr, cip, 4);
		cl->port = sport;
		cl->isn = seq;
		memcpy(sv->mac, smac, 6);
		memset(sv->addr, 0, 16);
		memcpy(sv->addr, sip, 4);
		sv->port = dport;
		sv->isn = (uint32_t)rnext(r);
		sv->mss = 1460;
		sv->wscale = 7;
		sv->ts_off = (uint32_t)rnext(r);
		g->now += rrange(r, 5, 40);
		emit_tcp(g, &c, SERVER, TH_SYN | TH_ACK, 0, 0, NULL, true);
		g->answered++;
	}
}

/* ---- command line ---- */

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: synthcap [--packets N] [--seed S] [--truth FILE]\n"
	    "                [--profile mixed|synflood] [--concurrency K]\n"
	    "                [--v6 P] [--reorder P] [--retrans P] [--loss P]\n"
	    "                [--gap P] [--framing F] [-v] OUT.pcap\n"
	    "Writes a deterministic synthetic capture (OUT - = stdout).\n"
	    "mixed: N packets of interleaved TCP connections (length-\n"
	    "prefixed messages), ARP and UDP. synflood: N SYNs to one port.\n"
	    "P options are probabilities per data segment (default 0).\n"
	    "F: u32le (default), u32be, u16le, u16be, varint, line, "
	    "jsonhdr.\n");
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;
	if (!s)
		return false;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-')
		return false;
	*v = x;
	return true;
}

static bool parse_p(const char *s, double *v)
{
	char *end;
	if (!s)
		return false;
	double x = strtod(s, &end);
	if (end == s || *end || !(x >= 0 && x <= 1))
		return false;
	*v = x;
	return true;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){.packets = 100000, .seed = 1, .conc = 64, .v6 = 0.1};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t u;
		bool ok = true, takes = true;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			o->verbose = true;
			takes = false;
		} else if (!strcmp(a, "--packets") || !strcmp(a, "-n")) {
			ok = parse_u64(v, &o->packets);
		} else if (!strcmp(a, "--seed")) {
			ok = parse_u64(v, &o->seed);
		} else if (!strcmp(a, "--truth")) {
			ok = v != NULL;
			o->truth = v;
		} else if (!strcmp(a, "--concurrency")) {
			ok = parse_u64(v, &u) && u >= 1 && u <= MAX_CONC;
			if (ok)
				o->conc = (unsigned)u;
		} else if (!strcmp(a, "--profile")) {
			if (v && !strcmp(v, "mixed"))
				o->profile = PROF_MIXED;
			else if (v && !strcmp(v, "synflood"))
				o->profile = PROF_SYNFLOOD;
			else
				ok = false;
		} else if (!strcmp(a, "--v6")) {
			ok = parse_p(v, &o->v6);
		} else if (!strcmp(a, "--reorder")) {
			ok = parse_p(v, &o->reorder);
		} else if (!strcmp(a, "--retrans")) {
			ok = parse_p(v, &o->retrans);
		} else if (!strcmp(a, "--loss")) {
			ok = parse_p(v, &o->loss);
		} else if (!strcmp(a, "--gap")) {
			ok = parse_p(v, &o->gap);
		} else if (!strcmp(a, "--framing")) {
			ok = false;
			for (int f = 0; v && f < SF_COUNT; f++)
				if (!strcmp(v, sframing_names[f])) {
					o->framing = (enum sframing)f;
					ok = true;
				}
		} else if (a[0] == '-' && a[1]) {
			ok = false;
		} else if (!o->out) {
			o->out = a;
			takes = false;
		} else {
			ok = false;
		}
		if (!ok) {
			fprintf(stderr, "synthcap: bad argument '%s%s%s'\n", a,
				v && takes ? " " : "", v && takes ? v : "");
			usage(stderr);
			return 2;
		}
		i += takes;
	}
	if (!o->out) {
		usage(stderr);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct gen g; /* large (pattern); one per process */
	int rc = parse_args(argc, argv, &g.o);
	if (rc)
		return rc;
	FILE *out = strcmp(g.o.out, "-") ? fopen(g.o.out, "wb") : stdout;
	if (!out) {
		fprintf(stderr, "synthcap: %s: %s\n", g.o.out, strerror(errno));
		return 1;
	}
	FILE *tf = NULL;
	if (g.o.truth) {
		tf = fopen(g.o.truth, "w");
		if (!tf) {
			fprintf(stderr, "synthcap: %s: %s\n", g.o.truth,
				strerror(errno));
			if (out != stdout)
				fclose(out);
			return 1;
		}
		g.have_truth = true;
		ob_init(&g.truth, tf, OBUF_TRUTH);
	}
	ob_init(&g.pcap, out, OBUF_PCAP);
	uint64_t x = g.o.seed;
	for (int i = 0; i < 4; i++)
		g.r.s[i] = splitmix(&x);
	static const char text[] = "abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ";
	for (unsigned i = 0; i < PAT_SIZE; i++)
		g.pat[i] = g.pat[i + PAT_SIZE] =
		    (uint8_t)text[rbelow(&g.r, sizeof text - 1)];
	/* pcap file header, host byte order: magic, 2.4, zone, sigfigs,
	 * snaplen, LINKTYPE_ETHERNET */
	uint8_t *h = ob_reserve(&g.pcap, 24);
	const uint32_t magic = 0xa1b2c3d4, tail[4] = {0, 0, PCAP_SNAPLEN, 1};
	const uint16_t ver[2] = {2, 4};
	memcpy(h, &magic, 4);
	memcpy(h + 4, ver, 4);
	memcpy(h + 8, tail, 16);
	g.pcap.len += 24;
	g.bytes = 24;

	clock_t t0 = clock();
	if (g.o.profile == PROF_MIXED)
		run_mixed(&g);
	else
		run_synflood(&g);
	if (g.have_truth) {
		struct obuf *o = &g.truth;
		ob_str(o, "{\"type\":\"summary\",\"profile\":\"");
		ob_str(o, g.o.profile == PROF_MIXED ? "mixed" : "synflood");
		ob_str(o, "\",\"framing\":\"");
		ob_str(o, sframing_names[g.o.framing]);
		ob_str(o, "\",\"seed\":");
		ob_u64(o, g.o.seed);
		ob_str(o, ",\"frames\":");
		ob_u64(o, g.frames);
		ob_str(o, ",\"conns\":");
		ob_u64(o, g.conns_started);
		ob_str(o, ",\"msgs\":");
		ob_u64(o, g.msgs);
		ob_str(o, ",\"segs\":");
		ob_u64(o, g.segs);
		ob_str(o, ",\"synack\":");
		ob_u64(o, g.answered);
		ob_str(o, "}\n");
		ob_flush(o);
		if (o->err || fclose(tf)) {
			fprintf(stderr, "synthcap: %s: write failed\n",
				g.o.truth);
			rc = 1;
		}
		free(o->buf);
	}
	ob_flush(&g.pcap);
	if (g.pcap.err || (out == stdout ? fflush(out) : fclose(out))) {
		fprintf(stderr, "synthcap: %s: write failed\n", g.o.out);
		rc = 1;
	}
	free(g.pcap.buf);
	if (g.o.verbose)
		fprintf(stderr,
			"synthcap: %" PRIu64 " frames, %" PRIu64
			" bytes, %" PRIu64 " conns, %" PRIu64
			" msgs, %.3f s span, %.2f s CPU\n",
			g.frames, g.bytes, g.conns_started, g.msgs,
			(double)g.now / 1e6,
			(double)(clock() - t0) / CLOCKS_PER_SEC);
	return rc;
}
