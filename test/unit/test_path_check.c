/*-------------------------------------------------------------------------
 *
 * test_path_check.c
 *		Unit tests of the shared path rules: ".." components and
 *		"inside a folder".
 *
 * IDENTIFICATION
 *		test/unit/test_path_check.c
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"
#include "path_check.h"

UNIT_TEST(path_dotdot)
{
	CHECK(bc_path_has_dotdot(".."));
	CHECK(bc_path_has_dotdot("/srv/cur/../etc"));
	CHECK(bc_path_has_dotdot("/srv/cur/.."));
	CHECK(bc_path_has_dotdot("../x"));
	CHECK(!bc_path_has_dotdot("/srv/cur/a..b"));
	CHECK(!bc_path_has_dotdot("/srv/cur/..a/b"));
	CHECK(!bc_path_has_dotdot("/srv/cur/a../b"));
	CHECK(!bc_path_has_dotdot("/srv/./cur"));
}

UNIT_TEST(path_inside)
{
	CHECK(bc_path_inside("/srv/cur", "/srv/cur"));
	CHECK(bc_path_inside("/srv/cur/x/y.csv.gz", "/srv/cur"));
	CHECK(!bc_path_inside("/srv/curious/x", "/srv/cur"));
	CHECK(!bc_path_inside("/srv", "/srv/cur"));
	CHECK(bc_path_inside("/anything", "/"));
}
