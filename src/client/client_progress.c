/*-------------------------------------------------------------------------
 *
 * client_progress.c
 *		The progress bar of bedrock-cost-load on stderr: bytes and rows
 *		read, rate, ETA.  Drawn only on a terminal (the caller checks
 *		isatty and --quiet), at most ten times a second.
 *
 * IDENTIFICATION
 *		src/client/client_progress.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "client.h"

#define BAR_WIDTH 24

static struct
{
	bool		on;
	char		label[64];
	int64_t		total;
	double		start;
	double		last;
	int64_t		bytes;
	int64_t		rows;
}			pb;

/* seconds on a monotonic clock */
static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* human size of a byte count */
static void
human(int64_t b, char *buf, size_t cap)
{
	if (b >= (int64_t) 1 << 30)
		snprintf(buf, cap, "%.1f GiB", b / 1073741824.0);
	else if (b >= 1 << 20)
		snprintf(buf, cap, "%.1f MiB", b / 1048576.0);
	else
		snprintf(buf, cap, "%.0f KiB", b / 1024.0);
}

/* draw the bar */
static void
draw(bool final)
{
	double		el = mono() - pb.start;
	double		frac = pb.total > 0 ? (double) pb.bytes / pb.total : 0;
	char		bar[BAR_WIDTH + 1];
	char		done[32],
				total[32],
				eta[32];
	int			fill;
	double		rate = el > 0 ? pb.rows / el : 0;

	if (frac > 1)
		frac = 1;
	fill = (int) (frac * BAR_WIDTH);
	memset(bar, '#', fill);
	memset(bar + fill, '.', BAR_WIDTH - fill);
	bar[BAR_WIDTH] = '\0';
	human(pb.bytes, done, sizeof(done));
	human(pb.total, total, sizeof(total));
	if (final)
		snprintf(eta, sizeof(eta), "in %.1fs", el);
	else if (frac > 0.01)
	{
		int			left = (int) (el / frac - el);

		snprintf(eta, sizeof(eta), "ETA %d:%02d", left / 60, left % 60);
	}
	else
		snprintf(eta, sizeof(eta), "ETA --:--");
	fprintf(stderr, "\r%s [%s] %3d%% %s/%s %lld rows %.0f rows/s %s\033[K",
			pb.label, bar, (int) (frac * 100), done, total,
			(long long) pb.rows, rate, eta);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

/* start a bar for total_bytes of input */
void
cl_progress_start(const cl_options *o, const char *label, int64_t total_bytes)
{
	memset(&pb, 0, sizeof(pb));
	pb.on = o->progress;
	snprintf(pb.label, sizeof(pb.label), "%s", label);
	pb.total = total_bytes;
	pb.start = pb.last = mono();
}

/* report progress; redraws at most ten times a second */
void
cl_progress_update(int64_t bytes, int64_t rows)
{
	double		t;

	if (!pb.on)
		return;
	pb.bytes = bytes;
	pb.rows = rows;
	t = mono();
	if (t - pb.last < 0.1)
		return;
	pb.last = t;
	draw(false);
}

/* finish the bar */
void
cl_progress_end(void)
{
	if (!pb.on)
		return;
	pb.bytes = pb.total;
	draw(true);
	pb.on = false;
}
