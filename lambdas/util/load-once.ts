/**
 * Runs `load` at the first call and hands every caller the same promise, so parts of a Lambda that
 * few invocations need (a lazily imported module and what is built from it) cost nothing at cold
 * start. A load that failed is forgotten and the next call runs `load` again: what it builds from
 * the module is retried. (Node itself keeps a module whose evaluation threw as failed, so an
 * `import()` of it fails again with the same error; one whose file could not be read is read again.)
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    if (!loading) {
      const attempt = load();
      loading = attempt;
      attempt.catch(() => {
        if (loading === attempt) loading = undefined;
      });
    }
    return loading;
  };
}
