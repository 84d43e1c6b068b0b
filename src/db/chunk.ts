/** D1 allows at most 100 bound parameters per statement. */
export const MAX_PARAMS = 100;

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Values (each already JSON) as JSON arrays of at most `maxChars` characters
 * each, for statements that take a whole list as one bound value (`json_each`).
 * D1 limits a bound value to 2 MB; a character is at most 3 bytes of UTF-8.
 */
export function jsonArrays(values: string[], maxChars = 600_000): string[] {
  const arrays: string[] = [];
  let part: string[] = [];
  let chars = 0;
  for (const json of values) {
    if (part.length > 0 && chars + json.length + 2 > maxChars) {
      arrays.push(`[${part.join(',')}]`);
      part = [];
      chars = 0;
    }
    part.push(json);
    chars += json.length + 1;
  }
  if (part.length > 0) arrays.push(`[${part.join(',')}]`);
  return arrays;
}
