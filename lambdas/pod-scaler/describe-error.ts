/** One line for any thrown value, for status reasons and logs (never includes request headers). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
