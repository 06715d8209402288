// Packs a kernel's uniform parameters: a WGSL struct of 4-byte scalars, in declaration order.
//   struct Params { n: u32, scale: f32, offset: i32 }  ⇔  new Params().u32(n).f32(scale).i32(offset)

export class Params {
  private readonly view = new DataView(new ArrayBuffer(256));
  private n = 0;

  u32(v: number): this {
    this.view.setUint32(this.n, v >>> 0, true);
    this.n += 4;
    return this;
  }
  i32(v: number): this {
    this.view.setInt32(this.n, v | 0, true);
    this.n += 4;
    return this;
  }
  f32(v: number): this {
    this.view.setFloat32(this.n, v, true);
    this.n += 4;
    return this;
  }
  get bytes(): Uint8Array {
    // WGSL uniform structs are padded to 16 bytes
    return new Uint8Array(this.view.buffer, 0, Math.max(16, Math.ceil(this.n / 16) * 16));
  }
}

export function params(): Params {
  return new Params();
}
