//! RTMP ingest peers: nginx with the RTMP module (records every publish to FLV, `/stat`,
//! `/control/drop`), stunnel in front of it for RTMPS with a CA made by the test, and
//! ffprobe to read what arrived. All on loopback, every process killed by its pid on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::free_port;
use super::wait::wait_listening;

fn wait_port(port: u16, what: &str, log: &Path) {
    wait_listening(port, what, || {
        std::fs::read_to_string(log).unwrap_or_default()
    });
}

/// nginx-rtmp on free loopback ports: application `live`, `record all` into `rec/`.
pub struct Nginx {
    child: Option<Child>,
    pub rtmp_port: u16,
    pub http_port: u16,
    dir: tempfile::TempDir,
}

impl Nginx {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut n = Self {
            child: None,
            rtmp_port: free_port(),
            http_port: free_port(),
            dir,
        };
        n.spawn();
        n
    }

    fn spawn(&mut self) {
        let t = self.dir.path();
        for d in ["rec", "logs", "tmp"] {
            std::fs::create_dir_all(t.join(d)).expect("nginx dirs");
        }
        // The worker runs as nobody unless nginx runs as root: let it write recordings.
        let _ = Command::new("chmod")
            .arg("0777")
            .arg(t.join("rec"))
            .status();
        let root = std::fs::read_to_string("/proc/self/status")
            .map(|s| {
                s.lines()
                    .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
            })
            .unwrap_or(false);
        let t = t.display();
        let conf = format!(
            "load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;\n\
             daemon off; master_process on; worker_processes 1; {user}\n\
             pid {t}/nginx.pid; error_log {t}/logs/error.log info;\n\
             events {{ worker_connections 256; }}\n\
             rtmp {{ server {{ listen 127.0.0.1:{rtmp}; chunk_size 4096;\n\
               application live {{ live on; record all; record_path {t}/rec; record_unique on;\n\
                 allow publish 127.0.0.1; deny publish all; }} }} }}\n\
             http {{ access_log off; client_body_temp_path {t}/tmp; proxy_temp_path {t}/tmp;\n\
               fastcgi_temp_path {t}/tmp; uwsgi_temp_path {t}/tmp; scgi_temp_path {t}/tmp;\n\
               server {{ listen 127.0.0.1:{http};\n\
                 location /stat {{ rtmp_stat all; }}\n\
                 location /control {{ rtmp_control all; }} }} }}\n",
            user = if root { "user root;" } else { "" },
            rtmp = self.rtmp_port,
            http = self.http_port,
        );
        let conf_path = self.dir.path().join("nginx.conf");
        std::fs::write(&conf_path, conf).expect("nginx.conf");
        let log = self.dir.path().join("logs/error.log");
        use std::os::unix::process::CommandExt;
        let child = Command::new("nginx")
            .process_group(0)
            .arg("-c")
            .arg(&conf_path)
            .arg("-p")
            .arg(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx (scripts/setup.sh installs nginx and libnginx-mod-rtmp)");
        self.child = Some(child);
        wait_port(self.rtmp_port, "nginx-rtmp", &log);
    }

    /// `rtmp://127.0.0.1:PORT/live`
    pub fn server_url(&self) -> String {
        format!("rtmp://127.0.0.1:{}/live", self.rtmp_port)
    }

    /// Kill the ingest, master and worker (its own process group): connections drop at once.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            // `--`: a negative pid (the process group) is not an option.
            let _ = Command::new("kill")
                .args(["-KILL", "--"])
                .arg(format!("-{}", c.id()))
                .status();
            let _ = c.wait();
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::net::TcpStream::connect(("127.0.0.1", self.rtmp_port)).is_ok()
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Start again on the same ports and record directory (the ingest coming back).
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    pub async fn stat(&self) -> String {
        reqwest::get(format!("http://127.0.0.1:{}/stat", self.http_port))
            .await
            .expect("nginx /stat")
            .text()
            .await
            .unwrap_or_default()
    }

    /// Stream names being published (from /stat).
    pub async fn publishing(&self) -> Vec<String> {
        let xml = self.stat().await;
        xml.split("<stream>")
            .skip(1)
            .filter(|s| s.contains("<publishing/>"))
            .filter_map(|s| {
                let start = s.find("<name>")? + 6;
                let end = s[start..].find("</name>")? + start;
                Some(s[start..end].to_string())
            })
            .collect()
    }

    /// The FLV recordings of stream `name`, oldest first.
    pub fn recordings(&self, name: &str) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path().join("rec"))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{name}-")) && n.ends_with(".flv"))
        });
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
    }

    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("logs/error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        self.kill();
    }
}

/// stunnel terminating TLS for nginx-rtmp, with a certificate for `localhost`/127.0.0.1
/// issued by a CA made here.
pub struct Stunnel {
    child: Option<Child>,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Stunnel {
    pub fn start(backend_port: u16) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let t = dir.path();
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(t)
                .output()
                .expect("openssl");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=VistterStream test CA",
        ]);
        openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ]);
        std::fs::write(
            t.join("ext.cnf"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
        )
        .expect("ext");
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ]);
        let port = free_port();
        let conf = format!(
            "foreground = yes\npid = {d}/stunnel.pid\noutput = {d}/stunnel.log\n[rtmps]\naccept = 127.0.0.1:{port}\nconnect = 127.0.0.1:{backend_port}\ncert = {d}/server.pem\nkey = {d}/server.key\n",
            d = t.display()
        );
        std::fs::write(t.join("stunnel.conf"), conf).expect("stunnel.conf");
        let bin = if Path::new("/usr/bin/stunnel4").exists() {
            "stunnel4"
        } else {
            "stunnel"
        };
        let child = Command::new(bin)
            .arg(t.join("stunnel.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("stunnel (scripts/setup.sh installs stunnel4)");
        let s = Self {
            child: Some(child),
            port,
            dir,
        };
        wait_port(port, "stunnel", &s.dir.path().join("stunnel.log"));
        s
    }

    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }
}

impl Drop for Stunnel {
    fn drop(&mut self) {
        super::terminate(&mut self.child);
    }
}

// ---- what arrived ----------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct Streams {
    pub video_codec: String,
    pub width: u64,
    pub height: u64,
    pub avg_frame_rate: f64,
    pub audio_codec: Option<String>,
    pub audio_sample_rate: Option<u64>,
}

pub fn ffprobe_json(args: &[&str], path: &Path) -> Value {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-of", "json"])
        .args(args)
        .arg(path)
        .output()
        .expect("ffprobe (scripts/setup.sh installs ffmpeg)");
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

fn ratio(s: &str) -> f64 {
    match s.split_once('/') {
        Some((a, b)) => {
            let (a, b): (f64, f64) = (a.parse().unwrap_or(0.0), b.parse().unwrap_or(1.0));
            if b == 0.0 { 0.0 } else { a / b }
        }
        None => s.parse().unwrap_or(0.0),
    }
}

pub fn probe(path: &Path) -> Streams {
    let v = ffprobe_json(
        &[
            "-show_entries",
            "stream=codec_type,codec_name,width,height,avg_frame_rate,sample_rate",
        ],
        path,
    );
    let streams = v["streams"].as_array().cloned().unwrap_or_default();
    let video = streams
        .iter()
        .find(|s| s["codec_type"] == "video")
        .cloned()
        .unwrap_or(Value::Null);
    let audio = streams.iter().find(|s| s["codec_type"] == "audio");
    Streams {
        video_codec: video["codec_name"].as_str().unwrap_or("").to_string(),
        width: video["width"].as_u64().unwrap_or(0),
        height: video["height"].as_u64().unwrap_or(0),
        avg_frame_rate: ratio(video["avg_frame_rate"].as_str().unwrap_or("0")),
        audio_codec: audio
            .and_then(|a| a["codec_name"].as_str())
            .map(str::to_string),
        audio_sample_rate: audio
            .and_then(|a| a["sample_rate"].as_str())
            .and_then(|r| r.parse().ok()),
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Packet {
    pub t: f64,
    pub keyframe: bool,
}

/// Video packets in file order (`dts` time, keyframe flag).
pub fn video_packets(path: &Path) -> Vec<Packet> {
    let v = ffprobe_json(
        &[
            "-select_streams",
            "v",
            "-show_entries",
            "packet=dts_time,flags",
        ],
        path,
    );
    v["packets"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter_map(|p| {
                    Some(Packet {
                        t: p["dts_time"].as_str()?.parse().ok()?,
                        keyframe: p["flags"].as_str().is_some_and(|f| f.contains('K')),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Audio packet count.
pub fn audio_packets(path: &Path) -> usize {
    let v = ffprobe_json(
        &["-select_streams", "a", "-show_entries", "packet=dts_time"],
        path,
    );
    v["packets"].as_array().map(Vec::len).unwrap_or(0)
}

/// The largest step between consecutive packets, and where it happened.
pub fn max_gap(packets: &[Packet]) -> (f64, f64) {
    packets
        .windows(2)
        .map(|w| (w[1].t - w[0].t, w[1].t))
        .fold((0.0, 0.0), |acc, x| if x.0 > acc.0 { x } else { acc })
}

pub fn max_keyframe_interval(packets: &[Packet]) -> f64 {
    let keys: Vec<f64> = packets.iter().filter(|p| p.keyframe).map(|p| p.t).collect();
    keys.windows(2).map(|w| w[1] - w[0]).fold(0.0, f64::max)
}

/// Pictures decoded from `from` to `to` seconds: (how many differ from the one before, how
/// many in all). A camera whose frames reach the program unevenly shows up as repeated
/// pictures (ffmpeg's `mpdecimate` drops those).
pub fn distinct_pictures(path: &Path, from: f64, to: f64) -> (usize, usize) {
    let count = |filter: &str| {
        let out = Command::new("ffmpeg")
            .args(["-hide_banner", "-nostdin", "-ss", &format!("{from:.3}")])
            .args(["-t", &format!("{:.3}", to - from), "-i"])
            .arg(path)
            .args(["-vf", filter, "-an", "-f", "null", "-"])
            .output()
            .expect("ffmpeg");
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| l.contains("Parsed_showinfo") && l.contains(" n:"))
            .count()
    };
    (
        count("mpdecimate=hi=64:lo=32:frac=0.1,showinfo"),
        count("showinfo"),
    )
}

/// Every decoded picture of a recording, scaled to `w`x`h` RGB24, with its presentation
/// time in seconds (frames neither dropped nor repeated on the way).
pub fn all_frames(path: &Path, w: u32, h: u32) -> Vec<(f64, Vec<u8>)> {
    let times: Vec<f64> = ffprobe_json(
        &[
            "-select_streams",
            "v:0",
            "-show_entries",
            "frame=best_effort_timestamp_time",
        ],
        path,
    )["frames"]
        .as_array()
        .map(|frames| {
            frames
                .iter()
                .filter_map(|f| f["best_effort_timestamp_time"].as_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-i"])
        .arg(path)
        .args(["-map", "0:v:0", "-fps_mode", "passthrough", "-vf"])
        .arg(format!("scale={w}:{h}"))
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .expect("ffmpeg");
    let size = (w * h * 3) as usize;
    let pictures: Vec<Vec<u8>> = out.stdout.chunks_exact(size).map(<[u8]>::to_vec).collect();
    assert_eq!(
        times.len(),
        pictures.len(),
        "ffprobe and ffmpeg agree on the frames of {}",
        path.display()
    );
    times.into_iter().zip(pictures).collect()
}

/// The decoded picture at `t` seconds, as RGB24 `w`x`h`.
pub fn frame_rgb(path: &Path, t: f64, w: u32, h: u32) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-ss", &format!("{t:.3}"), "-i"])
        .arg(path)
        .args([
            "-frames:v",
            "1",
            "-s",
            &format!("{w}x{h}"),
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ])
        .output()
        .expect("ffmpeg");
    out.stdout
}

/// The SPS of the first AVC sequence header in an FLV file (what a player decodes with).
pub fn flv_sps(path: &Path) -> Vec<u8> {
    let data = std::fs::read(path).unwrap_or_default();
    let mut pos = 9 + 4; // FLV header + first PreviousTagSize
    while pos + 11 <= data.len() {
        let kind = data[pos];
        let size = u32::from_be_bytes([0, data[pos + 1], data[pos + 2], data[pos + 3]]) as usize;
        let body = pos + 11;
        if body + size > data.len() {
            break;
        }
        let tag = &data[body..body + size];
        // Video tag, AVC (codec 7), AVCPacketType 0 = AVCDecoderConfigurationRecord.
        if kind == 9 && tag.len() > 13 && tag[0] & 0x0f == 7 && tag[1] == 0 {
            let avcc = &tag[5..];
            if avcc.len() > 8 && avcc[5] & 0x1f > 0 {
                let len = u16::from_be_bytes([avcc[6], avcc[7]]) as usize;
                return avcc.get(8..8 + len).map(<[u8]>::to_vec).unwrap_or_default();
            }
        }
        pos = body + size + 4;
    }
    Vec::new()
}

/// The camera's own SPS, as an independent client (ffmpeg, copying) records it.
pub fn camera_sps(rtsp_url_with_credentials: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("camera.flv");
    let status = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-rtsp_transport",
            "tcp",
            "-i",
            rtsp_url_with_credentials,
        ])
        .args(["-c:v", "copy", "-an", "-t", "1", "-f", "flv"])
        .arg(&out)
        .stdin(Stdio::null())
        .status()
        .expect("ffmpeg");
    assert!(status.success(), "ffmpeg could not record the camera");
    flv_sps(&out)
}

/// Split an Annex B byte stream into NAL units (without start codes).
pub fn nal_units(data: &[u8]) -> Vec<&[u8]> {
    let mut starts = Vec::new();
    let mut i = 0;
    while i + 3 <= data.len() {
        if data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1 {
            starts.push(i + 3);
            i += 3;
        } else {
            i += 1;
        }
    }
    let mut nals = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let mut end = starts.get(k + 1).map(|n| n - 3).unwrap_or(data.len());
        while end > s && data[end - 1] == 0 {
            end -= 1;
        }
        nals.push(&data[s..end]);
    }
    nals
}
