//! Vendor profiles: the RTSP path and port and the ONVIF port a vendor's cameras use, so a
//! form that gives only a host still makes a working camera.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Vendor profile: pre-fills the RTSP path and port and the ONVIF port.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type,
)]
#[serde(rename_all = "lowercase")]
#[sqlx(rename_all = "lowercase")]
pub enum Vendor {
    Reolink,
    Sunba,
    Hikvision,
    Dahua,
    Amcrest,
    #[default]
    Generic,
}

/// What a vendor profile fills in when the form leaves it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VendorDefaults {
    pub rtsp_port: u16,
    pub path: &'static str,
    pub onvif_port: u16,
}

impl Vendor {
    pub const ALL: [Vendor; 6] = [
        Vendor::Reolink,
        Vendor::Sunba,
        Vendor::Hikvision,
        Vendor::Dahua,
        Vendor::Amcrest,
        Vendor::Generic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::Reolink => "reolink",
            Vendor::Sunba => "sunba",
            Vendor::Hikvision => "hikvision",
            Vendor::Dahua => "dahua",
            Vendor::Amcrest => "amcrest",
            Vendor::Generic => "generic",
        }
    }

    /// Main-stream defaults, from the vendors' documentation and the existing system.
    pub fn defaults(self) -> VendorDefaults {
        match self {
            Vendor::Reolink => VendorDefaults {
                rtsp_port: 554,
                path: "/Preview_01_main",
                onvif_port: 8000,
            },
            // Sunba's native path embeds the credentials; its ONVIF stream URI (port 8899)
            // is the reliable source, so the generic path is only a starting point.
            Vendor::Sunba => VendorDefaults {
                rtsp_port: 554,
                path: "/stream0",
                onvif_port: 8899,
            },
            Vendor::Hikvision => VendorDefaults {
                rtsp_port: 554,
                path: "/Streaming/Channels/101",
                onvif_port: 80,
            },
            Vendor::Dahua | Vendor::Amcrest => VendorDefaults {
                rtsp_port: 554,
                path: "/cam/realmonitor?channel=1&subtype=0",
                onvif_port: 80,
            },
            Vendor::Generic => VendorDefaults {
                rtsp_port: 554,
                path: "/stream1",
                onvif_port: 80,
            },
        }
    }
}
