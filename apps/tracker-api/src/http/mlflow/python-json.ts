const BARE_NUMBERS = ["-Infinity", "Infinity", "NaN"] as const;

/**
 * Parses JSON as Python's `json.loads` (MLflow's Flask server) does, which also takes the bare
 * tokens `NaN`, `Infinity` and `-Infinity` that `json.dumps` writes for such floats (a script posting
 * `requests.post(url, json={"value": float("nan")})`). They are read as protobuf's JSON strings
 * `"NaN"`, `"Infinity"`, `"-Infinity"`, which the double fields accept. Throws SyntaxError as
 * JSON.parse does for everything else.
 */
export function parsePythonJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const quoted = quoteBareNumbers(text);
    if (quoted === text) throw error;
    return JSON.parse(quoted);
  }
}

/** The text with each bare NaN / Infinity / -Infinity in a value's place outside strings put in quotes. */
function quoteBareNumbers(text: string): string {
  let out = "";
  let from = 0;
  let inString = false;
  let last = ""; // the last character outside strings that is not whitespace
  const open: string[] = []; // the brackets and braces around the position
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') {
        inString = false;
        last = c;
      }
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") open.push(c);
    else if (c === "}" || c === "]") open.pop();
    const inValuePlace =
      last === ":" || last === "" || ((last === "[" || last === ",") && open.at(-1) === "[");
    const token = inValuePlace ? BARE_NUMBERS.find((t) => text.startsWith(t, i)) : undefined;
    if (token && !/[\w$]/.test(text[i + token.length] ?? "")) {
      out += `${text.slice(from, i)}"${token}"`;
      i += token.length - 1;
      from = i + 1;
      last = '"';
      continue;
    }
    if (!/\s/.test(c)) last = c;
  }
  return from === 0 ? text : out + text.slice(from);
}
