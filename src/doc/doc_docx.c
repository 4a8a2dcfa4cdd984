/*
 * doc_docx.c - renders the document model to DOCX (WordprocessingML with
 * libxml2, zipped with libzip). (The renderer is being written; until then
 * it refuses.)
 */
#include "../base/log.h"
#include "doc_int.h"

int doc_docx(const struct doc *d, struct buf *out)
{
	(void)d;
	(void)out;
	log_error("doc: DOCX renderer not built yet");
	return -1;
}
