//! One viewer's preview: access units in, the messages a browser's Media Source Extensions
//! player takes out (the codec, an init segment, fragments). A new decoder configuration (a
//! camera that reconnected with other settings, a program restarted) starts at its next
//! keyframe with a new init segment, on the same connection.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use super::fmp4::{Fragmenter, Sample, VideoFormat, init_segment};
use super::h264::{annex_b_to_sample, length_prefixed_to_sample};
use super::timeline::Timeline;

/// How an access unit's NAL units are delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Packing {
    /// Start codes (a camera's RTSP stream).
    AnnexB,
    /// Length prefixes of this many bytes (what an MP4 muxer and the program's encoder give).
    LengthPrefixed(u8),
}

/// One H.264 access unit with what is needed to show it.
#[derive(Clone, Debug)]
pub struct VideoUnit {
    pub data: Bytes,
    pub packing: Packing,
    pub keyframe: bool,
    pub pts: Duration,
    /// Changes when the source's timestamps restart (a new RTSP session, a new program run).
    pub session: u64,
    pub format: Arc<VideoFormat>,
}

/// What the browser is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreviewMessage {
    /// The next init segment's codec (for `MediaSource.isTypeSupported` and
    /// `addSourceBuffer`) and picture size.
    Codec {
        codec: String,
        width: u32,
        height: u32,
    },
    /// ftyp + moov.
    Init(Bytes),
    /// moof + mdat of one access unit.
    Media(Bytes),
}

pub struct PreviewSession {
    format: Option<Arc<VideoFormat>>,
    /// A keyframe was sent since the last init segment or skip: deltas may follow.
    decodable: bool,
    timeline: Timeline,
    fragmenter: Fragmenter,
}

impl Default for PreviewSession {
    fn default() -> Self {
        Self {
            format: None,
            decodable: false,
            timeline: Timeline::new(Duration::from_millis(40)),
            fragmenter: Fragmenter::default(),
        }
    }
}

impl PreviewSession {
    /// The messages for one access unit (none while waiting for a keyframe).
    pub fn push(&mut self, unit: &VideoUnit) -> Result<Vec<PreviewMessage>, mp4_atom::Error> {
        let mut out = Vec::new();
        let new_format = self.format.as_ref() != Some(&unit.format)
            && self.format.as_deref() != Some(unit.format.as_ref());
        if new_format {
            if !unit.keyframe {
                return Ok(out);
            }
            out.push(PreviewMessage::Codec {
                codec: unit.format.config.codec(),
                width: unit.format.width,
                height: unit.format.height,
            });
            out.push(PreviewMessage::Init(init_segment(&unit.format)?));
            self.format = Some(unit.format.clone());
            self.decodable = false;
        }
        if !self.decodable {
            if !unit.keyframe {
                return Ok(out);
            }
            self.decodable = true;
        }
        let data = match unit.packing {
            Packing::AnnexB => annex_b_to_sample(&unit.data),
            Packing::LengthPrefixed(size) => {
                length_prefixed_to_sample(&unit.data, usize::from(size))
            }
        };
        let (dts, duration) = self.timeline.place(unit.session, unit.pts);
        out.push(PreviewMessage::Media(self.fragmenter.fragment(
            &Sample {
                data,
                dts,
                duration,
                keyframe: unit.keyframe,
            },
        )?));
        Ok(out)
    }

    /// The viewer could not take a fragment: what follows must start at a keyframe.
    pub fn skip_to_keyframe(&mut self) {
        self.decodable = false;
    }
}

#[cfg(test)]
mod tests {
    use super::super::h264::AvcConfig;
    use super::*;

    fn format(level: u8) -> Arc<VideoFormat> {
        Arc::new(VideoFormat {
            config: AvcConfig {
                profile: 0x42,
                compatibility: 0xc0,
                level,
                length_size: 4,
                sps: vec![vec![0x67, 0x42, 0xc0, level]],
                pps: vec![vec![0x68, 0xce]],
            },
            width: 640,
            height: 360,
        })
    }

    fn unit(keyframe: bool, ms: u64, format: &Arc<VideoFormat>) -> VideoUnit {
        VideoUnit {
            data: Bytes::from_static(&[0, 0, 0, 1, 0x65, 0x88]),
            packing: Packing::AnnexB,
            keyframe,
            pts: Duration::from_millis(ms),
            session: 1,
            format: format.clone(),
        }
    }

    fn kinds(messages: &[PreviewMessage]) -> Vec<&'static str> {
        messages
            .iter()
            .map(|m| match m {
                PreviewMessage::Codec { .. } => "codec",
                PreviewMessage::Init(_) => "init",
                PreviewMessage::Media(_) => "media",
            })
            .collect()
    }

    #[test]
    fn starts_at_a_keyframe_with_its_codec_and_init_segment() {
        let f = format(0x1f);
        let mut s = PreviewSession::default();
        assert!(
            s.push(&unit(false, 0, &f)).unwrap().is_empty(),
            "no picture before a keyframe"
        );
        let first = s.push(&unit(true, 40, &f)).unwrap();
        assert_eq!(kinds(&first), ["codec", "init", "media"]);
        assert_eq!(
            first[0],
            PreviewMessage::Codec {
                codec: "avc1.42c01f".into(),
                width: 640,
                height: 360
            }
        );
        assert_eq!(kinds(&s.push(&unit(false, 80, &f)).unwrap()), ["media"]);
    }

    #[test]
    fn a_new_configuration_waits_for_its_keyframe_and_sends_a_new_init_segment() {
        let (a, b) = (format(0x1f), format(0x28));
        let mut s = PreviewSession::default();
        s.push(&unit(true, 0, &a)).unwrap();
        assert!(s.push(&unit(false, 40, &b)).unwrap().is_empty());
        assert_eq!(
            kinds(&s.push(&unit(true, 80, &b)).unwrap()),
            ["codec", "init", "media"]
        );
        // The same configuration in a new Arc is not new.
        let b_again = format(0x28);
        assert_eq!(
            kinds(&s.push(&unit(false, 120, &b_again)).unwrap()),
            ["media"]
        );
    }

    #[test]
    fn after_a_skip_only_a_keyframe_resumes() {
        let f = format(0x1f);
        let mut s = PreviewSession::default();
        s.push(&unit(true, 0, &f)).unwrap();
        s.skip_to_keyframe();
        assert!(s.push(&unit(false, 40, &f)).unwrap().is_empty());
        assert_eq!(kinds(&s.push(&unit(true, 80, &f)).unwrap()), ["media"]);
    }
}
