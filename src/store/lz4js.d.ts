/** The part of lz4js (0.2, untyped CommonJS) that src/store uses. */
declare module 'lz4js' {
  interface Lz4js {
    compressBound(sizeBytes: number): number;
    compressBlock(
      src: Uint8Array,
      dst: Uint8Array,
      srcIndex: number,
      srcLength: number,
      hashTable: Uint32Array,
    ): number;
  }
  const lz4: Lz4js;
  export default lz4;
}
