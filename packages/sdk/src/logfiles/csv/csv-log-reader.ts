import { open } from "node:fs/promises";

/** One row of a training log: its step (and epoch, when the file has that column) and its metrics. */
export interface CsvLogRow {
  step: number;
  epoch: number | undefined;
  values: Record<string, number>;
}

/** Columns that say where a row is, not what was measured. */
const STEP_COLUMNS = ["step", "epoch"] as const;

/**
 * Splits one CSV record into fields (RFC 4180 quoting, as Python's csv module writes it). The
 * incremental reader only hands it complete lines, so a field never spans a read.
 */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** A metric value as Python prints floats: `0.25`, `1e-05`, `nan`, `inf`, `-inf`; null when not a number. */
export function parseLogNumber(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === "") return null;
  if (t === "nan" || t === "-nan") return Number.NaN;
  if (t === "inf" || t === "+inf" || t === "infinity") return Number.POSITIVE_INFINITY;
  if (t === "-inf" || t === "-infinity") return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) return null;
  return Number(t);
}

/**
 * Reads a Keras `CSVLogger` file (or any CSV log with a header row and an `epoch` or `step` column)
 * incrementally: each `read()` returns the rows completed since the last one; a last line without
 * its newline is still being written and waits for the next call.
 */
export class CsvLogReader {
  private offsetValue = 0;
  private header: string[] | null = null;
  private rowIndex = 0;

  constructor(readonly path: string) {}

  get offset(): number {
    return this.offsetValue;
  }

  /** The metric columns (every column but the step/epoch ones), once the header has been read. */
  get columns(): string[] {
    return (this.header ?? []).filter((c) => !(STEP_COLUMNS as readonly string[]).includes(c));
  }

  async read(): Promise<CsvLogRow[]> {
    const handle = await open(this.path, "r");
    let text: string;
    try {
      const size = (await handle.stat()).size;
      if (size < this.offsetValue) {
        // Rewritten from scratch (a new CSVLogger without append): read it again from the top.
        this.offsetValue = 0;
        this.header = null;
        this.rowIndex = 0;
      }
      const bytes = Buffer.alloc(size - this.offsetValue);
      const { bytesRead } = await handle.read(bytes, 0, bytes.byteLength, this.offsetValue);
      const complete = bytes.lastIndexOf(0x0a, bytesRead - 1);
      if (complete < 0) return [];
      this.offsetValue += complete + 1;
      text = bytes.subarray(0, complete + 1).toString("utf8");
    } finally {
      await handle.close();
    }
    const rows: CsvLogRow[] = [];
    for (const raw of text.split("\n")) {
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      if (line.trim() === "") continue;
      const fields = splitCsvLine(line);
      if (!this.header) {
        this.header = fields.map((f) => f.trim());
        continue;
      }
      const row = this.rowOf(fields);
      if (row) rows.push(row);
    }
    return rows;
  }

  private rowOf(fields: string[]): CsvLogRow | null {
    const header = this.header ?? [];
    const at = (name: string) => {
      const i = header.indexOf(name);
      return i < 0 ? null : parseLogNumber(fields[i] ?? "");
    };
    const index = this.rowIndex++;
    const step = at("step");
    const epoch = at("epoch");
    const stepValue = step ?? epoch ?? index;
    if (!Number.isInteger(stepValue) || stepValue < 0) return null;
    // A cell that is not a number (Keras writes lists as quoted text) is skipped.
    const values: Record<string, number> = {};
    header.forEach((name, i) => {
      if ((STEP_COLUMNS as readonly string[]).includes(name) || name === "") return;
      const value = parseLogNumber(fields[i] ?? "");
      if (value !== null) values[name] = value;
    });
    const epochValue = epoch !== null && Number.isInteger(epoch) && epoch >= 0 ? epoch : undefined;
    return { step: stepValue, epoch: epochValue, values };
  }
}
