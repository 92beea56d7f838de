//! Pictures in tests: making small PNG/JPEG files to upload or serve, and reading pictures
//! back (how different two snapshots are, what colour a pixel of a decoded frame is, whether
//! a frame is the appliance's slate).
//!
//! Decoded frames are RGB24, row by row, as `ffmpeg -pix_fmt rgb24 -f rawvideo` writes them.

/// A pixel as signed components, so that differences need no casts.
pub type Rgb = (i32, i32, i32);

/// A PNG of `w`x`h` whose pixel at (x, y) is `pixel(x, y)` (RGBA).
pub fn png(w: u32, h: u32, pixel: impl Fn(u32, u32) -> [u8; 4]) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, y| image::Rgba(pixel(x, y)));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encoding a PNG");
    out.into_inner()
}

/// A JPEG of `w`x`h` whose pixel at (x, y) is `pixel(x, y)` (RGB).
pub fn jpeg(w: u32, h: u32, pixel: impl Fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb(pixel(x, y)));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encoding a JPEG");
    out.into_inner()
}

/// Mean absolute difference of two encoded pictures' pixels (0..255); they must be the same
/// size.
pub fn picture_difference(a: &[u8], b: &[u8]) -> f64 {
    let a = image::load_from_memory(a).expect("picture a").to_rgb8();
    let b = image::load_from_memory(b).expect("picture b").to_rgb8();
    assert_eq!(a.dimensions(), b.dimensions());
    let total: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    total as f64 / a.as_raw().len() as f64
}

/// The pixel at (x, y) of an RGB24 frame `w` pixels wide.
pub fn pixel(rgb: &[u8], w: u32, x: u32, y: u32) -> Rgb {
    let i = ((y * w + x) * 3) as usize;
    (rgb[i] as i32, rgb[i + 1] as i32, rgb[i + 2] as i32)
}

pub fn is_red(p: Rgb) -> bool {
    p.0 > 170 && p.1 < 90 && p.2 < 90
}

pub fn is_blue(p: Rgb) -> bool {
    p.2 > 170 && p.0 < 90 && p.1 < 90
}

pub fn is_green(p: Rgb) -> bool {
    p.1 > 150 && p.0 < 90 && p.2 < 90
}

/// Is this RGB24 frame the appliance's slate rather than a camera? Its top-left pixel is the
/// slate's navy (0x14,0x28,0x50); the simulated cameras' is black.
pub fn is_slate(rgb: &[u8]) -> bool {
    if rgb.len() < 3 {
        return false;
    }
    let (r, g, b) = pixel(rgb, 1, 0, 0);
    b > 50 && b > r + 30 && g < 90
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_differs_from_itself_by_nothing_and_from_its_negative_by_a_lot() {
        let a = png(8, 8, |x, y| [(x * 30) as u8, (y * 30) as u8, 0, 255]);
        let b = png(8, 8, |x, y| {
            [255 - (x * 30) as u8, 255 - (y * 30) as u8, 255, 255]
        });
        assert_eq!(picture_difference(&a, &a), 0.0);
        assert!(picture_difference(&a, &b) > 100.0);
    }

    #[test]
    fn colours_and_the_slate() {
        let frame = [0x14, 0x28, 0x50, 250, 10, 10, 10, 10, 250, 10, 200, 10];
        assert!(is_slate(&frame));
        assert!(!is_slate(&[0, 0, 0]));
        assert!(!is_slate(&[]));
        assert!(is_red(pixel(&frame, 4, 1, 0)));
        assert!(is_blue(pixel(&frame, 4, 2, 0)));
        assert!(is_green(pixel(&frame, 4, 3, 0)));
    }

    #[test]
    fn a_jpeg_decodes_to_its_size() {
        let j = jpeg(32, 16, |x, _| [x as u8 * 8, 0, 128]);
        let img = image::load_from_memory(&j).unwrap();
        assert_eq!((img.width(), img.height()), (32, 16));
    }
}
