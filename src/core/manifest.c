/*-------------------------------------------------------------------------
 *
 * manifest.c
 *		CUR 2.0 delivery manifest parsing on top of cur_json.
 *
 * IDENTIFICATION
 *		src/core/manifest.c
 *
 *-------------------------------------------------------------------------
 */
#include "manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cur_json.h"
#include "cur_time.h"

/* arena writer */
typedef struct arena
{
	char	   *base;
	size_t		cap;
	size_t		used;
} arena;

/* set an error; returns the status */
static bc_manifest_status
merr(bc_manifest_error *e, bc_manifest_status st, size_t offset, const char *detail)
{
	if (e)
	{
		e->status = st;
		e->offset = offset;
		e->message = bc_manifest_strerror(st);
		snprintf(e->detail, sizeof(e->detail), "%s", detail ? detail : "");
	}
	return st;
}

/* decode a string value into the arena; NULL if it does not fit */
static const char *
arena_string(arena *a, const bc_json_value *v)
{
	size_t		n;
	char	   *p = a->base + a->used;

	if (bc_json_decode(v, p, a->cap - a->used, &n) != BC_JSON_OK)
		return NULL;
	a->used += n + 1;
	return p;
}

/* copy a C string into the arena */
static const char *
arena_copy(arena *a, const char *s)
{
	size_t		n = strlen(s);
	char	   *p = a->base + a->used;

	if (a->used + n + 1 > a->cap)
		return NULL;
	memcpy(p, s, n + 1);
	a->used += n + 1;
	return p;
}

/* map a data file key to its local relative path */
bc_manifest_status
bc_manifest_local_path(const char *uri, const char *period7, char *buf, size_t cap)
{
	static const char marker[] = "data/BILLING_PERIOD=";
	const char *start = NULL;
	const char *p;
	size_t		n;

	if (cap > 0)
		buf[0] = '\0';
	for (p = uri; (p = strstr(p, marker)) != NULL; p++)
	{
		if (p == uri || p[-1] == '/')
			start = p;
	}
	if (start == NULL)
		return BC_MANIFEST_BAD_FILE;
	n = strlen(start);
	if (n + 1 > cap || n >= BC_MANIFEST_MAX_PATH)
		return BC_MANIFEST_BAD_FILE;
	/* segment checks */
	{
		const char *seg = start;

		for (;;)
		{
			const char *slash = strchr(seg, '/');
			size_t		sl = slash ? (size_t) (slash - seg) : strlen(seg);

			if (sl == 0 || (sl == 1 && seg[0] == '.') || (sl == 2 && seg[0] == '.' && seg[1] == '.'))
				return BC_MANIFEST_BAD_FILE;
			if (!slash)
				break;
			seg = slash + 1;
		}
	}
	for (p = start; *p; p++)
	{
		if ((unsigned char) *p < 0x20 || *p == '\\' || *p == 0x7f)
			return BC_MANIFEST_BAD_FILE;
	}
	/* "data/BILLING_PERIOD=YYYY-MM/" then at least a file name */
	{
		const char *per = start + strlen(marker);

		if (strlen(per) < 9 || per[7] != '/')
			return BC_MANIFEST_BAD_FILE;
		if (period7 && strncmp(per, period7, 7) != 0)
			return BC_MANIFEST_BAD_FILE;
	}
	memcpy(buf, start, n + 1);
	return BC_MANIFEST_OK;
}

/* compare for sorting local paths */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/*
 * A key that appears twice in object obj (compared decoded), copied into
 * dup; returns the status (OK when none, NOMEM).
 */
static bc_manifest_status
find_duplicate_key(const bc_json_value *obj, bool *found, char *dup, size_t cap)
{
	bc_json_iter it;
	bc_json_value k;
	bc_json_value v;
	size_t		nkeys = 0;
	size_t		room = 0;
	char	   *arena;
	const char **keys;
	size_t		used = 0;

	*found = false;
	bc_json_iter_object(&it, obj);
	while (bc_json_next(&it, &k, &v))
	{
		nkeys++;
		room += k.raw_len + 1;
	}
	if (nkeys < 2)
		return BC_MANIFEST_OK;
	arena = malloc(room);
	keys = malloc(nkeys * sizeof(const char *));
	if (arena == NULL || keys == NULL)
	{
		free(arena);
		free(keys);
		return BC_MANIFEST_NOMEM;
	}
	nkeys = 0;
	bc_json_iter_object(&it, obj);
	while (bc_json_next(&it, &k, &v))
	{
		size_t		n = 0;

		/* a decoded key is never longer than its raw text */
		bc_json_decode(&k, arena + used, room - used, &n);
		keys[nkeys++] = arena + used;
		used += n + 1;
	}
	qsort(keys, nkeys, sizeof(const char *), cmp_str);
	for (size_t i = 1; i < nkeys && !*found; i++)
	{
		if (strcmp(keys[i - 1], keys[i]) == 0)
		{
			*found = true;
			snprintf(dup, cap, "%s", keys[i]);
		}
	}
	free(keys);
	free(arena);
	return BC_MANIFEST_OK;
}

/* check the keys of an object for duplicates; sets the error */
static bc_manifest_status
check_keys(const bc_json_value *obj, const char *where, bc_manifest_error *err)
{
	char		dup[BC_MANIFEST_DETAIL_MAX + 1];
	char		detail[BC_MANIFEST_DETAIL_MAX + 1];
	bool		found;
	bc_manifest_status st = find_duplicate_key(obj, &found, dup, sizeof(dup));

	if (st != BC_MANIFEST_OK)
		return merr(err, st, obj->offset, NULL);
	if (!found)
		return BC_MANIFEST_OK;
	snprintf(detail, sizeof(detail), "%s%s", where, dup);
	return merr(err, BC_MANIFEST_DUPLICATE_KEY, obj->offset, detail);
}

/* an executionId is 1 to BC_MANIFEST_MAX_EXECUTION_ID bytes without control characters */
static bool
execution_id_ok(const char *id)
{
	size_t		n = strlen(id);

	if (n == 0 || n > BC_MANIFEST_MAX_EXECUTION_ID)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char) id[i] < 0x20 || id[i] == 0x7f)
			return false;
	return true;
}

/* parse */
bc_manifest_status
bc_manifest_parse(const char *json, size_t len, bc_manifest **out, bc_manifest_error *err)
{
	bc_json_value root;
	bc_json_value k;
	bc_json_value v;
	bc_json_value exec = {0};
	bc_json_value period = {0};
	bc_json_value files = {0};
	bc_json_value cols = {0};
	bool		have_exec = false,
				have_period = false,
				have_files = false,
				have_cols = false;
	bc_json_iter it;
	bc_json_status js;
	size_t		pos;
	bc_manifest *m;
	arena		a;
	int			nfiles = 0;
	int			ncols = 0;
	char		period7[8];
	bc_manifest_status st;

	*out = NULL;
	if (err)
	{
		memset(err, 0, sizeof(*err));
		err->message = bc_manifest_strerror(BC_MANIFEST_OK);
	}
	if (len > BC_MANIFEST_MAX_BYTES)
		return merr(err, BC_MANIFEST_TOO_BIG, 0, NULL);
	js = bc_json_parse_value(json, len, &root, &pos);
	if (js != BC_JSON_OK)
	{
		if (err)
			err->json_status = js;
		return merr(err, BC_MANIFEST_JSON, pos, bc_json_strerror(js));
	}
	if (root.type != BC_JSON_T_OBJECT)
		return merr(err, BC_MANIFEST_NOT_OBJECT, root.offset, NULL);
	if ((st = check_keys(&root, "", err)) != BC_MANIFEST_OK)
		return st;
	bc_json_iter_object(&it, &root);
	while (bc_json_next(&it, &k, &v))
	{
		bool		is_exec = bc_json_string_eq(&k, "executionId", 11) ||
			bc_json_string_eq(&k, "assemblyId", 10);
		bool		is_files = bc_json_string_eq(&k, "dataFiles", 9) ||
			bc_json_string_eq(&k, "reportKeys", 10);

		/* a legacy name next to the current one is a duplicate too */
		if ((is_exec && have_exec) || (is_files && have_files))
			return merr(err, BC_MANIFEST_DUPLICATE_KEY, k.offset,
						is_exec ? "executionId" : "dataFiles");
		if (is_exec)
		{
			exec = v;
			have_exec = true;
		}
		else if (bc_json_string_eq(&k, "billingPeriod", 13))
		{
			period = v;
			have_period = true;
		}
		else if (is_files)
		{
			files = v;
			have_files = true;
		}
		else if (bc_json_string_eq(&k, "columns", 7))
		{
			cols = v;
			have_cols = true;
		}
	}
	if (!have_exec)
		return merr(err, BC_MANIFEST_MISSING_KEY, 0, "executionId");
	if (exec.type != BC_JSON_T_STRING)
		return merr(err, BC_MANIFEST_BAD_TYPE, exec.offset, "executionId");
	if (exec.raw_len > 6 * BC_MANIFEST_MAX_EXECUTION_ID + 2)
		return merr(err, BC_MANIFEST_BAD_EXECUTION_ID, exec.offset, NULL);
	if (!have_period)
		return merr(err, BC_MANIFEST_MISSING_KEY, 0, "billingPeriod");
	if (period.type != BC_JSON_T_OBJECT)
		return merr(err, BC_MANIFEST_BAD_TYPE, period.offset, "billingPeriod");
	if ((st = check_keys(&period, "billingPeriod.", err)) != BC_MANIFEST_OK)
		return st;
	if (!have_files)
		return merr(err, BC_MANIFEST_MISSING_KEY, 0, "dataFiles");
	if (files.type != BC_JSON_T_ARRAY)
		return merr(err, BC_MANIFEST_BAD_TYPE, files.offset, "dataFiles");
	if (have_cols && cols.type != BC_JSON_T_ARRAY)
		return merr(err, BC_MANIFEST_BAD_TYPE, cols.offset, "columns");

	/* count, check types */
	bc_json_iter_array(&it, &files);
	while (bc_json_next(&it, NULL, &v))
	{
		if (v.type != BC_JSON_T_STRING)
			return merr(err, BC_MANIFEST_BAD_TYPE, v.offset, "dataFiles");
		if (++nfiles > BC_MANIFEST_MAX_FILES)
			return merr(err, BC_MANIFEST_TOO_MANY_FILES, v.offset, NULL);
	}
	if (have_cols)
	{
		bc_json_iter_array(&it, &cols);
		while (bc_json_next(&it, NULL, &v))
		{
			if (v.type != BC_JSON_T_STRING && v.type != BC_JSON_T_OBJECT)
				return merr(err, BC_MANIFEST_BAD_TYPE, v.offset, "columns");
			if (++ncols > BC_MANIFEST_MAX_COLUMNS)
				return merr(err, BC_MANIFEST_TOO_MANY_COLUMNS, v.offset, NULL);
		}
	}

	/* one allocation: struct, arrays, string arena */
	{
		size_t		fixed = sizeof(bc_manifest) + sizeof(bc_manifest_file) * (size_t) nfiles +
			sizeof(const char *) * 2 * (size_t) ncols;
		size_t		strings = 2 * len + 64;
		char	   *mem = calloc(1, fixed + strings + 16);

		if (mem == NULL)
			return merr(err, BC_MANIFEST_NOMEM, 0, NULL);
		m = (bc_manifest *) mem;
		m->files = (bc_manifest_file *) (mem + sizeof(bc_manifest));
		m->column_names = (const char **) (m->files + nfiles);
		m->column_types = m->column_names + ncols;
		m->arena_ = mem;
		a.base = (char *) (m->column_types + ncols);
		a.cap = strings;
		a.used = 0;
	}
	m->execution_id = arena_string(&a, &exec);
	if (m->execution_id == NULL || !execution_id_ok(m->execution_id))
	{
		bc_manifest_free(m);
		return merr(err, BC_MANIFEST_BAD_EXECUTION_ID, exec.offset, NULL);
	}

	/* billing period */
	bc_json_iter_object(&it, &period);
	while (bc_json_next(&it, &k, &v))
	{
		if (bc_json_string_eq(&k, "start", 5) && m->period_start == NULL)
		{
			if (v.type != BC_JSON_T_STRING)
			{
				bc_manifest_free(m);
				return merr(err, BC_MANIFEST_BAD_TYPE, v.offset, "billingPeriod.start");
			}
			m->period_start = arena_string(&a, &v);
		}
		else if (bc_json_string_eq(&k, "end", 3) && m->period_end == NULL)
		{
			if (v.type != BC_JSON_T_STRING)
			{
				bc_manifest_free(m);
				return merr(err, BC_MANIFEST_BAD_TYPE, v.offset, "billingPeriod.end");
			}
			m->period_end = arena_string(&a, &v);
		}
	}
	if (m->period_start == NULL)
	{
		bc_manifest_free(m);
		return merr(err, BC_MANIFEST_MISSING_KEY, period.offset, "billingPeriod.start");
	}
	if (!bc_time_billing_period(m->period_start, strlen(m->period_start), m->billing_period))
	{
		st = merr(err, BC_MANIFEST_BAD_PERIOD, period.offset, m->period_start);
		bc_manifest_free(m);
		return st;
	}
	memcpy(period7, m->billing_period, 7);
	period7[7] = '\0';

	/* files */
	bc_json_iter_array(&it, &files);
	while (bc_json_next(&it, NULL, &v))
	{
		bc_manifest_file *f = &m->files[m->nfiles];
		char		local[BC_MANIFEST_MAX_PATH];

		f->uri = arena_string(&a, &v);
		if (f->uri == NULL ||
			bc_manifest_local_path(f->uri, period7, local, sizeof(local)) != BC_MANIFEST_OK ||
			(f->local = arena_copy(&a, local)) == NULL)
		{
			st = merr(err, BC_MANIFEST_BAD_FILE, v.offset, f->uri ? f->uri : "");
			bc_manifest_free(m);
			return st;
		}
		m->nfiles++;
	}
	/* duplicates: sort a scratch copy of the local paths */
	if (m->nfiles > 1)
	{
		const char **tmp = malloc(sizeof(const char *) * m->nfiles);

		if (tmp == NULL)
		{
			bc_manifest_free(m);
			return merr(err, BC_MANIFEST_NOMEM, 0, NULL);
		}
		for (int i = 0; i < m->nfiles; i++)
			tmp[i] = m->files[i].local;
		qsort(tmp, m->nfiles, sizeof(const char *), cmp_str);
		for (int i = 1; i < m->nfiles; i++)
		{
			if (strcmp(tmp[i - 1], tmp[i]) == 0)
			{
				st = merr(err, BC_MANIFEST_DUPLICATE_FILE, 0, tmp[i]);
				free(tmp);
				bc_manifest_free(m);
				return st;
			}
		}
		free(tmp);
	}

	/* columns */
	if (have_cols)
	{
		bc_json_iter ci;

		bc_json_iter_array(&ci, &cols);
		while (bc_json_next(&ci, NULL, &v))
		{
			int			i = m->ncolumns;

			if (v.type == BC_JSON_T_STRING)
				m->column_names[i] = arena_string(&a, &v);
			else
			{
				bc_json_iter oi;
				bc_json_value ck;
				bc_json_value cv;

				bc_json_iter_object(&oi, &v);
				while (bc_json_next(&oi, &ck, &cv))
				{
					if (cv.type != BC_JSON_T_STRING)
						continue;
					if (bc_json_string_eq(&ck, "name", 4) && m->column_names[i] == NULL)
						m->column_names[i] = arena_string(&a, &cv);
					else if (bc_json_string_eq(&ck, "type", 4) && m->column_types[i] == NULL)
						m->column_types[i] = arena_string(&a, &cv);
				}
				if (m->column_names[i] == NULL)
				{
					bc_manifest_free(m);
					return merr(err, BC_MANIFEST_BAD_TYPE, v.offset, "columns[].name");
				}
			}
			m->ncolumns++;
		}
	}
	*out = m;
	return BC_MANIFEST_OK;
}

/* free */
void
bc_manifest_free(bc_manifest *m)
{
	if (m)
		free(m->arena_);
}

/* column listed? */
bool
bc_manifest_has_column(const bc_manifest *m, const char *name)
{
	for (int i = 0; i < m->ncolumns; i++)
		if (strcmp(m->column_names[i], name) == 0)
			return true;
	return false;
}

/* message */
const char *
bc_manifest_strerror(bc_manifest_status st)
{
	switch (st)
	{
		case BC_MANIFEST_OK:
			return "no error";
		case BC_MANIFEST_NOMEM:
			return "out of memory";
		case BC_MANIFEST_TOO_BIG:
			return "manifest is too large";
		case BC_MANIFEST_JSON:
			return "manifest is not valid JSON";
		case BC_MANIFEST_NOT_OBJECT:
			return "manifest is not a JSON object";
		case BC_MANIFEST_MISSING_KEY:
			return "manifest lacks a required key";
		case BC_MANIFEST_BAD_TYPE:
			return "manifest key has the wrong type";
		case BC_MANIFEST_BAD_PERIOD:
			return "manifest billingPeriod.start is not the start of a month";
		case BC_MANIFEST_BAD_FILE:
			return "manifest data file has no usable data/BILLING_PERIOD=YYYY-MM/ path in this billing period";
		case BC_MANIFEST_DUPLICATE_FILE:
			return "manifest lists a data file twice";
		case BC_MANIFEST_DUPLICATE_KEY:
			return "manifest has a key twice";
		case BC_MANIFEST_BAD_EXECUTION_ID:
			return "manifest executionId is empty, longer than 256 bytes or holds control characters";
		case BC_MANIFEST_TOO_MANY_FILES:
			return "manifest lists too many data files";
		case BC_MANIFEST_TOO_MANY_COLUMNS:
			return "manifest lists too many columns";
	}
	return "unknown manifest status";
}

