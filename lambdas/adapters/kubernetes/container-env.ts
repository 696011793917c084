/**
 * A pod template container's env as the scaler may use it for KEDA's `*FromEnv` parameters. Plain
 * values are read; values from Secrets, ConfigMaps or the downward API are not (the scaler's role
 * is deliberately not allowed to read them), and say what to do instead.
 */
import type { ContainerEnvValue } from './scale-target-api';

/** The fields of a core/v1 EnvVar we look at (typed client models and plain JSON both fit). */
export interface EnvVarLike {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name?: string; key: string };
    configMapKeyRef?: { name?: string; key: string };
    fieldRef?: { fieldPath: string };
    resourceFieldRef?: { resource: string };
  };
}

const SET_DIRECTLY = 'the scaler does not read Secrets or ConfigMaps: set metadata.<param> directly';

function describeSource(valueFrom: NonNullable<EnvVarLike['valueFrom']>): string {
  if (valueFrom.secretKeyRef) return `comes from Secret ${valueFrom.secretKeyRef.name ?? ''} key ${valueFrom.secretKeyRef.key}; ${SET_DIRECTLY}`;
  if (valueFrom.configMapKeyRef) {
    return `comes from ConfigMap ${valueFrom.configMapKeyRef.name ?? ''} key ${valueFrom.configMapKeyRef.key}; ${SET_DIRECTLY}`;
  }
  if (valueFrom.fieldRef) return `comes from the pod field ${valueFrom.fieldRef.fieldPath}, which only exists inside a pod; set metadata.<param> directly`;
  if (valueFrom.resourceFieldRef) {
    return `comes from the container resource ${valueFrom.resourceFieldRef.resource}, which only exists inside a pod; set metadata.<param> directly`;
  }
  return `comes from an unsupported valueFrom source; set metadata.<param> directly`;
}

export function containerEnvValues(env: EnvVarLike[] | undefined): Record<string, ContainerEnvValue> {
  const values: Record<string, ContainerEnvValue> = {};
  for (const variable of env ?? []) {
    // A later entry with the same name wins, as in the running container.
    values[variable.name] = variable.valueFrom ? { unreadable: describeSource(variable.valueFrom) } : { value: variable.value ?? '' };
  }
  return values;
}
