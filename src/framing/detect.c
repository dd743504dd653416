/*
 * Framing auto-detection (netlab/detect.h): run every candidate framer
 * over a direction's first bytes, from scratch, and keep the one that
 * explains them best.
 *
 * Three kinds of evidence, strongest first:
 *  - a signature: an HTTP/1.x request or status line, a TLS record header
 *    (type 20..24, version 3.x, sane length), a u32le length followed by a
 *    JSON object with a size. By chance these are one in millions: one is
 *    enough.
 *  - the peer's framing, when it explains this direction too.
 *  - message ends that fall where the sender stopped: segment ends (with
 *    PSH, when the sender sets it) and the end of the turn. This is the
 *    only evidence for line and the length prefixes, and it is weak for
 *    small lengths: a u8 or varint reading of random bytes yields many
 *    short messages, some of which end at segment ends by chance. So a
 *    candidate must end messages at at least half the PSH segment ends it
 *    covers (an end right after a header, where a sender wrote the header
 *    on its own, counts neither way), at twice the rate chance would
 *    (messages / bytes per segment end), and, once the turn is over,
 *    exactly at its end; candidates are ranked by hits beyond chance, so
 *    u32be beats u16be and u8 on "\0\0\0\x1d…" (fewer, longer messages
 *    explain the same ends).
 *
 * Work: each run stops at its first error and skips bodies in bulk, so a
 * run costs its headers (and memchr for line); mid-stream, each segment
 * start is one more alignment. Everything lives on the stack.
 */
#include <string.h>

#include "framing_internal.h"
#include "netlab/detect.h"

#define MAX_ENDS   NL_DETECT_MAX_SEGS
#define MAX_STARTS (NL_DETECT_MAX_SEGS + 2)
#define RUN_MSGS   512	      /* messages counted per run: enough to judge */
#define BIT	   16	      /* scores are in 1/16 bits of surprise */
#define MIN_BITS   (12 * BIT) /* what a length framing must explain */

enum cls {
	C_HTTP,
	C_TLS,
	C_JSON,
	C_LINE,
	C_WEAK, /* length prefixes, varint */
};

struct cand {
	struct nl_framing_spec spec;
	enum cls cls;
};

/* In order of specificity: ties go to the first. */
static const struct cand cands[] = {
    {{.kind = NL_FRAMING_HTTP}, C_HTTP},
    {{.kind = NL_FRAMING_TLS}, C_TLS},
    {{.kind = NL_FRAMING_JSONHDR}, C_JSON},
    {{.kind = NL_FRAMING_LINE}, C_LINE},
    {{.kind = NL_FRAMING_LENPREFIX, .len_size = 4}, C_WEAK},
    {{.kind = NL_FRAMING_LENPREFIX, .len_size = 4, .big_endian = true}, C_WEAK},
    {{.kind = NL_FRAMING_LENPREFIX, .len_size = 2}, C_WEAK},
    {{.kind = NL_FRAMING_LENPREFIX, .len_size = 2, .big_endian = true}, C_WEAK},
    {{.kind = NL_FRAMING_LENPREFIX, .len_size = 8}, C_WEAK},
    {{.kind = NL_FRAMING_LENPREFIX, .len_size = 8, .big_endian = true}, C_WEAK},
    {{.kind = NL_FRAMING_LENPREFIX, .len_size = 1}, C_WEAK},
    {{.kind = NL_FRAMING_VARINT}, C_WEAK},
};
#define N_CANDS (sizeof(cands) / sizeof(cands[0]))

/* Where the sender stopped: segment ends, sorted, with PSH. */
struct ends {
	uint32_t at[MAX_ENDS];
	bool push[MAX_ENDS];
	uint32_t n;
	bool any_push;
};

/* One candidate run from one alignment. */
struct run {
	uint32_t start;
	uint32_t msgs;		       /* complete messages */
	uint32_t empty;		       /* of which header only (no body) */
	uint32_t hdr_bytes, hdr_zeros; /* their headers, and zero bytes there */
	uint32_t hits;		       /* segment ends where a message ends */
	uint32_t ends; /* segment ends up to the last message end */
	uint32_t push_ends, push_hits; /* the same, PSH ends only */
	uint32_t tail_push; /* PSH ends inside the unfinished last message */
	uint64_t covered;   /* bytes up to the last message end */
	bool error;
	bool partial;	/* bytes after the last message end */
	bool capped;	/* stopped at RUN_MSGS */
	bool sig;	/* signature: the first header is valid */
	bool json_open; /* jsonhdr: a long JSON header valid so far */
	bool viable;
	bool by_lengths; /* viable on its length fields, not its PSH ends */
	int64_t score; /* bits of surprise (BIT): higher is less chance */
};

static bool same_spec(const struct nl_framing_spec *a,
		      const struct nl_framing_spec *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind != NL_FRAMING_LENPREFIX)
		return true;
	return a->len_size == b->len_size && a->big_endian == b->big_endian &&
	       a->len_offset == b->len_offset && a->adjust == b->adjust;
}

static void collect_ends(const struct nl_detect_input *in, struct ends *e)
{
	e->n = 0;
	e->any_push = false;
	uint32_t n = in->n_segs < MAX_ENDS ? in->n_segs : MAX_ENDS;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t at = in->segs[i].end;
		bool push = in->segs[i].push;
		if (at == 0 || at > in->len)
			continue;
		/* insert sorted; the same end twice: one end */
		uint32_t k = 0;
		while (k < e->n && e->at[k] < at)
			k++;
		if (k < e->n && e->at[k] == at) {
			e->push[k] |= push;
		} else {
			memmove(e->at + k + 1, e->at + k,
				(e->n - k) * sizeof(e->at[0]));
			memmove(e->push + k + 1, e->push + k,
				(e->n - k) * sizeof(e->push[0]));
			e->at[k] = at;
			e->push[k] = push;
			e->n++;
		}
		e->any_push |= push;
	}
}

static uint32_t count_zeros(const uint8_t *p, uint32_t n);

/* One message of a run, ending at `end`: count it and the segment ends up
 * to it (from *k on). False when the run is to stop. */
static inline bool run_message(const struct nl_detect_input *in,
			       const struct ends *e, uint32_t *k,
			       const struct nl_frame *fr, uint32_t end,
			       struct run *r)
{
	/* where the message starts in the prefix (fr->start counts from the
	 * run's start when the framer reported it, from the prefix's when the
	 * whole-message path did) */
	uint32_t first = end - (uint32_t)fr->len;
	r->msgs++;
	r->empty += fr->len == fr->header_len;
	r->hdr_bytes += fr->header_len;
	r->hdr_zeros += count_zeros(in->buf + first,
				    fr->header_len < 16 ? fr->header_len : 16);
	/* a segment end right after the header of a message with a body:
	 * the sender wrote the header on its own (write(header), then
	 * write(body)), which says nothing for the framing or against it */
	uint32_t hdr_end = fr->len > fr->header_len ? first + fr->header_len
						    : UINT32_MAX;
	while (*k < e->n && e->at[*k] < end) {
		if (e->at[*k] != hdr_end) {
			r->ends++;
			r->push_ends += e->push[*k];
		}
		(*k)++;
	}
	if (*k < e->n && e->at[*k] == end) {
		r->ends++;
		r->hits++;
		r->push_ends += e->push[*k];
		r->push_hits += e->push[*k];
		(*k)++;
	}
	if (r->msgs >= 64 && 4 * (r->msgs - r->empty) < r->msgs) {
		r->error = true; /* zeros read as lengths: see judge() */
		return false;
	}
	if (r->msgs >= RUN_MSGS) {
		r->capped = true;
		return false;
	}
	return true;
}

/* Feed buf[start, len) to a fresh framer; count messages and the segment
 * ends they hit. */
static void run_one(const struct nl_detect_input *in, const struct ends *e,
		    const struct nl_framing_spec *spec, uint32_t start,
		    struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->start = start;
	struct nl_framer f;
	if (nl_framer_init(&f, spec, in->max_message) != NL_OK) {
		r->error = true;
		return;
	}
	uint32_t k = 0; /* next segment end to compare */
	while (k < e->n && e->at[k] <= start)
		k++;
	size_t pos = start;
	uint32_t last = start;
	bool go = true;
	while (go && pos < in->len) {
		/* whole length-prefixed messages at once */
		uint32_t lens[32];
		unsigned nk;
		nl_framer_whole(&f, in->buf + pos, in->len - pos, lens, 32, &nk);
		for (unsigned i = 0; i < nk && go; i++) {
			struct nl_frame fr = {.start = pos,
					      .len = lens[i],
					      .header_len = f.hdr_need};
			pos += lens[i];
			last = (uint32_t)pos;
			go = run_message(in, e, &k, &fr, last, r);
		}
		if (nk || !go)
			continue;
		enum nl_frame_result res;
		struct nl_frame fr;
		pos +=
		    nl_framer_feed(&f, in->buf + pos, in->len - pos, &res, &fr);
		if (res == NL_FRAME_ERROR) {
			r->error = true;
			break;
		}
		if (res != NL_FRAME_MESSAGE)
			break;
		last = (uint32_t)pos;
		go = run_message(in, e, &k, &fr, last, r);
	}
	while (k < e->n && !r->error && !r->capped)
		r->tail_push += e->push[k++];
	r->covered = last - start;
	r->partial = last != in->len;
	switch (spec->kind) {
	case NL_FRAMING_HTTP:
		/* a later error may be another protocol after an upgrade */
		r->sig = r->msgs > 0 || (!r->error && nl_http_started(&f));
		break;
	case NL_FRAMING_TLS:
	case NL_FRAMING_JSONHDR:
		r->sig = !r->error && (r->msgs > 0 || f.state == NL_FR_BODY);
		r->json_open = spec->kind == NL_FRAMING_JSONHDR && !r->error &&
			       f.state == NL_FR_JSON && f.u.json.have >= 60;
		break;
	default:
		break;
	}
}

/* Word-at-a-time byte tests (8 bytes at once, exact per byte: no carry
 * crosses a byte): a call that judges line or a length framing scans the
 * whole prefix (struct scan). */
#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
#define LOWS  0x7f7f7f7f7f7f7f7full

static uint64_t load8(const uint8_t *p)
{
	uint64_t x;
	memcpy(&x, p, 8);
	return x;
}

/* High bit of each byte of x that is zero. */
static uint64_t zero_bytes(uint64_t x)
{
	return ~(((x & LOWS) + LOWS) | x) & HIGHS;
}

static uint32_t count_zeros(const uint8_t *p, uint32_t n)
{
	uint32_t z = 0, i = 0;
	for (; i + 8 <= n; i += 8)
		/* at most 8 ones, summed into the top byte */
		z += (uint32_t)(((zero_bytes(load8(p + i)) >> 7) * ONES) >> 56);
	for (; i < n; i++)
		z += !p[i];
	return z;
}

static bool binary_byte(uint8_t c)
{
	return (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f;
}

/* Printable text (UTF-8 bytes allowed) from the returned offset on: one
 * past the last binary byte. */
static uint32_t last_binary(const struct nl_detect_input *in)
{
	/* from the end: binary data stops the scan at once */
	uint32_t i = in->len;
	while (i >= 8) {
		uint64_t x = load8(in->buf + i - 8);
		/* bytes under 0x20 (high bit clear, low 7 bits < 0x20) and
		 * 0x7f; the word is looked at byte by byte only then (tab,
		 * CR, LF are text) */
		uint64_t ctl = ~(((x & LOWS) + 0x6060606060606060ull) | x) &
			       HIGHS;
		if (ctl | zero_bytes(x ^ LOWS))
			for (uint32_t k = i; k > i - 8; k--)
				if (binary_byte(in->buf[k - 1]))
					return k;
		i -= 8;
	}
	for (; i > 0; i--)
		if (binary_byte(in->buf[i - 1]))
			return i;
	return 0;
}

/* log2(x) in 1/16 bits (x >= 1), the mantissa interpolated linearly:
 * within 0.09 bits. */
static int64_t lg(uint64_t x)
{
	if (x < 1)
		x = 1;
	int m = 63 - __builtin_clzll(x);
	uint64_t frac = m >= 4 ? (x >> (m - 4)) & 15 : (x << (4 - m)) & 15;
	return (int64_t)m * BIT + (int64_t)frac;
}

/* Bytes needed to write v. */
static unsigned width(uint64_t v)
{
	unsigned n = 1;
	while (n < 8 && v >> (8 * n))
		n++;
	return n;
}

/* What line and the length framings need of the whole prefix, scanned
 * once per call and only when one of them is judged: where the text
 * begins, and the zero bytes from each alignment on. */
struct scan {
	const struct nl_detect_input *in;
	const uint32_t *starts;
	uint32_t n_starts;
	bool done;
	uint32_t text_from;
	uint32_t zeros[MAX_STARTS];
};

static void scan_prefix(struct scan *sc)
{
	if (sc->done)
		return;
	sc->done = true;
	sc->text_from = last_binary(sc->in);
	/* one pass from the end */
	for (uint32_t k = sc->n_starts; k-- > 0;) {
		uint32_t next =
		    k + 1 < sc->n_starts ? sc->starts[k + 1] : sc->in->len;
		uint32_t z = k + 1 < sc->n_starts ? sc->zeros[k + 1] : 0;
		if (next > sc->starts[k]) /* (buf is NULL when empty) */
			z += count_zeros(sc->in->buf + sc->starts[k],
					 next - sc->starts[k]);
		sc->zeros[k] = z;
	}
}

/*
 * Judge a run: viability and score, in bits of surprise: how unlikely
 * the run would be if the bytes were not this framing.
 *  - each hit is a message end landing on one given byte, which a chain
 *    of messages of mean length covered / msgs does with that odds;
 *  - each length field read has high bytes that must be zero for the
 *    length to fit the data: as likely as zero bytes are in the bodies
 *    (Laplace's estimate), so text bodies make them telling and sparse
 *    binary does not.
 * Line and the peer's framing are judged on hits alone: text with LF and
 * the peer's own choice are evidence enough.
 */
static void judge(const struct nl_detect_input *in, const struct ends *e,
		  const struct nl_framing_spec *spec, enum cls cls,
		  struct scan *sc, uint32_t k, bool peer, bool peer_needs_hit,
		  int64_t min_bits, bool final, struct run *r)
{
	bool ended = in->turn_ended || in->stream_ended;
	r->viable = false;
	if (cls == C_HTTP || cls == C_TLS || cls == C_JSON) {
		/* a JSON header longer than the prefix: a u32le length, '{'
		 * and 60 bytes of valid JSON are signature enough */
		r->viable = r->sig || (final && !ended && r->json_open);
		r->score = (int64_t)r->msgs * BIT;
		return;
	}
	if (r->error)
		return;
	if (ended && r->partial && !r->capped)
		return; /* the sender stopped inside a message */
	/* realigning after a gap (prior), or another connection's framing
	 * (hint), needs a message end on a segment end too: any alignment
	 * reads some plausible length */
	if (peer && (r->msgs || r->partial) && (!peer_needs_hit || r->hits)) {
		/* the other direction's framing reads a plausible length
		 * here: a first message longer than the prefix is no
		 * reason to doubt it */
		r->viable = true;
		r->score = (int64_t)(r->msgs + 1) * BIT;
		return;
	}
	if (r->hits == 0 &&
	    !(final && !ended && spec->kind == NL_FRAMING_LENPREFIX &&
	      r->msgs + r->partial >= 2))
		return; /* (a corked sender may end no segment on a message,
			   a long message may outlast the prefix) */
	int64_t per_hit = r->hits ? lg(r->covered) - lg(r->msgs) : 0;
	r->score = (int64_t)r->hits * per_hit;
	if (cls == C_LINE) {
		r->viable = true;
		return;
	}
	/* where the sender sets PSH, its ends are its send()s; the
	 * unfinished message may hold one (header and body sent apart) */
	uint32_t ends = e->any_push ? r->push_ends : r->ends;
	uint32_t hits = e->any_push ? r->push_hits : r->hits;
	if (e->any_push && r->tail_push > 1)
		ends += r->tail_push - 1;
	/* zeros read as lengths are empty messages: a stream of them
	 * carries nothing, a real one some data */
	if (4 * (r->msgs - r->empty) < r->msgs)
		return;
	int64_t zscore = 0;
	if (spec->kind == NL_FRAMING_LENPREFIX) {
		unsigned w = width(r->covered);
		uint64_t body = in->len - r->start - r->hdr_bytes;
		scan_prefix(sc);
		uint64_t bz = sc->zeros[k] - r->hdr_zeros;
		int64_t z = lg(body + 2) - lg(bz + 1); /* -log2 P(zero) */
		if (z > 8 * BIT)
			z = 8 * BIT;
		if (z > 0 && spec->len_size > w)
			zscore = (int64_t)r->msgs * (spec->len_size - w) * z;
		/* short messages in a long stream: each length's own high
		 * bytes are zero, where the bodies seldom hold one; at most
		 * len_size - 1 of each count (the low byte says nothing) */
		uint64_t hz = r->hdr_zeros;
		if (hz > (uint64_t)r->msgs * (spec->len_size - 1))
			hz = (uint64_t)r->msgs * (spec->len_size - 1);
		/* and the length of the message still going on */
		uint64_t at = (uint64_t)r->start + r->covered;
		if (r->partial && !spec->len_offset &&
		    at + spec->len_size <= in->len) {
			unsigned pz = 0;
			for (unsigned i = 0; i < spec->len_size; i++)
				pz += !in->buf[at + i];
			hz += pz < spec->len_size ? pz : spec->len_size - 1u;
		}
		if (z > 0 && (int64_t)hz * z > zscore)
			zscore = (int64_t)hz * z;
	}
	/* PSH ends missed by the message ends count against a framing,
	 * except where the sender corked or was held by Nagle or the MSS
	 * (its PSH then falls wherever a batch ended): a run that ends
	 * exactly where the turn or the stream did, with length fields
	 * far too telling for chance, is the framing all the same. */
	if (2 * hits < ends) {
		/* at the end of the turn it must end on a message end; with
		 * the prefix full (final, the turn going on) the lengths
		 * alone must do */
		if (!((ended ? !r->partial : final) &&
		      zscore >= 2 * min_bits))
			return;
		r->by_lengths = true;
	}
	r->score += zscore;
	r->viable = peer || r->score >= min_bits;
}

/* "1234" or "1234\r\n": a length announced as text. */
static bool digits_only(const uint8_t *p, uint32_t n)
{
	uint32_t d = 0;
	while (d < n && p[d] >= '0' && p[d] <= '9')
		d++;
	if (d == 0 || d > 19)
		return false;
	for (uint32_t i = d; i < n; i++)
		if (p[i] != '\r' && p[i] != '\n' && p[i] != ' ' && p[i] != '\t')
			return false;
	return true;
}

/* Better evidence first: a viable run beats none; signatures by order of
 * specificity, then line, then the length framings by surprise; ties to
 * the earlier candidate. */
static bool better(const struct run *a, enum cls ca, const struct run *b,
		   enum cls cb)
{
	if (a->viable != b->viable)
		return a->viable;
	if (ca != cb && (ca < C_WEAK || cb < C_WEAK))
		return ca < cb;
	return ca == C_WEAK && a->score > b->score;
}

static const char *why_of(const struct nl_detect_input *in, enum cls cls,
			  const struct run *r)
{
	switch (cls) {
	case C_HTTP:
		return in->len - r->start >= 5 &&
			       !memcmp(in->buf + r->start, "HTTP/", 5)
			   ? "HTTP status line"
			   : "HTTP request line";
	case C_TLS:
		return "TLS record header";
	case C_JSON:
		return "u32le length, then a JSON header with a size";
	case C_LINE:
		return "lines of text end at segment ends";
	default:
		return r->by_lengths
			   ? "length fields far too telling for chance (the "
			     "sender's PSH falls inside messages: corked or "
			     "batched)"
			   : "messages end at segment ends";
	}
}

/* Messages that confirm it: every whole message its lengths (or its
 * signature) cut out of the prefix. */
static uint32_t confirm_of(enum cls cls, const struct run *r)
{
	(void)cls;
	return r->msgs;
}

bool nl_framing_detect(const struct nl_detect_input *in_, bool final,
		       struct nl_detect_result *out)
{
	struct nl_detect_input in = *in_;
	memset(out, 0, sizeof(*out));
	if (!in.max_message)
		in.max_message = NL_FRAMING_DEFAULT_MAX_MESSAGE;
	if (in.len > NL_DETECT_MAX_BYTES)
		in.len = NL_DETECT_MAX_BYTES;

	/* length, then the peer's "ready", then the bytes: turns knows it */
	if (!in.midstream && in.len && in.peer_len && in.peer &&
	    digits_only(in.buf, in.len) &&
	    nl_fr_is_ready(in.peer, in.peer_len)) {
		out->spec.kind = NL_FRAMING_TURNS;
		out->confirm = 1;
		out->why = "a length, then the peer's ready";
		return true;
	}

	struct ends e;
	collect_ends(&in, &e);

	/* alignments: the start, and mid-stream each segment start */
	uint32_t starts[MAX_STARTS], n_starts = 0;
	starts[n_starts++] = 0;
	if (in.midstream) {
		uint32_t n = in.n_segs < MAX_ENDS ? in.n_segs : MAX_ENDS;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t s = in.segs[i].start;
			bool dup = s == 0 || s >= in.len;
			for (uint32_t k = 0; k < n_starts && !dup; k++)
				dup = starts[k] == s;
			if (!dup)
				starts[n_starts++] = s;
		}
		const uint8_t *lf = in.len ? memchr(in.buf, '\n', in.len) : 0;
		uint32_t s = lf ? (uint32_t)(lf - in.buf) + 1 : 0;
		bool dup = s == 0 || s >= in.len;
		for (uint32_t k = 0; k < n_starts && !dup; k++)
			dup = starts[k] == s;
		if (!dup)
			starts[n_starts++] = s;
	}

	/* the candidates, and the peer's framing if it is not one of them */
	struct cand list[N_CANDS + 1];
	uint32_t n_list = 0;
	int peer_at = -1;
	/* after a gap, the direction's own framing takes the peer's place */
	bool hinted = false;
	if (in.prior) {
		in.peer_spec = in.prior;
	} else if (!in.peer_spec && in.hint) {
		in.peer_spec = in.hint;
		hinted = true;
	}
	for (size_t i = 0; i < N_CANDS; i++) {
		list[n_list] = cands[i];
		if (in.peer_spec && same_spec(in.peer_spec, &cands[i].spec))
			peer_at = (int)n_list;
		n_list++;
	}
	if (in.peer_spec && peer_at < 0 &&
	    (in.peer_spec->kind == NL_FRAMING_LENPREFIX ||
	     in.peer_spec->kind == NL_FRAMING_VARINT)) {
		list[n_list].spec = *in.peer_spec;
		list[n_list].cls = C_WEAK;
		peer_at = (int)n_list++;
	}

	/* alignments in order (ties go to the earliest) */
	for (uint32_t k = 1; k < n_starts; k++)
		for (uint32_t j = k; j > 0 && starts[j - 1] > starts[j]; j--) {
			uint32_t t = starts[j];
			starts[j] = starts[j - 1];
			starts[j - 1] = t;
		}
	struct scan sc = {.in = &in, .starts = starts, .n_starts = n_starts};
	/* each alignment tried is one more chance to be fooled */
	int64_t min_bits = MIN_BITS + (n_starts > 1 ? lg(n_starts) : 0);

	struct run best[N_CANDS + 1];
	for (uint32_t c = 0; c < n_list; c++)
		memset(&best[c], 0, sizeof(best[c]));
	/* Before final, line and the length framings need 4 message ends
	 * on segment ends to win: with fewer segment ends in hand only a
	 * signature can decide, so when none is found the others are not
	 * run (the first attempt of most directions, at their first PSH).
	 * After a signature they still run, for the runner-up. */
	bool sig_only = !final && peer_at < 0 && e.n < 4;
	bool any_sig = false;
	/* the peer's framing first: when it explains these bytes it wins
	 * whatever else would, so the others need not be tried (the
	 * response direction of every request/response connection) */
	for (uint32_t i = 0; i < n_list; i++) {
		uint32_t c = peer_at < 0	  ? i
			     : i == 0		  ? (uint32_t)peer_at
			     : i <= (uint32_t)peer_at ? i - 1
						  : i;
		if (i == 1 && peer_at >= 0 && best[peer_at].viable)
			break;
		enum cls cls = list[c].cls;
		if (sig_only && cls > C_JSON && !any_sig)
			return false; /* the list is in class order */
		if (cls == C_LINE)
			scan_prefix(&sc);
		for (uint32_t k = 0; k < n_starts; k++) {
			uint32_t s = starts[k];
			if (cls == C_LINE &&
			    (s < sc.text_from ||
			     (in.midstream &&
			      (s == 0 || in.buf[s - 1] != '\n'))))
				continue;
			struct run r;
			run_one(&in, &e, &list[c].spec, s, &r);
			judge(&in, &e, &list[c].spec, cls, &sc, k,
			      (int)c == peer_at, in.prior || hinted, min_bits,
			      final, &r);
			if (r.viable &&
			    (!best[c].viable || r.score > best[c].score))
				best[c] = r;
			if (best[c].viable && cls <= C_JSON) {
				any_sig = true;
				break; /* the first aligned signature */
			}
		}
	}

	int win = -1, run_up = -1;
	if (peer_at >= 0 && best[peer_at].viable)
		win = peer_at;
	for (uint32_t c = 0; c < n_list; c++) {
		if (!best[c].viable || (int)c == win)
			continue;
		if (win < 0 ||
		    (win != peer_at && better(&best[c], list[c].cls, &best[win],
					      list[win].cls))) {
			run_up = win;
			win = (int)c;
		} else if (run_up < 0 ||
			   better(&best[c], list[c].cls, &best[run_up],
				  list[run_up].cls)) {
			run_up = (int)c;
		}
	}

	if (win < 0) {
		if (!final)
			return false;
		out->spec.kind =
		    in.peer_spoke ? NL_FRAMING_TURNS : NL_FRAMING_NONE;
		out->fallback = true;
		out->why = in.peer_spoke
			       ? "no framing explains it; the peer spoke"
			       : "no framing explains it";
		return true;
	}
	const struct run *w = &best[win];
	enum cls wc = list[win].cls;
	if (!final && wc > C_JSON && win != peer_at) {
		/* decide early only on plenty of evidence */
		if (w->hits < 4 || (run_up >= 0 && list[run_up].cls > C_JSON &&
				    2 * best[run_up].hits > w->hits))
			return false;
	}
	out->spec = list[win].spec;
	out->start = w->start;
	out->confirm = confirm_of(wc, w);
	out->why = win != peer_at ? why_of(&in, wc, w)
		   : in.prior	  ? "realigned after a gap"
		   : hinted ? "the framing of this server port's other "
			      "connections explains it too"
			    : "the peer's framing explains it too";
	if (run_up >= 0) {
		out->has_runner_up = true;
		out->runner_up = list[run_up].spec;
		out->runner_confirm =
		    confirm_of(list[run_up].cls, &best[run_up]);
	}
	return true;
}
