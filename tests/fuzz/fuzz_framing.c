/*
 * libFuzzer target: the framing SPEC parser and each resumable framer of
 * netlab/framing.h on a byte stream fed in chunks whose sizes come from the
 * input.
 *
 * Input: [spec selector][message size cap] then chunks of [size] + bytes.
 * A selector with the top bit set takes the SPEC text from the input (up to
 * a newline) to fuzz nl_framing_parse() as well.
 *
 * Invariants: a feed consumes at most what it was given, and everything
 * when it asks for more; messages are contiguous, non-empty, end strictly
 * after the previous one and never beyond the bytes fed; the header fits in
 * the message; an error names a reason and a place already fed; the
 * canonical text of a parsed spec parses to the same spec; and the
 * boundaries do not depend on the chunking (the same stream fed in one
 * piece gives the same messages up to the first error).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	if (size < 2 || size > 100000)
		return 0;
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

	struct nl_framer f, g;
	if (nl_framer_init(&f, &spec, max_message) != NL_OK)
		return 0; /* turns, http, tls…: not splitters of their own */
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
