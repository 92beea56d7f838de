//! Turning what goes wrong in an ONVIF call (a timeout, a transport error, a SOAP fault, a
//! malformed reply) into a [`PtzError`] naming the operation and URL.

use std::time::Duration;

use oxvif::OnvifError;
use oxvif::transport::TransportError;

use super::strict_xml::MALFORMED_SUBCODE;
use crate::ptz::error::PtzError;

/// Bounds a call and turns its error into a [`PtzError`] naming the operation and URL.
pub(super) struct Caller<'a> {
    pub(super) timeout: Duration,
    pub(super) url: &'a str,
}

impl Caller<'_> {
    pub(super) async fn run<T>(
        &self,
        operation: &'static str,
        call: impl Future<Output = Result<T, OnvifError>>,
    ) -> Result<T, PtzError> {
        match tokio::time::timeout(self.timeout, call).await {
            Err(_) => Err(PtzError::Timeout {
                operation,
                url: self.url.to_string(),
                after: self.timeout,
            }),
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(classify(operation, self.url, self.timeout, e)),
        }
    }
}

/// The innermost cause of an error chain ("Connection refused (os error 111)").
pub(super) fn last_cause(detail: &str) -> &str {
    detail.rsplit(": ").next().unwrap_or(detail)
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

fn classify(operation: &'static str, url: &str, timeout: Duration, e: OnvifError) -> PtzError {
    use oxvif::soap::SoapError;
    let url = url.to_string();
    match e {
        OnvifError::Transport(TransportError::Http(e)) if e.is_timeout() => PtzError::Timeout {
            operation,
            url,
            after: timeout,
        },
        OnvifError::Transport(TransportError::Http(e)) => PtzError::Unreachable {
            operation,
            url,
            detail: chain(&e.without_url()),
        },
        OnvifError::Transport(TransportError::HttpStatus { status, .. })
            if status == 401 || status == 403 =>
        {
            PtzError::Auth {
                operation,
                url,
                detail: format!("HTTP {status}"),
            }
        }
        OnvifError::Transport(TransportError::HttpStatus { status, .. }) => PtzError::Fault {
            operation,
            code: format!("HTTP {status}"),
            reason: "the device answered with an HTTP error".into(),
        },
        OnvifError::Soap(SoapError::Fault {
            code,
            reason,
            subcode,
            ..
        }) => {
            if subcode.as_deref() == Some(MALFORMED_SUBCODE) {
                return PtzError::Malformed {
                    operation,
                    detail: reason,
                };
            }
            let all = format!("{code} {} {reason}", subcode.as_deref().unwrap_or_default())
                .to_ascii_lowercase();
            if all.contains("notauthorized")
                || all.contains("not authorized")
                || all.contains("authenticat")
                || all.contains("unauthorized")
            {
                PtzError::Auth {
                    operation,
                    url,
                    detail: reason,
                }
            } else {
                PtzError::Fault {
                    operation,
                    code: subcode.unwrap_or(code),
                    reason,
                }
            }
        }
        OnvifError::Soap(other) => PtzError::Malformed {
            operation,
            detail: other.to_string(),
        },
        OnvifError::InvalidArgument(detail) => PtzError::Fault {
            operation,
            code: "InvalidArgument".into(),
            reason: detail,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authentication_faults_are_told_apart() {
        let e = classify(
            "GetStatus",
            "http://127.0.0.1:1/onvif/ptz_service",
            Duration::from_secs(5),
            OnvifError::Soap(oxvif::soap::SoapError::Fault {
                code: "env:Sender".into(),
                reason: "Authentication failed".into(),
                subcode: None,
                detail: None,
            }),
        );
        assert_eq!(e.code(), "ptz_auth");
    }
}
