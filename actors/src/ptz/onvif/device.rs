//! One connected ONVIF PTZ camera: [`OnvifPtz`] and the PTZ commands of its [`PtzDevice`]
//! implementation. Finding and connecting the camera is `connect.rs`'s job.

use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use oxvif::OnvifClient;

use super::faults::Caller;
use crate::ptz::device::{
    DeviceDescription, DevicePreset, MoveState, PtzDevice, PtzReading, PtzVector,
};
use crate::ptz::error::PtzError;
use crate::ptz::spec::PtzQuirks;

/// One connected ONVIF PTZ camera.
pub struct OnvifPtz {
    client: OnvifClient,
    description: DeviceDescription,
    quirks: PtzQuirks,
    timeout: Duration,
}

impl OnvifPtz {
    /// A camera already found and described (see `connect.rs`), whose calls are each bounded
    /// by `timeout`.
    pub(super) fn new(
        client: OnvifClient,
        description: DeviceDescription,
        quirks: PtzQuirks,
        timeout: Duration,
    ) -> Self {
        Self {
            client,
            description,
            quirks,
            timeout,
        }
    }

    fn ptz(&self) -> Caller<'_> {
        Caller {
            timeout: self.timeout,
            url: &self.description.ptz_url,
        }
    }

    fn profile(&self) -> &str {
        &self.description.profile_token
    }
}

fn move_state(text: &str, operation: &'static str) -> Result<MoveState, PtzError> {
    match text.trim().to_ascii_uppercase().as_str() {
        "IDLE" => Ok(MoveState::Idle),
        "MOVING" => Ok(MoveState::Moving),
        "UNKNOWN" | "" => Ok(MoveState::Unknown),
        other => Err(PtzError::Malformed {
            operation,
            detail: format!("move status {other:?} is not IDLE, MOVING or UNKNOWN"),
        }),
    }
}

impl PtzDevice for OnvifPtz {
    fn describe(&self) -> &DeviceDescription {
        &self.description
    }

    fn continuous_move(&self, v: PtzVector) -> BoxFuture<'_, Result<(), PtzError>> {
        async move {
            self.ptz()
                .run(
                    "ContinuousMove",
                    self.client.ptz_continuous_move(
                        &self.description.ptz_url,
                        self.profile(),
                        v.pan,
                        v.tilt,
                        v.zoom,
                    ),
                )
                .await
        }
        .boxed()
    }

    fn stop(&self) -> BoxFuture<'_, Result<(), PtzError>> {
        async move {
            if self.quirks.stop_by_zero_velocity {
                return self.continuous_move(PtzVector::default()).await;
            }
            self.ptz()
                .run(
                    "Stop",
                    self.client
                        .ptz_stop(&self.description.ptz_url, self.profile()),
                )
                .await
        }
        .boxed()
    }

    fn absolute_move(&self, p: PtzVector) -> BoxFuture<'_, Result<(), PtzError>> {
        async move {
            self.ptz()
                .run(
                    "AbsoluteMove",
                    self.client.ptz_absolute_move(
                        &self.description.ptz_url,
                        self.profile(),
                        p.pan,
                        p.tilt,
                        p.zoom,
                    ),
                )
                .await
        }
        .boxed()
    }

    fn relative_move(&self, d: PtzVector) -> BoxFuture<'_, Result<(), PtzError>> {
        async move {
            self.ptz()
                .run(
                    "RelativeMove",
                    self.client.ptz_relative_move(
                        &self.description.ptz_url,
                        self.profile(),
                        d.pan,
                        d.tilt,
                        d.zoom,
                    ),
                )
                .await
        }
        .boxed()
    }

    fn status(&self) -> BoxFuture<'_, Result<PtzReading, PtzError>> {
        async move {
            let s = self
                .ptz()
                .run(
                    "GetStatus",
                    self.client
                        .ptz_get_status(&self.description.ptz_url, self.profile()),
                )
                .await?;
            let position = match (s.pan, s.tilt) {
                (Some(pan), Some(tilt)) if !self.quirks.ignore_position => {
                    Some(PtzVector::new(pan, tilt, s.zoom.unwrap_or(0.0)))
                }
                _ => None,
            };
            Ok(PtzReading {
                position,
                pan_tilt: move_state(&s.pan_tilt_status, "GetStatus")?,
                zoom: move_state(&s.zoom_status, "GetStatus")?,
            })
        }
        .boxed()
    }

    fn set_preset<'a>(
        &'a self,
        name: &'a str,
        token: Option<&'a str>,
    ) -> BoxFuture<'a, Result<String, PtzError>> {
        async move {
            let token = self
                .ptz()
                .run(
                    "SetPreset",
                    self.client.ptz_set_preset(
                        &self.description.ptz_url,
                        self.profile(),
                        Some(name),
                        token,
                    ),
                )
                .await?;
            if token.trim().is_empty() {
                return Err(PtzError::Malformed {
                    operation: "SetPreset",
                    detail: "the camera returned an empty preset token".into(),
                });
            }
            Ok(token)
        }
        .boxed()
    }

    fn goto_preset<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<(), PtzError>> {
        async move {
            self.ptz()
                .run(
                    "GotoPreset",
                    self.client
                        .ptz_goto_preset(&self.description.ptz_url, self.profile(), token),
                )
                .await
        }
        .boxed()
    }

    fn remove_preset<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<(), PtzError>> {
        async move {
            self.ptz()
                .run(
                    "RemovePreset",
                    self.client
                        .ptz_remove_preset(&self.description.ptz_url, self.profile(), token),
                )
                .await
        }
        .boxed()
    }

    fn presets(&self) -> BoxFuture<'_, Result<Vec<DevicePreset>, PtzError>> {
        async move {
            let presets = self
                .ptz()
                .run(
                    "GetPresets",
                    self.client
                        .ptz_get_presets(&self.description.ptz_url, self.profile()),
                )
                .await?;
            Ok(presets
                .into_iter()
                .map(|p| DevicePreset {
                    token: p.token,
                    name: p.name,
                    position: p
                        .pan_tilt
                        .map(|(pan, tilt)| PtzVector::new(pan, tilt, p.zoom.unwrap_or(0.0))),
                })
                .collect())
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn move_states_outside_the_enumeration_are_malformed() {
        assert_eq!(move_state("IDLE", "GetStatus").ok(), Some(MoveState::Idle));
        assert_eq!(move_state("", "GetStatus").ok(), Some(MoveState::Unknown));
        let err = move_state("{{pan_tilt_status}}", "GetStatus").err();
        assert_eq!(err.map(|e| e.code()), Some("ptz_malformed_reply"));
    }
}
