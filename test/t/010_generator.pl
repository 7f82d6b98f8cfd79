# 010_generator.pl: bedrock-cost-gen is deterministic and its ground truth is
# exact.  Generated exports are loaded, column by header name, into a text
# staging table of a throwaway cluster; every ground-truth table is then
# recomputed in SQL from the raw CSV text with numeric arithmetic and must
# match the generator's files exactly (EXCEPT both ways is empty).
use strict;
use warnings;
use File::Basename;
use File::Compare;
use File::Find;
use IO::Uncompress::Gunzip qw($GunzipError);
use JSON::PP;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# the generator: built in the tree, or installed beside pg_config (a
# missing one is a failure, not a skip: make builds it)
my $gen = tool('bedrock-cost-gen');

my $tmp = PostgreSQL::Test::Utils::tempdir();

# every file under a folder, relative, sorted
sub tree
{
	my ($root) = @_;
	my @files;
	find({ wanted => sub { push @files, $File::Find::name if -f $_ }, no_chdir => 1 }, $root);
	return sort map { substr($_, length($root) + 1) } @files;
}

# ---------------------------------------------------------------------------
# determinism: same arguments, same bytes; another seed, other bytes
my @common = ('--export', 'cur', '--rows', '2500', '--periods', '2',
	'--restate', '--chunk-rows', '1000', '--principals', '60',
	'--shuffle-columns', '--seed', '42');
gen('--out', "$tmp/a", @common, '--mode', 'create-new');
gen('--out', "$tmp/b", @common, '--mode', 'create-new');
my @fa = tree("$tmp/a");
my @fb = tree("$tmp/b");
is_deeply(\@fa, \@fb, 'same seed: same file names');
my @differ = grep { compare("$tmp/a/$_", "$tmp/b/$_") != 0 } @fa;
is(scalar(@differ), 0, 'same seed: identical bytes in ' . scalar(@fa) . ' files')
  or diag("differ: @differ");
gen('--out', "$tmp/c", @common[0 .. $#common - 1], '43', '--mode', 'create-new');
isnt(compare("$tmp/a/cur/ground_truth/summary.csv", "$tmp/c/cur/ground_truth/summary.csv"),
	0, 'another seed: other totals');

# overwrite mode: the restatement leaves a stale, empty chunk not in the manifest
gen('--out', "$tmp/o", @common, '--mode', 'overwrite');
{
	my $pdir = "$tmp/o/cur/data/BILLING_PERIOD=2026-04";
	my @chunks = sort glob("$pdir/cur-*.csv.gz");
	my $man = decode_json(slurp_file("$tmp/o/cur/metadata/BILLING_PERIOD=2026-04/cur-Manifest.json"));
	my @listed = map { basename($_) } @{ $man->{dataFiles} };
	cmp_ok(scalar(@chunks), '>', scalar(@listed), 'overwrite: more chunk files than the manifest lists');
	my $stale = "$pdir/" . basename($chunks[-1]);
	ok(!grep({ $_ eq basename($stale) } @listed), 'overwrite: the extra chunk is not listed');
	my $z = IO::Uncompress::Gunzip->new($stale) or die $GunzipError;
	my $content = join('', <$z>);
	is(length($content), 0, 'overwrite: the stale chunk is empty gzip data');
	like($man->{executionId}, qr/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
		'manifest: executionId');
	is($man->{billingPeriod}{start}, '20260401T000000.000Z', 'manifest: billing period start');
	is(scalar(@{ $man->{columns} }), 131, 'manifest: 131 columns (full set)');
}

# the committed sample export is what its documented command produces
{
	local $ENV{BC_GEN} = $gen;
	system("sh test/fixtures/regen.sh '$tmp/fx' >/dev/null") == 0 or die 'regen.sh failed';
	my @want = tree('test/fixtures/sample_export');
	my @got = tree("$tmp/fx/sample_export");
	my @diff = grep { compare("test/fixtures/sample_export/$_", "$tmp/fx/sample_export/$_") != 0 } @got;
	ok(@want == @got && !@diff, 'test/fixtures/sample_export is what test/fixtures/regen.sh writes')
	  or diag("differ: @diff");
}

# ---------------------------------------------------------------------------
# load every delivery of the create-new export into a text staging table
my $node = cluster('gen');
my $db = 'postgres';

my $first_header = first_line(((grep { /\.csv\.gz$/ } @fa))[0]);
sub first_line
{
	my ($rel) = @_;
	my $z = IO::Uncompress::Gunzip->new("$tmp/a/$rel") or die $GunzipError;
	my $h = <$z>;
	$h =~ s/\r?\n$//;
	return $h;
}
my @allcols = sort split(/,/, $first_header);
is(scalar(@allcols), 131, 'header: 131 columns');
$node->safe_psql($db, 'CREATE TABLE raw (execution_id text, file text, '
	  . join(', ', map { "$_ text" } @allcols) . ')');

my @manifests = grep { m{/[^/]+-[0-9a-f-]{36}/cur-Manifest\.json$} } @fa;
is(scalar(@manifests), 3, 'create-new: three delivery manifests (one period restated)');
my $nfiles = 0;
for my $m (@manifests)
{
	my $man = decode_json(slurp_file("$tmp/a/$m"));
	for my $url (@{ $man->{dataFiles} })
	{
		my ($rel) = $url =~ m{/cur/(data/.*)$} or die "unexpected data file $url";
		my $path = "$tmp/a/cur/$rel";
		my $cols = first_line("cur/$rel");
		$node->safe_psql($db,
			"COPY raw ($cols) FROM PROGRAM 'gzip -dc ''$path''' WITH (FORMAT csv, HEADER true)");
		$node->safe_psql($db,
			"UPDATE raw SET execution_id = '$man->{executionId}', file = '$rel' WHERE file IS NULL");
		$nfiles++;
	}
}
ok($nfiles >= 7, "loaded $nfiles chunk files");

# ground truth tables
my $gt = "$tmp/a/cur/ground_truth";
my $keys = 'billing_period date, delivery int, execution_id text, latest boolean';
my $sums = 'line_items bigint, cost numeric, net_cost numeric, input_tokens numeric, '
  . 'output_tokens numeric, cache_read_tokens numeric, cache_write_tokens numeric';
my %gt_tables = (
	summary => "$keys, measure text, $sums",
	by_principal => "$keys, principal text, principal_type text, account_id text, partition text, role text, person text, $sums",
	by_role => "$keys, role text, $sums",
	by_person => "$keys, person text, $sums",
	by_tag => "$keys, tag_key text, tag_value text, untagged boolean, $sums",
	by_cost_tag => "$keys, tag_key text, tag_value text, untagged boolean, $sums",
	by_account => "$keys, usage_account_id text, usage_account_name text, $sums",
	by_resource => "$keys, resource_id text, $sums",
	by_tag_model => "$keys, tag_key text, tag_value text, untagged boolean, model_key text, vendor text, $sums",
	by_principal_model => "$keys, principal text, model_key text, vendor text, $sums",
	budget_status => 'name text, billing_period date, spent numeric, days_elapsed int, days_in_month int, '
	  . 'daily_run_rate numeric, forecast numeric, percent_used numeric, state text',
	by_model_token => "$keys, model text, token_kind text, line_items bigint, tokens numeric, cost numeric, net_cost numeric",
	by_usage_type => "$keys, product_code text, usage_type text, model text, token_kind text, pricing_unit text, line_items bigint, tokens numeric, cost numeric, net_cost numeric",
	by_line_item_type => "$keys, line_item_type text, is_bedrock boolean, line_items bigint, cost numeric, net_cost numeric",
	deliveries => 'billing_period date, delivery int, execution_id text, latest boolean, mode text, data_folder text, manifest text, files int, stale_files int, rows bigint, columns int, column_set text, fault text',
);
for my $t (sort keys %gt_tables)
{
	$node->safe_psql($db, "CREATE TABLE gt_$t ($gt_tables{$t}); "
		  . "COPY gt_$t FROM '$gt/$t.csv' WITH (FORMAT csv, HEADER true)");
}

# every raw row, typed and classified from its own text
$node->safe_psql($db, q{
CREATE TABLE r AS
SELECT d.billing_period, d.delivery, x.execution_id, d.latest,
       x.line_item_line_item_type AS lit,
       nullif(x.line_item_iam_principal, '') AS principal,
       x.line_item_unblended_cost::numeric AS cost,
       x.line_item_net_unblended_cost::numeric AS net,
       x.line_item_usage_type AS usage_type, x.line_item_product_code AS product_code,
       x.tags::jsonb AS tags,
       nullif(x.line_item_resource_id, '') AS resource_id,
       x.line_item_usage_account_id AS account_id, x.line_item_usage_account_name AS account_name,
       (x.line_item_product_code IN ('AmazonBedrock', 'AmazonBedrockService',
            'AmazonBedrockFoundationModels', 'AmazonBedrockAgentCore')
        OR (x.bill_billing_entity = 'AWS Marketplace'
            AND x.product::jsonb ->> 'product_name' LIKE '%(Amazon Bedrock Edition)')) AS is_bedrock,
       x.bill_billing_entity = 'AWS Marketplace' AS marketplace,
       u.model, u.token_kind,
       CASE WHEN u.token_kind IN ('input', 'output', 'cache_read', 'cache_write')
            THEN x.line_item_usage_amount::numeric *
                 CASE x.pricing_unit WHEN '1K tokens' THEN 1000 WHEN '1M tokens' THEN 1000000
                                     WHEN 'Units' THEN 1000000 END
            ELSE 0 END AS tokens
FROM raw x
JOIN gt_deliveries d USING (execution_id)
LEFT JOIN gt_by_usage_type u
  ON u.execution_id = x.execution_id AND u.usage_type = x.line_item_usage_type
 AND u.product_code = x.line_item_product_code;
ALTER TABLE r ADD COLUMN role text, ADD COLUMN person text;
UPDATE r SET
  role = CASE WHEN principal ~ ':assumed-role/'
              THEN regexp_replace(principal, '^arn:([^:]+):sts::([0-9]{12}):assumed-role/([^/]+)/.*$',
                                  'arn:\1:iam::\2:role/\3')
              WHEN principal ~ '^arn:[^:]+:iam::[0-9]{12}:role/' THEN principal END,
  person = CASE WHEN principal ~ ':assumed-role/' OR principal ~ ':user/'
                THEN regexp_replace(principal, '^.*/', '') END;
});

is($node->safe_psql($db, 'SELECT count(*) FROM raw'),
	$node->safe_psql($db, 'SELECT sum(rows) FROM gt_deliveries'),
	'row count: every delivery row loaded');
is($node->safe_psql($db, q{SELECT count(*) FROM r WHERE tokens <> trunc(tokens)}), '0',
	'token counts are whole numbers after unit scaling');
is($node->safe_psql($db, q{SELECT count(*) FROM r WHERE is_bedrock AND lit = 'Usage' AND token_kind IS NULL}),
	'0', 'every Bedrock usage row has its usage type in the ground truth');

my $agg = q{count(*), sum(cost), sum(net),
  coalesce(sum(tokens) FILTER (WHERE token_kind = 'input'), 0),
  coalesce(sum(tokens) FILTER (WHERE token_kind = 'output'), 0),
  coalesce(sum(tokens) FILTER (WHERE token_kind = 'cache_read'), 0),
  coalesce(sum(tokens) FILTER (WHERE token_kind = 'cache_write'), 0)};

# the same rows both ways; and at least one row
sub same
{
	my ($name, $truth, $computed) = @_;
	my $n = $node->safe_psql($db, "SELECT count(*) FROM ($truth) t");
	cmp_ok($n, '>', 0, "$name: ground truth has rows");
	my $diff = $node->safe_psql($db,
		"SELECT * FROM ((($truth) EXCEPT ($computed)) UNION ALL (($computed) EXCEPT ($truth))) d LIMIT 5");
	is($diff, '', "$name: ground truth equals the sums of the CSV text ($n rows)");
	return;
}

my $k = 'billing_period, delivery, execution_id, latest';
my %measure = (
	total => 'true',
	bedrock => 'is_bedrock',
	bedrock_usage => "is_bedrock AND lit = 'Usage'",
	attributed => 'principal IS NOT NULL',
	unattributed => "is_bedrock AND lit = 'Usage' AND principal IS NULL",
	account_level => "lit <> 'Usage'",
	non_bedrock_usage => "NOT is_bedrock AND lit = 'Usage'",
	marketplace => 'marketplace',
);
same('summary',
	"SELECT $k, measure, line_items, cost, net_cost, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens FROM gt_summary",
	join(' UNION ALL ', map { "SELECT $k, '$_', $agg FROM r WHERE $measure{$_} GROUP BY $k" } sort keys %measure));
is($node->safe_psql($db, q{
	SELECT count(*) FROM gt_summary t
	JOIN gt_summary a USING (execution_id) JOIN gt_summary u USING (execution_id)
	JOIN gt_summary l USING (execution_id) JOIN gt_summary n USING (execution_id)
	WHERE t.measure = 'total' AND a.measure = 'attributed' AND u.measure = 'unattributed'
	  AND l.measure = 'account_level' AND n.measure = 'non_bedrock_usage'
	  AND t.cost = a.cost + u.cost + l.cost + n.cost
	  AND t.line_items = a.line_items + u.line_items + l.line_items + n.line_items}), '3',
	'summary: attributed + unattributed + account level + non-Bedrock = total, every delivery');

same('by_principal',
	"SELECT $k, principal, role, person, line_items, cost, net_cost, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens FROM gt_by_principal",
	"SELECT $k, principal, role, person, $agg FROM r WHERE principal IS NOT NULL GROUP BY $k, principal, role, person");
same('by_role',
	"SELECT $k, role, line_items, cost, net_cost, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens FROM gt_by_role",
	"SELECT $k, role, $agg FROM r WHERE role IS NOT NULL GROUP BY $k, role");
same('by_person',
	"SELECT $k, person, line_items, cost, net_cost, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens FROM gt_by_person",
	"SELECT $k, person, $agg FROM r WHERE person IS NOT NULL GROUP BY $k, person");
same('by_tag',
	"SELECT $k, tag_key, tag_value, untagged, line_items, cost, net_cost, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens FROM gt_by_tag",
	"WITH s AS (SELECT * FROM r WHERE is_bedrock AND lit = 'Usage'),
	 keys AS (SELECT DISTINCT execution_id, substr(key, 14) AS tag_key
	          FROM s, jsonb_object_keys(tags) key WHERE key LIKE 'iamPrincipal/%')
	 SELECT $k, tag_key, tags ->> ('iamPrincipal/' || tag_key), tags ->> ('iamPrincipal/' || tag_key) IS NULL, $agg
	 FROM s JOIN keys USING (execution_id)
	 GROUP BY $k, tag_key, tags ->> ('iamPrincipal/' || tag_key)");
# the tags of other sources (resource, account, user attribute, cost
# category), full keys, over the same rows as by_tag
same('by_cost_tag',
	"SELECT $k, tag_key, tag_value, untagged, line_items, cost, net_cost, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens FROM gt_by_cost_tag",
	"WITH s AS (SELECT * FROM r WHERE is_bedrock AND lit = 'Usage'),
	 keys AS (SELECT DISTINCT execution_id, key AS tag_key
	          FROM s, jsonb_object_keys(tags) key WHERE key NOT LIKE 'iamPrincipal/%')
	 SELECT $k, tag_key, tags ->> tag_key, tags ->> tag_key IS NULL, $agg
	 FROM s JOIN keys USING (execution_id)
	 GROUP BY $k, tag_key, tags ->> tag_key");
# per usage account (with its name) and per inference profile ARN, over the
# same rows (Bedrock usage)
same('by_account',
	"SELECT $k, usage_account_id, usage_account_name, line_items, cost, net_cost, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens FROM gt_by_account",
	"SELECT $k, account_id, account_name, $agg FROM r WHERE is_bedrock AND lit = 'Usage' GROUP BY $k, account_id, account_name");
same('by_resource',
	"SELECT $k, resource_id, line_items, cost, net_cost, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens FROM gt_by_resource",
	"SELECT $k, resource_id, $agg FROM r WHERE is_bedrock AND lit = 'Usage' GROUP BY $k, resource_id");
cmp_ok($node->safe_psql($db, "SELECT count(*) FROM gt_by_resource WHERE resource_id IS NOT NULL"), '>', 10,
	'by_resource: inference profiles named');
is($node->safe_psql($db, "SELECT count(DISTINCT tag_key) FROM gt_by_cost_tag"), '4',
	'by_cost_tag: the four keys of other sources the generator draws');
# by_tag_model splits by_tag by the hand-written canonical model: summed over
# the models it is the per-tag sums of the CSV text again, and every model
# billed is in it (no Bedrock usage row without a model group)
same('by_tag_model, summed over models',
	"SELECT $k, tag_key, tag_value, untagged, sum(line_items), sum(cost), sum(net_cost), sum(input_tokens),
	        sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens)
	 FROM gt_by_tag_model GROUP BY $k, tag_key, tag_value, untagged",
	"SELECT $k, tag_key, tag_value, untagged, line_items, cost, net_cost, input_tokens, output_tokens,
	        cache_read_tokens, cache_write_tokens FROM gt_by_tag");
# by_principal_model likewise: summed over the models it is the per-principal
# sums of the CSV text (principal NULL: the unattributed Bedrock usage)
same('by_principal_model, summed over models',
	"SELECT $k, principal, sum(line_items), sum(cost), sum(net_cost), sum(input_tokens), sum(output_tokens),
	        sum(cache_read_tokens), sum(cache_write_tokens)
	 FROM gt_by_principal_model GROUP BY $k, principal",
	"SELECT $k, principal, $agg FROM r WHERE is_bedrock AND lit = 'Usage' GROUP BY $k, principal");
# the budgets are planted on the last period: a whole-bill budget's spend is
# every Bedrock row of its final delivery, in the CSV text
same('budget_status: spend of the whole-bill budgets',
	"SELECT billing_period, spent FROM gt_budget_status WHERE name LIKE 'bill-%'",
	"SELECT billing_period, sum(cost) FROM r WHERE is_bedrock AND latest
	   AND billing_period = (SELECT max(billing_period) FROM r) GROUP BY 1
	 UNION ALL
	 SELECT billing_period, sum(cost) FROM r WHERE is_bedrock AND latest
	   AND billing_period = (SELECT max(billing_period) FROM r) GROUP BY 1");
same('by_model_token',
	"SELECT $k, model, token_kind, line_items, tokens, cost, net_cost FROM gt_by_model_token",
	"SELECT $k, model, token_kind, count(*), sum(tokens), sum(cost), sum(net) FROM r
	 WHERE is_bedrock AND lit = 'Usage' GROUP BY $k, model, token_kind");
same('by_usage_type',
	"SELECT $k, usage_type, line_items, tokens, cost, net_cost FROM gt_by_usage_type",
	"SELECT $k, usage_type, count(*), sum(tokens), sum(cost), sum(net) FROM r
	 WHERE is_bedrock AND lit = 'Usage' GROUP BY $k, usage_type");
same('by_line_item_type',
	"SELECT $k, line_item_type, is_bedrock, line_items, cost, net_cost FROM gt_by_line_item_type",
	"SELECT $k, lit, is_bedrock, count(*), sum(cost), sum(net) FROM r GROUP BY $k, lit, is_bedrock");

# coverage of the grammar, principals and line item types the brief asks for
is($node->safe_psql($db, q{SELECT count(DISTINCT product_code) FILTER (WHERE product_code LIKE 'AmazonBedrock%')
	+ count(DISTINCT 'mp') FILTER (WHERE marketplace) FROM r}), '5',
	'Bedrock rows under four product codes and Marketplace');
is($node->safe_psql($db, q{SELECT string_agg(DISTINCT lit, ',' ORDER BY lit) FROM r}),
	'BundledDiscount,Credit,EdpDiscount,PrivateRateDiscount,Refund,Tax,Usage', 'line item types');
my $ut = $node->safe_psql($db, q{SELECT string_agg(DISTINCT usage_type, ' ') FROM r});
for my $re (qr/-cache-read-input-token-count/, qr/-cache-write-input-token-count/, qr/-cross-region-global\b/,
	qr/-batch\b/, qr/-flex\b/, qr/-priority\b/, qr/-latency-optimized/, qr/long-context/, qr/-mantle-.*-standard/,
	qr/-MP:[A-Z0-9]+_InputTokenCount_Global-Units/, qr/-MP:[A-Z0-9]+_input_tokens_global_standard-Units/,
	qr/(^| )EU-/, qr/Guardrail-/, qr/-custom-model/)
{
	like($ut, $re, "usage type grammar present: $re");
}
my $pr = $node->safe_psql($db, q{SELECT string_agg(DISTINCT principal, ' ') FROM r});
for my $re (qr{:user/division_abc/subdivision_xyz/}, qr{:user/BedrockAPIKey-}, qr{assumed-role/AWSReservedSSO_\w+_[0-9a-f]{16}/\S+\@example\.com},
	qr{assumed-role/BedrockGatewayRole/gw-user-}, qr{assumed-role/LLMGatewayShared/gateway\b}, qr{arn:aws:iam::\d{12}:role/},
	qr{arn:aws-cn:}, qr{arn:aws-us-gov:}, qr{,})
{
	like($pr, $re, "principal kind present: $re");
}
like($node->safe_psql($db, q{SELECT string_agg(line_item_unblended_cost, ' ') FROM raw}), qr/\d\.\d+E-\d+/,
	'some costs are written with an exponent');
is($node->safe_psql($db, q{SELECT count(*) FILTER (WHERE line_item_usage_start_date LIKE '%.000Z') > 0
	AND count(*) FILTER (WHERE line_item_usage_start_date ~ ':\d\dZ$') > 0 FROM raw}), 't',
	'timestamps with and without milliseconds');

# ---------------------------------------------------------------------------
# column sets and faults: each documented in faults.csv
for my $cs ([ 'default', 117 ], [ 'minimal', 114 ])
{
	gen('--out', "$tmp/cs_$cs->[0]", '--export', 'e', '--rows', '300', '--columns', $cs->[0]);
	my $z = IO::Uncompress::Gunzip->new("$tmp/cs_$cs->[0]/e/data/BILLING_PERIOD=2026-04/e-00001.csv.gz")
	  or die $GunzipError;
	my $h = <$z>;
	chomp $h;
	my @c = split(/,/, $h);
	is(scalar(@c), $cs->[1], "--columns $cs->[0]: $cs->[1] columns");
	# without line_item_resource_id the truth names no profile
	my @res = grep { /^\d{4}-/ } split(/\n/, slurp_file("$tmp/cs_$cs->[0]/e/ground_truth/by_resource.csv"));
	my $named = grep { /,"arn:/ } @res;
	if ($cs->[0] eq 'minimal') { is($named, 0, '--columns minimal: no resource id in the truth'); }
	else { cmp_ok($named, '>', 0, "--columns $cs->[0]: resource ids in the truth"); }
}
for my $fault (qw(truncated-gzip corrupt-bytes missing-file ragged-row bad-number bad-arn
	huge-field non-utf8 bom missing-column bad-timestamp nul-byte usage-end-before-start
	usage-outside-period huge-cost))
{
	my $dir = "$tmp/f_$fault";
	gen('--out', $dir, '--export', 'e', '--rows', '1200', '--chunk-rows', '500', '--fault', $fault);
	my @lines = split(/\n/, slurp_file("$dir/e/ground_truth/faults.csv"));
	is(scalar(@lines), 2, "fault $fault: one documented fault");
	my ($kind, undef, undef, undef, $file, $line) = split(/,/, $lines[1]);
	is($kind, $fault, "fault $fault: kind recorded");
	my $path = "$dir/e/$file";
	if ($fault eq 'missing-file')
	{
		ok(!-e $path, 'missing-file: the file is absent');
		like(slurp_file("$dir/e/metadata/BILLING_PERIOD=2026-04/e-Manifest.json"),
			qr/\Q$file\E/, 'missing-file: the manifest lists it');
		next;
	}
	my $rc = system("gzip -t '$path' 2>/dev/null");
	if ($fault =~ /gzip|corrupt/)
	{
		isnt($rc, 0, "$fault: gzip -t rejects $file");
		next;
	}
	is($rc, 0, "$fault: $file is valid gzip");
	my $text = `gzip -dc '$path'`;
	my @l = split(/\n/, $text, -1);
	my $bad = $l[ $line - 1 ];
	my %expect = (
		'bad-number' => qr/,12\.3\.4e,/,
		'bad-arn' => qr/,arn:aws:iam:123456789012:user,/,
		'huge-field' => qr/,x{60000}/,
		'non-utf8' => qr/\xC3\x28 invalid \xFF\xFE/,
		'bom' => qr/^\xEF\xBB\xBFbill_bill_type,/,
		'missing-column' => qr/^(?!.*line_item_unblended_cost)/,
		'bad-timestamp' => qr/,2025-13-45T99:61:00Z,/,
		'nul-byte' => qr/before\0after/,
		'huge-cost' => qr/,123456789012345678901234567890123456789,/,
	);
	if ($fault eq 'ragged-row')
	{
		my $hdr = () = $l[0] =~ /,/g;
		my $row = () = $bad =~ /,(?=(?:[^"]*"[^"]*")*[^"]*$)/g;
		is($row, $hdr - 3, 'ragged-row: 3 fields fewer on the documented line');
	}
	elsif ($fault =~ /^usage-/)
	{
		# line_item_usage_end_date, then line_item_usage_start_date: the last
		# two adjacent timestamps of the row (the billing period's come first)
		my ($end, $start) = $bad =~ /.*,(\d{4}-\d\d-\d\dT[\d:.]+Z),(\d{4}-\d\d-\d\dT[\d:.]+Z),/;
		if ($fault eq 'usage-end-before-start')
		{
			cmp_ok($end // '', 'lt', $start // '', "$fault: the documented line $line ends before it starts");
		}
		else
		{
			like("$start $end", qr/^2022-04-\S+ 2022-0[45]-/, "$fault: the documented line $line is 4 years away");
		}
		like($bad, qr/,AmazonBedrock[A-Za-z]*,|Amazon Bedrock Edition|,AWS Marketplace,/, "$fault: on a Bedrock row");
	}
	elsif ($fault eq 'huge-field')
	{
		my ($x) = $bad =~ /,(x+),/;
		is(length($x // ''), 2097152, 'huge-field: a 2 MiB field on the documented line');
	}
	else
	{
		like($bad, $expect{$fault}, "$fault: the documented line $line shows it");
	}
}

$node->stop;
done_testing();
