# 001_extension.pl: the library preloads, the settings show, the extension
# installs and drops in a cluster started with shared_preload_libraries.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = cluster('main', worker => 1, settings => { 'bedrock_cost.poll_interval' => 7 });

is($node->safe_psql('postgres', 'SHOW bedrock_cost.poll_interval'), '7s',
	'setting defined by the preloaded library');
$node->safe_psql('postgres', 'CREATE EXTENSION bedrock_cost');
is($node->safe_psql('postgres', q{SELECT bedrock_cost.version() = default_version FROM pg_available_extensions WHERE name = 'bedrock_cost'}), 't',
	'extension installed');
$node->safe_psql('postgres', 'DROP EXTENSION bedrock_cost');
is($node->safe_psql('postgres',
		"SELECT count(*) FROM pg_namespace WHERE nspname = 'bedrock_cost'"),
	'0', 'drop leaves no schema behind');

$node->stop;
done_testing();
