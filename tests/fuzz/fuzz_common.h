/*
 * Shared pieces of the libFuzzer targets: report options drawn from an input
 * byte, every output sink writing into one memory outbuf, and the output
 * checks (terminal safety of text, well-formed JSON Lines).
 *
 * A check failure calls abort() so that libFuzzer records the input as a
 * crash; this is test code, never linked into netlab.
 */
#ifndef NETLAB_FUZZ_COMMON_H
#define NETLAB_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netlab/decode.h"
#include "netlab/oui.h"
#include "netlab/outbuf.h"
#include "netlab/framing.h"
#include "netlab/pipeline.h"
#include "netlab/report.h"

/* Link types a frame is decoded as, picked by an input byte. The last is
 * one netlab does not decode (DLT_IEEE802_11), to fuzz that path too. */
static const uint32_t fuzz_dlts[] = {
    NL_DLT_EN10MB, NL_DLT_LINUX_SLL,   NL_DLT_LINUX_SLL2,
    NL_DLT_RAW,	   NL_DLT_RAW_OPENBSD, NL_DLT_NULL,
    NL_DLT_LOOP,   NL_DLT_IPV4,	       NL_DLT_IPV6,
    105,
};
#define FUZZ_N_DLTS (sizeof(fuzz_dlts) / sizeof(fuzz_dlts[0]))

static struct nl_oui_db *fuzz_oui;

/* Once per process: fixed time zone (LOCAL time styles) and the vendor db
 * when installed, so vendor names reach the printers. */
static void fuzz_init_once(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	setenv("TZ", "UTC", 1);
	char err[NL_ERRBUF_SIZE];
	if (nl_oui_load(&fuzz_oui, NULL, err) != NL_OK)
		fuzz_oui = NULL;
}

/* Report options from one byte (and the time style from another). */
static void fuzz_report_opts(struct nl_report_opts *r, uint8_t bits,
			     uint8_t style)
{
	memset(r, 0, sizeof(*r));
	r->time_style = (enum nl_time_style)(style % NL_TIME_STYLE_COUNT);
	r->time_digits = (style & 0x80) ? 9 : 6;
	r->link = bits & 0x01;
	r->hex = bits & 0x02;
	r->hex_ascii = bits & 0x04;
	r->verify_checksums = bits & 0x08;
	r->absolute = bits & 0x10;
	r->conns = true;
	r->ladder_id = (bits & 0x20) ? 1 + (style & 3) : 0;
	r->ascii = true; /* box drawing is UTF-8: not for the byte check */
	r->oui = (bits & 0x40) ? fuzz_oui : NULL;
	r->map_id = (bits & 0x20) ? 1 + (style >> 2 & 3) : 0;
	r->follow_id = 1 + (style >> 4 & 3);
	r->follow_dir = style >> 6 & 1;
}

static void fuzz_fail(const char *what, const char *buf, size_t len, size_t at)
{
	size_t from = at > 60 ? at - 60 : 0;
	size_t to = at + 20 < len ? at + 20 : len;
	fprintf(stderr, "fuzz check failed: %s at byte %zu:\n", what, at);
	for (size_t i = from; i < to; i++) {
		unsigned char ch = (unsigned char)buf[i];
		if (ch >= 0x20 && ch < 0x7f)
			fputc(ch, stderr);
		else
			fprintf(stderr, "\\x%02x", ch);
	}
	fputc('\n', stderr);
	abort();
}

/* Terminal safety: printable ASCII and newline only. */
static void fuzz_check_text(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)buf[i];
		if (ch != '\n' && (ch < 0x20 || ch > 0x7e))
			fuzz_fail("byte outside printable ASCII in text output",
				  buf, len, i);
	}
}

/* ---- a small strict JSON checker (RFC 8259), for one line ---- */

struct fuzz_json {
	const char *p, *end, *start;
	unsigned depth;
};

static bool fj_value(struct fuzz_json *j);

static void fj_ws(struct fuzz_json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t'))
		j->p++;
}

static bool fj_lit(struct fuzz_json *j, const char *s)
{
	size_t n = strlen(s);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, s, n) != 0)
		return false;
	j->p += n;
	return true;
}

static bool fj_string(struct fuzz_json *j)
{
	if (j->p >= j->end || *j->p != '"')
		return false;
	j->p++;
	while (j->p < j->end) {
		unsigned char ch = (unsigned char)*j->p++;
		if (ch == '"')
			return true;
		if (ch < 0x20 || ch > 0x7e)
			return false; /* netlab's JSON is ASCII only */
		if (ch != '\\')
			continue;
		if (j->p >= j->end)
			return false;
		ch = (unsigned char)*j->p++;
		if (ch == 'u') {
			for (int k = 0; k < 4; k++, j->p++)
				if (j->p >= j->end ||
				    !strchr("0123456789abcdefABCDEF", *j->p) ||
				    !*j->p)
					return false;
		} else if (!strchr("\"\\/bfnrt", ch) || !ch) {
			return false;
		}
	}
	return false;
}

static bool fj_digits(struct fuzz_json *j)
{
	const char *s = j->p;
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

static bool fj_number(struct fuzz_json *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (!fj_digits(j))
		return false;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!fj_digits(j))
			return false;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!fj_digits(j))
			return false;
	}
	return true;
}

static bool fj_container(struct fuzz_json *j, char close, bool object)
{
	j->p++;
	if (++j->depth > 64)
		return false;
	fj_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return true;
	}
	for (;;) {
		fj_ws(j);
		if (object) {
			if (!fj_string(j))
				return false;
			fj_ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return false;
		}
		if (!fj_value(j))
			return false;
		fj_ws(j);
		if (j->p >= j->end)
			return false;
		char ch = *j->p++;
		if (ch == close) {
			j->depth--;
			return true;
		}
		if (ch != ',')
			return false;
	}
}

static bool fj_value(struct fuzz_json *j)
{
	fj_ws(j);
	if (j->p >= j->end)
		return false;
	switch (*j->p) {
	case '{':
		return fj_container(j, '}', true);
	case '[':
		return fj_container(j, ']', false);
	case '"':
		return fj_string(j);
	case 't':
		return fj_lit(j, "true");
	case 'f':
		return fj_lit(j, "false");
	case 'n':
		return fj_lit(j, "null");
	default:
		return fj_number(j);
	}
}

/* JSON Lines: every line one JSON object. */
static void fuzz_check_json_lines(const char *buf, size_t len)
{
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		if (!nl)
			fuzz_fail("JSON output does not end with a newline",
				  buf, len, i);
		struct fuzz_json j = {buf + i, nl, buf + i, 0};
		fj_ws(&j);
		if (j.p >= j.end || *j.p != '{' || !fj_value(&j))
			fuzz_fail("JSON line does not parse", buf, len,
				  (size_t)(j.p - buf));
		fj_ws(&j);
		if (j.p != j.end)
			fuzz_fail("trailing bytes after a JSON object", buf,
				  len, (size_t)(j.p - buf));
		i = (size_t)(nl - buf) + 1;
	}
}

/* ---- every sink into memory ---- */

enum fuzz_out {
	FUZZ_OUT_TEXT, /* text + hex + conns + summary */
	FUZZ_OUT_VERBOSE,
	FUZZ_OUT_LADDER,
	FUZZ_OUT_JSON,
	FUZZ_OUT_VIEWS, /* --messages, --map, --follow */
	FUZZ_OUT_RAW,	/* --follow-raw: raw bytes by design, not checked */
	FUZZ_OUT_COUNT
};

struct fuzz_sinks {
	struct nl_outbuf out[FUZZ_OUT_COUNT];
};

static void fuzz_sink_add(struct nl_ctx *ctx, enum nl_status st,
			  struct nl_sink s)
{
	if (st != NL_OK || nl_ctx_add_sink(ctx, s) != NL_OK) {
		fprintf(stderr, "fuzz: cannot set up a sink\n");
		abort();
	}
}

static void fuzz_sinks_init(struct fuzz_sinks *fs, struct nl_ctx *ctx,
			    const struct nl_report_opts *r)
{
	struct nl_sink s;
	for (int i = 0; i < FUZZ_OUT_COUNT; i++)
		if (!nl_out_init(&fs->out[i], -1))
			abort();
	struct nl_outbuf *t = &fs->out[FUZZ_OUT_TEXT];
	fuzz_sink_add(ctx, nl_sink_text_new(&s, t, r), s);
	fuzz_sink_add(ctx, nl_sink_hex_new(&s, t, r), s);
	fuzz_sink_add(ctx, nl_sink_conns_new(&s, t, r), s);
	fuzz_sink_add(ctx, nl_sink_summary_new(&s, t, r), s);
	fuzz_sink_add(
	    ctx, nl_sink_verbose_new(&s, &fs->out[FUZZ_OUT_VERBOSE], r), s);
	fuzz_sink_add(ctx, nl_sink_ladder_new(&s, &fs->out[FUZZ_OUT_LADDER], r),
		      s);
	struct nl_report_opts jr = *r;
	fuzz_sink_add(ctx, nl_sink_json_new(&s, &fs->out[FUZZ_OUT_JSON], &jr),
		      s);
	struct nl_outbuf *v = &fs->out[FUZZ_OUT_VIEWS];
	fuzz_sink_add(ctx, nl_sink_messages_new(&s, v, r), s);
	fuzz_sink_add(ctx, nl_sink_map_new(&s, v, r), s);
	fuzz_sink_add(ctx, nl_sink_follow_new(&s, v, r), s);
	fuzz_sink_add(ctx,
		      nl_sink_follow_raw_new(&s, &fs->out[FUZZ_OUT_RAW], r), s);
}

/* JSON objects of one type ("packet") at the start of a line. */
static unsigned fuzz_json_count(const struct nl_outbuf *o, const char *type)
{
	char key[64];
	int n = snprintf(key, sizeof(key), "{\"type\":\"%s\"", type);
	unsigned count = 0;
	for (size_t i = 0; i + (size_t)n <= o->len;) {
		if (memcmp(o->buf + i, key, (size_t)n) == 0)
			count++;
		const char *nl = memchr(o->buf + i, '\n', o->len - i);
		if (!nl)
			break;
		i = (size_t)(nl - o->buf) + 1;
	}
	return count;
}

/* Check what the sinks wrote so far, then empty the buffers (so a long
 * input does not grow them). want_packets: the JSON objects of type
 * "packet" there must be (one per packet run), or -1 not to count. */
static void fuzz_sinks_check_n(struct fuzz_sinks *fs, int want_packets)
{
	if (want_packets >= 0) {
		unsigned n = fuzz_json_count(&fs->out[FUZZ_OUT_JSON], "packet");
		if (n != (unsigned)want_packets) {
			fprintf(stderr,
				"fuzz check failed: %u JSON packet objects "
				"for %d packets\n",
				n, want_packets);
			abort();
		}
	}
	for (int i = 0; i < FUZZ_OUT_COUNT; i++) {
		struct nl_outbuf *o = &fs->out[i];
		if (i == FUZZ_OUT_RAW) {
			/* raw stream bytes: anything goes */
		} else if (i == FUZZ_OUT_JSON) {
			/* a JSON object may still be half written only
			 * between events, never here */
			fuzz_check_json_lines(o->buf, o->len);
		} else {
			fuzz_check_text(o->buf, o->len);
		}
		o->len = 0;
	}
}

static void fuzz_sinks_check(struct fuzz_sinks *fs)
{
	fuzz_sinks_check_n(fs, -1);
}

static void fuzz_sinks_free(struct fuzz_sinks *fs)
{
	for (int i = 0; i < FUZZ_OUT_COUNT; i++)
		nl_out_free(&fs->out[i]);
}

/* A pipeline with small tables, so that eviction and the caps are reached
 * by short inputs: 8 connections (closed ones kept 2 s), 4 of them
 * analysed at once, a 16 KiB reassembly pool (4 KiB a stream), 512 bytes
 * held for framing detection, reassembled data reported (--follow) and the
 * framing chosen by sel. */
static void fuzz_ctx_init_framing(struct nl_ctx *ctx, bool verify,
				  unsigned sel)
{
	static const char *const specs[] = {
	    "auto",  "u32le",	"u16be", "line", "jsonhdr", "varint",
	    "http",  "tls",	"turns", "none", "u8",	    "len:3:be,offset=2,adjust=-1",
	    "u64be", "u32be",	"auto",	 "auto"};
	struct nl_config cfg;
	nl_config_defaults(&cfg);
	cfg.decode.verify_checksums = verify;
	cfg.arp_cap = 4;
	cfg.conn_cap = 8;
	cfg.conn_idle = 60;
	cfg.conn_linger = 2; /* closed connections leave while packets come */
	cfg.flow.cap = 4;
	cfg.flow.reasm.max_buffer = 16384;
	cfg.flow.reasm.max_stream = 4096;
	cfg.flow.reasm.overlap = sel & 16 ? NL_REASM_LAST : NL_REASM_FIRST;
	cfg.flow.detect_bytes = 512;
	cfg.flow.max_message = 1u << 20;
	cfg.flow.want_data = true;
	cfg.udp_cap = 4;
	char err[NL_ERRBUF_SIZE];
	if (nl_framing_parse(specs[sel % 16], &cfg.flow.spec, err) != NL_OK) {
		fprintf(stderr, "fuzz: %s\n", err);
		abort();
	}
	/* a per-port framing too, for the port the generator uses */
	cfg.flow.ports[0].port = 9000;
	cfg.flow.ports[0].spec = cfg.flow.spec;
	cfg.flow.n_ports = sel & 32 ? 1 : 0;
	if (nl_ctx_init(ctx, &cfg, err) != NL_OK) {
		fprintf(stderr, "fuzz: %s\n", err);
		abort();
	}
}

__attribute__((unused)) static void fuzz_ctx_init(struct nl_ctx *ctx,
						   bool verify)
{
	fuzz_ctx_init_framing(ctx, verify, 0);
}

#endif
