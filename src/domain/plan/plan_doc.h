/*
 * plan_doc.h - a response plan as the document an official signs (the
 * model of src/doc/doc.h): the agency header, the title, the sections in
 * the plan's order, each scenario's response option as a numbered list,
 * and the leader's signature block.
 */
#ifndef UNGCUU_PLAN_DOC_H
#define UNGCUU_PLAN_DOC_H

#include "../domain.h"

struct doc;

/* The plan the actor may read (else NULL, E_NOTFOUND), as a document;
 * caller frees with doc_free. */
struct doc *plan_doc(struct ctx *c, const char *plan_id, struct err *e);

#endif
