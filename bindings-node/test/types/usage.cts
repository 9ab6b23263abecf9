// Type-checked by `make test` (tsc): the CommonJS view of index.d.ts, as a Lambda in TS sees it.
import thumbsmith = require('thumbsmith')

export async function avatar(buf: Buffer): Promise<Buffer> {
  return thumbsmith(buf).resize(512, 512).jpeg().toBuffer()
}

export async function everything(buf: Buffer): Promise<void> {
  const { data, info } = await thumbsmith(buf, { contentHash: true, maxInputPixels: 40e6 })
    .rotate()
    .resize({ width: 256, height: 256, fit: thumbsmith.fit.cover, position: thumbsmith.strategy.attention })
    .extract({ left: 0, top: 0, width: 10, height: 10 })
    .flip()
    .flop(false)
    .flatten({ background: '#ffffff' })
    .webp({ lossless: true })
    .toBuffer({ resolveWithObject: true })
  const hash: string | null = info.contentHash
  const served: [string, number] = [info.mimeType, info.size]
  const region: thumbsmith.Region = info.crop
  const written: thumbsmith.Info = await thumbsmith('in.jpg').png({ compressionLevel: 9 }).toFile('out.png')
  const streamed = thumbsmith({ limitInputPixels: false }).resize(64).clone().toFormat(thumbsmith.format.png)
  streamed.on('info', (i: thumbsmith.Info) => console.log(i.channels)).pipe(process.stdout)
  console.log(thumbsmith.cache(false).files.max, thumbsmith.concurrency(), thumbsmith.counters().process, thumbsmith.simd())
  const meta: thumbsmith.SharpMetadata = await thumbsmith(buf).autoOrient().metadata()
  const result: thumbsmith.ProcessResult = await thumbsmith.process(buf, { width: 5, position: { x: 0.5, y: 0.2 } })
  const defaults: Required<thumbsmith.Options> = thumbsmith.defaults()
  const codes: readonly thumbsmith.ErrorCode[] = thumbsmith.codes
  thumbsmith(buf).toBuffer((err: thumbsmith.ThumbsmithError | null, out?: Buffer, i?: thumbsmith.Info) => {
    if (err) console.log(err.code, err.option)
    else console.log(out?.length, i?.size)
  })
  console.log(data.length, hash, served, region, written.size, meta.hasGps, result.info.crop.left, defaults.quality, codes)
}
