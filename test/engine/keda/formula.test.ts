/**
 * The scalingModifiers formula language against expr-lang's documented semantics
 * (https://expr-lang.org/docs/language-definition: "Operators", "Built-in functions"; operator
 * precedence from expr-lang `parser/operator/operator.go`), KEDA's documented formulas
 * (keda.sh/docs/2.20/reference/scaledobject-spec "scalingModifiers", and
 * `pkg/scaling/modifiers/formula_test.go`), and malicious input.
 */
import { describe, expect, it } from 'vitest';
import { evaluateFormula, type FormulaInputs, type FormulaValue } from '../../../lambdas/engine/keda/formula-evaluate';
import { MAX_FORMULA_DEPTH, MAX_FORMULA_LENGTH, namesIn, parseFormula } from '../../../lambdas/engine/keda/formula-syntax';

const run = (formula: string, inputs: FormulaInputs = {}): FormulaValue => evaluateFormula(parseFormula(formula), inputs);
const int = (value: number): FormulaValue => ({ type: 'int', value });
const float = (value: number): FormulaValue => ({ type: 'float', value });
const bool = (value: boolean): FormulaValue => ({ type: 'bool', value });

describe('operators (expr-lang language-definition "Operators")', () => {
  it.each<[string, FormulaValue, string]>([
    // Arithmetic: + - * keep int for two ints; / and ** always give float; % needs ints.
    ['1 + 2', int(3), 'Arithmetic: +'],
    ['5 - 7', int(-2), 'Arithmetic: -'],
    ['3 * 4', int(12), 'Arithmetic: *'],
    ['7 / 2', float(3.5), 'Arithmetic: / (always float)'],
    ['6 / 3', float(2), 'Arithmetic: / (always float)'],
    ['7 % 3', int(1), 'Arithmetic: % (modulus)'],
    ['2 ** 10', float(1024), 'Arithmetic: ** (pow, float)'],
    ['2 ^ 3', float(8), 'Arithmetic: ^ (same as **)'],
    ['1.5 + 1', float(2.5), 'int + float is float'],
    ['1_000 * 2', int(2000), 'Literals: underscores in numbers'],
    ['1e3', float(1000), 'Literals: exponent'],
    ['-3', int(-3), 'unary -'],
    ['+3', int(3), 'unary +'],
    // Precedence: * over +, ** right-associative and above unary minus, comparisons above &&, && above ||.
    ['1 + 2 * 3', int(7), 'operator.go: * 60 > + 30'],
    ['(1 + 2) * 3', int(9), 'parentheses'],
    ['2 ** 3 ** 2', float(512), 'operator.go: ** is right-associative'],
    ['-2 ** 2', float(-4), 'operator.go: unary - 90 < ** 100'],
    ['10 - 4 - 3', int(3), 'left-associative -'],
    ['8 / 4 / 2', float(1), 'left-associative /'],
    // Comparison
    ['1 == 1.0', bool(true), 'Comparison: == compares numbers by value'],
    ['1 != 2', bool(true), 'Comparison: !='],
    ['2 < 3', bool(true), 'Comparison: <'],
    ['3 > 3', bool(false), 'Comparison: >'],
    ['3 >= 3', bool(true), 'Comparison: >='],
    ['4 <= 3', bool(false), 'Comparison: <='],
    ['nil == nil', bool(true), 'Comparison: nil equals nil'],
    ['nil == 0', bool(false), 'Comparison: nil is not 0'],
    // Logical
    ['true && false', bool(false), 'Logical: &&'],
    ['true and true', bool(true), 'Logical: and'],
    ['false || true', bool(true), 'Logical: ||'],
    ['false or false', bool(false), 'Logical: or'],
    ['!true', bool(false), 'Logical: !'],
    ['not false', bool(true), 'Logical: not'],
    ['1 < 2 && 2 < 3 || false', bool(true), 'operator.go: comparisons 20 > && 15 > || 10'],
    ['!(1 > 2)', bool(true), '! with parentheses'],
    // Conditional and nil coalescing
    ['1 < 2 ? 10 : 20', int(10), 'Conditional: ?:'],
    ['1 > 2 ? 10 : 2 > 1 ? 30 : 40', int(30), 'Conditional: nests to the right'],
    ['nil ?? 5', int(5), 'Nil coalescing: ??'],
    ['3 ?? 5', int(3), 'Nil coalescing: left not nil'],
    ['1 + (nil ?? 2)', int(3), '?? inside arithmetic'],
  ])('%s → %j (%s)', (formula, expected) => {
    expect(run(formula)).toEqual(expected);
  });
});

describe('built-in functions (expr-lang "Built-in functions": Number, Array)', () => {
  it.each<[string, FormulaValue]>([
    ['max(1, 5, 3)', int(5)],
    ['min(4, 2.5)', float(2.5)],
    ['max([1, 7, 3])', int(7)],
    ['abs(-3)', int(3)],
    ['abs(-2.5)', float(2.5)],
    ['ceil(1.2)', float(2)],
    ['floor(1.8)', float(1)],
    ['round(2.5)', float(3)],
    ['round(-2.5)', float(-3)],
    ['float(2)', float(2)],
    ['int(2.9)', int(2)],
    ['count([1, 2, 3], # > 1)', int(2)],
    ['count([1, 2, 3], {# > 1})', int(2)],
    ['count([], # > 1)', int(0)],
  ])('%s → %j', (formula, expected) => {
    expect(run(formula)).toEqual(expected);
  });
});

describe("KEDA's documented formulas (scaledobject-spec scalingModifiers; modifiers/formula_test.go)", () => {
  const inputs = { trig_one: 2, trig_two: 8, trig_three: 1, cron: 3, queue: 12 };
  it.each<[string, number]>([
    ['trig_one + trig_two', 10],
    ['(trig_one + trig_two) / 2', 5],
    ['trig_one < 2 ? trig_one + trig_two : 1', 1],
    ['count([trig_one, trig_two, trig_three], {# > 1}) > 1 ? 5 : 0', 5],
    ['max(cron, queue)', 12],
    ['trig_two > 5 && trig_one < 3 ? trig_one * trig_two : trig_one', 16],
  ])('%s = %d', (formula, expected) => {
    const value = run(formula, inputs);
    expect(value.type === 'int' || value.type === 'float' ? value.value : value).toBe(expected);
  });

  it('a nil trigger (past its fallback threshold) is replaced by ?? (fallback.go placeholder + formula.go scalingModifierTriggerValue)', () => {
    expect(run('(queue ?? 4) + cron', { queue: null, cron: 1 })).toEqual(float(5));
    expect(run('queue ?? nil', { queue: null })).toEqual({ type: 'nil' });
  });

  it('lists the names a formula reads', () => {
    expect(namesIn(parseFormula('count([a, b], # > c) > 0 ? a : b ?? d'))).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('errors (expr-lang type rules): a wrong type is an error, never a number', () => {
  it.each<[string, FormulaInputs, RegExp]>([
    ['a % 2', { a: 3 }, /% needs two integers/],
    ['5 % 0', {}, /divide by zero/],
    ['a + 1', { a: null }, /invalid operation: nil \+ int 1/],
    ['-a', { a: null }, /invalid operation: -nil/],
    ['a && true', { a: 1 }, /both sides must be bools/],
    ['1 ? 2 : 3', {}, /ternary condition must be a bool/],
    ['true < 1', {}, /invalid operation/],
    ['!1', {}, /invalid operation: !int 1/],
    ['max()', {}, /at least one argument/],
    ['abs(1, 2)', {}, /takes 1 argument/],
    ['count([1], 2)', {}, /predicate must give a bool/],
    ['count(1, # > 0)', {}, /needs a list/],
    ['#', {}, /only allowed inside a count predicate/],
    ['sqrt(4)', {}, /unknown function sqrt\(\)/],
    ['constructor(1)', {}, /unknown function constructor\(\)/],
    ['toString()', {}, /unknown function toString\(\)/],
    ['unknown + 1', {}, /unknown name unknown/],
    ['constructor + 1', {}, /unknown name constructor/],
    ['__proto__', {}, /unknown name __proto__/],
  ])('%s', (formula, inputs, message) => {
    expect(() => run(formula, inputs)).toThrow(message);
  });

  it.each<[string, RegExp]>([
    ['1 +', /unexpected end of formula/],
    ['(1 + 2', /expected "\)"/],
    ['1 2', /unexpected "2" at position 3/],
    ['a.b', /unexpected character "\." at position 2/],
    ['a = 1', /unexpected character "=" at position 3/],
    ['"text"', /unexpected character/],
    ['let x = 1; x', /unexpected character "=" at position 7/],
    ['let x', /unexpected "x" at position 5/],
    ['1 ? 2', /unexpected end of formula, expected ":"/],
    ['', /is empty/],
    ['1__0', /malformed number/],
  ])('does not compile: %j', (formula, message) => {
    expect(() => parseFormula(formula)).toThrow(message);
  });
});

describe('malicious input: limits', () => {
  it(`refuses nesting deeper than ${MAX_FORMULA_DEPTH} without exhausting the stack`, () => {
    expect(() => parseFormula(`${'('.repeat(10_000)}1${')'.repeat(10_000)}`)).toThrow(/characters long/);
    expect(() => parseFormula(`${'('.repeat(MAX_FORMULA_DEPTH + 1)}1${')'.repeat(MAX_FORMULA_DEPTH + 1)}`)).toThrow(/nests deeper than 32 levels/);
    expect(() => parseFormula(`${'-'.repeat(200)}1`)).toThrow(/nests deeper/);
    expect(() => parseFormula(`${'max('.repeat(40)}1${')'.repeat(40)}`)).toThrow(/nests deeper/);
    expect(run(`${'('.repeat(10)}1${')'.repeat(10)}`)).toEqual(int(1));
  });

  it(`refuses formulas longer than ${MAX_FORMULA_LENGTH} characters`, () => {
    expect(() => parseFormula(`1${' + 1'.repeat(MAX_FORMULA_LENGTH)}`)).toThrow(/at most 1024 are accepted/);
  });

  it('refuses integer literals and results beyond the exact range, and overflowing floats', () => {
    expect(() => parseFormula('99999999999999999999')).toThrow(/too large/);
    expect(() => parseFormula('1e400')).toThrow(/out of range/);
    expect(() => run('9007199254740991 + 1')).toThrow(/out of range/);
    expect(() => run('int(1e300)')).toThrow(/out of range/);
    // Floats follow IEEE 754 like Go: the composite step refuses a result that is not finite.
    expect(run('1e300 * 1e300')).toEqual(float(Infinity));
    expect(run('1 / 0')).toEqual(float(Infinity));
  });

  it('a long flat formula within the limits evaluates', () => {
    expect(run(`a${' + a'.repeat(100)}`, { a: 1 })).toEqual(float(101));
  });
});
