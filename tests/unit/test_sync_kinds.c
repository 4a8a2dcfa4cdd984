/*
 * test_sync_kinds.c - what leaves the instance in each kind of payload
 * (src/sync/kinds_share.c): TLP decides, confidential fields stay, and
 * what stays is counted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "sync/kinds.h"
#include "domain/ioc/indicator.h"

#define ASKED "0190aaaa-0000-7000-8000-000000000002"
#define OWNER "0190aaaa-0000-7000-8000-000000000001"
#define OTHER "0190aaaa-0000-7000-8000-000000000003"

static json_t *incident(const char *tlp, int confidential)
{
	json_t *j = json_loads("{\"id\":\"i1\",\"number\":\"PQ-2026-0007\",\"type\":\"malware\","
		"\"severity\":\"high\",\"status\":\"containing\",\"serious\":false,"
		"\"title\":\"Mã độc tại UBND xã\",\"description\":\"chi tiết\","
		"\"reporter\":{\"name\":\"Nguyễn Văn A\",\"phone\":\"0900\"},"
		"\"contact\":{\"name\":\"B\"},\"system\":{\"name\":\"Cổng\"},"
		"\"details\":{\"ips\":\"10.0.0.1\"},\"support_needed\":\"cần giúp\","
		"\"org\":{\"id\":\"" OWNER "\",\"code\":\"PQ-XA\",\"name\":\"UBND xã Tam Thanh\","
		"\"kind\":\"commune\",\"path\":\"/secret/path/\"},"
		"\"deadlines\":[{\"kind\":\"initial_report\",\"due_at\":\"2026-12-08T00:00:00.000Z\","
		"\"met_at\":null,\"overdue\":false,\"label\":\"x\"}],"
		"\"observables\":[{\"id\":\"o1\",\"kind\":\"ipv4\",\"value\":\"203.0.113.5\","
		"\"tlp\":\"GREEN\",\"note\":\"C2\",\"created_by\":{\"username\":\"u\"}},"
		"{\"id\":\"o2\",\"kind\":\"domain\",\"value\":\"red.example\",\"tlp\":\"RED\"},"
		"{\"id\":\"o3\",\"kind\":\"domain\",\"value\":\"strict.example\","
		"\"tlp\":\"AMBER+STRICT\"},"
		"{\"id\":\"o4\",\"kind\":\"domain\",\"value\":\"amber.example\",\"tlp\":\"AMBER\"}],"
		"\"attachments\":[{\"id\":\"a1\",\"name\":\"log.txt\",\"content_type\":\"text/plain\","
		"\"size\":10,\"sha256\":\"ab\"}],"
		"\"comments\":[{\"id\":\"c1\",\"body\":\"nội bộ\"}],"
		"\"tasks\":[{\"id\":\"t1\",\"title\":\"nội bộ\"}]}", 0, NULL);
	assert_non_null(j);
	json_object_set_new(j, "tlp", json_string(tlp));
	json_object_set_new(j, "confidential", json_boolean(confidential));
	return j;
}

static const char *s(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void test_travel_rule(void **state)
{
	(void)state;
	const char *named[] = { ASKED, NULL }, *to[] = { ASKED, NULL }, *other[] = { OTHER, NULL };
	assert_int_equal(sync_tlp_may_travel("CLEAR", NULL, other), 1);
	assert_int_equal(sync_tlp_may_travel("GREEN", NULL, other), 1);
	assert_int_equal(sync_tlp_may_travel("TLP:AMBER", named, to), 1);
	assert_int_equal(sync_tlp_may_travel("AMBER", named, other), 0);
	assert_int_equal(sync_tlp_may_travel("AMBER", NULL, to), 0);
	assert_int_equal(sync_tlp_may_travel("AMBER+STRICT", named, to), 0);
	assert_int_equal(sync_tlp_may_travel("RED", named, to), 0);
	assert_int_equal(sync_tlp_may_travel("", named, to), 0);
	assert_int_equal(sync_tlp_may_travel(NULL, named, to), 0);
	assert_int_equal(sync_tlp_may_travel("PURPLE", named, to), 0);
}

static void test_incident_amber(void **state)
{
	(void)state;
	json_t *inc = incident("AMBER", 0);
	json_t *p = sync_share_incident(inc, ASKED);
	assert_string_equal(s(p, "number"), "PQ-2026-0007");
	assert_string_equal(s(p, "title"), "Mã độc tại UBND xã");
	assert_string_equal(s(json_object_get(p, "org"), "name"), "UBND xã Tam Thanh");
	/* The organisation's place in our tree and our internal ids stay. */
	assert_null(json_object_get(json_object_get(p, "org"), "path"));
	assert_null(json_object_get(json_object_get(p, "org"), "id"));
	/* The incident's own work (tasks, comments) is not shared. */
	assert_null(json_object_get(p, "comments"));
	assert_null(json_object_get(p, "tasks"));
	/* Observables: GREEN and AMBER (the asked organisation is named) go;
	 * RED and AMBER+STRICT stay, counted. */
	json_t *obs = json_object_get(p, "observables");
	assert_int_equal(json_array_size(obs), 2);
	assert_string_equal(s(json_array_get(obs, 0), "value"), "203.0.113.5");
	assert_null(json_object_get(json_array_get(obs, 0), "created_by"));
	assert_string_equal(s(json_array_get(obs, 1), "value"), "amber.example");
	json_t *w = json_object_get(p, "withheld");
	assert_int_equal(json_integer_value(json_object_get(w, "observables")), 2);
	assert_int_equal(json_array_size(json_object_get(p, "attachments")), 1);
	assert_string_equal(s(json_array_get(json_object_get(p, "attachments"), 0), "sha256"), "ab");
	/* The clocks go, without their labels. */
	json_t *d = json_array_get(json_object_get(p, "deadlines"), 0);
	assert_string_equal(s(d, "kind"), "initial_report");
	assert_null(json_object_get(d, "label"));
	char *text = json_dumps(p, 0);
	assert_null(strstr(text, "red.example"));
	assert_null(strstr(text, "strict.example"));
	free(text);
	json_decref(p);
	json_decref(inc);
}

static void test_incident_red_and_strict_stay(void **state)
{
	(void)state;
	const char *labels[] = { "RED", "AMBER+STRICT" };
	for (int k = 0; k < 2; k++) {
		json_t *inc = incident(labels[k], 0);
		json_t *p = sync_share_incident(inc, ASKED);
		assert_true(json_is_true(json_object_get(json_object_get(p, "withheld"),
							  "incident")));
		assert_string_equal(s(p, "number"), "PQ-2026-0007");
		assert_string_equal(s(p, "status"), "containing");
		char *text = json_dumps(p, 0);
		assert_null(strstr(text, "Mã độc"));
		assert_null(strstr(text, "203.0.113.5"));
		assert_null(strstr(text, "log.txt"));
		assert_null(strstr(text, "Nguyễn"));
		free(text);
		json_decref(p);
		json_decref(inc);
	}
}

static void test_incident_confidential_fields_stay(void **state)
{
	(void)state;
	json_t *inc = incident("GREEN", 1);
	json_t *p = sync_share_incident(inc, ASKED);
	assert_string_equal(s(p, "title"), "Mã độc tại UBND xã");
	assert_string_equal(s(p, "support_needed"), "cần giúp");
	assert_null(json_object_get(p, "reporter"));
	assert_null(json_object_get(p, "contact"));
	assert_null(json_object_get(p, "system"));
	assert_null(json_object_get(p, "details"));
	json_t *w = json_object_get(p, "withheld");
	assert_int_equal(json_array_size(json_object_get(w, "fields")), 4);
	assert_int_equal(json_integer_value(json_object_get(w, "attachments")), 1);
	assert_int_equal(json_array_size(json_object_get(p, "attachments")), 0);
	char *text = json_dumps(p, 0);
	assert_null(strstr(text, "Nguyễn"));
	assert_null(strstr(text, "10.0.0.1"));
	free(text);
	json_decref(p);
	json_decref(inc);

	/* Not confidential: the same fields go. */
	inc = incident("GREEN", 0);
	p = sync_share_incident(inc, ASKED);
	assert_string_equal(s(json_object_get(p, "reporter"), "name"), "Nguyễn Văn A");
	assert_null(json_object_get(json_object_get(p, "withheld"), "fields"));
	json_decref(p);
	json_decref(inc);
}

static void test_incident_amber_to_someone_else(void **state)
{
	(void)state;
	/* AMBER names the organisation asked, nobody else. */
	json_t *inc = incident("AMBER", 0);
	json_object_set_new(json_object_get(inc, "org"), "id", json_string(OWNER));
	json_t *p = sync_share_incident(inc, NULL);
	assert_true(json_is_true(json_object_get(json_object_get(p, "withheld"), "incident")));
	json_decref(p);
	json_decref(inc);
}

static void test_indicator(void **state)
{
	(void)state;
	const char *peer_orgs[] = { OTHER, ASKED, NULL }, *stranger[] = { OTHER, NULL };
	json_t *ind = json_pack("{s:s, s:s, s:s, s:s, s:[s], s:s}", "id", "n1", "kind", "ipv4",
				"value", "198.51.100.7", "tlp", "GREEN", "share_with", ASKED,
				"source", "internal feed");
	json_t *p = sync_share_indicator(ind, stranger);
	assert_non_null(p);
	assert_string_equal(s(p, "value"), "198.51.100.7");
	assert_null(json_object_get(p, "share_with"));
	json_decref(p);
	json_object_set_new(ind, "tlp", json_string("AMBER"));
	assert_null(sync_share_indicator(ind, stranger));
	p = sync_share_indicator(ind, peer_orgs);
	assert_non_null(p);
	json_decref(p);
	json_object_set_new(ind, "tlp", json_string("AMBER+STRICT"));
	assert_null(sync_share_indicator(ind, peer_orgs));
	json_object_set_new(ind, "tlp", json_string("RED"));
	assert_null(sync_share_indicator(ind, peer_orgs));
	json_object_del(ind, "tlp");
	assert_null(sync_share_indicator(ind, peer_orgs));
	assert_null(sync_share_indicator(NULL, peer_orgs));
	json_decref(ind);
}

static void test_observable(void **state)
{
	(void)state;
	json_t *o = json_pack("{s:s, s:s, s:s}", "kind", "ipv4", "value", "1.2.3.4", "tlp", "CLEAR");
	json_t *p = sync_share_observable(o, ASKED);
	assert_non_null(p);
	json_decref(p);
	json_object_set_new(o, "tlp", json_string("RED"));
	assert_null(sync_share_observable(o, ASKED));
	json_decref(o);
}

static void test_warning_targets(void **state)
{
	(void)state;
	const char *codes[] = { "PQ", "PQ-XA", NULL };
	json_t *w = json_loads("{\"id\":\"w1\",\"title\":\"Cảnh báo\",\"severity\":\"high\","
		"\"deadline\":\"2026-12-10T00:00:00.000Z\",\"targets\":[{\"org\":{\"code\":\"PQ\"}},"
		"{\"org\":{\"code\":\"BT-OTHER\"}},{\"org\":{\"code\":\"PQ-XA\"}}]}", 0, NULL);
	json_t *p = sync_share_warning(w, codes);
	assert_non_null(p);
	json_t *t = json_object_get(p, "targets");
	assert_int_equal(json_array_size(t), 2);
	assert_string_equal(json_string_value(json_array_get(t, 0)), "PQ");
	assert_string_equal(json_string_value(json_array_get(t, 1)), "PQ-XA");
	assert_string_equal(s(p, "deadline"), "2026-12-10T00:00:00.000Z");
	json_decref(p);
	const char *none[] = { "XX", NULL };
	assert_null(sync_share_warning(w, none));
	json_decref(w);
}

static void test_report_periodic(void **state)
{
	(void)state;
	json_t *r = json_pack("{s:s, s:s, s:s, s:s}", "id", "r1", "kind", "initial", "body",
			      "Mẫu 03", "recipient", "Sở TT&TT");
	json_t *p = sync_share_report(r, "i1");
	assert_string_equal(s(p, "incident_id"), "i1");
	assert_string_equal(s(p, "body"), "Mẫu 03");
	json_decref(p);
	assert_null(sync_share_report(r, NULL));
	json_decref(r);

	json_t *m = json_pack("{s:s, s:s, s:s, s:i, s:{}}", "id", "m1", "form", "mau05", "status",
			      "draft", "year", 2026, "cells");
	assert_null(sync_share_periodic(m));
	json_object_set_new(m, "status", json_string("sent"));
	p = sync_share_periodic(m);
	assert_non_null(p);
	assert_int_equal(json_integer_value(json_object_get(p, "year")), 2026);
	assert_null(json_object_get(p, "status"));
	json_decref(p);
	json_decref(m);
}

static void test_hunt_summary_sighting(void **state)
{
	(void)state;
	json_t *runs = json_loads("[{\"hostname\":\"pc-ketoan\",\"files\":10,\"errors\":1,"
		"\"hits\":2,\"ran_at\":\"2026-12-01T00:00:00.000Z\"},{\"hostname\":\"pc-2\","
		"\"files\":5,\"errors\":0,\"hits\":0,\"ran_at\":\"2026-12-02T00:00:00.000Z\"}]",
		0, NULL);
	json_t *p = sync_share_hunt_summary("h1", "PQ", runs);
	assert_int_equal(json_integer_value(json_object_get(p, "runs")), 2);
	assert_int_equal(json_integer_value(json_object_get(p, "files")), 15);
	assert_int_equal(json_integer_value(json_object_get(p, "hits")), 2);
	assert_string_equal(s(p, "last_ran_at"), "2026-12-02T00:00:00.000Z");
	char *text = json_dumps(p, 0);
	assert_null(strstr(text, "pc-ketoan"));
	free(text);
	json_decref(p);
	json_decref(runs);

	json_t *sg = json_pack("{s:s, s:s, s:s, s:s, s:i}", "id", "s1", "source", "hunt",
			       "seen_at", "2026-12-01T00:00:00.000Z", "path", "C:\\secret", "line", 3);
	p = sync_share_sighting(sg, "remote-ind", "PQ");
	assert_string_equal(s(p, "indicator_id"), "remote-ind");
	assert_null(json_object_get(p, "path"));
	assert_null(json_object_get(p, "line"));
	json_decref(p);
	assert_null(sync_share_sighting(sg, NULL, "PQ"));
	json_decref(sg);
}

int main(void)
{
	indicator_observables_install(); /* as main() does */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_travel_rule),
		cmocka_unit_test(test_incident_amber),
		cmocka_unit_test(test_incident_red_and_strict_stay),
		cmocka_unit_test(test_incident_confidential_fields_stay),
		cmocka_unit_test(test_incident_amber_to_someone_else),
		cmocka_unit_test(test_indicator),
		cmocka_unit_test(test_observable),
		cmocka_unit_test(test_warning_targets),
		cmocka_unit_test(test_report_periodic),
		cmocka_unit_test(test_hunt_summary_sighting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
