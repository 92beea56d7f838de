//! The slate's own picture: its colour, and a frame of it with the slate's composition
//! (words, clock, picture, overlays) drawn on, as the program switch shows it.

use gstreamer as gst;
use gstreamer::glib;
use gstreamer_video as gst_video;
use gstreamer_video::prelude::*;

/// The slate's background: a dark navy, so a slate is told apart from a dark camera picture
/// (also by the tests, which check the colour in what the ingest recorded).
pub const SLATE_ARGB: u32 = 0xff14_2850;

/// The slate colour (0xAARRGGBB) as limited-range Y, Cb, Cr for a colour matrix given by its
/// Kr and Kb (pure; what a converter would produce, without one).
pub fn yuv_of_argb(argb: u32, kr: f64, kb: f64) -> [u8; 3] {
    let channel = |shift: u32| f64::from((argb >> shift) & 0xff) / 255.0;
    let (r, g, b) = (channel(16), channel(8), channel(0));
    let kg = 1.0 - kr - kb;
    let y = kr * r + kg * g + kb * b;
    let cb = (b - y) / (2.0 * (1.0 - kb));
    let cr = (r - y) / (2.0 * (1.0 - kr));
    let to_u8 = |v: f64| v.round().clamp(0.0, 255.0) as u8;
    [
        to_u8(16.0 + 219.0 * y),
        to_u8(128.0 + 224.0 * cb),
        to_u8(128.0 + 224.0 * cr),
    ]
}

/// A picture of the slate colour with `composition` drawn on it.
pub(super) fn draw_slate(
    info: &gst_video::VideoInfo,
    composition: Option<&gst_video::VideoOverlayComposition>,
) -> Result<gst::Buffer, glib::BoolError> {
    let buffer = gst::Buffer::with_size(info.size())?;
    let mut frame = gst_video::VideoFrame::from_buffer_writable(buffer, info)
        .map_err(|_| glib::bool_error!("mapping a new picture"))?;
    let (kr, kb) = info
        .colorimetry()
        .matrix()
        .kr_kb()
        .unwrap_or((0.2126, 0.0722));
    let yuv = yuv_of_argb(SLATE_ARGB, kr, kb);
    for (plane, value) in yuv.iter().enumerate().take(frame.n_planes() as usize) {
        frame.plane_data_mut(plane as u32)?.fill(*value);
    }
    if let Some(c) = composition {
        c.blend(&mut frame.as_mut_video_frame_ref())?;
    }
    Ok(frame.into_buffer())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slate_navy_in_bt709_and_bt601() {
        // BT.709 (HD pictures): Y 49, Cb 148, Cr 118 for #142850.
        assert_eq!(yuv_of_argb(0xff14_2850, 0.2126, 0.0722), [49, 148, 118]);
        // BT.601: Y 49, Cb 149, Cr 116.
        assert_eq!(yuv_of_argb(0xff14_2850, 0.299, 0.114), [49, 149, 116]);
        assert_eq!(yuv_of_argb(0xff00_0000, 0.2126, 0.0722), [16, 128, 128]);
        assert_eq!(yuv_of_argb(0xffff_ffff, 0.2126, 0.0722), [235, 128, 128]);
    }
}
