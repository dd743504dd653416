/*
 * Least privilege for live capture (netlab sniff -Z USER): once the capture
 * socket and the -w file are open, netlab needs no privilege at all, so it
 * becomes USER (as tcpdump -Z does) before it reads a single packet. Started
 * as root without -Z it becomes "nobody"; "-Z root" keeps root. Started
 * without root (file capabilities CAP_NET_RAW/CAP_NET_ADMIN) it gives up
 * every capability instead.
 */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli.h"

#define NL_DEFAULT_DROP_USER "nobody"

/* Clear the effective, permitted and inheritable sets (no libcap). */
static int drop_capabilities(void)
{
	struct __user_cap_header_struct hdr = {
	    .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	memset(data, 0, sizeof(data));
	return (int)syscall(SYS_capset, &hdr, data);
}

bool nl_cli_drop_privileges(const char *user, char *errbuf)
{
	bool root = geteuid() == 0 || getuid() == 0;
	if (!user) {
		if (!root) {
			/* nothing to become; just shed capabilities. EPERM
			 * cannot happen for clearing, so any failure is odd
			 * but harmless: we have no more than we had. */
			(void)drop_capabilities();
			return true;
		}
		user = NL_DEFAULT_DROP_USER;
	}
	errno = 0;
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		snprintf(errbuf, NL_ERRBUF_SIZE,
			 "cannot drop privileges: no user '%s'%s%s (use -Z "
			 "USER, or -Z root to keep root)",
			 user, errno ? ": " : "", errno ? strerror(errno) : "");
		return false;
	}
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;
	if (uid == 0)
		return true; /* -Z root: asked to keep root */
	if (!root && uid == geteuid() && uid == getuid()) {
		(void)drop_capabilities();
		return true;
	}
	/* Groups first: once the uid is gone setgroups/setgid fail. */
	if (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
		snprintf(errbuf, NL_ERRBUF_SIZE,
			 "cannot drop privileges to user '%s': %s", user,
			 strerror(errno));
		return false;
	}
	/* Verify: a drop that silently half-worked must not go on. */
	if (getuid() != uid || geteuid() != uid || getgid() != gid ||
	    getegid() != gid || setuid(0) == 0) {
		snprintf(errbuf, NL_ERRBUF_SIZE,
			 "privileges not dropped to user '%s' (uid %u "
			 "euid %u); refusing to go on",
			 user, (unsigned)getuid(), (unsigned)geteuid());
		return false;
	}
	return true;
}
