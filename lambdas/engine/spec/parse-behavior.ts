/**
 * `advanced.horizontalPodAutoscalerConfig.behavior`, checked as the Kubernetes API server checks
 * an HPA's `spec.behavior` (KEDA copies it verbatim). Unset fields stay unset: the HPA defaults
 * are applied by the engine, not here.
 */
import { isRecord, readEnum, readInt, readRecord, warnUnknownFields } from './crd-values';
import type { IssueCollector } from './issue-collector';
import type { HpaBehavior, HpaScalingPolicy, HpaScalingRules, SelectPolicy } from './scaled-object';

const SELECT_POLICIES: readonly SelectPolicy[] = ['Max', 'Min', 'Disabled'];
const POLICY_TYPES: readonly HpaScalingPolicy['type'][] = ['Pods', 'Percent'];

export function parseBehavior(issues: IssueCollector, value: unknown, path: string): HpaBehavior | undefined {
  const map = readRecord(issues, value, path);
  if (!map) return undefined;
  warnUnknownFields(issues, map, path, ['scaleUp', 'scaleDown']);
  const behavior: HpaBehavior = {};
  const scaleUp = parseRules(issues, map.scaleUp, `${path}.scaleUp`);
  const scaleDown = parseRules(issues, map.scaleDown, `${path}.scaleDown`);
  if (scaleUp) behavior.scaleUp = scaleUp;
  if (scaleDown) behavior.scaleDown = scaleDown;
  return behavior;
}

function parseRules(issues: IssueCollector, value: unknown, path: string): HpaScalingRules | undefined {
  const map = readRecord(issues, value, path);
  if (!map) return undefined;
  warnUnknownFields(issues, map, path, ['stabilizationWindowSeconds', 'selectPolicy', 'policies', 'tolerance']);
  const rules: HpaScalingRules = {};
  const window = readInt(issues, map.stabilizationWindowSeconds, `${path}.stabilizationWindowSeconds`, { min: 0, max: 3600, example: '300' });
  if (window !== undefined) rules.stabilizationWindowSeconds = window;
  const selectPolicy = readEnum(issues, map.selectPolicy, `${path}.selectPolicy`, SELECT_POLICIES);
  if (selectPolicy) rules.selectPolicy = selectPolicy;
  if (map.policies !== undefined && map.policies !== null) {
    const policies = parsePolicies(issues, map.policies, `${path}.policies`);
    if (policies) rules.policies = policies;
  }
  if (map.tolerance !== undefined && map.tolerance !== null) {
    const tolerance = parseQuantity(map.tolerance);
    if (tolerance === undefined || tolerance < 0) {
      issues.error(`${path}.tolerance`, `${JSON.stringify(map.tolerance)} is not a non-negative quantity`, 'use a fraction such as 0.05 or "50m"');
    } else rules.tolerance = tolerance;
  }
  return rules;
}

function parsePolicies(issues: IssueCollector, value: unknown, path: string): HpaScalingPolicy[] | undefined {
  if (!Array.isArray(value)) {
    issues.error(path, 'must be a list of policies', 'write each policy as "- type: Pods\\n  value: 4\\n  periodSeconds: 15"');
    return undefined;
  }
  if (value.length === 0) {
    issues.error(path, 'must specify at least one policy', 'add a policy such as {type: Percent, value: 100, periodSeconds: 15}, or remove policies to get the defaults');
    return undefined;
  }
  const policies: HpaScalingPolicy[] = [];
  value.forEach((item, index) => {
    const itemPath = `${path}[${index}]`;
    if (!isRecord(item)) {
      issues.error(itemPath, 'must be a map with type, value and periodSeconds', 'write it as {type: Pods, value: 4, periodSeconds: 15}');
      return;
    }
    warnUnknownFields(issues, item, itemPath, ['type', 'value', 'periodSeconds']);
    if (item.type === undefined) issues.error(`${itemPath}.type`, 'is required', 'use Pods or Percent');
    const type = readEnum(issues, item.type, `${itemPath}.type`, POLICY_TYPES);
    if (item.value === undefined) issues.error(`${itemPath}.value`, 'is required', 'set a number above 0, e.g. 4');
    const amount = readInt(issues, item.value, `${itemPath}.value`, { min: 1, example: '4' });
    if (item.periodSeconds === undefined) issues.error(`${itemPath}.periodSeconds`, 'is required', 'set 1..1800 seconds, e.g. 15');
    const periodSeconds = readInt(issues, item.periodSeconds, `${itemPath}.periodSeconds`, { min: 1, max: 1800, example: '15' });
    if (type && amount !== undefined && periodSeconds !== undefined) policies.push({ type, value: amount, periodSeconds });
  });
  return policies.length === value.length ? policies : undefined;
}

/** A Kubernetes quantity as a plain number: `0.05`, `"0.05"`, `"50m"`. Undefined when not one. */
function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(m?)$/.exec(value.trim());
  if (!match) return undefined;
  const number = Number(match[1]);
  return match[2] === 'm' ? number / 1000 : number;
}
