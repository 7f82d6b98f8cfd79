/*-------------------------------------------------------------------------
 *
 * test_delivery.c
 *		Deliveries of an export folder on a real tree: scan order in both
 *		layouts, the latest-copy manifest, problems (links, FIFOs, two
 *		manifests), opening files once, missing files, the lexical root
 *		check, hashing from the descriptors and the delivery key.
 *
 * IDENTIFICATION
 *		test/unit/test_delivery.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "delivery.h"

static char top[64];

/* write top/<rel> (folders created) */
static void
put(const char *rel, const char *text)
{
	char		p[512];
	char		cmd[600];
	FILE	   *f;

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", p);
	if (system(cmd) != 0)
		return;
	f = fopen(p, "w");
	if (f)
	{
		fputs(text, f);
		fclose(f);
	}
}

/* a manifest text for period YYYY-MM listing files (NULL-terminated) */
static char *
manifest(const char *exec, const char *period7, ...)
{
	static char buf[4096];
	va_list		ap;
	const char *f;
	size_t		o;
	bool		first = true;

	o = (size_t) snprintf(buf, sizeof(buf),
						  "{\"executionId\":\"%s\",\"billingPeriod\":{\"start\":\"%s-01T00:00:00.000Z\"},\"dataFiles\":[",
						  exec, period7);
	va_start(ap, period7);
	while ((f = va_arg(ap, const char *)) != NULL)
	{
		o += (size_t) snprintf(buf + o, sizeof(buf) - o, "%s\"s3://bucket/p/ex/%s\"", first ? "" : ",", f);
		first = false;
	}
	va_end(ap);
	snprintf(buf + o, sizeof(buf) - o, "]}");
	return buf;
}

/* the message of a failure, or "" */
static const char *
msg(const bc_derror *e)
{
	return e->message ? e->message : "";
}

UNIT_TEST(delivery_scan_and_open)
{
	char		tmpl[] = "/tmp/bc_unit_dl_XXXXXX";
	char		ex[256];
	char		p[512];
	bc_export_loc loc;
	bc_derror	err = {0};
	bc_delivery **ds;
	int			n;
	char		key1[65];
	char		key2[65];

	if (mkdtemp(tmpl) == NULL)
	{
		UNIT_FAIL("mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(top, sizeof(top), "%s", tmpl);
	snprintf(ex, sizeof(ex), "%s/root/ex", top);
	/* April: create-new, two executions plus the latest copy; stale chunk 3 ignored */
	put("root/ex/data/BILLING_PERIOD=2026-04/20260402T0100Z-e1/ex-00001.csv.gz", "one");
	put("root/ex/data/BILLING_PERIOD=2026-04/20260403T0100Z-e2/ex-00001.csv.gz", "two-a");
	put("root/ex/data/BILLING_PERIOD=2026-04/20260403T0100Z-e2/ex-00002.csv.gz", "two-b");
	put("root/ex/data/BILLING_PERIOD=2026-04/20260403T0100Z-e2/ex-00003.csv.gz", "stale");
	put("root/ex/metadata/BILLING_PERIOD=2026-04/20260402T0100Z-e1/ex-Manifest.json",
		manifest("e1", "2026-04", "data/BILLING_PERIOD=2026-04/20260402T0100Z-e1/ex-00001.csv.gz", NULL));
	put("root/ex/metadata/BILLING_PERIOD=2026-04/20260403T0100Z-e2/ex-Manifest.json",
		manifest("e2", "2026-04", "data/BILLING_PERIOD=2026-04/20260403T0100Z-e2/ex-00001.csv.gz",
				 "data/BILLING_PERIOD=2026-04/20260403T0100Z-e2/ex-00002.csv.gz", NULL));
	put("root/ex/metadata/BILLING_PERIOD=2026-04/ex-Manifest.json",
		manifest("e2", "2026-04", "data/BILLING_PERIOD=2026-04/20260403T0100Z-e2/ex-00001.csv.gz",
				 "data/BILLING_PERIOD=2026-04/20260403T0100Z-e2/ex-00002.csv.gz", NULL));
	/* May: overwrite layout, a missing file */
	put("root/ex/metadata/BILLING_PERIOD=2026-05/ex-Manifest.json",
		manifest("m1", "2026-05", "data/BILLING_PERIOD=2026-05/ex-00001.csv.gz",
				 "data/BILLING_PERIOD=2026-05/ex-00002.csv.gz", NULL));
	put("root/ex/data/BILLING_PERIOD=2026-05/ex-00001.csv.gz", "may");
	/* June: the manifest is a link to a file outside; July: two manifests; August: the folder is a link */
	put("outside/secret.json", "{\"executionId\":\"0123456789abcdef-api-key\"}");
	snprintf(p, sizeof(p), "%s/root/ex/metadata/BILLING_PERIOD=2026-06", top);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/root/ex/metadata/BILLING_PERIOD=2026-06/ex-Manifest.json", top);
	CHECK(symlink("../../../../outside/secret.json", p) == 0);
	put("root/ex/metadata/BILLING_PERIOD=2026-07/a-Manifest.json", manifest("j1", "2026-07", NULL));
	put("root/ex/metadata/BILLING_PERIOD=2026-07/b-Manifest.json", manifest("j2", "2026-07", NULL));
	snprintf(p, sizeof(p), "%s/root/ex/metadata/BILLING_PERIOD=2026-08", top);
	CHECK(symlink("../../../outside", p) == 0);
	/* September: a FIFO named like a manifest */
	snprintf(p, sizeof(p), "%s/root/ex/metadata/BILLING_PERIOD=2026-09", top);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/root/ex/metadata/BILLING_PERIOD=2026-09/ex-Manifest.json", top);
	CHECK(mkfifo(p, 0600) == 0);
	/* not a period folder: ignored */
	put("root/ex/metadata/notes/x-Manifest.json", "{}");

	snprintf(p, sizeof(p), "%s/root", top);
	CHECK(bc_export_locate(p, ex, false, &loc, &err));
	CHECK_STR_EQ(loc.export_path, ex);
	CHECK(bc_export_scan(loc.exportfd, loc.export_path, &ds, &n, &err));
	CHECK_INT_EQ(n, 8);
	if (n != 8)
		return;
	CHECK_STR_EQ(ds[0]->manifest_rel, "metadata/BILLING_PERIOD=2026-04/20260402T0100Z-e1/ex-Manifest.json");
	CHECK_STR_EQ(ds[1]->manifest_rel, "metadata/BILLING_PERIOD=2026-04/20260403T0100Z-e2/ex-Manifest.json");
	CHECK_STR_EQ(ds[2]->manifest_rel, "metadata/BILLING_PERIOD=2026-04/ex-Manifest.json");
	CHECK(!ds[1]->top_level && ds[2]->top_level);
	CHECK_STR_EQ(ds[3]->period, "2026-05-01");
	CHECK(ds[3]->problem == NULL);
	CHECK(ds[4]->problem != NULL && strstr(ds[4]->problem, "is a symbolic link, which is not followed"));
	CHECK(ds[5]->problem != NULL && strstr(ds[5]->problem, "holds 2 files named *Manifest.json"));
	CHECK(ds[6]->problem != NULL && strstr(ds[6]->problem, "BILLING_PERIOD=2026-08\" is a symbolic link"));
	CHECK(ds[7]->problem != NULL && strstr(ds[7]->problem, "is not a regular file"));

	/* April: files opened once, the top-level manifest is the latest copy */
	for (int i = 0; i < 3; i++)
		CHECK(bc_delivery_open(loc.exportfd, loc.export_path, ds[i], BC_DOPEN_FILES, &err));
	CHECK_STR_EQ(msg(&err), "");
	CHECK_INT_EQ(ds[1]->nfiles, 2);
	CHECK(ds[1]->files[0].fd >= 0 && ds[1]->files[1].fd >= 0);
	CHECK_INT_EQ(ds[1]->files[1].size, 5);
	snprintf(p, sizeof(p), "%s/data/BILLING_PERIOD=2026-04/20260403T0100Z-e2/ex-00002.csv.gz", ex);
	CHECK_STR_EQ(ds[1]->files[1].path, p);
	CHECK(!bc_delivery_is_copy(ds, 0));
	CHECK(!bc_delivery_is_copy(ds, 1));
	CHECK(bc_delivery_is_copy(ds, 2));
	/* hashed from the descriptor: the names no longer matter */
	snprintf(p, sizeof(p), "%s/data/BILLING_PERIOD=2026-04/20260403T0100Z-e2/ex-00001.csv.gz", ex);
	CHECK(unlink(p) == 0);
	CHECK(bc_delivery_hash(ds[1], NULL, NULL, &err));
	CHECK_STR_EQ(ds[1]->files[0].sha256, "8d41d555fa527974dd09e486da00a8f0f17a51f90c0aff0e85a81330e8460558");
	CHECK(bc_delivery_hash(ds[2], NULL, NULL, &err));
	CHECK_STR_EQ(ds[2]->files[0].sha256, ds[1]->files[0].sha256);
	/* the key: the same execution and bytes are the same delivery */
	bc_delivery_key(ds[1], key1);
	bc_delivery_key(ds[2], key2);
	CHECK_STR_EQ(key1, key2);
	bc_delivery_key(ds[0], key2);
	CHECK(strcmp(key1, key2) != 0);

	/* a missing file fails the load, and is only marked when inspecting */
	CHECK(!bc_delivery_open(loc.exportfd, loc.export_path, ds[3], BC_DOPEN_FILES, &err));
	CHECK(strstr(msg(&err), "ex-00002.csv.gz\", which could not be accessed: No such file or directory") != NULL);
	CHECK_INT_EQ(err.kind, BC_DFAIL_ACCESS);
	bc_derror_clear(&err);
	bc_delivery_close(ds[3]);
	bc_deliveries_free(ds, n);
	CHECK(bc_export_scan(loc.exportfd, loc.export_path, &ds, &n, &err));
	CHECK(bc_delivery_open(loc.exportfd, loc.export_path, ds[3], BC_DOPEN_INSPECT, &err));
	CHECK(!ds[3]->files[0].missing && ds[3]->files[1].missing);
	CHECK(ds[3]->files[0].fd == -1);
	CHECK_INT_EQ(ds[3]->files[0].size, 3);
	/* the link is refused without reading what it points at */
	CHECK(!bc_delivery_open(loc.exportfd, loc.export_path, ds[4], BC_DOPEN_FILES, &err));
	CHECK(strstr(msg(&err), "api-key") == NULL);
	bc_derror_clear(&err);
	/* a file that vanished before the open fails the delivery */
	CHECK(!bc_delivery_open(loc.exportfd, loc.export_path, ds[1], BC_DOPEN_FILES, &err));
	CHECK(strstr(msg(&err), "ex-00001.csv.gz\", which could not be accessed") != NULL);
	bc_derror_clear(&err);
	bc_deliveries_free(ds, n);
	close(loc.exportfd);

	/* outside the root: one answer, whether the path exists or not */
	snprintf(p, sizeof(p), "%s/root", top);
	CHECK(!bc_export_locate(p, "/etc", false, &loc, &err));
	CHECK_STR_EQ(msg(&err), "path \"/etc\" is outside bedrock_cost.export_root");
	CHECK_INT_EQ(err.kind, BC_DFAIL_OUTSIDE);
	bc_derror_clear(&err);
	CHECK(!bc_export_locate(p, "/nonexistent/x", false, &loc, &err));
	CHECK_STR_EQ(msg(&err), "path \"/nonexistent/x\" is outside bedrock_cost.export_root");
	bc_derror_clear(&err);
	CHECK(!bc_export_locate(p, "/etc/../tmp", false, &loc, &err));
	CHECK_STR_EQ(msg(&err), "path \"/etc/../tmp\" contains a \"..\" component");
	bc_derror_clear(&err);
	/* below the root, a link is not followed */
	snprintf(ex, sizeof(ex), "%s/root/ex/metadata/BILLING_PERIOD=2026-08", top);
	CHECK(!bc_export_locate(p, ex, false, &loc, &err));
	CHECK_INT_EQ(err.kind, BC_DFAIL_OUTSIDE);
	bc_derror_clear(&err);

	/* one file: its export is the folder above data/BILLING_PERIOD= */
	snprintf(ex, sizeof(ex), "%s/root/ex/data/BILLING_PERIOD=2026-05/ex-00001.csv.gz", top);
	CHECK(bc_export_locate(p, ex, true, &loc, &err));
	snprintf(p, sizeof(p), "%s/root/ex", top);
	CHECK_STR_EQ(loc.export_path, p);
	CHECK_STR_EQ(loc.file_rel, "data/BILLING_PERIOD=2026-05/ex-00001.csv.gz");
	{
		bc_delivery *d = bc_delivery_of_file(loc.exportfd, loc.export_path, loc.file_rel, &err);

		CHECK(d != NULL && d->files[0].fd >= 0 && d->files[0].size == 3);
		bc_delivery_free(d);
	}
	close(loc.exportfd);
	/* without a root the named folder is the base */
	CHECK(bc_export_locate(NULL, ex, true, &loc, &err));
	CHECK_STR_EQ(loc.export_path, p);
	close(loc.exportfd);
	snprintf(ex, sizeof(ex), "%s/outside/secret.json", top);
	CHECK(bc_export_locate(NULL, ex, true, &loc, &err));
	snprintf(p, sizeof(p), "%s/outside", top);
	CHECK_STR_EQ(loc.export_path, p);
	CHECK_STR_EQ(loc.file_rel, "secret.json");
	close(loc.exportfd);

	snprintf(p, sizeof(p), "rm -rf '%s'", top);
	CHECK(system(p) == 0);
}

UNIT_TEST(delivery_period_folders)
{
	char		out[11];

	CHECK(bc_period_of_folder("BILLING_PERIOD=2026-04", out));
	CHECK_STR_EQ(out, "2026-04-01");
	CHECK(bc_period_of_folder("BILLING_PERIOD=1999-12", out));
	CHECK(!bc_period_of_folder("BILLING_PERIOD=2026-13", out));
	CHECK(!bc_period_of_folder("BILLING_PERIOD=2026-00", out));
	CHECK(!bc_period_of_folder("BILLING_PERIOD=2026-4", out));
	CHECK(!bc_period_of_folder("BILLING_PERIOD=2026-04x", out));
	CHECK(!bc_period_of_folder("BILLING_PERIOD=0026-04", out));
	CHECK(!bc_period_of_folder("billing_period=2026-04", out));
}
