/*-------------------------------------------------------------------------
 *
 * median.h
 *		The median of a window of days (median_fns.c), for C callers.
 *
 * IDENTIFICATION
 *		src/ext/median.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_MEDIAN_H
#define BC_MEDIAN_H

#include "postgres.h"

/*
 * The exact median of the numeric Datums vals[0..nvals) padded with zeros
 * to days values: the middle one, or the mean of the two middle ones with
 * trailing zeros trimmed; *isnull when there is no value and days <= 0.
 */
extern Datum bc_median_of_days(Datum *vals, int nvals, int days, bool *isnull);

#endif							/* BC_MEDIAN_H */
