/**
 * The syntax of `scalingModifiers.formula`: the subset of expr-lang (https://expr-lang.org) that
 * KEDA documents, read into a tree by a tokenizer and a Pratt parser of our own. Nothing here runs
 * user code; the tree is only ever walked by `formula-evaluate.ts`.
 *
 * Precedences and associativity are expr-lang's (`parser/operator/operator.go`): `??` 500,
 * `**` / `^` 100 (right), unary `-` / `+` 90, `*` `/` `%` 60, unary `!` / `not` 50, `+` `-` 30,
 * comparisons 20, `&&` / `and` 15, `||` / `or` 10, then the ternary `?:`.
 */

/** Longest formula accepted; KEDA's documented formulas are well under 200 characters. */
export const MAX_FORMULA_LENGTH = 1024;
/** Deepest nesting of operators, calls and brackets; keeps the parser and evaluator off the stack limit. */
export const MAX_FORMULA_DEPTH = 32;

export type FormulaNode =
  | { kind: 'number'; value: number; integer: boolean }
  | { kind: 'bool'; value: boolean }
  | { kind: 'nil' }
  | { kind: 'name'; name: string }
  /** `#`: the element in a `count` predicate. */
  | { kind: 'element' }
  | { kind: 'array'; items: FormulaNode[] }
  | { kind: 'unary'; operator: '-' | '+' | '!'; operand: FormulaNode }
  | { kind: 'binary'; operator: BinaryOperator; left: FormulaNode; right: FormulaNode }
  | { kind: 'conditional'; condition: FormulaNode; then: FormulaNode; otherwise: FormulaNode }
  | { kind: 'call'; callee: string; args: FormulaNode[] }
  /** `{ ... }` or a bare predicate as a `count` argument. */
  | { kind: 'predicate'; body: FormulaNode };

export type BinaryOperator = '+' | '-' | '*' | '/' | '%' | '**' | '==' | '!=' | '<' | '>' | '<=' | '>=' | '&&' | '||' | '??';

export class FormulaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormulaError';
  }
}

type Token =
  | { kind: 'number'; value: number; integer: boolean; at: number; text: string }
  | { kind: 'name'; text: string; at: number }
  | { kind: 'operator'; text: string; at: number }
  | { kind: 'end'; text: ''; at: number };

/** Longest first, so `**` wins over `*` and `<=` over `<`. */
const OPERATORS = ['??', '**', '==', '!=', '<=', '>=', '&&', '||', '+', '-', '*', '/', '%', '^', '<', '>', '!', '?', ':', '(', ')', '[', ']', '{', '}', ',', '#'];
const WORD_OPERATORS: Record<string, string> = { and: '&&', or: '||', not: '!' };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < source.length) {
    const char = source[at]!;
    if (/\s/.test(char)) {
      at += 1;
      continue;
    }
    const number = /^(?:\d[\d_]*)?(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?/.exec(source.slice(at))![0];
    if (number.length > 0 && /\d/.test(number[0] === '.' ? number[1] ?? '' : number[0]!)) {
      tokens.push(numberToken(number, at));
      at += number.length;
      continue;
    }
    const word = /^[A-Za-z_$][\w$]*/.exec(source.slice(at))?.[0];
    if (word !== undefined) {
      // Own keys only: a name such as `constructor` must not find Object.prototype's.
      const operator = Object.hasOwn(WORD_OPERATORS, word) ? WORD_OPERATORS[word] : undefined;
      tokens.push(operator ? { kind: 'operator', text: operator, at } : { kind: 'name', text: word, at });
      at += word.length;
      continue;
    }
    const operator = OPERATORS.find((candidate) => source.startsWith(candidate, at));
    if (operator === undefined) {
      throw new FormulaError(`unexpected character "${char}" at position ${at + 1}`);
    }
    // expr-lang reads `^` as `**`.
    tokens.push({ kind: 'operator', text: operator === '^' ? '**' : operator, at });
    at += operator.length;
  }
  tokens.push({ kind: 'end', text: '', at });
  return tokens;
}

function numberToken(text: string, at: number): Token {
  if (text.endsWith('_') || text.includes('__')) throw new FormulaError(`malformed number "${text}" at position ${at + 1}`);
  const digits = text.replaceAll('_', '');
  const integer = /^\d+$/.test(digits);
  const value = Number(digits);
  // Integers are Go int64 in expr-lang; we keep them exact or refuse them.
  if (integer && !Number.isSafeInteger(value)) throw new FormulaError(`number ${text} at position ${at + 1} is too large (at most ${Number.MAX_SAFE_INTEGER})`);
  if (!Number.isFinite(value)) throw new FormulaError(`number ${text} at position ${at + 1} is out of range`);
  return { kind: 'number', value, integer, at, text };
}

const BINARY_PRECEDENCE: Record<string, number> = {
  '||': 10,
  '&&': 15,
  '==': 20,
  '!=': 20,
  '<': 20,
  '>': 20,
  '<=': 20,
  '>=': 20,
  '+': 30,
  '-': 30,
  '*': 60,
  '/': 60,
  '%': 60,
  '**': 100,
  '??': 500,
};
const RIGHT_ASSOCIATIVE = new Set(['**']);
const UNARY_PRECEDENCE: Record<string, number> = { '!': 50, '-': 90, '+': 90 };

/** Parses a formula into a tree, or throws a {@link FormulaError} that says where and why. */
export function parseFormula(source: string): FormulaNode {
  if (source.length > MAX_FORMULA_LENGTH) throw new FormulaError(`is ${source.length} characters long; at most ${MAX_FORMULA_LENGTH} are accepted`);
  if (source.trim() === '') throw new FormulaError('is empty');
  const parser = new Parser(tokenize(source));
  const tree = parser.expression(0);
  parser.expectEnd();
  return tree;
}

class Parser {
  private position = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'end') throw this.unexpected(token);
  }

  /** Pratt loop: a prefix, then every infix operator that binds tighter than `minPrecedence`. */
  expression(minPrecedence: number): FormulaNode {
    this.enter();
    let left = this.prefix();
    for (;;) {
      const token = this.peek();
      if (token.kind !== 'operator') break;
      if (token.text === '?' && minPrecedence === 0) {
        this.next();
        const then = this.expression(0);
        this.expect(':');
        const otherwise = this.expression(0);
        left = { kind: 'conditional', condition: left, then, otherwise };
        continue;
      }
      const precedence = BINARY_PRECEDENCE[token.text];
      if (precedence === undefined || precedence <= minPrecedence) break;
      this.next();
      const right = this.expression(RIGHT_ASSOCIATIVE.has(token.text) ? precedence - 1 : precedence);
      left = { kind: 'binary', operator: token.text as BinaryOperator, left, right };
    }
    this.depth -= 1;
    return left;
  }

  private prefix(): FormulaNode {
    const token = this.next();
    if (token.kind === 'number') return { kind: 'number', value: token.value, integer: token.integer };
    if (token.kind === 'name') return this.named(token.text);
    if (token.kind === 'operator') {
      const unary = UNARY_PRECEDENCE[token.text];
      if (unary !== undefined) {
        return { kind: 'unary', operator: token.text as '-' | '+' | '!', operand: this.expression(unary) };
      }
      if (token.text === '(') {
        const inner = this.expression(0);
        this.expect(')');
        return inner;
      }
      if (token.text === '[') return { kind: 'array', items: this.list(']') };
      if (token.text === '#') return { kind: 'element' };
      if (token.text === '{') {
        const body = this.expression(0);
        this.expect('}');
        return { kind: 'predicate', body };
      }
    }
    throw this.unexpected(token);
  }

  private named(name: string): FormulaNode {
    if (name === 'true' || name === 'false') return { kind: 'bool', value: name === 'true' };
    if (name === 'nil') return { kind: 'nil' };
    const token = this.peek();
    if (token.kind === 'operator' && token.text === '(') {
      this.next();
      return { kind: 'call', callee: name, args: this.list(')') };
    }
    return { kind: 'name', name };
  }

  /** Comma-separated expressions up to `close` (a trailing comma is allowed, as in expr-lang). */
  private list(close: string): FormulaNode[] {
    this.enter();
    const items: FormulaNode[] = [];
    while (!this.isOperator(close)) {
      items.push(this.expression(0));
      if (!this.isOperator(',')) break;
      this.next();
    }
    this.expect(close);
    this.depth -= 1;
    return items;
  }

  private enter(): void {
    this.depth += 1;
    if (this.depth > MAX_FORMULA_DEPTH) throw new FormulaError(`nests deeper than ${MAX_FORMULA_DEPTH} levels`);
  }

  private isOperator(text: string): boolean {
    const token = this.peek();
    return token.kind === 'operator' && token.text === text;
  }

  private expect(text: string): void {
    const token = this.next();
    if (token.kind !== 'operator' || token.text !== text) throw this.unexpected(token, `expected "${text}"`);
  }

  private peek(): Token {
    return this.tokens[this.position]!;
  }

  private next(): Token {
    const token = this.tokens[this.position]!;
    if (token.kind !== 'end') this.position += 1;
    return token;
  }

  private unexpected(token: Token, expected?: string): FormulaError {
    const what = token.kind === 'end' ? 'unexpected end of formula' : `unexpected "${token.text}" at position ${token.at + 1}`;
    return new FormulaError(expected ? `${what}, ${expected}` : what);
  }
}

/** Every trigger name the formula reads, in order of first use. */
export function namesIn(node: FormulaNode, found: string[] = []): string[] {
  switch (node.kind) {
    case 'name':
      if (!found.includes(node.name)) found.push(node.name);
      break;
    case 'array':
      node.items.forEach((item) => namesIn(item, found));
      break;
    case 'call':
      node.args.forEach((arg) => namesIn(arg, found));
      break;
    case 'unary':
      namesIn(node.operand, found);
      break;
    case 'binary':
      namesIn(node.left, found);
      namesIn(node.right, found);
      break;
    case 'conditional':
      namesIn(node.condition, found);
      namesIn(node.then, found);
      namesIn(node.otherwise, found);
      break;
    case 'predicate':
      namesIn(node.body, found);
      break;
    default:
      break;
  }
  return found;
}
