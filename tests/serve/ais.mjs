// A small AIS encoder for the service's tests (ITU-R M.1371 message types 1 and 5, armoured
// into !AIVDM sentences with an NMEA 4.0 tag block carrying the receive time): the tests make
// the traffic they need, hostile names included (the AIS 6-bit character set has < > & " ').
class Bits {
  constructor() { this.b = []; }
  put(v, n) { for (let i = n - 1; i >= 0; i--) this.b.push(Math.floor(v / 2 ** i) % 2); }
  sput(v, n) { this.put(v < 0 ? 2 ** n + v : v, n); }
  text(s, chars) {
    const t = s.toUpperCase().padEnd(chars, '@').slice(0, chars);
    for (const c of t) {
      const o = c.charCodeAt(0);
      if (o < 32 || o > 95) throw new Error(`not in the AIS character set: ${c}`);
      this.put(o >= 64 ? o - 64 : o, 6);
    }
  }
}

function armour(bits) {
  const fill = (6 - (bits.length % 6)) % 6;
  const b = bits.concat(Array(fill).fill(0));
  let s = '';
  for (let i = 0; i < b.length; i += 6) {
    let v = 0;
    for (let k = 0; k < 6; k++) v = v * 2 + b[i + k];
    s += String.fromCharCode(v < 40 ? v + 48 : v + 56);
  }
  return { payload: s, fill };
}

const cksum = (s) => {
  let x = 0;
  for (const c of s) x ^= c.charCodeAt(0);
  return x.toString(16).toUpperCase().padStart(2, '0');
};

let seqId = 0;
// Sentences (lines) for a payload, split in fragments of 60 characters, with a tag block.
function sentences(p, tSec, source = 'test') {
  const n = Math.ceil(p.payload.length / 60);
  const seq = n > 1 ? String((seqId++ % 9) + 1) : '';
  const out = [];
  for (let i = 0; i < n; i++) {
    const part = p.payload.slice(i * 60, (i + 1) * 60);
    const body = `AIVDM,${n},${i + 1},${seq},A,${part},${i === n - 1 ? p.fill : 0}`;
    const tag = i === 0 ? `s:${source},c:${tSec}` : `s:${source}`;
    out.push(`\\${tag}*${cksum(tag)}\\!${body}*${cksum(body)}`);
  }
  return out;
}

export function position({ mmsi, lat, lon, sog = 0, cog = 0, heading = 511, t }) {
  const b = new Bits();
  b.put(1, 6); b.put(0, 2); b.put(mmsi, 30); b.put(0, 4); b.sput(-128, 8);
  b.put(Math.round(sog * 10), 10); b.put(0, 1);
  b.sput(Math.round(lon * 600000), 28); b.sput(Math.round(lat * 600000), 27);
  b.put(Math.round(cog * 10), 12); b.put(heading, 9); b.put(60, 6); b.put(0, 2); b.put(0, 3);
  b.put(0, 1); b.put(0, 19);
  return sentences(armour(b.b), t);
}

export function statics({ mmsi, imo = 0, callsign = '', name, type = 70, t }) {
  const b = new Bits();
  b.put(5, 6); b.put(0, 2); b.put(mmsi, 30); b.put(0, 2); b.put(imo, 30);
  b.text(callsign, 7); b.text(name, 20); b.put(type, 8);
  b.put(100, 9); b.put(20, 9); b.put(10, 6); b.put(10, 6); b.put(1, 4);
  b.put(0, 4); b.put(0, 5); b.put(24, 5); b.put(60, 6); b.put(80, 8); b.text('NAMPO', 20);
  b.put(0, 1); b.put(0, 1);
  return sentences(armour(b.b), t);
}
