// Building the page: elements from tag, attributes and children; text always through
// text nodes (textContent), never innerHTML, so AIS and list strings (which may hold
// < > & " ') are shown as text wherever they appear.
export function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of kids.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export const clear = (e) => { e.replaceChildren(); return e; };
export const fmtTime = (t) => (t ? String(t).replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : '—');
export const fmtNum = (v, d = 2) => (v === null || v === undefined || Number.isNaN(v) ? '—' : Number(v).toFixed(d));
export const link = (href, text, attrs = {}) => h('a', { href, ...attrs }, text);
export const tag = (text, cls = '') => h('span', { class: `tag ${cls}` }, text);
export function vesselNames(ev) {
  return (ev.vessels || []).map((v) => `${v.name || '?'} (${v.mmsi})`).join(', ');
}
export const val = (form, name) => form.elements.namedItem(name).value;
