/*-------------------------------------------------------------------------
 *
 * client_main.c
 *		bedrock-cost-load: load AWS CUR 2.0 exports that the database
 *		server cannot read into the bedrock_cost extension, over libpq.
 *
 *	bedrock-cost-load [OPTION]... EXPORT_DIR	every delivery of an export
 *	bedrock-cost-load [OPTION]... FILE...		each file as a delivery
 *
 * Exit codes: 0 success (including deliveries already loaded), 2 usage,
 * 3 bad input (a delivery failed its checks; it is recorded as failed and
 * nothing of it was loaded), 4 connection failure, 5 server-side failure
 * (extension missing or of another version, SQL error).  With several
 * problems the highest code wins.
 *
 * IDENTIFICATION
 *		src/client/client_main.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "client.h"

static const char *progname = "bedrock-cost-load";

/* the --help text */
static void
usage(FILE *fp)
{
	fprintf(fp,
			"bedrock-cost-load loads AWS CUR 2.0 exports into the bedrock_cost extension\n"
			"over a normal PostgreSQL connection, for files the database server cannot read.\n"
			"\n"
			"Usage:\n"
			"  bedrock-cost-load [OPTION]... EXPORT_DIR   load every new delivery of an export\n"
			"  bedrock-cost-load [OPTION]... FILE...      load each file as its period's delivery\n"
			"\n"
			"Files are read, checked and transformed here, with the same code and the same\n"
			"rules as bedrock_cost.load_export; each delivery is streamed with COPY and\n"
			"committed in one transaction, or not at all.\n"
			"\n"
			"Options:\n"
			"  -d, --dbname=CONNINFO   database name, connection string or URI\n"
			"  -h, --host=HOST         server host or socket directory\n"
			"  -p, --port=PORT         server port\n"
			"  -U, --username=USER     user name\n"
			"  -n, --dry-run           check the files and print their totals; no connection\n"
			"      --complete          FILE is its period's whole delivery, although the\n"
			"                          period's manifest lists other files (recorded)\n"
			"      --max-rejected-rows=N  with --dry-run: rows that may be rejected (default 0;\n"
			"                          a real load uses bedrock_cost.max_rejected_rows)\n"
			"  -q, --quiet             no progress bar, no per-delivery lines\n"
			"      --json              print a JSON summary on stdout\n"
			"      --help              show this help and exit\n"
			"      --version           show the version and exit\n"
			"\n"
			"Connection settings also come from the PG* environment variables, ~/.pgpass\n"
			"and the service file, as for psql.\n"
			"\n"
			"Exit status: 0 success (deliveries already loaded count as success), 2 usage\n"
			"error, 3 bad input (the delivery is recorded as failed, nothing of it loaded),\n"
			"4 connection failure, 5 server-side failure (extension missing or of another\n"
			"version, SQL error).  The highest applies when several occur.\n");
}

/* human output of one delivery */
static void
report(const cl_options *o, const cl_delivery *d)
{
	const char *where = d->manifest_path ? d->manifest_path :
		(d->nfiles > 0 ? d->files[0].path : "");

	if (d->error != NULL)
		fprintf(stderr, "%s: error: %s\n", progname, d->error);
	if (o->quiet || o->json)
		return;
	if (strcmp(d->status, "noop") == 0)
		printf("%s  noop   load %lld: same delivery as load %lld (%s)\n",
			   d->period, (long long) d->load_id, (long long) d->same_as, where);
	else if (strcmp(d->status, "stale") == 0)
		printf("%s  stale  load %lld: older than the current delivery, load %lld (%s)\n",
			   d->period, (long long) d->load_id, (long long) d->same_as, where);
	else if (strcmp(d->status, "duplicate") == 0)
		printf("%s  duplicate load %lld: the same delivery is current under another export, load %lld (%s)\n",
			   d->period, (long long) d->load_id, (long long) d->same_as, where);
	else if (strcmp(d->status, "failed") == 0)
		printf("%s  failed%s%lld (%s)\n", d->period[0] ? d->period : "----------",
			   d->load_id > 0 ? " load " : "", (long long) d->load_id, where);
	else
	{
		bc_buf		t;

		if (strcmp(d->status, "done") == 0)
			printf("%s  done   load %lld: %lld rows loaded, %lld rejected, %lld other rows, %.1fs (%s)\n",
				   d->period, (long long) d->load_id, (long long) d->xf.rows_loaded,
				   (long long) d->xf.rows_rejected, (long long) d->xf.rows_other,
				   d->seconds, where);
		else
			printf("%s  checked: %lld rows read, %lld Bedrock, %lld rejected, %lld other (%s)\n",
				   d->period, (long long) d->xf.rows_read, (long long) d->xf.rows_loaded,
				   (long long) d->xf.rows_rejected, (long long) d->xf.rows_other, where);
		if (!o->dry_run)
			return;
		printf("  %-20s %-7s %10s %9s %24s %24s %24s\n", "line_item_type", "bedrock",
			   "rows", "rejected", "unblended_cost", "net_unblended_cost",
			   "rejected_unblended_cost");
		bc_buf_init(&t);
		for (int i = 0; i < d->xf.ntotals; i++)
		{
			const bc_xf_total *x = &d->xf.totals[i];
			char		net[64] = "";
			char		rejected[64];

			bc_buf_reset(&t);
			if (x->net_present)
			{
				bc_xsum_text(&x->net, &t);
				snprintf(net, sizeof(net), "%s", t.data);
				bc_buf_reset(&t);
			}
			bc_xsum_text(&x->rejected, &t);
			snprintf(rejected, sizeof(rejected), "%s", t.data);
			bc_buf_reset(&t);
			bc_xsum_text(&x->unblended, &t);
			printf("  %-20s %-7s %10lld %9lld %24s %24s %24s\n", x->line_item_type,
				   x->is_bedrock ? "yes" : "no", (long long) x->rows,
				   (long long) x->rejected_rows, t.data, net, rejected);
		}
		bc_buf_free(&t);
	}
}

/* print an error and exit */
static void
die(int code, const char *msg)
{
	fprintf(stderr, "%s: error: %s\n", progname, msg);
	exit(code);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"dbname", required_argument, NULL, 'd'},
		{"host", required_argument, NULL, 'h'},
		{"port", required_argument, NULL, 'p'},
		{"username", required_argument, NULL, 'U'},
		{"dry-run", no_argument, NULL, 'n'},
		{"quiet", no_argument, NULL, 'q'},
		{"json", no_argument, NULL, 1},
		{"help", no_argument, NULL, 2},
		{"version", no_argument, NULL, 3},
		{"max-rejected-rows", required_argument, NULL, 4},
		{"debug-pause-after", required_argument, NULL, 5},	/* test only */
		{"complete", no_argument, NULL, 6},
		{NULL, 0, NULL, 0}
	};
	cl_options o;
	cl_delivery **ds = NULL;
	int			nd = 0;
	int			c;
	int			code = EXIT_OK;
	PGconn	   *conn = NULL;
	struct stat st;
	char	   *error = NULL;

	memset(&o, 0, sizeof(o));
	signal(SIGPIPE, SIG_IGN);
	while ((c = getopt_long(argc, argv, "d:h:p:U:nq", longopts, NULL)) != -1)
	{
		switch (c)
		{
			case 'd':
				o.dbname = optarg;
				break;
			case 'h':
				o.host = optarg;
				break;
			case 'p':
				o.port = optarg;
				break;
			case 'U':
				o.user = optarg;
				break;
			case 'n':
				o.dry_run = true;
				break;
			case 'q':
				o.quiet = true;
				break;
			case 1:
				o.json = true;
				break;
			case 2:
				usage(stdout);
				return EXIT_OK;
			case 3:
				printf("bedrock-cost-load %s\n", BC_CLIENT_EXTVERSION);
				return EXIT_OK;
			case 4:
				o.max_rejected = atoi(optarg);
				if (o.max_rejected < 0)
					die(EXIT_USAGE, "--max-rejected-rows must be 0 or more");
				break;
			case 5:
				o.debug_pause_after = atoll(optarg);
				break;
			case 6:
				o.complete = true;
				break;
			default:
				fprintf(stderr, "Try \"%s --help\" for more information.\n", progname);
				return EXIT_USAGE;
		}
	}
	if (optind >= argc)
	{
		fprintf(stderr, "%s: error: no export folder or file given\n"
				"Try \"%s --help\" for more information.\n", progname, progname);
		return EXIT_USAGE;
	}
	o.progress = !o.quiet && isatty(STDERR_FILENO);

	/* what to load */
	if (argc - optind == 1 && stat(argv[optind], &st) == 0 && S_ISDIR(st.st_mode))
	{
		int			rc = cl_find_deliveries(argv[optind], &ds, &nd, &error);

		if (rc != 0)
			die(rc, error);
	}
	else
	{
		ds = calloc(argc - optind, sizeof(cl_delivery *));
		if (ds == NULL)
			die(EXIT_INPUT, "out of memory");
		for (int i = optind; i < argc; i++)
		{
			cl_delivery *d = cl_file_delivery(argv[i], &error, &code);

			if (d == NULL)
				die(stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? EXIT_USAGE : code,
					error);
			d->complete = o.complete;
			ds[nd++] = d;
		}
	}

	if (!o.dry_run)
	{
		conn = cl_connect(&o, &error, &code);
		if (conn == NULL)
			die(code, error ? error : "could not connect");
	}

	for (int i = 0; i < nd; i++)
	{
		cl_delivery *d = ds[i];

		/* the latest-copy manifest repeats a versioned one: skip it */
		if (d->top_level && cl_read_manifest(d) && cl_is_latest_copy(d))
		{
			d->status = NULL;
			continue;
		}
		cl_load_delivery(&o, conn, d);
		if (d->status == NULL)
			d->status = "failed";
		report(&o, d);
		if (d->exit_code > code)
			code = d->exit_code;
		if (d->exit_code == EXIT_CONNECTION)
			break;
	}

	if (o.json)
	{
		bc_buf		b;
		bool		first = true;

		bc_buf_init(&b);
		bc_buf_printf(&b, "{\"version\": \"%s\", \"dry_run\": %s, \"exit_code\": %d, \"deliveries\": [",
					  BC_CLIENT_EXTVERSION, o.dry_run ? "true" : "false", code);
		for (int i = 0; i < nd; i++)
		{
			if (ds[i]->status == NULL)
				continue;
			if (!first)
				bc_buf_put(&b, ", ", 2);
			first = false;
			cl_delivery_json(ds[i], &b, false);
		}
		bc_buf_puts(&b, "]}\n");
		fwrite(b.data, 1, b.len, stdout);
		bc_buf_free(&b);
	}
	if (conn)
		PQfinish(conn);
	return code;
}
