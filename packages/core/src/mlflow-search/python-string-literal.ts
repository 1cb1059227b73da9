/**
 * Decodes a single-quoted Python string literal the way `ast.literal_eval` does (MLflow reads
 * `run_id IN ('a', 'b')` lists with it): backslash escapes are honoured and `'a''b'` is two adjacent
 * literals, i.e. `ab`.
 */
const SIMPLE_ESCAPES: Record<string, string> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  n: "\n",
  t: "\t",
  r: "\r",
  a: "\u0007",
  b: "\b",
  f: "\f",
  v: "\v",
  "\n": "",
};

const HEX_ESCAPE_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

export function decodePythonSingleQuoted(raw: string): string {
  const body = raw.slice(1, -1);
  let out = "";
  let i = 0;
  while (i < body.length) {
    const ch = body.charAt(i);
    if (ch === "'") {
      // `''` inside sqlparse's token: the end of one literal and the start of the next.
      i += 2;
      continue;
    }
    if (ch !== "\\" || i + 1 >= body.length) {
      out += ch;
      i += 1;
      continue;
    }
    const next = body.charAt(i + 1);
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i += 2;
      continue;
    }
    const hexLength = HEX_ESCAPE_LENGTH[next];
    const hex = hexLength === undefined ? "" : body.slice(i + 2, i + 2 + hexLength);
    if (hexLength !== undefined && hex.length === hexLength && /^[0-9a-f]+$/iu.test(hex)) {
      out += String.fromCodePoint(Number.parseInt(hex, 16));
      i += 2 + hexLength;
      continue;
    }
    const octal = /^[0-7]{1,3}/u.exec(body.slice(i + 1));
    if (octal) {
      out += String.fromCodePoint(Number.parseInt(octal[0], 8));
      i += 1 + octal[0].length;
      continue;
    }
    // Python keeps an unknown escape as written.
    out += ch;
    i += 1;
  }
  return out;
}
