import { HogQLSyntaxError } from './errors';

/** Longest text parseSelect/parseExpr accept, checked before any other work. */
export const MAX_QUERY_LENGTH = 20_000;
/** Most tokens one text may hold. */
export const MAX_TOKENS = 10_000;

type TokenType = 'ident' | 'quoted' | 'string' | 'number' | 'punct' | 'eof';

export interface Token {
  type: TokenType;
  /** ident: the text as written; quoted/string: the unescaped content; number: the literal; punct: the operator. */
  value: string;
  /** ident only: the upper-cased text, to compare against keywords. */
  upper: string;
  start: number;
  end: number;
}

// Longest first, so that e.g. '=~*' wins over '=~' and '='.
const PUNCTUATION = [
  '=~*',
  '!~*',
  '->',
  '::',
  '||',
  '==',
  '>=',
  '<=',
  '!=',
  '<>',
  '~*',
  '!~',
  '=~',
  '?.',
  '??',
  '*',
  ':',
  ',',
  '-',
  '.',
  '=',
  '>',
  '{',
  '[',
  '(',
  '<',
  '%',
  '+',
  '?',
  '~',
  '}',
  ']',
  ')',
  ';',
  '/',
];

const WHITESPACE = /[ \t\r\n\v\f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/y;
const LINE_COMMENT = /(?:--|\/\/)[^\r\n]*/y;
const IDENT = /[A-Za-z_$][A-Za-z0-9_$]*/y;
const HEX = /0[xX][0-9a-fA-F]+/y;
const BINARY = /0[bB][01]+/y;
// After a lone '.' (`t. 1`), digits are a tuple index; `t.1` lexes as t and '.1', which the parser reads as one.
const INTEGER = /[0-9]+(?![0-9A-Za-z_$])/y;
const FLOAT = /(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/y;

const COMMON_ESCAPES: Record<string, string> = {
  b: '\b',
  f: '\f',
  r: '\r',
  n: '\n',
  t: '\t',
  a: '\x07',
  v: '\v',
  '\\': '\\',
  '0': '',
};

function matchAt(re: RegExp, text: string, pos: number): string | undefined {
  re.lastIndex = pos;
  const m = re.exec(text);
  return m ? m[0] : undefined;
}

function describe(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  return code > 0x20 && code < 0x7f ? `'${ch}' (U+${hex})` : `U+${hex}`;
}

/**
 * Reads a quoted literal starting at `pos` (the opening quote) and returns its unescaped value and end offset.
 * As in PostHog's lexer: the quote doubled or backslashed stands for itself, the ClickHouse escapes \b \f \r \n \t
 * \a \v \\ are decoded, \0 is dropped, \xHH is kept as written, and any other backslash is an error.
 */
function readQuoted(text: string, pos: number): { value: string; end: number } {
  const quote = text[pos] as string;
  let value = '';
  let i = pos + 1;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === quote) {
      if (text[i + 1] === quote) {
        value += quote;
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    if (ch !== '\\') {
      value += ch;
      i += 1;
      continue;
    }
    const next = text[i + 1];
    if (next === undefined) break;
    const common = COMMON_ESCAPES[next];
    if (common !== undefined) {
      value += common;
      i += 2;
    } else if ((next === 'x' || next === 'X') && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      value += text.slice(i, i + 4);
      i += 4;
    } else if (next === quote && quote !== '`') {
      value += quote;
      i += 2;
    } else if (next === "'" && quote === '`') {
      value += "\\'";
      i += 2;
    } else {
      throw new HogQLSyntaxError(`Unknown escape sequence '\\${next}' at ${i}`, i, i + 2);
    }
  }
  const what = quote === "'" ? 'string' : 'quoted identifier';
  throw new HogQLSyntaxError(`Unterminated ${what} starting at ${pos}`, pos, text.length);
}

/** Splits HogQL text into tokens, skipping whitespace and comments; the last token is always 'eof'. */
export function tokenize(text: string): Token[] {
  if (text.length > MAX_QUERY_LENGTH) {
    throw new HogQLSyntaxError(
      `Query is ${text.length} characters long, longer than the ${MAX_QUERY_LENGTH} allowed`,
      0,
      0,
    );
  }
  const tokens: Token[] = [];
  const push = (type: TokenType, value: string, start: number, end: number, upper = ''): void => {
    if (tokens.length >= MAX_TOKENS) {
      throw new HogQLSyntaxError(`Query has more than the ${MAX_TOKENS} tokens allowed`, start, end);
    }
    tokens.push({ type, value, upper, start, end });
  };
  let pos = 0;
  while (pos < text.length) {
    const ch = text[pos] as string;
    if (matchAt(WHITESPACE, text, pos)) {
      pos += 1;
      continue;
    }
    const lineComment = matchAt(LINE_COMMENT, text, pos);
    if (lineComment) {
      pos += lineComment.length;
      continue;
    }
    if (ch === '/' && text[pos + 1] === '*') {
      const close = text.indexOf('*/', pos + 2);
      if (close < 0) throw new HogQLSyntaxError(`Unterminated comment starting at ${pos}`, pos, text.length);
      pos = close + 2;
      continue;
    }
    const ident = matchAt(IDENT, text, pos);
    if (ident) {
      if ((ident === 'f' || ident === 'F') && text[pos + 1] === "'") {
        throw new HogQLSyntaxError(`Template strings (f'...') are not supported, at ${pos}`, pos, pos + 2);
      }
      push('ident', ident, pos, pos + ident.length, ident.toUpperCase());
      pos += ident.length;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      const { value, end } = readQuoted(text, pos);
      push(ch === "'" ? 'string' : 'quoted', value, pos, end);
      pos = end;
      continue;
    }
    const digitNext = (ch >= '0' && ch <= '9') || (ch === '.' && /[0-9]/.test(text[pos + 1] ?? ''));
    if (digitNext) {
      const prev = tokens[tokens.length - 1];
      const afterDot = prev?.type === 'punct' && prev.value === '.';
      const literal =
        (afterDot ? matchAt(INTEGER, text, pos) : undefined) ??
        matchAt(HEX, text, pos) ??
        matchAt(BINARY, text, pos) ??
        matchAt(FLOAT, text, pos);
      if (literal) {
        push('number', literal, pos, pos + literal.length);
        pos += literal.length;
        continue;
      }
    }
    const punct = PUNCTUATION.find((p) => text.startsWith(p, pos));
    if (punct) {
      push('punct', punct, pos, pos + punct.length);
      pos += punct.length;
      continue;
    }
    const bad = String.fromCodePoint(text.codePointAt(pos) ?? 0);
    throw new HogQLSyntaxError(`Unexpected character ${describe(bad)} at ${pos}`, pos, pos + bad.length);
  }
  push('eof', '', text.length, text.length);
  return tokens;
}
