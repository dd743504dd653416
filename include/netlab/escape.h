/*
 * Escaping of bytes that came from the wire before they reach a terminal or a
 * JSON document. Captured data must never inject terminal escape sequences:
 * only printable ASCII 0x20-0x7e passes through; everything else becomes a
 * visible escape.
 */
#ifndef NETLAB_ESCAPE_H
#define NETLAB_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netlab/outbuf.h"

/* C-style: \n \r \t \\ \" and \xHH for every other byte outside 0x20-0x7e. */
void nl_escape_c(struct nl_outbuf *o, const uint8_t *p, size_t n);
/* Same, inside double quotes, stopping after max bytes with "…" (ASCII "...")
 * when there were more. */
void nl_escape_quoted(struct nl_outbuf *o, const uint8_t *p, size_t n,
		      size_t max);
/* JSON string body (no quotes): \" \\ \n \r \t, \u00XX for control bytes and
 * for every byte >= 0x80 (read as Latin-1, so any byte string is valid JSON). */
void nl_escape_json(struct nl_outbuf *o, const uint8_t *p, size_t n);
/* A whole JSON string value with quotes, from a NUL-terminated C string. */
void nl_json_str(struct nl_outbuf *o, const char *s);
/* The locale's character set is UTF-8, as setlocale(LC_CTYPE, "") would
 * pick it from LC_ALL, LC_CTYPE, LANG: box drawing needs it. */
bool nl_locale_utf8(void);

#endif
