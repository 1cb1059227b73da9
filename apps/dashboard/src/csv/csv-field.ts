/** RFC 4180: a field with a comma, quote or line break, or spaces at an end, is quoted, quotes doubled. */
export function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
