// Types of scripts/ink/narrow.js (plain JavaScript: the build bundles it into Ink's text libraries).
export const NARROW_RANGES: [number, number][];
export const NARROW_TEXT: RegExp;
export const lazySegmenter: { segment(text: string): Iterable<{ segment: string; index: number }> };
export function graphemes(text: string): Iterable<{ segment: string; index: number; input: string }>;
export const graphemeSegmenter: {
  segment(text: string): Iterable<{ segment: string; index: number; input: string }> & {
    containing(index?: number): { segment: string; index: number; input: string } | undefined;
  };
};
export function onFirstUse<T>(make: () => T): () => T;
export function buildUnicodeTables(): void;
