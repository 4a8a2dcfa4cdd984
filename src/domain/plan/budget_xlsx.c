/*
 * budget_xlsx.c - the district's budget roll-up as an XLSX workbook
 * (libxlsxwriter). Debian's libxlsxwriter (1.1.4) writes to a file only,
 * so the workbook goes to a private temporary file that is read back and
 * removed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "budget.h"
#include "../../base/msg.h"
#include "../../base/banned.h"

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static double jnum(json_t *o, const char *k)
{
	return (double)json_integer_value(json_object_get(o, k));
}

/* Sheet "Chi tiết": a title, the header, one row per line, the total. */
static void detail_sheet(lxw_workbook *wb, json_t *r, int year, int lang)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, lang == LANG_EN ? "Lines" : "Chi tiết");
	lxw_format *bold = workbook_add_format(wb), *money = workbook_add_format(wb);
	lxw_format *money_bold = workbook_add_format(wb);
	format_set_bold(bold);
	format_set_num_format(money, "#,##0");
	format_set_num_format(money_bold, "#,##0");
	format_set_bold(money_bold);
	char title[256], y[16];
	snprintf(y, sizeof(y), "%d", year);
	msg_format(MSG_BUDGET_EXPORT_TITLE, lang, y, title, sizeof(title));
	worksheet_write_string(ws, 0, 0, title, bold);
	worksheet_write_string(ws, 1, 0, jstr(json_object_get(r, "org"), "name"), NULL);
	static const int head[] = { MSG_BUDGET_COL_ORG_CODE, MSG_BUDGET_COL_ORG, MSG_BUDGET_COL_YEAR,
				    MSG_BUDGET_COL_CATEGORY, MSG_BUDGET_COL_DESCRIPTION,
				    MSG_BUDGET_COL_PLANNED, MSG_BUDGET_COL_SPENT,
				    MSG_BUDGET_COL_SUBMITTED };
	for (lxw_col_t k = 0; k < sizeof(head) / sizeof(head[0]); k++)
		worksheet_write_string(ws, 3, k, msg_get(head[k], lang), bold);
	worksheet_set_column(ws, 0, 0, 14, NULL);
	worksheet_set_column(ws, 1, 1, 40, NULL);
	worksheet_set_column(ws, 3, 4, 36, NULL);
	worksheet_set_column(ws, 5, 6, 18, NULL);
	worksheet_set_column(ws, 7, 7, 22, NULL);
	lxw_row_t row = 4;
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(r, "lines"), i, l) {
		json_t *org = json_object_get(l, "org");
		worksheet_write_string(ws, row, 0, jstr(org, "code"), NULL);
		worksheet_write_string(ws, row, 1, jstr(org, "name"), NULL);
		worksheet_write_number(ws, row, 2, year, NULL);
		worksheet_write_string(ws, row, 3, budget_category_label(jstr(l, "category"), lang), NULL);
		worksheet_write_string(ws, row, 4, jstr(l, "description"), NULL);
		worksheet_write_number(ws, row, 5, jnum(l, "planned"), money);
		worksheet_write_number(ws, row, 6, jnum(l, "spent"), money);
		worksheet_write_string(ws, row, 7, jstr(l, "submitted_at"), NULL);
		row++;
	}
	json_t *t = json_object_get(r, "total");
	worksheet_write_string(ws, row, 1, msg_get(MSG_BUDGET_TOTAL, lang), bold);
	worksheet_write_number(ws, row, 5, jnum(t, "planned"), money_bold);
	worksheet_write_number(ws, row, 6, jnum(t, "spent"), money_bold);
}

/* Sheet "Theo đơn vị": one row per organisation, then the total. */
static void org_sheet(lxw_workbook *wb, json_t *r, int lang)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, lang == LANG_EN ? "By organisation"
								       : "Theo đơn vị");
	lxw_format *bold = workbook_add_format(wb), *money = workbook_add_format(wb);
	format_set_bold(bold);
	format_set_num_format(money, "#,##0");
	static const int head[] = { MSG_BUDGET_COL_ORG_CODE, MSG_BUDGET_COL_ORG,
				    MSG_BUDGET_COL_PLANNED, MSG_BUDGET_COL_SPENT };
	for (lxw_col_t k = 0; k < sizeof(head) / sizeof(head[0]); k++)
		worksheet_write_string(ws, 0, k, msg_get(head[k], lang), bold);
	worksheet_set_column(ws, 1, 1, 40, NULL);
	worksheet_set_column(ws, 2, 3, 18, NULL);
	lxw_row_t row = 1;
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(r, "by_org"), i, s) {
		json_t *org = json_object_get(s, "of");
		worksheet_write_string(ws, row, 0, jstr(org, "code"), NULL);
		worksheet_write_string(ws, row, 1, jstr(org, "name"), NULL);
		worksheet_write_number(ws, row, 2, jnum(s, "planned"), money);
		worksheet_write_number(ws, row, 3, jnum(s, "spent"), money);
		row++;
	}
	json_t *t = json_object_get(r, "total");
	worksheet_write_string(ws, row, 1, msg_get(MSG_BUDGET_TOTAL, lang), bold);
	worksheet_write_number(ws, row, 2, jnum(t, "planned"), money);
	worksheet_write_number(ws, row, 3, jnum(t, "spent"), money);
}

static char *slurp(const char *path, size_t *len, struct err *e)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	char *p = NULL;
	if (f == NULL || fstat(fileno(f), &sb) != 0 || sb.st_size <= 0 ||
	    (size_t)sb.st_size > LIMIT_RESPONSE) {
		err_set(e, E_IO, MSG_INTERNAL, NULL);
		goto out;
	}
	p = malloc((size_t)sb.st_size);
	if (p == NULL || fread(p, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size) {
		free(p);
		p = NULL;
		err_set(e, E_IO, MSG_INTERNAL, NULL);
		goto out;
	}
	*len = (size_t)sb.st_size;
out:
	if (f)
		fclose(f);
	return p;
}

char *budget_rollup_xlsx(struct ctx *c, const char *org_code, int year, size_t *len,
			 struct err *e)
{
	json_t *r = budget_rollup(c, org_code, year, e);
	if (r == NULL)
		return NULL;
	char *dir = getenv("TMPDIR");
	char path[512];
	snprintf(path, sizeof(path), "%s/ungcuu-budget-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	char *out = NULL;
	if (fd < 0) {
		err_set(e, E_IO, MSG_INTERNAL, NULL);
		goto out;
	}
	close(fd);
	lxw_workbook_options opt = { .constant_memory = LXW_FALSE, .tmpdir = dir && *dir ? dir : NULL };
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	if (wb == NULL) {
		err_set(e, E_IO, MSG_INTERNAL, NULL);
		goto out;
	}
	detail_sheet(wb, r, year, c->lang);
	org_sheet(wb, r, c->lang);
	if (workbook_close(wb) != LXW_NO_ERROR) {
		err_set(e, E_IO, MSG_INTERNAL, NULL);
		goto out;
	}
	out = slurp(path, len, e);
out:
	if (fd >= 0)
		unlink(path);
	json_decref(r);
	return out;
}
