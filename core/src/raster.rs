//! The one in-memory image the pipeline passes between stages: 8 bits per channel, interleaved,
//! 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA) channels, alpha straight (not premultiplied).

#[derive(Clone, PartialEq, Eq)]
pub struct Raster {
    pub width: u32,
    pub height: u32,
    pub channels: u8,
    pub data: Vec<u8>,
}

impl std::fmt::Debug for Raster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Raster({}x{}x{})",
            self.width, self.height, self.channels
        )
    }
}

impl Raster {
    pub fn new(width: u32, height: u32, channels: u8, data: Vec<u8>) -> Self {
        debug_assert_eq!(
            data.len(),
            width as usize * height as usize * channels as usize
        );
        Raster {
            width,
            height,
            channels,
            data,
        }
    }

    pub fn has_alpha(&self) -> bool {
        self.channels == 2 || self.channels == 4
    }

    pub fn is_gray(&self) -> bool {
        self.channels <= 2
    }

    pub fn pixel(&self, x: u32, y: u32) -> &[u8] {
        let n = self.channels as usize;
        let i = (y as usize * self.width as usize + x as usize) * n;
        &self.data[i..i + n]
    }

    /// Gray becomes RGB (alpha kept), for steps that introduce colour (a coloured background).
    pub fn into_rgb(self) -> Raster {
        if !self.is_gray() {
            return self;
        }
        let alpha = self.has_alpha();
        let out_channels = if alpha { 4 } else { 3 };
        let mut data = Vec::with_capacity(self.data.len() / self.channels as usize * out_channels);
        for px in self.data.chunks_exact(self.channels as usize) {
            data.extend_from_slice(&[px[0], px[0], px[0]]);
            if alpha {
                data.push(px[1]);
            }
        }
        Raster::new(self.width, self.height, out_channels as u8, data)
    }

    /// Straight-alpha RGBA bytes: gray spread to RGB, alpha 255 where there is none (a browser's
    /// `ImageData`, thumbhash's input).
    pub fn to_rgba(&self) -> Vec<u8> {
        let n = self.channels as usize;
        if n == 4 {
            return self.data.clone();
        }
        let mut rgba = Vec::with_capacity(self.data.len() / n * 4);
        for p in self.data.chunks_exact(n) {
            rgba.extend_from_slice(&match n {
                1 => [p[0], p[0], p[0], 255],
                2 => [p[0], p[0], p[0], p[1]],
                _ => [p[0], p[1], p[2], 255],
            });
        }
        rgba
    }

    /// The pixels of `r`, which lies inside the raster (the plan checked it).
    pub fn cropped(self, r: crate::options::Rect) -> Raster {
        if (r.left, r.top, r.width, r.height) == (0, 0, self.width, self.height) {
            return self;
        }
        let n = self.channels as usize;
        let row = self.width as usize * n;
        let (left, width) = (r.left as usize * n, r.width as usize * n);
        let mut data = Vec::with_capacity(width * r.height as usize);
        for y in r.top as usize..(r.top + r.height) as usize {
            data.extend_from_slice(&self.data[y * row + left..y * row + left + width]);
        }
        Raster::new(r.width, r.height, self.channels, data)
    }

    /// The same pixels without their alpha channel, colours as they are, not blended onto
    /// anything (sharp's `removeAlpha`).
    pub fn without_alpha(self) -> Raster {
        if !self.has_alpha() {
            return self;
        }
        let n = self.channels as usize;
        let data = self
            .data
            .chunks_exact(n)
            .flat_map(|px| px[..n - 1].iter().copied())
            .collect();
        Raster::new(self.width, self.height, self.channels - 1, data)
    }

    /// The same pixels with an opaque alpha channel added when they have none (sharp's
    /// `ensureAlpha`).
    pub fn with_opaque_alpha(self) -> Raster {
        if self.has_alpha() {
            return self;
        }
        let n = self.channels as usize;
        let mut data = Vec::with_capacity(self.data.len() / n * (n + 1));
        for px in self.data.chunks_exact(n) {
            data.extend_from_slice(px);
            data.push(255);
        }
        Raster::new(self.width, self.height, self.channels + 1, data)
    }

    /// Drops the alpha channel if every pixel is opaque (saves a channel through resize and
    /// lets JPEG skip the flatten).
    pub fn drop_opaque_alpha(self) -> Raster {
        if !self.has_alpha() {
            return self;
        }
        let n = self.channels as usize;
        if self.data.chunks_exact(n).any(|px| px[n - 1] != 255) {
            return self;
        }
        let data = self
            .data
            .chunks_exact(n)
            .flat_map(|px| px[..n - 1].iter().copied())
            .collect();
        Raster::new(self.width, self.height, self.channels - 1, data)
    }
}
