/** A HogQL text the parser cannot accept: `start`/`end` are character offsets into the query (end exclusive). */
export class HogQLSyntaxError extends Error {
  override readonly name = 'HogQLSyntaxError';
  readonly start: number;
  readonly end: number;

  constructor(message: string, start: number, end: number = start) {
    super(message);
    this.start = start;
    this.end = end;
  }
}
