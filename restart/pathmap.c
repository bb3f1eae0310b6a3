/* myrestart --map OLD=NEW: a job restarted in another directory, or on a
 * node where scratch has another path, finds its files under their new
 * names.  Every path the restart uses (files it reopens or puts back,
 * files mapped shared, the working directory) goes through pathmap():
 * the longest OLD that is the whole path or a leading part of it ending
 * at a '/' is replaced by its NEW.  The image itself is not changed. */
#include "restart.h"

#define PATHMAP_MAX 16
static struct { const char *old, *new; unsigned old_len, new_len; } maps[PATHMAP_MAX];
static unsigned nmaps;

/* "OLD=NEW" from the command line; 0, or 1 after one line */
int pathmap_add(const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1] || arg[0] != '/' || eq[1] != '/')
		return report(0, "bad --map '%s' (want --map /OLD=/NEW, absolute paths)", arg);
	if (nmaps == PATHMAP_MAX)
		return report(0, "too many --map options (at most 16)");
	maps[nmaps].old = arg;
	maps[nmaps].old_len = eq - arg;
	while (maps[nmaps].old_len > 1 && arg[maps[nmaps].old_len - 1] == '/')
		maps[nmaps].old_len--;                /* "/a/b/" means "/a/b" */
	maps[nmaps].new = eq + 1;
	maps[nmaps].new_len = strlen(eq + 1);
	nmaps++;
	return 0;
}

/* what a refusal adds when a file is missing: how to say where it went */
const char *pathmap_hint(long err)
{
	return err == -ENOENT && !nmaps ? " (moved? myrestart --map OLD=NEW names its new place)" : "";
}

/* path as the restart uses it: path itself, or its rewrite in buf
 * (CKPT_NAME_MAX bytes; a rewrite that does not fit is left as it was,
 * and will be missing) */
const char *pathmap(const char *path, char *buf)
{
	unsigned best = 0, n, rest;
	int k = -1;

	for (unsigned i = 0; i < nmaps; i++) {
		n = maps[i].old_len;
		if (n > best && !strncmp(path, maps[i].old, n) && (path[n] == 0 || path[n] == '/'))
			best = n, k = i;
	}
	if (k < 0)
		return path;
	rest = strlen(path + best);
	if (maps[k].new_len + rest >= CKPT_NAME_MAX)
		return path;
	memcpy(buf, maps[k].new, maps[k].new_len);
	memcpy(buf + maps[k].new_len, path + best, rest + 1);
	return buf;
}
