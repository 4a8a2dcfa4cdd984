/* mail.c - the email intake's triage and quarantine (issue 17 item 5, h/mail). */
#include "api.h"
#include "../domain/duty/mail.h"
#include "../base/banned.h"

int api_mail_triage_list(struct req *r)
{
	json_t *j = mail_triage_list(&r->ctx, req_query(r, "status"), &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_mail_triage_get(struct req *r)
{
	json_t *j = mail_triage_get(&r->ctx, r->params[0], &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_mail_triage_accept(struct req *r)
{
	json_t *body = req_json(r);
	json_t *j = body ? mail_triage_accept(&r->ctx, r->params[0], body, &r->err) : NULL;
	return j ? req_reply(r, 200, j) : -1;
}

int api_mail_triage_reject(struct req *r)
{
	json_t *body = req_json(r);
	json_t *j = body ? mail_triage_reject(&r->ctx, r->params[0], body, &r->err) : NULL;
	return j ? req_reply(r, 200, j) : -1;
}

int api_mail_quarantine_list(struct req *r)
{
	json_t *j = mail_quarantine_list(&r->ctx, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}
