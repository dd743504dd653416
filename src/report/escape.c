/*
 * Escaping of captured bytes. A payload can hold anything, including
 * terminal control sequences (ESC ] 0 ; title BEL, ESC [ 2 J, the 8-bit CSI
 * 0x9b) that would rewrite the user's terminal if printed raw. Only bytes
 * 0x20-0x7e are ever copied; every other byte becomes a visible escape, and
 * bytes >= 0x80 are escaped one by one, so invalid UTF-8 (and valid UTF-8
 * too) can never reach the terminal's decoder.
 */
#include "netlab/escape.h"

#include <stdlib.h>
#include <string.h>

static const char hexdig[] = "0123456789abcdef";

/* Runs of safe bytes are copied in one write: payloads are mostly text.
 * The same set is safe in C-style and JSON strings. */
static size_t safe_run(const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n && p[i] >= 0x20 && p[i] <= 0x7e && p[i] != '\\' &&
	       p[i] != '"')
		i++;
	return i;
}

void nl_escape_c(struct nl_outbuf *o, const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t run = safe_run(p + i, n - i);
		if (run) {
			nl_out_write(o, p + i, run);
			i += run;
			if (i == n)
				break;
		}
		uint8_t b = p[i++];
		char e[4] = {'\\', 0, 0, 0};
		size_t len = 2;
		switch (b) {
		case '\n':
			e[1] = 'n';
			break;
		case '\r':
			e[1] = 'r';
			break;
		case '\t':
			e[1] = 't';
			break;
		case '\\':
			e[1] = '\\';
			break;
		case '"':
			e[1] = '"';
			break;
		default:
			e[1] = 'x';
			e[2] = hexdig[b >> 4];
			e[3] = hexdig[b & 15];
			len = 4;
			break;
		}
		nl_out_write(o, e, len);
	}
}

void nl_escape_quoted(struct nl_outbuf *o, const uint8_t *p, size_t n,
		      size_t max)
{
	nl_out_char(o, '"');
	nl_escape_c(o, p, n < max ? n : max);
	nl_out_char(o, '"');
	/* outside the quotes, so it cannot be mistaken for payload dots */
	if (n > max)
		nl_out_write(o, "...", 3);
}

void nl_escape_json(struct nl_outbuf *o, const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t run = safe_run(p + i, n - i);
		if (run) {
			nl_out_write(o, p + i, run);
			i += run;
			if (i == n)
				break;
		}
		uint8_t b = p[i++];
		char e[6] = {'\\', 'u', '0', '0', 0, 0};
		size_t len = 2;
		switch (b) {
		case '\n':
			e[1] = 'n';
			break;
		case '\r':
			e[1] = 'r';
			break;
		case '\t':
			e[1] = 't';
			break;
		case '\\':
			e[1] = '\\';
			break;
		case '"':
			e[1] = '"';
			break;
		default:
			/* RFC 8259 §7 requires only < 0x20; DEL and Latin-1
			 * are escaped too so the JSON stays ASCII and safe to
			 * print on a terminal. */
			e[4] = hexdig[b >> 4];
			e[5] = hexdig[b & 15];
			len = 6;
			break;
		}
		nl_out_write(o, e, len);
	}
}

void nl_json_str(struct nl_outbuf *o, const char *s)
{
	if (!s) {
		nl_out_write(o, "null", 4);
		return;
	}
	nl_out_char(o, '"');
	nl_escape_json(o, (const uint8_t *)s, strlen(s));
	nl_out_char(o, '"');
}

bool nl_locale_utf8(void)
{
	const char *v = getenv("LC_ALL");
	if (!v || !*v)
		v = getenv("LC_CTYPE");
	if (!v || !*v)
		v = getenv("LANG");
	return v && (strcasestr(v, "utf-8") || strcasestr(v, "utf8"));
}
