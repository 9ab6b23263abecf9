// Type-checked by `make test` (tsc): the ESM view, default and named imports.
import thumbsmith, { process, metadata, codes } from 'thumbsmith'

const buf = Buffer.alloc(0)
const out: Buffer = await thumbsmith(buf).resize(512, 512).jpeg().toBuffer()
const { info } = await process(buf, { width: 64, format: 'png' })
const header = await metadata('photo.jpg')
console.log(out.length, info.width, header.orientedWidth, codes.length)
