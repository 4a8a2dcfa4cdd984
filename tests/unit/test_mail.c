/*
 * test_mail.c - the email intake (domain/duty/): the Mẫu 03 heading reader,
 * addresses and subjects, the message reader on the .eml samples of
 * tests/data/mail (charsets, quoted-printable Vietnamese, attachments), and
 * the intake's sender matching and scope: a known sender files for their
 * own organisation, a reply in a thread is a comment only from someone who
 * may see the incident, anyone else waits in triage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "base/crypto.h"
#include "domain/duty/mail.h"
#include "domain/incident/incident.h"

static const char *sget(json_t *j, const char *path)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	json_t *cur = j;
	for (char *save = NULL, *p = strtok_r(buf, ".", &save); p; p = strtok_r(NULL, ".", &save))
		cur = json_object_get(cur, p);
	return json_string_value(cur);
}

static void mau03_form(void **state)
{
	(void)state;
	const char *text =
		"1. Thông tin về người báo cáo\n"
		"Họ và tên (*): Trần Thị Bích\n"
		"Điện thoại (*): 0252 111        Email (*): bich@xa.gov.vn\n"
		"2. THÔNG TIN NGƯỜI LIÊN HỆ\n"
		"HỌ VÀ TÊN: Lê Văn C\n"
		"Chuc vu: Can bo\n"
		"3. Thông tin về hệ thống thông tin gặp sự cố\n"
		"Đơn vị vận hành hệ thống (*): UBND xã\n"
		"Địa chỉ IP: 192.0.2.1; 192.0.2.2\n"
		"Cấp độ an toàn hệ thống:  ☐ 1  ☐ 2  ☒ 3  ☐ 4  ☐ 5\n"
		"4. Thông tin về sự cố\n"
		"Mô tả sự cố (*):\n"
		"Dòng một.\n"
		"Dòng hai.\n"
		"Loại sự cố: Mã hóa phần mềm, dữ liệu, thiết bị\n"
		"Ngày phát hiện (*): 01/12/2026\tThời gian phát hiện (giờ:phút) (*): 07:05\n"
		"5. Tình trạng sự cố (*)\n"
		"[x] Đã xử lý    [ ] Chưa xử lý\n"
		"6. Cách thức phát hiện (*)\n"
		"☐ Qua kiểm tra nhật ký (log)    ☒ Qua thông báo từ: VNCERT\n"
		"9. Đề nghị giữ bí mật thông tin sự cố\n"
		"☐ Có        ☒ Không\n"
		"10. Đề nghị hỗ trợ\n"
		"Cần người đến xử lý.\n"
		"> Họ và tên: trong thư trích dẫn thì bỏ qua\n";
	json_t *f = mau03_read(text);
	assert_string_equal(sget(f, "reporter.name"), "Trần Thị Bích");
	assert_string_equal(sget(f, "reporter.phone"), "0252 111");
	assert_string_equal(sget(f, "reporter.email"), "bich@xa.gov.vn");
	/* case and diacritics do not matter; the section decides whose name */
	assert_string_equal(sget(f, "contact.name"), "Lê Văn C");
	assert_string_equal(sget(f, "contact.position"), "Can bo");
	assert_string_equal(sget(f, "system.operator"), "UBND xã");
	json_t *ips = json_object_get(json_object_get(f, "system"), "ips");
	assert_int_equal(json_array_size(ips), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(f, "system"), "level")), 3);
	assert_string_equal(sget(f, "description"), "Dòng một.\nDòng hai.");
	assert_string_equal(sget(f, "type"), "encryption");
	/* the colon inside "(giờ:phút)" is not the label's */
	assert_string_equal(sget(f, "detected_at"), "2026-12-01T07:05:00+07:00");
	assert_string_equal(sget(f, "handling_status"), "handled");
	assert_string_equal(sget(f, "detection_method.kind"), "notified");
	assert_string_equal(sget(f, "detection_method.detail"), "VNCERT");
	assert_true(json_is_false(json_object_get(f, "confidential")));
	assert_string_equal(sget(f, "support_needed"), "Cần người đến xử lý.");
	json_decref(f);
}

static void mau03_free_text(void **state)
{
	(void)state;
	/* no heading: nothing read; an unticked box is no answer */
	json_t *f = mau03_read("Xin chào,\nmáy chủ bị tấn công: trang web không vào được.\n"
			       "☐ Đã xử lý\n");
	assert_int_equal(json_object_size(f), 0);
	json_decref(f);
	f = mau03_read("");
	assert_int_equal(json_object_size(f), 0);
	json_decref(f);
	/* a level that is not 1-5 and a date that is no date are left out */
	f = mau03_read("3. Thông tin về hệ thống\nCấp độ: 9\nNgày phát hiện: hôm qua\n");
	assert_null(json_object_get(f, "system"));
	assert_null(json_object_get(f, "detected_at"));
	json_decref(f);
}

static void addresses_and_subjects(void **state)
{
	(void)state;
	char a[LIMIT_MAIL_ADDRESS + 1], num[64];
	assert_int_equal(mail_address_norm("  PhuQuy@VNPT.vn ", a, sizeof(a)), 0);
	assert_string_equal(a, "phuquy@vnpt.vn");
	assert_int_equal(mail_address_norm("no-at-sign", a, sizeof(a)), -1);
	assert_int_equal(mail_address_norm("a@b@c", a, sizeof(a)), -1);
	assert_int_equal(mail_address_norm("@b", a, sizeof(a)), -1);
	assert_int_equal(mail_address_norm("a b@c", a, sizeof(a)), -1);
	assert_int_equal(mail_address_norm("a@b\xff", a, sizeof(a)), -1);
	assert_true(mail_subject_tbsc("Re: [tbsc] Sự cố"));
	assert_false(mail_subject_tbsc("TBSC"));
	assert_int_equal(mail_subject_number("Re: [TBSC] Đã tiếp nhận PQ-2026-0007 x", "PQ", num,
					     sizeof(num)), 0);
	assert_string_equal(num, "PQ-2026-0007");
	assert_int_equal(mail_subject_number("PQ-26-7 PQ-2026-12", "PQ", num, sizeof(num)), -1);
}

static struct mail_msg parsed(const char *file, int expect)
{
	size_t n;
	char *raw = t_slurp(MAIL_DATA, file, &n);
	struct mail_msg m;
	struct err e = { 0 };
	int r = mail_parse(raw, n, 1 << 20, &m, &e);
	free(raw);
	assert_int_equal(r, expect);
	return m;
}

static void reader_samples(void **state)
{
	(void)state;
	struct mail_msg m = parsed("report_multipart.eml", MAIL_OK);
	assert_string_equal(m.from, "phuquy@vnpt.vn");
	assert_string_equal(m.from_name, "Huỳnh Văn Em");
	assert_string_equal(m.message_id, "report-1@vnpt.vn");
	assert_non_null(strstr(m.subject, "[TBSC] Sự cố thay đổi giao diện"));
	assert_non_null(strstr(m.body, "Họ và tên (*): Huỳnh Văn Em"));   /* quoted-printable */
	assert_int_equal(m.natt, 2);
	assert_string_equal(m.att[0].name, "access.log");
	assert_string_equal(m.att[1].name, "ảnh chụp.png");   /* RFC 2231 name */
	assert_string_equal(m.att[1].content_type, "image/png");
	mail_msg_release(&m);

	m = parsed("latin1.eml", MAIL_OK);
	assert_non_null(strstr(m.body, "a été compromis. Détecté"));
	mail_msg_release(&m);

	/* windows-1258 writes tones as combining marks: read back as NFC */
	m = parsed("windows1258.eml", MAIL_OK);
	assert_non_null(strstr(m.body, "Máy chủ thư điện tử của xã bị nhiễm mã độc tống tiền."));
	assert_string_equal(m.subject, "[TBSC] Mã độc");
	mail_msg_release(&m);

	m = parsed("reply.eml", MAIL_OK);
	assert_string_equal(m.in_reply_to, "report-1@vnpt.vn");
	assert_int_equal(m.nrefs, 1);
	mail_msg_release(&m);

	m = parsed("unknown_charset.eml", MAIL_R_CHARSET);
	mail_msg_release(&m);
	m = parsed("bad_utf8_body.eml", MAIL_R_CHARSET);
	mail_msg_release(&m);
	m = parsed("bad_utf8_header.eml", MAIL_R_HEADER);
	mail_msg_release(&m);
	m = parsed("no_sender.eml", MAIL_R_NO_SENDER);
	mail_msg_release(&m);
}

static void reader_bounds(void **state)
{
	(void)state;
	struct mail_msg m;
	struct err e = { 0 };
	/* 300 parts */
	size_t cap = 64 * 1024, n = 0;
	char *raw = malloc(cap);
	n += (size_t)snprintf(raw + n, cap - n, "From: <a@b.c>\r\nContent-Type: multipart/mixed; "
			      "boundary=x\r\n\r\n");
	for (int i = 0; i < 300; i++)
		n += (size_t)snprintf(raw + n, cap - n, "--x\r\nContent-Type: text/plain\r\n\r\n%d\r\n", i);
	n += (size_t)snprintf(raw + n, cap - n, "--x--\r\n");
	assert_int_equal(mail_parse(raw, n, 1 << 20, &m, &e), MAIL_R_PARTS);
	mail_msg_release(&m);
	/* an attachment over the bound */
	n = (size_t)snprintf(raw, cap, "From: <a@b.c>\r\nContent-Type: multipart/mixed; boundary=x\r\n"
			     "\r\n--x\r\nContent-Type: application/octet-stream\r\nContent-Disposition: "
			     "attachment; filename=\"../../etc/passwd\"\r\n\r\n%0200d\r\n--x--\r\n", 7);
	err_clear(&e);
	assert_int_equal(mail_parse(raw, n, 100, &m, &e), MAIL_R_ATTACHMENT);
	mail_msg_release(&m);
	/* within it: the name keeps no path */
	err_clear(&e);
	assert_int_equal(mail_parse(raw, n, 1000, &m, &e), MAIL_OK);
	assert_int_equal(m.natt, 1);
	assert_null(strchr(m.att[0].name, '/'));
	mail_msg_release(&m);
	/* more than the whole bound */
	err_clear(&e);
	assert_int_equal(mail_parse(raw, (size_t)LIMIT_MAIL_RAW + 1, 100, &m, &e), MAIL_R_TOO_LARGE);
	mail_msg_release(&m);
	free(raw);
}

/* ---- the intake on a world database ---- */

static json_t *feed(struct ctx *c, const char *fmt, ...)
{
	char raw[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	struct err e = { 0 };
	json_t *o = mail_intake(c, raw, (size_t)n, "baocao@pq.gov.vn", &e);
	if (o == NULL)
		fail_msg("mail_intake: %d %s", e.code, e.arg);
	return o;
}

static const char *outcome(json_t *o)
{
	return json_string_value(json_object_get(o, "outcome"));
}

static void intake_senders(void **state)
{
	struct tdb *t = *state;
	struct ctx c = t_ctx(t->db, &W.sys);
	struct err e = { 0 };
	assert_int_equal(store_run(t->db, &e, "UPDATE users SET email = 'Rep.A@Xa-A.gov.vn' WHERE "
				   "username = 'rep-a'", "") >= 0, 1);
	assert_int_equal(store_run(t->db, &e, "UPDATE users SET email = 'rep.b@xa-b.gov.vn' WHERE "
				   "username = 'rep-b'", "") >= 0, 1);
	assert_int_equal(store_run(t->db, &e, "UPDATE users SET email = 'cr@pq.gov.vn' WHERE "
				   "username = 'cr'", "") >= 0, 1);
	/* one address as a contact of two organisations: nobody's */
	assert_int_equal(store_run(t->db, &e, "INSERT INTO contacts (id, org_id, name, email, "
		"created_at, updated_at) SELECT 'c-' || code, id, 'X', 'shared@isp.vn', 0, 0 FROM orgs "
		"WHERE code IN ('xa-a', 'xa-b')", "") >= 0, 1);

	/* a known user: an incident of their organisation, filed by them */
	json_t *o = feed(&c, "From: <rep.a@xa-a.gov.vn>\r\nSubject: [TBSC] Web\r\nMessage-ID: "
			 "<m1@xa-a>\r\n\r\nTrang web bị tấn công.\r\n");
	assert_string_equal(outcome(o), "incident");
	char id[UUID_LEN], q[256], out[64];
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(o, "incident_id")));
	json_decref(o);
	snprintf(q, sizeof(q), "SELECT o.code FROM incidents i JOIN orgs o ON o.id = i.org_id "
		 "WHERE i.id = '%s'", id);
	assert_string_equal(tdb_text(t->db, q, out, sizeof(out)), "xa-a");
	snprintf(q, sizeof(q), "SELECT created_by FROM incidents WHERE id = '%s'", id);
	assert_string_equal(tdb_text(t->db, q, out, sizeof(out)), W.rep_a.id);
	assert_int_equal(tdb_count(t->db, "mail_outbox WHERE status = 'queued'"), 1);

	/* the same message again: nothing new */
	o = feed(&c, "From: <rep.a@xa-a.gov.vn>\r\nSubject: [TBSC] Web\r\nMessage-ID: "
		 "<m1@xa-a>\r\n\r\nTrang web bị tấn công.\r\n");
	assert_string_equal(outcome(o), "duplicate");
	json_decref(o);
	assert_int_equal(tdb_count(t->db, "incidents"), 1);

	/* another commune's user answering in that thread: may not see it */
	o = feed(&c, "From: <rep.b@xa-b.gov.vn>\r\nSubject: Re: [TBSC] Web\r\nMessage-ID: "
		 "<m2@xa-b>\r\nIn-Reply-To: <m1@xa-a>\r\n\r\nCho xem với.\r\n");
	assert_string_equal(outcome(o), "triage");
	json_decref(o);
	/* nor by the number in the subject */
	snprintf(q, sizeof(q), "SELECT number FROM incidents WHERE id = '%s'", id);
	char number[32];
	tdb_text(t->db, q, number, sizeof(number));
	o = feed(&c, "From: <rep.b@xa-b.gov.vn>\r\nSubject: %s\r\nMessage-ID: <m3@xa-b>\r\n\r\nx\r\n",
		 number);
	assert_string_equal(outcome(o), "triage");
	json_decref(o);
	assert_int_equal(tdb_count(t->db, "comments"), 0);

	/* the district above may: a comment, by that person */
	o = feed(&c, "From: <CR@pq.gov.vn>\r\nSubject: Re: %s\r\nMessage-ID: <m4@pq>\r\n\r\nĐã "
		 "nhận.\r\n> trích dẫn\r\n", number);
	assert_string_equal(outcome(o), "comment");
	json_decref(o);
	snprintf(q, sizeof(q), "SELECT created_by FROM comments WHERE incident_id = '%s'", id);
	assert_string_equal(tdb_text(t->db, q, out, sizeof(out)), W.cr.id);
	assert_int_equal(tdb_count(t->db, "comments WHERE body LIKE '%trích dẫn%'"), 0);

	/* a leader of the district sees it but comments on nothing: triage */
	assert_int_equal(store_run(t->db, &e, "UPDATE users SET email = 'lead@pq.gov.vn' WHERE "
				   "username = 'd-leader'", "") >= 0, 1);
	o = feed(&c, "From: <lead@pq.gov.vn>\r\nSubject: Re: x\r\nMessage-ID: <m4b@pq>\r\n"
		 "In-Reply-To: <m1@xa-a>\r\n\r\nXem.\r\n");
	assert_string_equal(outcome(o), "triage");
	json_decref(o);
	assert_int_equal(tdb_count(t->db, "comments"), 1);

	/* a stranger who sends someone's Message-ID first does not make the
	 * real message look already read */
	o = feed(&c, "From: <who@example.org>\r\nSubject: x\r\nMessage-ID: <m7@xa-a>\r\n\r\nx\r\n");
	assert_string_equal(outcome(o), "triage");
	json_decref(o);
	o = feed(&c, "From: <rep.a@xa-a.gov.vn>\r\nSubject: [TBSC] DNS\r\nMessage-ID: <m7@xa-a>\r\n"
		 "\r\nMáy chủ DNS bị chiếm.\r\n");
	assert_string_equal(outcome(o), "incident");
	json_decref(o);

	/* an address of two organisations, and a stranger: triage */
	o = feed(&c, "From: <shared@isp.vn>\r\nSubject: [TBSC] X\r\nMessage-ID: <m5@isp>\r\n\r\nx\r\n");
	assert_string_equal(outcome(o), "triage");
	json_decref(o);
	o = feed(&c, "From: <who@example.org>\r\nSubject: [TBSC] X\r\nMessage-ID: <m6@ex>\r\n\r\nx\r\n");
	assert_string_equal(outcome(o), "triage");
	json_decref(o);
	assert_int_equal(tdb_count(t->db, "incidents"), 2);
	assert_int_equal(tdb_count(t->db, "mail_triage WHERE status = 'open'"), 6);
	/* nothing is queued to a stranger */
	assert_int_equal(tdb_count(t->db, "mail_outbox"), 2);

	/* a refused message: quarantined, no incident */
	o = feed(&c, "From: <rep.a@xa-a.gov.vn>\r\nSubject: x\r\nContent-Type: text/plain; "
		 "charset=x-nope\r\n\r\nabc\r\n");
	assert_string_equal(outcome(o), "quarantine");
	assert_string_equal(json_string_value(json_object_get(o, "reason")), "charset");
	json_decref(o);
	assert_int_equal(tdb_count(t->db, "incidents"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mau03_form),
		cmocka_unit_test(mau03_free_text),
		cmocka_unit_test(addresses_and_subjects),
		cmocka_unit_test(reader_samples),
		cmocka_unit_test(reader_bounds),
		cmocka_unit_test_setup_teardown(intake_senders, world_open, world_close),
	};
	return cmocka_run_group_tests_name("mail", tests, world_build, world_destroy);
}
