// Types of thumbsmith-wasm. The option names mirror the core's `Options` (camelCase; snake_case is
// accepted too); the defaults live only in the core: see `defaults()` and the README's table.
// Typed arrays are generic in TypeScript 5.7+: results are backed by plain ArrayBuffers.

export type Fit = 'cover' | 'contain' | 'fill' | 'inside' | 'outside';
export type Gravity =
  | 'centre' | 'center' | 'north' | 'north-east' | 'east' | 'south-east' | 'south' | 'south-west' | 'west'
  | 'north-west' | 'top' | 'right' | 'bottom' | 'left' | 'right top' | 'right bottom' | 'left bottom' | 'left top';
export type Position = Gravity | 'entropy' | 'attention' | { x: number; y: number };
export type Kernel = 'lanczos3' | 'mitchell' | 'catmull-rom' | 'bilinear' | 'box' | 'nearest';
export type OutputFormat = 'jpeg' | 'jpg' | 'png' | 'webp' | 'same';
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif';
export type Color = string | [number, number, number] | [number, number, number, number] | { r: number; g: number; b: number; alpha?: number };

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Every option of the core's one `Options` type; any may be left out (the core's default). */
export interface Options {
  width?: number | null;
  height?: number | null;
  fit?: Fit;
  position?: Position;
  kernel?: Kernel;
  withoutEnlargement?: boolean;
  withoutReduction?: boolean;
  /** Cut first, in pixels of the upright image. */
  crop?: Rect | null;
  background?: Color;
  flatten?: boolean;
  autoOrient?: boolean;
  rotate?: 0 | 90 | 180 | 270;
  flip?: boolean;
  flop?: boolean;
  toSrgb?: boolean;
  format?: OutputFormat;
  quality?: number;
  progressive?: boolean;
  chromaSubsampling?: '4:2:0' | '4:2:2' | '4:4:4';
  /** Refused here (ERR_ENCODE_FAILED): this package leaves the core's `smart-subsample` out for size. */
  smartSubsample?: boolean;
  optimizeCoding?: boolean;
  compressionLevel?: number;
  /** The core's; this package has no WebP encoder (`format: 'webp'`, or `'same'` on a WebP input, throws ERR_ENCODE_FAILED). */
  lossless?: boolean;
  keepIcc?: boolean;
  /** Refused here (ERR_ENCODE_FAILED): this package has no EXIF writer. */
  keepCopyright?: boolean;
  /** Refused here (ERR_ENCODE_FAILED): this package has no EXIF writer. */
  keepGps?: boolean;
  maxInputPixels?: number;
  maxInputBytes?: number;
  /** Default 4 MiB: an ICC profile or EXIF block over it is refused (ERR_LIMIT_EXCEEDED). */
  maxMetadataBytes?: number;
  maxOutputDimension?: number;
  thumbhash?: boolean;
  dominantColor?: boolean;
  contentHash?: boolean;
}

/** What was done, shared by `process` and `render`. */
interface Facts {
  width: number;
  height: number;
  sourceFormat: ImageFormat;
  /** Source size as displayed (after EXIF orientation). */
  sourceWidth: number;
  sourceHeight: number;
  /** The EXIF orientation that was applied (1 when none was). */
  orientation: number;
  /** The part of the source used, in pixels of the upright source. */
  crop: Rect;
}

export interface ProcessResult extends Facts {
  /** The encoded image. */
  data: Uint8Array<ArrayBuffer>;
  format: ImageFormat;
  thumbhash: Uint8Array<ArrayBuffer> | null;
  dominantColor: string | null;
  contentHash: string | null;
}

export interface RenderResult extends Facts {
  /** Straight-alpha RGBA, `width × height × 4` bytes: `new ImageData(data, width, height)`. */
  data: Uint8ClampedArray<ArrayBuffer>;
}

export interface Metadata {
  format: ImageFormat;
  width: number;
  height: number;
  orientedWidth: number;
  orientedHeight: number;
  orientation: number;
  hasAlpha: boolean;
  bitDepth: number;
  colorModel: 'rgb' | 'gray' | 'cmyk';
  hasIcc: boolean;
  hasExif: boolean;
  hasGps: boolean;
  frames: number;
  progressive: boolean;
}

export type ErrorCode =
  | 'ERR_UNSUPPORTED_FORMAT' | 'ERR_CORRUPT_INPUT' | 'ERR_LIMIT_EXCEEDED' | 'ERR_INVALID_OPTION'
  | 'ERR_ENCODE_FAILED' | 'ERR_IO' | 'ERR_INTERNAL';

/** What every call throws: the core's message, its code, and the facts of the error. */
export interface ThumbsmithError extends Error {
  code: ErrorCode | 'ERR_INVALID_ARG_TYPE' | 'ERR_NOT_INITIALIZED';
  /** The format concerned (unsupported, corrupt, cannot encode). */
  format?: string;
  /** The limit refused: the option to raise (camelCase), its value and the input's. */
  option?: string;
  limit?: number;
  value?: number;
}

export type Build = 'simd' | 'baseline';

export interface Loaded {
  build: Build;
  simd: boolean;
  compileMs: number;
  instantiateMs: number;
}

/** Bytes of an image: a Uint8Array (or Node Buffer) or an ArrayBuffer. */
export type Input = Uint8Array | ArrayBuffer;

export default function init(options?: { build?: Build }): Promise<Loaded>;
export function simdSupported(): boolean;
export function loaded(): { build: Build; glueUrl: string } | null;
export function process(bytes: Input, options?: Options | null): ProcessResult;
export function render(bytes: Input, options?: Options | null): RenderResult;
export function metadata(bytes: Input): Metadata;
export function defaults(): Required<Options>;
export function errorCodes(): ErrorCode[];
