/**
 * The resource (plural) name of a kind, for custom resources the scaler reaches through the
 * generic scale subresource. Mirrors the API machinery's guess (lowercase; `s` → `ses`,
 * consonant + `y` → `ies`, else + `s`), with a table for kinds whose CRD picked something else.
 */
const IRREGULAR_PLURALS: Record<string, string> = {
  endpoints: 'endpoints',
  // Custom resources seen as KEDA scale targets whose plural is not the guess.
  seldondeployment: 'seldondeployments',
  inferenceservice: 'inferenceservices',
};

export function pluralOf(kind: string, overrides: Record<string, string> = {}): string {
  const lower = kind.toLowerCase();
  const irregular = overrides[kind] ?? overrides[lower] ?? IRREGULAR_PLURALS[lower];
  if (irregular) return irregular;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}
