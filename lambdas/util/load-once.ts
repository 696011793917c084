/**
 * Runs `load` at the first call and hands every caller the same promise, so parts of a Lambda that
 * few invocations need (a lazily imported module and what is built from it) cost nothing at cold
 * start. A load that failed is forgotten: the next call tries again, as a missing module or a
 * failed import should not disable the part for the container's whole life.
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
