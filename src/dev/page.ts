import { createHash } from 'node:crypto'
import type { OAuth2Client } from '../protocol/client.ts'
import { escapeHtml } from '../util/html.ts'

/** Escapes for HTML text and quoted attributes; short, since every page interpolates through it. */
export const h = escapeHtml

const STYLE = [
  ':root{color-scheme:light;--ink:#1f2430;--muted:#5d6475;--line:#dfe3ea;--accent:#3b5bdb;--bg:#f4f6fa}',
  '*{box-sizing:border-box}',
  'body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:var(--bg);',
  'font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink)}',
  'main{width:100%;max-width:30rem;margin:2rem 1rem;background:#fff;border:1px solid var(--line);border-radius:12px;',
  'padding:2rem;box-shadow:0 4px 18px rgba(31,36,48,.06)}',
  'main.wide{max-width:52rem}',
  '.brand{font-size:.75rem;letter-spacing:.08em;text-transform:uppercase;color:var(--muted);margin:0 0 .25rem}',
  'h1{font-size:1.4rem;margin:0 0 1rem}',
  'h2{font-size:1rem;margin:1.5rem 0 .5rem}',
  'p{margin:.5rem 0}',
  '.muted{color:var(--muted);font-size:.875rem}',
  'label.field{display:block;font-weight:600;margin:1rem 0 .35rem}',
  'input[type=text]{width:100%;padding:.6rem .75rem;font:inherit;border:1px solid var(--line);border-radius:8px}',
  'input[type=text]:focus{outline:2px solid var(--accent);outline-offset:1px;border-color:transparent}',
  'ul.checks{list-style:none;padding:0;margin:.25rem 0;border:1px solid var(--line);border-radius:8px}',
  'ul.checks li{padding:.5rem .75rem;border-top:1px solid var(--line)}',
  'ul.checks li:first-child{border-top:0}',
  'label.check{display:flex;gap:.6rem;align-items:center;cursor:pointer}',
  'code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85em;background:var(--bg);',
  'padding:.1rem .3rem;border-radius:4px;word-break:break-all}',
  'pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.8rem;background:var(--bg);padding:.75rem;',
  'border-radius:8px;white-space:pre-wrap;word-break:break-all;margin:.25rem 0}',
  '.actions{display:flex;gap:.75rem;margin-top:1.5rem}',
  'button{flex:1;padding:.65rem 1rem;font:inherit;font-weight:600;border-radius:8px;cursor:pointer;',
  'border:1px solid var(--accent);background:var(--accent);color:#fff}',
  'button.secondary{background:#fff;color:var(--ink);border-color:var(--line)}',
  'button:focus-visible{outline:2px solid var(--ink);outline-offset:2px}',
  '.error{color:#b42318;background:#fef3f2;border:1px solid #fecdca;border-radius:8px;padding:.5rem .75rem}',
  'dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:.5rem 0}',
  'dt{color:var(--muted)}dd{margin:0;word-break:break-all}',
  'a{color:var(--accent)}',
].join('')

/** CSP hash source of the pages' one inline style sheet (they load nothing else). */
export const STYLE_HASH = `sha256-${createHash('sha256').update(STYLE).digest('base64')}`

/** A whole page: `body` must already be escaped HTML. */
export function page(title: string, body: string, options: { wide?: boolean } = {}): string {
  return (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<title>${h(title)} · Gatehouse</title><style>${STYLE}</style></head>` +
    `<body><main${options.wide ? ' class="wide"' : ''}><p class="brand">Gatehouse · development</p>${body}</main></body></html>`
  )
}

/** Hidden form fields, escaped. */
export const hidden = (fields: Record<string, string>): string =>
  Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${h(name)}" value="${h(value)}">`)
    .join('')

/** A checkbox row of a `ul.checks` list. */
export const checkRow = (name: string, value: string, label: string, checked = true): string =>
  `<li><label class="check"><input type="checkbox" name="${h(name)}" value="${h(value)}"${checked ? ' checked' : ''}>` +
  `<span>${label}</span></label></li>`

/** How a page names a client: its name, else its id. */
export const clientLabel = (client: Pick<OAuth2Client, 'client_id' | 'client_name'>) => client.client_name || client.client_id
