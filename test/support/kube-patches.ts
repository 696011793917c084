/**
 * The patch formats the Kubernetes API accepts, for the test server: JSON merge patch (RFC 7386),
 * strategic merge patch (approximated as a merge patch, which is exact for the fields our code
 * patches: `spec.replicas`, `spec.unschedulable`, and `spec.taints`, whose list has no merge key and
 * is replaced whole), and JSON patch (RFC 6902).
 */
export type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue; // strategic-merge directives ($patch, $retainKeys) are not modelled
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test' | 'move' | 'copy';
  path: string;
  value?: unknown;
  from?: string;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  return path
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(document: unknown, parts: string[]): { parent: JsonObject | unknown[]; key: string } {
  let current: unknown = document;
  for (const part of parts.slice(0, -1)) {
    current = Array.isArray(current) ? current[Number(part)] : (current as JsonObject | undefined)?.[part];
    if (typeof current !== 'object' || current === null) throw new Error(`path /${parts.join('/')} does not exist`);
  }
  return { parent: current as JsonObject | unknown[], key: parts[parts.length - 1]! };
}

function read(document: unknown, path: string): unknown {
  let current: unknown = document;
  for (const part of pointer(path)) current = (current as JsonObject | undefined)?.[part];
  return current;
}

export function applyJsonPatch(document: unknown, operations: JsonPatchOperation[]): unknown {
  const result = structuredClone(document);
  for (const operation of operations) {
    const parts = pointer(operation.path);
    const { parent, key } = parentOf(result, parts);
    const value = operation.op === 'move' || operation.op === 'copy' ? read(result, operation.from ?? '') : operation.value;
    switch (operation.op) {
      case 'test':
        if (JSON.stringify(read(result, operation.path)) !== JSON.stringify(value)) throw new Error(`test failed at ${operation.path}`);
        break;
      case 'remove':
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
        break;
      case 'move':
      case 'copy':
      case 'add':
      case 'replace':
        if (operation.op === 'move') {
          const from = parentOf(result, pointer(operation.from ?? ''));
          if (Array.isArray(from.parent)) from.parent.splice(Number(from.key), 1);
          else delete from.parent[from.key];
        }
        if (Array.isArray(parent)) {
          const index = key === '-' ? parent.length : Number(key);
          if (operation.op === 'replace') parent[index] = structuredClone(value);
          else parent.splice(index, 0, structuredClone(value));
        } else {
          if (operation.op === 'replace' && !(key in parent)) throw new Error(`path ${operation.path} does not exist`);
          parent[key] = structuredClone(value);
        }
        break;
      default:
        throw new Error(`unknown JSON patch op ${(operation as { op: string }).op}`);
    }
  }
  return result;
}
