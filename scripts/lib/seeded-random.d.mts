/** mulberry32: uniform numbers in [0, 1) from `seed`, the same sequence on every run. */
export declare function seededRandom(seed: number): () => number;
