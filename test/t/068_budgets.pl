# 068_budgets.pl: budgets against the generator's planted outcomes.
#
# bedrock-cost-gen --through-day 12 writes three months whose last (June) is
# in progress (usage on days 1..12), and budgets.csv: budgets on the whole
# bill, every team, the top principal and a role, with amounts chosen from
# June's exact spend to be over, forecast_over, warning or ok, and their
# expected status (budget_status.csv, the documented formula on the
# generator's own sums).  The budgets are inserted by a member of
# bedrock_cost_admin (audited), the export is loaded in a session that
# LISTENs, and:
#   - June's budget_status equals budget_status.csv, column for column;
#   - April and May (whole months: 30 and 31 days elapsed) equal the same
#     formula applied to the truth's per-scope sums (summary, by_tag,
#     by_principal, by_role), computed here in SQL;
#   - the refresh sends exactly one NOTIFY per (budget, month) whose state
#     is not ok, with the JSON payload of its status; a second refresh, and
#     a load that changes nothing, send none;
#   - April's restatement sends one NOTIFY per April budget whose state the
#     restatement changed (by the truth of both deliveries), none else;
#   - budget changes are in the audit log; a deleted budget's states go;
#   - a copy of the export in a second folder changes no status.
use strict;
use warnings;
use JSON::PP;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = PostgreSQL::Test::Utils::tempdir();
my @gen = ('--out', $root, '--export', 'cur', '--seed', '77', '--rows', '5000',
	'--periods', '3', '--start', '2026-04', '--principals', '50', '--restate', '--through-day', '12');
my $export = "$root/cur";
my $truth = "$export/ground_truth";

my $node = cluster('budgets', extension => 1);
sql('CREATE ROLE budget_admin IN ROLE bedrock_cost_admin');

# the first deliveries (April not yet restated)
gen(@gen, '--initial-only');
my $columns = 'name, scope, tag_key, tag_value, principal_arn, role_arn, account_id, monthly_amount, warning_percent';
sql("SET ROLE budget_admin; \\copy bedrock_cost.budgets ($columns) FROM '$truth/budgets.csv' (FORMAT csv, HEADER)");
my $nbudgets = sql('SELECT count(*) FROM bedrock_cost.budgets');
cmp_ok($nbudgets, '>=', 10, "the generator planted $nbudgets budgets");
is(sql(q{SELECT count(*) FROM bedrock_cost.audit_log WHERE object = 'budgets' AND action = 'insert'
			AND current_user_name = 'budget_admin'}), $nbudgets, 'every budget insert is audited, with its author');
is(sql(q{SELECT string_agg(DISTINCT scope, ',' ORDER BY scope) FROM bedrock_cost.budgets}),
	'bill,principal,role,tag', 'budgets of four scopes');

# load and refresh in one listening session; returns (output, [payloads])
sub listen_and
{
	my ($q) = @_;
	my $out = sql("LISTEN bedrock_cost_budget; $q");
	my $json = JSON::PP->new->allow_bignum;	# exact decimals
	my @payloads = map { $json->decode($_) }
	  $out =~ /Asynchronous notification "bedrock_cost_budget" with payload "(.*)" received from server process/g;
	return ($out, \@payloads);
}
my (undef, $sent) = listen_and("SELECT count(*) FROM bedrock_cost.load_export('$export'); "
	  . 'SELECT bedrock_cost.refresh_chargeback();');

# the ground truth of the first deliveries (loaded again after the restatement)
my ($key, $sums) = ($truth_key, $truth_sums);
my %tables = (
	summary => "$key, measure text, $sums",
	by_principal => "$key, principal text, principal_type text, account_id text, partition text, role text, person text, $sums",
	by_role => "$key, role text, $sums",
	by_tag => "$key, tag_key text, tag_value text, untagged boolean, $sums",
	budget_status => 'name text, billing_period date, spent numeric, days_elapsed int, days_in_month int, '
	  . 'daily_run_rate numeric, forecast numeric, percent_used numeric, state text');
truth_tables($truth, %tables);
is(sql("SELECT count(*) FROM truth.budget_status"), $nbudgets, 'the expected June status of every budget');
# the truth's spend per budget and delivery, and the documented formula on it
sql(q{
CREATE VIEW truth.spend AS
SELECT b.name, d.billing_period, d.delivery, d.latest,
	   coalesce(CASE b.scope
		   WHEN 'bill' THEN (SELECT s.cost FROM truth.summary s WHERE (s.billing_period, s.delivery) = (d.billing_period, d.delivery) AND s.measure = 'bedrock')
		   WHEN 'tag' THEN (SELECT t.cost FROM truth.by_tag t WHERE (t.billing_period, t.delivery) = (d.billing_period, d.delivery)
							  AND 'iamPrincipal/' || t.tag_key = b.tag_key AND t.tag_value = b.tag_value)
		   WHEN 'principal' THEN (SELECT p.cost FROM truth.by_principal p WHERE (p.billing_period, p.delivery) = (d.billing_period, d.delivery)
									AND p.principal = b.principal_arn)
		   WHEN 'role' THEN (SELECT r.cost FROM truth.by_role r WHERE (r.billing_period, r.delivery) = (d.billing_period, d.delivery)
							   AND r.role = b.role_arn)
	   END, 0) AS spent
  FROM bedrock_cost.budgets b
 CROSS JOIN (SELECT DISTINCT billing_period, delivery, latest FROM truth.summary) d;
CREATE VIEW truth.expected AS
SELECT x.*,
	   CASE WHEN x.spent > x.amount THEN 'over'
			WHEN x.spent * x.d > x.amount * x.n THEN 'forecast_over'
			WHEN x.spent * 100 >= x.amount * x.wp THEN 'warning'
			ELSE 'ok' END AS state,
	   round(x.spent * x.d / x.n, 10) AS forecast
  FROM (SELECT s.*, b.monthly_amount AS amount, b.warning_percent AS wp,
			   extract(day FROM (s.billing_period + interval '1 month - 1 day'))::int AS d,
			   CASE WHEN s.billing_period = '2026-06-01' THEN 12
					ELSE extract(day FROM (s.billing_period + interval '1 month - 1 day'))::int END AS n
		  FROM truth.spend s JOIN bedrock_cost.budgets b USING (name)) x;
});
# whole months: usage on their last day (the formula's N for April and May)
is(sql(q{SELECT string_agg(data_through::text, ',' ORDER BY billing_period) FROM bedrock_cost.chargeback_state}),
	'2026-04-30,2026-05-31,2026-06-12', 'data through the last day of April and May, June 12');

# the first deliveries: April's first, May, June
my $first = "SELECT name, billing_period, state FROM truth.expected e
			  WHERE delivery = 1";
is(sql(q{SELECT count(*) FROM (
		  SELECT name, billing_period, spent, days_elapsed, days_in_month, daily_run_rate, forecast, percent_used, state
			FROM bedrock_cost.budget_status WHERE billing_period = '2026-06-01'
		  EXCEPT
		  SELECT * FROM truth.budget_status) d}), '0', "June: budget_status equals the generator's, every column");
is(sql(q{SELECT count(*) FROM (SELECT * FROM truth.budget_status EXCEPT
		  SELECT name, billing_period, spent, days_elapsed, days_in_month, daily_run_rate, forecast, percent_used, state
			FROM bedrock_cost.budget_status WHERE billing_period = '2026-06-01') d}), '0',
	"June: every expected row is there");
is(sql(q{SELECT string_agg(DISTINCT state, ',' ORDER BY state) FROM truth.budget_status}),
	'forecast_over,ok,over,warning', 'June shows all four states');
is(sql(qq{SELECT count(*) FROM (($first) EXCEPT (SELECT name, billing_period, state FROM bedrock_cost.budget_status)) d}),
	'0', 'April (first delivery) and May: the state by the formula on the truth');
is(sql(q{SELECT count(*) FROM bedrock_cost.budget_status s JOIN truth.expected e USING (name, billing_period)
		  WHERE e.delivery = 1 AND (s.spent, s.forecast) IS DISTINCT FROM (e.spent, e.forecast)}), '0',
	'every month: spent and forecast as the truth gives them');

# one NOTIFY per (budget, month) not ok, with its status as payload
my @got = sort map { "$_->{budget}|$_->{billing_period}|$_->{previous_state}>$_->{state}" } @$sent;
my @want = sort split /\n/, sql(qq{SELECT e.name || '|' || e.billing_period || '|ok>' || e.state
	  FROM ($first) e WHERE e.state <> 'ok'});
cmp_ok(scalar(@want), '>', 5, scalar(@want) . ' budget states to announce');
is_deeply(\@got, \@want, 'one NOTIFY per budget and month not ok, none else');
my $values = join(', ', map {
	my $n = $_->{budget} =~ s/'/''/gr;
	"('$n', '$_->{billing_period}'::date, $_->{spent}::numeric, $_->{forecast}::numeric)" } @$sent);
is(sql(qq{SELECT count(*) FROM (VALUES $values) AS v(name, billing_period, spent, forecast)
			JOIN truth.expected e USING (name, billing_period)
		   WHERE e.delivery = 1 AND (v.spent, v.forecast) IS DISTINCT FROM (e.spent, e.forecast)}), '0',
	'every payload carries the exact spent and forecast of the truth');
my ($p) = grep { $_->{budget} eq 'bill-over' && $_->{billing_period} eq '2026-06-01' } @$sent;
is(join('|', map { $p->{$_} } qw(scope state data_through)), 'bill|over|2026-06-12', 'the payload names scope, state, data through');
is(sql(qq{SELECT forecast = $p->{forecast} AND monthly_amount = $p->{monthly_amount} AND percent_used = $p->{percent_used}
			FROM bedrock_cost.budget_status WHERE name = 'bill-over' AND billing_period = '2026-06-01'}),
	't', 'the payload carries the exact forecast, amount and percent');

# nothing changed: no NOTIFY
my ($out, $none) = listen_and('SELECT bedrock_cost.refresh_chargeback();');
is(scalar(@$none), 0, 'a refresh that recomputes nothing announces nothing');
($out, $none) = listen_and("SELECT count(*) FROM bedrock_cost.load_export('$export'); "
	  . 'SELECT bedrock_cost.refresh_chargeback(false);');
is(scalar(@$none), 0, 'a full recomputation with the same states announces nothing');

# April restated: a NOTIFY for each April budget whose state changed (the
# truth now has both April deliveries)
gen(@gen);
truth_tables($truth, %tables);
my ($o2, $restated) = listen_and("SELECT count(*) FROM bedrock_cost.load_export('$export'); "
	  . 'SELECT bedrock_cost.refresh_chargeback();');
@got = sort map { "$_->{budget}|$_->{previous_state}>$_->{state}" } @$restated;
@want = sort split /\n/, sql(q{SELECT a.name || '|' || a.state || '>' || b.state
	  FROM truth.expected a JOIN truth.expected b USING (name, billing_period)
	 WHERE billing_period = '2026-04-01' AND a.delivery = 1 AND b.delivery = 2 AND a.state <> b.state});
cmp_ok(scalar(@want), '>', 0, scalar(@want) . ' April budgets change state with the restatement');
is_deeply(\@got, \@want, 'the restatement announces exactly the April budgets whose state changed');
is(sql(q{SELECT count(*) FROM (SELECT name, billing_period, state FROM truth.expected WHERE latest
		  EXCEPT SELECT name, billing_period, state FROM bedrock_cost.budget_status) d}), '0',
	'after the restatement every state is the formula on the latest truth');

# changes to budgets are audited; a deleted budget's recorded states go
sql(q{SET ROLE budget_admin; UPDATE bedrock_cost.budgets SET monthly_amount = monthly_amount * 2 WHERE name = 'bill-ok';
	  DELETE FROM bedrock_cost.budgets WHERE name = 'bill-over'});
is(sql(q{SELECT string_agg(action || ':' || coalesce(new_value ->> 'name', old_value ->> 'name'), ',' ORDER BY audit_id)
		   FROM bedrock_cost.audit_log WHERE object = 'budgets' AND action <> 'insert'}),
	'update:bill-ok,delete:bill-over', 'the update and the delete are audited');
listen_and('SELECT bedrock_cost.refresh_chargeback(false);');
is(sql(q{SELECT count(*) FROM bedrock_cost.budget_state WHERE name = 'bill-over'}), '0',
	"a deleted budget's states are forgotten");
like(sql(q{SET ROLE budget_admin; SELECT count(*) FROM bedrock_cost.bi_budget_status}), qr/^[1-9][0-9]*$/,
	'the admin reads bi_budget_status');

# the same bill synced into a second folder is recorded duplicate, not
# loaded: the budgets' status is unchanged and nothing is announced
my $before = sql(q{SELECT md5(string_agg(s::text, ',' ORDER BY name, billing_period)) FROM bedrock_cost.budget_status s});
system_or_bail('cp', '-R', $export, "$root/copy");
my ($copied, $copy) = listen_and("SELECT string_agg(DISTINCT status, ',') FROM bedrock_cost.load_export('$root/copy'); "
	  . 'SELECT bedrock_cost.refresh_chargeback();');
like($copied, qr/^duplicate$/m, 'the copy of the export is recorded duplicate');
is(sql(q{SELECT md5(string_agg(s::text, ',' ORDER BY name, billing_period)) FROM bedrock_cost.budget_status s}),
	$before, 'budget status unchanged: the bill is not counted twice');
is(scalar(@$copy), 0, 'nothing announced');

$node->stop;
done_testing();
