//! `vistter-sim`: serve simulated RTSP cameras on 127.0.0.1 until SIGINT/SIGTERM.
//!
//! Used by `make demo` and by the ingest benchmark. Prints one line per camera:
//! `camera <label> rtsp://127.0.0.1:<port><path>`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use vistterstream_sim::onvif::{SimOnvif, SimOnvifConfig};
use vistterstream_sim::ptz::PtzHead;
use vistterstream_sim::{SimCamera, SimCameraConfig};

#[derive(Parser, Debug)]
#[command(version, about = "Simulated RTSP cameras for VistterStream")]
struct Args {
    /// Number of cameras; they get ports base-port, base-port+1, ...
    #[arg(long, default_value_t = 2)]
    cameras: u16,
    /// First port (0 = pick free ports).
    #[arg(long, default_value_t = 8554)]
    base_port: u16,
    #[arg(long, default_value_t = 640)]
    width: u32,
    #[arg(long, default_value_t = 360)]
    height: u32,
    #[arg(long, default_value_t = 25)]
    fps: u32,
    #[arg(long, default_value_t = 800)]
    bitrate_kbps: u32,
    /// Digest user (with --password).
    #[arg(long, requires = "password")]
    user: Option<String>,
    #[arg(long, requires = "user")]
    password: Option<String>,
    /// Serve this pre-encoded MP4 (H.264 + AAC) in a loop instead of encoding a test pattern.
    #[arg(long)]
    file: Option<PathBuf>,
    /// No audio track.
    #[arg(long)]
    no_audio: bool,
    /// Make camera 1 a PTZ camera with a simulated ONVIF device on this port (0 = none).
    /// Its ONVIF user and password are --user/--password, else admin/admin.
    #[arg(long, default_value_t = 0)]
    onvif_port: u16,
    /// The simulated ONVIF device answers this many milliseconds late (a slow camera).
    #[arg(long, default_value_t = 0)]
    onvif_delay_ms: u64,
    /// Paint the capture time into the top 16 pixel rows (glass-to-glass latency benchmarks).
    #[arg(long)]
    stamp: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (tx, rx) = std::sync::mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = tx.send(());
    })
    .context("installing the signal handler")?;

    let mut cameras = Vec::new();
    let mut devices = Vec::new();
    for i in 0..args.cameras {
        let head = (i == 0 && args.onvif_port != 0).then(PtzHead::new);
        let port = if args.base_port == 0 {
            0
        } else {
            args.base_port + i
        };
        let config = SimCameraConfig {
            label: format!("CAM {}", i + 1),
            port,
            path: format!("/cam{}", i + 1),
            credentials: args.user.clone().zip(args.password.clone()),
            width: args.width,
            height: args.height,
            fps: args.fps,
            bitrate_kbps: args.bitrate_kbps,
            audio: !args.no_audio,
            file: args.file.clone(),
            ptz: head.clone(),
            stamp: args.stamp,
            background: None,
        };
        let camera =
            SimCamera::start(config).with_context(|| format!("starting camera {}", i + 1))?;
        if i == 0
            && let (Some(file), Some(period)) = (&args.file, camera.loop_period())
        {
            eprintln!(
                "vistter-sim: serving {} in a loop, {:.3} s per pass",
                file.display(),
                period.as_secs_f64()
            );
        }
        println!("camera cam{} {}", i + 1, camera.url());
        if let Some(head) = head {
            let device = SimOnvif::start(SimOnvifConfig {
                port: args.onvif_port,
                credentials: Some(
                    args.user
                        .clone()
                        .zip(args.password.clone())
                        .unwrap_or_else(|| ("admin".into(), "admin".into())),
                ),
                stream_uri: camera.url(),
                report_position: true,
                head,
                reply_delay: std::time::Duration::from_millis(args.onvif_delay_ms),
                ..SimOnvifConfig::default()
            })
            .context("starting the simulated ONVIF device")?;
            println!("onvif cam{} {}", i + 1, device.device_url());
            devices.push(device);
        }
        cameras.push(camera);
    }
    let _ = rx.recv();
    // What the simulated ONVIF devices received, for benchmarks (commands actually sent).
    for (i, d) in devices.iter().enumerate() {
        println!(
            "onvif-stats cam{} soap_requests={} ptz_commands={}",
            i + 1,
            d.requests().len(),
            d.head().commands()
        );
    }
    drop(devices);
    drop(cameras);
    Ok(())
}
