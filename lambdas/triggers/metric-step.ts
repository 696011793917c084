/**
 * The pure step from a pass's raw readings to each trigger's metric value: each trigger's
 * `toMetric`, with read failures and unusable readings turned into failed results so one broken
 * trigger never stops the object's other triggers (KEDA's fallback and error rules take it from there).
 */
import type { TriggerResult } from '../engine/evaluate-types';
import type { ScaledObject } from '../engine/spec/scaled-object';
import { getTriggerDefinition } from './registry';
import { TriggerError, type Reading } from './trigger-definition';

/**
 * Item ids in `readings` are `<objectKey>#<trigger index>`, as the read plan was given them. A
 * ScaledJob's triggers take the same step (scaled-job-pass.ts).
 * `onWarning` hears readings that still scale but that an operator should see (a NaN datapoint).
 */
export function toTriggerResults(
  object: Pick<ScaledObject, 'triggers'>,
  objectKey: string,
  readings: Map<string, Reading | TriggerError | undefined>,
  now: number,
  onWarning: (warning: string) => void = () => undefined,
): TriggerResult[] {
  return object.triggers.map((trigger): TriggerResult => {
    const reading = readings.get(`${objectKey}#${trigger.index}`);
    if (reading instanceof TriggerError) return failed(trigger.index, reading);
    const definition = getTriggerDefinition(trigger.type);
    if (!definition) return { index: trigger.index, ok: false, error: `unsupported trigger type "${trigger.type}"`, code: 'UnsupportedTrigger' };
    try {
      const { value, active, warning } = definition.toMetric(trigger, reading, now);
      if (warning) onWarning(`trigger ${trigger.index} (${trigger.type}): ${warning}`);
      return { index: trigger.index, ok: true, value, active };
    } catch (error) {
      return failed(trigger.index, error);
    }
  });
}

function failed(index: number, error: unknown): TriggerResult {
  if (error instanceof TriggerError) return { index, ok: false, error: error.message, code: error.code };
  return { index, ok: false, error: error instanceof Error ? error.message : String(error) };
}
