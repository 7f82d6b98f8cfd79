/*-------------------------------------------------------------------------
 *
 * gen.h
 *		Shared definitions of bedrock-cost-gen, the synthetic CUR 2.0 export
 *		generator with exact ground truth.
 *
 * The generator draws every row from a seeded PRNG, keeps every money
 * amount as an integer number of 1e-10 USD, prints it exactly, and sums
 * the same integers into the ground-truth tables it writes beside the
 * export.
 *
 * IDENTIFICATION
 *		src/tools/gen.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_GEN_H
#define BC_GEN_H

#include <stdint.h>
#include <stddef.h>

#include "gen_decimal.h"
#include "gen_text.h"

/* money unit: 1e-10 USD */
#define GEN_COST_SCALE 10

/* ---------- PRNG: xoshiro256** seeded by splitmix64 ---------- */
typedef struct gen_rng
{
	uint64_t	s[4];
} gen_rng;

/* one splitmix64 step, also used to derive seeds */
static inline uint64_t
gen_splitmix(uint64_t *x)
{
	uint64_t	z = (*x += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* seed a generator from a 64-bit value */
static inline void
gen_rng_seed(gen_rng *r, uint64_t seed)
{
	int			i;

	for (i = 0; i < 4; i++)
		r->s[i] = gen_splitmix(&seed);
}

/* next 64 random bits */
static inline uint64_t
gen_next(gen_rng *r)
{
	uint64_t   *s = r->s;
	uint64_t	result = ((s[1] * 5) << 7 | (s[1] * 5) >> 57) * 9;
	uint64_t	t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = (s[3] << 45) | (s[3] >> 19);
	return result;
}

/* uniform integer in [0, n) (n > 0; the tiny modulo bias is irrelevant here) */
static inline uint64_t
gen_below(gen_rng *r, uint64_t n)
{
	return gen_next(r) % n;
}

/* true with probability pct/1000 */
static inline int
gen_chance(gen_rng *r, unsigned permille)
{
	return gen_below(r, 1000) < permille;
}

/* ---------- the column set ---------- */
enum gen_group
{
	GG_BASE,					/* always present */
	GG_CAPRES,					/* INCLUDE_CAPACITY_RESERVATION_DATA */
	GG_SPLIT,					/* INCLUDE_SPLIT_COST_ALLOCATION_DATA */
	GG_RESOURCE,				/* INCLUDE_RESOURCES */
	GG_NET						/* net columns (account has a discount) */
};

#define GEN_COLUMN_LIST(X) \
	X(bill_bill_type, "string", GG_BASE) \
	X(bill_billing_entity, "string", GG_BASE) \
	X(bill_billing_period_end_date, "timestamp", GG_BASE) \
	X(bill_billing_period_start_date, "timestamp", GG_BASE) \
	X(bill_invoice_id, "string", GG_BASE) \
	X(bill_invoicing_entity, "string", GG_BASE) \
	X(bill_payer_account_id, "string", GG_BASE) \
	X(bill_payer_account_name, "string", GG_BASE) \
	X(capacity_reservation_capacity_reservation_arn, "string", GG_CAPRES) \
	X(capacity_reservation_capacity_reservation_status, "string", GG_CAPRES) \
	X(capacity_reservation_capacity_reservation_type, "string", GG_CAPRES) \
	X(cost_category, "map<string,string>", GG_BASE) \
	X(discount, "map<string,double>", GG_BASE) \
	X(discount_bundled_discount, "double", GG_BASE) \
	X(discount_total_discount, "double", GG_BASE) \
	X(identity_line_item_id, "string", GG_BASE) \
	X(identity_time_interval, "string", GG_BASE) \
	X(line_item_availability_zone, "string", GG_BASE) \
	X(line_item_blended_cost, "double", GG_BASE) \
	X(line_item_blended_rate, "string", GG_BASE) \
	X(line_item_currency_code, "string", GG_BASE) \
	X(line_item_iam_principal, "string", GG_BASE) \
	X(line_item_legal_entity, "string", GG_BASE) \
	X(line_item_line_item_description, "string", GG_BASE) \
	X(line_item_line_item_type, "string", GG_BASE) \
	X(line_item_net_unblended_cost, "double", GG_NET) \
	X(line_item_net_unblended_rate, "string", GG_NET) \
	X(line_item_normalization_factor, "double", GG_BASE) \
	X(line_item_normalized_usage_amount, "double", GG_BASE) \
	X(line_item_operation, "string", GG_BASE) \
	X(line_item_product_code, "string", GG_BASE) \
	X(line_item_resource_id, "string", GG_RESOURCE) \
	X(line_item_tax_type, "string", GG_BASE) \
	X(line_item_unblended_cost, "double", GG_BASE) \
	X(line_item_unblended_rate, "string", GG_BASE) \
	X(line_item_usage_account_id, "string", GG_BASE) \
	X(line_item_usage_account_name, "string", GG_BASE) \
	X(line_item_usage_amount, "double", GG_BASE) \
	X(line_item_usage_end_date, "timestamp", GG_BASE) \
	X(line_item_usage_start_date, "timestamp", GG_BASE) \
	X(line_item_usage_type, "string", GG_BASE) \
	X(line_item_user_identifier, "string", GG_BASE) \
	X(pricing_currency, "string", GG_BASE) \
	X(pricing_lease_contract_length, "string", GG_BASE) \
	X(pricing_offering_class, "string", GG_BASE) \
	X(pricing_public_on_demand_cost, "double", GG_BASE) \
	X(pricing_public_on_demand_rate, "string", GG_BASE) \
	X(pricing_purchase_option, "string", GG_BASE) \
	X(pricing_rate_code, "string", GG_BASE) \
	X(pricing_rate_id, "string", GG_BASE) \
	X(pricing_term, "string", GG_BASE) \
	X(pricing_unit, "string", GG_BASE) \
	X(product, "map<string,string>", GG_BASE) \
	X(product_comment, "string", GG_BASE) \
	X(product_fee_code, "string", GG_BASE) \
	X(product_fee_description, "string", GG_BASE) \
	X(product_from_location, "string", GG_BASE) \
	X(product_from_location_type, "string", GG_BASE) \
	X(product_from_region_code, "string", GG_BASE) \
	X(product_instance_family, "string", GG_BASE) \
	X(product_instance_type, "string", GG_BASE) \
	X(product_instancesku, "string", GG_BASE) \
	X(product_location, "string", GG_BASE) \
	X(product_location_type, "string", GG_BASE) \
	X(product_operation, "string", GG_BASE) \
	X(product_pricing_unit, "string", GG_BASE) \
	X(product_product_family, "string", GG_BASE) \
	X(product_region_code, "string", GG_BASE) \
	X(product_servicecode, "string", GG_BASE) \
	X(product_sku, "string", GG_BASE) \
	X(product_to_location, "string", GG_BASE) \
	X(product_to_location_type, "string", GG_BASE) \
	X(product_to_region_code, "string", GG_BASE) \
	X(product_usagetype, "string", GG_BASE) \
	X(reservation_amortized_upfront_cost_for_usage, "double", GG_BASE) \
	X(reservation_amortized_upfront_fee_for_billing_period, "double", GG_BASE) \
	X(reservation_availability_zone, "string", GG_BASE) \
	X(reservation_effective_cost, "double", GG_BASE) \
	X(reservation_end_time, "string", GG_BASE) \
	X(reservation_modification_status, "string", GG_BASE) \
	X(reservation_net_amortized_upfront_cost_for_usage, "double", GG_BASE) \
	X(reservation_net_amortized_upfront_fee_for_billing_period, "double", GG_BASE) \
	X(reservation_net_effective_cost, "double", GG_BASE) \
	X(reservation_net_recurring_fee_for_usage, "double", GG_BASE) \
	X(reservation_net_unused_amortized_upfront_fee_for_billing_period, "double", GG_BASE) \
	X(reservation_net_unused_recurring_fee, "double", GG_BASE) \
	X(reservation_net_upfront_value, "double", GG_BASE) \
	X(reservation_normalized_units_per_reservation, "string", GG_BASE) \
	X(reservation_number_of_reservations, "string", GG_BASE) \
	X(reservation_recurring_fee_for_usage, "double", GG_BASE) \
	X(reservation_reservation_a_r_n, "string", GG_BASE) \
	X(reservation_start_time, "string", GG_BASE) \
	X(reservation_subscription_id, "string", GG_BASE) \
	X(reservation_total_reserved_normalized_units, "string", GG_BASE) \
	X(reservation_total_reserved_units, "string", GG_BASE) \
	X(reservation_units_per_reservation, "string", GG_BASE) \
	X(reservation_unused_amortized_upfront_fee_for_billing_period, "double", GG_BASE) \
	X(reservation_unused_normalized_unit_quantity, "double", GG_BASE) \
	X(reservation_unused_quantity, "double", GG_BASE) \
	X(reservation_unused_recurring_fee, "double", GG_BASE) \
	X(reservation_upfront_value, "double", GG_BASE) \
	X(resource_tags, "map<string,string>", GG_BASE) \
	X(savings_plan_amortized_upfront_commitment_for_billing_period, "double", GG_BASE) \
	X(savings_plan_end_time, "string", GG_BASE) \
	X(savings_plan_instance_type_family, "string", GG_BASE) \
	X(savings_plan_net_amortized_upfront_commitment_for_billing_period, "double", GG_BASE) \
	X(savings_plan_net_recurring_commitment_for_billing_period, "double", GG_BASE) \
	X(savings_plan_net_savings_plan_effective_cost, "double", GG_BASE) \
	X(savings_plan_offering_type, "string", GG_BASE) \
	X(savings_plan_payment_option, "string", GG_BASE) \
	X(savings_plan_purchase_term, "string", GG_BASE) \
	X(savings_plan_recurring_commitment_for_billing_period, "double", GG_BASE) \
	X(savings_plan_region, "string", GG_BASE) \
	X(savings_plan_savings_plan_a_r_n, "string", GG_BASE) \
	X(savings_plan_savings_plan_effective_cost, "double", GG_BASE) \
	X(savings_plan_savings_plan_rate, "double", GG_BASE) \
	X(savings_plan_start_time, "string", GG_BASE) \
	X(savings_plan_total_commitment_to_date, "double", GG_BASE) \
	X(savings_plan_used_commitment, "double", GG_BASE) \
	X(split_line_item_actual_usage, "double", GG_SPLIT) \
	X(split_line_item_net_split_cost, "double", GG_SPLIT) \
	X(split_line_item_net_unused_cost, "double", GG_SPLIT) \
	X(split_line_item_parent_resource_id, "string", GG_SPLIT) \
	X(split_line_item_public_on_demand_split_cost, "double", GG_SPLIT) \
	X(split_line_item_public_on_demand_unused_cost, "double", GG_SPLIT) \
	X(split_line_item_reserved_usage, "double", GG_SPLIT) \
	X(split_line_item_split_cost, "double", GG_SPLIT) \
	X(split_line_item_split_usage, "double", GG_SPLIT) \
	X(split_line_item_split_usage_ratio, "double", GG_SPLIT) \
	X(split_line_item_unused_cost, "double", GG_SPLIT) \
	X(tags, "map<string,string>", GG_BASE)

#define GEN_COL_ENUM(name, type, group) C_##name,
enum gen_col
{
	GEN_COLUMN_LIST(GEN_COL_ENUM)
	GEN_NCOL
};

typedef struct gen_coldef
{
	const char *name;
	const char *type;
	int			group;
} gen_coldef;

extern const gen_coldef bc_gen_columns[GEN_NCOL];

/* ---------- the world: accounts, regions, principals, SKUs ---------- */
enum gen_kind
{
	GK_INPUT, GK_OUTPUT, GK_CACHE_READ, GK_CACHE_WRITE, GK_OTHER, GK_NKIND
};
extern const char *const bc_gen_kind_names[GK_NKIND];

typedef struct gen_account
{
	const char *id;
	const char *name;
	int			partition;		/* index into bc_gen_partitions */
} gen_account;

typedef struct gen_region
{
	const char *code;			/* billing code: USE1, EU, ... */
	const char *id;				/* us-east-1 */
	const char *name;			/* US East (N. Virginia) */
	int			partition;
} gen_region;

#define GEN_MAX_PTAGS 5
typedef struct gen_principal
{
	char		arn[320];
	const char *type;			/* user, assumed-role, role */
	int			account;		/* index into bc_gen_accounts */
	char		role[320];		/* role ARN it rolls up to, "" for users */
	char		person[128];	/* session or user name, "" for plain roles */
	int			ntags;
	const char *tag_key[GEN_MAX_PTAGS];	/* without the iamPrincipal/ prefix */
	char		tag_val[GEN_MAX_PTAGS][96];
	char		tags_json[640]; /* "iamPrincipal/k":"v",... (no braces) */
	uint32_t	weight;
} gen_principal;

typedef struct gen_sku
{
	int			bedrock;		/* Bedrock spend (4 product codes or Marketplace) */
	int			marketplace;	/* billing entity AWS Marketplace, MP: usage type */
	const char *product_code;	/* Marketplace rows: opaque code */
	const char *product_name;
	const char *body;			/* usage type after the region code (MP: dimension) */
	const char *model;			/* model as billed ("" when none) */
	int			kind;			/* enum gen_kind */
	const char *unit;			/* pricing_unit */
	int			uscale;			/* usage amount = U / 10^uscale */
	int			rscale;			/* rate = R / 10^rscale; uscale + rscale <= 10 */
	int64_t		rate;
	const char *operation;
	const char *desc;			/* description (Marketplace: dimension label) */
	int			no_principal;	/* never carries a principal (batch, reserved...) */
	uint32_t	weight;
	int			region_lock;	/* -1, or the only region index used */
} gen_sku;

extern const gen_account bc_gen_accounts[];
extern const int bc_gen_naccounts;
extern const char *const bc_gen_partitions[];
extern const gen_region bc_gen_regions[];
extern const int bc_gen_nregions;
extern const gen_sku bc_gen_skus[];
extern const int bc_gen_nskus;

/* account-level (no principal, no usage) line item types */
extern const char *const bc_gen_acct_types[];
extern const int bc_gen_nacct_types;

typedef struct gen_world
{
	gen_principal *principals;
	int			nprincipals;	/* all, the planted ones last */
	int			nplanted;		/* principals used by planted spike series only */
	uint64_t	principal_wsum;
	uint64_t	sku_wsum;
} gen_world;

extern void bc_gen_world_build(gen_world *w, uint64_t seed, int nprincipals, int nplanted);

/*
 * Planted spikes (--spikes N): series j < N is principal
 * nprincipals - nplanted + j on SKU GEN_SPIKE_SKU in USE1, one row every
 * day of every period with GEN_SPIKE_TOKENS tokens, GEN_SPIKE_FACTOR times
 * as many on one day of the last period (bc_gen_spike_day).
 */
#define GEN_SPIKE_SKU 1			/* Claude4.6Sonnet-output-tokens */
#define GEN_SPIKE_TOKENS 2000000000LL
#define GEN_SPIKE_FACTOR 5
extern int	bc_gen_spike_day(int j, int usage_days);
extern int	bc_gen_pick_principal(const gen_world *w, gen_rng *r);
extern int	bc_gen_pick_sku(const gen_world *w, gen_rng *r);
extern int	bc_gen_pick_region(gen_rng *r, int partition);
extern void bc_gen_usage_type(char *out, size_t outsz, const gen_sku *s, const gen_region *g);

/* ---------- faults ---------- */
enum gen_fault
{
	GF_NONE,
	GF_TRUNCATED_GZIP,
	GF_CORRUPT_BYTES,
	GF_MISSING_FILE,
	GF_RAGGED_ROW,
	GF_BAD_NUMBER,
	GF_BAD_ARN,
	GF_HUGE_FIELD,
	GF_NON_UTF8,
	GF_BOM,
	GF_MISSING_COLUMN,
	GF_BAD_TIMESTAMP,
	GF_NUL_BYTE,
	GF_USAGE_END_BEFORE_START,
	GF_USAGE_OUTSIDE_PERIOD,
	GF_HUGE_COST,
	GF_NFAULT
};
extern const char *const bc_gen_fault_names[GF_NFAULT];
extern const char *const bc_gen_fault_docs[GF_NFAULT];

/* ---------- configuration ---------- */
typedef struct gen_config
{
	const char *out;
	const char *export_name;
	uint64_t	seed;
	long		rows;			/* data rows per period (final delivery) */
	int			periods;
	int			start_year;
	int			start_month;
	int			principals;
	int			create_new;		/* create-new-version mode */
	int			restate;
	int			initial_only;	/* with --restate: stop before the restatement */
	int			colset;			/* 0 full, 1 default, 2 minimal */
	int			shuffle;
	int			fault;
	long		chunk_rows;
	int			gzip_level;
	int			crlf;
	const char *s3_prefix;
	int			quiet;
	int			through_day;	/* >0: the last period's usage days are 1..N */
	int			spikes;			/* planted spike series (--spikes) */
	int			gateway_log;	/* write the gateway's request log (--gateway-log) */
} gen_config;

/* ---------- ground truth ---------- */
/* tags of other sources than the principal (gen_rows.c): keys, values 1.. */
#define GEN_NCTAG 4
#define GEN_CTAG_NVAL 3
extern const char *const bc_gen_ctag_keys[GEN_NCTAG];
extern const char *const bc_gen_ctag_vals[GEN_NCTAG][GEN_CTAG_NVAL];

typedef struct gen_acc
{
	long		rows;
	bc_gen_i128 cost;
	bc_gen_i128 net;
	bc_gen_i128 tokens[GK_NKIND];
} gen_acc;

typedef struct gen_truth
{
	int			nprincipals;
	gen_acc    *prin;			/* [nprincipals + 1]; last = unattributed Bedrock usage */
	gen_acc    *sku_region;		/* [nskus * nregions] Bedrock usage rows */
	gen_acc    *lit;			/* [nacct_types + 1][2]: line item type x is_bedrock */
	gen_acc    *prin_sku;		/* [nprincipals + 1][nskus]: Bedrock usage rows */
	gen_acc		ctag[GEN_NCTAG][GEN_CTAG_NVAL];	/* Bedrock usage rows per other-source tag value */
	gen_acc    *account;		/* [naccounts]: Bedrock usage rows */
	gen_acc    *resource;		/* [naccounts][nregions][nskus]: Bedrock usage rows naming a
								 * profile ARN, at the first SKU of their model */
	gen_acc		no_resource;	/* Bedrock usage rows without one */
	gen_acc		total,
				attributed,
				unattributed,
				account_level,
				non_bedrock,
				bedrock_all,
				marketplace;
	int			last_day;		/* largest 0-based usage day of the delivery, -1 */
	/* with --spikes: per random principal (+ unattributed) x SKU model x kind x day */
	bc_gen_i128 *series_cost;
	bc_gen_i128 *series_tokens;
	bc_gen_i128 max_cost;		/* largest series-day of the latest deliveries */
	bc_gen_i128 max_tokens;
	int			nrandom;		/* principals of the random rows */
} gen_truth;

/* one generated row, as the truth sees it */
typedef struct gen_row_truth
{
	int			principal;		/* -1: none */
	int			sku;			/* -1: account-level row */
	int			region;
	int			lit;			/* 0 = Usage, 1.. = bc_gen_acct_types[lit-1] */
	int			bedrock;
	int			marketplace;
	int			day;			/* 0-based usage day in the month */
	int64_t		cost;
	int64_t		net;
	int64_t		tokens;
	signed char ctag[GEN_NCTAG];	/* value of each other-source tag, 0: none */
	int			account;		/* usage account: index into bc_gen_accounts */
	int			resource;		/* the row names an inference profile ARN */
} gen_row_truth;

extern void bc_gen_truth_init(gen_truth *t, int nprincipals, int nplanted);
extern void bc_gen_truth_series_end(gen_truth *t, int latest);
extern void bc_gen_truth_spikes(const gen_truth *t, const gen_world *w, const char *period,
								int usage_days);
extern void bc_gen_truth_reset(gen_truth *t);
extern void bc_gen_truth_add(gen_truth *t, const gen_row_truth *r);
extern void bc_gen_truth_open(const char *dir);
extern void bc_gen_truth_write(const gen_truth *t, const gen_world *w,
							   const char *period, const char *exec_id,
							   int delivery, int latest);
extern void bc_gen_truth_budgets(const gen_truth *t, const gen_world *w, const char *period,
								 int days_in_month);
extern void bc_gen_truth_close(void);

/* ---------- the gateway's request log (gen_gateway.c, --gateway-log) ---------- */
extern void bc_gen_gateway_begin(int ndays);
extern void bc_gen_gateway_add(const gen_world *w, const gen_row_truth *rt);
extern void bc_gen_gateway_write(const char *dir, int year, int month);

/* ---------- row generation ---------- */
typedef struct gen_rowctx
{
	const gen_config *cfg;
	const gen_world *world;
	int			year,
				month,
				ndays,
				usage_days;		/* days with usage: ndays, or through_day */
	int			bill_ms;		/* bill dates with milliseconds */
	int			final_invoice;	/* bill_invoice_id set */
	long		nrows;
	/* the fault to inject into this delivery, row-level faults only */
	int			fault;
	long		fault_row;		/* 0-based data row index in the delivery (a
								 * Bedrock-only fault moves it to the first
								 * Bedrock row from there) */
	int			fault_col;		/* column the fault touched (enum gen_col), -1 */
	int			omit_col;		/* column left out of this delivery, -1 */
	char		fault_note[256];
	int			last_period;	/* the delivery is of the last period */
	int			planted_day;	/* set by choose_row for a planted row, else -1 */
	int64_t		planted_tokens;
} gen_rowctx;

/* generate row i of a delivery into fields; returns its truth */
extern void bc_gen_profile_arn(char *buf, size_t n, const gen_account *a, const gen_region *g,
							   const gen_sku *s);
extern void bc_gen_row(gen_rowctx *ctx, gen_rng *r, long i,
					   const char **f, size_t *fl, gen_row_truth *t);

/* ---------- utility ---------- */
extern void bc_gen_die(const char *fmt,...) __attribute__((format(printf, 1, 2), noreturn));
extern void bc_gen_mkdirs(const char *path);

#endif							/* BC_GEN_H */
