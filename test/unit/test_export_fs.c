/*-------------------------------------------------------------------------
 *
 * test_export_fs.c
 *		Path rules and link-free opening below a base folder: canonical
 *		forms, lexical containment, relative path rules, and the opening of
 *		folders and files on a real tree with links, a FIFO and a file
 *		replaced by a link.
 *
 * IDENTIFICATION
 *		test/unit/test_export_fs.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "export_fs.h"

UNIT_TEST(fs_canonical)
{
	char		out[BC_FS_PATH_MAX + 1];
	const char *rel;

	CHECK_INT_EQ(bc_fs_canonical("/srv//cur/./x/", out), BC_FS_OK);
	CHECK_STR_EQ(out, "/srv/cur/x");
	CHECK_INT_EQ(bc_fs_canonical("/", out), BC_FS_OK);
	CHECK_STR_EQ(out, "/");
	CHECK_INT_EQ(bc_fs_canonical("//./", out), BC_FS_OK);
	CHECK_STR_EQ(out, "/");
	CHECK_INT_EQ(bc_fs_canonical("srv/cur", out), BC_FS_NOT_ABSOLUTE);
	CHECK_INT_EQ(bc_fs_canonical("/srv/cur/../etc", out), BC_FS_BAD_PATH);
	CHECK_INT_EQ(bc_fs_canonical("/srv/cur/..", out), BC_FS_BAD_PATH);
	CHECK_INT_EQ(bc_fs_canonical("/srv/c\nur", out), BC_FS_BAD_PATH);
	CHECK_INT_EQ(bc_fs_canonical("/srv/a..b/..c/d..", out), BC_FS_OK);

	CHECK(bc_fs_has_dotdot(".."));
	CHECK(bc_fs_has_dotdot("../x"));
	CHECK(bc_fs_has_dotdot("/srv/cur/../etc"));
	CHECK(!bc_fs_has_dotdot("/srv/cur/a..b"));
	CHECK(!bc_fs_has_dotdot("/srv/./cur"));

	CHECK_INT_EQ(bc_fs_under("/srv/cur", "/srv/cur", &rel), BC_FS_OK);
	CHECK_STR_EQ(rel, "");
	CHECK_INT_EQ(bc_fs_under("/srv/cur/x/y.csv.gz", "/srv/cur", &rel), BC_FS_OK);
	CHECK_STR_EQ(rel, "x/y.csv.gz");
	CHECK_INT_EQ(bc_fs_under("/srv/curious/x", "/srv/cur", &rel), BC_FS_OUTSIDE);
	CHECK_INT_EQ(bc_fs_under("/srv", "/srv/cur", &rel), BC_FS_OUTSIDE);
	CHECK_INT_EQ(bc_fs_under("/anything/x", "/", &rel), BC_FS_OK);
	CHECK_STR_EQ(rel, "anything/x");

	CHECK_INT_EQ(bc_fs_check_rel("a/b.csv.gz", false), BC_FS_OK);
	CHECK_INT_EQ(bc_fs_check_rel("", false), BC_FS_BAD_PATH);
	CHECK_INT_EQ(bc_fs_check_rel("", true), BC_FS_OK);
	CHECK_INT_EQ(bc_fs_check_rel("/a", false), BC_FS_BAD_PATH);
	CHECK_INT_EQ(bc_fs_check_rel("a//b", false), BC_FS_BAD_PATH);
	CHECK_INT_EQ(bc_fs_check_rel("a/./b", false), BC_FS_BAD_PATH);
	CHECK_INT_EQ(bc_fs_check_rel("a/../b", false), BC_FS_BAD_PATH);
	CHECK_INT_EQ(bc_fs_check_rel("a/", false), BC_FS_BAD_PATH);
	CHECK_INT_EQ(bc_fs_check_rel("a/b\x01", false), BC_FS_BAD_PATH);
}

/* write a small file */
static void
put(const char *path, const char *text)
{
	FILE	   *f = fopen(path, "w");

	if (f)
	{
		fputs(text, f);
		fclose(f);
	}
}

UNIT_TEST(fs_open_below_base)
{
	char		tmpl[] = "/tmp/bc_unit_fs_XXXXXX";
	char	   *top = mkdtemp(tmpl);
	char		p[512];
	int			base;
	int			fd;
	int			e = 0;
	struct stat st;
	char	   *buf;
	size_t		len;
	bc_fs_entry *ents;
	int			n;

	if (top == NULL)
	{
		UNIT_FAIL("mkdtemp: %s", strerror(errno));
		return;
	}
	/* top/base/{a/f.txt, link -> ../outside, a/flink -> ../../outside/secret, fifo}, top/outside/secret */
	snprintf(p, sizeof(p), "%s/base", top);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/base/a", top);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/outside", top);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/outside/secret", top);
	put(p, "root:$6$hash\n");
	snprintf(p, sizeof(p), "%s/base/a/f.txt", top);
	put(p, "hello");
	snprintf(p, sizeof(p), "%s/base/link", top);
	CHECK(symlink("../outside", p) == 0);
	snprintf(p, sizeof(p), "%s/base/a/flink", top);
	CHECK(symlink("../../outside/secret", p) == 0);
	snprintf(p, sizeof(p), "%s/base/fifo", top);
	CHECK(mkfifo(p, 0600) == 0);

	snprintf(p, sizeof(p), "%s/base", top);
	CHECK_INT_EQ(bc_fs_open_base(p, &base, &e), BC_FS_OK);
	CHECK_INT_EQ(bc_fs_open_base("relative", &fd, &e), BC_FS_NOT_ABSOLUTE);

	CHECK_INT_EQ(bc_fs_open_file(base, "a/f.txt", &fd, &st, &e), BC_FS_OK);
	CHECK_INT_EQ(st.st_size, 5);
	CHECK_INT_EQ(bc_fs_read_all(fd, 100, &buf, &len, &e), BC_FS_OK);
	CHECK_STR_EQ(buf, "hello");
	free(buf);
	CHECK_INT_EQ(bc_fs_read_all(fd, 4, &buf, &len, &e), BC_FS_TOO_BIG);
	close(fd);

	/* links are never followed, whatever they point at */
	CHECK_INT_EQ(bc_fs_open_file(base, "a/flink", &fd, &st, &e), BC_FS_SYMLINK);
	CHECK(fd == -1);
	CHECK_INT_EQ(bc_fs_open_file(base, "link/secret", &fd, &st, &e), BC_FS_SYMLINK);
	CHECK_INT_EQ(bc_fs_open_dir(base, "link", &fd, &e), BC_FS_SYMLINK);
	CHECK_INT_EQ(bc_fs_stat(base, "a/flink", &st, &e), BC_FS_SYMLINK);
	/* a FIFO is refused without being opened (an open would block) */
	CHECK_INT_EQ(bc_fs_open_file(base, "fifo", &fd, &st, &e), BC_FS_NOT_REGULAR);
	CHECK_INT_EQ(bc_fs_open_dir(base, "fifo", &fd, &e), BC_FS_NOT_DIR);
	CHECK_INT_EQ(bc_fs_open_file(base, "a", &fd, &st, &e), BC_FS_NOT_REGULAR);
	CHECK_INT_EQ(bc_fs_open_file(base, "a/missing", &fd, &st, &e), BC_FS_NOT_FOUND);
	CHECK_INT_EQ(bc_fs_open_file(base, "nope/f.txt", &fd, &st, &e), BC_FS_NOT_FOUND);
	CHECK_INT_EQ(bc_fs_open_file(base, "a/f.txt/x", &fd, &st, &e), BC_FS_NOT_DIR);
	CHECK_INT_EQ(bc_fs_open_file(base, "../outside/secret", &fd, &st, &e), BC_FS_BAD_PATH);
	CHECK_INT_EQ(bc_fs_open_file(base, "/etc/passwd", &fd, &st, &e), BC_FS_BAD_PATH);

	CHECK_INT_EQ(bc_fs_open_dir(base, "a", &fd, &e), BC_FS_OK);
	CHECK_INT_EQ(bc_fs_list(fd, &ents, &n, &e), BC_FS_OK);
	CHECK_INT_EQ(n, 2);
	if (n == 2)
	{
		CHECK_STR_EQ(ents[0].name, "f.txt");
		CHECK_INT_EQ(ents[0].kind, BC_FS_KIND_FILE);
		CHECK_STR_EQ(ents[1].name, "flink");
		CHECK_INT_EQ(ents[1].kind, BC_FS_KIND_SYMLINK);
	}
	bc_fs_list_free(ents, n);
	close(fd);
	CHECK_INT_EQ(bc_fs_list(base, &ents, &n, &e), BC_FS_OK);
	CHECK_INT_EQ(n, 3);
	if (n == 3)
	{
		CHECK_STR_EQ(ents[0].name, "a");
		CHECK_INT_EQ(ents[0].kind, BC_FS_KIND_DIR);
		CHECK_INT_EQ(ents[1].kind, BC_FS_KIND_OTHER);
		CHECK_INT_EQ(ents[2].kind, BC_FS_KIND_SYMLINK);
	}
	bc_fs_list_free(ents, n);
	close(base);

	/* clean up */
	snprintf(p, sizeof(p), "rm -rf '%s'", top);
	CHECK(system(p) == 0);
}
