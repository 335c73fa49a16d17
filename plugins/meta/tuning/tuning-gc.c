/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tuning-gc.c — GC of tuning's dataDir: a backup names its attachment
 * ("ccniAttachment", the tag of net/tag.h), so GC removes those of the
 * network's attachments that are not in cni.dev/valid-attachments; backups
 * without it (the reference's) are left alone. A backup's temp file goes
 * by the same rule, and temporary files of the older per-process names
 * (FILE.tmp.PID) whose writer has died go too.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "net/tag.h"
#include "plugins/meta/tuning/tuning.h"

#define BACKUP_MAX 65536

DEFINE_CLEANUP(DIR *, closedir)

/* Is the backup `name` in dir one of a gone attachment of the network? */
static bool stale_backup(int dirfd, const char *name, const struct ccni_request *req)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	_cleanup_free_ char *text = NULL;
	_cleanup_json_ json_t *o = NULL;
	struct stat st;
	size_t len;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    !(text = util_read_fd(fd, BACKUP_MAX, &len)) || !(o = json_loadb(text, len, 0, NULL)))
		return false;
	return tag_is_stale(json_string_value(json_object_get(o, "ccniAttachment")), req->name,
			    req->valid_attachments);
}

int tuning_gc(const struct ccni_request *req, struct ccni_result **out, struct ccni_error *err)
{
	_cleanup_(tuning_conf_clear) struct tuning_conf c = { 0 };
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *e;
	size_t n;

	(void)out;
	if (tuning_conf_parse(req, &c, err) < 0)
		return -1;
	d = opendir(c.data_dir);
	if (!d)
		return errno == ENOENT ? 0 :
		       ccni_error_errno(err, CCNI_ERR_IO, errno, "dataDir: cannot read \"%s\"",
					c.data_dir);
	while ((e = readdir(d))) {
		n = strlen(e->d_name);
		/* a backup, or one's temp file (named per attachment, and
		 * holding the backup's text once written), of a gone
		 * attachment; temp files of the older per-process names */
		if (util_tmp_is_orphan(e->d_name) ||
		    (((n > 5 && strcmp(e->d_name + n - 5, ".json") == 0) ||
		      (n > 9 && strcmp(e->d_name + n - 9, ".json.tmp") == 0)) &&
		     stale_backup(dirfd(d), e->d_name, req)))
			unlinkat(dirfd(d), e->d_name, 0);
	}
	return 0;
}
