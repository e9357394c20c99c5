// Checking evidence in the browser, with nothing but the page and the server's answer:
//  1. the log's verifier key "name+keyid+base64(0x01 || key)" (C2SP signed-note): its key id
//     is recomputed, SHA-256(name || 0x0A || 0x01 || key)[0:4];
//  2. the signed head (C2SP tlog-checkpoint): the Ed25519 signature line of that key over the
//     note's text (Web Crypto's Ed25519; @noble/ed25519 where a browser lacks it);
//  3. the event: its leaf hash SHA-256(0x00 || leaf input) from the canonical text the
//     server sent (the page shows that same text), equal to the proof's leaf hash;
//  4. the inclusion proof (RFC 9162 2.1.3.2) from that leaf to the head's root.
import * as ed from '@noble/ed25519';

const enc = new TextEncoder();
const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (s) => {
  if (!/^([0-9a-f]{2})*$/.test(s)) throw new Error('bad hex');
  return Uint8Array.from(s.match(/../g) || [], (x) => parseInt(x, 16));
};
const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const cat = (...a) => {
  const out = new Uint8Array(a.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of a) { out.set(x, o); o += x.length; }
  return out;
};
const eq = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

export async function parseKey(text) {
  const t = text.trim(), a = t.indexOf('+'), b = t.indexOf('+', a + 1);
  const name = a > 0 ? t.slice(0, a) : '', id = t.slice(a + 1, b), key = b > a ? t.slice(b + 1) : ''; /* base64 may hold '+' */
  const raw = b64(key || '');
  if (!name || !/^[0-9a-f]{8}$/.test(id || '') || raw.length !== 33 || raw[0] !== 1) throw new Error('not an Ed25519 verifier key');
  const want = (await sha256(cat(enc.encode(name), Uint8Array.of(10, 1), raw.subarray(1)))).subarray(0, 4);
  if (hex(want) !== id) throw new Error('the key id does not match the key');
  return { name, keyid: unhex(id), pk: raw.subarray(1) };
}

export function parseHead(note) {
  const cut = note.indexOf('\n\n');
  if (cut < 0) throw new Error('not a signed note');
  const text = note.slice(0, cut + 1);
  const lines = text.split('\n');
  const size = Number(lines[1]);
  if (!Number.isSafeInteger(size)) throw new Error('bad tree size');
  const sigs = note.slice(cut + 2).split('\n').filter(Boolean).map((l) => {
    const m = /^\u2014 (\S+) (\S+)$/.exec(l);
    return m ? { name: m[1], sig: b64(m[2]) } : null;
  }).filter(Boolean);
  return { text, origin: lines[0], size, root: b64(lines[2]), sigs };
}

async function edVerify(pk, sig, msg) {
  try {
    const key = await crypto.subtle.importKey('raw', pk, { name: 'Ed25519' }, false, ['verify']);
    return { ok: await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, msg), how: 'Web Crypto Ed25519' };
  } catch (e) {
    if (e && e.name !== 'NotSupportedError' && e.name !== 'TypeError') throw e;
    return { ok: await ed.verifyAsync(sig, msg, pk), how: '@noble/ed25519' };
  }
}

export async function verifyHead(note, keyText) {
  const key = await parseKey(keyText);
  const head = parseHead(note);
  const line = head.sigs.find((s) => s.name === key.name && s.sig.length === 68 && eq(s.sig.subarray(0, 4), key.keyid));
  if (!line) throw new Error(`no signature of key ${key.name} on the head`);
  const r = await edVerify(key.pk, line.sig.subarray(4), enc.encode(head.text));
  if (!r.ok) throw new Error('the head signature does not verify');
  return { head, key, how: r.how };
}

// RFC 9162 2.1.3.2
export async function rootFromInclusion(index, size, leaf, path) {
  if (index >= size) throw new Error('leaf index beyond the tree');
  let fn = index, sn = size - 1, r = leaf;
  for (const p of path) {
    if (sn === 0) throw new Error('proof too long');
    if ((fn & 1) === 1 || fn === sn) {
      r = await sha256(cat(Uint8Array.of(1), p, r));
      if ((fn & 1) === 0) while ((fn & 1) === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = await sha256(cat(Uint8Array.of(1), r, p));
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error('proof too short');
  return r;
}

// The whole check of an event answer of /api/v1/events/ID.
export async function verifyEvent(ans) {
  if (!ans.proof || !ans.head || !ans.pub || !ans.canonical) throw new Error('no signed head covers this event yet');
  const { head, key, how } = await verifyHead(ans.head, ans.pub);
  const p = ans.proof;
  if (p.tree_size !== head.size) throw new Error('the proof is for another head');
  const leaf = await sha256(cat(Uint8Array.of(0), enc.encode(ans.canonical)));
  if (hex(leaf) !== p.leaf_hash) throw new Error('the event does not hash to the proof\'s leaf');
  const root = await rootFromInclusion(p.leaf_index, p.tree_size, leaf, p.path.map(unhex));
  if (!eq(root, head.root)) throw new Error('the proof does not lead to the signed root');
  return { leafIndex: p.leaf_index, size: head.size, keyName: key.name, keyId: hex(key.keyid), how };
}
