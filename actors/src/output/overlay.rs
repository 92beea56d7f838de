//! Overlay layers of a program (OUT-5): images, text and clocks drawn over the program's
//! picture by the program switch (`switch`): over the camera on air, and over the slate with
//! the slate's own words, clock and picture.
//!
//! The switch asks for the overlay of every frame; the answer is a
//! composition built beforehand, whenever a layer changes (a URL image refreshed, a clock
//! ticking to the next second, an operator showing or hiding a layer), so a swap lands on a
//! frame boundary with no glitch and no pipeline change. Blending happens in the frame's own
//! format (I420), with per-pixel alpha and each layer's opacity.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use bytes::Bytes;
use gstreamer as gst;
use gstreamer_video as gst_video;

use super::spec::{LayerSource, OverlayLayer, OverlayPlacement, Raster};

/// Where a layer lands on a `width`x`height` frame (pure): normalized position and size,
/// height from the picture's aspect ratio when not given, clipped to the frame.
pub fn place(
    p: &OverlayPlacement,
    raster_w: u32,
    raster_h: u32,
    width: u32,
    height: u32,
) -> Option<(i32, i32, u32, u32)> {
    let x = (p.x.clamp(0.0, 1.0) * width as f64).round() as i32;
    let y = (p.y.clamp(0.0, 1.0) * height as f64).round() as i32;
    let w = match p.width {
        Some(w) => (w.clamp(0.0, 1.0) * width as f64).round(),
        None => raster_w as f64,
    };
    let h = match p.height {
        Some(h) => (h.clamp(0.0, 1.0) * height as f64).round(),
        None if raster_w > 0 => (w * raster_h as f64 / raster_w as f64).round(),
        None => 0.0,
    };
    let (w, h) = (w as u32, h as u32);
    (w > 0 && h > 0).then_some((x, y, w, h))
}

static FONT: std::sync::OnceLock<Option<FontVec>> = std::sync::OnceLock::new();

const FONT_PATHS: [&str; 2] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
];

fn font() -> Option<&'static FontVec> {
    FONT.get_or_init(|| {
        FONT_PATHS.iter().find_map(|p| {
            let data = std::fs::read(p).ok()?;
            FontVec::try_from_vec(data).ok()
        })
    })
    .as_ref()
}

/// Render one line of text (white by default) on a translucent dark box, for legibility
/// over any picture. `None` when no font is installed (fonts-dejavu-core).
pub fn render_text(text: &str, size_px: u32, color: [u8; 4]) -> Option<Raster> {
    let font = font()?;
    let scale = PxScale::from(size_px.clamp(8, 200) as f32);
    let scaled = font.as_scaled(scale);
    let pad = (size_px / 4).max(2) as f32;
    let mut caret = 0.0f32;
    let mut glyphs = Vec::new();
    let mut previous = None;
    for c in text.chars().filter(|c| !c.is_control()) {
        let id = scaled.glyph_id(c);
        if let Some(p) = previous {
            caret += scaled.kern(p, id);
        }
        glyphs.push(
            id.with_scale_and_position(scale, ab_glyph::point(pad + caret, pad + scaled.ascent())),
        );
        caret += scaled.h_advance(id);
        previous = Some(id);
    }
    let width = (caret + 2.0 * pad).ceil().max(1.0) as u32;
    let height = (scaled.height() + 2.0 * pad).ceil().max(1.0) as u32;
    // Background: black at 60 %.
    let mut rgba = vec![0u8; (width * height * 4) as usize];
    for px in rgba.chunks_exact_mut(4) {
        px[3] = 153;
    }
    for g in glyphs {
        if let Some(outlined) = font.outline_glyph(g) {
            let bounds = outlined.px_bounds();
            outlined.draw(|gx, gy, coverage| {
                let x = bounds.min.x as i32 + gx as i32;
                let y = bounds.min.y as i32 + gy as i32;
                if x < 0 || y < 0 || x >= width as i32 || y >= height as i32 {
                    return;
                }
                let i = ((y as u32 * width + x as u32) * 4) as usize;
                let a = coverage.clamp(0.0, 1.0) * color[3] as f32 / 255.0;
                for c in 0..3 {
                    rgba[i + c] =
                        (color[c] as f32 * a + rgba[i + c] as f32 * (1.0 - a)).round() as u8;
                }
                rgba[i + 3] = (255.0 * a + rgba[i + 3] as f32 * (1.0 - a)).round() as u8;
            });
        }
    }
    Some(Raster {
        width,
        height,
        rgba: Bytes::from(rgba),
    })
}

/// The text a clock layer shows now.
pub fn clock_text(format: &str) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    // An invalid pattern would make `format` fail; show the pattern itself rather than panic.
    if write!(out, "{}", chrono::Local::now().format(format)).is_err() {
        return format.to_string();
    }
    out
}

/// The layers of one running program and the composition the pipeline draws.
#[derive(Default)]
pub struct Overlays {
    inner: Mutex<OverlayState>,
}

#[derive(Default)]
struct OverlayState {
    layers: Vec<OverlayLayer>,
    /// A timeline's layers, drawn above the output's own.
    timeline: Vec<OverlayLayer>,
    /// The timeline's next sets of layers, by the running time (ns) they show from.
    scheduled: Vec<(u64, Vec<OverlayLayer>)>,
    frame: Option<(u32, u32)>,
    /// What the cameras' pictures get: the operator's layers.
    composition: Option<gst_video::VideoOverlayComposition>,
    /// What the slate gets: its words, clock and picture (while it shows), then the layers.
    slate_composition: Option<gst_video::VideoOverlayComposition>,
    /// The clock texts the composition was built with, to rebuild only when they change.
    clock_texts: Vec<String>,
    /// The slate's words, drawn (with a clock) only while the slate is on screen.
    slate_text: String,
    slate_image: Option<Arc<Raster>>,
    slate_visible: bool,
    /// Image layers' rectangles by layer id, with what they were built from: a clock tick or
    /// a change to another layer does not convert every picture again.
    image_rects: HashMap<i64, (ImageKey, gst_video::VideoOverlayRectangle)>,
}

/// What an image layer's rectangle depends on: the picture (by identity: the Arc is held,
/// so its address cannot be reused by another picture) and its placement.
#[derive(Clone)]
struct ImageKey {
    raster: Arc<Raster>,
    rect: (i32, i32, u32, u32),
    opacity: f64,
}

impl PartialEq for ImageKey {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.raster, &other.raster)
            && self.rect == other.rect
            && self.opacity == other.opacity
    }
}

impl Overlays {
    fn lock(&self) -> std::sync::MutexGuard<'_, OverlayState> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The frame size (known from the profile; `caps-changed` confirms it later).
    pub fn set_frame(&self, width: u32, height: u32) {
        let mut s = self.lock();
        s.frame = Some((width, height));
        rebuild(&mut s);
    }

    /// The slate's words and optional picture.
    pub fn set_slate(&self, text: &str, image: Option<Arc<Raster>>) {
        let mut s = self.lock();
        if s.slate_text != text || s.slate_image != image {
            s.slate_text = text.to_string();
            s.slate_image = image;
            rebuild(&mut s);
        }
    }

    /// Draw the slate's text and clock (while the slate is on screen) or not.
    pub fn set_slate_visible(&self, visible: bool) {
        let mut s = self.lock();
        if s.slate_visible != visible {
            s.slate_visible = visible;
            rebuild(&mut s);
        }
    }

    pub fn set_layers(&self, layers: Vec<OverlayLayer>) {
        let mut s = self.lock();
        s.layers = layers;
        rebuild(&mut s);
    }

    /// Show a timeline's `layers` (instead of its previous ones) from `at_ns` of running
    /// time: applied by the switch on the first frame at or after it.
    pub fn schedule_timeline(&self, at_ns: u64, layers: Vec<OverlayLayer>) {
        let mut s = self.lock();
        s.scheduled.retain(|(at, _)| *at != at_ns);
        let i = s.scheduled.partition_point(|(at, _)| *at < at_ns);
        s.scheduled.insert(i, (at_ns, layers));
    }

    /// Forget the timeline layer sets not shown by `now_ns` (paused, seeking).
    pub fn clear_timeline_after(&self, now_ns: u64) {
        self.lock().scheduled.retain(|(at, _)| *at <= now_ns);
    }

    /// Apply the timeline layer sets due at `running_ns` (called for every output frame).
    pub fn advance_to(&self, running_ns: u64) {
        let mut s = self.lock();
        let due = s.scheduled.partition_point(|(at, _)| *at <= running_ns);
        if due == 0 {
            return;
        }
        let latest = s.scheduled.drain(..due).next_back();
        if let Some((_, layers)) = latest {
            s.timeline = layers;
            rebuild(&mut s);
        }
    }

    /// A new picture for every layer showing `asset_id` (a URL image refreshed).
    pub fn update_asset(&self, asset_id: i64, raster: Arc<Raster>) {
        let mut s = self.lock();
        let mut changed = false;
        let OverlayState {
            layers, timeline, ..
        } = &mut *s;
        for l in layers
            .iter_mut()
            .chain(timeline.iter_mut())
            .filter(|l| l.asset_id == asset_id)
        {
            if let LayerSource::Image(old) = &l.source
                && **old == *raster
            {
                continue;
            }
            l.source = LayerSource::Image(raster.clone());
            changed = true;
        }
        if changed {
            rebuild(&mut s);
        }
    }

    /// Rebuild when a clock shows another text than last time (called every ~second).
    pub fn tick(&self) {
        let mut s = self.lock();
        let texts = clock_texts(s.layers.iter().chain(&s.timeline), s.slate_visible);
        if texts != s.clock_texts {
            rebuild(&mut s);
        }
    }

    pub fn layers(&self) -> Vec<OverlayLayer> {
        self.lock().layers.clone()
    }

    /// What the program switch draws on the cameras' pictures (None: nothing to draw).
    pub fn camera_composition(&self) -> Option<gst_video::VideoOverlayComposition> {
        self.lock().composition.clone()
    }

    /// What the program switch draws on the slate.
    pub fn slate_composition(&self) -> Option<gst_video::VideoOverlayComposition> {
        self.lock().slate_composition.clone()
    }
}

/// The slate clock's pattern.
const SLATE_CLOCK: &str = "%Y-%m-%d %H:%M:%S";

fn clock_texts<'a>(
    layers: impl Iterator<Item = &'a OverlayLayer>,
    slate_visible: bool,
) -> Vec<String> {
    let mut texts: Vec<String> = layers
        .filter_map(|l| match &l.source {
            LayerSource::Clock { format, .. } if l.placement.visible => Some(clock_text(format)),
            _ => None,
        })
        .collect();
    if slate_visible {
        texts.push(clock_text(SLATE_CLOCK));
    }
    texts
}

/// Where the slate's picture goes (pure): fitted into half the width and 40 % of the height,
/// keeping its aspect ratio, centred horizontally with its middle at 40 % of the height.
pub fn slate_image_place(
    image_w: u32,
    image_h: u32,
    width: u32,
    height: u32,
) -> Option<(i32, i32, u32, u32)> {
    if image_w == 0 || image_h == 0 {
        return None;
    }
    let (max_w, max_h) = (width as f64 * 0.5, height as f64 * 0.4);
    let scale = (max_w / image_w as f64).min(max_h / image_h as f64);
    let (w, h) = (
        (image_w as f64 * scale).round() as u32,
        (image_h as f64 * scale).round() as u32,
    );
    let x = (width.saturating_sub(w) / 2) as i32;
    let y = (height as f64 * 0.4 - h as f64 / 2.0).round().max(0.0) as i32;
    (w > 0 && h > 0).then_some((x, y, w, h))
}

/// The slate's picture (if any), text (centred, or below the picture) and clock (bottom
/// right), sized to the frame.
fn slate_rects(
    text: &str,
    image: Option<&Raster>,
    width: u32,
    height: u32,
) -> Vec<gst_video::VideoOverlayRectangle> {
    let mut rects = Vec::new();
    let white = [255, 255, 255, 255];
    let picture = image.and_then(|img| {
        Some((
            img,
            slate_image_place(img.width, img.height, width, height)?,
        ))
    });
    if let Some((img, (x, y, w, h))) = picture {
        rects.extend(rectangle(img, x, y, w, h, 1.0));
    }
    if !text.trim().is_empty()
        && let Some(r) = render_text(text, (height / 14).max(12), white)
    {
        let (w, h) = (r.width.min(width), r.height.min(height));
        let x = (width.saturating_sub(w) / 2) as i32;
        let y = match picture {
            Some((_, (_, py, _, ph))) => py + ph as i32 + (height / 30) as i32,
            None => (height.saturating_sub(h) / 2) as i32,
        };
        rects.extend(rectangle(&r, x, y, r.width, r.height, 1.0));
    }
    if let Some(r) = render_text(&clock_text(SLATE_CLOCK), (height / 28).max(10), white) {
        let margin = height / 30;
        let x = width.saturating_sub(r.width + margin) as i32;
        let y = height.saturating_sub(r.height + margin) as i32;
        rects.extend(rectangle(&r, x, y, r.width, r.height, 1.0));
    }
    rects
}

fn rebuild(s: &mut OverlayState) {
    s.clock_texts = clock_texts(s.layers.iter().chain(&s.timeline), s.slate_visible);
    let Some((width, height)) = s.frame else {
        s.composition = None;
        s.slate_composition = None;
        return;
    };
    let slate = if s.slate_visible {
        slate_rects(&s.slate_text, s.slate_image.as_deref(), width, height)
    } else {
        vec![]
    };
    // The timeline's layers above the output's own.
    let mut visible: Vec<(bool, &OverlayLayer)> = s
        .layers
        .iter()
        .map(|l| (false, l))
        .chain(s.timeline.iter().map(|l| (true, l)))
        .filter(|(_, l)| l.placement.visible && l.placement.opacity > 0.0)
        .collect();
    visible.sort_by_key(|(timeline, l)| (*timeline, l.placement.z, l.id));
    let visible: Vec<&OverlayLayer> = visible.into_iter().map(|(_, l)| l).collect();
    let mut rects = Vec::new();
    let mut image_rects = HashMap::new();
    for layer in visible {
        let rect = match &layer.source {
            LayerSource::Image(raster) => {
                let Some(rect) =
                    place(&layer.placement, raster.width, raster.height, width, height)
                else {
                    continue;
                };
                let key = ImageKey {
                    raster: raster.clone(),
                    rect,
                    opacity: layer.placement.opacity,
                };
                let cached = s
                    .image_rects
                    .get(&layer.id)
                    .filter(|(k, _)| *k == key)
                    .map(|(_, r)| r.clone());
                let Some(r) = cached.or_else(|| {
                    rectangle(
                        raster,
                        rect.0,
                        rect.1,
                        rect.2,
                        rect.3,
                        layer.placement.opacity,
                    )
                }) else {
                    continue;
                };
                image_rects.insert(layer.id, (key, r.clone()));
                r
            }
            LayerSource::Text {
                text,
                size_px,
                color,
            } => {
                let Some(r) = text_rect(text, *size_px, *color, &layer.placement, width, height)
                else {
                    continue;
                };
                r
            }
            LayerSource::Clock {
                format,
                size_px,
                color,
            } => {
                let Some(r) = text_rect(
                    &clock_text(format),
                    *size_px,
                    *color,
                    &layer.placement,
                    width,
                    height,
                ) else {
                    continue;
                };
                r
            }
        };
        rects.push(rect);
    }
    // Only the pictures still shown stay cached.
    s.image_rects = image_rects;
    let compose = |rects: &[gst_video::VideoOverlayRectangle]| {
        if rects.is_empty() {
            None
        } else {
            gst_video::VideoOverlayComposition::new(rects.iter()).ok()
        }
    };
    s.composition = compose(&rects);
    s.slate_composition = if slate.is_empty() {
        s.composition.clone()
    } else {
        compose(&[slate, rects].concat())
    };
}

fn text_rect(
    text: &str,
    size_px: u32,
    color: [u8; 4],
    placement: &OverlayPlacement,
    width: u32,
    height: u32,
) -> Option<gst_video::VideoOverlayRectangle> {
    let raster = render_text(text, size_px, color)?;
    let (x, y, w, h) = place(placement, raster.width, raster.height, width, height)?;
    rectangle(&raster, x, y, w, h, placement.opacity)
}

/// One overlay rectangle: the raster as BGRA (GStreamer's overlay pixel layout on little
/// endian machines) with straight alpha, placed at (x, y) and scaled to w x h.
fn rectangle(
    raster: &Raster,
    x: i32,
    y: i32,
    w: u32,
    h: u32,
    opacity: f64,
) -> Option<gst_video::VideoOverlayRectangle> {
    let mut bgra = Vec::with_capacity(raster.rgba.len());
    for px in raster.rgba.chunks_exact(4) {
        bgra.extend_from_slice(&[px[2], px[1], px[0], px[3]]);
    }
    let mut buffer = gst::Buffer::from_mut_slice(bgra);
    {
        let b = buffer.get_mut()?;
        gst_video::VideoMeta::add(
            b,
            gst_video::VideoFrameFlags::empty(),
            gst_video::VideoFormat::Bgra,
            raster.width,
            raster.height,
        )
        .ok()?;
    }
    let mut rect = gst_video::VideoOverlayRectangle::new_raw(
        &buffer,
        x,
        y,
        w,
        h,
        gst_video::VideoOverlayFormatFlags::GLOBAL_ALPHA,
    );
    rect.get_mut()?
        .set_global_alpha(opacity.clamp(0.0, 1.0) as f32);
    Some(rect)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placement(x: f64, y: f64, width: Option<f64>, height: Option<f64>) -> OverlayPlacement {
        OverlayPlacement {
            x,
            y,
            width,
            height,
            opacity: 1.0,
            z: 0,
            visible: true,
        }
    }

    #[test]
    fn placement_is_normalized_and_keeps_the_aspect_ratio() {
        // A 200x100 logo, 25 % of a 1280x720 frame wide, at the top right quarter.
        assert_eq!(
            place(&placement(0.75, 0.0, Some(0.25), None), 200, 100, 1280, 720),
            Some((960, 0, 320, 160))
        );
        // Native size when no width is given.
        assert_eq!(
            place(&placement(0.5, 0.5, None, None), 200, 100, 1280, 720),
            Some((640, 360, 200, 100))
        );
        // Both given: stretched as asked.
        assert_eq!(
            place(
                &placement(0.0, 0.0, Some(0.5), Some(0.5)),
                200,
                100,
                1280,
                720
            ),
            Some((0, 0, 640, 360))
        );
        // Out of range coordinates are clamped, zero sizes dropped.
        assert_eq!(
            place(&placement(2.0, -1.0, Some(0.0), None), 200, 100, 1280, 720),
            None
        );
    }

    #[test]
    fn the_slate_picture_fits_above_the_middle() {
        // A square picture on 640x360: limited by 40 % of the height = 144 px.
        assert_eq!(
            slate_image_place(64, 64, 640, 360),
            Some((248, 72, 144, 144))
        );
        // A wide one: limited by half the width.
        assert_eq!(
            slate_image_place(1000, 100, 640, 360),
            Some((160, 128, 320, 32))
        );
        assert_eq!(slate_image_place(0, 10, 640, 360), None);
    }

    #[test]
    fn text_renders_to_a_box_that_grows_with_the_text() {
        let Some(short) = render_text("12:00", 32, [255, 255, 255, 255]) else {
            return; // no font on this machine: nothing to check (setup installs one)
        };
        let long = render_text("12:00:00 Wednesday", 32, [255, 255, 255, 255]).unwrap();
        assert!(long.width > short.width);
        assert_eq!(short.rgba.len(), (short.width * short.height * 4) as usize);
        // Some pixels are (nearly) white text, the rest the translucent box.
        assert!(short.rgba.chunks_exact(4).any(|p| p[0] > 200 && p[3] > 200));
        assert!(short.rgba.chunks_exact(4).any(|p| p[0] == 0 && p[3] == 153));
    }
}
