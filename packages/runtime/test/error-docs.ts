import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * docs/errors.md has one `## Title (`package`)` section per package: a `| Code | Meaning |` table, then
 * a `### CODE` section for each code. Every package's error-codes test runs errorCodesSuite() on its own
 * table, so the page and the tables stay in step wherever a code is added.
 */
export const ERRORS_DOC = fileURLToPath(new URL('../../../docs/errors.md', import.meta.url));

export interface DocSection {
  /** The package named in the heading's parentheses. */
  pkg: string;
  /** Code → meaning, from the section's table, in order. */
  rows: Map<string, string>;
  /** Codes with a `### CODE` heading in the section, in order. */
  headings: string[];
}

export interface ErrorsDoc {
  sections: DocSection[];
  /** `ERR_…` headings of any level that no package section holds. */
  strayHeadings: string[];
}

const SECTION = /^## .*\(`([^`]+)`\)\s*$/;
const CODE_HEADING = /^#{2,} `?(ERR_[A-Z0-9_]+)`?\s*$/;
const ROW = /^\| \[?`(ERR_[A-Z0-9_]+)`\]?(?:\(#[a-z0-9_]+\))? +\| (.*?) +\|$/;

export function parseErrorsDoc(text: string): ErrorsDoc {
  const sections: DocSection[] = [];
  const strayHeadings: string[] = [];
  let current: DocSection | undefined;
  for (const line of text.split('\n')) {
    const section = SECTION.exec(line);
    if (section) {
      current = { pkg: section[1]!, rows: new Map(), headings: [] };
      sections.push(current);
      continue;
    }
    if (line.startsWith('## ')) current = undefined;
    const heading = CODE_HEADING.exec(line);
    if (heading) {
      if (current && line.startsWith('### ')) current.headings.push(heading[1]!);
      else strayHeadings.push(heading[1]!);
    }
    const row = current && ROW.exec(line);
    if (row) current!.rows.set(row[1]!, row[2]!);
  }
  return { sections, strayHeadings };
}

export function readErrorsDoc(): ErrorsDoc {
  return parseErrorsDoc(readFileSync(ERRORS_DOC, 'utf8'));
}

/** Checks one package's table of codes against its section of docs/errors.md, both ways. */
export function errorCodesSuite(pkg: string, table: Readonly<Record<string, string>>): void {
  describe(`docs/errors.md, section ${pkg}`, () => {
    const doc = readErrorsDoc();
    const section = doc.sections.find((s) => s.pkg === pkg);
    const codes = Object.keys(table);

    it('exists, once', () => {
      expect(doc.sections.filter((s) => s.pkg === pkg).length, `add a "## … (\`${pkg}\`)" section`).toBe(1);
    });

    it("lists every code of the table with the table's meaning", () => {
      const listed = Object.fromEntries(codes.map((code) => [code, section?.rows.get(code)]));
      expect(listed).toEqual(table);
    });

    it('lists no code the table lacks', () => {
      expect([...(section?.rows.keys() ?? [])].filter((code) => !(code in table))).toEqual([]);
    });

    it('has a ### section for every code of the table, and none for another code', () => {
      expect(codes.filter((code) => !section?.headings.includes(code))).toEqual([]);
      expect(section?.headings.filter((code) => !(code in table))).toEqual([]);
    });

    it('is the only place on the page that documents these codes', () => {
      const elsewhere = doc.sections
        .filter((s) => s !== section)
        .flatMap((s) => [...s.rows.keys(), ...s.headings])
        .concat(doc.strayHeadings)
        .filter((code) => code in table);
      expect(elsewhere).toEqual([]);
      expect(section?.headings.filter((code, i) => section.headings.indexOf(code) !== i)).toEqual([]);
    });
  });
}
