// Building blocks the fuzz tests share (fast-check).
import fc from 'fast-check';

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** Hostile text: any short string, raw bytes, lone UTF-16 surrogates, or one of the `tricky` values. */
export const nastyText = (...tricky: string[]) =>
  fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.string({
      unit: fc.oneof(loneSurrogate, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
      maxLength: 6,
    }),
    fc.constantFrom(...tricky),
  );
