/*
 * Escaping of hostile payloads: terminal escape sequences (OSC, CSI, the
 * 8-bit CSI 0x9b), BEL, backspace, NUL, invalid UTF-8. Nothing outside
 * 0x20-0x7e may come out raw, and JSON output must always be valid.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "netlab/escape.h"

#include "support/memout.h"

static const char *take(void)
{
	static char copy[8192];
	snprintf(copy, sizeof(copy), "%s", nl_out_cstr(&mem));
	mem.len = 0;
	return copy;
}

static void assert_printable(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			fail_msg("raw byte 0x%02x in output \"%s\"", *p, s);
}

static const char *esc_c(const void *p, size_t n)
{
	nl_escape_c(&mem, p, n);
	const char *r = take();
	assert_printable(r);
	return r;
}

static void test_c_hostile(void **state)
{
	(void)state;
	/* OSC: set the window title, ended by BEL */
	assert_string_equal(esc_c("\x1b]0;pwned\x07", 10),
			    "\\x1b]0;pwned\\x07");
	/* CSI: clear the screen, colour */
	assert_string_equal(esc_c("\x1b[2J\x1b[31mred", 12),
			    "\\x1b[2J\\x1b[31mred");
	/* the one-byte CSI of ISO 8859 terminals */
	assert_string_equal(esc_c("\x9b"
				  "6n",
				  3),
			    "\\x9b6n");
	/* backspace over what was printed, DEL, NUL */
	assert_string_equal(esc_c("ok\b\b\x7f\0x", 7),
			    "ok\\x08\\x08\\x7f\\x00x");
	/* invalid UTF-8 (lone continuation, overlong, truncated) and valid
	 * UTF-8 alike: byte by byte */
	assert_string_equal(esc_c("\x80\xc0\xaf\xe2\x82\xff\xfe", 7),
			    "\\x80\\xc0\\xaf\\xe2\\x82\\xff\\xfe");
	assert_string_equal(esc_c("caf\xc3\xa9", 5), "caf\\xc3\\xa9");
	/* the usual C escapes */
	assert_string_equal(esc_c("a\r\n\t\\\"'b", 8), "a\\r\\n\\t\\\\\\\"'b");
	assert_string_equal(esc_c("", 0), "");
	assert_string_equal(esc_c("plain text ~", 12), "plain text ~");
}

static void test_c_all_bytes(void **state)
{
	(void)state;
	uint8_t all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	nl_escape_c(&mem, all, sizeof(all));
	const char *r = take();
	assert_printable(r);
	/* each byte on its own: printable ones (bar \ and ") pass as is */
	for (int i = 0; i < 256; i++) {
		uint8_t b = (uint8_t)i;
		nl_escape_c(&mem, &b, 1);
		const char *e = take();
		assert_printable(e);
		if (b >= 0x20 && b <= 0x7e && b != '\\' && b != '"') {
			assert_int_equal(strlen(e), 1);
			assert_int_equal((uint8_t)e[0], b);
		} else {
			assert_int_equal(e[0], '\\');
		}
	}
}

static void test_quoted(void **state)
{
	(void)state;
	nl_escape_quoted(&mem, (const uint8_t *)"hello", 5, 32);
	assert_string_equal(take(), "\"hello\"");
	nl_escape_quoted(&mem, (const uint8_t *)"hello", 5, 5);
	assert_string_equal(take(), "\"hello\"");
	nl_escape_quoted(&mem, (const uint8_t *)"hello", 5, 4);
	assert_string_equal(take(), "\"hell\"...");
	nl_escape_quoted(&mem, (const uint8_t *)"\x1b[0m\"", 5, 3);
	assert_string_equal(take(), "\"\\x1b[0\"...");
	nl_escape_quoted(&mem, (const uint8_t *)"", 0, 8);
	assert_string_equal(take(), "\"\"");
}

/* A JSON string body per RFC 8259 §7, all ASCII. */
static bool json_body_valid(const char *s)
{
	while (*s) {
		unsigned char c = (unsigned char)*s++;
		if (c < 0x20 || c > 0x7e || c == '"')
			return false;
		if (c != '\\')
			continue;
		c = (unsigned char)*s++;
		if (strchr("\"\\/bfnrt", c) && c)
			continue;
		if (c != 'u')
			return false;
		for (int i = 0; i < 4; i++, s++)
			if (!*s || !strchr("0123456789abcdefABCDEF", *s))
				return false;
	}
	return true;
}

static void test_json(void **state)
{
	(void)state;
	nl_escape_json(&mem, (const uint8_t *)"a\"b\\c\n\r\t", 8);
	assert_string_equal(take(), "a\\\"b\\\\c\\n\\r\\t");
	nl_escape_json(&mem, (const uint8_t *)"\x1b]0;x\x07\0\x7f", 8);
	assert_string_equal(take(), "\\u001b]0;x\\u0007\\u0000\\u007f");
	/* >= 0x80 read as Latin-1: any byte string is valid JSON */
	nl_escape_json(&mem, (const uint8_t *)"\x9b\xff\xc3\xa9", 4);
	assert_string_equal(take(), "\\u009b\\u00ff\\u00c3\\u00a9");

	uint8_t all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)(255 - i);
	nl_escape_json(&mem, all, sizeof(all));
	const char *r = take();
	assert_printable(r);
	assert_true(json_body_valid(r));
	/* and the validator itself rejects what it must */
	assert_false(json_body_valid("a\"b"));
	assert_false(json_body_valid("\\x41"));
	assert_false(json_body_valid("\x1b"));

	nl_json_str(&mem, "Evil \x1b[31m\"Corp\"");
	assert_string_equal(take(), "\"Evil \\u001b[31m\\\"Corp\\\"\"");
	nl_json_str(&mem, NULL);
	assert_string_equal(take(), "null");
	nl_json_str(&mem, "");
	assert_string_equal(take(), "\"\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_c_hostile),
	    cmocka_unit_test(test_c_all_bytes),
	    cmocka_unit_test(test_quoted),
	    cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, memout_setup, memout_teardown);
}
