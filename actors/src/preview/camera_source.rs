//! A camera's frames as preview units: its H.264 access units as they came (Annex B), with
//! the decoder configuration read once per stream description.

use std::sync::Arc;

use super::fmp4::VideoFormat;
use super::h264::AvcConfig;
use super::session::{Packing, VideoUnit};
use crate::camera::{Frame, MediaKind, StreamParams, VideoCodec};

/// What to do with one camera frame.
pub enum CameraUnit {
    Video(VideoUnit),
    /// Audio, or a picture before the configuration is known: nothing to show.
    Skip,
    /// A codec browsers' Media Source Extensions cannot take (H.265 in Chromium).
    Unsupported(VideoCodec),
}

#[derive(Default)]
pub struct CameraUnits {
    /// The stream description last seen and its format (`None` until a keyframe gave one).
    current: Option<(Arc<StreamParams>, Option<Arc<VideoFormat>>)>,
}

impl CameraUnits {
    pub fn unit(&mut self, frame: &Frame) -> CameraUnit {
        if frame.kind != MediaKind::Video {
            return CameraUnit::Skip;
        }
        let video = &frame.params.video;
        if video.codec != VideoCodec::H264 {
            return CameraUnit::Unsupported(video.codec);
        }
        let known = self
            .current
            .as_ref()
            .is_some_and(|(p, f)| Arc::ptr_eq(p, &frame.params) && f.is_some());
        if !known {
            // The camera's own record when it sent one; else the sets in front of a keyframe.
            let config = AvcConfig::from_record(&video.extra_data).or_else(|| {
                frame
                    .keyframe
                    .then(|| AvcConfig::from_annex_b(&frame.data))
                    .flatten()
            });
            let format = config.map(|config| {
                Arc::new(VideoFormat {
                    config,
                    width: video.width,
                    height: video.height,
                })
            });
            self.current = Some((frame.params.clone(), format));
        }
        match self.current.as_ref().and_then(|(_, f)| f.clone()) {
            Some(format) => CameraUnit::Video(VideoUnit {
                data: frame.data.clone(),
                packing: Packing::AnnexB,
                keyframe: frame.keyframe,
                pts: frame.pts,
                session: frame.session,
                format,
            }),
            None => CameraUnit::Skip,
        }
    }
}
