/**
 * LFW's `pairs.txt`: a header `<folds>\t<pairs per fold>` (LFW's is `10\t300`), then each fold's
 * pairs, one a line: `name n m` for two images of one person, `name1 n1 name2 n2` for images of
 * two people. Each fold holds `pairs per fold` same pairs and as many different ones (LFW lists
 * the same pairs of a fold first). Image `n` of `name` is `<name>/<name>_<n, 4 digits>.<ext>`.
 */

export interface PairImage {
  name: string;
  /** 1-based image number, as LFW counts. */
  number: number;
}

export interface VerificationPair {
  first: PairImage;
  second: PairImage;
  same: boolean;
  /** 0-based fold index. */
  fold: number;
  /** 1-based line of the pairs file, for messages. */
  line: number;
}

export interface PairsFile {
  folds: number;
  pairsPerFold: number;
  pairs: VerificationPair[];
}

/** A malformed pairs file; `line` is 1-based and the message starts with it. */
export class PairsFileError extends Error {
  override name = "PairsFileError";
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

const POSITIVE_INT = /^[1-9][0-9]*$/;
const MAX_PAIRS = 1_000_000;

function parseCount(token: string | undefined, line: number, what: string): number {
  if (token === undefined || !POSITIVE_INT.test(token) || Number(token) > MAX_PAIRS) {
    throw new PairsFileError(
      line,
      `${what} must be a whole number from 1 to ${MAX_PAIRS}, got '${token ?? ""}'`,
    );
  }
  return Number(token);
}

function parseName(token: string, line: number): string {
  if (token === "." || token === ".." || /[/\\\0]/.test(token)) {
    throw new PairsFileError(line, `'${token}' is not a person's folder name`);
  }
  return token;
}

function parseImageNumber(token: string | undefined, line: number): number {
  if (token === undefined || !POSITIVE_INT.test(token) || Number(token) > 99_999_999) {
    throw new PairsFileError(line, `image number must be a whole number from 1, got '${token ?? ""}'`);
  }
  return Number(token);
}

function parsePairLine(
  tokens: string[],
  line: number,
): { first: PairImage; second: PairImage; same: boolean } {
  if (tokens.length === 3) {
    const name = parseName(tokens[0] as string, line);
    return {
      first: { name, number: parseImageNumber(tokens[1], line) },
      second: { name, number: parseImageNumber(tokens[2], line) },
      same: true,
    };
  }
  if (tokens.length === 4) {
    return {
      first: { name: parseName(tokens[0] as string, line), number: parseImageNumber(tokens[1], line) },
      second: { name: parseName(tokens[2] as string, line), number: parseImageNumber(tokens[3], line) },
      same: false,
    };
  }
  throw new PairsFileError(
    line,
    `expected 'name n m' (same person) or 'name1 n1 name2 n2' (different people), got ${tokens.length} fields`,
  );
}

/** Parses a pairs file; throws a `PairsFileError` naming the first bad line. Blank lines are skipped. */
export function parsePairsFile(text: string): PairsFile {
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  const headerIndex = lines.findIndex((l) => l.trim() !== "");
  if (headerIndex < 0) throw new PairsFileError(1, "the pairs file is empty");
  const headerLine = headerIndex + 1;
  const header = (lines[headerIndex] as string).trim().split(/\s+/);
  if (header.length !== 2) {
    throw new PairsFileError(
      headerLine,
      `the header must be '<folds> <pairs per fold>' (LFW's is '10\\t300'), got '${lines[headerIndex]}'`,
    );
  }
  const folds = parseCount(header[0], headerLine, "the number of folds");
  const pairsPerFold = parseCount(header[1], headerLine, "the number of pairs per fold");
  const expected = folds * pairsPerFold * 2;
  if (expected > MAX_PAIRS) {
    throw new PairsFileError(headerLine, `the header announces ${expected} pairs, more than ${MAX_PAIRS}`);
  }
  const pairs: VerificationPair[] = [];
  const sameInFold = new Array<number>(folds).fill(0);
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const raw = (lines[i] as string).trim();
    if (raw === "") continue;
    const line = i + 1;
    if (pairs.length === expected) {
      throw new PairsFileError(
        line,
        `the header (line ${headerLine}) announces ${folds} folds of ${pairsPerFold} same and ` +
          `${pairsPerFold} different pairs (${expected} pairs); this line is one more`,
      );
    }
    const fold = Math.floor(pairs.length / (2 * pairsPerFold));
    const parsed = parsePairLine(raw.split(/\s+/), line);
    const sameSoFar = sameInFold[fold] ?? 0;
    const differentSoFar = (pairs.length % (2 * pairsPerFold)) - sameSoFar;
    if (parsed.same ? sameSoFar >= pairsPerFold : differentSoFar >= pairsPerFold) {
      throw new PairsFileError(
        line,
        `fold ${fold + 1} already has ${pairsPerFold} ${parsed.same ? "same" : "different"} pairs ` +
          `(the header, line ${headerLine}, says ${pairsPerFold} of each per fold)`,
      );
    }
    if (parsed.same) sameInFold[fold] = sameSoFar + 1;
    pairs.push({ ...parsed, fold, line });
  }
  if (pairs.length < expected) {
    throw new PairsFileError(
      headerLine,
      `the header announces ${folds} folds of ${2 * pairsPerFold} pairs (${expected}), the file lists ${pairs.length}`,
    );
  }
  return { folds, pairsPerFold, pairs };
}

/** `<name>/<name>_<4-digit n>` without the extension, as LFW names its images. */
export function pairImageStem(image: PairImage): string {
  return `${image.name}/${image.name}_${String(image.number).padStart(4, "0")}`;
}
