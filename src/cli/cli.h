/* The command-line layer: the only code that prints errors and exits. */
#ifndef NETLAB_CLI_H
#define NETLAB_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "netlab/capture.h"
#include "netlab/pipeline.h"
#include "netlab/report.h"

/* Exit statuses (documented in netlab(1) and --help). */
enum nl_exit {
	NL_EXIT_OK = 0,
	NL_EXIT_ERROR = 1,     /* cannot open a file or interface, I/O error */
	NL_EXIT_USAGE = 2,     /* bad option, argument or filter expression */
	NL_EXIT_TRUNCATED = 3, /* capture file ended mid-record */
	NL_EXIT_CORRUPT = 4,   /* capture file has an unreadable record */
	NL_EXIT_PERM = 5,      /* no permission to capture */
};

enum nl_cmd { NL_CMD_REPLAY, NL_CMD_SNIFF };

struct nl_cli {
	enum nl_cmd cmd;
	const char *source;  /* file or interface */
	char *filter;        /* joined expression words, or NULL */
	uint64_t count;      /* -c: stop after this many packets (0: all) */
	bool quiet, verbose, json, line_buffered;
	bool ladder; /* --ladder: diagrams replace packet lines */
	/* stream analysis views, each replacing the packet lines */
	bool messages, map, follow, follow_raw;
	bool flows_off; /* --max-flows 0 */
	struct nl_report_opts report;
	struct nl_config config;
	struct nl_capture_opts capture;
	const char *drop_user; /* -Z: become this user once capturing */
};

/* Parse argv after the subcommand name. Returns NL_EXIT_OK, or the exit
 * status to use (help printed: -1). */
int nl_cli_parse(struct nl_cli *cli, enum nl_cmd cmd, int argc, char **argv);
void nl_cli_free(struct nl_cli *cli);
void nl_cli_usage(enum nl_cmd cmd, bool full);

/* netlab gen server|client|demo (src/cli/gen.c): argv[0] is "gen". */
int nl_cli_gen(int argc, char **argv);

/* Run replay or sniff once parsed. */
int nl_cli_run(struct nl_cli *cli);

/* sniff: give up root (to user, default "nobody"; "root" keeps it) or, when
 * not root, every capability. false with errbuf filled if it failed. */
bool nl_cli_drop_privileges(const char *user, char *errbuf);

/* One error line on stderr: "netlab: ...". */
void nl_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
