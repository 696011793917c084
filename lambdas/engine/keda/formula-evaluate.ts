/**
 * Evaluates a parsed `scalingModifiers.formula` tree with expr-lang's value rules, as far as
 * KEDA's formulas reach: int and float numbers (`/` and `**` always give a float, `%` needs two
 * ints, `+ - *` stay int only when both sides are), bools for `!`, `&&`, `||` and the ternary
 * condition, nil only through `??` or a comparison, and a few built-in functions. Anything else
 * is a {@link FormulaError}: a wrong type is never turned into a number.
 */
import type { BinaryOperator, FormulaNode } from './formula-syntax';
import { FormulaError } from './formula-syntax';

export type FormulaValue =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'nil' }
  | { type: 'array'; items: FormulaValue[] };

/** Trigger values by trigger name; null is expr-lang's nil (a trigger past its fallback threshold). */
export type FormulaInputs = Readonly<Record<string, number | null>>;

const NIL: FormulaValue = { type: 'nil' };

export function evaluateFormula(tree: FormulaNode, inputs: FormulaInputs): FormulaValue {
  return new Evaluator(inputs).run(tree, undefined);
}

/** A value as an error message shows it. */
export function describeValue(value: FormulaValue): string {
  switch (value.type) {
    case 'nil':
      return 'nil';
    case 'array':
      return `[${value.items.map(describeValue).join(', ')}]`;
    case 'bool':
      return String(value.value);
    default:
      return `${value.type} ${value.value}`;
  }
}

class Evaluator {
  constructor(private readonly inputs: FormulaInputs) {}

  run(node: FormulaNode, element: FormulaValue | undefined): FormulaValue {
    switch (node.kind) {
      case 'number':
        return node.integer ? { type: 'int', value: node.value } : { type: 'float', value: node.value };
      case 'bool':
        return { type: 'bool', value: node.value };
      case 'nil':
        return NIL;
      case 'name':
        return this.lookup(node.name);
      case 'element':
        if (element === undefined) throw new FormulaError('"#" is only allowed inside a count predicate');
        return element;
      case 'array':
        return { type: 'array', items: node.items.map((item) => this.run(item, element)) };
      case 'predicate':
        throw new FormulaError('a predicate ({...}) is only allowed as the second argument of count');
      case 'unary':
        return this.unary(node.operator, this.run(node.operand, element));
      case 'conditional': {
        const condition = this.run(node.condition, element);
        if (condition.type !== 'bool') throw new FormulaError(`the ternary condition must be a bool, got ${describeValue(condition)}`);
        return this.run(condition.value ? node.then : node.otherwise, element);
      }
      case 'binary':
        return this.binary(node.operator, node.left, node.right, element);
      case 'call':
        return this.call(node.callee, node.args, element);
    }
  }

  private lookup(name: string): FormulaValue {
    if (!Object.hasOwn(this.inputs, name)) throw new FormulaError(`unknown name ${name}`);
    const value = this.inputs[name];
    if (value === null || value === undefined) return NIL;
    return { type: 'float', value };
  }

  private unary(operator: '-' | '+' | '!', operand: FormulaValue): FormulaValue {
    if (operator === '!') {
      if (operand.type !== 'bool') throw new FormulaError(`invalid operation: !${describeValue(operand)}`);
      return { type: 'bool', value: !operand.value };
    }
    if (operand.type !== 'int' && operand.type !== 'float') throw new FormulaError(`invalid operation: ${operator}${describeValue(operand)}`);
    return operator === '-' ? { type: operand.type, value: -operand.value } : operand;
  }

  private binary(operator: BinaryOperator, leftNode: FormulaNode, rightNode: FormulaNode, element: FormulaValue | undefined): FormulaValue {
    const left = this.run(leftNode, element);
    // `&&`, `||` and `??` short-circuit: the right side is not evaluated when the left decides.
    if (operator === '??') return left.type === 'nil' ? this.run(rightNode, element) : left;
    if (operator === '&&' || operator === '||') {
      if (left.type !== 'bool') throw new FormulaError(`invalid operation: ${describeValue(left)} ${operator} ...: both sides must be bools`);
      if (left.value === (operator === '||')) return left;
      const right = this.run(rightNode, element);
      if (right.type !== 'bool') throw new FormulaError(`invalid operation: ... ${operator} ${describeValue(right)}: both sides must be bools`);
      return right;
    }
    const right = this.run(rightNode, element);
    if (operator === '==' || operator === '!=') {
      const equal = valuesEqual(left, right);
      return { type: 'bool', value: operator === '==' ? equal : !equal };
    }
    if ((left.type !== 'int' && left.type !== 'float') || (right.type !== 'int' && right.type !== 'float')) {
      throw new FormulaError(`invalid operation: ${describeValue(left)} ${operator} ${describeValue(right)}`);
    }
    return arithmetic(operator, left, right);
  }

  private call(callee: string, args: readonly FormulaNode[], element: FormulaValue | undefined): FormulaValue {
    if (callee === 'count') return this.count(args, element);
    const builtin = Object.hasOwn(BUILTINS, callee) ? BUILTINS[callee] : undefined;
    if (!builtin) throw new FormulaError(`unknown function ${callee}(); the formula may use ${[...Object.keys(BUILTINS), 'count'].sort().join(', ')}`);
    return builtin(args.map((arg) => this.run(arg, element)));
  }

  /** `count(list, predicate)`: how many elements the predicate (with `#` as the element) holds for. */
  private count(args: readonly FormulaNode[], element: FormulaValue | undefined): FormulaValue {
    if (args.length !== 2) throw new FormulaError(`count() takes a list and a predicate, got ${args.length} argument(s)`);
    const list = this.run(args[0]!, element);
    if (list.type !== 'array') throw new FormulaError(`count() needs a list as its first argument, got ${describeValue(list)}`);
    const predicate = args[1]!.kind === 'predicate' ? args[1]!.body : args[1]!;
    let matches = 0;
    for (const item of list.items) {
      const verdict = this.run(predicate, item);
      if (verdict.type !== 'bool') throw new FormulaError(`count()'s predicate must give a bool, got ${describeValue(verdict)}`);
      if (verdict.value) matches += 1;
    }
    return { type: 'int', value: matches };
  }
}

type NumberValue = Extract<FormulaValue, { type: 'int' | 'float' }>;

function isNumber(value: FormulaValue): value is NumberValue {
  return value.type === 'int' || value.type === 'float';
}

/** expr-lang compares numbers by value whatever their type; other values only with their own type. */
function valuesEqual(left: FormulaValue, right: FormulaValue): boolean {
  if (isNumber(left) && isNumber(right)) return left.value === right.value;
  if (left.type === 'nil' || right.type === 'nil') return left.type === right.type;
  if (left.type === 'bool' && right.type === 'bool') return left.value === right.value;
  if (left.type === 'array' && right.type === 'array') {
    return left.items.length === right.items.length && left.items.every((item, index) => valuesEqual(item, right.items[index]!));
  }
  return false;
}

function arithmetic(operator: BinaryOperator, left: NumberValue, right: NumberValue): FormulaValue {
  const a = left.value;
  const b = right.value;
  const bothInt = left.type === 'int' && right.type === 'int';
  switch (operator) {
    case '<':
      return { type: 'bool', value: a < b };
    case '>':
      return { type: 'bool', value: a > b };
    case '<=':
      return { type: 'bool', value: a <= b };
    case '>=':
      return { type: 'bool', value: a >= b };
    case '/':
      // Go float division: x/0 is ±Inf (0/0 NaN); the caller refuses a result that is not finite.
      return { type: 'float', value: a / b };
    case '**':
      return { type: 'float', value: a ** b };
    case '%':
      if (!bothInt) throw new FormulaError(`invalid operation: ${describeValue(left)} % ${describeValue(right)}: % needs two integers`);
      if (b === 0) throw new FormulaError('integer divide by zero in %');
      return { type: 'int', value: a % b };
    case '+':
      return numberOf(bothInt, a + b);
    case '-':
      return numberOf(bothInt, a - b);
    case '*':
      return numberOf(bothInt, a * b);
    default:
      throw new FormulaError(`unsupported operator ${operator}`);
  }
}

/** Integer results must stay exact: Go would wrap an int64 overflow; we refuse it instead. */
function numberOf(integer: boolean, value: number): NumberValue {
  if (integer && !Number.isSafeInteger(value)) throw new FormulaError(`integer result ${value} is out of range (at most ${Number.MAX_SAFE_INTEGER})`);
  return integer ? { type: 'int', value } : { type: 'float', value };
}

function numbersOf(name: string, args: readonly FormulaValue[], arity?: number): NumberValue[] {
  if (arity !== undefined && args.length !== arity) throw new FormulaError(`${name}() takes ${arity} argument(s), got ${args.length}`);
  if (args.length === 0) throw new FormulaError(`${name}() needs at least one argument`);
  // max/min also accept one list, as expr-lang's do.
  const values = args.length === 1 && args[0]!.type === 'array' && arity === undefined ? args[0]!.items : args;
  if (values.length === 0) throw new FormulaError(`${name}() of an empty list`);
  return values.map((value) => {
    if (!isNumber(value)) throw new FormulaError(`${name}() needs numbers, got ${describeValue(value)}`);
    return value;
  });
}

const BUILTINS: Record<string, (args: readonly FormulaValue[]) => FormulaValue> = {
  max: (args) => numbersOf('max', args).reduce((best, value) => (value.value > best.value ? value : best)),
  min: (args) => numbersOf('min', args).reduce((best, value) => (value.value < best.value ? value : best)),
  abs: (args) => {
    const [value] = numbersOf('abs', args, 1);
    return { type: value!.type, value: Math.abs(value!.value) };
  },
  // expr-lang's ceil, floor and round return floats; round halves away from zero (Go math.Round).
  ceil: (args) => ({ type: 'float', value: Math.ceil(numbersOf('ceil', args, 1)[0]!.value) }),
  floor: (args) => ({ type: 'float', value: Math.floor(numbersOf('floor', args, 1)[0]!.value) }),
  round: (args) => {
    const value = numbersOf('round', args, 1)[0]!.value;
    return { type: 'float', value: Math.sign(value) * Math.round(Math.abs(value)) };
  },
  float: (args) => ({ type: 'float', value: numbersOf('float', args, 1)[0]!.value }),
  int: (args) => numberOf(true, Math.trunc(numbersOf('int', args, 1)[0]!.value)),
};
