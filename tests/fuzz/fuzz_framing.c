/*
 * libFuzzer target: the framing SPEC parser and each resumable framer of
 * netlab/framing.h on a byte stream fed in chunks whose sizes come from the
 * input.
 *
 * Input: [spec selector][message size cap] then chunks of [size] + bytes.
 * A selector with the top bit set takes the SPEC text from the input (up to
 * a newline) to fuzz nl_framing_parse() as well. Selectors 0x40..0x5f
 * drive a framer the way the flow stage does (gaps, PSH, turns, the end
 * of the stream between chunks); 0x60..0x7f run nl_framing_detect() on the
 * bytes (see fuzz_detect()).
 *
 * Invariants: a feed consumes at most what it was given, and everything
 * when it asks for more; messages are contiguous, non-empty, end strictly
 * after the previous one and never beyond the bytes fed; the header fits in
 * the message; an error names a reason and a place already fed; the
 * canonical text of a parsed spec parses to the same spec; and the
 * boundaries do not depend on the chunking (the same stream fed in one
 * piece gives the same messages up to the first error). Driven framers:
 * every message, however it ended, starts where the last one ended (or at
 * the resync point) and ends at the framer's offset. Detection: always
 * decides when final, the same way twice, and only on a framing that a
 * framer can be made of.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netlab/detect.h"
#include "netlab/framing.h"

static const char *const specs[] = {
    "u8",
    "u16le",
    "u16be",
    "u32le",
    "u32be",
    "u64le",
    "u64be",
    "len:2:be,offset=3",
    "len:3:le,offset=1,adjust=-2",
    "len:4:be,adjust=4",
    "varint",
    "line",
    "jsonhdr",
    "len:1:le,offset=15",
    "tls",
    "http",
    "turns",
    "none",
};
#define N_SPECS	   (sizeof(specs) / sizeof(specs[0]))
#define MAX_BOUNDS 4096

static void die(const char *what, unsigned long long a, unsigned long long b)
{
	fprintf(stderr, "fuzz check failed: %s (%llu, %llu)\n", what, a, b);
	abort();
}

/* Feed stream bytes in the given chunks; record message ends up to the
 * first error. Returns the number of ends recorded. */
struct run {
	uint64_t ends[MAX_BOUNDS];
	size_t n_ends;
	bool error;
	uint64_t error_offset; /* stream bytes consumed when it failed */
};

static void feed_checked(struct nl_framer *f, const uint8_t *p, size_t n,
			 uint64_t *fed, uint64_t *consumed, struct run *run,
			 bool resync_after_error)
{
	*fed += n;
	size_t at = 0;
	unsigned guard = 0;
	while (at < n) {
		enum nl_frame_result res;
		struct nl_frame fr;
		uint64_t before = f->offset;
		size_t used = nl_framer_feed(f, p + at, n - at, &res, &fr);
		if (used > n - at)
			die("consumed more than given", used, n - at);
		if (f->offset != before + used)
			die("offset does not advance by bytes consumed",
			    f->offset, before + used);
		at += used;
		*consumed += used;
		if (res == NL_FRAME_MORE) {
			if (at != n)
				die("MORE without consuming everything", at, n);
			break;
		}
		if (res == NL_FRAME_MESSAGE) {
			uint64_t end = fr.start + fr.len;
			uint64_t prev =
			    run->n_ends ? run->ends[run->n_ends - 1] : 0;
			if (fr.len == 0)
				die("empty message", fr.start, fr.len);
			if (end != f->offset)
				die("message does not end where consumed", end,
				    f->offset);
			if (end > *fed)
				die("message ends beyond the bytes fed", end,
				    *fed);
			if (fr.header_len > fr.len)
				die("header longer than the message",
				    fr.header_len, fr.len);
			if (!run->error) {
				if (end <= prev)
					die("boundary not strictly increasing",
					    end, prev);
				if (fr.start != prev)
					die("message does not start at the "
					    "previous end",
					    fr.start, prev);
				if (run->n_ends < MAX_BOUNDS)
					run->ends[run->n_ends++] = end;
			}
			continue;
		}
		/* NL_FRAME_ERROR */
		if (!fr.error)
			die("error without a reason", fr.error_at, 0);
		if (fr.error_at > *fed)
			die("error beyond the bytes fed", fr.error_at, *fed);
		if (!f->failed)
			die("error but the framer is not failed", 0, 0);
		enum nl_frame_result r2;
		struct nl_frame fr2;
		if (nl_framer_feed(f, p + at, n - at, &r2, &fr2) != 0)
			die("a failed framer consumed bytes", 0, 0);
		if (!run->error) {
			run->error = true;
			run->error_offset = *consumed;
		}
		if (!resync_after_error)
			return;
		nl_framer_resync(f, *consumed);
		if (++guard > 100000)
			die("no progress after resync", at, n);
	}
}

/* A message reported by the framer (feed, skip, push, turn_end, end):
 * contiguous with the last one, ending at the framer's offset. */
static void check_msg(const struct nl_framer *f, const struct nl_frame *fr,
		      uint64_t *floor)
{
	if (fr->len == 0)
		die("empty message", fr->start, 0);
	if (fr->start != *floor)
		die("message does not start where the last ended", fr->start,
		    *floor);
	if (fr->start + fr->len != f->offset)
		die("message does not end at the offset", fr->start + fr->len,
		    f->offset);
	if (fr->header_len > fr->len)
		die("header longer than the message", fr->header_len, fr->len);
	*floor = fr->start + fr->len;
}

/* Chunks of [op][bytes]: the low 6 bits of op are the chunk size, the top
 * two what follows it: a gap of the next byte's size, a PSH and the peer's
 * turn (up to 8 bytes of it), or the end of the stream. */
static void drive(const struct nl_framing_spec *spec, uint64_t max,
		  const uint8_t *in, size_t size, size_t i)
{
	struct nl_framer f;
	if (nl_framer_init(&f, spec, max) != NL_OK)
		return;
	uint64_t floor = 0;
	while (i < size) {
		uint8_t op = in[i++];
		size_t n = op & 0x3f;
		if (n > size - i)
			n = size - i;
		uint8_t *chunk = malloc(n ? n : 1);
		if (!chunk)
			abort();
		memcpy(chunk, in + i, n);
		size_t at = 0;
		while (at < n) {
			enum nl_frame_result res;
			struct nl_frame fr;
			uint64_t before = f.offset;
			size_t used =
			    nl_framer_feed(&f, chunk + at, n - at, &res, &fr);
			if (used > n - at || f.offset != before + used)
				die("feed consumed badly", used, n - at);
			at += used;
			if (res == NL_FRAME_MESSAGE) {
				check_msg(&f, &fr, &floor);
			} else if (res == NL_FRAME_ERROR) {
				if (!fr.error || fr.error_at > f.offset)
					die("bad error", fr.error_at, f.offset);
				nl_framer_resync(&f, f.offset);
				floor = f.offset;
			} else if (at != n) {
				die("MORE without consuming everything", at, n);
			}
		}
		free(chunk);
		i += n;
		struct nl_frame fr;
		switch (op >> 6) {
		case 1:
			if (i < size) {
				uint64_t before = f.offset, gap = in[i++];
				bool in_step = nl_framer_skip(&f, gap);
				if (f.offset != before + gap)
					die("skip moved the offset wrongly",
					    f.offset, before + gap);
				if (!in_step) {
					nl_framer_resync(&f, f.offset);
					floor = f.offset;
				} else {
					/* a gap may end the message */
					enum nl_frame_result res;
					if (nl_framer_feed(&f, NULL, 0, &res,
							   &fr) != 0)
						die("empty feed consumed", 0,
						    0);
					if (res == NL_FRAME_MESSAGE)
						check_msg(&f, &fr, &floor);
				}
			}
			break;
		case 2: {
			size_t k = size - i < 8 ? size - i : 8;
			if (nl_framer_push(&f, &fr))
				check_msg(&f, &fr, &floor);
			if (nl_framer_turn_end(&f, in + i, k, &fr))
				check_msg(&f, &fr, &floor);
			if (nl_framer_msg_len(&f) && !nl_framer_pending(&f) &&
			    f.spec.kind == NL_FRAMING_TURNS)
				die("announced length already complete", 0, 0);
			break;
		}
		case 3:
			if (nl_framer_end(&f, &fr))
				check_msg(&f, &fr, &floor);
			if (nl_framer_end(&f, &fr))
				die("the end ended two messages", 0, 0);
			break;
		default:
			break;
		}
	}
	nl_framer_free(&f);
}

/*
 * Detection: [0x60|flags][peer spec selector][segment count] then that
 * many segment sizes (top bit: PSH), then the bytes. Flags: midstream,
 * turn ended, stream ended, peer spoke, a peer spec. Segments may run past
 * the bytes (the detector must not trust them).
 */
static void fuzz_detect(const uint8_t *in, size_t size)
{
	if (size < 3)
		return;
	uint8_t fl = in[0];
	struct nl_framing_spec peer;
	char err[NL_ERRBUF_SIZE];
	bool have_peer = (fl & 0x10) && nl_framing_parse(specs[in[1] % N_SPECS],
							 &peer, err) == NL_OK;
	/* the framing learned on the server port */
	struct nl_framing_spec hint;
	bool have_hint =
	    (fl & 0x20) &&
	    nl_framing_parse(specs[(in[1] >> 4) % N_SPECS], &hint, err) ==
		NL_OK;
	size_t nseg = in[2] % (NL_DETECT_MAX_SEGS + 8);
	size_t i = 3;
	struct nl_detect_seg segs[NL_DETECT_MAX_SEGS + 8];
	uint32_t pos = 0;
	for (size_t k = 0; k < nseg; k++) {
		uint8_t b = i < size ? in[i++] : 1;
		segs[k].start = pos;
		segs[k].end = pos + (b & 0x7f) + 1;
		segs[k].push = b & 0x80;
		pos = segs[k].end;
	}
	size_t len = size - i;
	uint8_t *buf = malloc(len ? len : 1);
	if (!buf)
		abort();
	memcpy(buf, in + i, len);
	struct nl_detect_input din = {
	    .buf = buf,
	    .len = (uint32_t)len,
	    .segs = segs,
	    .n_segs = (uint32_t)nseg,
	    .midstream = fl & 0x01,
	    .turn_ended = fl & 0x02,
	    .stream_ended = fl & 0x04,
	    .peer_spoke = fl & 0x08,
	    .peer = len >= 5 ? buf + len - 5 : NULL,
	    .peer_len = len >= 5 ? 5 : 0,
	    .peer_spec = have_peer ? &peer : NULL,
	    .hint = have_hint ? &hint : NULL,
	    .max_message = (fl & 0x80) ? 1000 : 0,
	};
	struct nl_detect_result a, b;
	for (int final = 0; final < 2; final++) {
		bool da = nl_framing_detect(&din, final, &a);
		bool db = nl_framing_detect(&din, final, &b);
		if (da != db || (da && memcmp(&a, &b, sizeof(a))))
			die("detection is not a function of its input", da, db);
		if (final && !da)
			die("no decision when final", len, nseg);
		if (!da)
			continue;
		if (!a.why || a.spec.kind >= NL_FRAMING_KIND_COUNT ||
		    a.spec.kind == NL_FRAMING_AUTO)
			die("bad decision", a.spec.kind, 0);
		if (a.start > len || (a.start && !din.midstream))
			die("bad start", a.start, len);
		if (a.fallback && a.spec.kind != NL_FRAMING_TURNS &&
		    a.spec.kind != NL_FRAMING_NONE)
			die("fallback is not turns or none", a.spec.kind, 0);
		struct nl_framer f;
		if (nl_framer_init(&f, &a.spec, din.max_message) != NL_OK)
			die("detected a framing with no framer", a.spec.kind,
			    0);
		if (a.has_runner_up &&
		    nl_framer_init(&f, &a.runner_up, 0) != NL_OK)
			die("runner-up with no framer", a.runner_up.kind, 0);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	if (size < 2 || size > 100000)
		return 0;
	if ((in[0] & 0xe0) == 0x60) {
		fuzz_detect(in, size);
		return 0;
	}
	static struct run chunked, whole;
	struct nl_framing_spec spec;
	char err[NL_ERRBUF_SIZE];
	size_t i = 1;
	if (in[0] & 0x80) {
		char text[80];
		size_t k = 0;
		while (i < size && in[i] != '\n' && k < sizeof(text) - 1)
			text[k++] = (char)in[i++];
		text[k] = '\0';
		if (i < size)
			i++;
		if (nl_framing_parse(text, &spec, err) != NL_OK) {
			if (!err[0])
				die("parse failed without a reason", 0, 0);
			return 0;
		}
	} else if (nl_framing_parse(specs[in[0] % N_SPECS], &spec, err) !=
		   NL_OK) {
		die("a built-in spec does not parse", in[0] % N_SPECS, 0);
	}
	/* canonical text round trip */
	char canon[128];
	struct nl_framing_spec again;
	nl_framing_format(&spec, canon, sizeof(canon));
	if (nl_framing_parse(canon, &again, err) != NL_OK ||
	    again.kind != spec.kind ||
	    (spec.kind == NL_FRAMING_LENPREFIX &&
	     (again.len_size != spec.len_size ||
	      again.big_endian != spec.big_endian ||
	      again.len_offset != spec.len_offset ||
	      again.adjust != spec.adjust))) {
		fprintf(stderr, "canonical text '%s' does not round-trip\n",
			canon);
		abort();
	}
	if (i >= size)
		return 0;
	uint64_t max_message = in[i] ? (uint64_t)in[i] * in[i] * 3 : 0;
	i++;
	if ((in[0] & 0xe0) == 0x40) {
		drive(&spec, max_message, in, size, i);
		return 0;
	}

	struct nl_framer f, g;
	if (nl_framer_init(&f, &spec, max_message) != NL_OK)
		return 0; /* auto: chosen by detection, not a framer */
	if (nl_framer_init(&g, &spec, max_message) != NL_OK)
		abort();

	/* The stream: the chunk bytes concatenated. */
	uint8_t *stream = malloc(size);
	if (!stream)
		abort();
	size_t slen = 0;
	memset(&chunked, 0, sizeof(chunked));
	memset(&whole, 0, sizeof(whole));
	uint64_t fed = 0, consumed = 0;
	while (i < size) {
		size_t n = in[i++];
		if (n > size - i)
			n = size - i;
		/* an exact-size copy so ASan sees any read past the chunk */
		uint8_t *chunk = malloc(n ? n : 1);
		if (!chunk)
			abort();
		memcpy(chunk, in + i, n);
		memcpy(stream + slen, in + i, n);
		feed_checked(&f, chunk, n, &fed, &consumed, &chunked, true);
		free(chunk);
		slen += n;
		i += n;
		uint64_t pend = nl_framer_pending(&f);
		if (pend >
		    f.max_message + 4 + NL_FRAMING_JSONHDR_MAX + 4096 + 8)
			die("pending beyond the message cap", pend,
			    f.max_message);
	}
	uint64_t fed2 = 0, consumed2 = 0;
	feed_checked(&g, stream, slen, &fed2, &consumed2, &whole, false);
	size_t cmp =
	    chunked.n_ends < whole.n_ends ? chunked.n_ends : whole.n_ends;
	for (size_t k = 0; k < cmp; k++)
		if (chunked.ends[k] != whole.ends[k])
			die("boundaries depend on the chunking",
			    chunked.ends[k], whole.ends[k]);
	if (chunked.n_ends != whole.n_ends && chunked.n_ends < MAX_BOUNDS &&
	    whole.n_ends < MAX_BOUNDS)
		die("message count depends on the chunking", chunked.n_ends,
		    whole.n_ends);
	if (chunked.error != whole.error ||
	    (chunked.error && chunked.error_offset != whole.error_offset))
		die("first error depends on the chunking", chunked.error_offset,
		    whole.error_offset);
	nl_framer_reset(&f);
	free(stream);
	nl_framer_free(&f);
	nl_framer_free(&g);
	return 0;
}
