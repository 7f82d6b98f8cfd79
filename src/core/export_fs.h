/*-------------------------------------------------------------------------
 *
 * export_fs.h
 *		The one way bedrock_cost reads files of an export: path rules, and
 *		opening folders and files below a base folder without following
 *		symbolic links, once, from a descriptor.
 *
 * A base folder is opened by its absolute path (bc_fs_open_base): the
 * configured bedrock_cost.export_root, or a folder a superuser or the
 * client's own user named.  Links in the base path itself are followed:
 * it was chosen by someone trusted to choose it.  Everything below it is
 * reached by relative paths (no "..", "." or empty components) walked one
 * component at a time with openat(O_NOFOLLOW): a symbolic link anywhere
 * below the base is refused (BC_FS_SYMLINK), never followed, so no path
 * can lead out of the base.  A file is checked with fstatat before it is
 * opened (so a FIFO or a device is never opened), opened with O_NOFOLLOW
 * | O_NONBLOCK | O_CLOEXEC, and checked again on the descriptor: regular,
 * and the same inode as checked.  The caller then hashes and reads that
 * descriptor and nothing else: no file is opened twice by name.
 *
 * Whether a path lies under a base is decided lexically, on the
 * canonical form of the path (bc_fs_canonical, bc_fs_under), before
 * anything touches the file system, so an answer never depends on, and
 * never reveals, what exists outside the base.
 *
 * Messages name paths only as the caller gave them; nothing read from a
 * file is ever part of a status here.
 *
 * IDENTIFICATION
 *		src/core/export_fs.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_EXPORT_FS_H
#define BC_EXPORT_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* longest path handled, and longest component */
#define BC_FS_PATH_MAX		4096
#define BC_FS_NAME_MAX		255

typedef enum bc_fs_status
{
	BC_FS_OK = 0,
	BC_FS_NOT_ABSOLUTE,			/* a base path that is not absolute */
	BC_FS_BAD_PATH,				/* "..", ".", empty component, control char, too long */
	BC_FS_OUTSIDE,				/* not lexically under the base */
	BC_FS_NOT_FOUND,			/* a component does not exist */
	BC_FS_SYMLINK,				/* a component below the base is a symbolic link */
	BC_FS_NOT_DIR,				/* a component that must be a folder is not one */
	BC_FS_NOT_REGULAR,			/* the file is a FIFO, device, socket or folder */
	BC_FS_CHANGED,				/* replaced between the check and the open */
	BC_FS_TOO_BIG,				/* bc_fs_read_all: larger than allowed */
	BC_FS_NOMEM,
	BC_FS_IO					/* any other system error (sys_errno) */
} bc_fs_status;

/* what a name in a folder is (bc_fs_list) */
typedef enum bc_fs_kind
{
	BC_FS_KIND_FILE,
	BC_FS_KIND_DIR,
	BC_FS_KIND_SYMLINK,
	BC_FS_KIND_OTHER			/* FIFO, device, socket, vanished */
} bc_fs_kind;

/* an entry of a folder listing */
typedef struct bc_fs_entry
{
	char	   *name;
	bc_fs_kind	kind;
} bc_fs_entry;

/*
 * Canonical form of an absolute path, lexically: repeated slashes folded,
 * "." components and a trailing slash removed.  A ".." component, a
 * control character, a component over BC_FS_NAME_MAX or a path over
 * BC_FS_PATH_MAX is BC_FS_BAD_PATH; a
 * relative path BC_FS_NOT_ABSOLUTE.  out has room for BC_FS_PATH_MAX + 1.
 */
extern bc_fs_status bc_fs_canonical(const char *path, char *out);

/*
 * Whether canonical path lies at or below canonical base, lexically; on
 * success *rel points into path at the part below base ("" for the base
 * itself).  BC_FS_OUTSIDE otherwise.
 */
extern bc_fs_status bc_fs_under(const char *path, const char *base, const char **rel);

/*
 * Check a path relative to a base: not empty unless allow_empty, not
 * absolute, no empty, "." or ".." component, no control character,
 * components of at most BC_FS_NAME_MAX bytes.
 */
extern bc_fs_status bc_fs_check_rel(const char *rel, bool allow_empty);

/* true when path has a ".." component (any form of path) */
extern bool bc_fs_has_dotdot(const char *path);

/*
 * Open a base folder by absolute path (links in it followed).  *fd is an
 * O_DIRECTORY descriptor the caller closes.
 */
extern bc_fs_status bc_fs_open_base(const char *path, int *fd, int *sys_errno);

/*
 * Open the folder rel below the folder basefd ("" or "." for basefd
 * itself: a new descriptor of it), walking every component without
 * following links.
 */
extern bc_fs_status bc_fs_open_dir(int basefd, const char *rel, int *fd, int *sys_errno);

/*
 * Open the regular file rel below basefd for reading, walking without
 * following links, checked before and after the open (see above).  *st
 * (may be NULL) receives the descriptor's fstat.
 */
extern bc_fs_status bc_fs_open_file(int basefd, const char *rel, int *fd,
									struct stat *st, int *sys_errno);

/*
 * lstat of rel below basefd, walking the folders without following
 * links; a final component that is a link is BC_FS_SYMLINK.
 */
extern bc_fs_status bc_fs_stat(int basefd, const char *rel, struct stat *st,
							   int *sys_errno);

/*
 * The entries of the folder dirfd (not consumed: a duplicate is read),
 * without "." and "..", sorted by name (strcmp), each classified without
 * following links.  Free with bc_fs_list_free.
 */
extern bc_fs_status bc_fs_list(int dirfd, bc_fs_entry **entries, int *n,
							   int *sys_errno);
extern void bc_fs_list_free(bc_fs_entry *entries, int n);

/*
 * Read a whole file from fd (from offset 0, with pread) into a malloc'd,
 * NUL-terminated buffer; BC_FS_TOO_BIG when it exceeds max bytes.
 */
extern bc_fs_status bc_fs_read_all(int fd, size_t max, char **buf, size_t *len,
								   int *sys_errno);

/* static lower-case text of a status, e.g. "is a symbolic link" */
extern const char *bc_fs_strerror(bc_fs_status st);

#endif							/* BC_EXPORT_FS_H */
