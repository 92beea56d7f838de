//! H.264 as MP4 wants it: length-prefixed NAL units instead of Annex B start codes, and the
//! decoder configuration (avcC) built from the parameter sets when no one handed it over.

use bytes::{BufMut, Bytes, BytesMut};

/// NAL unit types that travel out of band in MP4 (the init segment) or are of no use to a
/// decoder there: SPS, PPS, access unit delimiter.
const OUT_OF_BAND: [u8; 3] = [7, 8, 9];

/// The NAL units of an Annex B access unit (start codes removed).
pub fn nal_units(annex_b: &[u8]) -> Vec<&[u8]> {
    let mut units = Vec::new();
    let mut start = None;
    let mut i = 0;
    while i + 3 <= annex_b.len() {
        let three = annex_b[i] == 0 && annex_b[i + 1] == 0 && annex_b[i + 2] == 1;
        if three {
            if let Some(s) = start {
                units.push(trim_zeros(&annex_b[s..i]));
            }
            i += 3;
            start = Some(i);
        } else {
            i += 1;
        }
    }
    if let Some(s) = start {
        units.push(&annex_b[s..]);
    }
    units.retain(|u| !u.is_empty());
    units
}

/// A four-byte start code leaves a zero before the next three-byte one: not part of the NAL.
fn trim_zeros(unit: &[u8]) -> &[u8] {
    let mut end = unit.len();
    while end > 0 && unit[end - 1] == 0 {
        end -= 1;
    }
    &unit[..end]
}

fn nal_type(unit: &[u8]) -> u8 {
    unit.first().map_or(0, |b| b & 0x1f)
}

/// An Annex B access unit as an MP4 sample: 4-byte lengths, parameter sets and delimiters
/// left out (they are in the init segment).
pub fn annex_b_to_sample(annex_b: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(annex_b.len() + 16);
    for unit in nal_units(annex_b) {
        if OUT_OF_BAND.contains(&nal_type(unit)) {
            continue;
        }
        out.put_u32(unit.len() as u32);
        out.put_slice(unit);
    }
    out.freeze()
}

/// An MP4 sample (length-prefixed) without its in-band parameter sets and delimiters.
pub fn length_prefixed_to_sample(sample: &[u8], length_size: usize) -> Bytes {
    let mut out = BytesMut::with_capacity(sample.len());
    let mut rest = sample;
    while rest.len() >= length_size {
        let len = rest[..length_size]
            .iter()
            .fold(0usize, |n, b| (n << 8) | usize::from(*b));
        let Some(unit) = rest.get(length_size..length_size + len) else {
            break;
        };
        if !OUT_OF_BAND.contains(&nal_type(unit)) {
            out.put_u32(len as u32);
            out.put_slice(unit);
        }
        rest = &rest[length_size + len..];
    }
    out.freeze()
}

/// The decoder configuration, as the avcC box carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AvcConfig {
    pub profile: u8,
    pub compatibility: u8,
    pub level: u8,
    /// Bytes of each NAL length in samples (1, 2 or 4).
    pub length_size: u8,
    pub sps: Vec<Vec<u8>>,
    pub pps: Vec<Vec<u8>>,
}

impl AvcConfig {
    /// From the parameter sets in front of a keyframe (Annex B); `None` without an SPS and
    /// a PPS.
    pub fn from_annex_b(annex_b: &[u8]) -> Option<Self> {
        let units = nal_units(annex_b);
        let sps: Vec<Vec<u8>> = units
            .iter()
            .filter(|u| nal_type(u) == 7)
            .map(|u| u.to_vec())
            .collect();
        let pps: Vec<Vec<u8>> = units
            .iter()
            .filter(|u| nal_type(u) == 8)
            .map(|u| u.to_vec())
            .collect();
        let (profile, compatibility, level) = match sps.first() {
            Some(first) if first.len() >= 4 => (first[1], first[2], first[3]),
            _ => return None,
        };
        (!pps.is_empty()).then_some(Self {
            profile,
            compatibility,
            level,
            length_size: 4,
            sps,
            pps,
        })
    }

    /// From an AVCDecoderConfigurationRecord (the body of an avcC box, GStreamer's
    /// `codec_data`).
    pub fn from_record(record: &[u8]) -> Option<Self> {
        if record.len() < 7 || record[0] != 1 {
            return None;
        }
        let mut at = 5;
        let sets = |count: usize, at: &mut usize| -> Option<Vec<Vec<u8>>> {
            let mut out = Vec::with_capacity(count);
            for _ in 0..count {
                let len = usize::from(u16::from_be_bytes([
                    *record.get(*at)?,
                    *record.get(*at + 1)?,
                ]));
                out.push(record.get(*at + 2..*at + 2 + len)?.to_vec());
                *at += 2 + len;
            }
            Some(out)
        };
        let sps_count = usize::from(record[at] & 0x1f);
        at += 1;
        let sps = sets(sps_count, &mut at)?;
        let pps_count = usize::from(*record.get(at)?);
        at += 1;
        let pps = sets(pps_count, &mut at)?;
        Some(Self {
            profile: record[1],
            compatibility: record[2],
            level: record[3],
            length_size: (record[4] & 0x03) + 1,
            sps,
            pps,
        })
    }

    /// The RFC 6381 codec string `MediaSource.isTypeSupported` takes (`avc1.64001f`).
    pub fn codec(&self) -> String {
        format!(
            "avc1.{:02x}{:02x}{:02x}",
            self.profile, self.compatibility, self.level
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPS: &[u8] = &[0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9];
    const PPS: &[u8] = &[0x68, 0xeb, 0xe3];
    const IDR: &[u8] = &[0x65, 0x88, 0x84, 0x00, 0x00, 0x03];

    fn annex_b(units: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, u) in units.iter().enumerate() {
            // Both start code lengths, as cameras mix them.
            out.extend_from_slice(if i % 2 == 0 {
                &[0, 0, 0, 1]
            } else {
                &[0, 0, 1]
            });
            out.extend_from_slice(u);
        }
        out
    }

    #[test]
    fn a_keyframe_gives_its_configuration_and_a_sample_without_parameter_sets() {
        let au = annex_b(&[&[0x09, 0xf0], SPS, PPS, IDR]);
        let config = AvcConfig::from_annex_b(&au).unwrap();
        assert_eq!(config.codec(), "avc1.64001f");
        assert_eq!(
            (config.sps.as_slice(), config.pps.as_slice()),
            (&[SPS.to_vec()][..], &[PPS.to_vec()][..])
        );
        let sample = annex_b_to_sample(&au);
        let mut expected = (IDR.len() as u32).to_be_bytes().to_vec();
        expected.extend_from_slice(IDR);
        assert_eq!(
            sample.as_ref(),
            expected.as_slice(),
            "only the slice, length-prefixed"
        );
        assert!(AvcConfig::from_annex_b(&annex_b(&[IDR])).is_none());
    }

    #[test]
    fn a_decoder_record_round_trips_and_samples_lose_their_in_band_sets() {
        let mut record = vec![1, 0x4d, 0x40, 0x1f, 0xff, 0xe1];
        record.extend_from_slice(&(SPS.len() as u16).to_be_bytes());
        record.extend_from_slice(SPS);
        record.push(1);
        record.extend_from_slice(&(PPS.len() as u16).to_be_bytes());
        record.extend_from_slice(PPS);
        let config = AvcConfig::from_record(&record).unwrap();
        assert_eq!(config.codec(), "avc1.4d401f");
        assert_eq!(config.length_size, 4);
        assert!(AvcConfig::from_record(&record[..8]).is_none(), "truncated");

        let mut sample = Vec::new();
        for u in [SPS, IDR] {
            sample.extend_from_slice(&(u.len() as u32).to_be_bytes());
            sample.extend_from_slice(u);
        }
        let cleaned = length_prefixed_to_sample(&sample, 4);
        assert_eq!(&cleaned[4..], IDR);
    }
}
