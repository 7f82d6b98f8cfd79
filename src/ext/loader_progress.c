/*-------------------------------------------------------------------------
 *
 * loader_progress.c
 *		What a running load shows in bedrock_cost.load_progress: its
 *		phase, the files and compressed bytes done against the total, the
 *		rows read and loaded.
 *
 * A load keeps its figures in the backend's COPY progress slots
 * (pg_stat_get_progress_info('COPY')): COPY itself fills slots 0-5 while
 * it runs (bytes of transformed rows, tuples loaded), and the slots from
 * BC_PROGRESS_FILE_NO up are the loader's.  Outside COPY (hashing the files
 * of a delivery already seen, swapping the new tables in) the loader
 * starts a COPY progress entry of its own, with COPY's slots left at
 * zero, so the view sees every phase; pg_stat_progress_copy then shows
 * the backend with no command.  Transaction and subtransaction abort end
 * any entry.
 *
 * IDENTIFICATION
 *		src/ext/loader_progress.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"


#include "loader.h"

/*
 * The figures of a delivery at the start of a phase, written at once so a
 * reader never sees half of them (the view shows a load once its load id
 * is set): the first file and no bytes done, or, when swapping, all of
 * them done.
 */
static void
set_delivery(const BcDelivery *d, int64 load_id, int phase)
{
	const int	index[] = {BC_PROGRESS_FILE_NO, BC_PROGRESS_FILES_TOTAL,
		BC_PROGRESS_PHASE, BC_PROGRESS_BYTES_TOTAL, BC_PROGRESS_BYTES_READ,
	BC_PROGRESS_LOAD_ID};
	int64		val[lengthof(index)];
	int64		total = 0;
	bool		all_done = (phase == BC_PHASE_SWAPPING || phase == BC_PHASE_SUMMARISING);

	for (int i = 0; i < d->nfiles; i++)
		total += d->files[i].size;
	val[0] = all_done ? d->nfiles : 1;
	val[1] = d->nfiles;
	val[2] = phase;
	val[3] = total;
	val[4] = all_done ? total : 0;
	val[5] = load_id;
	pgstat_progress_update_multi_param(lengthof(index), index, val);
}

/*
 * Enter a phase of delivery d (load load_id), starting the loader's own
 * entry.
 */
void
bc_progress_phase(const BcDelivery *d, int64 load_id, int phase)
{
	pgstat_progress_start_command(BC_PROGRESS_COMMAND, InvalidOid);
	set_delivery(d, load_id, phase);
}

/*
 * Enter a phase that runs a COPY (copying, or summarising by COPY): call
 * it right after BeginCopyFrom, which started COPY's own entry.
 */
void
bc_progress_in_copy(const BcDelivery *d, int64 load_id, int phase)
{
	set_delivery(d, load_id, phase);
}

/* the file being read (1-based) and the compressed bytes done so far */
void
bc_progress_file(int file_no, int64 bytes_done)
{
	pgstat_progress_update_param(BC_PROGRESS_FILE_NO, file_no);
	pgstat_progress_update_param(BC_PROGRESS_BYTES_READ, bytes_done);
}

/* rows read from the files so far, and compressed bytes done */
void
bc_progress_rows(int64 rows_read, int64 bytes_done)
{
	pgstat_progress_update_param(BC_PROGRESS_ROWS_READ, rows_read);
	pgstat_progress_update_param(BC_PROGRESS_BYTES_READ, bytes_done);
}

/* end the loader's own entry (after hashing or swapping) */
void
bc_progress_done(void)
{
	pgstat_progress_end_command();
}

/*
 * What the backend's progress entry holds now, to put back after a command
 * that reports progress of its own: CREATE INDEX starts an entry and ends
 * it, which would leave a load in the middle of its phase without one.
 */
void
bc_progress_save(BcProgressSaved *saved)
{
	volatile PgBackendStatus *be = MyBEEntry;

	memset(saved, 0, sizeof(*saved));
	saved->command = be != NULL ? be->st_progress_command : PROGRESS_COMMAND_INVALID;
	if (saved->command == PROGRESS_COMMAND_INVALID)
		return;
	saved->relid = be->st_progress_command_target;
	for (int i = 0; i < PGSTAT_NUM_PROGRESS_PARAM; i++)
		saved->param[i] = be->st_progress_param[i];
}

/* put back what bc_progress_save kept (no entry, if there was none) */
void
bc_progress_restore(const BcProgressSaved *saved)
{
	int			index[PGSTAT_NUM_PROGRESS_PARAM];

	if (saved->command == PROGRESS_COMMAND_INVALID)
	{
		pgstat_progress_end_command();
		return;
	}
	pgstat_progress_start_command(saved->command, saved->relid);
	for (int i = 0; i < PGSTAT_NUM_PROGRESS_PARAM; i++)
		index[i] = i;
	pgstat_progress_update_multi_param(PGSTAT_NUM_PROGRESS_PARAM, index, saved->param);
}
