/*
 * stix_pattern.c - the STIX 2.1 patterning language (STIXPattern.g4 of
 * oasis-open/cti-stix2-json-schemas): a lexer, a recursive-descent parser
 * building a small tree (n-ary AND/OR nodes, so only parentheses nest),
 * and the conversion of that tree into the plain indicators it is
 * equivalent to. What the parser accepts is exactly the grammar, plus the
 * one check the reference validator adds (no repeated qualifier of one
 * kind on one observation).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ioc.h"
#include "ioc_int.h"
#include "../../base/arena.h"
#include "../../base/msg.h"
#include "../../base/banned.h"

/* ---- tokens ---- */

enum tok_type {
	T_EOF, T_LBRACK, T_RBRACK, T_LPAREN, T_RPAREN, T_COLON, T_DOT, T_COMMA, T_ASTERISK,
	T_EQ, T_NEQ, T_LT, T_LE, T_GT, T_GE,
	T_STRING, T_INT_POS, T_INT_NEG, T_FLOAT_POS, T_FLOAT_NEG, T_HEX, T_BINARY, T_TIME,
	T_BOOL, T_IDENT, T_IDENT_HYPHEN,
	/* keywords */
	T_AND, T_OR, T_NOT, T_FOLLOWEDBY, T_LIKE, T_MATCHES, T_ISSUPERSET, T_ISSUBSET,
	T_EXISTS, T_LAST, T_IN, T_START, T_STOP, T_SECONDS, T_WITHIN, T_REPEATS, T_TIMES,
};

static const struct {
	const char *word;
	int type;
} keywords[] = {
	{ "AND", T_AND }, { "OR", T_OR }, { "NOT", T_NOT }, { "FOLLOWEDBY", T_FOLLOWEDBY },
	{ "LIKE", T_LIKE }, { "MATCHES", T_MATCHES }, { "ISSUPERSET", T_ISSUPERSET },
	{ "ISSUBSET", T_ISSUBSET }, { "EXISTS", T_EXISTS }, { "LAST", T_LAST }, { "IN", T_IN },
	{ "START", T_START }, { "STOP", T_STOP }, { "SECONDS", T_SECONDS },
	{ "WITHIN", T_WITHIN }, { "REPEATS", T_REPEATS }, { "TIMES", T_TIMES },
	{ "true", T_BOOL }, { "false", T_BOOL },
};

struct tok {
	int type;
	size_t pos, len;              /* in the pattern */
	const char *str;              /* T_STRING: the decoded value (arena) */
	size_t slen;
};

/* ---- the tree ---- */

enum node_type { N_FOLLOWEDBY, N_OBS_OR, N_OBS_AND, N_OBS, N_CMP_OR, N_CMP_AND, N_TEST };

struct step {
	const char *key;              /* NULL for an index step */
	int star;                     /* [*] */
};

struct node {
	int type;
	struct node **kids;           /* N_FOLLOWEDBY, N_*_OR, N_*_AND; N_OBS has one */
	size_t nkids;
	/* N_TEST */
	const char *object;           /* "file" */
	struct step *steps;
	size_t nsteps;
	int op;                       /* T_EQ ... T_ISSUBSET, T_EXISTS */
	int negated;
	struct tok *lits;             /* the literal, or the members of an IN set */
	size_t nlits;
	size_t pos;                   /* of the path, for messages */
};

struct parser {
	const char *s;
	size_t n, pos;
	struct tok cur;
	struct arena *a;
	struct err *e;
	int depth;
	int nomem;
};

static int perr(struct parser *p, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(struct parser *p, size_t at, const char *fmt, ...)
{
	char detail[120];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (p->nomem)
		return err_set(p->e, E_NOMEM, MSG_IOC_LIMIT, "pattern: out of memory");
	char arg[sizeof(p->e->arg)];
	snprintf(arg, sizeof(arg), "column %zu: %s", ioc_utf8_chars(p->s, at) + 1, detail);
	return err_set(p->e, E_MALFORMED, MSG_IOC_PATTERN, arg);
}

static void *palloc(struct parser *p, size_t n)
{
	void *m = arena_alloc(p->a, n);
	if (m == NULL)
		p->nomem = 1;
	else
		memset(m, 0, n);
	return m;
}

/* ---- lexer ---- */

/* Bytes of the white space character at s (n left), 0 when none: the
 * grammar's WS set, ASCII and Unicode spaces in UTF-8. */
static size_t space_at(const unsigned char *s, size_t n)
{
	if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == '\v' || *s == '\f')
		return 1;
	if (n >= 2 && s[0] == 0xC2 && (s[1] == 0x85 || s[1] == 0xA0))
		return 2;
	if (n < 3)
		return 0;
	if (s[0] == 0xE1 && s[1] == 0x9A && s[2] == 0x80)                 /* U+1680 */
		return 3;
	if (s[0] == 0xE2 && s[1] == 0x80 && ((s[2] >= 0x80 && s[2] <= 0x8A) || s[2] == 0xA8 ||
					     s[2] == 0xA9 || s[2] == 0xAF))   /* U+2000-200A, 2028, 2029, 202F */
		return 3;
	if (s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0x9F)                 /* U+205F */
		return 3;
	if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)                 /* U+3000 */
		return 3;
	return 0;
}

/* Skips white space and comments. */
static int skip_blank(struct parser *p)
{
	for (;;) {
		size_t k;
		if (p->pos >= p->n)
			return 0;
		k = space_at((const unsigned char *)p->s + p->pos, p->n - p->pos);
		if (k) {
			p->pos += k;
			continue;
		}
		if (p->n - p->pos >= 2 && p->s[p->pos] == '/' && p->s[p->pos + 1] == '*') {
			const char *end = NULL;
			for (size_t i = p->pos + 2; i + 1 < p->n; i++)
				if (p->s[i] == '*' && p->s[i + 1] == '/') {
					end = p->s + i;
					break;
				}
			if (end == NULL)
				return perr(p, p->pos, "comment not closed");
			p->pos = (size_t)(end - p->s) + 2;
			continue;
		}
		if (p->n - p->pos >= 2 && p->s[p->pos] == '/' && p->s[p->pos + 1] == '/') {
			while (p->pos < p->n && p->s[p->pos] != '\r' && p->s[p->pos] != '\n')
				p->pos++;
			continue;
		}
		return 0;
	}
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_hexd(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_b64(char c)
{
	return is_alpha(c) || is_digit(c) || c == '+' || c == '/';
}

/* 'TEXT' with \' and \\ escapes, from p->pos (the quote): checked and
 * measured first, so the copy takes only its own length. */
static int lex_string(struct parser *p, struct tok *t)
{
	size_t i = p->pos + 1, len = 0;
	for (;;) {
		if (i >= p->n)
			return perr(p, p->pos, "string not closed (a ' inside one is written \\')");
		if (p->s[i] == '\'')
			break;
		if (p->s[i] == '\\') {
			if (i + 1 >= p->n || (p->s[i + 1] != '\'' && p->s[i + 1] != '\\'))
				return perr(p, i, "bad escape in a string: only \\' and \\\\ are allowed");
			i++;
		}
		i++;
		len++;
	}
	char *out = palloc(p, len + 1);
	if (out == NULL)
		return perr(p, p->pos, "out of memory");
	size_t o = 0;
	for (size_t k = p->pos + 1; k < i; k++) {
		if (p->s[k] == '\\')
			k++;
		out[o++] = p->s[k];
	}
	out[o] = '\0';
	t->type = T_STRING;
	t->str = out;
	t->slen = o;
	t->len = i + 1 - p->pos;
	return 0;
}

/* h'..', b'..', t'..' at p->pos: the letter, a quote, the body. */
static int lex_prefixed(struct parser *p, struct tok *t)
{
	char kind = p->s[p->pos];
	size_t start = p->pos + 2, i = start;
	while (i < p->n && p->s[i] != '\'')
		i++;
	if (i >= p->n)
		return perr(p, p->pos, "%c'' literal not closed", kind);
	const char *b = p->s + start;
	size_t l = i - start;
	t->len = i + 1 - p->pos;
	if (kind == 'h') {
		for (size_t k = 0; k < l; k++)
			if (!is_hexd(b[k]))
				return perr(p, start + k, "bad hex digit in h'' literal");
		if (l % 2)
			return perr(p, p->pos, "odd number of hex digits in h'' literal");
		t->type = T_HEX;
		return 0;
	}
	if (kind == 'b') {
		size_t pad = 0;
		for (size_t k = 0; k < l; k++) {
			if (b[k] == '=' && k + 2 >= l)
				pad++;
			else if (!is_b64(b[k]) || pad)
				return perr(p, start + k, "bad base64 in b'' literal");
		}
		if (l == 0 || l % 4 || pad > 2)
			return perr(p, p->pos, "bad base64 length in b'' literal");
		t->type = T_BINARY;
		return 0;
	}
	/* t'YYYY-MM-DDTHH:MM:SS[.s+]Z' */
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	int ok = l >= sizeof(shape);
	for (size_t k = 0; ok && k < sizeof(shape) - 1; k++)
		ok = shape[k] == 'd' ? is_digit(b[k]) : b[k] == shape[k];
	if (ok) {
		int mo = (b[5] - '0') * 10 + b[6] - '0', d = (b[8] - '0') * 10 + b[9] - '0';
		int h = (b[11] - '0') * 10 + b[12] - '0', mi = (b[14] - '0') * 10 + b[15] - '0';
		int s = (b[17] - '0') * 10 + b[18] - '0';
		ok = mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && s <= 60;
		size_t k = sizeof(shape) - 1;
		if (ok && b[k] == '.') {
			k++;
			size_t digits = 0;
			while (k < l && is_digit(b[k])) {
				k++;
				digits++;
			}
			ok = digits > 0;
		}
		ok = ok && k + 1 == l && b[k] == 'Z';
	}
	if (!ok)
		return perr(p, p->pos, "not a timestamp t'YYYY-MM-DDTHH:MM:SS[.fraction]Z'");
	t->type = T_TIME;
	return 0;
}

/* [+-]? digits, or [+-]? digits? . digits */
static int lex_number(struct parser *p, struct tok *t)
{
	size_t i = p->pos;
	int neg = p->s[i] == '-';
	if (p->s[i] == '+' || p->s[i] == '-')
		i++;
	size_t d0 = i;
	while (i < p->n && is_digit(p->s[i]))
		i++;
	size_t nd = i - d0;
	if (i < p->n && p->s[i] == '.') {
		size_t f0 = ++i;
		while (i < p->n && is_digit(p->s[i]))
			i++;
		if (i == f0)
			return perr(p, p->pos, "digits expected after the decimal point");
		t->type = neg ? T_FLOAT_NEG : T_FLOAT_POS;
	} else {
		if (nd == 0)
			return perr(p, p->pos, "unexpected '%c'", p->s[p->pos]);
		if (nd > 1 && p->s[d0] == '0')
			return perr(p, p->pos, "number with a leading zero");
		t->type = neg ? T_INT_NEG : T_INT_POS;
	}
	t->len = i - p->pos;
	return 0;
}

static int lex_word(struct parser *p, struct tok *t)
{
	size_t i = p->pos;
	int hyphen = 0;
	while (i < p->n && (is_alpha(p->s[i]) || is_digit(p->s[i]) || p->s[i] == '-')) {
		hyphen |= p->s[i] == '-';
		i++;
	}
	t->len = i - p->pos;
	t->type = hyphen ? T_IDENT_HYPHEN : T_IDENT;
	for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
		if (strlen(keywords[k].word) == t->len &&
		    memcmp(keywords[k].word, p->s + p->pos, t->len) == 0)
			t->type = keywords[k].type;
	return 0;
}

static int two(struct parser *p, char a, char b)
{
	return p->n - p->pos >= 2 && p->s[p->pos] == a && p->s[p->pos + 1] == b;
}

/* Reads the next token into p->cur. */
static int next(struct parser *p)
{
	struct tok *t = &p->cur;
	if (skip_blank(p) != 0)
		return -1;
	memset(t, 0, sizeof(*t));
	t->pos = p->pos;
	t->len = 1;
	if (p->pos >= p->n) {
		t->type = T_EOF;
		t->len = 0;
		return 0;
	}
	char c = p->s[p->pos];
	int rc = 0;
	switch (c) {
	case '[': t->type = T_LBRACK; break;
	case ']': t->type = T_RBRACK; break;
	case '(': t->type = T_LPAREN; break;
	case ')': t->type = T_RPAREN; break;
	case ':': t->type = T_COLON; break;
	case ',': t->type = T_COMMA; break;
	case '*': t->type = T_ASTERISK; break;
	case '\'': rc = lex_string(p, t); break;
	case '=':
		t->type = T_EQ;
		t->len = two(p, '=', '=') ? 2 : 1;
		break;
	case '!':
		if (!two(p, '!', '='))
			return perr(p, p->pos, "unexpected '!' (not equal is !=)");
		t->type = T_NEQ;
		t->len = 2;
		break;
	case '<':
		t->type = two(p, '<', '=') ? T_LE : two(p, '<', '>') ? T_NEQ : T_LT;
		t->len = t->type == T_LT ? 1 : 2;
		break;
	case '>':
		t->type = two(p, '>', '=') ? T_GE : T_GT;
		t->len = t->type == T_GE ? 2 : 1;
		break;
	default:
		if ((c == 'h' || c == 'b' || c == 't') && p->pos + 1 < p->n &&
		    p->s[p->pos + 1] == '\'')
			rc = lex_prefixed(p, t);
		else if (is_alpha(c))
			rc = lex_word(p, t);
		else if (is_digit(c) || c == '+' || c == '-' ||
			 (c == '.' && p->pos + 1 < p->n && is_digit(p->s[p->pos + 1])))
			rc = lex_number(p, t);
		else if (c == '.')
			t->type = T_DOT;
		else if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
			return perr(p, p->pos, "unexpected '%c'", c);
		else
			return perr(p, p->pos, "unexpected character");
	}
	if (rc != 0)
		return -1;
	p->pos += t->len;
	return 0;
}

/* What the current token is, for messages. */
static const char *shown(struct parser *p, char *buf, size_t n)
{
	const struct tok *t = &p->cur;
	if (t->type == T_EOF)
		return "the end";
	size_t l = t->len > 24 ? 24 : t->len;
	while (l > 0 && l < t->len && ((unsigned char)p->s[t->pos + l] & 0xC0) == 0x80)
		l--;
	snprintf(buf, n, "'%.*s%s'", (int)l, p->s + t->pos, l < t->len ? "..." : "");
	return buf;
}

static int expect(struct parser *p, int type, const char *what)
{
	char buf[40];
	if (p->cur.type != type)
		return perr(p, p->cur.pos, "%s expected, found %s", what, shown(p, buf, sizeof(buf)));
	return next(p);
}

/* ---- parser ---- */

static struct node *obs_exprs(struct parser *p);
static struct node *cmp_or(struct parser *p);

static struct node *new_node(struct parser *p, int type)
{
	struct node *n = palloc(p, sizeof(*n));
	if (n)
		n->type = type;
	return n;
}

/* Appends kid to the n-ary node. */
static int add_kid(struct parser *p, struct node *n, struct node *kid, size_t *cap)
{
	if (n->nkids == *cap) {
		size_t c = *cap ? *cap * 2 : 4;
		struct node **k = palloc(p, c * sizeof(*k));
		if (k == NULL)
			return perr(p, p->cur.pos, "out of memory");
		if (n->nkids)
			memcpy(k, n->kids, n->nkids * sizeof(*k));
		n->kids = k;
		*cap = c;
	}
	n->kids[n->nkids++] = kid;
	return 0;
}

/* One level of a left-associative operator: first (op first)*. A single
 * operand is returned as is. */
static struct node *chain(struct parser *p, int op, int type, struct node *(*operand)(struct parser *))
{
	struct node *first = operand(p);
	if (first == NULL || p->cur.type != op)
		return first;
	struct node *n = new_node(p, type);
	size_t cap = 0;
	if (n == NULL || add_kid(p, n, first, &cap) != 0)
		return NULL;
	while (p->cur.type == op) {
		if (next(p) != 0)
			return NULL;
		struct node *k = operand(p);
		if (k == NULL || add_kid(p, n, k, &cap) != 0)
			return NULL;
	}
	return n;
}

static int enter(struct parser *p)
{
	if (++p->depth > STIX_PATTERN_MAX_DEPTH)
		return perr(p, p->cur.pos, "parentheses nested deeper than %d",
			    STIX_PATTERN_MAX_DEPTH);
	return 0;
}

/* objectType ':' firstPathComponent (('.' key) | '[' index ']')* */
static int object_path(struct parser *p, struct node *t)
{
	char buf[40];
	if (p->cur.type != T_IDENT && p->cur.type != T_IDENT_HYPHEN)
		return perr(p, p->cur.pos, "object path (type:property) expected, found %s",
			    shown(p, buf, sizeof(buf)));
	t->pos = p->cur.pos;
	t->object = arena_strndup(p->a, p->s + p->cur.pos, p->cur.len);
	if (t->object == NULL || next(p) != 0 || expect(p, T_COLON, "':' after the object type") != 0)
		return -1;
	size_t cap = 0;
	for (int first = 1;; first = 0) {
		struct step st = { 0 };
		if (!first && p->cur.type == T_LBRACK) {
			if (next(p) != 0)
				return -1;
			if (p->cur.type == T_ASTERISK)
				st.star = 1;
			else if (p->cur.type != T_INT_POS && p->cur.type != T_INT_NEG)
				return perr(p, p->cur.pos, "list index or * expected, found %s",
					    shown(p, buf, sizeof(buf)));
			if (next(p) != 0 || expect(p, T_RBRACK, "']' after the list index") != 0)
				return -1;
		} else if (first || p->cur.type == T_DOT) {
			if (!first && next(p) != 0)
				return -1;
			if (p->cur.type == T_IDENT)
				st.key = arena_strndup(p->a, p->s + p->cur.pos, p->cur.len);
			else if (p->cur.type == T_STRING)
				st.key = p->cur.str;
			else if (p->cur.type == T_IDENT_HYPHEN)
				return perr(p, p->cur.pos, "a property name with '-' must be quoted: '%.*s'",
					    (int)(p->cur.len > 40 ? 40 : p->cur.len), p->s + p->cur.pos);
			else
				return perr(p, p->cur.pos, "property name expected, found %s",
					    shown(p, buf, sizeof(buf)));
			if (st.key == NULL)
				return perr(p, p->cur.pos, "out of memory");
			if (next(p) != 0)
				return -1;
		} else {
			return 0;
		}
		if (t->nsteps == cap) {
			size_t c = cap ? cap * 2 : 4;
			struct step *s = palloc(p, c * sizeof(*s));
			if (s == NULL)
				return perr(p, p->cur.pos, "out of memory");
			if (t->nsteps)
				memcpy(s, t->steps, t->nsteps * sizeof(*s));
			t->steps = s;
			cap = c;
		}
		t->steps[t->nsteps++] = st;
	}
}

static int is_orderable(int type)
{
	return type == T_INT_POS || type == T_INT_NEG || type == T_FLOAT_POS ||
	       type == T_FLOAT_NEG || type == T_STRING || type == T_BINARY || type == T_HEX ||
	       type == T_TIME;
}

/* Takes the current token as the literal of t. */
static int take_literal(struct parser *p, struct node *t, int bool_ok)
{
	char buf[40];
	if (!is_orderable(p->cur.type) && !(bool_ok && p->cur.type == T_BOOL))
		return perr(p, p->cur.pos, "%s expected, found %s",
			    bool_ok ? "a value" : "an orderable value (number, string, time...)",
			    shown(p, buf, sizeof(buf)));
	t->lits = palloc(p, sizeof(*t->lits));
	if (t->lits == NULL)
		return perr(p, p->cur.pos, "out of memory");
	t->lits[0] = p->cur;
	t->nlits = 1;
	return next(p);
}

/* '(' ')' or '(' literal (',' literal)* ')' */
static int set_literal(struct parser *p, struct node *t)
{
	char buf[40];
	size_t cap = 0;
	if (expect(p, T_LPAREN, "'(' starting the IN set") != 0)
		return -1;
	while (p->cur.type != T_RPAREN) {
		if (t->nlits && expect(p, T_COMMA, "',' or ')' in the IN set") != 0)
			return -1;
		if (!is_orderable(p->cur.type) && p->cur.type != T_BOOL)
			return perr(p, p->cur.pos, "a value expected in the IN set, found %s",
				    shown(p, buf, sizeof(buf)));
		if (t->nlits == cap) {
			size_t c = cap ? cap * 2 : 4;
			struct tok *l = palloc(p, c * sizeof(*l));
			if (l == NULL)
				return perr(p, p->cur.pos, "out of memory");
			if (t->nlits)
				memcpy(l, t->lits, t->nlits * sizeof(*l));
			t->lits = l;
			cap = c;
		}
		t->lits[t->nlits++] = p->cur;
		if (next(p) != 0)
			return -1;
	}
	return next(p);
}

static struct node *prop_test(struct parser *p)
{
	char buf[40];
	if (p->cur.type == T_LPAREN) {
		if (enter(p) != 0 || next(p) != 0)
			return NULL;
		struct node *inner = cmp_or(p);
		if (inner == NULL || expect(p, T_RPAREN, "')' closing the comparison") != 0)
			return NULL;
		p->depth--;
		return inner;
	}
	struct node *t = new_node(p, N_TEST);
	if (t == NULL) {
		perr(p, p->cur.pos, "out of memory");
		return NULL;
	}
	int neg = 0;
	if (p->cur.type == T_NOT) {
		neg = 1;
		if (next(p) != 0)
			return NULL;
	}
	if (p->cur.type == T_EXISTS) {
		t->op = T_EXISTS;
		t->negated = neg;
		if (next(p) != 0 || object_path(p, t) != 0)
			return NULL;
		return t;
	}
	if (neg) {
		perr(p, p->cur.pos, "EXISTS expected after NOT, found %s", shown(p, buf, sizeof(buf)));
		return NULL;
	}
	if (object_path(p, t) != 0)
		return NULL;
	if (p->cur.type == T_NOT) {
		t->negated = 1;
		if (next(p) != 0)
			return NULL;
	}
	t->op = p->cur.type;
	switch (t->op) {
	case T_EQ: case T_NEQ:
		return next(p) == 0 && take_literal(p, t, 1) == 0 ? t : NULL;
	case T_GT: case T_LT: case T_GE: case T_LE:
		return next(p) == 0 && take_literal(p, t, 0) == 0 ? t : NULL;
	case T_IN:
		return next(p) == 0 && set_literal(p, t) == 0 ? t : NULL;
	case T_LIKE: case T_MATCHES: case T_ISSUBSET: case T_ISSUPERSET:
		if (next(p) != 0)
			return NULL;
		if (p->cur.type != T_STRING) {
			perr(p, p->cur.pos, "a string expected, found %s", shown(p, buf, sizeof(buf)));
			return NULL;
		}
		return take_literal(p, t, 0) == 0 ? t : NULL;
	default:
		perr(p, p->cur.pos, "comparison operator expected after the object path, found %s",
		     shown(p, buf, sizeof(buf)));
		return NULL;
	}
}

static struct node *cmp_and(struct parser *p)
{
	return chain(p, T_AND, N_CMP_AND, prop_test);
}

static struct node *cmp_or(struct parser *p)
{
	return chain(p, T_OR, N_CMP_OR, cmp_and);
}

/* Qualifiers after an observation: parsed, checked, not kept; simple:
 * after [..], where one kind may come only once. */
static int qualifiers(struct parser *p, int simple)
{
	char buf[40];
	unsigned seen = 0;
	for (;;) {
		unsigned bit;
		size_t at = p->cur.pos;
		if (p->cur.type == T_WITHIN) {
			bit = 1;
			if (next(p) != 0)
				return -1;
			if (p->cur.type != T_INT_POS && p->cur.type != T_FLOAT_POS)
				return perr(p, p->cur.pos, "a positive number expected after WITHIN, found %s",
					    shown(p, buf, sizeof(buf)));
			if (next(p) != 0 || expect(p, T_SECONDS, "SECONDS") != 0)
				return -1;
		} else if (p->cur.type == T_REPEATS) {
			bit = 2;
			if (next(p) != 0)
				return -1;
			if (p->cur.type != T_INT_POS)
				return perr(p, p->cur.pos, "a positive integer expected after REPEATS, found %s",
					    shown(p, buf, sizeof(buf)));
			if (next(p) != 0 || expect(p, T_TIMES, "TIMES") != 0)
				return -1;
		} else if (p->cur.type == T_START) {
			bit = 4;
			if (next(p) != 0 || expect(p, T_TIME, "a t'...' timestamp after START") != 0 ||
			    expect(p, T_STOP, "STOP") != 0 ||
			    expect(p, T_TIME, "a t'...' timestamp after STOP") != 0)
				return -1;
		} else {
			return 0;
		}
		if (simple && (seen & bit))
			return perr(p, at, "the same qualifier twice on one observation");
		seen |= bit;
	}
}

static struct node *obs_expr(struct parser *p)
{
	char buf[40];
	struct node *n;
	int simple = p->cur.type == T_LBRACK;
	if (simple) {
		n = new_node(p, N_OBS);
		size_t cap = 0;
		if (n == NULL || next(p) != 0)
			return NULL;
		struct node *c = cmp_or(p);
		if (c == NULL || add_kid(p, n, c, &cap) != 0 ||
		    expect(p, T_RBRACK, "']' closing the observation") != 0)
			return NULL;
	} else if (p->cur.type == T_LPAREN) {
		if (enter(p) != 0 || next(p) != 0)
			return NULL;
		n = obs_exprs(p);
		if (n == NULL || expect(p, T_RPAREN, "')' closing the observations") != 0)
			return NULL;
		p->depth--;
	} else {
		perr(p, p->cur.pos, "'[' starting an observation expected, found %s",
		     shown(p, buf, sizeof(buf)));
		return NULL;
	}
	/* The reference validator refuses "[..] WITHIN 5 SECONDS WITHIN 6
	 * SECONDS" but not the same after "(..)": so do we. */
	return qualifiers(p, simple) == 0 ? n : NULL;
}

static struct node *obs_and(struct parser *p)
{
	return chain(p, T_AND, N_OBS_AND, obs_expr);
}

static struct node *obs_or(struct parser *p)
{
	return chain(p, T_OR, N_OBS_OR, obs_and);
}

static struct node *obs_exprs(struct parser *p)
{
	return chain(p, T_FOLLOWEDBY, N_FOLLOWEDBY, obs_or);
}

/* ---- conversion ---- */

struct conv {
	struct arena *a;
	struct stix_hit *hits;
	size_t n, cap;
	const char *why;
};

static int not_indicator(struct conv *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int not_indicator(struct conv *c, const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (c->why == NULL)
		c->why = arena_strdup(c->a, buf);
	return -1;
}

/* The path as written, for messages: "file:hashes.'SHA-512'". */
static const char *path_text(struct conv *c, const struct node *t)
{
	char buf[160];
	size_t o = (size_t)snprintf(buf, sizeof(buf), "%s:", t->object);
	for (size_t i = 0; i < t->nsteps && o < sizeof(buf); i++) {
		const struct step *s = &t->steps[i];
		int plain = s->key && s->key[0] && !is_digit(s->key[0]);
		for (const char *k = s->key; plain && *k; k++)
			plain = is_alpha(*k) || is_digit(*k);
		if (s->key == NULL)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "[%s]", s->star ? "*" : "n");
		else
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, plain ? "%s%s" : "%s'%s'",
					      i ? "." : "", s->key);
	}
	return arena_strdup(c->a, buf);
}

/* Kinds a supported path yields; K_HOST is an address, network or domain
 * (what a network-traffic reference points at). */
enum { K_NONE = -1, K_HOST = IOC__COUNT };

static int hash_kind(const char *name)
{
	char norm[16];
	size_t o = 0;
	for (const char *s = name; *s && o < sizeof(norm) - 1; s++)
		if (*s != '-' && *s != '_')
			norm[o++] = *s;
	norm[o] = '\0';
	if (strcasecmp(norm, "SHA256") == 0)
		return IOC_SHA256;
	if (strcasecmp(norm, "SHA1") == 0)
		return IOC_SHA1;
	if (strcasecmp(norm, "MD5") == 0)
		return IOC_MD5;
	return K_NONE;
}

static int step_is(const struct node *t, size_t i, const char *key)
{
	return i < t->nsteps && t->steps[i].key && strcmp(t->steps[i].key, key) == 0;
}

/* The kind of value the path of t holds, K_NONE when not an indicator. */
static int path_kind(const struct node *t)
{
	static const struct {
		const char *object, *prop;
		int kind;
	} simple[] = {
		{ "ipv4-addr", "value", IOC_IPV4 }, { "ipv6-addr", "value", IOC_IPV6 },
		{ "domain-name", "value", IOC_DOMAIN }, { "url", "value", IOC_URL },
		{ "email-addr", "value", IOC_EMAIL }, { "file", "name", IOC_FILENAME },
	};
	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++)
		if (strcmp(t->object, simple[i].object) == 0 && t->nsteps == 1 &&
		    step_is(t, 0, simple[i].prop))
			return simple[i].kind;
	if (strcmp(t->object, "file") == 0 && t->nsteps == 2 && step_is(t, 0, "hashes") &&
	    t->steps[1].key)
		return hash_kind(t->steps[1].key);
	if (t->nsteps == 2 && step_is(t, 1, "value")) {
		if (strcmp(t->object, "network-traffic") == 0 &&
		    (step_is(t, 0, "dst_ref") || step_is(t, 0, "src_ref")))
			return K_HOST;
		if (strcmp(t->object, "email-message") == 0 &&
		    (step_is(t, 0, "from_ref") || step_is(t, 0, "sender_ref")))
			return IOC_EMAIL;
	}
	return K_NONE;
}

static int add_hit(struct conv *c, int kind, const char *value, const char *file_name)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->hits[i].kind == kind && strcmp(c->hits[i].value, value) == 0)
			return 0;
	if (c->n == IOC_MAX_LIST)
		return not_indicator(c, "more than %d values", IOC_MAX_LIST);
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 4;
		struct stix_hit *h = arena_alloc(c->a, cap * sizeof(*h));
		if (h == NULL)
			return not_indicator(c, "out of memory");
		if (c->n)
			memcpy(h, c->hits, c->n * sizeof(*h));
		c->hits = h;
		c->cap = cap;
	}
	c->hits[c->n].kind = kind;
	c->hits[c->n].value = value;
	c->hits[c->n].file_name = file_name;
	c->n++;
	return 0;
}

/* One value of path kind pk (a string literal) as a hit. */
static int hit_value(struct conv *c, const struct node *t, int pk, const struct tok *lit,
		     int subset)
{
	const char *why = NULL;
	if (lit->type != T_STRING)
		return not_indicator(c, "%s compared with a value that is not a string",
				     path_text(c, t));
	if (memchr(lit->str, '\0', lit->slen))
		return not_indicator(c, "NUL character in a value of %s", path_text(c, t));
	int kind = pk;
	if (pk == K_HOST)
		kind = ioc_classify(lit->str);
	if (pk == K_HOST && kind != IOC_IPV4 && kind != IOC_IPV6 && kind != IOC_CIDR &&
	    kind != IOC_DOMAIN)
		return not_indicator(c, "'%.60s' is not an address or domain", lit->str);
	const char *v = ioc_normalise(c->a, &kind, lit->str, &why);
	if (v == NULL)
		return not_indicator(c, "'%.60s' in %s: %s", lit->str, path_text(c, t),
				     why ? why : "bad value");
	if (subset && kind != IOC_CIDR && kind != IOC_IPV4 && kind != IOC_IPV6)
		return not_indicator(c, "ISSUBSET of '%.60s', not a network", lit->str);
	return add_hit(c, kind, v, NULL);
}

static const char *op_name(int op)
{
	switch (op) {
	case T_NEQ: return "!=";
	case T_LT: return "<";
	case T_LE: return "<=";
	case T_GT: return ">";
	case T_GE: return ">=";
	case T_LIKE: return "LIKE (a wildcard match)";
	case T_MATCHES: return "MATCHES (a regular expression)";
	case T_ISSUPERSET: return "ISSUPERSET";
	case T_ISSUBSET: return "ISSUBSET";
	case T_EXISTS: return "EXISTS";
	default: return "=";
	}
}

static int conv_test(struct conv *c, const struct node *t)
{
	int pk = path_kind(t);
	if (t->negated)
		return not_indicator(c, "NOT %s on %s", op_name(t->op), path_text(c, t));
	if (t->op != T_EQ && t->op != T_IN && t->op != T_ISSUBSET)
		return not_indicator(c, "%s on %s", op_name(t->op), path_text(c, t));
	if (pk == K_NONE)
		return not_indicator(c, "%s is not an indicator ungcuu keeps", path_text(c, t));
	if (t->op == T_EQ)
		return hit_value(c, t, pk, &t->lits[0], 0);
	if (t->op == T_ISSUBSET) {
		if (pk == IOC_IPV4 || pk == IOC_IPV6 || pk == K_HOST)
			return hit_value(c, t, pk, &t->lits[0], 1);
		return not_indicator(c, "ISSUBSET on %s", path_text(c, t));
	}
	for (size_t i = 0; i < t->nlits; i++)
		if (hit_value(c, t, pk, &t->lits[i], 0) != 0)
			return -1;
	return t->nlits ? 0 : not_indicator(c, "IN an empty set");
}

static int conv(struct conv *c, const struct node *n);

/* [file:hashes.X = '..' AND file:name = '..' AND file:size > ..]: every
 * comparison on one file and at least one hash, which identifies the
 * content (so the name, size, type... add nothing a matcher needs): the
 * hashes, named by the file name. [network-traffic:dst_ref.type = '..' AND
 * network-traffic:dst_ref.value = '..']: the type adds nothing to the
 * value. Any other AND must hold together: not a set of indicators. */
static int conv_and(struct conv *c, const struct node *n)
{
	size_t start = c->n;
	const char *object = NULL, *name = NULL;
	int hashes = 0, hosts = 0;
	for (size_t i = 0; i < n->nkids; i++) {
		const struct node *k = n->kids[i];
		if (k->type != N_TEST || (object && strcmp(k->object, object) != 0))
			return not_indicator(c, "AND of comparisons (all must hold together)");
		object = k->object;
	}
	int file = strcmp(object, "file") == 0;
	for (size_t i = 0; i < n->nkids; i++) {
		const struct node *k = n->kids[i];
		int pk = path_kind(k), eq = k->op == T_EQ && !k->negated;
		if (file && eq && pk >= IOC_SHA256 && pk <= IOC_MD5) {
			if (conv_test(c, k) != 0)
				return -1;
			hashes++;
		} else if (file && eq && pk == IOC_FILENAME && k->lits[0].type == T_STRING) {
			int fk = IOC_FILENAME;
			const char *why = NULL;
			name = ioc_normalise(c->a, &fk, k->lits[0].str, &why);
			if (name == NULL)
				return not_indicator(c, "file:name: %s", why ? why : "bad value");
		} else if (!file && eq && pk == K_HOST) {
			if (conv_test(c, k) != 0)
				return -1;
			hosts++;
		} else if (!file && !(eq && strcmp(object, "network-traffic") == 0 &&
				      k->nsteps == 2 && step_is(k, 1, "type"))) {
			return not_indicator(c, "AND of comparisons (all must hold together)");
		}
	}
	if ((file && hashes == 0) || (!file && hosts != 1))
		return not_indicator(c, "AND of comparisons (all must hold together)");
	for (size_t i = start; i < c->n; i++)
		c->hits[i].file_name = name;
	return 0;
}

static int conv(struct conv *c, const struct node *n)
{
	switch (n->type) {
	case N_TEST:
		return conv_test(c, n);
	case N_OBS:
		return conv(c, n->kids[0]);
	case N_CMP_AND:
		return conv_and(c, n);
	case N_CMP_OR: case N_OBS_OR:
		for (size_t i = 0; i < n->nkids; i++)
			if (conv(c, n->kids[i]) != 0)
				return -1;
		return 0;
	case N_OBS_AND:
		return not_indicator(c, "AND of observations (all must be seen)");
	default:
		return not_indicator(c, "FOLLOWEDBY (a sequence of observations)");
	}
}

int stix_pattern_parse(const char *pattern, size_t n, struct arena *a, struct stix_hit **hits,
		       const char **why, struct err *e)
{
	struct parser p = { .s = pattern, .n = n, .a = a, .e = e };
	*hits = NULL;
	*why = NULL;
	if (pattern == NULL || n == 0)
		return perr(&p, 0, "empty pattern");
	if (n > IOC_MAX_TEXT)
		return err_set(e, E_TOOLARGE, MSG_IOC_LIMIT, "pattern longer than 64 KiB");
	size_t bad = ioc_utf8_check(pattern, n, 1);
	if (bad < n)
		return perr(&p, bad, "bad UTF-8 or a NUL character");
	if (next(&p) != 0)
		return -1;
	struct node *root = obs_exprs(&p);
	if (root == NULL)
		return -1;
	if (p.cur.type != T_EOF) {
		char buf[40];
		return perr(&p, p.cur.pos, "AND, OR, FOLLOWEDBY or the end expected, found %s",
			    shown(&p, buf, sizeof(buf)));
	}
	struct conv c = { .a = a };
	if (conv(&c, root) != 0) {
		*why = c.why ? c.why : "not a set of indicators";
		return 0;
	}
	*hits = c.hits;
	return (int)c.n;
}

/* ---- writing ---- */

/* Appends 'value' with quotes and backslashes escaped. */
static size_t quoted(char *out, const char *value)
{
	size_t o = 0;
	out[o++] = '\'';
	for (const char *v = value; *v; v++) {
		if (*v == '\'' || *v == '\\')
			out[o++] = '\\';
		out[o++] = *v;
	}
	out[o++] = '\'';
	return o;
}

const char *stix_pattern_of(struct arena *a, int kind, const char *value, const char *file_name)
{
	const char *path;
	switch (kind) {
	case IOC_IPV4: path = "ipv4-addr:value"; break;
	case IOC_IPV6: path = "ipv6-addr:value"; break;
	case IOC_CIDR: path = strchr(value, ':') ? "ipv6-addr:value" : "ipv4-addr:value"; break;
	case IOC_DOMAIN: path = "domain-name:value"; break;
	case IOC_URL: path = "url:value"; break;
	case IOC_SHA256: path = "file:hashes.'SHA-256'"; break;
	case IOC_SHA1: path = "file:hashes.'SHA-1'"; break;
	case IOC_MD5: path = "file:hashes.MD5"; break;
	case IOC_EMAIL: path = "email-addr:value"; break;
	case IOC_FILENAME: path = "file:name"; break;
	case IOC_PATTERN: return arena_strdup(a, value);
	default: return NULL;
	}
	int named = file_name && (kind == IOC_SHA256 || kind == IOC_SHA1 || kind == IOC_MD5);
	size_t pl = strlen(path), o = 0;
	char *out = arena_alloc(a, pl + 2 * strlen(value) + (named ? 2 * strlen(file_name) + 24 : 0) + 8);
	if (out == NULL)
		return NULL;
	out[o++] = '[';
	memcpy(out + o, path, pl);
	o += pl;
	memcpy(out + o, " = ", 3);
	o += 3;
	o += quoted(out + o, value);
	if (named) {
		memcpy(out + o, " AND file:name = ", 17);
		o += 17;
		o += quoted(out + o, file_name);
	}
	out[o++] = ']';
	out[o] = '\0';
	return out;
}
