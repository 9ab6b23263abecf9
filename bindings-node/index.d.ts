// Types of the `thumbsmith` npm package. Option names and values are the core's (thumbsmith::Options,
// camelCase); their defaults live only in the core: `defaults()` returns them.

/// <reference types="node" />

type Colour = string | [number, number, number] | [number, number, number, number] | { r: number; g: number; b: number; alpha?: number }

declare namespace thumbsmith {
  /** Encoded image bytes (JPEG, PNG, WebP, GIF; sniffed, never taken from a name) or a file path. */
  type Input = Buffer | Uint8Array | string

  type Fit = 'cover' | 'contain' | 'fill' | 'inside' | 'outside'
  type Gravity =
    | 'centre' | 'center' | 'north' | 'north-east' | 'east' | 'south-east' | 'south' | 'south-west' | 'west' | 'north-west'
    | 'top' | 'right' | 'bottom' | 'left' | 'northeast' | 'southeast' | 'southwest' | 'northwest'
    | 'right top' | 'top right' | 'right bottom' | 'bottom right' | 'left bottom' | 'bottom left' | 'left top' | 'top left'
  type Strategy = 'entropy' | 'attention'
  type Kernel = 'lanczos3' | 'lanczos' | 'mitchell' | 'catmull-rom' | 'catmullrom' | 'cubic' | 'bilinear' | 'linear' | 'triangle' | 'box' | 'nearest'
  type OutputFormat = 'jpeg' | 'jpg' | 'png' | 'webp' | 'same'
  type ChromaSubsampling = '4:2:0' | '4:2:2' | '4:4:4'

  /** A rectangle in pixels of the upright image. */
  interface Region {
    left: number
    top: number
    width: number
    height: number
  }

  /** Every option of the core (see the table in README.md). Omit a key to get the core's default. */
  interface Options {
    width?: number | null
    height?: number | null
    fit?: Fit
    /** A gravity, a focal point as fractions of the upright image, or a smart-crop strategy. */
    position?: Gravity | Strategy | { x: number; y: number }
    kernel?: Kernel
    withoutEnlargement?: boolean
    withoutReduction?: boolean
    /** Cut first, before any resize, in pixels of the upright image. */
    crop?: Region | null
    /** Letterbox and flatten colour: `#rgb`, `#rrggbb`, `#rrggbbaa`, white/black/transparent, `[r,g,b(,a)]`, `{r,g,b,alpha}`. */
    background?: Colour
    flatten?: boolean
    autoOrient?: boolean
    rotate?: 0 | 90 | 180 | 270
    flip?: boolean
    flop?: boolean
    toSrgb?: boolean
    format?: OutputFormat
    quality?: number
    progressive?: boolean
    chromaSubsampling?: ChromaSubsampling
    /** Luma that keeps saturated colour edges their brightness through 4:2:0/4:2:2 (like sharp's `smartSubsample`). */
    smartSubsample?: boolean
    optimizeCoding?: boolean
    compressionLevel?: number
    lossless?: boolean
    keepIcc?: boolean
    keepCopyright?: boolean
    keepGps?: boolean
    maxInputPixels?: number
    maxInputBytes?: number
    /** Default 4 MiB: an ICC profile or EXIF block over it is refused (ERR_LIMIT_EXCEEDED). */
    maxMetadataBytes?: number
    maxOutputDimension?: number
    thumbhash?: boolean
    dominantColor?: boolean
    contentHash?: boolean
  }

  /** What was made: the core's `Output` fields, camelCase, plus `size`. */
  interface Info {
    format: 'jpeg' | 'png' | 'webp'
    width: number
    height: number
    /** Bytes of the encoded image. */
    size: number
    sourceFormat: 'jpeg' | 'png' | 'webp' | 'gif'
    /** Source size as displayed (after EXIF orientation). */
    sourceWidth: number
    sourceHeight: number
    /** The EXIF orientation that was applied (1 when none was). */
    orientation: number
    /** The part of the upright source that was used. */
    crop: Region
    /** ThumbHash bytes, when `thumbhash` was asked for. */
    thumbhash: number[] | null
    /** `#rrggbb`, when `dominantColor` was asked for. */
    dominantColor: string | null
    /** 16 hex digits of SHA-256 of `data`, when `contentHash` was asked for. */
    contentHash: string | null
  }

  interface ProcessResult {
    data: Buffer
    info: Info
  }

  /** Header facts, no pixels decoded (the core's `Metadata`, camelCase). */
  interface Metadata {
    format: 'jpeg' | 'png' | 'webp' | 'gif'
    /** As stored in the file. */
    width: number
    height: number
    /** As displayed, after the EXIF orientation. */
    orientedWidth: number
    orientedHeight: number
    orientation: number
    hasAlpha: boolean
    bitDepth: number
    colorModel: 'rgb' | 'gray' | 'cmyk'
    hasIcc: boolean
    hasExif: boolean
    hasGps: boolean
    frames: number
    progressive: boolean
  }

  type ErrorCode =
    | 'ERR_UNSUPPORTED_FORMAT'
    | 'ERR_CORRUPT_INPUT'
    | 'ERR_LIMIT_EXCEEDED'
    | 'ERR_INVALID_OPTION'
    | 'ERR_ENCODE_FAILED'
    | 'ERR_IO'
    | 'ERR_INTERNAL'

  /** What a job rejects with: the core's message and stable code, and the facts of the failure. */
  interface ThumbsmithError extends Error {
    code: ErrorCode | 'ERR_INVALID_ARG_TYPE'
    /** The format named by ERR_UNSUPPORTED_FORMAT, ERR_CORRUPT_INPUT, ERR_ENCODE_FAILED. */
    format?: string
    /** ERR_LIMIT_EXCEEDED: the option to raise (camelCase), the value and the limit. */
    option?: string
    value?: number
    limit?: number
    /** ERR_IO: the file. */
    path?: string
  }

  interface ResizeOptions {
    width?: number | null
    height?: number | null
    fit?: Fit
    position?: Options['position']
    kernel?: Kernel
    withoutEnlargement?: boolean
    withoutReduction?: boolean
    background?: Colour
  }

  interface JpegOptions {
    quality?: number
    progressive?: boolean
    chromaSubsampling?: ChromaSubsampling
    smartSubsample?: boolean
    optimizeCoding?: boolean
    /** sharp's spelling of `optimizeCoding`. */
    optimiseCoding?: boolean
  }

  interface PngOptions {
    compressionLevel?: number
  }

  interface WebpOptions {
    quality?: number
    lossless?: boolean
  }

  /** The sharp-style chain: each method sets options; `toBuffer` / `toFile` run the one job. */
  class Thumbsmith {
    constructor(input: Input, options?: Options)
    /** No angle: upright from EXIF (thumbsmith does that anyway). An angle: turn clockwise after it. */
    rotate(angle?: number): this
    resize(width?: number | null, height?: number | null, options?: ResizeOptions): this
    resize(options: ResizeOptions): this
    /** Cut from the upright input, before any resize (wherever it is called in the chain). */
    extract(region: Region): this
    flip(flip?: boolean): this
    flop(flop?: boolean): this
    flatten(options?: boolean | { background?: Colour }): this
    jpeg(options?: JpegOptions): this
    png(options?: PngOptions): this
    webp(options?: WebpOptions): this
    toFormat(format: OutputFormat, options?: JpegOptions & PngOptions & WebpOptions): this
    metadata(): Promise<Metadata>
    metadata(callback: (err: ThumbsmithError | null, metadata?: Metadata) => void): this
    /** Without a format method the input's format is kept (`format: "same"`), as sharp does. */
    toBuffer(options: { resolveWithObject: true }): Promise<ProcessResult>
    toBuffer(options?: { resolveWithObject?: false }): Promise<Buffer>
    toBuffer(callback: (err: ThumbsmithError | null, data?: Buffer, info?: Info) => void): this
    /** Without a format method the format is the file's extension, as sharp does. */
    toFile(path: string): Promise<Info>
    toFile(path: string, callback: (err: ThumbsmithError | null, info?: Info) => void): this
  }

  /** Runs the whole job on the libuv thread pool. */
  function process(input: Input, options?: Options | null): Promise<ProcessResult>
  /** Reads the header on the libuv thread pool. */
  function metadata(input: Input): Promise<Metadata>
  /** The core's defaults, camelCase: the only defaults there are. */
  function defaults(): Required<Options>
  /** Every code a job can reject with (the core's; a wrong input type is ERR_INVALID_ARG_TYPE). */
  const codes: readonly ErrorCode[]

  /** sharp's constant tables, as the strings the core reads. */
  const fit: Readonly<Record<'cover' | 'contain' | 'fill' | 'inside' | 'outside', Fit>>
  const gravity: Readonly<Record<'centre' | 'center' | 'north' | 'northeast' | 'east' | 'southeast' | 'south' | 'southwest' | 'west' | 'northwest', Gravity>>
  const strategy: Readonly<Record<'entropy' | 'attention', Strategy>>
  const kernel: Readonly<Record<'nearest' | 'linear' | 'cubic' | 'mitchell' | 'lanczos3', Kernel>>
}

/** `thumbsmith(input).resize(512, 512).jpeg().toBuffer()`: the sharp chain, over `process`. */
declare function thumbsmith(input: thumbsmith.Input, options?: thumbsmith.Options): thumbsmith.Thumbsmith

export = thumbsmith
