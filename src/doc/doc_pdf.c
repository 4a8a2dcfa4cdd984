/*
 * doc_pdf.c - renders the document model to PDF with cairo + pango.
 * (The renderer is being written; until then it refuses.)
 */
#include "../base/log.h"
#include "doc_int.h"

int doc_pdf(const struct doc *d, struct buf *out)
{
	(void)d;
	(void)out;
	log_error("doc: PDF renderer not built yet");
	return -1;
}
