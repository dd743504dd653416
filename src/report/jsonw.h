/*
 * The small JSON writer the JSON sinks share (json.c, jsontcp.c): it only
 * has to remember where a comma is due. Internal to src/report.
 */
#ifndef NETLAB_REPORT_JSONW_H
#define NETLAB_REPORT_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "netlab/conn.h"
#include "netlab/escape.h"
#include "netlab/flow.h"

/* Deep enough for summary.arp.table[].{…}; nesting is fixed by the code. */
#define JW_MAX_DEPTH 8

/* A JSON writer that only has to remember where a comma is due. */
struct jw {
	struct nl_outbuf *o;
	unsigned depth;
	bool first[JW_MAX_DEPTH];
};

/*
 * Keys are passed pre-quoted with their comma, as JK("name") expands to
 * ",\"name\":" and its length: one write per key and no strlen(). JK_ELEM
 * is an array element's separator.
 */
#define JK(k)	",\"" k "\":", sizeof(",\"" k "\":") - 1
#define JK_ELEM ",", 1

static inline void jw_key(struct jw *w, const char *k, size_t n)
{
	if (w->first[w->depth]) { /* no comma before the first member */
		k++;
		n--;
		w->first[w->depth] = false;
	}
	nl_out_write(w->o, k, n);
}

/* A key known only at run time (layer names in the summary). */
static inline void jw_dkey(struct jw *w, const char *k)
{
	jw_key(w, ",\"", 2);
	nl_out_str(w->o, k);
	nl_out_write(w->o, "\":", 2);
}

static inline void jw_open(struct jw *w, const char *k, size_t n, char brace)
{
	jw_key(w, k, n);
	nl_out_char(w->o, brace);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
}

static inline void jw_close(struct jw *w, char brace)
{
	nl_out_char(w->o, brace);
	if (w->depth)
		w->depth--;
}

static inline void ju(struct jw *w, const char *k, size_t kn, uint64_t v)
{
	jw_key(w, k, kn);
	nl_out_u64(w->o, v);
}

static inline void jb(struct jw *w, const char *k, size_t kn, bool v)
{
	jw_key(w, k, kn);
	if (v)
		nl_out_write(w->o, "true", 4);
	else
		nl_out_write(w->o, "false", 5);
}

static inline void js(struct jw *w, const char *k, size_t kn, const char *s)
{
	jw_key(w, k, kn);
	nl_json_str(w->o, s);
}

static inline void jmac(struct jw *w, const char *k, size_t kn,
			const uint8_t mac[6])
{
	jw_key(w, k, kn);
	nl_out_char(w->o, '"');
	nl_out_mac(w->o, mac);
	nl_out_char(w->o, '"');
}

static inline void jip4(struct jw *w, const char *k, size_t kn,
			const uint8_t a[4])
{
	jw_key(w, k, kn);
	nl_out_char(w->o, '"');
	nl_out_ipv4(w->o, a);
	nl_out_char(w->o, '"');
}

static inline void jaddr(struct jw *w, const char *k, size_t kn,
			 const struct nl_addr *a)
{
	jw_key(w, k, kn);
	nl_out_char(w->o, '"');
	nl_report_addr(w->o, a);
	nl_out_char(w->o, '"');
}

static inline void jhexaddr(struct jw *w, const char *k, size_t kn,
			    const uint8_t *p, unsigned n)
{
	jw_key(w, k, kn);
	nl_out_char(w->o, '"');
	if (p)
		nl_report_hexaddr(w->o, p, n);
	nl_out_char(w->o, '"');
}

/* The TCP tracker's JSON (jsontcp.c) */
void nl_json_tcp_note(struct jw *w, const struct nl_tcp_note *n);
void nl_json_conn(struct nl_outbuf *o, const struct nl_conn *c,
		  enum nl_conn_end_reason why, const struct nl_flow_stats *f);
void nl_json_tcp_summary(struct jw *w, const struct nl_conn_table *t);

/* Stream analysis (jsonflow.c) */
void nl_json_segmap_fields(struct jw *w, const struct nl_segmap *m);
void nl_json_segmap(struct nl_outbuf *o, const struct nl_segmap *m);
void nl_json_note(struct nl_outbuf *o, const struct nl_flow_note *n);
void nl_json_message(struct nl_outbuf *o, const struct nl_message *m);
void nl_json_flow_conn(struct jw *w, const struct nl_flow_stats *f);
void nl_json_flow_summary(struct jw *w, const struct nl_flow_table *t);

#endif
