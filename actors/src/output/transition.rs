//! Shots scheduled on the program's running time, and what the switch composes for one
//! output frame from them (pure): a timeline hands its cuts and fades over ahead of time, and
//! the switch applies each on the first frame whose timestamp reaches it, so a cut lands on
//! the frame the cue names whatever the actor's timers do.
//!
//! Without a scheduled shot covering a frame, the switch falls back to its layer rule (the
//! topmost input on air, else the slate): that is how operator cuts and the slate work, and
//! what the program settles into once a shot has been on air (see `Program::settle_shots`).

/// How a scheduled shot comes on screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Entry {
    /// On its first frame.
    #[default]
    Cut,
    /// The previous picture and this one mixed over this many nanoseconds.
    Fade(u64),
    /// The previous picture to black, then black to this one, this many nanoseconds in all.
    DipToBlack(u64),
}

impl Entry {
    pub fn duration_ns(self) -> u64 {
        match self {
            Entry::Cut => 0,
            Entry::Fade(d) | Entry::DipToBlack(d) => d,
        }
    }
}

/// One input on air from `from_ns` (running time), entering with `entry`.
#[derive(Clone, Debug, PartialEq)]
pub struct Shot<P> {
    pub from_ns: u64,
    pub entry: Entry,
    pub input: P,
}

/// How much of each picture a mixed frame takes, out of 255; black makes up the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Weights {
    pub incoming: u8,
    pub outgoing: u8,
}

/// What one output frame is made of.
#[derive(Clone, Debug, PartialEq)]
pub enum Compose<P> {
    /// The layer rule decides (no scheduled shot covers this frame).
    Fallback,
    /// This input's picture as it is.
    Single(P),
    /// A transition frame: the incoming picture over the outgoing one (`None`: the slate).
    Mix {
        incoming: P,
        outgoing: Option<P>,
        weights: Weights,
    },
}

/// The composition of the frame at `pts_ns` from `shots` (ordered by `from_ns`).
/// `has_picture` says whether an input has a picture to show; an incoming input without one
/// leaves the previous shot on air (as an operator's cut to a camera still starting does).
/// `fallback` is what the layer rule shows (the outgoing picture of the first shot).
pub fn compose<P: Clone + PartialEq>(
    shots: &[Shot<P>],
    pts_ns: u64,
    has_picture: impl Fn(&P) -> bool,
    fallback: Option<P>,
) -> Compose<P> {
    let Some(current) = shots.iter().rposition(|s| s.from_ns <= pts_ns) else {
        return Compose::Fallback;
    };
    let before = |i: usize| -> Option<P> {
        (0..i)
            .rev()
            .map(|j| shots[j].input.clone())
            .find(|p| has_picture(p))
            .or_else(|| fallback.clone().filter(|p| has_picture(p)))
    };
    let shot = &shots[current];
    if !has_picture(&shot.input) {
        return before(current).map_or(Compose::Fallback, Compose::Single);
    }
    let elapsed = pts_ns - shot.from_ns;
    let duration = shot.entry.duration_ns();
    if elapsed >= duration {
        return Compose::Single(shot.input.clone());
    }
    Compose::Mix {
        incoming: shot.input.clone(),
        outgoing: before(current).filter(|p| *p != shot.input),
        weights: weights(shot.entry, elapsed, duration),
    }
}

/// The mix `elapsed` into a transition of `duration` (both > 0 apart from a cut).
pub fn weights(entry: Entry, elapsed: u64, duration: u64) -> Weights {
    let progress = (elapsed as f64 / duration.max(1) as f64).clamp(0.0, 1.0);
    let of = |fraction: f64| (fraction * 255.0).round().clamp(0.0, 255.0) as u8;
    match entry {
        Entry::Cut => Weights {
            incoming: 255,
            outgoing: 0,
        },
        Entry::Fade(_) => {
            let incoming = of(progress);
            Weights {
                incoming,
                outgoing: 255 - incoming,
            }
        }
        Entry::DipToBlack(_) if progress < 0.5 => Weights {
            incoming: 0,
            outgoing: of(1.0 - 2.0 * progress),
        },
        Entry::DipToBlack(_) => Weights {
            incoming: of(2.0 * progress - 1.0),
            outgoing: 0,
        },
    }
}

/// Mixes one plane: `out = (incoming * wi + outgoing * wo + black * (255 - wi - wo)) / 255`,
/// row by row (each buffer with its own stride; `width` bytes of `rows` rows).
pub fn mix_plane(
    out: (&mut [u8], usize),
    incoming: (&[u8], usize),
    outgoing: (&[u8], usize),
    black: u8,
    weights: Weights,
    width: usize,
    rows: usize,
) {
    let (wi, wo) = (u32::from(weights.incoming), u32::from(weights.outgoing));
    let wb = 255u32.saturating_sub(wi + wo);
    let black = u32::from(black) * wb;
    fn line(data: &[u8], stride: usize, row: usize, width: usize) -> Option<&[u8]> {
        data.get(row * stride..row * stride + width)
    }
    for row in 0..rows {
        let a = line(incoming.0, incoming.1, row, width);
        let b = line(outgoing.0, outgoing.1, row, width);
        let (Some(a), Some(b)) = (a, b) else {
            return;
        };
        let Some(o) = out.0.get_mut(row * out.1..row * out.1 + width) else {
            return;
        };
        for ((o, &a), &b) in o.iter_mut().zip(a).zip(b) {
            *o = ((u32::from(a) * wi + u32::from(b) * wo + black + 127) / 255) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    fn shot(from_ms: u64, entry: Entry, input: i64) -> Shot<i64> {
        Shot {
            from_ns: from_ms * MS,
            entry,
            input,
        }
    }

    #[test]
    fn a_cut_lands_on_the_first_frame_at_or_after_its_time() {
        let shots = [shot(1000, Entry::Cut, 2)];
        let all = |_: &i64| true;
        assert_eq!(compose(&shots, 999 * MS, all, Some(1)), Compose::Fallback);
        assert_eq!(compose(&shots, 1000 * MS, all, Some(1)), Compose::Single(2));
    }

    #[test]
    fn a_camera_shown_again_within_the_schedule_keeps_its_windows() {
        // 1 → 2 → 1: camera 1 is on air before, between is camera 2.
        let shots = [shot(100, Entry::Cut, 2), shot(200, Entry::Cut, 1)];
        let all = |_: &i64| true;
        assert_eq!(compose(&shots, 50 * MS, all, Some(1)), Compose::Fallback);
        assert_eq!(compose(&shots, 150 * MS, all, Some(1)), Compose::Single(2));
        assert_eq!(compose(&shots, 250 * MS, all, Some(1)), Compose::Single(1));
    }

    #[test]
    fn a_fade_mixes_the_previous_shot_for_its_duration() {
        let shots = [shot(0, Entry::Cut, 1), shot(1000, Entry::Fade(500 * MS), 2)];
        let all = |_: &i64| true;
        assert_eq!(
            compose(&shots, 1250 * MS, all, None),
            Compose::Mix {
                incoming: 2,
                outgoing: Some(1),
                weights: Weights {
                    incoming: 128,
                    outgoing: 127
                }
            }
        );
        assert_eq!(compose(&shots, 1500 * MS, all, None), Compose::Single(2));
    }

    #[test]
    fn the_first_fade_mixes_with_what_the_layer_rule_showed() {
        let shots = [shot(0, Entry::Fade(100 * MS), 2)];
        let Compose::Mix { outgoing, .. } = compose(&shots, 10 * MS, |_| true, Some(1)) else {
            panic!("a mix");
        };
        assert_eq!(outgoing, Some(1));
        // Nothing on air before: the slate is the outgoing picture.
        let Compose::Mix { outgoing, .. } = compose(&shots, 10 * MS, |_| true, None) else {
            panic!("a mix");
        };
        assert_eq!(outgoing, None);
    }

    #[test]
    fn an_incoming_camera_without_picture_leaves_the_previous_one_on_air() {
        let shots = [shot(0, Entry::Cut, 1), shot(100, Entry::Cut, 2)];
        let only_one = |p: &i64| *p == 1;
        assert_eq!(
            compose(&shots, 150 * MS, only_one, None),
            Compose::Single(1)
        );
        let none = |_: &i64| false;
        assert_eq!(compose(&shots, 150 * MS, none, None), Compose::Fallback);
    }

    #[test]
    fn dip_to_black_goes_through_black_at_half_time() {
        let d = 1000 * MS;
        let e = Entry::DipToBlack(d);
        assert_eq!(
            weights(e, 0, d),
            Weights {
                incoming: 0,
                outgoing: 255
            }
        );
        assert_eq!(
            weights(e, d / 2, d),
            Weights {
                incoming: 0,
                outgoing: 0
            }
        );
        assert_eq!(weights(e, d / 4, d).outgoing, 128);
        assert_eq!(weights(e, 3 * d / 4, d).incoming, 128);
    }

    #[test]
    fn mixing_a_plane_weighs_both_pictures_and_black() {
        let mut out = vec![0u8; 8];
        let a = [200u8; 8];
        let b = [100u8; 8];
        let half = Weights {
            incoming: 128,
            outgoing: 127,
        };
        mix_plane((&mut out, 4), (&a, 4), (&b, 4), 16, half, 4, 2);
        assert!(out.iter().all(|&v| v == 150), "{out:?}");
        let black = Weights {
            incoming: 0,
            outgoing: 0,
        };
        mix_plane((&mut out, 4), (&a, 4), (&b, 4), 16, black, 4, 2);
        assert!(out.iter().all(|&v| v == 16), "{out:?}");
    }
}
