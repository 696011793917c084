/**
 * `npx tsx bench/formula.ts`: what a scalingModifiers formula costs per object per pass. The engine
 * parses and evaluates the formula at every evaluation (the spec ships as plain JSON, no compiled
 * form), so this is paid by every object with modifiers on every pass. Prints microseconds per
 * parse + evaluate for KEDA's documented formulas and for the largest formulas the limits allow.
 */
import { performance } from 'node:perf_hooks';
import { evaluateFormula } from '../lambdas/engine/keda/formula-evaluate';
import { MAX_FORMULA_DEPTH, MAX_FORMULA_LENGTH, parseFormula } from '../lambdas/engine/keda/formula-syntax';

const inputs = { floor: 3, queue: 47, a: 1, b: 2, c: 3 };
const widest = `a${' + a'.repeat(Math.floor((MAX_FORMULA_LENGTH - 1) / 4))}`;
const deepest = `${'('.repeat(MAX_FORMULA_DEPTH - 1)}a${')'.repeat(MAX_FORMULA_DEPTH - 1)}`;
const cases: [string, string][] = [
  ['max (KEDA docs)', 'max(floor * 5, queue ?? 20)'],
  ['ternary + count (KEDA docs)', 'count([a, b, c], {# > 1}) > 1 ? 5 : 0'],
  [`widest (${widest.length} chars)`, widest],
  [`deepest (${MAX_FORMULA_DEPTH - 1} levels)`, deepest],
];

const ITERATIONS = 20_000;
console.log('formula                              µs/parse+eval   µs/eval only');
for (const [label, formula] of cases) {
  const tree = parseFormula(formula);
  for (let i = 0; i < 1_000; i += 1) evaluateFormula(parseFormula(formula), inputs); // warm up
  let began = performance.now();
  for (let i = 0; i < ITERATIONS; i += 1) evaluateFormula(parseFormula(formula), inputs);
  const both = ((performance.now() - began) * 1000) / ITERATIONS;
  began = performance.now();
  for (let i = 0; i < ITERATIONS; i += 1) evaluateFormula(tree, inputs);
  const evalOnly = ((performance.now() - began) * 1000) / ITERATIONS;
  console.log(`${label.padEnd(36)} ${both.toFixed(2).padStart(13)}   ${evalOnly.toFixed(2).padStart(12)}`);
}
