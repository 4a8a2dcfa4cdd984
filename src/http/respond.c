/*
 * respond.c - the only place that turns an error into an HTTP answer:
 * application/problem+json (RFC 9457) with status, title, detail and, for bad
 * input, errors as a list of {pointer, detail}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "../base/log.h"
#include "../base/msg.h"
#include "../base/banned.h"

static int status_of(const struct err *e)
{
	switch (e->code) {
	case E_INVALID: return 422;
	case E_MALFORMED: return 400;
	case E_NOTFOUND: return 404;
	case E_CONFLICT: return 409;
	case E_FORBIDDEN: return 403;
	case E_UNAUTH: return 401;
	case E_PRECOND: return 412;
	case E_PRECOND_REQ: return 428;
	case E_TOOLARGE: return 413;
	case E_LOCKED: return 429;
	case E_UNAVAILABLE: return 503;
	default: return 500;
	}
}

static const char *title_of(int status, int lang)
{
	int en = lang == LANG_EN;
	switch (status) {
	case 400: return en ? "Bad request" : "Yêu cầu sai cú pháp";
	case 401: return en ? "Unauthorized" : "Chưa đăng nhập";
	case 403: return en ? "Forbidden" : "Không có quyền";
	case 404: return en ? "Not found" : "Không tìm thấy";
	case 405: return en ? "Method not allowed" : "Phương thức không được hỗ trợ";
	case 409: return en ? "Conflict" : "Xung đột trạng thái";
	case 412: return en ? "Precondition failed" : "Dữ liệu đã thay đổi";
	case 413: return en ? "Content too large" : "Nội dung quá lớn";
	case 415: return en ? "Unsupported media type" : "Kiểu nội dung không hỗ trợ";
	case 422: return en ? "Unprocessable content" : "Dữ liệu không hợp lệ";
	case 428: return en ? "Precondition required" : "Thiếu điều kiện phiên bản";
	case 429: return en ? "Too many requests" : "Quá nhiều lần thử";
	case 503: return en ? "Service unavailable" : "Dịch vụ tạm thời không sẵn sàng";
	default: return en ? "Internal server error" : "Lỗi máy chủ";
	}
}

void req_problem(struct req *r)
{
	char detail[400];
	int status = r->status == 405 || r->status == 415 ? r->status : status_of(&r->err);
	if (status >= 500)
		log_error("%s %s: %s", r->method, r->path,
			  err_text(&r->err, LANG_EN, detail, sizeof(detail)));
	json_t *p = json_pack("{s:s, s:i, s:s, s:s}", "type", "about:blank", "status", status,
			      "title", title_of(status, r->lang),
			      "detail", err_text(&r->err, r->lang, detail, sizeof(detail)));
	if (r->err.nfields > 0) {
		json_t *list = json_array();
		for (int i = 0; i < r->err.nfields; i++) {
			const struct err_field *f = &r->err.fields[i];
			char d[300];
			json_array_append_new(list, json_pack("{s:s, s:s}", "pointer", f->pointer,
				"detail", msg_format(f->msg, r->lang, f->arg, d, sizeof(d))));
		}
		json_object_set_new(p, "errors", list);
	}
	free(r->out);
	r->out = NULL;
	r->out_static = NULL;
	stmt_done(r->lent);
	r->lent = NULL;
	r->etag_version = -1;
	req_reply(r, status, p);
	r->ctype = "application/problem+json";
	if (status == 429 && r->err.retry_after > 0) {
		r->extra_header[0][0] = "Retry-After";
		r->extra_header[0][1] = arena_printf(r->arena, "%d", r->err.retry_after);
	}
	if (status == 503) {   /* a database restart or failover: HAProxy and clients retry */
		r->extra_header[0][0] = "Retry-After";
		r->extra_header[0][1] = "2";
	}
}
