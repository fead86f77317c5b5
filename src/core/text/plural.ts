// Counts in words: "1 edit", "2 edits" (never "1 edits" in a message or the Output channel).

/** `n` and the noun, singular for exactly 1. */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
