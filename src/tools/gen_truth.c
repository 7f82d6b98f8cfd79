/*-------------------------------------------------------------------------
 *
 * gen_truth.c
 *		Exact ground truth of each generated delivery, written as CSV files
 *		that load into PostgreSQL with \copy ... csv header.
 *
 * Rows are summed as 128-bit integers of 1e-10 USD while they are
 * generated; the per-principal, per-SKU and per-type accumulators are then
 * grouped into the published tables.  Conventions: billing_period is the
 * first day of the month; an absent value (no role, no person, no model,
 * the untagged bucket's value) is an empty unquoted field, i.e. NULL.
 *
 * IDENTIFICATION
 *		src/tools/gen_truth.c
 *
 *-------------------------------------------------------------------------
 */
#include "gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum
{
	TF_SUMMARY, TF_PRINCIPAL, TF_ROLE, TF_PERSON, TF_TAG, TF_MODEL,
	TF_USAGE_TYPE, TF_LIT, TF_TAG_MODEL, TF_PRINCIPAL_MODEL, TF_BUDGETS,
	TF_BUDGET_STATUS, TF_SPIKES, TF_SPIKE_SETTINGS, TF_COST_TAG, TF_ACCOUNT, TF_RESOURCE, TF_N
};

static const char *const tf_names[TF_N] = {
	"summary.csv", "by_principal.csv", "by_role.csv", "by_person.csv",
	"by_tag.csv", "by_model_token.csv", "by_usage_type.csv", "by_line_item_type.csv",
	"by_tag_model.csv", "by_principal_model.csv", "budgets.csv", "budget_status.csv",
	"spikes.csv", "spike_settings.csv", "by_cost_tag.csv", "by_account.csv", "by_resource.csv"
};

#define KEYCOLS "billing_period,delivery,execution_id,latest"
#define SUMCOLS "line_items,cost,net_cost,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens"

static const char *const tf_headers[TF_N] = {
	KEYCOLS ",measure," SUMCOLS,
	KEYCOLS ",principal,principal_type,account_id,partition,role,person," SUMCOLS,
	KEYCOLS ",role," SUMCOLS,
	KEYCOLS ",person," SUMCOLS,
	KEYCOLS ",tag_key,tag_value,untagged," SUMCOLS,
	KEYCOLS ",model,token_kind,line_items,tokens,cost,net_cost",
	KEYCOLS ",product_code,usage_type,model,token_kind,pricing_unit,line_items,tokens,cost,net_cost",
	KEYCOLS ",line_item_type,is_bedrock,line_items,cost,net_cost",
	KEYCOLS ",tag_key,tag_value,untagged,model_key,vendor," SUMCOLS,
	KEYCOLS ",principal,model_key,vendor," SUMCOLS,
	"name,scope,tag_key,tag_value,principal_arn,role_arn,account_id,monthly_amount,warning_percent",
	"name,billing_period,spent,days_elapsed,days_in_month,daily_run_rate,forecast,percent_used,state",
	"billing_period,principal,model,token_kind,usage_date,cost,tokens,baseline_cost,baseline_tokens",
	"factor,min_cost,min_tokens",
	KEYCOLS ",tag_key,tag_value,untagged," SUMCOLS,
	KEYCOLS ",usage_account_id,usage_account_name," SUMCOLS,
	KEYCOLS ",resource_id," SUMCOLS,
};

static FILE *tf[TF_N];

/* series-day accumulators: random principals and unattributed x SKU model x 4 kinds x 31 days */
#define SERIES_DAYS 31
static int *model_of_sku;		/* the first SKU billing the same model */

static size_t
series_size(const gen_truth *t)
{
	return ((size_t) t->nrandom + 1) * bc_gen_nskus * GK_OTHER * SERIES_DAYS;
}

/* accumulators of the profile ARNs: account x region x SKU */
static size_t
resource_size(void)
{
	return (size_t) bc_gen_naccounts * bc_gen_nregions * bc_gen_nskus;
}

/* allocate the accumulators */
void
bc_gen_truth_init(gen_truth *t, int nprincipals, int nplanted)
{
	memset(t, 0, sizeof(*t));
	t->nprincipals = nprincipals;
	t->nrandom = nprincipals - nplanted;
	model_of_sku = calloc((size_t) bc_gen_nskus, sizeof(int));
	if (!model_of_sku)
		bc_gen_die("out of memory");
	for (int i = 0; i < bc_gen_nskus; i++)
		for (int j = 0; j <= i; j++)
			if (strcmp(bc_gen_skus[j].model, bc_gen_skus[i].model) == 0)
			{
				model_of_sku[i] = j;
				break;
			}
	if (nplanted > 0)
	{
		t->series_cost = calloc(series_size(t), sizeof(bc_gen_i128));
		t->series_tokens = calloc(series_size(t), sizeof(bc_gen_i128));
		if (!t->series_cost || !t->series_tokens)
			bc_gen_die("out of memory");
	}
	t->prin = calloc((size_t) nprincipals + 1, sizeof(gen_acc));
	t->sku_region = calloc((size_t) bc_gen_nskus * bc_gen_nregions, sizeof(gen_acc));
	t->lit = calloc((size_t) (bc_gen_nacct_types + 1) * 2, sizeof(gen_acc));
	t->prin_sku = calloc(((size_t) nprincipals + 1) * bc_gen_nskus, sizeof(gen_acc));
	t->account = calloc((size_t) bc_gen_naccounts, sizeof(gen_acc));
	t->resource = calloc(resource_size(), sizeof(gen_acc));
	if (!t->prin || !t->sku_region || !t->lit || !t->prin_sku || !t->account || !t->resource)
		bc_gen_die("out of memory");
}

/* zero the accumulators for a new delivery */
void
bc_gen_truth_reset(gen_truth *t)
{
	memset(t->prin, 0, ((size_t) t->nprincipals + 1) * sizeof(gen_acc));
	memset(t->sku_region, 0, (size_t) bc_gen_nskus * bc_gen_nregions * sizeof(gen_acc));
	memset(t->lit, 0, (size_t) (bc_gen_nacct_types + 1) * 2 * sizeof(gen_acc));
	memset(t->prin_sku, 0, ((size_t) t->nprincipals + 1) * bc_gen_nskus * sizeof(gen_acc));
	memset(&t->total, 0, sizeof(gen_acc) * 7);
	memset(t->ctag, 0, sizeof(t->ctag));
	memset(t->account, 0, (size_t) bc_gen_naccounts * sizeof(gen_acc));
	memset(t->resource, 0, resource_size() * sizeof(gen_acc));
	memset(&t->no_resource, 0, sizeof(gen_acc));
	t->last_day = -1;
	if (t->series_cost)
	{
		memset(t->series_cost, 0, series_size(t) * sizeof(bc_gen_i128));
		memset(t->series_tokens, 0, series_size(t) * sizeof(bc_gen_i128));
	}
}

/* add one row to an accumulator */
static void
acc_add(gen_acc *a, const gen_row_truth *r, int kind)
{
	a->rows++;
	a->cost += r->cost;
	a->net += r->net;
	if (kind >= 0)
		a->tokens[kind] += r->tokens;
}

/* add one accumulator to another */
static void
acc_merge(gen_acc *a, const gen_acc *b)
{
	int			k;

	a->rows += b->rows;
	a->cost += b->cost;
	a->net += b->net;
	for (k = 0; k < GK_NKIND; k++)
		a->tokens[k] += b->tokens[k];
}

/* account one generated row */
void
bc_gen_truth_add(gen_truth *t, const gen_row_truth *r)
{
	int			kind = r->sku >= 0 ? bc_gen_skus[r->sku].kind : -1;
	int			k;

	if (r->day > t->last_day)
		t->last_day = r->day;
	acc_add(&t->total, r, kind);
	acc_add(&t->lit[r->lit * 2 + r->bedrock], r, kind);
	if (r->bedrock)
		acc_add(&t->bedrock_all, r, kind);
	if (r->marketplace)
		acc_add(&t->marketplace, r, kind);
	if (r->lit != 0)
	{
		acc_add(&t->account_level, r, kind);
		return;
	}
	if (!r->bedrock)
	{
		acc_add(&t->non_bedrock, r, kind);
		return;
	}
	acc_add(&t->sku_region[r->sku * bc_gen_nregions + r->region], r, kind);
	for (k = 0; k < GEN_NCTAG; k++)
		acc_add(&t->ctag[k][(int) r->ctag[k]], r, kind);
	acc_add(&t->account[r->account], r, kind);
	if (r->resource)
		acc_add(&t->resource[((size_t) r->account * bc_gen_nregions + r->region) * bc_gen_nskus
							 + model_of_sku[r->sku]], r, kind);
	else
		acc_add(&t->no_resource, r, kind);
	acc_add(&t->prin_sku[(size_t) (r->principal >= 0 ? r->principal : t->nprincipals) * bc_gen_nskus + r->sku],
			r, kind);
	/* the random rows' series: what a spike threshold must stay above */
	if (t->series_cost && kind >= 0 && kind < GK_OTHER && r->principal < t->nrandom)
	{
		size_t		x = ((((size_t) (r->principal >= 0 ? r->principal : t->nrandom) * bc_gen_nskus
						   + model_of_sku[r->sku]) * GK_OTHER + kind) * SERIES_DAYS) + r->day;

		t->series_cost[x] += r->cost;
		t->series_tokens[x] += r->tokens;
	}
	if (r->principal >= 0)
	{
		acc_add(&t->attributed, r, kind);
		acc_add(&t->prin[r->principal], r, kind);
	}
	else
	{
		acc_add(&t->unattributed, r, kind);
		acc_add(&t->prin[t->nprincipals], r, kind);
	}
}

/* at a delivery's end: the largest series-day of its random rows, if it is the latest */
void
bc_gen_truth_series_end(gen_truth *t, int latest)
{
	size_t		x;

	if (!t->series_cost || !latest)
		return;
	for (x = 0; x < series_size(t); x++)
	{
		if (t->series_cost[x] > t->max_cost)
			t->max_cost = t->series_cost[x];
		if (t->series_tokens[x] > t->max_tokens)
			t->max_tokens = t->series_tokens[x];
	}
}

/* create the ground-truth files with their headers */
void
bc_gen_truth_open(const char *dir)
{
	char		path[4096];
	int			i;

	bc_gen_mkdirs(dir);
	for (i = 0; i < TF_N; i++)
	{
		snprintf(path, sizeof(path), "%s/%s", dir, tf_names[i]);
		tf[i] = fopen(path, "w");
		if (!tf[i])
			bc_gen_die("cannot write %s", path);
		fprintf(tf[i], "%s\n", tf_headers[i]);
	}
}

/* close the ground-truth files */
void
bc_gen_truth_close(void)
{
	int			i;

	for (i = 0; i < TF_N; i++)
		if (tf[i] && fclose(tf[i]) != 0)
			bc_gen_die("error writing ground truth");
}

/* print a 128-bit money value with 10 decimals */
static void
put_money(FILE *f, bc_gen_i128 v)
{
	char		b[BC_GEN_DEC_BUFSZ];

	bc_gen_fmt_decimal(b, v, GEN_COST_SCALE, BC_GEN_DEC_FIXED);
	fputs(b, f);
}

/* print a 128-bit integer */
static void
put_int(FILE *f, bc_gen_i128 v)
{
	char		b[BC_GEN_DEC_BUFSZ];

	bc_gen_fmt_decimal(b, v, 0, BC_GEN_DEC_FIXED);
	fputs(b, f);
}

/* print a text value as a CSV field; NULL or "" -> empty unquoted (NULL) */
static void
put_text(FILE *f, const char *s)
{
	bc_gen_buf	b = {0};

	if (!s || !*s)
		return;
	/* always quote, so an empty-looking value can never read as NULL */
	bc_gen_csv_field(&b, s, strlen(s), 1);
	fwrite(b.data, 1, b.len, f);
	bc_gen_buf_free(&b);
}

/* line_items,cost,net_cost,input..cache_write tokens */
static void
put_sums(FILE *f, const gen_acc *a)
{
	int			k;

	fprintf(f, "%ld,", a->rows);
	put_money(f, a->cost);
	fputc(',', f);
	put_money(f, a->net);
	for (k = 0; k < GK_OTHER; k++)
	{
		fputc(',', f);
		put_int(f, a->tokens[k]);
	}
	fputc('\n', f);
}

/* the key columns shared by every table */
static void
put_key(FILE *f, const char *period, int delivery, const char *exec_id, int latest)
{
	fprintf(f, "%s-01,%d,%s,%s,", period, delivery, exec_id, latest ? "t" : "f");
}

/* one summary line */
static void
put_measure(const char *name, const gen_acc *a, const char *period, int delivery,
			const char *exec_id, int latest)
{
	put_key(tf[TF_SUMMARY], period, delivery, exec_id, latest);
	fprintf(tf[TF_SUMMARY], "%s,", name);
	put_sums(tf[TF_SUMMARY], a);
}

/* group principals by a string (role or person) and write each group */
static void
write_grouped(FILE *f, const gen_truth *t, const gen_world *w, int by_role,
			  const char *period, int delivery, const char *exec_id, int latest)
{
	int			n = w->nprincipals,
				i,
				j;
	char	   *done = calloc((size_t) n, 1);

	for (i = 0; i < n; i++)
	{
		const char *key = by_role ? w->principals[i].role : w->principals[i].person;
		gen_acc		a = {0};

		if (done[i] || !key[0] || t->prin[i].rows == 0)
			continue;
		for (j = i; j < n; j++)
		{
			const char *k2 = by_role ? w->principals[j].role : w->principals[j].person;

			if (!done[j] && t->prin[j].rows > 0 && strcmp(key, k2) == 0)
			{
				acc_merge(&a, &t->prin[j]);
				done[j] = 1;
			}
		}
		put_key(f, period, delivery, exec_id, latest);
		put_text(f, key);
		fputc(',', f);
		put_sums(f, &a);
	}
	free(done);
}

/*
 * by_cost_tag: every other-source key present (full key), its values, and
 * its untagged bucket (the Bedrock usage rows without the key)
 */
static void
write_cost_tags(const gen_truth *t, const char *period, int delivery,
				const char *exec_id, int latest)
{
	FILE	   *f = tf[TF_COST_TAG];
	int			k,
				v;

	for (k = 0; k < GEN_NCTAG; k++)
	{
		int			present = 0;

		for (v = 1; v < GEN_CTAG_NVAL; v++)
		{
			if (t->ctag[k][v].rows == 0)
				continue;
			present = 1;
			put_key(f, period, delivery, exec_id, latest);
			fprintf(f, "%s,", bc_gen_ctag_keys[k]);
			put_text(f, bc_gen_ctag_vals[k][v]);
			fputs(",f,", f);
			put_sums(f, &t->ctag[k][v]);
		}
		if (present && t->ctag[k][0].rows > 0)
		{
			put_key(f, period, delivery, exec_id, latest);
			fprintf(f, "%s,,t,", bc_gen_ctag_keys[k]);
			put_sums(f, &t->ctag[k][0]);
		}
	}
}

/* by_account: Bedrock usage per usage account, with its name */
static void
write_accounts(const gen_truth *t, const char *period, int delivery,
			   const char *exec_id, int latest)
{
	for (int a = 0; a < bc_gen_naccounts; a++)
	{
		if (t->account[a].rows == 0)
			continue;
		put_key(tf[TF_ACCOUNT], period, delivery, exec_id, latest);
		fprintf(tf[TF_ACCOUNT], "%s,", bc_gen_accounts[a].id);
		put_text(tf[TF_ACCOUNT], bc_gen_accounts[a].name);
		fputc(',', tf[TF_ACCOUNT]);
		put_sums(tf[TF_ACCOUNT], &t->account[a]);
	}
}

/*
 * by_resource: Bedrock usage per inference profile ARN (one per account,
 * region and model), and the usage without one (resource_id NULL)
 */
static void
write_resources(const gen_truth *t, const char *period, int delivery,
				const char *exec_id, int latest)
{
	FILE	   *f = tf[TF_RESOURCE];
	char		arn[512];

	for (int a = 0; a < bc_gen_naccounts; a++)
		for (int g = 0; g < bc_gen_nregions; g++)
			for (int k = 0; k < bc_gen_nskus; k++)
			{
				const gen_acc *acc = &t->resource[((size_t) a * bc_gen_nregions + g) * bc_gen_nskus + k];

				if (acc->rows == 0)
					continue;
				bc_gen_profile_arn(arn, sizeof(arn), &bc_gen_accounts[a], &bc_gen_regions[g],
								   &bc_gen_skus[k]);
				put_key(f, period, delivery, exec_id, latest);
				put_text(f, arn);
				fputc(',', f);
				put_sums(f, acc);
			}
	if (t->no_resource.rows > 0)
	{
		put_key(f, period, delivery, exec_id, latest);
		fputc(',', f);
		put_sums(f, &t->no_resource);
	}
}

/* by_tag: every iamPrincipal key present, its values, and its untagged bucket */
static void
write_tags(const gen_truth *t, const gen_world *w, const char *period,
		   int delivery, const char *exec_id, int latest)
{
	static const char *const keys[] = {"cost-center", "project", "team", "tenant"};
	FILE	   *f = tf[TF_TAG];
	int			ki,
				i,
				j,
				n = w->nprincipals;

	for (ki = 0; ki < 4; ki++)
	{
		const char *key = keys[ki];
		gen_acc		untagged = t->prin[n];	/* unattributed rows carry no principal tags */
		int			present = 0;
		char	   *done = calloc((size_t) n, 1);

		for (i = 0; i < n; i++)
		{
			const gen_principal *p = &w->principals[i];
			const char *val = NULL;
			gen_acc		a = {0};

			if (done[i] || t->prin[i].rows == 0)
				continue;
			for (j = 0; j < p->ntags; j++)
				if (strcmp(p->tag_key[j], key) == 0)
					val = p->tag_val[j];
			if (!val)
			{
				acc_merge(&untagged, &t->prin[i]);
				done[i] = 1;
				continue;
			}
			present = 1;
			for (j = i; j < n; j++)
			{
				const gen_principal *q = &w->principals[j];
				int			m;

				if (done[j] || t->prin[j].rows == 0)
					continue;
				for (m = 0; m < q->ntags; m++)
					if (strcmp(q->tag_key[m], key) == 0 && strcmp(q->tag_val[m], val) == 0)
					{
						acc_merge(&a, &t->prin[j]);
						done[j] = 1;
					}
			}
			put_key(f, period, delivery, exec_id, latest);
			fprintf(f, "%s,", key);
			put_text(f, val);
			fputs(",f,", f);
			put_sums(f, &a);
		}
		free(done);
		if (present && untagged.rows > 0)
		{
			put_key(f, period, delivery, exec_id, latest);
			fprintf(f, "%s,,t,", key);
			put_sums(f, &untagged);
		}
	}
}

/*
 * The canonical model key and vendor of every model the generator bills,
 * written out by hand: what a correct chargeback reports for the model
 * (by_tag_model).  Models as Marketplace rows bill them are the product
 * name without " (Amazon Bedrock Edition)".  A Bedrock feature billed
 * without a model (Guardrails, Data Automation) is vendor aws, no model key;
 * AgentCore's usage types are not a grammar the parser knows (recognized =
 * false), so their vendor is unknown rather than guessed.
 */
typedef struct gen_model_truth
{
	const char *model;			/* gen_sku.model */
	const char *product_name;	/* NULL: any product */
	const char *model_key;
	const char *vendor;
} gen_model_truth;

static const gen_model_truth model_truth[] = {
	{"", "Amazon Bedrock Agent Core", NULL, "unknown"},
	{"", NULL, NULL, "aws"},
	{"Claude4.6Sonnet", NULL, "claude-sonnet-4.6", "anthropic"},
	{"Claude4.6Opus", NULL, "claude-opus-4.6", "anthropic"},
	{"Claude4Sonnet", NULL, "claude-sonnet-4", "anthropic"},
	{"Claude 3.5 Haiku", NULL, "claude-3.5-haiku", "anthropic"},
	{"Claude Sonnet 4.5", NULL, "claude-sonnet-4.5", "anthropic"},
	{"Claude Opus 4.7", NULL, "claude-opus-4.7", "anthropic"},
	{"anthropic.claude-opus-4-8", NULL, "claude-opus-4.8", "anthropic"},
	{"NovaLite", NULL, "nova-lite", "amazon"},
	{"Nova2.0Lite", NULL, "nova-2-lite", "amazon"},
	{"NovaPro", NULL, "nova-pro", "amazon"},
	{"Nova2.0Pro", NULL, "nova-2-pro", "amazon"},
	{"NovaSonic", NULL, "nova-sonic", "amazon"},
	{"NovaCanvas", NULL, "nova-canvas", "amazon"},
	{"TitanEmbeddingV2-Text", NULL, "titan-embed-text-v2", "amazon"},
	{"gpt-oss-120b", NULL, "gpt-oss-120b", "openai"},
	{"openai.gpt-oss-120b", NULL, "gpt-oss-120b", "openai"},
	{"openai.gpt-5.5", NULL, "gpt-5.5", "openai"},
	{"openai.gpt-5.6-luna", NULL, "gpt-5.6-luna", "openai"},
	{"Llama4-Maverick-17B", NULL, "llama4-maverick-17b", "meta"},
	{"Llama3-1-405B", NULL, "llama3.1-405b", "meta"},
	{"Llama3-3-70B", NULL, "llama3.3-70b", "meta"},
	{"Qwen3-VL-235B-A22B", NULL, "qwen3-vl-235b-a22b", "qwen"},
	{"Qwen3-32B", NULL, "qwen3-32b", "qwen"},
	{"qwen.qwen3-32b", NULL, "qwen3-32b", "qwen"},
	{"xai.grok-4.7", NULL, "grok-4.7", "xai"},
	{"cohere.rerank-english-v3", NULL, "cohere-rerank-english-v3", "cohere"},
	{"Cohere Rerank v3.5", NULL, "cohere-rerank-v3.5", "cohere"},
	{"Stable Diffusion 3.5 Large v1.0", NULL, "stable-diffusion-3.5-large", "stability"},
};

#define N_MODEL_TRUTH ((int) (sizeof(model_truth) / sizeof(model_truth[0])))

/* the index of an SKU's model in model_truth; dies when it is missing */
static int
model_truth_of(const gen_sku *s)
{
	int			i;

	for (i = 0; i < N_MODEL_TRUTH; i++)
		if (strcmp(model_truth[i].model, s->model) == 0 &&
			(model_truth[i].product_name == NULL ||
			 strcmp(model_truth[i].product_name, s->product_name) == 0))
			return i;
	bc_gen_die("no model truth for \"%s\" (gen_truth.c, model_truth)", s->model);
	return -1;
}

/* do two model_truth entries report the same model key and vendor? */
static int
same_model_group(int a, int b)
{
	const gen_model_truth *x = &model_truth[a];
	const gen_model_truth *y = &model_truth[b];

	if ((x->model_key == NULL) != (y->model_key == NULL))
		return 0;
	return (x->model_key == NULL || strcmp(x->model_key, y->model_key) == 0) &&
		strcmp(x->vendor, y->vendor) == 0;
}

/* is entry m the first model_truth entry of its model key and vendor? */
static int
first_of_model_group(int m)
{
	int			i;

	for (i = 0; i < m; i++)
		if (same_model_group(i, m))
			return 0;
	return 1;
}

/* the value of tag key of principal p, NULL when untagged or unattributed */
static const char *
tag_value_of(const gen_world *w, int p, const char *key)
{
	int			j;

	if (p >= w->nprincipals)
		return NULL;
	for (j = 0; j < w->principals[p].ntags; j++)
		if (strcmp(w->principals[p].tag_key[j], key) == 0)
			return w->principals[p].tag_val[j];
	return NULL;
}

/* the sums of one tag value (NULL: untagged) and model group (entries of the same key and vendor) */
static gen_acc
tag_model_sum(const gen_truth *t, const gen_world *w, const char *key,
			  const char *val, int model)
{
	gen_acc		a = {0};
	int			p,
				k;

	for (p = 0; p <= w->nprincipals; p++)
	{
		const char *v = tag_value_of(w, p, key);

		if ((v == NULL) != (val == NULL) || (v != NULL && strcmp(v, val) != 0))
			continue;
		for (k = 0; k < bc_gen_nskus; k++)
			if (bc_gen_skus[k].bedrock && same_model_group(model_truth_of(&bc_gen_skus[k]), model))
				acc_merge(&a, &t->prin_sku[(size_t) p * bc_gen_nskus + k]);
	}
	return a;
}

/* one by_tag_model line per model group with rows, for one tag value */
static void
write_tag_value_models(const gen_truth *t, const gen_world *w, const char *key,
					   const char *val, const char *period, int delivery,
					   const char *exec_id, int latest)
{
	FILE	   *f = tf[TF_TAG_MODEL];
	int			m;

	for (m = 0; m < N_MODEL_TRUTH; m++)
	{
		gen_acc		a;

		if (!first_of_model_group(m))
			continue;			/* the group was written at its first entry */
		a = tag_model_sum(t, w, key, val, m);
		if (a.rows == 0)
			continue;
		put_key(f, period, delivery, exec_id, latest);
		fprintf(f, "%s,", key);
		put_text(f, val);
		fprintf(f, ",%s,", val ? "f" : "t");
		put_text(f, model_truth[m].model_key);
		fprintf(f, ",%s,", model_truth[m].vendor);
		put_sums(f, &a);
	}
}

/*
 * by_tag_model: Bedrock usage per iamPrincipal key present, value (and the
 * untagged bucket, which holds unattributed usage) and canonical model
 */
static void
write_tag_models(const gen_truth *t, const gen_world *w, const char *period,
				 int delivery, const char *exec_id, int latest)
{
	static const char *const keys[] = {"cost-center", "project", "team", "tenant"};
	int			ki,
				p,
				q,
				n = w->nprincipals;

	for (ki = 0; ki < 4; ki++)
	{
		int			present = 0;

		for (p = 0; p < n; p++)
			if (t->prin[p].rows > 0 && tag_value_of(w, p, keys[ki]) != NULL)
				present = 1;
		if (!present)
			continue;
		for (p = 0; p < n; p++)
		{
			const char *v = tag_value_of(w, p, keys[ki]);
			int			first = 1;

			if (v == NULL)
				continue;
			for (q = 0; q < p; q++)
			{
				const char *v2 = tag_value_of(w, q, keys[ki]);

				if (v2 != NULL && strcmp(v, v2) == 0)
					first = 0;
			}
			if (first)
				write_tag_value_models(t, w, keys[ki], v, period, delivery, exec_id, latest);
		}
		write_tag_value_models(t, w, keys[ki], NULL, period, delivery, exec_id, latest);
	}
}

/*
 * by_principal_model: Bedrock usage per principal (empty: unattributed) and
 * canonical model group
 */
static void
write_principal_models(const gen_truth *t, const gen_world *w, const char *period,
					   int delivery, const char *exec_id, int latest)
{
	FILE	   *f = tf[TF_PRINCIPAL_MODEL];
	int			p,
				m,
				k;

	for (p = 0; p <= w->nprincipals; p++)
		for (m = 0; m < N_MODEL_TRUTH; m++)
		{
			gen_acc		a = {0};

			if (!first_of_model_group(m))
				continue;
			for (k = 0; k < bc_gen_nskus; k++)
				if (bc_gen_skus[k].bedrock && same_model_group(model_truth_of(&bc_gen_skus[k]), m))
					acc_merge(&a, &t->prin_sku[(size_t) p * bc_gen_nskus + k]);
			if (a.rows == 0)
				continue;
			put_key(f, period, delivery, exec_id, latest);
			put_text(f, p < w->nprincipals ? w->principals[p].arn : NULL);
			fputc(',', f);
			put_text(f, model_truth[m].model_key);
			fprintf(f, ",%s,", model_truth[m].vendor);
			put_sums(f, &a);
		}
}

/* by_model_token: group SKUs (over regions) by model and token kind */
static void
write_models(const gen_truth *t, const char *period, int delivery,
			 const char *exec_id, int latest)
{
	FILE	   *f = tf[TF_MODEL];
	char	   *done = calloc((size_t) bc_gen_nskus, 1);
	int			i,
				j,
				g;

	for (i = 0; i < bc_gen_nskus; i++)
	{
		gen_acc		a = {0};
		const gen_sku *s = &bc_gen_skus[i];

		if (done[i] || !s->bedrock)
			continue;
		for (j = i; j < bc_gen_nskus; j++)
		{
			const gen_sku *s2 = &bc_gen_skus[j];

			if (done[j] || !s2->bedrock || s2->kind != s->kind || strcmp(s2->model, s->model) != 0)
				continue;
			done[j] = 1;
			for (g = 0; g < bc_gen_nregions; g++)
				acc_merge(&a, &t->sku_region[j * bc_gen_nregions + g]);
		}
		if (a.rows == 0)
			continue;
		put_key(f, period, delivery, exec_id, latest);
		put_text(f, s->model);
		fprintf(f, ",%s,%ld,", bc_gen_kind_names[s->kind], a.rows);
		put_int(f, s->kind == GK_OTHER ? 0 : a.tokens[s->kind]);
		fputc(',', f);
		put_money(f, a.cost);
		fputc(',', f);
		put_money(f, a.net);
		fputc('\n', f);
	}
	free(done);
}

/* by_usage_type: one line per usage type string seen */
static void
write_usage_types(const gen_truth *t, const char *period, int delivery,
				  const char *exec_id, int latest)
{
	FILE	   *f = tf[TF_USAGE_TYPE];
	int			i,
				g;
	char		ut[160];

	for (i = 0; i < bc_gen_nskus; i++)
		for (g = 0; g < bc_gen_nregions; g++)
		{
			const gen_acc *a = &t->sku_region[i * bc_gen_nregions + g];
			const gen_sku *s = &bc_gen_skus[i];

			if (a->rows == 0)
				continue;
			bc_gen_usage_type(ut, sizeof(ut), s, &bc_gen_regions[g]);
			put_key(f, period, delivery, exec_id, latest);
			put_text(f, s->product_code);
			fputc(',', f);
			put_text(f, ut);
			fputc(',', f);
			put_text(f, s->model);
			fprintf(f, ",%s,", bc_gen_kind_names[s->kind]);
			put_text(f, s->unit);
			fprintf(f, ",%ld,", a->rows);
			put_int(f, s->kind == GK_OTHER ? 0 : a->tokens[s->kind]);
			fputc(',', f);
			put_money(f, a->cost);
			fputc(',', f);
			put_money(f, a->net);
			fputc('\n', f);
		}
}

/* write every table for one delivery */
void
bc_gen_truth_write(const gen_truth *t, const gen_world *w, const char *period,
				   const char *exec_id, int delivery, int latest)
{
	int			i,
				b;

	put_measure("total", &t->total, period, delivery, exec_id, latest);
	put_measure("bedrock", &t->bedrock_all, period, delivery, exec_id, latest);
	{
		gen_acc		bu = t->attributed;

		acc_merge(&bu, &t->unattributed);
		put_measure("bedrock_usage", &bu, period, delivery, exec_id, latest);
	}
	put_measure("attributed", &t->attributed, period, delivery, exec_id, latest);
	put_measure("unattributed", &t->unattributed, period, delivery, exec_id, latest);
	put_measure("account_level", &t->account_level, period, delivery, exec_id, latest);
	put_measure("non_bedrock_usage", &t->non_bedrock, period, delivery, exec_id, latest);
	put_measure("marketplace", &t->marketplace, period, delivery, exec_id, latest);

	for (i = 0; i < w->nprincipals; i++)
	{
		const gen_principal *p = &w->principals[i];
		FILE	   *f = tf[TF_PRINCIPAL];

		if (t->prin[i].rows == 0)
			continue;
		put_key(f, period, delivery, exec_id, latest);
		put_text(f, p->arn);
		fprintf(f, ",%s,%s,%s,", p->type, bc_gen_accounts[p->account].id,
				bc_gen_partitions[bc_gen_accounts[p->account].partition]);
		put_text(f, p->role);
		fputc(',', f);
		put_text(f, p->person);
		fputc(',', f);
		put_sums(f, &t->prin[i]);
	}
	write_grouped(tf[TF_ROLE], t, w, 1, period, delivery, exec_id, latest);
	write_grouped(tf[TF_PERSON], t, w, 0, period, delivery, exec_id, latest);
	write_tags(t, w, period, delivery, exec_id, latest);
	write_cost_tags(t, period, delivery, exec_id, latest);
	write_accounts(t, period, delivery, exec_id, latest);
	write_resources(t, period, delivery, exec_id, latest);
	write_tag_models(t, w, period, delivery, exec_id, latest);
	write_principal_models(t, w, period, delivery, exec_id, latest);
	write_models(t, period, delivery, exec_id, latest);
	write_usage_types(t, period, delivery, exec_id, latest);
	for (i = 0; i <= bc_gen_nacct_types; i++)
		for (b = 0; b < 2; b++)
		{
			const gen_acc *a = &t->lit[i * 2 + b];

			if (a->rows == 0)
				continue;
			put_key(tf[TF_LIT], period, delivery, exec_id, latest);
			fprintf(tf[TF_LIT], "%s,%s,%ld,", i == 0 ? "Usage" : bc_gen_acct_types[i - 1],
					b ? "t" : "f", a->rows);
			put_money(tf[TF_LIT], a->cost);
			fputc(',', tf[TF_LIT]);
			put_money(tf[TF_LIT], a->net);
			fputc('\n', tf[TF_LIT]);
		}
}

/* ---------- budgets with known outcomes ---------- */

/* a / b rounded half away from zero, b > 0 (PostgreSQL's round of numeric) */
static bc_gen_i128
div_round(bc_gen_i128 a, bc_gen_i128 b)
{
	bc_gen_i128 q = a / b;
	bc_gen_i128 r = a % b;

	if (r < 0)
		r = -r;
	if (2 * r >= b)
		q += a < 0 ? -1 : 1;
	return q;
}

/* what a budget is planted to show */
enum budget_intent
{
	BI_OVER, BI_FORECAST_OVER, BI_WARNING, BI_OK
};

/*
 * One budget of the last period: its row in budgets.csv (amount chosen from
 * the exact spend to show the intent) and its expected status in
 * budget_status.csv, by the documented formula (README, Budgets), exactly:
 * over when spent > amount, forecast_over when spent * D > amount * N (the
 * month-end forecast spent / N * D exceeds the amount), warning when
 * spent * 100 >= amount * warning_percent, else ok; N the days elapsed, D
 * the days of the month.
 */
static void
write_budget(const char *name, const char *scope, const char *tag_value,
			 const char *principal, const char *role, bc_gen_i128 spent,
			 int intent, const char *period, int n, int d)
{
	FILE	   *f = tf[TF_BUDGETS];
	FILE	   *g = tf[TF_BUDGET_STATUS];
	bc_gen_i128 amount;
	int			wp = 80;
	const char *state;
	char		b[BC_GEN_DEC_BUFSZ];

	switch (intent)
	{
		case BI_OVER:
			amount = div_round(spent * 9, 10);
			break;
		case BI_FORECAST_OVER:
			amount = div_round(spent * (d + n), 2 * (bc_gen_i128) n);
			break;
		case BI_WARNING:
			amount = (spent * d + n - 1) / n;
			wp = 100 * n / d - 5 > 1 ? 100 * n / d - 5 : 1;
			break;
		default:
			amount = div_round(spent * d * 2, n);
			break;
	}
	if (spent > amount)
		state = "over";
	else if (spent * d > amount * n)
		state = "forecast_over";
	else if (spent * 100 >= amount * wp)
		state = "warning";
	else
		state = "ok";

	put_text(f, name);
	fprintf(f, ",%s,%s,", scope, tag_value ? "iamPrincipal/team" : "");
	put_text(f, tag_value);
	fputc(',', f);
	put_text(f, principal);
	fputc(',', f);
	put_text(f, role);
	fputs(",,", f);
	put_money(f, amount);
	fprintf(f, ",%d\n", wp);

	put_text(g, name);
	fprintf(g, ",%s-01,", period);
	put_money(g, spent);
	fprintf(g, ",%d,%d,", n, d);
	put_money(g, div_round(spent, n));
	fputc(',', g);
	put_money(g, div_round(spent * d, n));
	bc_gen_fmt_decimal(b, div_round(spent * 10000, amount), 2, BC_GEN_DEC_FIXED);
	fprintf(g, ",%s,%s\n", b, state);
}

/*
 * budgets.csv and budget_status.csv: budgets planted against the final
 * delivery of the last period (t): the whole bill (over, ok), every team
 * value (over, forecast_over, warning, ok in turn), the principal that
 * spends most (over) and the role of the first assumed-role principal
 * (warning).  With --through-day the month is in progress, so the forecast
 * exceeds the spend and forecast_over can happen.
 */
void
bc_gen_truth_budgets(const gen_truth *t, const gen_world *w, const char *period,
					 int days_in_month)
{
	int			n = t->last_day + 1,
				d = days_in_month,
				i,
				j,
				nteam = 0,
				top = -1;
	char		name[256];

	if (n <= 0)
		return;
	write_budget("bill-over", "bill", NULL, NULL, NULL, t->bedrock_all.cost, BI_OVER, period, n, d);
	write_budget("bill-ok", "bill", NULL, NULL, NULL, t->bedrock_all.cost, BI_OK, period, n, d);
	for (i = 0; i < w->nprincipals; i++)
	{
		const char *v = tag_value_of(w, i, "team");
		int			first = 1;
		bc_gen_i128 spent = 0;

		if (v == NULL)
			continue;
		for (j = 0; j < i; j++)
		{
			const char *v2 = tag_value_of(w, j, "team");

			if (v2 != NULL && strcmp(v, v2) == 0)
				first = 0;
		}
		if (!first)
			continue;
		for (j = 0; j < w->nprincipals; j++)
		{
			const char *v2 = tag_value_of(w, j, "team");

			if (v2 != NULL && strcmp(v, v2) == 0)
				spent += t->prin[j].cost;
		}
		if (spent <= 0)
			continue;
		snprintf(name, sizeof(name), "team %s", v);
		write_budget(name, "tag", v, NULL, NULL, spent, nteam++ % 4, period, n, d);
	}
	for (i = 0; i < w->nprincipals; i++)
		if (t->prin[i].cost > 0 && (top < 0 || t->prin[i].cost > t->prin[top].cost))
			top = i;
	if (top >= 0)
		write_budget("top principal", "principal", NULL, w->principals[top].arn, NULL,
					 t->prin[top].cost, BI_OVER, period, n, d);
	for (i = 0; i < w->nprincipals; i++)
	{
		const char *role = w->principals[i].role;
		bc_gen_i128 spent = 0;

		if (strcmp(w->principals[i].type, "assumed-role") != 0 || !role[0])
			continue;
		for (j = 0; j < w->nprincipals; j++)
			if (strcmp(w->principals[j].role, role) == 0)
				spent += t->prin[j].cost;
		if (spent > 0)
			write_budget("first role", "role", NULL, NULL, role, spent, BI_WARNING, period, n, d);
		break;
	}
}

/* ---------- planted spikes ---------- */

/*
 * spikes.csv: the planted spikes (series j's day in the last period, at
 * GEN_SPIKE_FACTOR times its steady daily value, which is also its median
 * of the 14 days before); spike_settings.csv: thresholds for which they are
 * exactly the spikes of the data: factor 3, and least cost and tokens just
 * above both the largest day of any random series (principal or
 * unattributed x model x token kind, latest deliveries) and the planted
 * steady day, so that no random day and no steady day qualifies.
 */
void
bc_gen_truth_spikes(const gen_truth *t, const gen_world *w, const char *period, int usage_days)
{
	const gen_sku *s = &bc_gen_skus[GEN_SPIKE_SKU];
	bc_gen_i128 steady_tokens = GEN_SPIKE_TOKENS;
	bc_gen_i128 steady_cost = steady_tokens * s->rate;	/* uscale + rscale = 10 */
	bc_gen_i128 min_cost,
				min_tokens;
	int			j;

	if (w->nplanted == 0)
		return;
	if (s->uscale + s->rscale != GEN_COST_SCALE || s->kind != GK_OUTPUT)
		bc_gen_die("GEN_SPIKE_SKU must be an output-token SKU with usage and rate scales adding to 10");
	min_cost = (t->max_cost > steady_cost ? t->max_cost : steady_cost);
	min_cost = (min_cost / 100000000 + 1) * 100000000;	/* the next whole cent above */
	min_tokens = (t->max_tokens > steady_tokens ? t->max_tokens : steady_tokens) + 1;
	if (steady_cost * GEN_SPIKE_FACTOR < min_cost || steady_tokens * GEN_SPIKE_FACTOR < min_tokens)
		bc_gen_die("the planted spikes do not stand out of this data (use fewer rows per period)");
	fputs("3,", tf[TF_SPIKE_SETTINGS]);
	put_money(tf[TF_SPIKE_SETTINGS], min_cost);
	fputc(',', tf[TF_SPIKE_SETTINGS]);
	put_int(tf[TF_SPIKE_SETTINGS], min_tokens);
	fputc('\n', tf[TF_SPIKE_SETTINGS]);
	for (j = 0; j < w->nplanted; j++)
	{
		FILE	   *f = tf[TF_SPIKES];
		int			day = bc_gen_spike_day(j, usage_days);

		fprintf(f, "%s-01,", period);
		put_text(f, w->principals[w->nprincipals - w->nplanted + j].arn);
		fprintf(f, ",\"%s\",output,%s-%02d,", s->model, period, day + 1);
		put_money(f, steady_cost * GEN_SPIKE_FACTOR);
		fputc(',', f);
		put_int(f, steady_tokens * GEN_SPIKE_FACTOR);
		fputc(',', f);
		put_money(f, steady_cost);
		fputc(',', f);
		put_int(f, steady_tokens);
		fputc('\n', f);
	}
}
