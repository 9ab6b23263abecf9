// crc32fast without its 16 KB table in the .wasm, for both builds.
//
// png (and flate2 under it) checks and writes CRC-32 with crc32fast, whose slicing-by-16 table is
// a 16 KB `static` of 4,096 constants: random-looking data that gzip cannot shrink, so 16 KB of the
// package's 400 KB gzipped budget. On wasm32 no specialised (CLMUL) path exists, so that table is
// all crc32fast uses there. The browser builds take a copy of crc32fast whose table is computed on
// first use (microseconds, once per instance) instead of stored; the algorithm and the table's
// values are the same, so every checksum is the same. Like the fast_image_resize gate in simd.mjs,
// the copy replaces the crate through a cargo path override: the lockfile is untouched and nothing
// is vendored. A wrong table could not pass unnoticed: every PNG decode checks chunk CRCs and every
// PNG the tests encode is compared byte for byte with the native CLI's.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { copyCrate, crateSource } from './simd.mjs';

/** What the copy's `src/table.rs` becomes: the same `CRC32_TABLE`, built by a `LazyLock`. */
const COMPUTED_TABLE = `// Written by thumbsmith's bindings-wasm/scripts/crc32.mjs: the slicing-by-16 table, computed on
// first use instead of stored (16 KB less .wasm). Indexing it is unchanged (\`CRC32_TABLE[i][b]\`,
// through Deref). Each lookup checks the LazyLock (a load and a branch: LLVM does not hoist it);
// CRC-32 is a small part of a PNG decode, and job times measured the same.
extern crate std;

pub static CRC32_TABLE: std::sync::LazyLock<[[u32; 256]; 16]> = std::sync::LazyLock::new(|| {
    let mut table = [[0u32; 256]; 16];
    for (byte, entry) in table[0].iter_mut().enumerate() {
        let mut crc = byte as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
        *entry = crc;
    }
    for slice in 1..16 {
        for byte in 0..256 {
            let previous = table[slice - 1][byte];
            table[slice][byte] = (previous >> 8) ^ table[0][(previous & 0xFF) as usize];
        }
    }
    table
});
`;

/** The table COMPUTED_TABLE builds, in JS: checked against the stored one before replacing it. */
function slicingBy16Table() {
  const table = Array.from({ length: 16 }, () => new Uint32Array(256));
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
    table[0][byte] = crc >>> 0;
  }
  for (let slice = 1; slice < 16; slice++) {
    for (let byte = 0; byte < 256; byte++) {
      const previous = table[slice - 1][byte];
      table[slice][byte] = ((previous >>> 8) ^ table[0][previous & 0xff]) >>> 0;
    }
  }
  return table.flatMap((row) => [...row]);
}

/**
 * Writes the copy of crc32fast to `into` and a cargo config file overriding the crate with it;
 * returns that file's path. Fails if the crate's table is not the one COMPUTED_TABLE builds (a new
 * crc32fast release that changed it must be looked at, not silently patched).
 */
export async function computedTableCrc32fast(workspace, into) {
  const source = crateSource(workspace, 'crc32fast');
  const stored = await readFile(path.join(source, 'src', 'table.rs'), 'utf8');
  const header = 'pub static CRC32_TABLE: [[u32; 256]; 16] = [';
  const values = stored.includes(header)
    ? [...stored.slice(stored.indexOf(header) + header.length).matchAll(/0x[0-9a-fA-F]{8}/g)].map((m) => Number(m[0]))
    : [];
  const computed = slicingBy16Table();
  if (values.length !== computed.length || values.some((value, i) => value !== computed[i])) {
    throw new Error(`${source}/src/table.rs is not the CRC-32 slicing-by-16 table: has crc32fast changed?`);
  }
  await copyCrate(source, into);
  // Rewritten only when its text changes, so cargo does not rebuild what has not changed.
  const table = path.join(into, 'src', 'table.rs');
  if ((await readFile(table, 'utf8')) !== COMPUTED_TABLE) await writeFile(table, COMPUTED_TABLE);
  const config = path.join(into, '..', 'crc32fast-override.toml');
  await writeFile(config, `paths = [${JSON.stringify(path.resolve(into))}]\n`);
  return config;
}
