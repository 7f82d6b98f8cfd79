/*-------------------------------------------------------------------------
 *
 * export_fs.c
 *		Path rules and link-free opening of files below a base folder
 *		(see export_fs.h).
 *
 * IDENTIFICATION
 *		src/core/export_fs.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "export_fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* flags of every open below a base */
#define DIR_FLAGS	(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
#define FILE_FLAGS	(O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)

/* set *sys_errno when wanted */
static bc_fs_status
sys_fail(bc_fs_status st, int e, int *sys_errno)
{
	if (sys_errno)
		*sys_errno = e;
	return st;
}

/* the status of a failed openat / fstatat of a component */
static bc_fs_status
status_of_errno(int e)
{
	switch (e)
	{
		case ENOENT:
			return BC_FS_NOT_FOUND;
		case ELOOP:
			return BC_FS_SYMLINK;
		case ENOTDIR:
			return BC_FS_NOT_DIR;
		case ENOMEM:
			return BC_FS_NOMEM;
		default:
			return BC_FS_IO;
	}
}

bool
bc_fs_has_dotdot(const char *path)
{
	const char *p = path;

	while ((p = strstr(p, "..")) != NULL)
	{
		bool		start = (p == path || p[-1] == '/');
		bool		end = (p[2] == '\0' || p[2] == '/');

		if (start && end)
			return true;
		p += 2;
	}
	return false;
}

bc_fs_status
bc_fs_canonical(const char *path, char *out)
{
	size_t		o = 0;
	const char *p = path;

	if (path[0] != '/')
		return BC_FS_NOT_ABSOLUTE;
	for (const char *c = path; *c; c++)
		if ((unsigned char) *c < 0x20 || *c == 0x7f)
			return BC_FS_BAD_PATH;
	if (bc_fs_has_dotdot(path))
		return BC_FS_BAD_PATH;
	while (*p)
	{
		const char *seg;
		size_t		n;

		while (*p == '/')
			p++;
		seg = p;
		while (*p && *p != '/')
			p++;
		n = (size_t) (p - seg);
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n > BC_FS_NAME_MAX || o + 1 + n > BC_FS_PATH_MAX)
			return BC_FS_BAD_PATH;
		out[o++] = '/';
		memcpy(out + o, seg, n);
		o += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return BC_FS_OK;
}

bc_fs_status
bc_fs_under(const char *path, const char *base, const char **rel)
{
	size_t		n = strlen(base);

	if (n == 1 && base[0] == '/')
	{
		*rel = path + 1;
		return BC_FS_OK;
	}
	if (strncmp(path, base, n) != 0 || (path[n] != '\0' && path[n] != '/'))
		return BC_FS_OUTSIDE;
	*rel = path[n] == '/' ? path + n + 1 : path + n;
	return BC_FS_OK;
}

bc_fs_status
bc_fs_check_rel(const char *rel, bool allow_empty)
{
	const char *p = rel;

	if (rel[0] == '\0')
		return allow_empty ? BC_FS_OK : BC_FS_BAD_PATH;
	if (rel[0] == '/' || strlen(rel) > BC_FS_PATH_MAX)
		return BC_FS_BAD_PATH;
	for (;;)
	{
		const char *seg = p;
		size_t		n;

		while (*p && *p != '/')
		{
			if ((unsigned char) *p < 0x20 || *p == 0x7f)
				return BC_FS_BAD_PATH;
			p++;
		}
		n = (size_t) (p - seg);
		if (n == 0 || n > BC_FS_NAME_MAX || (n == 1 && seg[0] == '.') ||
			(n == 2 && seg[0] == '.' && seg[1] == '.'))
			return BC_FS_BAD_PATH;
		if (*p == '\0')
			return BC_FS_OK;
		p++;
	}
}

bc_fs_status
bc_fs_open_base(const char *path, int *fd, int *sys_errno)
{
	*fd = -1;
	if (path[0] != '/')
		return BC_FS_NOT_ABSOLUTE;
	*fd = open(path, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
	if (*fd < 0)
	{
		int			e = errno;

		*fd = -1;
		/* links in the base path are followed: ELOOP there is a loop, not a refusal */
		return sys_fail(e == ELOOP ? BC_FS_IO : status_of_errno(e), e, sys_errno);
	}
	return BC_FS_OK;
}

/*
 * Walk the folders of rel below basefd (every component but the last)
 * without following links.  Returns an owned descriptor of the folder the
 * last component is in (a duplicate of basefd when rel has one component)
 * and points *last at that component.
 */
static bc_fs_status
walk_parent(int basefd, const char *rel, int *parent, const char **last, int *sys_errno)
{
	char		name[BC_FS_NAME_MAX + 1];
	const char *p = rel;
	int			cur;

	*parent = -1;
	cur = fcntl(basefd, F_DUPFD_CLOEXEC, 0);
	if (cur < 0)
		return sys_fail(BC_FS_IO, errno, sys_errno);
	for (;;)
	{
		const char *slash = strchr(p, '/');
		size_t		n;
		int			next;

		if (slash == NULL)
			break;
		n = (size_t) (slash - p);
		memcpy(name, p, n);
		name[n] = '\0';
		next = openat(cur, name, DIR_FLAGS);
		if (next < 0)
		{
			int			e = errno;
			struct stat sb;

			/* O_DIRECTORY | O_NOFOLLOW on a link: ENOTDIR, told apart here */
			if (e == ENOTDIR && fstatat(cur, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
				S_ISLNK(sb.st_mode))
				e = ELOOP;
			close(cur);
			return sys_fail(status_of_errno(e), e, sys_errno);
		}
		close(cur);
		cur = next;
		p = slash + 1;
	}
	*parent = cur;
	*last = p;
	return BC_FS_OK;
}

bc_fs_status
bc_fs_open_dir(int basefd, const char *rel, int *fd, int *sys_errno)
{
	bc_fs_status st;
	int			parent;
	const char *last;

	*fd = -1;
	if (rel[0] == '\0' || strcmp(rel, ".") == 0)
	{
		*fd = fcntl(basefd, F_DUPFD_CLOEXEC, 0);
		return *fd < 0 ? sys_fail(BC_FS_IO, errno, sys_errno) : BC_FS_OK;
	}
	if ((st = bc_fs_check_rel(rel, false)) != BC_FS_OK)
		return st;
	if ((st = walk_parent(basefd, rel, &parent, &last, sys_errno)) != BC_FS_OK)
		return st;
	*fd = openat(parent, last, DIR_FLAGS);
	if (*fd < 0)
	{
		int			e = errno;
		struct stat sb;

		/* a FIFO or file: ENOTDIR; a link: ELOOP or ENOTDIR, told apart */
		if (e == ENOTDIR && fstatat(parent, last, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
			S_ISLNK(sb.st_mode))
			e = ELOOP;
		close(parent);
		*fd = -1;
		return sys_fail(status_of_errno(e), e, sys_errno);
	}
	close(parent);
	return BC_FS_OK;
}

bc_fs_status
bc_fs_stat(int basefd, const char *rel, struct stat *st, int *sys_errno)
{
	bc_fs_status rc;
	int			parent;
	const char *last;

	if ((rc = bc_fs_check_rel(rel, false)) != BC_FS_OK)
		return rc;
	if ((rc = walk_parent(basefd, rel, &parent, &last, sys_errno)) != BC_FS_OK)
		return rc;
	if (fstatat(parent, last, st, AT_SYMLINK_NOFOLLOW) != 0)
	{
		int			e = errno;

		close(parent);
		return sys_fail(status_of_errno(e), e, sys_errno);
	}
	close(parent);
	return S_ISLNK(st->st_mode) ? BC_FS_SYMLINK : BC_FS_OK;
}

bc_fs_status
bc_fs_open_file(int basefd, const char *rel, int *fd, struct stat *st, int *sys_errno)
{
	bc_fs_status rc;
	int			parent;
	const char *last;
	struct stat before;
	struct stat after;

	*fd = -1;
	if ((rc = bc_fs_check_rel(rel, false)) != BC_FS_OK)
		return rc;
	if ((rc = walk_parent(basefd, rel, &parent, &last, sys_errno)) != BC_FS_OK)
		return rc;
	/* never open what is not a regular file: a FIFO would block, a device act */
	if (fstatat(parent, last, &before, AT_SYMLINK_NOFOLLOW) != 0)
	{
		int			e = errno;

		close(parent);
		return sys_fail(status_of_errno(e), e, sys_errno);
	}
	if (S_ISLNK(before.st_mode))
	{
		close(parent);
		return BC_FS_SYMLINK;
	}
	if (!S_ISREG(before.st_mode))
	{
		close(parent);
		return BC_FS_NOT_REGULAR;
	}
	*fd = openat(parent, last, FILE_FLAGS);
	if (*fd < 0)
	{
		int			e = errno;

		close(parent);
		*fd = -1;
		return sys_fail(status_of_errno(e), e, sys_errno);
	}
	close(parent);
	if (fstat(*fd, &after) != 0)
	{
		int			e = errno;

		close(*fd);
		*fd = -1;
		return sys_fail(BC_FS_IO, e, sys_errno);
	}
	if (!S_ISREG(after.st_mode) || after.st_dev != before.st_dev ||
		after.st_ino != before.st_ino)
	{
		close(*fd);
		*fd = -1;
		return BC_FS_CHANGED;
	}
	if (st)
		*st = after;
	return BC_FS_OK;
}

/* qsort comparator of entries by name */
static int
cmp_entries(const void *a, const void *b)
{
	return strcmp(((const bc_fs_entry *) a)->name, ((const bc_fs_entry *) b)->name);
}

void
bc_fs_list_free(bc_fs_entry *entries, int n)
{
	for (int i = 0; i < n; i++)
		free(entries[i].name);
	free(entries);
}

bc_fs_status
bc_fs_list(int dirfd, bc_fs_entry **entries, int *n, int *sys_errno)
{
	int			fd = openat(dirfd, ".", DIR_FLAGS);
	DIR		   *dh;
	struct dirent *de;
	bc_fs_entry *list = NULL;
	int			cap = 0;
	int			count = 0;

	*entries = NULL;
	*n = 0;
	if (fd < 0)
		return sys_fail(BC_FS_IO, errno, sys_errno);
	dh = fdopendir(fd);
	if (dh == NULL)
	{
		int			e = errno;

		close(fd);
		return sys_fail(BC_FS_IO, e, sys_errno);
	}
	errno = 0;
	while ((de = readdir(dh)) != NULL)
	{
		struct stat sb;
		bc_fs_kind	kind = BC_FS_KIND_OTHER;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0)
			kind = S_ISREG(sb.st_mode) ? BC_FS_KIND_FILE :
				S_ISDIR(sb.st_mode) ? BC_FS_KIND_DIR :
				S_ISLNK(sb.st_mode) ? BC_FS_KIND_SYMLINK : BC_FS_KIND_OTHER;
		if (count == cap)
		{
			bc_fs_entry *grown;

			cap = cap ? cap * 2 : 32;
			grown = realloc(list, (size_t) cap * sizeof(bc_fs_entry));
			if (grown == NULL)
				goto nomem;
			list = grown;
		}
		list[count].name = strdup(de->d_name);
		if (list[count].name == NULL)
			goto nomem;
		list[count++].kind = kind;
		errno = 0;
	}
	if (errno != 0)
	{
		int			e = errno;

		closedir(dh);
		bc_fs_list_free(list, count);
		return sys_fail(BC_FS_IO, e, sys_errno);
	}
	closedir(dh);
	if (count > 1)
		qsort(list, count, sizeof(bc_fs_entry), cmp_entries);
	*entries = list;
	*n = count;
	return BC_FS_OK;

nomem:
	closedir(dh);
	bc_fs_list_free(list, count);
	return BC_FS_NOMEM;
}

bc_fs_status
bc_fs_read_all(int fd, size_t max, char **buf, size_t *len, int *sys_errno)
{
	struct stat sb;
	size_t		cap;
	size_t		have = 0;
	char	   *b;

	*buf = NULL;
	*len = 0;
	if (fstat(fd, &sb) != 0)
		return sys_fail(BC_FS_IO, errno, sys_errno);
	if ((uint64_t) sb.st_size > max)
		return BC_FS_TOO_BIG;
	cap = (size_t) sb.st_size + 1;
	b = malloc(cap + 1);
	if (b == NULL)
		return BC_FS_NOMEM;
	/* the file may grow while read: read to its end, within max */
	for (;;)
	{
		ssize_t		r;

		if (have == cap)
		{
			char	   *grown;

			if (cap > max)
			{
				free(b);
				return BC_FS_TOO_BIG;
			}
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			grown = realloc(b, cap + 1);
			if (grown == NULL)
			{
				free(b);
				return BC_FS_NOMEM;
			}
			b = grown;
		}
		r = pread(fd, b + have, cap - have, (off_t) have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
		{
			int			e = errno;

			free(b);
			return sys_fail(BC_FS_IO, e, sys_errno);
		}
		if (r == 0)
			break;
		have += (size_t) r;
	}
	if (have > max)
	{
		free(b);
		return BC_FS_TOO_BIG;
	}
	b[have] = '\0';
	*buf = b;
	*len = have;
	return BC_FS_OK;
}

const char *
bc_fs_strerror(bc_fs_status st)
{
	switch (st)
	{
		case BC_FS_OK:
			return "no error";
		case BC_FS_NOT_ABSOLUTE:
			return "is not an absolute path";
		case BC_FS_BAD_PATH:
			return "is not a usable path (a \"..\" or \".\" component, an empty component, a control character, or too long)";
		case BC_FS_OUTSIDE:
			return "is outside the folder loads may read";
		case BC_FS_NOT_FOUND:
			return "does not exist";
		case BC_FS_SYMLINK:
			return "is or passes through a symbolic link (not followed)";
		case BC_FS_NOT_DIR:
			return "is not a folder";
		case BC_FS_NOT_REGULAR:
			return "is not a regular file";
		case BC_FS_CHANGED:
			return "was replaced while it was being opened";
		case BC_FS_TOO_BIG:
			return "is too large";
		case BC_FS_NOMEM:
			return "could not be read: out of memory";
		case BC_FS_IO:
			return "could not be opened";
	}
	return "unknown file status";
}
