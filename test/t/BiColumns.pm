# BiColumns.pm: the cost and token columns of the bi_* views and the type a
# BI client stack must see for each, shared by the JDBC (041) and SQLAlchemy
# (042) suites so both check the same list.
package BiColumns;
use strict;
use warnings;
use Exporter 'import';
our @EXPORT_OK = qw(bi_declared_types);

my @cost = qw(cost unblended_cost net_unblended_cost);
my @tokens = qw(input_tokens output_tokens cache_read_tokens cache_write_tokens total_tokens);

# per view: [ money columns ], [ numeric(38,6) columns: rates, shares ], [ count columns ]
my %columns = (
	bi_chargeback_by_principal => [ \@cost, [], [ @tokens, 'line_items' ] ],
	bi_principal_tags => [ \@cost, [], [ @tokens, 'line_items' ] ],
	bi_chargeback_by_tag => [ \@cost, [], [ @tokens, 'principals', 'line_items' ] ],
	bi_usage_by_model => [ [ 'usage_amount', @cost ], ['cost_per_million_tokens'],
		[qw(tokens principals line_items)] ],
	bi_team_model_mix => [ \@cost, ['share_of_team'], [ @tokens, 'principals', 'line_items' ] ],
	bi_usage_profile => [ \@cost,
		[qw(output_input_ratio cache_hit_ratio cost_per_million_tokens dominant_model_share)],
		[ @tokens, 'line_items' ] ],
	bi_budget_status => [ [qw(monthly_amount spent daily_run_rate forecast)], [qw(warning_percent percent_used)], [] ],
	bi_spikes => [ [qw(cost baseline_cost min_cost)], [qw(cost_ratio baseline_tokens tokens_ratio factor)],
		[qw(tokens min_tokens)] ],
	bi_daily_by_tag => [ ['cost'], [], [ @tokens, 'principals', 'line_items' ] ],
	bi_daily => [ [ @cost, qw(input_cost output_cost cache_read_cost cache_write_cost) ], [], [ @tokens, 'line_items' ] ],
	bi_chargeback_allocated => [ [qw(usage_cost allocated_cost cost)], [], ['line_items'] ],
	bi_chargeback_by_resource => [ \@cost, [], [ @tokens, 'principals', 'line_items' ] ],
	bi_focus_bedrock => [ [qw(BilledCost EffectiveCost ListCost ContractedCost ConsumedQuantity PricingQuantity)], [],
		[qw(x_LoadId x_LineNumber)] ],
	bi_gateway_chargeback => [ ['billed_share'], [], ['tokens'] ],
	bi_gateway_reconciliation => [ [qw(estimated_spend billed_cost)], ['drift_percent'],
		[qw(logged_tokens billed_tokens)] ]);

# "view.column" => the type text a client reports, given the texts it uses
# for numeric(38,16), numeric(38,6) and bigint
sub bi_declared_types
{
	my ($money_type, $rate_type, $count_type) = @_;
	my %want;
	for my $v (keys %columns)
	{
		my ($money, $per_million, $counts) = @{ $columns{$v} };
		$want{"$v.$_"} = $money_type for @$money;
		$want{"$v.$_"} = $rate_type for @$per_million;
		$want{"$v.$_"} = $count_type for @$counts;
	}
	return %want;
}

1;
