// The scanner that finds a top-level let/const/class of a global Newman's scope already has (a SyntaxError there).
import { expect, test } from "vitest";
import { redeclaredGlobal as r } from "../../shared/sandbox/prelude/redeclared";

test("top-level lexical declarations of Newman's globals, and what is not one", () => {
  expect(r("const data = pm.response.json();", true)).toBe("data");
  expect(r("var data = 1; let x = 2;", true)).toBe(undefined);
  expect(r("{ const data = 1; } function f() { let _ = 2; } for (const data of []) {}", true)).toBe(
    undefined,
  );
  expect(r("const a = 1, b = { c: 2 }, _ = 3;", true)).toBe("_");
  expect(r("const { data, x: tv4, y: cheerio2 = 5, ...rest } = obj;", true)).toBe("data");
  expect(r("const { a: tv4 } = obj;", true)).toBe("tv4");
  expect(r("const { tv4: a } = obj;", true)).toBe(undefined);
  expect(r("const [x, , JSON] = arr;", true)).toBe("JSON");
  expect(r("const s = 'const data = 1'; // let _ = 1\n/* const pm */ const re = /const data/g;", true)).toBe(
    undefined,
  );
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the script text holds a template
  expect(r("const t = `x ${ a ? `const data` : '' } y`; let y = a / 2 / 3;", true)).toBe(undefined);
  expect(r("class CryptoJS {}", true)).toBe("CryptoJS");
  expect(r("const K = class Error {}", true)).toBe(undefined);
  expect(r("const responseBody = 1", false)).toBe(undefined);
  expect(r("const responseBody = 1", true)).toBe("responseBody");
  expect(r("let x = 1\nconst request = 2", true)).toBe("request");
  expect(r("obj.let = 1; x.const; let\ndata = 1", true)).toBe("data");
  expect(
    r("const f = () => { const data = 1; return data; }; const g = function () { let pm; };", true),
  ).toBe(undefined);
  expect(r("const jsonData = pm.response.json(); const response = jsonData;", true)).toBe(undefined);
  expect(r("if (x) { let data = 1 } else { const _ = 2 }", true)).toBe(undefined);
  expect(r("const x = a\n(b)\nlet console = 1", true)).toBe("console");
});
