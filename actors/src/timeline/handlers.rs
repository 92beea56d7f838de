//! The timeline actor's controls (TL-3): pause and resume its clock, seek, skip to the next
//! cue, pin a camera; each answers with the position it leads to.

use std::time::Duration;

use actix::prelude::*;

use super::actor::TimelineActor;
use super::messages::{Pause, Pin, ReplaceRun, Resume, Seek, Skip, Tick, TimelineError};
use super::segments::position;
use crate::state::TimelinePosition;
use crate::supervision::Halt;

type Answer = Result<TimelinePosition, TimelineError>;

impl Handler<Pause> for TimelineActor {
    type Result = Answer;

    fn handle(&mut self, _: Pause, ctx: &mut Self::Context) -> Answer {
        if self.paused.is_none() && !self.ended {
            self.paused = Some(self.elapsed());
            // What is scheduled ahead would still cut: the program forgets it.
            self.send_clear(ctx);
        }
        Ok(self.publish())
    }
}

impl Handler<Resume> for TimelineActor {
    type Result = Answer;

    fn handle(&mut self, _: Resume, ctx: &mut Self::Context) -> Answer {
        if let Some(at) = self.paused.take() {
            self.anchor(at);
            self.resync_in(ctx);
        }
        Ok(self.tick(ctx))
    }
}

impl Handler<Seek> for TimelineActor {
    type Result = Answer;

    fn handle(&mut self, msg: Seek, ctx: &mut Self::Context) -> Answer {
        let duration = self.run.timeline.duration;
        if msg.0 > duration {
            return Err(TimelineError::PastTheEnd {
                position_s: msg.0.as_secs_f64(),
                duration_s: duration.as_secs_f64(),
            });
        }
        let elapsed = self.elapsed();
        let pass = position(elapsed, duration, self.run.timeline.looping).pass;
        let pass_start = duration.saturating_mul(u32::try_from(pass).unwrap_or(u32::MAX));
        self.ended = false;
        self.anchor(pass_start + msg.0);
        self.resync_in(ctx);
        Ok(self.tick(ctx))
    }
}

impl Handler<Skip> for TimelineActor {
    type Result = Answer;

    fn handle(&mut self, _: Skip, ctx: &mut Self::Context) -> Answer {
        if self.ended {
            return Ok(self.publish());
        }
        let elapsed = self.elapsed();
        let at = position(
            elapsed,
            self.run.timeline.duration,
            self.run.timeline.looping,
        );
        // No cue ahead of a timeline that does not loop: skipping goes to its end.
        let ahead = self
            .next_cue_offset(at.offset)
            .map(|(d, _)| d)
            .unwrap_or_else(|| self.run.timeline.duration.saturating_sub(at.offset));
        self.anchor(elapsed + ahead);
        self.resync_in(ctx);
        Ok(self.tick(ctx))
    }
}

impl Handler<Pin> for TimelineActor {
    type Result = Answer;

    fn handle(&mut self, msg: Pin, ctx: &mut Self::Context) -> Answer {
        if self.pinned != msg.0 {
            self.pinned = msg.0;
            self.run.pinned = msg.0;
            self.resync_in(ctx);
        }
        Ok(self.tick(ctx))
    }
}

impl Handler<Tick> for TimelineActor {
    type Result = MessageResult<Tick>;

    fn handle(&mut self, _: Tick, ctx: &mut Self::Context) -> Self::Result {
        MessageResult(self.tick(ctx))
    }
}

impl Handler<ReplaceRun> for TimelineActor {
    type Result = ();

    fn handle(&mut self, msg: ReplaceRun, ctx: &mut Self::Context) {
        self.replace(msg.0);
        self.resync_in(ctx);
    }
}

impl Handler<Halt> for TimelineActor {
    type Result = ResponseFuture<()>;

    /// The program keeps what it shows; what the timeline scheduled ahead and its overlays
    /// go with it.
    fn handle(&mut self, _: Halt, ctx: &mut Self::Context) -> Self::Result {
        let release = self
            .env
            .program
            .command(self.run.output_id, crate::output::ProgramCommand::Release);
        ctx.stop();
        Box::pin(async move {
            let _ = tokio::time::timeout(Duration::from_secs(2), release).await;
        })
    }
}
