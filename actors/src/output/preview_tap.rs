//! The program's encoded picture handed to its previews: each access unit the encoder gives
//! (already counted for the destinations) goes to the output's `ProgramFeed` as it is, with
//! the decoder configuration read once per caps from the encoder's `codec_data`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use gstreamer as gst;

use crate::preview::{AvcConfig, Packing, ProgramFeed, VideoFormat, VideoUnit};

pub(super) struct PreviewTap {
    feed: Arc<ProgramFeed>,
    /// This pipeline's run of the output (the units' session).
    run: u64,
    /// The format of the last caps seen, so it is parsed only when the caps change.
    format: Mutex<Option<(gst::Caps, Arc<VideoFormat>)>>,
}

impl PreviewTap {
    /// A new run of the output's pipeline feeding `feed`.
    pub fn new(feed: Arc<ProgramFeed>) -> Self {
        let run = feed.new_run();
        Self {
            feed,
            run,
            format: Mutex::new(None),
        }
    }

    fn format_of(&self, caps: &gst::CapsRef) -> Option<Arc<VideoFormat>> {
        let mut cached = self.format.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((c, f)) = cached.as_ref()
            && c.as_ref() == caps
        {
            return Some(f.clone());
        }
        let s = caps.structure(0)?;
        let record = s.get::<gst::Buffer>("codec_data").ok()?;
        let map = record.map_readable().ok()?;
        let format = Arc::new(VideoFormat {
            config: AvcConfig::from_record(map.as_slice())?,
            width: s.get::<i32>("width").ok()?.max(0) as u32,
            height: s.get::<i32>("height").ok()?.max(0) as u32,
        });
        *cached = Some((caps.to_owned(), format.clone()));
        Some(format)
    }

    /// One access unit of the program (stream-format avc), stamped in running time.
    pub fn push(&self, sample: &gst::Sample) {
        let (Some(buffer), Some(caps)) = (sample.buffer(), sample.caps()) else {
            return;
        };
        let Some(format) = self.format_of(caps) else {
            return;
        };
        let Ok(map) = buffer.map_readable() else {
            return;
        };
        let length_size = format.config.length_size;
        self.feed.publish(VideoUnit {
            data: Bytes::copy_from_slice(map.as_slice()),
            packing: Packing::LengthPrefixed(length_size),
            keyframe: !buffer.flags().contains(gst::BufferFlags::DELTA_UNIT),
            pts: Duration::from_nanos(buffer.pts().map_or(0, |p| p.nseconds())),
            session: self.run,
            format,
        });
    }
}
