/*
 * test_doc.c - the document model (src/doc/doc.c) and its two renderers:
 * bad UTF-8 replaced, a row outside a table refused (the document then
 * refuses to render), bounds on columns, the Vietnamese date line, and
 * deterministic bytes (two renders of the same doc are identical, in PDF
 * and in DOCX). With DOC_TEST_OUT=DIR set, the sample document is also
 * written there as sample.pdf / sample.docx, to look at.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "doc/doc.h"
#include "doc/doc_int.h"

#define T0 1796601600000LL /* 2026-12-07 00:00 UTC */

static struct doc *sample(int rows)
{
	struct doc *d = doc_new("Báo cáo mẫu", T0);
	assert_non_null(d);
	doc_header(d, "UBND huyện Mẫu Sơn", "Phòng Văn hóa và Thông tin",
	    "Số: 12/BC-VHTT", "Mẫu Sơn", T0);
	doc_form_code(d, "Mẫu 04");
	doc_title(d, "BÁO CÁO KẾT THÚC ỨNG PHÓ SỰ CỐ", "(Ghi chú: thử nghiệm)");
	doc_text(d, "Kính gửi: Cơ quan điều phối quốc gia", DOC_CENTER, DOC_BOLD);
	doc_heading(d, 1, "1. Thông tin chung");
	doc_field(d, "Tên sự cố", "Mã độc tống tiền trên máy chủ kế toán");
	doc_field(d, "Người liên hệ", NULL);
	doc_check(d, 1, "Đã khắc phục");
	doc_check(d, 0, "Cần hỗ trợ");
	doc_heading(d, 2, "1.1. Diễn biến");
	doc_text(d, "Ngày 5/12, phát hiện các tệp bị mã hóa trên máy chủ; cô lập "
		    "máy chủ khỏi mạng, thu thập chứng cứ, khôi phục từ bản sao "
		    "lưu. Đặng Thị Ánh Tuyết, Nguyễn Văn Ước, Ỷ Lan, Ửng hồng.\n"
		    "Dòng thứ hai của đoạn.", DOC_JUSTIFY, 0);
	const char *h[] = { "STT", "Thời điểm", "Hoạt động", "Người thực hiện" };
	const double w[] = { 0.6, 1.6, 4, 2 };
	doc_table(d, 4, h, w);
	for (int i = 0; i < rows; i++) {
		char n[16], a[128];
		snprintf(n, sizeof n, "%d", i + 1);
		snprintf(a, sizeof a, "Bước %d: kiểm tra, cô lập, ghi nhận nhật ký", i + 1);
		const char *c[] = { n, "05/12/2026 08:00", a, "Trần Quốc Tuấn" };
		doc_row(d, c, 0);
	}
	const char *tot[] = { NULL, "Tổng", "", "" };
	doc_row(d, tot, DOC_BOLD);
	const char *to[] = { "Như trên", "Lưu: VT" };
	doc_recipients(d, to, 2);
	doc_signature(d, "Người báo cáo", "(Ký, ghi rõ họ tên)", "Lê Văn Hưng");
	return d;
}

static void dump(const char *name, const struct buf *b)
{
	const char *dir = getenv("DOC_TEST_OUT");
	if (dir == NULL || dir[0] == '\0')
		return;
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b->p, 1, b->len, f), b->len);
	fclose(f);
}

static void test_bad_utf8_replaced(void **state)
{
	(void)state;
	struct doc *d = doc_new("a\xff" "b", T0);
	assert_non_null(d);
	assert_string_equal(d->title, "a?b");
	doc_text(d, "x\xc3(y\xe2\x82", DOC_LEFT, 0);
	doc_field(d, "\xc0\xaf", "ok ư");
	const char *c[] = { "\xed\xa0\x80" }; /* a UTF-16 surrogate */
	doc_table(d, 1, c, NULL);
	assert_int_equal(d->failed, 0);
	assert_int_equal(d->n, 3);
	assert_string_equal(d->b[0].s[0], "x?(y??");
	assert_string_equal(d->b[1].s[0], "??");
	assert_string_equal(d->b[1].s[1], "ok ư");
	assert_string_equal(d->b[2].cells[0], "???");
	struct buf out;
	buf_init(&out, 16u << 20);
	assert_int_equal(doc_pdf(d, &out), 0);
	buf_release(&out);
	doc_free(d);
}

static void test_row_outside_table_refused(void **state)
{
	(void)state;
	struct doc *d = doc_new("t", T0);
	const char *c[] = { "a" };
	doc_row(d, c, 0);
	assert_int_equal(d->failed, 1);
	struct buf out;
	buf_init(&out, 1u << 20);
	assert_int_equal(doc_pdf(d, &out), -1);
	assert_int_equal(doc_docx(d, &out), -1);
	buf_release(&out);
	doc_free(d);

	/* A row after the table was closed by another block is refused too. */
	d = doc_new("t", T0);
	doc_table(d, 1, NULL, NULL);
	doc_row(d, c, 0);
	assert_int_equal(d->failed, 0);
	doc_text(d, "x", DOC_LEFT, 0);
	doc_row(d, c, 0);
	assert_int_equal(d->failed, 1);
	doc_free(d);
}

static void test_table_bounds(void **state)
{
	(void)state;
	struct doc *d = doc_new("t", T0);
	doc_table(d, 0, NULL, NULL);
	assert_int_equal(d->failed, 1);
	doc_free(d);
	d = doc_new("t", T0);
	doc_table(d, DOC_MAX_COLS + 1, NULL, NULL);
	assert_int_equal(d->failed, 1);
	doc_free(d);
	d = doc_new("t", T0);
	const double w[] = { 1, -5, 3 }; /* a bad width counts as 1 */
	doc_table(d, 3, NULL, w);
	assert_int_equal(d->failed, 0);
	assert_true(d->b[0].widths[0] > 0.19 && d->b[0].widths[0] < 0.21);
	assert_true(d->b[0].widths[1] > 0.19 && d->b[0].widths[1] < 0.21);
	assert_true(d->b[0].widths[2] > 0.59 && d->b[0].widths[2] < 0.61);
	doc_free(d);
	/* NULL doc: every call is harmless */
	doc_text(NULL, "x", DOC_LEFT, 0);
	doc_row(NULL, NULL, 0);
	doc_free(NULL);
}

static void test_vn_date(void **state)
{
	(void)state;
	char s[64];
	doc_vn_date(T0, s, sizeof s);
	assert_string_equal(s, "ngày 7 tháng 12 năm 2026");
	/* 17:00 UTC is midnight in Hanoi: the next day */
	doc_vn_date(T0 + 17 * 3600000LL, s, sizeof s);
	assert_string_equal(s, "ngày 8 tháng 12 năm 2026");
	doc_vn_date(T0 - 1, s, sizeof s);
	assert_string_equal(s, "ngày 7 tháng 12 năm 2026");
}

static void test_pdf_deterministic(void **state)
{
	(void)state;
	struct buf a, b;
	buf_init(&a, 16u << 20);
	buf_init(&b, 16u << 20);
	struct doc *d = sample(60); /* long enough for several pages */
	assert_int_equal(doc_pdf(d, &a), 0);
	assert_int_equal(doc_pdf(d, &b), 0);
	doc_free(d);
	assert_true(a.len > 1000);
	assert_memory_equal(a.p, "%PDF-", 5);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.p, b.p, a.len);
	/* the creation date is the doc's, not the clock's */
	dump("sample.pdf", &a);
	assert_non_null(memmem(a.p, a.len, "20261207000000", 14));
	dump("sample.pdf", &a);
	buf_release(&a);
	buf_release(&b);
}

static void test_docx_deterministic(void **state)
{
	(void)state;
	struct buf a, b;
	buf_init(&a, 16u << 20);
	buf_init(&b, 16u << 20);
	struct doc *d = sample(60);
	assert_int_equal(doc_docx(d, &a), 0);
	assert_int_equal(doc_docx(d, &b), 0);
	doc_free(d);
	assert_true(a.len > 1000);
	assert_memory_equal(a.p, "PK\x03\x04", 4);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.p, b.p, a.len);
	dump("sample.docx", &a);
	buf_release(&a);
	buf_release(&b);
}

static void test_output_limit(void **state)
{
	(void)state;
	/* a buffer too small for the document: -1, nothing kept */
	struct buf a;
	buf_init(&a, 2000);
	struct doc *d = sample(5);
	assert_int_equal(doc_pdf(d, &a), -1);
	assert_null(a.p);
	buf_init(&a, 2000);
	assert_int_equal(doc_docx(d, &a), -1);
	assert_null(a.p);
	doc_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_utf8_replaced),
		cmocka_unit_test(test_row_outside_table_refused),
		cmocka_unit_test(test_table_bounds),
		cmocka_unit_test(test_vn_date),
		cmocka_unit_test(test_pdf_deterministic),
		cmocka_unit_test(test_docx_deterministic),
		cmocka_unit_test(test_output_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
