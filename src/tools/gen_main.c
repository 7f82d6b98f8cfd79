/*-------------------------------------------------------------------------
 *
 * gen_main.c
 *		bedrock-cost-gen: command line of the synthetic CUR 2.0 export
 *		generator.
 *
 * IDENTIFICATION
 *		src/tools/gen_main.c
 *
 *-------------------------------------------------------------------------
 */
#include "gen.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void bc_gen_export_run(const gen_config *cfg);

const char *const bc_gen_fault_names[GF_NFAULT] = {
	"none", "truncated-gzip", "corrupt-bytes", "missing-file", "ragged-row",
	"bad-number", "bad-arn", "huge-field", "non-utf8", "bom", "missing-column",
	"bad-timestamp", "nul-byte", "usage-end-before-start", "usage-outside-period",
	"huge-cost"
};

const char *const bc_gen_fault_docs[GF_NFAULT] = {
	"no fault",
	"chunk 1 cut to half its size",
	"16 bytes in the middle of chunk 1's compressed stream XORed with 0xA5",
	"the last chunk is deleted; the manifest still lists it",
	"one row of chunk 1 has 3 fields fewer than the header",
	"one row's line_item_unblended_cost is 12.3.4e",
	"one row's line_item_iam_principal is arn:aws:iam:123456789012:user",
	"one row's line_item_line_item_description is 2 MiB long",
	"one row's description holds invalid UTF-8 (C3 28, FF FE)",
	"chunk 1 starts with a UTF-8 byte order mark",
	"line_item_unblended_cost is absent from every chunk (still in the manifest)",
	"one row's line_item_usage_start_date is 2025-13-45T99:61:00Z",
	"one row's description holds a NUL byte",
	"one Bedrock row's usage end date is a day before its start",
	"one Bedrock row's usage dates are 4 years before the billing period",
	"one row's line_item_unblended_cost has 39 digits"
};

/* usage text */
static void
usage(FILE *f)
{
	int			i;

	fprintf(f,
			"bedrock-cost-gen: write a synthetic AWS CUR 2.0 export (Data Exports layout,\n"
			"gzip CSV chunks and manifests) with Amazon Bedrock line items, plus its exact\n"
			"ground truth in <out>/<export>/ground_truth/.\n\n"
			"Usage: bedrock-cost-gen --out DIR --export NAME [options]\n\n"
			"  --out DIR               parent folder of the export (created)\n"
			"  --export NAME           export name: folder and file prefix\n"
			"  --seed N                PRNG seed (default 1); same seed, same bytes\n"
			"  --rows N                data rows per billing period (default 10000)\n"
			"  --periods N             billing periods (default 1)\n"
			"  --start YYYY-MM         first billing period (default 2026-04)\n"
			"  --principals N          distinct IAM principals, >= 13 (default 40)\n"
			"  --mode overwrite|create-new   Data Exports file versioning (default overwrite)\n"
			"  --restate               the first period gets two deliveries; the second\n"
			"                          restates it with other totals and fewer chunks\n"
			"  --initial-only          with --restate: stop before the restatement\n"
			"  --through-day N         the last period is in progress: usage on days 1..N only\n"
			"  --spikes N              plant N spike series (1..8, needs --periods >= 2): a pipeline\n"
			"                          job steady every day, 5x on one day of the last period;\n"
			"                          ground_truth/spikes.csv and spike_settings.csv\n"
			"  --gateway-log           write the request log of the gateway role LLMGatewayShared,\n"
			"                          shaped like LiteLLM's \"LiteLLM_SpendLogs\", per period\n"
			"                          (gateway/litellm_spend_logs-YYYY-MM.csv), and the truth\n"
			"                          of its split (ground_truth/gateway_split-YYYY-MM.csv,\n"
			"                          gateway_drift-YYYY-MM.csv)\n"
			"  --columns full|default|minimal   131, 117 or 114 columns (default full)\n"
			"  --shuffle-columns       shuffle the column order of every delivery\n"
			"  --chunk-rows N          rows per gzip chunk (default 100000)\n"
			"  --gzip-level N          1..9 (default 1)\n"
			"  --crlf                  end lines with CR LF\n"
			"  --s3-prefix URL         prefix of manifest dataFiles (default s3://bedrock-cost-example/cur)\n"
			"  --fault KIND            damage the latest delivery of the last period:\n");
	for (i = 1; i < GF_NFAULT; i++)
		fprintf(f, "      %-22s %s\n", bc_gen_fault_names[i], bc_gen_fault_docs[i]);
	fprintf(f,
			"  --quiet                 no progress lines\n"
			"  --help                  this text\n");
}

/* parse a positive integer option */
static long
parse_long(const char *opt, const char *v, long min, long max)
{
	char	   *end;
	long		x;

	errno = 0;
	x = strtol(v, &end, 10);
	if (errno || end == v || *end || x < min || x > max)
		bc_gen_die("invalid value \"%s\" for %s (expected an integer from %ld to %ld)", v, opt, min, max);
	return x;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"out", required_argument, NULL, 'o'},
		{"export", required_argument, NULL, 'e'},
		{"seed", required_argument, NULL, 's'},
		{"rows", required_argument, NULL, 'r'},
		{"periods", required_argument, NULL, 'p'},
		{"start", required_argument, NULL, 'S'},
		{"principals", required_argument, NULL, 'P'},
		{"mode", required_argument, NULL, 'm'},
		{"restate", no_argument, NULL, 'R'},
		{"initial-only", no_argument, NULL, 'I'},
		{"through-day", required_argument, NULL, 'T'},
		{"spikes", required_argument, NULL, 'K'},
		{"gateway-log", no_argument, NULL, 'G'},
		{"columns", required_argument, NULL, 'c'},
		{"shuffle-columns", no_argument, NULL, 'X'},
		{"fault", required_argument, NULL, 'f'},
		{"chunk-rows", required_argument, NULL, 'k'},
		{"gzip-level", required_argument, NULL, 'z'},
		{"crlf", no_argument, NULL, 'L'},
		{"s3-prefix", required_argument, NULL, 'u'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	gen_config	cfg;
	int			c,
				i;

	memset(&cfg, 0, sizeof(cfg));
	cfg.seed = 1;
	cfg.rows = 10000;
	cfg.periods = 1;
	cfg.start_year = 2026;
	cfg.start_month = 4;
	cfg.principals = 40;
	cfg.chunk_rows = 100000;
	cfg.gzip_level = 1;
	cfg.s3_prefix = "s3://bedrock-cost-example/cur";

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
	{
		switch (c)
		{
			case 'o':
				cfg.out = optarg;
				break;
			case 'e':
				cfg.export_name = optarg;
				break;
			case 's':
				{
					char	   *end;

					errno = 0;
					cfg.seed = strtoull(optarg, &end, 10);
					if (errno || end == optarg || *end)
						bc_gen_die("invalid value \"%s\" for --seed", optarg);
					break;
				}
			case 'r':
				cfg.rows = parse_long("--rows", optarg, 1, 1000000000L);
				break;
			case 'p':
				cfg.periods = (int) parse_long("--periods", optarg, 1, 120);
				break;
			case 'S':
				if (sscanf(optarg, "%4d-%2d", &cfg.start_year, &cfg.start_month) != 2 ||
					strlen(optarg) != 7 || cfg.start_month < 1 || cfg.start_month > 12 ||
					cfg.start_year < 2000 || cfg.start_year > 2999)
					bc_gen_die("invalid value \"%s\" for --start (expected YYYY-MM)", optarg);
				break;
			case 'P':
				cfg.principals = (int) parse_long("--principals", optarg, 13, 1000000);
				break;
			case 'm':
				if (strcmp(optarg, "overwrite") == 0)
					cfg.create_new = 0;
				else if (strcmp(optarg, "create-new") == 0)
					cfg.create_new = 1;
				else
					bc_gen_die("invalid value \"%s\" for --mode (expected overwrite or create-new)", optarg);
				break;
			case 'R':
				cfg.restate = 1;
				break;
			case 'I':
				cfg.initial_only = 1;
				break;
			case 'T':
				cfg.through_day = (int) parse_long("--through-day", optarg, 1, 28);
				break;
			case 'K':
				cfg.spikes = (int) parse_long("--spikes", optarg, 1, 8);
				break;
			case 'G':
				cfg.gateway_log = 1;
				break;
			case 'c':
				if (strcmp(optarg, "full") == 0)
					cfg.colset = 0;
				else if (strcmp(optarg, "default") == 0)
					cfg.colset = 1;
				else if (strcmp(optarg, "minimal") == 0)
					cfg.colset = 2;
				else
					bc_gen_die("invalid value \"%s\" for --columns (expected full, default or minimal)", optarg);
				break;
			case 'X':
				cfg.shuffle = 1;
				break;
			case 'f':
				for (i = 1; i < GF_NFAULT; i++)
					if (strcmp(optarg, bc_gen_fault_names[i]) == 0)
						cfg.fault = i;
				if (cfg.fault == GF_NONE)
					bc_gen_die("unknown fault \"%s\" (see --help for the list)", optarg);
				break;
			case 'k':
				cfg.chunk_rows = parse_long("--chunk-rows", optarg, 1, 1000000000L);
				break;
			case 'z':
				cfg.gzip_level = (int) parse_long("--gzip-level", optarg, 1, 9);
				break;
			case 'L':
				cfg.crlf = 1;
				break;
			case 'u':
				cfg.s3_prefix = optarg;
				break;
			case 'q':
				cfg.quiet = 1;
				break;
			case 'h':
				usage(stdout);
				return 0;
			default:
				usage(stderr);
				return 2;
		}
	}
	if (optind < argc)
		bc_gen_die("unexpected argument \"%s\" (see --help)", argv[optind]);
	if (!cfg.out || !cfg.export_name)
		bc_gen_die("--out and --export are required (see --help)");
	if (!cfg.export_name[0] || strchr(cfg.export_name, '/'))
		bc_gen_die("invalid export name \"%s\"", cfg.export_name);
	if (cfg.initial_only && !cfg.restate)
		bc_gen_die("--initial-only needs --restate");
	if (cfg.spikes > 0 && cfg.periods < 2)
		bc_gen_die("--spikes needs --periods 2 or more (a spike is measured against the 14 days before it)");
	bc_gen_export_run(&cfg);
	return 0;
}
