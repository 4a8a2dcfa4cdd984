/*
 * documents.c - the one way an official document leaves the API
 * (api_send_document): the format from the query, rendered by src/doc/,
 * sent as a download.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>
#include "api.h"
#include "../base/msg.h"
#include "../doc/doc.h"
#include "../domain/incident/incident.h"

int api_send_document(struct req *r, struct doc *d, const char *base)
{
	const char *fmt = req_query(r, "format");
	int docx = 0;
	if (fmt == NULL || strcmp(fmt, "pdf") == 0) {
		docx = 0;
	} else if (strcmp(fmt, "docx") == 0) {
		docx = 1;
	} else {
		doc_free(d);
		return err_field(&r->err, "/format", MSG_BAD_VALUE, "pdf, docx");
	}
	if (d == NULL)
		return err_set(&r->err, E_NOMEM, MSG_INTERNAL, NULL);
	struct buf out;
	buf_init(&out, 64u << 20);
	int rc = docx ? doc_docx(d, &out) : doc_pdf(d, &out);
	doc_free(d);
	if (rc != 0) {
		buf_release(&out);
		return err_set(&r->err, E_INTERNAL, MSG_INTERNAL, NULL);
	}
	char name[96];
	size_t k = 0;
	for (const char *p = base ? base : "document"; *p && k < 80; p++) {
		char c = *p;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
		name[k++] = ok ? c : '_';
	}
	name[k] = '\0';
	size_t len = 0;
	r->status = 200;
	r->ctype = docx ? DOC_DOCX_TYPE : DOC_PDF_TYPE;
	r->out = buf_detach(&out, &len);
	r->out_len = len;
	r->extra_header[0][0] = MHD_HTTP_HEADER_CONTENT_DISPOSITION;
	r->extra_header[0][1] = arena_printf(r->arena, "attachment; filename=\"%s.%s\"",
					     name, docx ? "docx" : "pdf");
	return 0;
}

/* The incident's forms: kind mau03 (initial report) or mau04 (closing
 * report); any other kind, like an incident the reader may not see, is
 * 404. Named after the form and the incident's number: mau03-PQ-2026-0007.pdf. */
int api_incident_document(struct req *r)
{
	const char *kind = r->params[1];
	int form = strcmp(kind, "mau03") == 0 ? 3 : strcmp(kind, "mau04") == 0 ? 4 : 0;
	if (form == 0)
		return err_set(&r->err, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	char number[64];
	struct doc *d = incident_form_doc_numbered(&r->ctx, r->params[0], form, number,
						   sizeof number, &r->err);
	if (d == NULL)
		return -1;
	char base[80];
	snprintf(base, sizeof base, "%s-%s", kind, number);
	return api_send_document(r, d, base);
}
