/* netlab: entry point and subcommand dispatch. */
#include <stdio.h>
#include <string.h>

#include "cli.h"


static void usage_top(FILE *f)
{
	fputs("usage: netlab COMMAND [OPTIONS] ...\n"
	      "\n"
	      "Packet-level protocol inspector: decodes Ethernet, ARP, IPv4/IPv6,\n"
	      "ICMP, TCP and UDP from a capture file or a live interface.\n"
	      "\n"
	      "commands:\n"
	      "  replay FILE [EXPRESSION]   analyse a pcap or pcapng file ('-' = stdin)\n"
	      "  sniff IFACE [EXPRESSION]   capture live with libpcap ('any' = all)\n"
	      "  gen server|client|demo     generate sticky-packet traffic (see gen --help)\n"
	      "  help [COMMAND]             this text, or a command's options\n"
	      "\n"
	      "  netlab --version           print the version\n"
	      "  netlab COMMAND --help      options of a command\n"
	      "\n"
	      "See netlab(1) for output formats, the JSON schema and exit statuses.\n",
	      f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage_top(stderr);
		return NL_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") ||
	    !strcmp(cmd, "help")) {
		if (!strcmp(cmd, "help") && argc > 2) {
			if (!strcmp(argv[2], "replay")) {
				nl_cli_usage(NL_CMD_REPLAY, true);
				return NL_EXIT_OK;
			}
			if (!strcmp(argv[2], "sniff")) {
				nl_cli_usage(NL_CMD_SNIFF, true);
				return NL_EXIT_OK;
			}
			if (!strcmp(argv[2], "gen")) {
				char *help[] = {"gen", "--help", NULL};
				return nl_cli_gen(2, help);
			}
			nl_cli_error("no command '%s' (commands: replay, sniff, gen)",
				     argv[2]);
			return NL_EXIT_USAGE;
		}
		usage_top(stdout);
		return NL_EXIT_OK;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		printf("netlab %s\n", NETLAB_VERSION);
		return NL_EXIT_OK;
	}

	if (!strcmp(cmd, "gen"))
		return nl_cli_gen(argc - 1, argv + 1);

	enum nl_cmd which;
	if (!strcmp(cmd, "replay") || !strcmp(cmd, "read")) {
		which = NL_CMD_REPLAY;
	} else if (!strcmp(cmd, "sniff") || !strcmp(cmd, "capture")) {
		which = NL_CMD_SNIFF;
	} else {
		nl_cli_error("unknown command '%s' (commands: replay, sniff, gen; "
			     "see 'netlab --help')",
			     cmd);
		return NL_EXIT_USAGE;
	}
	struct nl_cli cli;
	int rc = nl_cli_parse(&cli, which, argc - 1, argv + 1);
	if (rc < 0)
		return NL_EXIT_OK; /* --help */
	if (rc != NL_EXIT_OK)
		return rc;
	rc = nl_cli_run(&cli);
	nl_cli_free(&cli);
	return rc;
}
