/*
 * test_incident_forms.c - Mẫu 03 and Mẫu 04 as document models
 * (domain/incident/incident_forms.c), read block by block: the issuer and
 * the place (the nearest address up the tree), "Kính gửi" from the reports'
 * recipients without repeats, Mẫu 04 issued and signed by who wrote the
 * closing report and not listing itself, dated when closed; scope (another
 * commune: not found), unknown forms, and ids or numbers for the builders.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "base/msg.h"
#include "doc/doc.h"
#include "doc/doc_int.h"
#include "domain/incident/incident.h"

static void report(struct ctx *c, const char *id, const char *kind, const char *to)
{
	struct err e = { 0 };
	json_t *b = json_pack("{s:s, s:s, s:s}", "kind", kind, "recipient", to, "channel", "email");
	json_t *r = incident_add_report(c, id, b, &e);
	json_decref(b);
	if (r == NULL)
		fail_msg("report %s: %d %d", kind, e.code, e.msg);
	json_decref(r);
}

/* The first block of kind whose text s[k] starts with prefix, or NULL. */
static const struct doc_block *find(const struct doc *d, enum doc_kind kind, int k,
				    const char *prefix)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->b[i].kind == kind && (prefix == NULL || (d->b[i].s[k] &&
		    strncmp(d->b[i].s[k], prefix, strlen(prefix)) == 0)))
			return &d->b[i];
	return NULL;
}

/* Whether any text block after the heading starting with `after` holds s. */
static int text_after(const struct doc *d, const char *after, const char *s)
{
	size_t i = 0;
	while (i < d->n && !(d->b[i].kind == DK_HEADING && strncmp(d->b[i].s[0], after,
	    strlen(after)) == 0))
		i++;
	for (; i < d->n; i++)
		if (d->b[i].kind == DK_TEXT && strstr(d->b[i].s[0], s))
			return 1;
	return 0;
}

static void test_forms_of_a_closed_incident(void **state)
{
	struct tdb *t = *state;
	struct err e = { 0 };
	assert_int_equal(store_run(t->db, &e, "UPDATE orgs SET address = $1 WHERE code = 'pq'",
				   "t", "Phú Quý, Bình Thuận"), 1);
	char id[UUID_LEN];
	t_walk_to(t->db, ST_CLOSED, id);
	struct ctx rep = t_ctx(t->db, &W.rep_a), cr = t_ctx(t->db, &W.cr);
	report(&cr, id, "initial", "Sở TT&TT; VNCERT/CC");
	report(&cr, id, "initial", " VNCERT/CC \n Công an tỉnh;Sở TT&TT");
	report(&cr, id, "closing", "VNCERT/CC");

	/* Mẫu 03: the incident's organisation issues it; the place is its
	 * nearest address (the district's); Kính gửi: each recipient once */
	struct doc *d = incident_form_doc(&rep, id, 3, &e);
	assert_non_null(d);
	const struct doc_block *h = find(d, DK_HEADER, 0, NULL);
	assert_non_null(h);
	assert_null(h->s[0]); /* a commune: no parent line */
	assert_string_equal(h->s[1], "xa-a");
	assert_string_equal(h->s[3], "Phú Quý");
	assert_non_null(find(d, DK_TEXT, 0, "Kính gửi: Sở TT&TT; VNCERT/CC; Công an tỉnh"));
	assert_string_equal(find(d, DK_FORM_CODE, 0, NULL)->s[0], "Mẫu 03");
	doc_free(d);

	/* Mẫu 04: issued by the writer's organisation (cr at pq), signed by
	 * cr, to the closing report's recipients; the attachments list the
	 * initial reports, never the closing report */
	char number[64];
	d = incident_form_doc_numbered(&rep, id, 4, number, sizeof number, &e);
	assert_non_null(d);
	assert_true(strlen(number) > 0);
	h = find(d, DK_HEADER, 0, NULL);
	assert_string_equal(h->s[1], "pq");
	assert_string_equal(h->s[3], "Phú Quý");
	assert_true(h->ms > 0);
	assert_non_null(find(d, DK_TEXT, 0, "Kính gửi: VNCERT/CC"));
	const struct doc_block *sig = find(d, DK_SIGNATURE, 0, NULL);
	assert_non_null(sig);
	assert_string_equal(sig->s[2], "cr");
	assert_true(text_after(d, "6.", "Báo cáo ban đầu (Mẫu 03)"));
	assert_false(text_after(d, "6.", "Báo cáo kết thúc"));
	assert_int_equal(d->created_ms, h->ms); /* the PDF's date is the closing's */
	doc_free(d);

	/* the builders of `ungcuu doc` take the number too */
	d = incident_mau04_doc(&rep, number, &e);
	assert_non_null(d);
	doc_free(d);
}

static void test_not_found(void **state)
{
	struct tdb *t = *state;
	char id[UUID_LEN], number[64] = "";
	t_walk_to(t->db, ST_ACKNOWLEDGED, id);
	tdb_text(t->db, "SELECT number FROM incidents LIMIT 1", number, sizeof number);
	struct ctx other = t_ctx(t->db, &W.rep_b), rep = t_ctx(t->db, &W.rep_a);
	struct err e = { 0 };
	/* another commune does not see it: not found, by id or by number */
	assert_null(incident_form_doc(&other, id, 3, &e));
	assert_int_equal(e.code, E_NOTFOUND);
	err_clear(&e);
	assert_null(incident_mau04_doc(&other, number, &e));
	assert_int_equal(e.code, E_NOTFOUND);
	/* no such form, id or number */
	err_clear(&e);
	assert_null(incident_form_doc(&rep, id, 5, &e));
	assert_int_equal(e.code, E_NOTFOUND);
	err_clear(&e);
	assert_null(incident_form_doc(&rep, "01900000-0000-7000-8000-000000000000", 3, &e));
	assert_int_equal(e.code, E_NOTFOUND);
	err_clear(&e);
	assert_null(incident_mau03_doc(&rep, "PQ-2099-0001", &e));
	assert_int_equal(e.code, E_NOTFOUND);
	err_clear(&e);
	assert_null(incident_mau03_doc(&rep, "", &e));
	assert_int_equal(e.code, E_NOTFOUND);
	/* Mẫu 04 of an open incident: a form with its date left blank */
	err_clear(&e);
	struct doc *d = incident_form_doc(&rep, id, 4, &e);
	assert_non_null(d);
	assert_null(find(d, DK_HEADER, 0, NULL)->s[3]);
	assert_non_null(find(d, DK_TEXT, 0, "……………, ngày …… tháng …… năm ……"));
	doc_free(d);
}

/* A department names the body above it; without any address up the tree
 * the place is left to fill in. */
static void test_issuer_of_a_department(void **state)
{
	struct tdb *t = *state;
	struct ctx sys = t_ctx(t->db, &W.sys), cr = t_ctx(t->db, &W.cr);
	t_org(&sys, "pq-vh", "agency", "pq", 0);
	char id[UUID_LEN];
	json_t *extra = json_pack("{s:s}", "org_code", "pq-vh");
	t_create(&cr, extra, id);
	json_decref(extra);
	struct err e = { 0 };
	struct doc *d = incident_form_doc(&cr, id, 3, &e);
	assert_non_null(d);
	const struct doc_block *h = find(d, DK_HEADER, 0, NULL);
	assert_string_equal(h->s[0], "pq");
	assert_string_equal(h->s[1], "pq-vh");
	assert_string_equal(h->s[3], "……………");
	doc_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_forms_of_a_closed_incident, world_open,
						world_close),
		cmocka_unit_test_setup_teardown(test_not_found, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_issuer_of_a_department, world_open, world_close),
	};
	return cmocka_run_group_tests_name("incident_forms", tests, world_build, world_destroy);
}
