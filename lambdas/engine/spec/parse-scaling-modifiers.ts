/**
 * `spec.advanced.scalingModifiers` with KEDA's admission checks (`scaledobject_webhook.go`
 * `ValidateAndCompileScalingModifiers`): the formula is mandatory and must compile, `target` must be
 * set and a float > 0, `metricType` is AverageValue or Value, and the formula is run once with every
 * named trigger at -1, so every name it reads must be a trigger's `name`.
 */
import type { ParsedTrigger } from '../../triggers/trigger-definition';
import { isResourceTriggerType } from '../../triggers/cpu-memory';
import { FormulaError, namesIn, parseFormula } from '../keda/formula-syntax';
import { evaluateFormula } from '../keda/formula-evaluate';
import { readEnum, readString, warnUnknownFields } from './crd-values';
import type { IssueCollector } from './issue-collector';
import type { FallbackSpec, ScalingModifiersSpec } from './scaled-object';

const PATH = 'spec.advanced.scalingModifiers';
const METRIC_TYPES = ['AverageValue', 'Value'] as const;
/** The value KEDA's webhook gives every trigger for its trial run of the formula. */
const TRIAL_VALUE = -1;

// Go's strconv.ParseFloat / ParseInt, decimal forms (hex floats, Inf and NaN are refused below).
const GO_DECIMAL_FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const GO_DECIMAL_INT = /^[+-]?\d+$/;

/** A string float as KEDA reads `target` and `activationTarget`; issues name the field. */
function readGoFloat(issues: IssueCollector, text: string, field: string, example: string): number | undefined {
  const value = Number(text);
  if (!GO_DECIMAL_FLOAT.test(text) || !Number.isFinite(value)) {
    issues.error(`${PATH}.${field}`, `"${text}" is not a number`, `write a decimal number as a quoted string, e.g. ${field}: "${example}"`);
    return undefined;
  }
  return value;
}

export function parseScalingModifiers(
  issues: IssueCollector,
  map: Record<string, unknown> | undefined,
  triggers: readonly (ParsedTrigger | undefined)[],
): ScalingModifiersSpec | undefined {
  // KEDA's IsUsingModifiers: an empty scalingModifiers block is the same as none.
  if (!map || Object.values(map).every((value) => value === undefined || value === null || value === '')) return undefined;
  warnUnknownFields(issues, map, PATH, ['formula', 'target', 'activationTarget', 'metricType']);
  const formula = readString(issues, map.formula, `${PATH}.formula`);
  const targetText = readString(issues, map.target, `${PATH}.target`);
  const activationText = readString(issues, map.activationTarget, `${PATH}.activationTarget`);
  const metricType = map.metricType === undefined || map.metricType === null || map.metricType === '' ? 'AverageValue' : readEnum(issues, map.metricType, `${PATH}.metricType`, METRIC_TYPES);

  if (formula === undefined) {
    issues.error(`${PATH}.formula`, 'is required whenever scalingModifiers is used', 'set a formula over trigger names, e.g. formula: "max(cron, queue)"');
  }
  if (targetText === undefined) {
    issues.error(`${PATH}.target`, 'is required with a formula (the composite metric is scaled against it)', 'set the per-replica target of the formula\'s result, e.g. target: "5"');
  }
  const target = targetText === undefined ? undefined : readGoFloat(issues, targetText.trim(), 'target', '5');
  if (target !== undefined && target <= 0) {
    issues.error(`${PATH}.target`, `must be greater than 0, got ${targetText}`, 'set a positive target, e.g. target: "5"');
  }
  const activationTarget = activationText === undefined ? 0 : readGoFloat(issues, activationText.trim(), 'activationTarget', '0');
  const formulaOk = formula !== undefined && checkFormula(issues, formula, triggers);

  if (!formulaOk || target === undefined || target <= 0 || activationTarget === undefined || metricType === undefined) return undefined;
  const integerTarget = GO_DECIMAL_INT.test(targetText!.trim());
  return { formula, target, targetIsInteger: integerTarget, activationTarget, metricType };
}

/** Compiles the formula and runs it once with every named trigger at -1, as KEDA's webhook does. */
function checkFormula(issues: IssueCollector, formula: string, triggers: readonly (ParsedTrigger | undefined)[]): boolean {
  const field = `${PATH}.formula`;
  // KEDA gives the formula the external metrics only: cpu/memory stay on the HPA beside the composite.
  const named = triggers.filter((trigger): trigger is ParsedTrigger => trigger?.name !== undefined && !isResourceTriggerType(trigger.type));
  let tree;
  try {
    tree = parseFormula(formula);
  } catch (error) {
    issues.error(field, `does not compile: ${messageOf(error)}`, 'write an expr-lang expression over trigger names, e.g. "max(cron, queue)" (see docs/scaledobject-reference.md)');
    return false;
  }
  const known = named.map((trigger) => trigger.name!);
  const unknown = namesIn(tree).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    const names = known.length > 0 ? `the named triggers are ${known.join(', ')}` : 'no trigger has a name';
    issues.error(field, `uses ${unknown.join(', ')}, which ${unknown.length === 1 ? 'is not a trigger name' : 'are not trigger names'} (${names})`, `give the trigger a name (spec.triggers[i].name: ${unknown[0]}) or fix the spelling`);
    return false;
  }
  try {
    evaluateFormula(tree, Object.fromEntries(known.map((name) => [name, TRIAL_VALUE])));
  } catch (error) {
    issues.error(field, `fails when every trigger is ${TRIAL_VALUE} (KEDA's admission check): ${messageOf(error)}`, 'fix the formula so it evaluates for any trigger values');
    return false;
  }
  triggers.forEach((trigger, index) => {
    if (trigger && trigger.name === undefined && !isResourceTriggerType(trigger.type)) {
      issues.warn(`spec.triggers[${index}].name`, 'has no name, so the formula cannot read this trigger and KEDA logs an error pairing it', 'give every trigger a name when using scalingModifiers');
    }
  });
  return true;
}

/** KEDA's cross-checks between fallback and scalingModifiers (webhook and `HasValidFallback`). */
export function checkFallbackWithModifiers(issues: IssueCollector, fallback: FallbackSpec | undefined, modifiers: ScalingModifiersSpec | undefined, modifiersWritten: boolean): void {
  if (fallback?.behavior === 'scalingModifiers' && !modifiersWritten) {
    issues.error('spec.fallback.behavior', 'fallback behavior "scalingModifiers" requires scalingModifiers.formula to be defined', 'add spec.advanced.scalingModifiers with a formula, or use behavior static');
  }
  if (fallback && modifiers && !modifiers.targetIsInteger) {
    issues.warn('spec.fallback', `KEDA disables fallback when scalingModifiers.target (${modifiers.target}) is not an integer`, 'use a whole-number target, e.g. target: "5", for fallback to apply');
  }
}

function messageOf(error: unknown): string {
  return error instanceof FormulaError || error instanceof Error ? error.message : String(error);
}
