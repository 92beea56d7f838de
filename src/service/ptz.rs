//! PTZ control (PTZ-2, PTZ-4): joystick moves, stops, absolute and relative moves that answer
//! when the head has settled, and the camera's PTZ status.

use serde::Serialize;
use utoipa::ToSchema;
use vistterstream_actors::ptz::{
    self, DeviceDescription, MoveOutcome, MoveState, PtzReading, PtzVector,
};
use vistterstream_actors::state::PtzState;

use super::context::Context;
use super::error::{Result, ServiceError};
use super::lookup::{self, ask};
use crate::domain::preset::{
    Coordinates, MoveRequest, PositionRequest, validate_move, validate_position,
    validate_translation,
};
use crate::domain::time::timestamp;

pub(super) fn vector(p: [f32; 3]) -> PtzVector {
    PtzVector::new(p[0], p[1], p[2])
}

/// Coordinates as the API shows them: f32 → f64 through the shortest decimal, so 0.3 reads
/// 0.3 and not 0.30000001.
pub(super) fn coordinates(v: PtzVector) -> Coordinates {
    let f = |x: f32| x.to_string().parse::<f64>().unwrap_or(f64::from(x));
    Coordinates {
        pan: f(v.pan),
        tilt: f(v.tilt),
        zoom: f(v.zoom),
    }
}

#[derive(Serialize, ToSchema)]
pub struct MoveAcceptedView {
    /// This update replaced one not yet sent to the camera (joystick bursts).
    pub coalesced: bool,
    pub stops_after_ms: u64,
}

#[derive(Serialize, ToSchema)]
pub struct MoveOutcomeView {
    /// absolute | relative | preset_token
    pub method: Option<String>,
    /// The head reported settled (idle, or still across two polls) within the bound.
    pub settled: bool,
    pub timed_out: bool,
    /// Where it ended, when the camera reports positions.
    pub position: Option<Coordinates>,
    pub elapsed_ms: u64,
}

impl From<MoveOutcome> for MoveOutcomeView {
    fn from(o: MoveOutcome) -> Self {
        Self {
            method: o.method.map(str::to_string),
            settled: o.settled,
            timed_out: o.timed_out,
            position: o.position.map(coordinates),
            elapsed_ms: o.elapsed_ms,
        }
    }
}

/// Continuous move; answered at once, stopped by itself after its timeout.
pub async fn move_continuous(
    ctx: &Context,
    camera_id: i64,
    request: MoveRequest,
) -> Result<MoveAcceptedView> {
    let (speeds, timeout) = validate_move(&request).map_err(ServiceError::Invalid)?;
    let ptz = lookup::ptz(ctx, camera_id).await?;
    let accepted = ask(
        &ptz,
        ptz::Move {
            velocity: vector(speeds),
            timeout,
        },
    )
    .await??;
    Ok(MoveAcceptedView {
        coalesced: accepted.coalesced,
        stops_after_ms: accepted.stops_after_ms,
    })
}

pub async fn stop(ctx: &Context, camera_id: i64) -> Result<()> {
    let ptz = lookup::ptz(ctx, camera_id).await?;
    Ok(ask(&ptz, ptz::Stop).await??)
}

/// An absolute move to a position, or a relative one by a translation; answered when
/// settled unless `wait` is false.
pub async fn position_move(
    ctx: &Context,
    camera_id: i64,
    request: PositionRequest,
    by_translation: bool,
) -> Result<MoveOutcomeView> {
    let c = Coordinates {
        pan: request.pan,
        tilt: request.tilt,
        zoom: request.zoom,
    };
    let v = if by_translation {
        validate_translation(&c)
    } else {
        validate_position("", &c)
    }
    .map_err(ServiceError::Invalid)?;
    let ptz = lookup::ptz(ctx, camera_id).await?;
    let wait = request.wait.unwrap_or(true);
    let outcome = if by_translation {
        ask(
            &ptz,
            ptz::RelativeMove {
                translation: vector(v),
                wait,
            },
        )
        .await??
    } else {
        ask(
            &ptz,
            ptz::AbsoluteMove {
                position: vector(v),
                wait,
            },
        )
        .await??
    };
    Ok(outcome.into())
}

#[derive(Serialize, ToSchema)]
pub struct PtzStatusView {
    /// connecting | up | down
    pub state: PtzState,
    pub reason: Option<String>,
    pub since: String,
    pub reconnects: u64,
    /// What connecting found out about the device (its clock offset is applied to
    /// WS-Security timestamps).
    pub device: Option<DeviceDescription>,
    pub reports_position: Option<bool>,
    /// From a fresh GetStatus when the camera is up, else the last one.
    pub position: Option<Coordinates>,
    /// idle | moving | unknown
    pub pan_tilt: Option<MoveState>,
    pub zoom: Option<MoveState>,
}

/// Connection state, device, position and move state (a fresh reading when up).
pub async fn status(ctx: &Context, camera_id: i64) -> Result<PtzStatusView> {
    let ptz = lookup::ptz(ctx, camera_id).await?;
    let mut reading: Option<PtzReading> = None;
    let mut error = None;
    if ptz.cell.get().state == PtzState::Up {
        match ask(&ptz, ptz::ReadStatus).await? {
            Ok(r) => reading = Some(r),
            Err(e) => error = Some(e.to_string()),
        }
    }
    let s = ptz.cell.get();
    let reading = reading.or(s.last_reading);
    Ok(PtzStatusView {
        state: s.state,
        reason: error.or(s.reason),
        since: timestamp(s.since),
        reconnects: s.reconnects,
        device: s.device,
        reports_position: s.reports_position,
        position: reading.and_then(|r| r.position).map(coordinates),
        pan_tilt: reading.map(|r| r.pan_tilt),
        zoom: reading.map(|r| r.zoom),
    })
}
