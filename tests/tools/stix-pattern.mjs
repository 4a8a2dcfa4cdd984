// stix-pattern.mjs - checks STIX patterns against OASIS's ANTLR grammar
// (STIXPattern.g4 of cti-stix2-json-schemas, copied in
// tests/data/stix-schemas/pattern_grammar), interpreted by antlr-ng at run
// time: no generated parser in the tree. The grammar's start rule ends in
// EOF, so anything after the pattern is an error too.
//
// antlr-ng's package entry does not load on Node 20 (it re-exports a type),
// so its modules are imported by path; GrammarParserInterpreter.js must be
// loaded for Grammar.createGrammarParserInterpreter to work.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BaseErrorListener, CharStream, CommonTokenStream } from 'antlr4ng';

const here = dirname(fileURLToPath(import.meta.url));
const ng = (p) => import(pathToFileURL(join(here, 'node_modules', 'antlr-ng', 'dist', 'src', p)).href);
const GRAMMAR = join(here, '..', 'data', 'stix-schemas', 'pattern_grammar', 'STIXPattern.g4');

const [{ Grammar }, { Tool }, { ToolListener }] = await Promise.all([
  ng('tool/Grammar.js'), ng('Tool.js'), ng('tool/ToolListener.js'), ng('tool/GrammarParserInterpreter.js'),
]);

const tool = new Tool();
const grammar = Grammar.forFile(Grammar, GRAMMAR, readFileSync(GRAMMAR, 'utf8'), undefined,
  new ToolListener(tool.errorManager));
grammar.tool.process(grammar, false);
const start = grammar.rules.get('pattern');
if (!start) throw new Error(`${GRAMMAR}: no rule "pattern"`);

class Collect extends BaseErrorListener {
  constructor() { super(); this.errors = []; }
  syntaxError(recognizer, symbol, line, column, msg) { this.errors.push(`column ${column + 1}: ${msg}`); }
}

// The grammar errors of a pattern ([] when it parses).
export function patternProblems(pattern) {
  const errs = new Collect();
  const lexer = grammar.createLexerInterpreter(CharStream.fromString(pattern));
  lexer.removeErrorListeners();
  lexer.addErrorListener(errs);
  const parser = grammar.createGrammarParserInterpreter(new CommonTokenStream(lexer));
  parser.removeErrorListeners();
  parser.addErrorListener(errs);
  parser.parse(start.index);
  return errs.errors;
}
