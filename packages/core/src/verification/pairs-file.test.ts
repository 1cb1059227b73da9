import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PairsFileError, pairImageStem, parsePairsFile, type VerificationPair } from "./pairs-file.ts";

const LFW_EXCERPT = [
  "2\t2",
  "Abel_Pacheco\t1\t4",
  "Akhmed_Zakayev\t1\t3",
  "Abdel_Madi_Shabneh\t1\tDean_Barker\t1",
  "Abdel_Madi_Shabneh\t1\tGiancarlo_Fisichella\t1",
  "Aaron_Peirsol\t1\t2",
  "Abdel_Madi_Shabneh\t1\tMikhail_Gorbachev\t1",
  "Aaron_Sorkin\t1\t2",
  "Abdul_Rahman\t1\tPaul_Lo_Duca\t2",
  "",
].join("\n");

function errorOf(text: string): PairsFileError {
  try {
    parsePairsFile(text);
  } catch (error) {
    if (error instanceof PairsFileError) return error;
    throw error;
  }
  throw new Error("expected a PairsFileError");
}

describe("parsePairsFile", () => {
  it("reads LFW's format: header, same pairs 'name n m', different pairs 'name1 n1 name2 n2', folds in order", () => {
    const parsed = parsePairsFile(LFW_EXCERPT);
    expect(parsed.folds).toBe(2);
    expect(parsed.pairsPerFold).toBe(2);
    expect(parsed.pairs).toHaveLength(8);
    expect(parsed.pairs[0]).toEqual({
      first: { name: "Abel_Pacheco", number: 1 },
      second: { name: "Abel_Pacheco", number: 4 },
      same: true,
      fold: 0,
      line: 2,
    });
    expect(parsed.pairs[2]).toMatchObject({
      first: { name: "Abdel_Madi_Shabneh", number: 1 },
      second: { name: "Dean_Barker", number: 1 },
      same: false,
      fold: 0,
    });
    expect(parsed.pairs.map((p) => p.fold)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    // Same and different pairs may interleave inside a fold.
    expect(parsed.pairs.slice(4).map((p) => p.same)).toEqual([true, false, true, false]);
  });

  it("accepts spaces, CRLF line ends and blank lines, counting lines as an editor does", () => {
    const parsed = parsePairsFile("1 1\r\n\r\nann 1 2\r\nann 1 bob 3\r\n");
    expect(parsed.pairs.map((p) => p.line)).toEqual([3, 4]);
  });

  it("names the line of each kind of mistake", () => {
    expect(errorOf("").message).toBe("line 1: the pairs file is empty");
    expect(errorOf("10\n").message).toMatch(/^line 1: the header must be '<folds> <pairs per fold>'/);
    expect(errorOf("x 3\n").message).toMatch(/^line 1: the number of folds must be a whole number/);
    expect(errorOf("1 1\nann 1 2\nann 1\n").message).toMatch(/^line 3: expected 'name n m' .* got 2 fields/);
    expect(errorOf("1 1\nann 1 two\nann 1 bob 1\n").message).toMatch(/^line 2: image number .* got 'two'/);
    expect(errorOf("1 1\nann 0 2\nann 1 bob 1\n").line).toBe(2);
    expect(errorOf("1 1\n../etc 1 2\nann 1 bob 1\n").message).toMatch(/^line 2: '..\/etc' is not a person's/);
    expect(errorOf("1 1\nann 1 2\nbob 1 2\n").message).toMatch(/^line 3: fold 1 already has 1 same pairs/);
    expect(errorOf("1 1\nann 1 2\nann 1 bob 1\ncid 1 2\n").message).toMatch(
      /^line 4: .* this line is one more/,
    );
    expect(errorOf("2 1\nann 1 2\nann 1 bob 1\n").message).toBe(
      "line 1: the header announces 2 folds of 2 pairs (4), the file lists 2",
    );
  });

  it("round-trips any well-formed file (property)", () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z_-]{0,12}$/);
    const image = fc.integer({ min: 1, max: 9999 });
    const arbitraryFile = fc
      .record({ folds: fc.integer({ min: 1, max: 4 }), perFold: fc.integer({ min: 1, max: 5 }) })
      .chain(({ folds, perFold }) =>
        fc.record({
          folds: fc.constant(folds),
          perFold: fc.constant(perFold),
          same: fc.array(fc.tuple(name, image, image), {
            minLength: folds * perFold,
            maxLength: folds * perFold,
          }),
          different: fc.array(fc.tuple(name, image, name, image), {
            minLength: folds * perFold,
            maxLength: folds * perFold,
          }),
        }),
      );
    fc.assert(
      fc.property(arbitraryFile, ({ folds, perFold, same, different }) => {
        const lines = [`${folds}\t${perFold}`];
        for (let f = 0; f < folds; f++) {
          for (const [n, a, b] of same.slice(f * perFold, (f + 1) * perFold)) lines.push(`${n}\t${a}\t${b}`);
          for (const [n1, a, n2, b] of different.slice(f * perFold, (f + 1) * perFold)) {
            lines.push(`${n1}\t${a}\t${n2}\t${b}`);
          }
        }
        const parsed = parsePairsFile(lines.join("\n"));
        expect(parsed.pairs).toHaveLength(2 * folds * perFold);
        const format = (p: VerificationPair) =>
          p.same
            ? `${p.first.name}\t${p.first.number}\t${p.second.number}`
            : `${p.first.name}\t${p.first.number}\t${p.second.name}\t${p.second.number}`;
        expect(parsed.pairs.map(format)).toEqual(lines.slice(1));
        for (let f = 0; f < folds; f++) {
          const inFold = parsed.pairs.filter((p) => p.fold === f);
          expect(inFold.filter((p) => p.same)).toHaveLength(perFold);
          expect(inFold.filter((p) => !p.same)).toHaveLength(perFold);
        }
      }),
    );
  });

  it("never throws anything but a PairsFileError with a line inside the file (property)", () => {
    const token = fc.constantFrom("1", "2", "ann", "bob", "0", "x", "../a", "10", "3");
    const line = fc.array(token, { maxLength: 5 }).map((t) => t.join("\t"));
    fc.assert(
      fc.property(fc.array(line, { minLength: 0, maxLength: 8 }), (lines) => {
        const text = lines.join("\n");
        try {
          parsePairsFile(text);
        } catch (error) {
          expect(error).toBeInstanceOf(PairsFileError);
          const e = error as PairsFileError;
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.line).toBeLessThanOrEqual(Math.max(1, lines.length));
          expect(e.message.startsWith(`line ${e.line}: `)).toBe(true);
        }
      }),
    );
  });
});

describe("pairImageStem", () => {
  it("formats LFW's image names with a 4-digit number", () => {
    expect(pairImageStem({ name: "Abel_Pacheco", number: 4 })).toBe("Abel_Pacheco/Abel_Pacheco_0004");
    expect(pairImageStem({ name: "x", number: 12345 })).toBe("x/x_12345");
  });
});
