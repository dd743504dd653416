/*
 * MAC vendor database: CSV quoting, longest-prefix look-up across MA-L,
 * MA-M and MA-S, missing files, the environment override, and (when
 * installed) the real IEEE registries (their load time is measured by
 * make bench).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "netlab/oui.h"

#define HDR "Registry,Assignment,Organization Name,Organization Address\r\n"

struct tmp {
	char dir[64];
};

static void write_file(const char *dir, const char *name, const char *text,
		       size_t n)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

#define WRITE(dir, name, lit) write_file(dir, name, lit, sizeof(lit) - 1)

static void remove_files(const char *dir)
{
	static const char *const names[] = {"oui.csv", "mam.csv", "oui36.csv"};
	char path[256];
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
}

static int setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/netlab-oui-XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tmp *t = *state;
	remove_files(t->dir);
	rmdir(t->dir);
	free(t);
	return 0;
}

static const char *look(const struct nl_oui_db *db, uint8_t a, uint8_t b,
			uint8_t c, uint8_t d, uint8_t e, uint8_t f)
{
	const uint8_t m[6] = {a, b, c, d, e, f};
	return nl_oui_lookup(db, m);
}

static void test_small_registry(void **state)
{
	struct tmp *t = *state;
	struct nl_oui_db *db = NULL;
	char err[NL_ERRBUF_SIZE] = "";

	WRITE(t->dir, "oui.csv",
	      HDR "MA-L,002272,American Micro-Fuel Device Corp.,2181 Buchanan "
		  "Loop Ferndale WA US 98248 \r\n"
		  "MA-L,F4BD9E,\"Cisco Systems, Inc\",80 West Tasman Drive San "
		  "Jose CA US 94568 \r\n"
		  "MA-L,001EFC,\"JSC \"\"MASSA-K\"\"\",\"15, A, Pirogovskaya "
		  "nab.\r\nSaint-Petersburg RU 194044 \"\r\n"
		  "MA-L,a0b1c2,lower case hex,\r\n"
		  "MA-L,70B3D5,IEEE Registration Authority,445 Hoes Lane\r\n"
		  "MA-L,ZZ0000,bad hex,\r\n"
		  "MA-L,00000,too short,\r\n"
		  "MA-L,0000000000,too long,\r\n"
		  "MA-L,112233,,empty name\r\n"
		  "MA-L,445566,\"  padded\t\",\r\n"
		  "MA-L,002272,Duplicate Later,\r\n"
		  "\r\n"
		  "MA-L,778899,Caf\xc3\xa9 \x01\x7f\xff Ltd,\r\n"
		  "MA-L,000000,XEROX CORPORATION,M/S 105-50C WEBSTER NY\r\n"
		  /* quoted addresses holding lines that look like rows */
		  "MA-L,0A0B0C,Quoted Lines,\"Road \"\"A\"\"\r\n"
		  "MA-L,DEADBE,Not A Row,\r\n\",\"more, \"\"\"\"\"\r\n"
		  "MA-L,0A0B0D,After,\"x\nMA-L,DEADBF,Nor This,\"\r\n"
		  "MA-L,0A0B0E,Five Fields,plain,\"q\r\nMA-L,DEADC0,No,\"\r\n"
		  "MA-L,AABBCC,unterminated at the end,no newline");
	WRITE(t->dir, "mam.csv",
	      HDR "MA-M,70B3D51,Twenty-Eight Bit Inc,\r\n"
		  "MA-M,208593B,IOG Products LLC,9737 LURLINE AVENUE\r\n");
	WRITE(t->dir, "oui36.csv",
	      HDR "MA-S,70B3D5F2F,TELEPLATFORMS,\"Polbina st., 3/1 Moscow  RU "
		  "109388 \"\r\n"
		  "MA-S,70B3D51AB,Inside The MA-M,\r\n");

	assert_int_equal(nl_oui_load(&db, t->dir, err), NL_OK);
	assert_non_null(db);
	assert_int_equal(nl_oui_count(db), 16);
	assert_string_equal(look(db, 0x0a, 0x0b, 0x0c, 0, 0, 0),
			    "Quoted Lines");
	assert_string_equal(look(db, 0x0a, 0x0b, 0x0d, 0, 0, 0), "After");
	assert_null(look(db, 0xde, 0xad, 0xbe, 0, 0, 0));
	assert_null(look(db, 0xde, 0xad, 0xbf, 0, 0, 0));
	assert_string_equal(look(db, 0x0a, 0x0b, 0x0e, 0, 0, 0),
			    "Five Fields");
	assert_null(look(db, 0xde, 0xad, 0xc0, 0, 0, 0));

	assert_string_equal(look(db, 0x00, 0x22, 0x72, 1, 2, 3),
			    "American Micro-Fuel Device Corp.");
	assert_string_equal(look(db, 0xf4, 0xbd, 0x9e, 0, 0, 0),
			    "Cisco Systems, Inc");
	assert_string_equal(look(db, 0x00, 0x1e, 0xfc, 9, 9, 9),
			    "JSC \"MASSA-K\"");
	assert_string_equal(look(db, 0xa0, 0xb1, 0xc2, 0, 0, 0),
			    "lower case hex");
	assert_string_equal(look(db, 0x44, 0x55, 0x66, 0, 0, 0), "padded");
	assert_string_equal(look(db, 0x77, 0x88, 0x99, 0, 0, 0),
			    "Caf\xc3\xa9 \x01\x7f\xff Ltd");
	assert_string_equal(look(db, 0xaa, 0xbb, 0xcc, 0, 0, 0),
			    "unterminated at the end");
	/* Bad lines and empty names are skipped. */
	assert_null(look(db, 0x11, 0x22, 0x33, 0, 0, 0));
	assert_null(look(db, 0x00, 0x22, 0x73, 0, 0, 0));
	/* The all-zero prefix is a registration like any other. */
	assert_string_equal(look(db, 0, 0, 0, 0, 0, 0), "XEROX CORPORATION");

	/* Longest prefix: 36 bits, then 28, then 24. */
	assert_string_equal(look(db, 0x70, 0xb3, 0xd5, 0xf2, 0xf0, 0x01),
			    "TELEPLATFORMS");
	assert_string_equal(look(db, 0x70, 0xb3, 0xd5, 0xf2, 0xe0, 0x01),
			    "IEEE Registration Authority");
	assert_string_equal(look(db, 0x70, 0xb3, 0xd5, 0x1a, 0xbf, 0xff),
			    "Inside The MA-M");
	assert_string_equal(look(db, 0x70, 0xb3, 0xd5, 0x1a, 0xc0, 0x00),
			    "Twenty-Eight Bit Inc");
	assert_string_equal(look(db, 0x70, 0xb3, 0xd5, 0x1f, 0xff, 0xff),
			    "Twenty-Eight Bit Inc");
	assert_string_equal(look(db, 0x70, 0xb3, 0xd5, 0x20, 0x00, 0x00),
			    "IEEE Registration Authority");
	assert_string_equal(look(db, 0x20, 0x85, 0x93, 0xb0, 0, 0),
			    "IOG Products LLC");
	assert_null(look(db, 0x20, 0x85, 0x93, 0xa0, 0, 0));

	/* The first of two rows for one assignment wins. */
	assert_string_equal(look(db, 0x00, 0x22, 0x72, 0, 0, 0),
			    "American Micro-Fuel Device Corp.");
	nl_oui_free(db);
}

static void test_lf_only_and_partial(void **state)
{
	struct tmp *t = *state;
	struct nl_oui_db *db = NULL;

	/* Plain LF line ends, a header-less file, only one registry. */
	WRITE(t->dir, "mam.csv",
	      "MA-M,0C0C0C1,One,addr\nMA-M,0C0C0C2,Two,\"multi\nline\"\n"
	      "MA-M,0C0C0C3,Three,\"x");
	assert_int_equal(nl_oui_load(&db, t->dir, NULL), NL_OK);
	assert_int_equal(nl_oui_count(db), 3);
	assert_string_equal(look(db, 0x0c, 0x0c, 0x0c, 0x1f, 0, 0), "One");
	assert_string_equal(look(db, 0x0c, 0x0c, 0x0c, 0x20, 0, 0), "Two");
	assert_string_equal(look(db, 0x0c, 0x0c, 0x0c, 0x3f, 0, 0), "Three");
	assert_null(look(db, 0x0c, 0x0c, 0x0c, 0x4f, 0, 0));
	nl_oui_free(db);
}

static void test_empty_and_missing(void **state)
{
	struct tmp *t = *state;
	struct nl_oui_db *db = NULL;
	char path[128];
	const uint8_t m[6] = {0x00, 0x22, 0x72, 0, 0, 0};

	/* The directory exists, the files do not. */
	assert_int_equal(nl_oui_load(&db, t->dir, NULL), NL_OK);
	assert_non_null(db);
	assert_int_equal(nl_oui_count(db), 0);
	assert_null(nl_oui_lookup(db, m));
	nl_oui_free(db);

	/* No such directory. */
	snprintf(path, sizeof(path), "%s/nope", t->dir);
	assert_int_equal(nl_oui_load(&db, path, NULL), NL_OK);
	assert_int_equal(nl_oui_count(db), 0);
	nl_oui_free(db);

	/* Empty files, and files of nothing but a header. */
	WRITE(t->dir, "oui.csv", "");
	WRITE(t->dir, "mam.csv", HDR);
	assert_int_equal(nl_oui_load(&db, t->dir, NULL), NL_OK);
	assert_int_equal(nl_oui_count(db), 0);
	nl_oui_free(db);

	/* A db that was never loaded. */
	assert_null(nl_oui_lookup(NULL, m));
	assert_int_equal(nl_oui_count(NULL), 0);
	nl_oui_free(NULL);
}

static void test_env_override(void **state)
{
	struct tmp *t = *state;
	struct nl_oui_db *db = NULL;

	WRITE(t->dir, "oui.csv", HDR "MA-L,ABCDEF,From The Env,\r\n");
	assert_int_equal(setenv("NETLAB_IEEE_DATA", t->dir, 1), 0);
	assert_int_equal(nl_oui_load(&db, NULL, NULL), NL_OK);
	unsetenv("NETLAB_IEEE_DATA");
	assert_int_equal(nl_oui_count(db), 1);
	assert_string_equal(look(db, 0xab, 0xcd, 0xef, 1, 2, 3),
			    "From The Env");
	nl_oui_free(db);
}

static void test_unreadable_is_error(void **state)
{
	struct tmp *t = *state;
	struct nl_oui_db *db = (struct nl_oui_db *)1;
	char err[NL_ERRBUF_SIZE] = "";
	char path[128];

	/* A registry that is there but is not a file: a real error. */
	snprintf(path, sizeof(path), "%s/oui36.csv", t->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(nl_oui_load(&db, t->dir, err), NL_ERR_SYS);
	assert_null(db);
	assert_non_null(strstr(err, "oui36.csv"));
	rmdir(path);
}

static void test_real_registry(void **state)
{
	(void)state;
	struct nl_oui_db *db = NULL;
	char err[NL_ERRBUF_SIZE];

	if (access(NL_OUI_DEFAULT_DIR "/oui.csv", R_OK) != 0 ||
	    access(NL_OUI_DEFAULT_DIR "/mam.csv", R_OK) != 0 ||
	    access(NL_OUI_DEFAULT_DIR "/oui36.csv", R_OK) != 0) {
		skip();
		return;
	}
	/* how long the load takes is for make bench (tools/bench.sh,
	 * "startup"), not for a unit test */
	assert_int_equal(nl_oui_load(&db, NL_OUI_DEFAULT_DIR, err), NL_OK);
	assert_true(nl_oui_count(db) > 30000);
	/* Xerox's 00-00-00 and Cisco's 00-00-0C are among the oldest. */
	assert_string_equal(look(db, 0, 0, 0, 0, 0, 0), "XEROX CORPORATION");
	assert_string_equal(look(db, 0x00, 0x00, 0x0c, 1, 2, 3),
			    "Cisco Systems, Inc");
	assert_string_equal(look(db, 0xf4, 0xbd, 0x9e, 1, 2, 3),
			    "Cisco Systems, Inc");
	assert_string_equal(look(db, 0x00, 0x1e, 0xfc, 1, 2, 3),
			    "JSC \"MASSA-K\"");
	/* MA-M and MA-S carve up IEEE's own blocks. */
	assert_string_equal(look(db, 0x20, 0x85, 0x93, 0xb1, 2, 3),
			    "IOG Products LLC");
	assert_string_equal(look(db, 0x70, 0xb3, 0xd5, 0xf2, 0xf1, 0x23),
			    "TELEPLATFORMS");
	assert_null(look(db, 0x02, 0x00, 0x00, 0, 0, 0));
	nl_oui_free(db);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_small_registry),	 T(test_lf_only_and_partial),
	    T(test_empty_and_missing),	 T(test_env_override),
	    T(test_unreadable_is_error), cmocka_unit_test(test_real_registry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
