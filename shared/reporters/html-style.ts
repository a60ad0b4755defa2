/** The HTML report's inline stylesheet: no fonts, images or other external resources; phone-first layout. */
export const HTML_REPORT_CSS = `
:root{--bg:#f6f7f9;--fg:#1d232b;--muted:#5d6773;--card:#fff;--line:#dde1e6;--ok:#1a7f37;--bad:#c62828;--warn:#9a6700;--accent:#0b5cad}
@media (prefers-color-scheme:dark){:root{--bg:#111417;--fg:#e6e9ed;--muted:#9aa4ae;--card:#1b1f24;--line:#2f353c;--ok:#4ac26b;--bad:#ff6b6b;--warn:#d4a72c;--accent:#6cb6ff}}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
header{padding:16px;border-bottom:1px solid var(--line);background:var(--card)}
h1{font-size:20px;margin:0 0 4px;word-break:break-word}
h2{font-size:16px;margin:16px 0 8px}
h3.iter{font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin:16px 0 6px}
main{padding:12px 16px 48px;max-width:1100px;margin:0 auto}
.muted{color:var(--muted)}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;border:1px solid currentColor}
.ok{color:var(--ok)}.bad{color:var(--bad)}.warn{color:var(--warn)}
nav[role=tablist]{display:flex;gap:4px;flex-wrap:wrap;margin:12px 0}
nav button{font:inherit;padding:8px 14px;border:1px solid var(--line);border-radius:8px;background:var(--card);color:var(--fg);cursor:pointer;min-height:40px}
nav button[aria-selected=true]{border-color:var(--accent);color:var(--accent);font-weight:600}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px}
.card b{display:block;font-size:20px}
.toolbar{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;margin:8px 0}
.toolbar label{display:flex;gap:6px;align-items:center}
.toolbar select,.toolbar input[type=search]{font:inherit;padding:6px;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg);max-width:100%}
.pager{display:flex;gap:8px;align-items:center;margin:8px 0;flex-wrap:wrap}
.pager button{font:inherit;padding:6px 12px;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg);min-height:36px}
details.er-row,.er-failure{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--ok);border-radius:6px;margin:6px 0}
details.er-row.failed,.er-failure{border-left-color:var(--bad)}
details.er-row.skipped{border-left-color:var(--muted)}
details.er-row>summary{cursor:pointer;padding:8px 10px;display:flex;flex-wrap:wrap;gap:4px 10px;align-items:baseline;list-style:none}
details.er-row>summary::-webkit-details-marker{display:none}
.name{font-weight:600;word-break:break-word;flex:1 1 200px}
.method{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.er-body{padding:0 10px 10px;border-top:1px solid var(--line)}
.er-failure{padding:8px 10px}
.er-show{font:inherit;font-size:12px;padding:4px 10px;margin-top:4px;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--accent)}
pre{white-space:pre-wrap;word-break:break-all;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:8px;max-height:320px;overflow:auto;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;margin:4px 0}
table{border-collapse:collapse;width:100%;font-size:13px}
td,th{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top;word-break:break-word}
ul.asserts{list-style:none;padding:0;margin:4px 0}
ul.asserts li{padding:2px 0}
.hidden{display:none}
`;
