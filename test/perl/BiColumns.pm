# BiColumns.pm: what a BI client stack must see of the bi_* views, shared
# by the JDBC (041) and SQLAlchemy (042) suites so both check the same:
#   bi_declared_types($money, $rate, $count)
#       "view.column" => type text, for the cost and token columns, given
#       the texts the client uses for numeric(38,16), numeric(38,6), bigint
#   bi_check_views(\%views, \%type, $listed)
#       the views listed (test name $listed) are every BI view, and each
#       view has the export columns; %type is "view.column" => type
#   bi_check_dashboards(\%rows)
#       the dashboard queries for May 2026 give the rows of
#       test/fixtures/chargeback_bi.sql
#   bi_check_team(\%rows, %opt)
#       what the team role sees: its own principal only, no rows of another
#       tag key, no per-model rows; with daily => 1 its own days only
package BiColumns;
use strict;
use warnings;
use Exporter 'import';
use Test::More;
our @EXPORT_OK = qw(bi_declared_types bi_check_views bi_check_dashboards bi_check_team);

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

sub bi_check_views
{
	my ($views, $type, $listed) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	is_deeply([ sort keys %$views ],
		[qw(bi_budget_status bi_chargeback_allocated bi_chargeback_by_principal bi_chargeback_by_resource bi_chargeback_by_tag bi_daily bi_daily_by_tag bi_focus_bedrock bi_gateway_chargeback bi_gateway_reconciliation bi_principal_tags bi_spikes
			  bi_team_model_mix bi_usage_by_model bi_usage_profile)],
		$listed);
	# every view names the export its rows came from (the same bill synced twice shows twice)
	my @no_export = grep { !exists $type->{$_} }
	  map { my $v = $_; map { "$v.$_" } ($v eq 'bi_focus_bedrock' ? qw(x_ExportId x_ExportName x_Export) : qw(export_id export_name export)) }
	  sort keys %$views;
	is_deeply(\@no_export, [], 'every BI view has export_id, export_name and export');
	return;
}

sub bi_check_dashboards
{
	my ($rows) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	is_deeply($rows->{principal}, [
			'account_level|0.5000000000000000',
			'arn:aws:iam::222222222222:user/bob|0.7500000000000000',
			'arn:aws:sts::222222222222:assumed-role/DataSci/alice@acme.org|4.5000000000000000',
			'arn:aws:sts::333333333333:assumed-role/App/session1|0.1500000000000000',
			'unattributed|0.2500000000000000' ],
		'per-principal dashboard query for May 2026');
	is_deeply($rows->{team},
		[ '(untagged)|0.9000000000000000', 'ds|4.5000000000000000', 'web|0.7500000000000000' ],
		'per-team dashboard query for May 2026');
	is_deeply($rows->{model}, [
			'Claude4.6Sonnet|cache_read|500000|0.1500000000000000',
			'Claude4.6Sonnet|input|1300000|3.8500000000000000',
			'Claude4.6Sonnet|output|110000|1.6500000000000000' ],
		'per-model dashboard query for May 2026');
	is_deeply($rows->{daily}, [
			'2026-05-01|0.5000000000000000', '2026-05-03|4.5000000000000000',
			'2026-05-04|0.7500000000000000', '2026-05-05|0.4000000000000000' ],
		'daily dashboard query for May 2026');
	return;
}

sub bi_check_team
{
	my ($team, %opt) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	is_deeply($team->{principal},
		[ 'arn:aws:sts::222222222222:assumed-role/DataSci/alice@acme.org|4.5000000000000000' ],
		'team role: its own principal only');
	is($team->{team}, undef, 'team role: no rows of another tag key');
	is($team->{model}, undef, 'team role: no per-model rows');
	is_deeply($team->{daily}, [ '2026-05-03|4.5000000000000000' ], 'team role: its own days only')
	  if $opt{daily};
	return;
}

1;
