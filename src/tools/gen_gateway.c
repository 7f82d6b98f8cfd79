/*-------------------------------------------------------------------------
 *
 * gen_gateway.c
 *		The request log of the generator's AI gateway (--gateway-log) and the
 *		ground truth of its split.
 *
 * Every session of role LLMGatewayShared is the gateway.  Its billed token
 * usage of the latest delivery of a period is summed per usage day, model
 * and token kind; the log then gives each (day, model, kind) to four users
 * at 4:3:2:1 of its billed tokens (alice and bob of team-a, carol of
 * team-b, dave of no team), one request each, in LiteLLM's
 * "LiteLLM_SpendLogs" shape (gateway/litellm_spend_logs-YYYY-MM.csv), with
 * noise:
 *
 *	- the model named three ways, by day: bedrock/<model>,
 *	  bedrock/converse/<model>, <model>;
 *	- one failed request a day (status failure, a billion tokens);
 *	- eve of team-c, with no bill: requests on the first day of the next
 *	  month, which the bill of this one never covers;
 *	- an estimated spend (spend) 5% above the billed cost, cut to 1e-10 USD.
 *
 * The truth, ground_truth/gateway_split-YYYY-MM.csv: per (day, model, kind) and
 * user, the tokens and the billed share, the billed cost rounded to the cent
 * and split by the largest remainder (ties by user), exactly as
 * bedrock_cost.gateway_chargeback must have it, and eve's unmatched tokens;
 * ground_truth/gateway_drift-YYYY-MM.csv: per day and model, the drift of the
 * estimate in percent, rounded to 2 decimals.  Models that
 * bedrock_cost.model_key takes for one (the runtime and the OpenAI-
 * compatible names of one model: openai.gpt-oss-120b and gpt-oss-120b) are
 * pooled, as the split pools them.
 *
 * IDENTIFICATION
 *		src/tools/gen_gateway.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "usage_type.h"

#define GW_ROLE "/LLMGatewayShared"
#define GW_USERS 4
#define GW_MAX_MODELS 64

static const char *const gw_user[GW_USERS] = {"alice", "bob", "carol", "dave"};
static const char *const gw_team[GW_USERS] = {"team-a", "team-a", "team-b", ""};
static const int gw_weight[GW_USERS] = {4, 3, 2, 1};

/* a billed cell: the gateway's cost and tokens of one day, model and kind */
typedef struct gw_cell
{
	bc_gen_i128 cost;
	bc_gen_i128 tokens;
} gw_cell;

static gw_cell *cells;			/* [ndays][nmodels][4] */
static int	cells_days;
static char models[GW_MAX_MODELS][128];	/* the model as parsed: first name seen of a pool */
static int	nmodels;

/*
 * The model index of a model name, pooled as model_key pools names without
 * an alias of their own: by bc_model_normalize (vendor prefix off, lower
 * case); -1 when full
 */
static int
model_index(const char *model)
{
	char		want[128],
				have[128];

	bc_model_normalize(model, strlen(model), want, sizeof(want));
	for (int i = 0; i < nmodels; i++)
	{
		bc_model_normalize(models[i], strlen(models[i]), have, sizeof(have));
		if (strcmp(have, want) == 0)
			return i;
	}
	if (nmodels == GW_MAX_MODELS)
		return -1;
	snprintf(models[nmodels], sizeof(models[nmodels]), "%s", model);
	return nmodels++;
}

/*
 * The model of a row as the bill's parser sees it (bc_usage_type_parse and
 * bc_row_model, the code parse_usage_type runs): the SKU's usage type in
 * the row's region, or its Bedrock Edition product name; "" when none.
 */
static void
parsed_model(const gen_sku *s, int region, char *out, size_t n)
{
	char		ut[512];
	bc_usage_type u;
	bc_slice	m;

	bc_gen_usage_type(ut, sizeof(ut), s, &bc_gen_regions[region]);
	bc_usage_type_parse(ut, strlen(ut), &u);
	m = bc_row_model(&u, s->product_name, s->product_name ? strlen(s->product_name) : 0);
	snprintf(out, n, "%.*s", (int) m.len, m.ptr ? m.ptr : "");
}

static gw_cell *
cell(int day, int model, int kind)
{
	return &cells[((size_t) day * GW_MAX_MODELS + model) * 4 + kind];
}

void
bc_gen_gateway_begin(int ndays)
{
	free(cells);
	cells = calloc((size_t) ndays * GW_MAX_MODELS * 4, sizeof(gw_cell));
	if (cells == NULL)
		bc_gen_die("out of memory");
	cells_days = ndays;
}

void
bc_gen_gateway_add(const gen_world *w, const gen_row_truth *rt)
{
	const gen_sku *s;
	const char *role;
	char		model[128];
	size_t		n;
	int			m;

	if (rt->principal < 0 || rt->sku < 0 || !rt->bedrock || rt->day < 0 || rt->day >= cells_days)
		return;
	role = w->principals[rt->principal].role;
	n = strlen(role);
	if (n < strlen(GW_ROLE) || strcmp(role + n - strlen(GW_ROLE), GW_ROLE) != 0)
		return;
	s = &bc_gen_skus[rt->sku];
	if (s->kind > GK_CACHE_WRITE)
		return;					/* usage of no token kind: not in the log */
	parsed_model(s, rt->region, model, sizeof(model));
	if (model[0] == '\0')
		return;
	if ((m = model_index(model)) < 0)
		bc_gen_die("more than %d gateway models", GW_MAX_MODELS);
	cell(rt->day, m, s->kind)->cost += rt->cost;
	cell(rt->day, m, s->kind)->tokens += rt->tokens;
}

/* a / b rounded half away from zero (b > 0) */
static bc_gen_i128
div_round(bc_gen_i128 a, bc_gen_i128 b)
{
	bc_gen_i128 q = a / b,
				r = a % b;

	if (2 * (r < 0 ? -r : r) >= b)
		q += a < 0 ? -1 : 1;
	return q;
}

/* one request of the log: the tokens of one kind */
static void
put_request(FILE *f, long *id, const char *day_text, int hh, const char *user, const char *team,
			const char *model, int kind, bc_gen_i128 tokens, bc_gen_i128 spend, const char *status)
{
	char		sp[BC_GEN_DEC_BUFSZ];
	long long	t = (long long) tokens;
	long long	prompt = kind == GK_OUTPUT ? 0 : t;
	long long	completion = kind == GK_OUTPUT ? t : 0;

	bc_gen_fmt_decimal(sp, spend, GEN_COST_SCALE, BC_GEN_DEC_PLAIN);
	fprintf(f, "req-%08ld,%s %02d:00:00,%s,%s,%lld,%lld,%lld,%s,%s,%s,%s,key-%s,"
			"\"{\"\"usage_object\"\": {\"\"cache_read_input_tokens\"\": %lld, \"\"cache_creation_input_tokens\"\": %lld}}\",%s\n",
			++*id, day_text, hh, model, model, prompt, completion, prompt + completion, sp,
			user, "", team, user,
			kind == GK_CACHE_READ ? t : 0LL, kind == GK_CACHE_WRITE ? t : 0LL, status);
}

/* the model as the gateway names it on a day */
static void
gateway_name(char *buf, size_t n, const char *model, int day)
{
	static const char *const route[] = {"bedrock/", "bedrock/converse/", ""};

	snprintf(buf, n, "%s%.200s", route[day % 3], model);
}

void
bc_gen_gateway_write(const char *dir, int year, int month)
{
	char		path[4200];
	FILE	   *log,
			   *split,
			   *drift;
	long		id = 0;
	int			next_y = month == 12 ? year + 1 : year,
				next_m = month == 12 ? 1 : month + 1;
	char		next_day[40];

	snprintf(path, sizeof(path), "%s/gateway", dir);
	bc_gen_mkdirs(path);
	snprintf(path, sizeof(path), "%s/gateway/litellm_spend_logs-%04d-%02d.csv", dir, year, month);
	if ((log = fopen(path, "w")) == NULL)
		bc_gen_die("cannot write %s", path);
	fprintf(log, "request_id,startTime,model,model_group,prompt_tokens,completion_tokens,total_tokens,"
			"spend,user,end_user,team_id,api_key,metadata,status\n");
	snprintf(path, sizeof(path), "%s/ground_truth/gateway_split-%04d-%02d.csv", dir, year, month);
	if ((split = fopen(path, "w")) == NULL)
		bc_gen_die("cannot write %s", path);
	fprintf(split, "line,usage_date,model,token_kind,user_key,team_key,tokens,billed_share\n");
	snprintf(path, sizeof(path), "%s/ground_truth/gateway_drift-%04d-%02d.csv", dir, year, month);
	if ((drift = fopen(path, "w")) == NULL)
		bc_gen_die("cannot write %s", path);
	fprintf(drift, "usage_date,model,billed_cost,estimated_spend,drift_percent\n");
	snprintf(next_day, sizeof(next_day), "%04d-%02d-01", next_y, next_m);

	for (int day = 0; day < cells_days; day++)
	{
		char		day_text[40];
		int			failed = 0;

		snprintf(day_text, sizeof(day_text), "%04d-%02d-%02d", year, month, day + 1);
		for (int m = 0; m < nmodels; m++)
		{
			bc_gen_i128 billed = 0,
						estimated = 0;
			char		name[256];

			gateway_name(name, sizeof(name), models[m], day);
			for (int k = 0; k <= GK_CACHE_WRITE; k++)
			{
				gw_cell    *c = cell(day, m, k);
				bc_gen_i128 t[GW_USERS],
							floor_c[GW_USERS],
							rem[GW_USERS],
							given = 0,
							pool,
							left,
							used = 0;
				int			order[GW_USERS];

				if (c->tokens <= 0)
					continue;
				billed += c->cost;
				for (int u = 0; u < GW_USERS; u++)
				{
					t[u] = u < GW_USERS - 1 ? c->tokens * gw_weight[u] / 10 : c->tokens - used;
					used += t[u];
				}
				/* the cost in cents, split by the largest remainder */
				pool = div_round(c->cost, 100000000);
				for (int u = 0; u < GW_USERS; u++)
				{
					floor_c[u] = t[u] > 0 ? (pool < 0 ? -pool : pool) * t[u] / c->tokens : 0;
					rem[u] = t[u] > 0 ? (pool < 0 ? -pool : pool) * t[u] % c->tokens : -1;
					given += floor_c[u];
					order[u] = u;
				}
				for (int a = 1; a < GW_USERS; a++)
					for (int b = a; b > 0 && rem[order[b]] > rem[order[b - 1]]; b--)
					{
						int			x = order[b];

						order[b] = order[b - 1];
						order[b - 1] = x;
					}
				left = (pool < 0 ? -pool : pool) - given;
				for (int i = 0; i < GW_USERS; i++)
				{
					int			u = order[i];
					bc_gen_i128 cents = floor_c[u] + (i < left ? 1 : 0);
					bc_gen_i128 spend = c->cost * 105 * t[u] / (100 * c->tokens);
					char		share[BC_GEN_DEC_BUFSZ];

					if (t[u] <= 0)
						continue;
					bc_gen_fmt_decimal(share, pool < 0 ? -cents : cents, 2, BC_GEN_DEC_FIXED);
					fprintf(split, "split,%s,%s,%s,%s,%s,%lld,%s\n", day_text, models[m],
							bc_gen_kind_names[k], gw_user[u], gw_team[u], (long long) t[u], share);
					put_request(log, &id, day_text, 1 + u, gw_user[u], gw_team[u], name, k, t[u], spend,
								"success");
					estimated += spend;
				}
				if (!failed)
				{
					put_request(log, &id, day_text, 23, "alice", "team-a", name, GK_INPUT, 1000000000,
								c->cost, "failure");
					failed = 1;
				}
			}
			if (billed != 0)
			{
				char		b[BC_GEN_DEC_BUFSZ],
							e[BC_GEN_DEC_BUFSZ],
							d[BC_GEN_DEC_BUFSZ];

				bc_gen_fmt_decimal(b, billed, GEN_COST_SCALE, BC_GEN_DEC_FIXED);
				bc_gen_fmt_decimal(e, estimated, GEN_COST_SCALE, BC_GEN_DEC_FIXED);
				bc_gen_fmt_decimal(d, div_round((estimated - billed) * 10000, billed), 2, BC_GEN_DEC_FIXED);
				fprintf(drift, "%s,%s,%s,%s,%s\n", day_text, models[m], b, e, d);
			}
		}
	}
	/* eve: a day this month's bill never reaches, and no bill at all */
	for (int m = 0; m < nmodels && m < 2; m++)
	{
		char		name[256];

		gateway_name(name, sizeof(name), models[m], 0);
		put_request(log, &id, next_day, 10, "eve", "team-c", name, GK_INPUT, 4242 + m, 1, "success");
		fprintf(split, "unmatched_log,%s,%s,input,eve,team-c,%d,0.00\n", next_day, models[m], 4242 + m);
	}
	if (fclose(log) != 0 || fclose(split) != 0 || fclose(drift) != 0)
		bc_gen_die("error writing the gateway log of %04d-%02d", year, month);
	free(cells);
	cells = NULL;
	nmodels = 0;
}
