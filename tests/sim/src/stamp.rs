//! A machine-readable capture time in the picture, for glass-to-glass latency: the top
//! [`BLOCK`]-pixel row of each frame holds [`BITS`] black or white blocks, the wall-clock time
//! in milliseconds (modulo 2³², most significant bit first) and an 8-bit checksum (the XOR of
//! its four bytes). It is painted into the raw frame before the camera encodes it, so a
//! browser that draws the decoded frame reads back when it was captured
//! (`benches/preview.mjs`); the method is reference/preview-notes.md's.

use std::time::{SystemTime, UNIX_EPOCH};

use gstreamer as gst;
use gstreamer::prelude::*;

/// Side of one block in pixels.
pub const BLOCK: usize = 16;
/// Blocks in the strip: 32 bits of time, 8 of checksum.
pub const BITS: usize = 40;
/// Luma of a white and a black block (video range).
const WHITE: u8 = 235;
const BLACK: u8 = 16;

/// The strip's bits for a time in milliseconds.
pub fn encode(ms: u32) -> [bool; BITS] {
    let bytes = ms.to_be_bytes();
    let check = bytes.iter().fold(0u8, |a, b| a ^ b);
    let mut bits = [false; BITS];
    for (i, bit) in bits.iter_mut().enumerate() {
        *bit = if i < 32 {
            ms >> (31 - i) & 1 == 1
        } else {
            check >> (39 - i) & 1 == 1
        };
    }
    bits
}

/// The time a strip holds, if its checksum matches.
pub fn decode(bits: &[bool; BITS]) -> Option<u32> {
    let value =
        |range: std::ops::Range<usize>| range.fold(0u32, |acc, i| (acc << 1) | u32::from(bits[i]));
    let ms = value(0..32);
    let check = ms.to_be_bytes().iter().fold(0u8, |a, b| a ^ b);
    (value(32..40) == u32::from(check)).then_some(ms)
}

/// Paint the strip into the luma plane of an I420 picture (`stride` bytes per row).
pub fn paint(luma: &mut [u8], stride: usize, bits: &[bool; BITS]) {
    for row in 0..BLOCK {
        let Some(line) = luma.get_mut(row * stride..(row + 1) * stride) else {
            return;
        };
        for (i, bit) in bits.iter().enumerate() {
            if let Some(block) = line.get_mut(i * BLOCK..(i + 1) * BLOCK) {
                block.fill(if *bit { WHITE } else { BLACK });
            }
        }
    }
}

/// Now, in wall-clock milliseconds modulo 2³² (what the strip holds).
pub fn now_ms() -> u32 {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    (ms % (1u128 << 32)) as u32
}

/// Stamp every buffer leaving `element` (an `identity` after the I420 source) with the time
/// it passes; `width` is the picture's width (the luma stride of I420 rounds it up to 4).
pub fn attach(element: &gst::Element, width: usize) -> Result<(), &'static str> {
    let pad = element
        .static_pad("src")
        .ok_or("the stamp element has no src pad")?;
    let stride = (width + 3) & !3;
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(buffer) = info.buffer_mut() {
            let buffer = buffer.make_mut();
            if let Ok(mut map) = buffer.map_writable() {
                paint(map.as_mut_slice(), stride, &encode(now_ms()));
            }
        }
        gst::PadProbeReturn::Ok
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_strip_reads_back_and_a_damaged_one_does_not() {
        for ms in [0, 1, 0x1234_5678, u32::MAX] {
            assert_eq!(decode(&encode(ms)), Some(ms));
        }
        let mut bits = encode(0x1234_5678);
        bits[5] = !bits[5];
        assert_eq!(decode(&bits), None);
    }

    #[test]
    fn painted_blocks_are_black_or_white_luma() {
        let stride = 640;
        let mut luma = vec![128u8; stride * 20];
        let bits = encode(0xF000_0001);
        paint(&mut luma, stride, &bits);
        assert_eq!(luma[0], WHITE);
        assert_eq!(luma[4 * BLOCK + 3], BLACK);
        assert_eq!(luma[15 * stride + 31 * BLOCK], WHITE);
        assert_eq!(
            luma[16 * stride],
            128,
            "only the top {BLOCK} rows are painted"
        );
    }
}
