//! Fragmented MP4 for the browser's Media Source Extensions: an init segment per decoder
//! configuration, then one fragment (moof + mdat) per access unit, written the moment it
//! arrives (a muxer that waits for the next frame to learn a duration adds a frame of
//! delay: reference/preview-notes.md §3a).

use bytes::Bytes;
use mp4_atom::{
    Avc1, Avcc, Dinf, Dref, Encode, Ftyp, Hdlr, Mdat, Mdhd, Mdia, Mfhd, Minf, Moof, Moov, Mvex,
    Mvhd, Stbl, Stco, Stsc, Stsd, Stsz, Stts, Tfdt, Tfhd, Tkhd, Traf, Trak, Trex, Trun, TrunEntry,
    TrunSamples, Url, Visual, Vmhd,
};

use super::h264::AvcConfig;
use super::timeline::TIMESCALE;

const TRACK: u32 = 1;
/// Sample flags: a sync sample, and a non-sync sample that depends on others.
const KEYFRAME_FLAGS: u32 = 0x0200_0000;
const DELTA_FLAGS: u32 = 0x0101_0000;

/// What the browser needs to know about a stream before its first picture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VideoFormat {
    pub config: AvcConfig,
    pub width: u32,
    pub height: u32,
}

/// Append an atom's bytes to `out`.
fn put(out: &mut Vec<u8>, atom: &impl Encode) -> Result<(), mp4_atom::Error> {
    atom.encode(out)
}

/// ftyp + moov for one H.264 track at [`TIMESCALE`].
pub fn init_segment(format: &VideoFormat) -> Result<Bytes, mp4_atom::Error> {
    let c = &format.config;
    let (width, height) = (
        u16::try_from(format.width).unwrap_or(u16::MAX),
        u16::try_from(format.height).unwrap_or(u16::MAX),
    );
    let ftyp = Ftyp {
        major_brand: b"isom".into(),
        minor_version: 0x200,
        compatible_brands: vec![
            b"isom".into(),
            b"iso6".into(),
            b"avc1".into(),
            b"mp41".into(),
        ],
    };
    let avc1 = Avc1 {
        visual: Visual {
            data_reference_index: 1,
            width,
            height,
            horizresolution: 72.into(),
            vertresolution: 72.into(),
            frame_count: 1,
            compressor: "".into(),
            depth: 24,
        },
        avcc: Avcc {
            configuration_version: 1,
            avc_profile_indication: c.profile,
            profile_compatibility: c.compatibility,
            avc_level_indication: c.level,
            length_size: 4,
            sequence_parameter_sets: c.sps.clone(),
            picture_parameter_sets: c.pps.clone(),
            ext: None,
        },
        btrt: None,
        colr: None,
        pasp: None,
        taic: None,
        fiel: None,
        spatial: Default::default(),
    };
    let moov = Moov {
        mvhd: Mvhd {
            timescale: TIMESCALE,
            rate: 1.into(),
            volume: 1.into(),
            next_track_id: TRACK + 1,
            ..Default::default()
        },
        mvex: Some(Mvex {
            trex: vec![Trex {
                track_id: TRACK,
                default_sample_description_index: 1,
                ..Default::default()
            }],
            ..Default::default()
        }),
        trak: vec![Trak {
            tkhd: Tkhd {
                track_id: TRACK,
                enabled: true,
                in_movie: true,
                width: width.into(),
                height: height.into(),
                ..Default::default()
            },
            mdia: Mdia {
                mdhd: Mdhd {
                    timescale: TIMESCALE,
                    language: "und".into(),
                    ..Default::default()
                },
                hdlr: Hdlr {
                    handler: b"vide".into(),
                    name: "VistterStream preview".into(),
                },
                minf: Minf {
                    vmhd: Some(Vmhd::default()),
                    dinf: Dinf {
                        dref: Dref {
                            entries: vec![
                                Url {
                                    location: "".into(),
                                }
                                .into(),
                            ],
                        },
                    },
                    stbl: Stbl {
                        stsd: Stsd {
                            codecs: vec![avc1.into()],
                        },
                        stts: Stts::default(),
                        stsc: Stsc::default(),
                        stsz: Stsz::default(),
                        stco: Some(Stco::default()),
                        ..Default::default()
                    },
                    ..Default::default()
                },
            },
            ..Default::default()
        }],
        ..Default::default()
    };
    let mut out = Vec::new();
    put(&mut out, &ftyp)?;
    put(&mut out, &moov)?;
    Ok(Bytes::from(out))
}

/// One access unit, ready for a fragment.
pub struct Sample {
    /// Length-prefixed NAL units (4-byte lengths).
    pub data: Bytes,
    /// Decode time, in [`TIMESCALE`] ticks.
    pub dts: u64,
    pub duration: u32,
    pub keyframe: bool,
}

/// Writes fragments with increasing sequence numbers.
#[derive(Default)]
pub struct Fragmenter {
    sequence: u32,
}

impl Fragmenter {
    /// moof + mdat for one access unit.
    pub fn fragment(&mut self, sample: &Sample) -> Result<Bytes, mp4_atom::Error> {
        self.sequence = self.sequence.wrapping_add(1);
        let moof = |data_offset: i32| Moof {
            mfhd: Mfhd {
                sequence_number: self.sequence,
            },
            traf: vec![Traf {
                tfhd: Tfhd {
                    track_id: TRACK,
                    default_base_is_moof: true,
                    ..Default::default()
                },
                tfdt: Some(Tfdt {
                    base_media_decode_time: sample.dts,
                }),
                trun: vec![Trun {
                    data_offset: Some(data_offset),
                    samples: TrunSamples::Explicit(vec![TrunEntry {
                        duration: Some(sample.duration),
                        size: Some(sample.data.len() as u32),
                        flags: Some(if sample.keyframe {
                            KEYFRAME_FLAGS
                        } else {
                            DELTA_FLAGS
                        }),
                        cts: Some(0),
                    }]),
                }],
                ..Default::default()
            }],
        };
        // The data offset counts from the moof's first byte to the sample: the moof's own
        // size (which a changed offset value does not change) plus the mdat header.
        let mut probe = Vec::new();
        put(&mut probe, &moof(0))?;
        let mut out = Vec::with_capacity(probe.len() + 8 + sample.data.len());
        put(&mut out, &moof((probe.len() + 8) as i32))?;
        put(
            &mut out,
            &Mdat {
                data: sample.data.to_vec(),
            },
        )?;
        Ok(Bytes::from(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mp4_atom::{Any, Decode};

    fn format() -> VideoFormat {
        VideoFormat {
            config: AvcConfig {
                profile: 0x42,
                compatibility: 0xc0,
                level: 0x1f,
                length_size: 4,
                sps: vec![vec![0x67, 0x42, 0xc0, 0x1f, 0xda]],
                pps: vec![vec![0x68, 0xce, 0x3c, 0x80]],
            },
            width: 1280,
            height: 720,
        }
    }

    #[test]
    fn the_init_segment_decodes_as_one_h264_track() {
        let bytes = init_segment(&format()).unwrap();
        let mut buf = std::io::Cursor::new(bytes.as_ref());
        assert!(matches!(Any::decode(&mut buf).unwrap(), Any::Ftyp(_)));
        let Any::Moov(moov) = Any::decode(&mut buf).unwrap() else {
            panic!("no moov")
        };
        let trak = &moov.trak[0];
        assert_eq!(trak.mdia.mdhd.timescale, TIMESCALE);
        assert!(moov.mvex.is_some(), "fragmented");
        assert_eq!(
            buf.position() as usize,
            bytes.len(),
            "nothing after the moov"
        );
    }

    #[test]
    fn a_fragment_points_at_its_sample() {
        let data = Bytes::from_static(&[0, 0, 0, 3, 0x65, 0x88, 0x84]);
        let mut f = Fragmenter::default();
        let bytes = f
            .fragment(&Sample {
                data: data.clone(),
                dts: 9000,
                duration: 3600,
                keyframe: true,
            })
            .unwrap();
        let mut buf = std::io::Cursor::new(bytes.as_ref());
        let Any::Moof(moof) = Any::decode(&mut buf).unwrap() else {
            panic!("no moof")
        };
        let moof_len = buf.position() as usize;
        let trun = &moof.traf[0].trun[0];
        let offset = trun.data_offset.unwrap() as usize;
        assert_eq!(
            &bytes[offset..],
            data.as_ref(),
            "the offset lands on the sample"
        );
        assert_eq!(offset, moof_len + 8);
        assert_eq!(
            moof.traf[0].tfdt.as_ref().unwrap().base_media_decode_time,
            9000
        );
        let second = f
            .fragment(&Sample {
                data,
                dts: 12600,
                duration: 3600,
                keyframe: false,
            })
            .unwrap();
        let Any::Moof(moof) = Any::decode(&mut std::io::Cursor::new(second.as_ref())).unwrap()
        else {
            panic!("no moof")
        };
        assert_eq!(moof.mfhd.sequence_number, 2);
    }
}
