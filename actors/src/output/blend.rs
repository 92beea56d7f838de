//! Drawing overlays onto I420 pictures, for every frame of a program with overlays.
//!
//! GStreamer's own `gst_video_overlay_composition_blend` unpacks every destination line
//! under an overlay to AYUV, blends, and packs it back; with one 256x102 logo that was as
//! much CPU as copying the whole 720p picture (docs/benchmarks.md, sixth round). Here each
//! overlay rectangle is converted once, when the composition changes, into the picture's own
//! layout (luma and alpha at full resolution, chroma and its alpha on the picture's 2x2
//! chroma grid), and a frame only mixes bytes: `out = (overlay * a + picture * (255 - a)) / 255`.
//! GStreamer still converts and scales each rectangle (its cached AYUV pixels at the render
//! size), so colours and placement are the ones `overlaycomposition` would give.

/// One overlay rectangle ready to blend onto I420 pictures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanarRect {
    luma: Layer,
    u: Layer,
    v: Layer,
}

/// Values and their alpha on one plane's grid, placed at (x, y) of that plane.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Layer {
    x: i64,
    y: i64,
    width: usize,
    height: usize,
    values: Vec<u8>,
    alpha: Vec<u8>,
}

impl PlanarRect {
    /// From AYUV pixels (A, Y, U, V bytes per pixel, straight alpha; `stride` bytes per row)
    /// of a `width` x `height` rectangle whose top-left corner is at (`x`, `y`) of the
    /// picture.
    pub fn from_ayuv(
        ayuv: &[u8],
        stride: usize,
        width: usize,
        height: usize,
        x: i64,
        y: i64,
    ) -> Self {
        let pixel = |col: usize, row: usize| -> [u8; 4] {
            let i = row * stride + col * 4;
            match ayuv.get(i..i + 4) {
                Some(p) => [p[0], p[1], p[2], p[3]],
                None => [0; 4],
            }
        };
        let mut luma = Layer {
            x,
            y,
            width,
            height,
            values: Vec::with_capacity(width * height),
            alpha: Vec::with_capacity(width * height),
        };
        for row in 0..height {
            for col in 0..width {
                let [a, y, _, _] = pixel(col, row);
                luma.values.push(y);
                luma.alpha.push(a);
            }
        }
        // The chroma samples whose 2x2 luma block the rectangle touches. A block's alpha is
        // the mean over its four luma positions (those outside the rectangle count as
        // transparent); its colour is the alpha-weighted mean of the covered ones.
        let (cx0, cy0) = (x.div_euclid(2), y.div_euclid(2));
        let (cx1, cy1) = (
            (x + width as i64 + 1).div_euclid(2),
            (y + height as i64 + 1).div_euclid(2),
        );
        let (cw, ch) = ((cx1 - cx0).max(0) as usize, (cy1 - cy0).max(0) as usize);
        let mut u = Layer {
            x: cx0,
            y: cy0,
            width: cw,
            height: ch,
            values: Vec::with_capacity(cw * ch),
            alpha: Vec::with_capacity(cw * ch),
        };
        let mut v = u.clone();
        for cy in cy0..cy1 {
            for cx in cx0..cx1 {
                let (mut a_sum, mut u_sum, mut v_sum) = (0u32, 0u32, 0u32);
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let (col, row) = (2 * cx + dx - x, 2 * cy + dy - y);
                    if col < 0 || row < 0 || col >= width as i64 || row >= height as i64 {
                        continue;
                    }
                    let [a, _, pu, pv] = pixel(col as usize, row as usize);
                    a_sum += u32::from(a);
                    u_sum += u32::from(a) * u32::from(pu);
                    v_sum += u32::from(a) * u32::from(pv);
                }
                let alpha = ((a_sum + 2) / 4) as u8;
                // Weighted means; a fully transparent block keeps neutral chroma.
                let mean = |sum: u32| {
                    (sum + a_sum / 2)
                        .checked_div(a_sum)
                        .map_or(128, |m| m as u8)
                };
                let (pu, pv) = (mean(u_sum), mean(v_sum));
                u.values.push(pu);
                u.alpha.push(alpha);
                v.values.push(pv);
                v.alpha.push(alpha);
            }
        }
        Self { luma, u, v }
    }

    /// Blend onto plane `index` (0 = Y, 1 = U, 2 = V) of an I420 picture `width` x `height`
    /// whose rows are `stride` bytes apart. Parts outside the picture are left out.
    pub fn blend_plane(
        &self,
        index: usize,
        plane: &mut [u8],
        stride: usize,
        width: usize,
        height: usize,
    ) {
        let (layer, plane_w, plane_h) = match index {
            0 => (&self.luma, width, height),
            1 => (&self.u, width.div_ceil(2), height.div_ceil(2)),
            _ => (&self.v, width.div_ceil(2), height.div_ceil(2)),
        };
        layer.blend(plane, stride, plane_w, plane_h);
    }
}

impl Layer {
    fn blend(&self, plane: &mut [u8], stride: usize, plane_w: usize, plane_h: usize) {
        // Columns of the layer that land inside the plane, the same for every row.
        let first_col = (-self.x).clamp(0, self.width as i64) as usize;
        let last_col = (plane_w as i64 - self.x).clamp(0, self.width as i64) as usize;
        if first_col >= last_col {
            return;
        }
        let dest_col = (self.x + first_col as i64) as usize;
        for row in 0..self.height {
            let dest_row = self.y + row as i64;
            if dest_row < 0 || dest_row >= plane_h as i64 {
                continue;
            }
            let start = dest_row as usize * stride + dest_col;
            let Some(dest) = plane.get_mut(start..start + (last_col - first_col)) else {
                continue;
            };
            let from = row * self.width + first_col;
            let to = row * self.width + last_col;
            for ((d, &value), &a) in dest
                .iter_mut()
                .zip(&self.values[from..to])
                .zip(&self.alpha[from..to])
            {
                *d = mix(*d, value, a);
            }
        }
    }
}

/// `picture` covered by `overlay` with opacity `alpha` (0..255), rounded.
fn mix(picture: u8, overlay: u8, alpha: u8) -> u8 {
    let a = u32::from(alpha);
    ((u32::from(overlay) * a + u32::from(picture) * (255 - a) + 127) / 255) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A w x h AYUV rectangle of one colour.
    fn solid(w: usize, h: usize, a: u8, y: u8, u: u8, v: u8) -> Vec<u8> {
        [a, y, u, v].repeat(w * h)
    }

    /// An 8x4 I420 picture of one colour: (Y, U, V) planes.
    fn picture(y: u8, u: u8, v: u8) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        (vec![y; 8 * 4], vec![u; 4 * 2], vec![v; 4 * 2])
    }

    fn blend_all(rect: &PlanarRect, p: &mut (Vec<u8>, Vec<u8>, Vec<u8>)) {
        rect.blend_plane(0, &mut p.0, 8, 8, 4);
        rect.blend_plane(1, &mut p.1, 4, 8, 4);
        rect.blend_plane(2, &mut p.2, 4, 8, 4);
    }

    #[test]
    fn an_opaque_rectangle_replaces_exactly_its_pixels() {
        let rect = PlanarRect::from_ayuv(&solid(2, 2, 255, 200, 50, 60), 8, 2, 2, 2, 0);
        let mut p = picture(16, 128, 128);
        blend_all(&rect, &mut p);
        for row in 0..4 {
            for col in 0..8 {
                let inside = (2..4).contains(&col) && row < 2;
                assert_eq!(
                    p.0[row * 8 + col],
                    if inside { 200 } else { 16 },
                    "Y {col},{row}"
                );
            }
        }
        // The chroma sample at (1, 0) covers luma (2..4, 0..2): all of the rectangle.
        assert_eq!(p.1, vec![128, 50, 128, 128, 128, 128, 128, 128]);
        assert_eq!(p.2, vec![128, 60, 128, 128, 128, 128, 128, 128]);
    }

    #[test]
    fn alpha_mixes_and_transparent_pixels_change_nothing() {
        let half = PlanarRect::from_ayuv(&solid(8, 4, 128, 216, 128, 128), 32, 8, 4, 0, 0);
        let mut p = picture(16, 128, 128);
        blend_all(&half, &mut p);
        assert!(p.0.iter().all(|&y| y == 116), "{:?}", p.0);
        let clear = PlanarRect::from_ayuv(&solid(8, 4, 0, 235, 0, 255), 32, 8, 4, 0, 0);
        let mut p = picture(40, 100, 150);
        blend_all(&clear, &mut p);
        assert_eq!(p, picture(40, 100, 150));
    }

    #[test]
    fn a_chroma_sample_half_covered_gets_half_the_alpha() {
        // One column wide at an odd x: covers half of each chroma block it touches.
        let rect = PlanarRect::from_ayuv(&solid(1, 2, 255, 235, 0, 255), 4, 1, 2, 3, 0);
        let mut p = picture(16, 128, 128);
        blend_all(&rect, &mut p);
        assert_eq!(p.1[1], mix(128, 0, 128));
        assert_eq!(p.2[1], mix(128, 255, 128));
        assert_eq!(p.1[0], 128);
    }

    #[test]
    fn rectangles_partly_or_wholly_outside_the_picture_are_clipped() {
        for (x, y) in [(-1, -1), (7, 3), (-20, 0), (0, 9), (6, -1)] {
            let rect = PlanarRect::from_ayuv(&solid(3, 3, 255, 100, 90, 80), 12, 3, 3, x, y);
            let mut p = picture(16, 128, 128);
            blend_all(&rect, &mut p);
            let covered = p.0.iter().filter(|&&v| v == 100).count();
            let expected = (0..3)
                .flat_map(|r| (0..3).map(move |c| (x + c, y + r)))
                .filter(|&(c, r)| (0..8).contains(&c) && (0..4).contains(&r))
                .count();
            assert_eq!(covered, expected, "at {x},{y}");
        }
    }

    #[test]
    fn a_short_pixel_buffer_reads_as_transparent() {
        let rect = PlanarRect::from_ayuv(&[255, 200, 50, 60], 8, 2, 2, 0, 0);
        let mut p = picture(16, 128, 128);
        blend_all(&rect, &mut p);
        assert_eq!(p.0[0], 200);
        assert_eq!(p.0[1], 16, "missing pixels change nothing");
    }
}
