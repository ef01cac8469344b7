import { TypeRegistry, Metadata } from '@polkadot/types';
import { readFileSync } from 'node:fs';
import { hexToU8a, compactStripLength } from '@polkadot/util';
const hex = readFileSync('../shared/reference/real-chain/subtensor-spec343-metadata-v15.hex','utf8').trim();
const registry = new TypeRegistry();
const md = new Metadata(registry, compactStripLength(hexToU8a(hex).subarray(1))[1]);
const v15 = md.asV15;
const types = v15.lookup.types;
const show = (id) => { const t = types[id].type; console.log(id, JSON.stringify({path: t.path.map(String), params: t.params.toJSON(), def: t.def.toJSON()})); };
for (const a of process.argv.slice(2)) {
  if (/^\d+$/.test(a)) show(+a); else types.forEach((t,i)=>{ if (t.type.path.join('::').includes(a)) show(i); });
}
console.log('extrinsic', JSON.stringify(v15.extrinsic.toJSON()), 'type', v15.type.toNumber());
