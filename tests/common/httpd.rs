//! Apache httpd (Debian `apache2`) as a camera's HTTP snapshot endpoint, with real Digest
//! (`/digest/`) and Basic (`/basic/`) authentication, on a free loopback port.

use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct Httpd {
    child: Option<Child>,
    pub port: u16,
    _dir: tempfile::TempDir,
}

fn md5_hex(s: &str) -> String {
    let out = Command::new("md5sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().expect("stdin").write_all(s.as_bytes())?;
            c.wait_with_output()
        })
        .expect("md5sum");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string()
}

impl Httpd {
    /// Serve `files` (name, bytes) under both `/digest/` and `/basic/`, for `user`/`password`.
    pub fn start(user: &str, password: &str, files: &[(&str, &[u8])]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let t = dir.path();
        for area in ["digest", "basic"] {
            std::fs::create_dir_all(t.join("www").join(area)).unwrap();
            for (name, bytes) in files {
                std::fs::write(t.join("www").join(area).join(name), bytes).unwrap();
            }
        }
        let realm = "camera";
        std::fs::write(
            t.join("digest.pw"),
            format!(
                "{user}:{realm}:{}\n",
                md5_hex(&format!("{user}:{realm}:{password}"))
            ),
        )
        .unwrap();
        let status = Command::new("htpasswd")
            .args(["-b", "-c"])
            .arg(t.join("basic.pw"))
            .args([user, password])
            .stderr(Stdio::null())
            .status()
            .expect("htpasswd (scripts/setup.sh installs apache2-utils)");
        assert!(status.success());
        // httpd's workers run as nobody: let them read the files.
        let _ = Command::new("chmod").args(["-R", "a+rX"]).arg(t).status();
        let port = super::free_port();
        let conf = format!(
            r#"ServerRoot /usr/lib/apache2
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile {t}/httpd.pid
ErrorLog {t}/error.log
LogLevel warn
LoadModule mpm_event_module modules/mod_mpm_event.so
LoadModule authn_core_module modules/mod_authn_core.so
LoadModule authn_file_module modules/mod_authn_file.so
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule authz_user_module modules/mod_authz_user.so
LoadModule auth_basic_module modules/mod_auth_basic.so
LoadModule auth_digest_module modules/mod_auth_digest.so
LoadModule mime_module modules/mod_mime.so
TypesConfig /etc/mime.types
User nobody
Group nogroup
DocumentRoot {t}/www
<Directory {t}/www>
  Require all granted
</Directory>
<Location /digest/>
  AuthType Digest
  AuthName "{realm}"
  AuthDigestProvider file
  AuthUserFile {t}/digest.pw
  Require valid-user
</Location>
<Location /basic/>
  AuthType Basic
  AuthName "{realm}"
  AuthBasicProvider file
  AuthUserFile {t}/basic.pw
  Require valid-user
</Location>
"#,
            t = t.display()
        );
        std::fs::write(t.join("httpd.conf"), conf).unwrap();
        let child = Command::new("/usr/sbin/apache2")
            .arg("-f")
            .arg(t.join("httpd.conf"))
            .arg("-DFOREGROUND")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("apache2 (scripts/setup.sh installs it)");
        let root = t.to_path_buf();
        let server = Self {
            child: Some(child),
            port,
            _dir: dir,
        };
        server.wait_listening(&root);
        server
    }

    fn wait_listening(&self, dir: &Path) {
        super::wait::wait_listening(self.port, "httpd", || {
            std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
        });
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Httpd {
    fn drop(&mut self) {
        // SIGTERM lets the parent stop its workers; SIGKILL would orphan them.
        super::terminate(&mut self.child);
    }
}
