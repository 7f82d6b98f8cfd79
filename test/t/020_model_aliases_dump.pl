# 020_model_aliases_dump.pl: rows users add to bedrock_cost.model_aliases survive
# pg_dump and restore (pg_extension_config_dump), the seeded rows come back from
# CREATE EXTENSION exactly once, and model_key sees the restored user rows.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = cluster('aliases');

$node->safe_psql('postgres', 'CREATE EXTENSION bedrock_cost');
my $seeds = $node->safe_psql('postgres',
	'SELECT count(*) FROM bedrock_cost.model_aliases WHERE seeded');
ok($seeds > 0, 'seeded aliases present');

$node->safe_psql('postgres', q{
	INSERT INTO bedrock_cost.model_aliases (alias, model_key, note)
	VALUES ('MyFineTune-7B', 'my-finetune', 'ours'),
	       ('Claude4.6Sonnet', 'sonnet-house-key', 'override')});
is($node->safe_psql('postgres', q{SELECT bedrock_cost.model_key('Claude4.6Sonnet')}),
	'sonnet-house-key', 'user row overrides the seed');

my $dump = $node->basedir . '/aliases.sql';
$node->command_ok(
	[ 'pg_dump', '--no-owner', '-f', $dump, '-d', $node->connstr('postgres') ],
	'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok(
	[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', $dump, '-d', $node->connstr('restored') ],
	'restore');

is($node->safe_psql('restored',
		'SELECT count(*) FROM bedrock_cost.model_aliases WHERE seeded'),
	$seeds, 'seeds restored once');
is($node->safe_psql('restored',
		q{SELECT string_agg(alias || '=' || model_key, ',' ORDER BY alias)
		  FROM bedrock_cost.model_aliases WHERE NOT seeded}),
	'Claude4.6Sonnet=sonnet-house-key,MyFineTune-7B=my-finetune', 'user rows restored');
is($node->safe_psql('restored',
		q{SELECT (bedrock_cost.parse_usage_type('USE1-MyFineTune-7B-input-tokens-custom-model')).model_key
		  || ' ' || bedrock_cost.model_key('Claude4.6Sonnet')}),
	'my-finetune sonnet-house-key', 'model_key uses the restored rows');

$node->stop;
done_testing();
