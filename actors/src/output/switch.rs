//! The program's video switch: the element that puts one camera on air, or the slate.
//!
//! It is a video aggregator, so it keeps what `compositor` gave the program: a picture at the
//! program's rate whatever the cameras do (the last picture of an input is repeated until the
//! next one, a live slate input keeps the clock going), inputs ordered by `zorder`, and a cut
//! that is a property change landing on the next output frame. What it does not do is blend:
//! the program shows one full-frame camera at a time, so the output picture *is* the camera's
//! picture. The switch hands the encoder the camera's buffer (wrapped, not copied), where
//! `compositor` copied all 1.4 MB of every 720p picture into a new one. Overlays need a
//! picture to draw on, and the camera's cannot be written (the decoder still holds it): with
//! overlays, the switch copies the camera's picture once into a pooled output picture and
//! mixes them in there (`blend`: each rectangle converted once per composition into the
//! picture's own planes).
//!
//! Pads: `sink_%u`, each with an `alpha` (on air when above 0, as in `compositor`). The
//! output is the input with the highest `zorder` that is on air, has a picture, and has the
//! program's size and format (cameras are scaled to it upstream). When there is none, the
//! output is the slate: the slate colour with the slate's composition (its words, clock and
//! picture, and the operator's overlays) drawn on it. That picture is drawn once per change of
//! the composition (about once a second, for the clock) and then shared like a camera's.

use std::sync::{Arc, LazyLock, Mutex};

use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use gstreamer_video as gst_video;
use gstreamer_video::prelude::*;
use gstreamer_video::subclass::prelude::*;

use super::blend::PlanarRect;
use super::overlay::Overlays;
pub use super::slate_picture::SLATE_ARGB;
use super::slate_picture::draw_slate;
use super::transition::{self, Compose, Entry, Shot, Weights};

/// The element's factory name, registered by [`register`].
pub const FACTORY: &str = "vistterswitch";

/// Register the element once per process, so pipeline descriptions can name it.
pub fn register() -> Result<(), glib::BoolError> {
    static REGISTERED: LazyLock<Result<(), glib::BoolError>> = LazyLock::new(|| {
        gst::Element::register(None, FACTORY, gst::Rank::NONE, ProgramSwitch::static_type())
    });
    REGISTERED.clone()
}

glib::wrapper! {
    /// See the module documentation.
    pub struct ProgramSwitch(ObjectSubclass<imp::ProgramSwitch>)
        @extends gst_video::VideoAggregator, gst_video::gst_base::Aggregator, gst::Element, gst::Object;
}

glib::wrapper! {
    /// One input of the switch, with the `alpha` that puts it on air.
    pub struct SwitchPad(ObjectSubclass<imp::SwitchPad>)
        @extends gst_video::VideoAggregatorPad, gst_video::gst_base::AggregatorPad, gst::Pad, gst::Object;
}

impl ProgramSwitch {
    /// The overlays to draw: on the camera on air, and (with the slate's words) on the slate.
    pub fn set_overlays(&self, overlays: Arc<Overlays>) {
        let mut state = self.imp().lock();
        state.overlays = Some(overlays);
        state.slate = None;
        state.camera_planar = None;
    }

    /// Put `pad` on air from `from_ns` of running time, entering with `entry` (a later
    /// shot at the same time replaces an earlier one).
    pub fn schedule_shot(&self, pad: &SwitchPad, from_ns: u64, entry: Entry) {
        let mut state = self.imp().lock();
        state.shots.retain(|s| s.from_ns != from_ns);
        let at = state.shots.partition_point(|s| s.from_ns < from_ns);
        state.shots.insert(
            at,
            Shot {
                from_ns,
                entry,
                input: pad.clone(),
            },
        );
    }

    /// Forget the shots not on air by `now_ns` (a timeline paused, seeking, or overridden).
    pub fn clear_shots_after(&self, now_ns: u64) {
        self.imp().lock().shots.retain(|s| s.from_ns <= now_ns);
    }

    /// Forget every shot of `pad` (its input is going).
    pub fn unschedule(&self, pad: &SwitchPad) {
        self.imp().lock().shots.retain(|s| s.input != *pad);
    }

    /// The shot that is fully on air at `now_ns` with none after it begun, if any: the
    /// caller makes the layer rule show it, then [`Self::drop_settled`] hands over to it.
    pub fn settled_shot(&self, now_ns: u64) -> Option<SwitchPad> {
        let state = self.imp().lock();
        let current = state.shots.iter().rposition(|s| s.from_ns <= now_ns)?;
        let shot = &state.shots[current];
        (shot.from_ns + shot.entry.duration_ns() <= now_ns).then(|| shot.input.clone())
    }

    /// Drop the shots up to and including the settled one at `now_ns`.
    pub fn drop_settled(&self, now_ns: u64) {
        let mut state = self.imp().lock();
        if let Some(current) = state.shots.iter().rposition(|s| s.from_ns <= now_ns) {
            state.shots.drain(..=current);
        }
    }
}

mod imp {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    /// The slate picture last drawn, and what it was drawn from.
    pub(super) struct SlatePicture {
        /// The composition's sequence number (0: none).
        seqnum: u32,
        width: u32,
        height: u32,
        buffer: gst::Buffer,
    }

    #[derive(Default)]
    pub struct State {
        pub(super) overlays: Option<Arc<Overlays>>,
        pub(super) slate: Option<SlatePicture>,
        /// The cameras' overlays ready to blend, and the composition's sequence number.
        pub(super) camera_planar: Option<(u32, Arc<Vec<PlanarRect>>)>,
        /// Shots scheduled on the running time, by time (see [`super::transition`]).
        pub(super) shots: Vec<Shot<super::SwitchPad>>,
    }

    #[derive(Default)]
    pub struct ProgramSwitch {
        state: Mutex<State>,
    }

    impl ProgramSwitch {
        pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, State> {
            self.state.lock().unwrap_or_else(|p| p.into_inner())
        }

        /// The slate picture for `info` with the current slate composition, drawn anew only
        /// when the composition changed.
        fn slate(&self, info: &gst_video::VideoInfo) -> Result<gst::Buffer, gst::FlowError> {
            let mut state = self.lock();
            let composition = state.overlays.as_ref().and_then(|o| o.slate_composition());
            let seqnum = composition.as_ref().map_or(0, |c| c.seqnum());
            if let Some(p) = &state.slate
                && p.seqnum == seqnum
                && p.width == info.width()
                && p.height == info.height()
            {
                return Ok(p.buffer.clone());
            }
            let buffer = draw_slate(info, composition.as_ref()).map_err(|e| {
                gst::error!(gst::CAT_RUST, imp = self, "drawing the slate: {e}");
                gst::FlowError::Error
            })?;
            state.slate = Some(SlatePicture {
                seqnum,
                width: info.width(),
                height: info.height(),
                buffer: buffer.clone(),
            });
            Ok(buffer)
        }
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ProgramSwitch {
        const NAME: &'static str = "VistterProgramSwitch";
        type Type = super::ProgramSwitch;
        type ParentType = gst_video::VideoAggregator;
    }

    impl ObjectImpl for ProgramSwitch {}
    impl GstObjectImpl for ProgramSwitch {}

    impl ElementImpl for ProgramSwitch {
        fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
            static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
                gst::subclass::ElementMetadata::new(
                    "VistterStream program switch",
                    "Filter/Editor/Video/Compositor",
                    "Puts the topmost full-frame input on air without copying it, else a slate",
                    "VistterStream",
                )
            });
            Some(&META)
        }

        fn pad_templates() -> &'static [gst::PadTemplate] {
            static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
                let caps = gst_video::VideoCapsBuilder::new()
                    .format(gst_video::VideoFormat::I420)
                    .build();
                let src = gst::PadTemplate::new(
                    "src",
                    gst::PadDirection::Src,
                    gst::PadPresence::Always,
                    &caps,
                );
                let sink = gst::PadTemplate::builder(
                    "sink_%u",
                    gst::PadDirection::Sink,
                    gst::PadPresence::Request,
                    &caps,
                )
                .gtype(super::SwitchPad::static_type())
                .build();
                // Templates of fixed, valid caps: building them cannot fail.
                [src, sink].into_iter().flatten().collect()
            });
            TEMPLATES.as_ref()
        }
    }

    impl AggregatorImpl for ProgramSwitch {
        /// Inputs of any size: the base class would hold every input to the output's size
        /// (it cannot scale without converting pads), which the slate source is not, on
        /// purpose. Inputs of another size are simply never shown.
        fn sink_query(
            &self,
            aggregator_pad: &gst_video::gst_base::AggregatorPad,
            query: &mut gst::QueryRef,
        ) -> bool {
            match query.view_mut() {
                gst::QueryViewMut::Caps(q) => {
                    let template = aggregator_pad.pad_template_caps();
                    let caps = match q.filter() {
                        Some(filter) => {
                            filter.intersect_with_mode(&template, gst::CapsIntersectMode::First)
                        }
                        None => template,
                    };
                    q.set_result(&caps);
                    true
                }
                gst::QueryViewMut::AcceptCaps(q) => {
                    let accepted = q.caps().can_intersect(&aggregator_pad.pad_template_caps());
                    q.set_result(accepted);
                    true
                }
                _ => self.parent_sink_query(aggregator_pad, query),
            }
        }
    }

    impl VideoAggregatorImpl for ProgramSwitch {
        /// With overlays to draw, a picture from the output pool (the camera's picture is
        /// copied into it and drawn on: the camera's own picture cannot be written, the
        /// decoder still holds it). Without, an empty buffer: its memory is the chosen
        /// picture's, added in `aggregate_frames` (the base class only stamps the time on it
        /// in between).
        fn create_output_buffer(&self) -> Result<Option<gst::Buffer>, gst::FlowError> {
            if self.camera_overlays().is_some() {
                self.parent_create_output_buffer()
            } else {
                Ok(Some(gst::Buffer::new()))
            }
        }

        fn aggregate_frames(
            &self,
            token: &gst_video::subclass::AggregateFramesToken,
            outbuf: &mut gst::BufferRef,
        ) -> Result<gst::FlowSuccess, gst::FlowError> {
            let obj = self.obj();
            let info = obj.video_info().ok_or(gst::FlowError::NotNegotiated)?;
            let full_frame = |p: &super::SwitchPad| {
                p.video_info().is_some_and(|i| {
                    i.width() == info.width()
                        && i.height() == info.height()
                        && i.format() == info.format()
                }) && p.has_current_buffer(token)
            };
            let on_air = obj
                .sink_pads()
                .into_iter()
                .filter_map(|p| p.downcast::<super::SwitchPad>().ok())
                .filter(|p| p.imp().alpha() > 0.0)
                .filter(|p| full_frame(p))
                .max_by_key(|p| p.zorder());
            let pts = self.running_time(outbuf.pts());
            let (shots, overlays) = {
                let state = self.lock();
                (state.shots.clone(), state.overlays.clone())
            };
            if let (Some(overlays), Some(pts)) = (overlays, pts) {
                overlays.advance_to(pts);
            }
            let composed = match pts {
                Some(pts) if !shots.is_empty() => {
                    transition::compose(&shots, pts, full_frame, on_air.clone())
                }
                _ => Compose::Fallback,
            };
            let done = match composed {
                Compose::Mix {
                    incoming,
                    outgoing,
                    weights,
                } => self.mix(token, &incoming, outgoing.as_ref(), weights, &info, outbuf),
                chosen => {
                    let on_air = match chosen {
                        Compose::Single(pad) => Some(pad),
                        _ => on_air,
                    };
                    // Overlays that came on with this frame: the base class made an
                    // empty buffer to share a picture into; draw into a fresh one instead.
                    if outbuf.n_memory() == 0 && self.camera_overlays().is_some() {
                        outbuf.append_memory(gst::Memory::with_size(info.size()));
                    }
                    if outbuf.n_memory() > 0 {
                        self.draw(token, on_air.as_ref(), &info, outbuf)
                    } else {
                        self.share(token, on_air.as_ref(), &info, outbuf)
                    }
                }
            };
            done.map_err(|e| {
                gst::error!(
                    gst::CAT_RUST,
                    imp = self,
                    "making the program's picture: {e}"
                );
                gst::FlowError::Error
            })?;
            Ok(gst::FlowSuccess::Ok)
        }
    }

    impl ProgramSwitch {
        /// The running time of an output timestamp (the shots are scheduled on it).
        fn running_time(&self, pts: Option<gst::ClockTime>) -> Option<u64> {
            let segment = self.obj().src_pad().segment();
            let segment = segment.downcast_ref::<gst::ClockTime>()?;
            segment.to_running_time(pts?).map(|t| t.nseconds())
        }

        /// A transition frame: the incoming picture mixed over the outgoing one (or the
        /// slate) and black, then the overlays on top. Only while a transition runs, so a
        /// fresh picture per frame is affordable.
        fn mix(
            &self,
            token: &gst_video::subclass::AggregateFramesToken,
            incoming: &super::SwitchPad,
            outgoing: Option<&super::SwitchPad>,
            weights: Weights,
            info: &gst_video::VideoInfo,
            outbuf: &mut gst::BufferRef,
        ) -> Result<(), glib::BoolError> {
            let incoming = incoming
                .prepared_frame(token)
                .ok_or_else(|| glib::bool_error!("the incoming picture went away"))?;
            let slate;
            let outgoing = match outgoing.and_then(|p| p.prepared_frame(token)) {
                Some(frame) => frame,
                None => {
                    slate = self
                        .slate(info)
                        .map_err(|_| glib::bool_error!("drawing the slate"))?;
                    gst_video::VideoFrameRef::from_buffer_ref_readable(&slate, info)?
                }
            };
            if outbuf.n_memory() == 0 {
                outbuf.append_memory(gst::Memory::with_size(info.size()));
            }
            let mut out = gst_video::VideoFrameRef::from_buffer_ref_writable(outbuf, info)?;
            for plane in 0..3u32 {
                let (width, rows) = (
                    info.comp_width(plane as u8) as usize,
                    info.comp_height(plane as u8) as usize,
                );
                let out_stride = out.plane_stride()[plane as usize] as usize;
                let in_stride = incoming.plane_stride()[plane as usize] as usize;
                let old_stride = outgoing.plane_stride()[plane as usize] as usize;
                transition::mix_plane(
                    (out.plane_data_mut(plane)?, out_stride),
                    (incoming.plane_data(plane)?, in_stride),
                    (outgoing.plane_data(plane)?, old_stride),
                    if plane == 0 { 16 } else { 128 },
                    weights,
                    width,
                    rows,
                );
            }
            self.blend_overlays(&mut out, info)
        }

        /// The cameras' overlays drawn onto a program picture.
        fn blend_overlays(
            &self,
            out: &mut gst_video::VideoFrameRef<&mut gst::BufferRef>,
            info: &gst_video::VideoInfo,
        ) -> Result<(), glib::BoolError> {
            let overlays = self.camera_planar();
            let (width, height) = (info.width() as usize, info.height() as usize);
            for plane in 0..3 {
                let stride = out.plane_stride()[plane] as usize;
                let data = out.plane_data_mut(plane as u32)?;
                for rect in overlays.iter() {
                    rect.blend_plane(plane, data, stride, width, height);
                }
            }
            Ok(())
        }

        fn camera_overlays(&self) -> Option<gst_video::VideoOverlayComposition> {
            self.lock()
                .overlays
                .as_ref()
                .and_then(|o| o.camera_composition())
        }

        /// The cameras' overlays in the pictures' layout, converted once per composition.
        fn camera_planar(&self) -> Arc<Vec<PlanarRect>> {
            let mut state = self.lock();
            let Some(composition) = state.overlays.as_ref().and_then(|o| o.camera_composition())
            else {
                return Arc::default();
            };
            if let Some((seqnum, rects)) = &state.camera_planar
                && *seqnum == composition.seqnum()
            {
                return rects.clone();
            }
            let rects: Arc<Vec<PlanarRect>> = Arc::new(
                composition
                    .iter()
                    .filter_map(|rect| {
                        let (x, y, w, h) = rect.render_rectangle();
                        // Converted and scaled to the render size by GStreamer, global
                        // alpha applied (no flags).
                        let pixels = rect.pixels_ayuv(gst_video::VideoOverlayFormatFlags::empty());
                        let (offset, stride) = pixels
                            .meta::<gst_video::VideoMeta>()
                            .map(|m| (m.offset()[0], m.stride()[0] as usize))
                            .unwrap_or((0, w as usize * 4));
                        let map = pixels.map_readable().ok()?;
                        Some(PlanarRect::from_ayuv(
                            map.get(offset..)?,
                            stride,
                            w as usize,
                            h as usize,
                            i64::from(x),
                            i64::from(y),
                        ))
                    })
                    .collect(),
            );
            state.camera_planar = Some((composition.seqnum(), rects.clone()));
            rects
        }

        /// The output is the chosen picture itself: no pixel is copied.
        fn share(
            &self,
            token: &gst_video::subclass::AggregateFramesToken,
            on_air: Option<&super::SwitchPad>,
            info: &gst_video::VideoInfo,
            outbuf: &mut gst::BufferRef,
        ) -> Result<(), glib::BoolError> {
            match on_air.and_then(|p| p.current_buffer(token)) {
                // The camera's buffer stays whole, mapped, inside a memory of ours: sharing
                // its memory object instead would leave that memory shared when the buffer
                // goes back to the decoder's pool, which then discards it and allocates
                // (and page-faults in) a new picture for every frame.
                Some(buffer) => {
                    buffer.copy_into(outbuf, gst::BufferCopyFlags::META, ..)?;
                    let mapped = buffer
                        .into_mapped_buffer_readable()
                        .map_err(|_| glib::bool_error!("mapping the camera's picture"))?;
                    outbuf.append_memory(gst::Memory::from_slice(mapped));
                    Ok(())
                }
                // The slate is ours and pooled by no one: share its memory.
                None => self
                    .slate(info)
                    .map_err(|_| glib::bool_error!("drawing the slate"))?
                    .copy_into(
                        outbuf,
                        gst::BufferCopyFlags::MEMORY | gst::BufferCopyFlags::META,
                        ..,
                    ),
            }
        }

        /// The output is a pooled picture: the camera's picture with the overlays drawn on
        /// it, or the slate (which has them already).
        fn draw(
            &self,
            token: &gst_video::subclass::AggregateFramesToken,
            on_air: Option<&super::SwitchPad>,
            info: &gst_video::VideoInfo,
            outbuf: &mut gst::BufferRef,
        ) -> Result<(), glib::BoolError> {
            let mut out = gst_video::VideoFrameRef::from_buffer_ref_writable(outbuf, info)?;
            match on_air.and_then(|p| p.prepared_frame(token)) {
                Some(camera) => {
                    camera.copy(&mut out)?;
                    self.blend_overlays(&mut out, info)
                }
                None => {
                    let slate = self
                        .slate(info)
                        .map_err(|_| glib::bool_error!("drawing the slate"))?;
                    gst_video::VideoFrameRef::from_buffer_ref_readable(&slate, info)?.copy(&mut out)
                }
            }
        }
    }

    /// `alpha` as the bits of an f64: read on the streaming thread, written by the actor.
    pub struct SwitchPad {
        alpha: AtomicU64,
    }

    impl Default for SwitchPad {
        fn default() -> Self {
            Self {
                alpha: AtomicU64::new(1.0f64.to_bits()),
            }
        }
    }

    impl SwitchPad {
        pub(super) fn alpha(&self) -> f64 {
            f64::from_bits(self.alpha.load(Ordering::Relaxed))
        }
    }

    #[glib::object_subclass]
    impl ObjectSubclass for SwitchPad {
        const NAME: &'static str = "VistterProgramSwitchPad";
        type Type = super::SwitchPad;
        type ParentType = gst_video::VideoAggregatorPad;
    }

    impl ObjectImpl for SwitchPad {
        fn properties() -> &'static [glib::ParamSpec] {
            static PROPERTIES: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
                vec![
                    glib::ParamSpecDouble::builder("alpha")
                        .nick("Alpha")
                        .blurb("On air when above 0 (the topmost such input is shown)")
                        .minimum(0.0)
                        .maximum(1.0)
                        .default_value(1.0)
                        .mutable_playing()
                        .build(),
                ]
            });
            PROPERTIES.as_ref()
        }

        fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
            if pspec.name() == "alpha"
                && let Ok(alpha) = value.get::<f64>()
            {
                self.alpha.store(alpha.to_bits(), Ordering::Relaxed);
            }
        }

        fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
            match pspec.name() {
                "alpha" => self.alpha().to_value(),
                _ => pspec.default_value().clone(),
            }
        }
    }

    impl GstObjectImpl for SwitchPad {}
    impl PadImpl for SwitchPad {}
    impl AggregatorPadImpl for SwitchPad {}
    impl VideoAggregatorPadImpl for SwitchPad {}
}
