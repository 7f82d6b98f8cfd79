/*-------------------------------------------------------------------------
 *
 * gen_rows.c
 *		One CUR 2.0 line item: every column's text and the row's exact
 *		contribution to the ground truth.
 *
 * Costs are integers of 1e-10 USD: cost = U * R * 10^(10 - uscale - rscale)
 * where the usage amount is U / 10^uscale and the rate R / 10^rscale, so
 * "unblended cost = rate x usage amount" holds exactly in the file too.
 *
 * IDENTIFICATION
 *		src/tools/gen_rows.c
 *
 *-------------------------------------------------------------------------
 */
#include "gen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* per-row scratch space for field text */
static char arena[65536];
static size_t arena_used;

/* a 2 MiB field for the huge-field fault */
static char *huge_field;

/* copy text into the row arena */
static const char *
keep(const char *s, size_t n)
{
	char	   *p;

	if (arena_used + n + 1 > sizeof(arena))
		bc_gen_die("row arena overflow");
	p = arena + arena_used;
	memcpy(p, s, n);
	p[n] = '\0';
	arena_used += n + 1;
	return p;
}

/* formatted text into the row arena */
static const char *
keepf(const char *fmt,...) __attribute__((format(printf, 1, 2)));
static const char *
keepf(const char *fmt,...)
{
	va_list		ap;
	int			n;
	char	   *p = arena + arena_used;

	va_start(ap, fmt);
	n = vsnprintf(p, sizeof(arena) - arena_used, fmt, ap);
	va_end(ap);
	if (n < 0 || arena_used + (size_t) n + 1 > sizeof(arena))
		bc_gen_die("row arena overflow");
	arena_used += (size_t) n + 1;
	return p;
}

/* an exact decimal in the row arena */
static const char *
dec(bc_gen_i128 v, int scale, bc_gen_dec_style st)
{
	char		b[BC_GEN_DEC_BUFSZ];
	int			n = bc_gen_fmt_decimal(b, v, scale, st);

	return keep(b, (size_t) n);
}

/* a money amount, printed in one of the forms real files use */
static const char *
money(gen_rng *r, int64_t v)
{
	int64_t		a = v < 0 ? -v : v;

	if (v != 0 && a < 1000000 && gen_chance(r, 500))
		return dec(v, GEN_COST_SCALE, BC_GEN_DEC_EXP);	/* 4.5E-7 */
	if (gen_chance(r, 100))
		return dec(v, GEN_COST_SCALE, BC_GEN_DEC_FIXED);	/* 0.0572000000 */
	return dec(v, GEN_COST_SCALE, BC_GEN_DEC_PLAIN);	/* 0.0572 */
}

/* number of days in a month */
static int
month_days(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* the date `day` days (0-based) after the first of y-m, as y, m, d */
static void
add_days(int y, int m, int day, int *oy, int *om, int *od)
{
	int			dd = day + 1;

	while (dd > month_days(y, m))
	{
		dd -= month_days(y, m);
		if (++m > 12)
		{
			m = 1;
			y++;
		}
	}
	*oy = y;
	*om = m;
	*od = dd;
}

/* an ISO timestamp at midnight, with or without milliseconds */
static const char *
stamp(int y, int m, int d, int ms)
{
	return keepf("%04d-%02d-%02dT00:00:00%sZ", y, m, d, ms ? ".000" : "");
}

/* random text of n characters from an alphabet */
static const char *
randtext(gen_rng *r, const char *alpha, int n)
{
	char		b[64];
	size_t		al = strlen(alpha);
	int			i;

	for (i = 0; i < n && i < 63; i++)
		b[i] = alpha[gen_below(r, al)];
	return keep(b, (size_t) i);
}

/* a usage quantity (in 10^-uscale units), log-uniform */
static int64_t
quantity(gen_rng *r, int tokens, int uscale)
{
	/* tokens: 1 .. 2e7; other units: 1 .. 200 whole units */
	int			mag = (int) gen_below(r, (uint64_t) (tokens ? 8 : 3 + uscale));
	int64_t		p = 1;

	while (mag-- > 0)
		p *= 10;
	return 1 + (int64_t) gen_below(r, (uint64_t) p * 2);
}

/* 10^n */
static int64_t
pow10i(int n)
{
	int64_t		p = 1;

	while (n-- > 0)
		p *= 10;
	return p;
}

/* the inference profile ARN a Bedrock call of model s in account a and region g names */
void
bc_gen_profile_arn(char *buf, size_t n, const gen_account *a, const gen_region *g, const gen_sku *s)
{
	snprintf(buf, n, "arn:%s:bedrock:%s:%s:inference-profile/%s",
			 bc_gen_partitions[a->partition], g->id, a->id, s->model);
}

/* the tags of other sources than the principal: keys and values (value 0: none) */
const char *const bc_gen_ctag_keys[GEN_NCTAG] = {
	"resourceTags/user:project", "accountTag/department", "userAttribute/Department",
	"costCategory/business-unit"
};
const char *const bc_gen_ctag_vals[GEN_NCTAG][GEN_CTAG_NVAL] = {
	{NULL, "kb-search", "docflow"}, {NULL, "teamC", "finance"}, {NULL, "teamB", NULL},
	{NULL, "Retail", NULL}
};

/* add entry k = value v of the other sources to a tags map (v 0: none) */
static void
put_ctag(bc_gen_buf *b, int *n, signed char *ctag, int k, int v)
{
	ctag[k] = (signed char) v;
	if (v == 0)
		return;
	bc_gen_buf_printf(b, "%s\"%s\":\"%s\"", (*n)++ ? "," : "", bc_gen_ctag_keys[k],
					  bc_gen_ctag_vals[k][v]);
}

/* a small hash of a text, to give each model its own resource tag */
static unsigned
text_hash(const char *s)
{
	unsigned	h = 5381;

	while (*s)
		h = h * 33 + (unsigned char) *s++;
	return h;
}

/*
 * The tags map: principal tags plus tags of other sources; ctag[k] gets
 * the value index of bc_gen_ctag_keys[k] (0: absent).  The other sources
 * follow what they tag, as in a real export: the resource tag the
 * inference profile the row names (by its model; none without a profile),
 * the account tag and the cost category the usage account (acct, an index
 * into bc_gen_accounts), the Identity Center attribute the principal
 * (pidx, -1: none).  The random draws that once chose them are still made,
 * so the rest of every row stays what the seed gave before.
 */
static const char *
tags_map(gen_rng *r, const gen_principal *p, int pidx, int acct, const char *profile_model,
		 int bedrock, signed char *ctag)
{
	bc_gen_buf	b = {0};
	const char *res;
	int			n = 0;

	memset(ctag, 0, GEN_NCTAG);
	bc_gen_buf_putc(&b, '{');
	if (p && p->tags_json[0])
	{
		bc_gen_buf_puts(&b, p->tags_json);
		n++;
	}
	if (gen_chance(r, 300))
		(void) gen_chance(r, 500);
	if (gen_chance(r, 250))
		(void) gen_chance(r, 500);
	if (bedrock)
		(void) gen_chance(r, 150);
	(void) gen_chance(r, 100);
	if (profile_model != NULL)
	{
		unsigned	h = text_hash(profile_model) % 3;

		put_ctag(&b, &n, ctag, 0, (int) h);	/* 0: the profile is untagged */
	}
	put_ctag(&b, &n, ctag, 1, acct % 4 < 2 ? acct % 4 + 1 : 0);
	put_ctag(&b, &n, ctag, 2, bedrock && pidx >= 0 && pidx % 5 == 1 ? 1 : 0);
	put_ctag(&b, &n, ctag, 3, acct % 3 == 2 ? 1 : 0);
	bc_gen_buf_putc(&b, '}');
	res = keep(b.data, b.len);
	bc_gen_buf_free(&b);
	return res;
}

/* fill fields common to every row with empty text */
static void
clear_fields(const char **f, size_t *fl)
{
	int			i;

	for (i = 0; i < GEN_NCOL; i++)
	{
		f[i] = "";
		fl[i] = (size_t) -1;
	}
}

/* the legal entity selling a SKU */
static const char *
legal_entity(const gen_sku *s)
{
	if (!s || !s->marketplace)
		return "Amazon Web Services, Inc.";
	if (strstr(s->product_name, "Claude"))
		return "Anthropic, PBC";
	if (strstr(s->product_name, "Stable"))
		return "Stability AI Ltd";
	return "Cohere Inc.";
}

/*
 * The usage dates of a row moved n years (a multiple of 4 keeps 29
 * February a real date) into the row arena.
 */
static const char *
years_away(const char *stamp, int n)
{
	return keepf("%04d%s", atoi(stamp) + n, stamp + 4);
}

/*
 * Apply this delivery's row-level fault to row i, if it is the target.
 * The loader checks usage dates on Bedrock rows only, so those faults go
 * to the first Bedrock row from the target on (which becomes the target).
 */
static void
apply_row_fault(gen_rowctx *ctx, long i, const char **f, size_t *fl, int bedrock)
{
	if ((ctx->fault == GF_USAGE_END_BEFORE_START || ctx->fault == GF_USAGE_OUTSIDE_PERIOD) &&
		i == ctx->fault_row && !bedrock && ctx->fault_col < 0)
	{
		ctx->fault_row = i + 1;
		return;
	}
	if (i != ctx->fault_row)
		return;
	switch (ctx->fault)
	{
		case GF_USAGE_END_BEFORE_START:
			{
				const char *start = f[C_line_item_usage_start_date];

				f[C_line_item_usage_start_date] = f[C_line_item_usage_end_date];
				f[C_line_item_usage_end_date] = start;
				ctx->fault_col = C_line_item_usage_end_date;
				snprintf(ctx->fault_note, sizeof(ctx->fault_note),
						 "usage end date %s is a day before the usage start date %s",
						 f[C_line_item_usage_end_date], f[C_line_item_usage_start_date]);
				break;
			}
		case GF_USAGE_OUTSIDE_PERIOD:
			f[C_line_item_usage_start_date] = years_away(f[C_line_item_usage_start_date], -4);
			f[C_line_item_usage_end_date] = years_away(f[C_line_item_usage_end_date], -4);
			ctx->fault_col = C_line_item_usage_start_date;
			snprintf(ctx->fault_note, sizeof(ctx->fault_note),
					 "usage dates %s to %s, 4 years before the billing period",
					 f[C_line_item_usage_start_date], f[C_line_item_usage_end_date]);
			break;
		case GF_HUGE_COST:
			f[C_line_item_unblended_cost] = "123456789012345678901234567890123456789";
			ctx->fault_col = C_line_item_unblended_cost;
			snprintf(ctx->fault_note, sizeof(ctx->fault_note),
					 "unblended cost is 123456789012345678901234567890123456789 (39 digits)");
			break;
		case GF_BAD_NUMBER:
			f[C_line_item_unblended_cost] = "12.3.4e";
			ctx->fault_col = C_line_item_unblended_cost;
			snprintf(ctx->fault_note, sizeof(ctx->fault_note), "unblended cost is the text 12.3.4e");
			break;
		case GF_BAD_ARN:
			f[C_line_item_iam_principal] = "arn:aws:iam:123456789012:user";
			ctx->fault_col = C_line_item_iam_principal;
			snprintf(ctx->fault_note, sizeof(ctx->fault_note), "principal is the malformed ARN arn:aws:iam:123456789012:user");
			break;
		case GF_HUGE_FIELD:
			if (!huge_field)
			{
				huge_field = malloc(2 * 1024 * 1024 + 1);
				if (!huge_field)
					bc_gen_die("out of memory");
				memset(huge_field, 'x', 2 * 1024 * 1024);
				huge_field[2 * 1024 * 1024] = '\0';
			}
			f[C_line_item_line_item_description] = huge_field;
			fl[C_line_item_line_item_description] = 2 * 1024 * 1024;
			ctx->fault_col = C_line_item_line_item_description;
			snprintf(ctx->fault_note, sizeof(ctx->fault_note), "description is 2097152 bytes long");
			break;
		case GF_NON_UTF8:
			f[C_line_item_line_item_description] = "caf\xC3\x28 invalid \xFF\xFE bytes";
			ctx->fault_col = C_line_item_line_item_description;
			snprintf(ctx->fault_note, sizeof(ctx->fault_note), "description holds the invalid UTF-8 bytes C3 28 and FF FE");
			break;
		case GF_BAD_TIMESTAMP:
			f[C_line_item_usage_start_date] = "2025-13-45T99:61:00Z";
			ctx->fault_col = C_line_item_usage_start_date;
			snprintf(ctx->fault_note, sizeof(ctx->fault_note), "usage start date is 2025-13-45T99:61:00Z");
			break;
		case GF_NUL_BYTE:
			f[C_line_item_line_item_description] = "before\0after";
			fl[C_line_item_line_item_description] = 12;
			ctx->fault_col = C_line_item_line_item_description;
			snprintf(ctx->fault_note, sizeof(ctx->fault_note), "description holds a NUL byte after 'before'");
			break;
		case GF_RAGGED_ROW:
			ctx->fault_col = -1;
			snprintf(ctx->fault_note, sizeof(ctx->fault_note), "the row has 3 fields fewer than the header");
			break;
		default:
			break;
	}
}

/* choose what row i is: account-level, non-Bedrock, Bedrock with or without principal */
static void
choose_row(gen_rowctx *ctx, gen_rng *r, long i, int *acct_type, int *sku, int *prin)
{
	const gen_world *w = ctx->world;
	long		k = i;
	int			coverage = ctx->nrows >= 200;

	*acct_type = -1;
	*sku = -1;
	*prin = -1;
	ctx->planted_day = -1;
	/* the last rows are the planted spike series: one per series and day */
	if (w->nplanted > 0)
	{
		long		first = ctx->nrows - (long) w->nplanted * ctx->usage_days;

		if (i >= first)
		{
			int			j = (int) ((i - first) % w->nplanted);

			*prin = w->nprincipals - w->nplanted + j;
			*sku = GEN_SPIKE_SKU;
			ctx->planted_day = (int) ((i - first) / w->nplanted);
			ctx->planted_tokens = GEN_SPIKE_TOKENS;
			if (ctx->last_period && ctx->planted_day == bc_gen_spike_day(j, ctx->usage_days))
				ctx->planted_tokens *= GEN_SPIKE_FACTOR;
			return;
		}
	}
	/* the first rows cover every account-level type, SKU and principal */
	if (coverage && k < bc_gen_nacct_types)
	{
		*acct_type = (int) k;
		return;
	}
	k -= bc_gen_nacct_types;
	if (coverage && k >= 0 && k < bc_gen_nskus)
	{
		*sku = (int) k;
		if (bc_gen_skus[k].bedrock && !bc_gen_skus[k].no_principal && !gen_chance(r, 100))
			*prin = bc_gen_pick_principal(w, r);
		return;
	}
	k -= bc_gen_nskus;
	if (coverage && k >= 0 && k < w->nprincipals - w->nplanted)
	{
		*prin = (int) k;
		do
			*sku = bc_gen_pick_sku(w, r);
		while (bc_gen_skus[*sku].no_principal);
		return;
	}
	k = (long) gen_below(r, 1000);
	if (k < 12)
		*acct_type = (int) gen_below(r, (uint64_t) bc_gen_nacct_types);
	else if (k < 300)
	{
		do
			*sku = (int) gen_below(r, (uint64_t) bc_gen_nskus);
		while (bc_gen_skus[*sku].bedrock);
	}
	else if (k < 360)
		*sku = bc_gen_pick_sku(w, r);
	else
	{
		*sku = bc_gen_pick_sku(w, r);
		if (!bc_gen_skus[*sku].no_principal)
			*prin = bc_gen_pick_principal(w, r);
	}
}

/* generate row i of a delivery */
void
bc_gen_row(gen_rowctx *ctx, gen_rng *r, long i, const char **f, size_t *fl,
		   gen_row_truth *t)
{
	const gen_world *w = ctx->world;
	const gen_principal *p = NULL;
	const gen_sku *s = NULL;
	const gen_region *g;
	const gen_account *acct;
	int			acct_type,
				sku,
				prin,
				region,
				day,
				y1,
				m1,
				d1,
				y2,
				m2,
				d2,
				ms,
				zero_fill;
	int64_t		cost,
				net,
				U = 0;
	char		ut[160];

	arena_used = 0;
	clear_fields(f, fl);
	choose_row(ctx, r, i, &acct_type, &sku, &prin);
	if (prin >= 0)
		p = &w->principals[prin];
	if (sku >= 0)
		s = &bc_gen_skus[sku];
	acct = &bc_gen_accounts[p ? p->account : (int) gen_below(r, 4)];
	region = bc_gen_pick_region(r, acct->partition);
	if (s && s->region_lock >= 0 && acct->partition == 0)
		region = s->region_lock;
	if (ctx->planted_day >= 0)
		region = 0;				/* USE1 */
	g = &bc_gen_regions[region];
	day = (int) gen_below(r, (uint64_t) ctx->usage_days);
	if (ctx->planted_day >= 0)
		day = ctx->planted_day;
	add_days(ctx->year, ctx->month, day, &y1, &m1, &d1);
	add_days(ctx->year, ctx->month, day + 1, &y2, &m2, &d2);
	ms = gen_chance(r, 300);
	zero_fill = gen_chance(r, 300);

	memset(t, 0, sizeof(*t));
	t->principal = prin;
	t->account = (int) (acct - bc_gen_accounts);
	t->day = day;
	t->sku = sku;
	t->region = region;

	/* bill and identity columns */
	f[C_bill_bill_type] = "Anniversary";
	f[C_bill_billing_entity] = s && s->marketplace ? "AWS Marketplace" : "AWS";
	{
		int			ey,
					em,
					ed;

		add_days(ctx->year, ctx->month, ctx->ndays, &ey, &em, &ed);
		f[C_bill_billing_period_start_date] = stamp(ctx->year, ctx->month, 1, ctx->bill_ms);
		f[C_bill_billing_period_end_date] = stamp(ey, em, ed, ctx->bill_ms);
	}
	f[C_bill_invoice_id] = ctx->final_invoice ? "2091534712" : "";
	f[C_bill_invoicing_entity] = "Amazon Web Services, Inc.";
	f[C_bill_payer_account_id] = "999988887777";
	f[C_bill_payer_account_name] = "Acme Corp";
	f[C_identity_line_item_id] = randtext(r, "abcdefghijklmnopqrstuvwxyz234567", 52);
	f[C_identity_time_interval] = keepf("%04d-%02d-%02dT00:00:00Z/%04d-%02d-%02dT00:00:00Z",
										y1, m1, d1, y2, m2, d2);
	f[C_line_item_usage_start_date] = stamp(y1, m1, d1, ms);
	f[C_line_item_usage_end_date] = stamp(y2, m2, d2, ms);
	f[C_line_item_currency_code] = "USD";
	f[C_line_item_usage_account_id] = acct->id;
	f[C_line_item_usage_account_name] = acct->name;
	f[C_cost_category] = gen_chance(r, 200) ? "{\"team\":\"ml-platform\"}" : "{}";
	f[C_resource_tags] = gen_chance(r, 250) ? "{\"user_project\":\"kb-search\",\"user_owner\":\"ops\"}" : "{}";
	f[C_line_item_normalization_factor] = "0.0";
	f[C_line_item_normalized_usage_amount] = "0.0";
	if (zero_fill)
	{
		int			c;

		for (c = C_reservation_amortized_upfront_cost_for_usage; c <= C_savings_plan_used_commitment; c++)
			if (strcmp(bc_gen_columns[c].type, "double") == 0)
				f[c] = "0.0";
	}

	if (acct_type >= 0)
	{
		/* account-level row: no usage, no principal */
		const char *type = bc_gen_acct_types[acct_type];
		int			bedrock_code = gen_chance(r, 500);

		if (acct_type == 0)
			cost = (int64_t) (1 + gen_below(r, 50000)) * 100000000;	/* whole cents */
		else
			cost = -(int64_t) (1 + gen_below(r, 2000000000000ULL));
		net = cost;
		t->lit = acct_type + 1;
		t->bedrock = bedrock_code;
		f[C_line_item_line_item_type] = type;
		f[C_bill_bill_type] = acct_type == 2 ? "Refund" : "Anniversary";
		f[C_line_item_product_code] = bedrock_code ? "AmazonBedrock" : "AmazonEC2";
		f[C_product_servicecode] = f[C_line_item_product_code];
		f[C_product] = bedrock_code ? "{\"product_name\":\"Amazon Bedrock\"}" : "{\"product_name\":\"Amazon Elastic Compute Cloud\"}";
		f[C_line_item_line_item_description] = acct_type == 0 ? keepf("Tax for product code %s", f[C_line_item_product_code])
			: keepf("%s for product code %s", type, f[C_line_item_product_code]);
		f[C_line_item_tax_type] = acct_type == 0 ? "Sales Tax" : "";
		f[C_line_item_legal_entity] = "Amazon Web Services, Inc.";
		f[C_line_item_unblended_cost] = money(r, cost);
		f[C_line_item_blended_cost] = acct_type >= 3 ? "" : f[C_line_item_unblended_cost];
		f[C_line_item_net_unblended_cost] = f[C_line_item_unblended_cost];
		f[C_line_item_usage_amount] = "0.0";
		f[C_pricing_public_on_demand_cost] = "0.0";
		f[C_tags] = tags_map(r, NULL, -1, t->account, NULL, 0, t->ctag);
		f[C_discount] = "{}";
		t->cost = cost;
		t->net = net;
		apply_row_fault(ctx, i, f, fl, t->bedrock);
		return;
	}

	/* usage row */
	bc_gen_usage_type(ut, sizeof(ut), s, g);
	U = quantity(r, s->kind != GK_OTHER, s->uscale);
	if (ctx->planted_day >= 0)
		U = ctx->planted_tokens;	/* 1K-token SKU, usage scale 3: U is the tokens */
	cost = U * s->rate * pow10i(GEN_COST_SCALE - s->uscale - s->rscale);
	net = cost;
	t->bedrock = s->bedrock;
	t->marketplace = s->marketplace;
	t->tokens = s->kind != GK_OTHER ? U : 0;
	f[C_line_item_line_item_type] = "Usage";
	f[C_line_item_product_code] = s->product_code;
	f[C_line_item_usage_type] = keep(ut, strlen(ut));
	f[C_product_usagetype] = f[C_line_item_usage_type];
	f[C_line_item_operation] = s->operation;
	f[C_product_operation] = s->operation;
	f[C_line_item_legal_entity] = legal_entity(s);
	f[C_line_item_iam_principal] = p ? p->arn : "";
	if (strstr(s->desc, "%s"))
	{
		char		d[256];

		snprintf(d, sizeof(d), s->desc, g->id);
		f[C_line_item_line_item_description] = keep(d, strlen(d));
	}
	else
		f[C_line_item_line_item_description] = keepf("%s in %s", s->desc, g->name);
	f[C_line_item_usage_amount] = (s->uscale > 0 && U < 100 && gen_chance(r, 300))
		? dec(U, s->uscale, BC_GEN_DEC_EXP) : dec(U, s->uscale, BC_GEN_DEC_PLAIN);
	f[C_line_item_unblended_rate] = dec(s->rate, s->rscale, BC_GEN_DEC_PLAIN);
	f[C_line_item_blended_rate] = f[C_line_item_unblended_rate];
	f[C_line_item_unblended_cost] = money(r, cost);
	f[C_line_item_blended_cost] = f[C_line_item_unblended_cost];
	f[C_pricing_unit] = s->unit;
	f[C_product_pricing_unit] = s->unit;
	f[C_pricing_currency] = "USD";
	f[C_pricing_term] = "OnDemand";
	{
		/* SKU, rate code and rate id are fixed per product SKU and region */
		gen_rng		sr;
		const char *skuid;

		gen_rng_seed(&sr, 0x534b55ULL * 1000 + (uint64_t) sku * 64 + (uint64_t) region);
		skuid = randtext(&sr, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 16);
		f[C_product_sku] = skuid;
		f[C_pricing_rate_code] = keepf("%s.JRTCKXETXF.6YS6EN2CT7", skuid);
		f[C_pricing_rate_id] = keepf("%llu", (unsigned long long) (1000000000ULL + gen_below(&sr, 8000000000ULL)));
	}
	if (s->marketplace)
	{
		f[C_pricing_public_on_demand_cost] = "0.0";
		f[C_pricing_public_on_demand_rate] = "0.0";
		f[C_product_servicecode] = "";
	}
	else
	{
		f[C_pricing_public_on_demand_cost] = f[C_line_item_unblended_cost];
		f[C_pricing_public_on_demand_rate] = f[C_line_item_unblended_rate];
		f[C_product_servicecode] = s->product_code;
	}
	f[C_product] = keepf("{\"product_name\":\"%s\",\"region\":\"%s\"}", s->product_name, g->id);
	f[C_product_region_code] = g->id;
	f[C_product_location] = g->name;
	f[C_product_location_type] = "AWS Region";
	f[C_product_product_family] = s->bedrock ? "Generative AI" : "Compute";
	if (strcmp(s->product_code, "AmazonEC2") == 0)
	{
		f[C_line_item_availability_zone] = keepf("%sa", g->id);
		f[C_product_instance_type] = "m5.large";
		f[C_product_instance_family] = "General purpose";
		f[C_line_item_resource_id] = keepf("i-0%s", randtext(r, "0123456789abcdef", 16));
		f[C_line_item_normalization_factor] = "4.0";
		f[C_line_item_normalized_usage_amount] = dec(U * 4, s->uscale, BC_GEN_DEC_PLAIN);
	}
	else if (s->bedrock && s->model[0] && gen_chance(r, 600))
	{
		char		arn[512];

		bc_gen_profile_arn(arn, sizeof(arn), acct, g, s);
		f[C_line_item_resource_id] = keep(arn, strlen(arn));
		t->resource = ctx->cfg->colset < 2;	/* minimal exports lack the column */
	}
	/* enterprise discount on first-party usage in two accounts: net columns */
	if (!s->marketplace && (acct == &bc_gen_accounts[0] || acct == &bc_gen_accounts[1]))
	{
		int64_t		disc = cost * 5 / 100;

		net = cost - disc;
		f[C_discount] = disc ? keepf("{\"edp_discount\":%s}", dec(-disc, GEN_COST_SCALE, BC_GEN_DEC_PLAIN)) : "{}";
		f[C_discount_total_discount] = dec(-disc, GEN_COST_SCALE, BC_GEN_DEC_PLAIN);
		f[C_line_item_net_unblended_rate] = dec(s->rate * 95, s->rscale + 2, BC_GEN_DEC_PLAIN);
	}
	else
	{
		f[C_discount] = "{}";
		f[C_discount_total_discount] = zero_fill ? "0.0" : "";
		f[C_line_item_net_unblended_rate] = f[C_line_item_unblended_rate];
	}
	f[C_line_item_net_unblended_cost] = money(r, net);
	f[C_discount_bundled_discount] = zero_fill ? "0.0" : "";
	f[C_tags] = tags_map(r, p, prin, t->account, f[C_line_item_resource_id][0] && s->bedrock ? s->model : NULL,
						 s->bedrock, t->ctag);
	t->cost = cost;
	t->net = net;
	apply_row_fault(ctx, i, f, fl, t->bedrock);
}
