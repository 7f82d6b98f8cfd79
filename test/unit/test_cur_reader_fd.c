/*-------------------------------------------------------------------------
 *
 * test_cur_reader_fd.c
 *		The CUR reader over a descriptor the caller owns: read from its
 *		start whatever its position, left open by bc_cur_close.
 *
 * IDENTIFICATION
 *		test/unit/test_cur_reader_fd.c
 *
 *-------------------------------------------------------------------------
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"
#include "cur_reader.h"

UNIT_TEST(cur_reader_open_fd)
{
	char		path[] = "/tmp/bc_unit_fd_XXXXXX";
	int			fd = mkstemp(path);
	const char *csv =
		"bill_payer_account_id,bill_billing_period_start_date,line_item_line_item_type,"
		"line_item_usage_start_date,line_item_usage_end_date,line_item_usage_account_id,"
		"line_item_product_code,line_item_usage_type,line_item_usage_amount,line_item_unblended_cost\n"
		"1,2026-04-01T00:00:00Z,Usage,2026-04-01T00:00:00Z,2026-04-01T01:00:00Z,2,AmazonBedrock,USE1-x,1,1.5\n"
		"1,2026-04-01T00:00:00Z,Usage,2026-04-01T00:00:00Z,2026-04-01T01:00:00Z,2,AmazonBedrock,USE1-y,1,2\n";
	char		skip[8];
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	bc_cur_row	row;
	int			rows = 0;

	if (fd < 0)
	{
		UNIT_FAIL("mkstemp failed");
		return;
	}
	CHECK((size_t) write(fd, csv, strlen(csv)) == strlen(csv));
	/* the descriptor was read before (hashed): the reader starts at 0 anyway */
	CHECK(pread(fd, skip, sizeof(skip), 0) == sizeof(skip));
	if (bc_cur_open_fd(&r, fd, "file.csv", 0, &e) != BC_CUR_OK)
	{
		UNIT_FAIL("open: %s", e.message);
		close(fd);
		unlink(path);
		return;
	}
	while (bc_cur_next(r, &row) == BC_CUR_ROW)
		rows++;
	CHECK_INT_EQ(rows, 2);
	bc_cur_close(r);
	/* still open: ours to close */
	CHECK(fcntl(fd, F_GETFD) >= 0);
	/* a name ending in .gz requires gzip */
	CHECK_INT_EQ(bc_cur_open_fd(&r, fd, "file.csv.gz", 0, &e), BC_CUR_ERR_NOT_GZIP);
	CHECK(fcntl(fd, F_GETFD) >= 0);
	close(fd);
	unlink(path);
}
