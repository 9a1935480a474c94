/**
 * Shared by the dataset cards (federation/release/card.ts writes them): the Hugging Face Hub's
 * size buckets.
 */
export function sizeCategory(n: number): string {
  const bounds = ['1K', '10K', '100K', '1M', '10M', '100M', '1B', '10B', '100B', '1T'];
  if (n < 1000) return 'n<1K';
  let low = 1000;
  for (let i = 0; i < bounds.length - 1; i++) {
    if (n < low * 10) return `${bounds[i]}<n<${bounds[i + 1]}`;
    low *= 10;
  }
  return 'n>1T';
}
