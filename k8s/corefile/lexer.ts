/**
 * Corefile lexer with the semantics of coredns/caddy `caddyfile/lexer.go` (reference §2.1), plus columns:
 * - tokens are separated by whitespace;
 * - a token that starts with `"` runs to the closing `"` (may span lines); inside, only `\"` is an escape and every
 *   other backslash is kept literally;
 * - `#` outside quotes starts a comment to end of line, even in the middle of a token (`a#b` is `a`);
 * - `{` and `}` are not special here: the parser recognises them only when they are a whole token.
 */

export interface Token {
  text: string;
  /** 1-based line of the token's first character. */
  line: number;
  /** 1-based column of the token's first character (the opening quote for quoted tokens). */
  column: number;
  quoted: boolean;
  /** Set when the token held `{$VAR}`/`{%VAR%}` references (after substitution, see parser). */
  envVars?: string[];
}

export interface LexResult {
  tokens: Token[];
  /** An unterminated quoted token, reported by the parser as unexpected EOF. */
  unterminatedQuote?: Token;
}

export function lex(input: string): LexResult {
  const tokens: Token[] = [];
  let line = 1;
  let col = 0;
  let val = "";
  let tokLine = 0;
  let tokCol = 0;
  let quoted = false;
  let escaped = false;
  let comment = false;
  let inToken = false;

  const emit = (wasQuoted: boolean) => {
    tokens.push({ text: val, line: tokLine, column: tokCol, quoted: wasQuoted });
    val = "";
    inToken = false;
  };

  for (const ch of input) {
    col++;
    if (quoted) {
      if (!escaped) {
        if (ch === "\\") {
          escaped = true;
          continue;
        } else if (ch === '"') {
          quoted = false;
          emit(true);
          continue;
        }
      }
      if (ch === "\n") {
        line++;
        col = 0;
      }
      if (escaped) {
        // only quotes are escapable; keep the backslash otherwise
        if (ch !== '"') val += "\\";
      }
      val += ch;
      escaped = false;
      continue;
    }

    if (ch === "\r") continue;
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\f" || ch === "\v" || ch === "\u00a0") {
      if (ch === "\n") {
        comment = false;
      }
      if (inToken) emit(false);
      if (ch === "\n") {
        line++;
        col = 0;
      }
      continue;
    }
    if (ch === "#") comment = true;
    if (comment) continue;
    if (!inToken) {
      inToken = true;
      tokLine = line;
      tokCol = col;
      if (ch === '"') {
        quoted = true;
        continue;
      }
    }
    val += ch;
  }
  if (quoted) {
    return { tokens, unterminatedQuote: { text: val, line: tokLine, column: tokCol, quoted: true } };
  }
  if (inToken) emit(false);
  return { tokens };
}
