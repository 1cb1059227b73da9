/**
 * A query string without escapes for `,` `:` `;` `~`, which a query may hold as they are (RFC 3986)
 * and which lists and brushes use as separators: links read as `runs=a,b`, `brush=lr:0.1~1`.
 */
export function readableQuery(params: URLSearchParams): string {
  return params
    .toString()
    .replace(/%(2C|3A|3B|7E)/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}
