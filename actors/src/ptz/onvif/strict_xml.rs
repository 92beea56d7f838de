//! Refusing malformed replies: a transport that checks every reply is namespace-well-formed
//! before `oxvif` reads it, and puts a SOAP fault in place of one that is not.
//!
//! `oxvif`'s parser matches local names, so a cheap camera's reply with undeclared prefixes
//! (ipycam) would otherwise pass for success.

use async_trait::async_trait;
use oxvif::transport::{HttpTransport, Transport, TransportError};

/// Subcode of the SOAP fault [`StrictTransport`] puts in place of a malformed reply.
pub(super) const MALFORMED_SUBCODE: &str = "vistter:MalformedReply";

/// Passes requests to the HTTP transport and checks that each reply is well-formed XML with
/// every prefix declared; a reply that is not becomes a SOAP fault with
/// [`MALFORMED_SUBCODE`], which `faults::classify` reports as `PtzError::Malformed`.
pub(super) struct StrictTransport(pub(super) HttpTransport);

#[async_trait]
impl Transport for StrictTransport {
    async fn soap_post(
        &self,
        url: &str,
        action: &str,
        body: String,
    ) -> Result<String, TransportError> {
        let reply = self.0.soap_post(url, action, body).await?;
        match namespace_problem(&reply) {
            None => Ok(reply),
            Some(problem) => Ok(malformed_fault(&problem)),
        }
    }
}

/// `None` if `xml` is namespace-well-formed, else what is wrong with it.
pub fn namespace_problem(xml: &str) -> Option<String> {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;
    let mut reader = quick_xml::NsReader::from_str(xml);
    let mut seen_element = false;
    loop {
        match reader.read_resolved_event() {
            Ok((ns, Event::Start(e))) | Ok((ns, Event::Empty(e))) => {
                if let ResolveResult::Unknown(prefix) = ns {
                    return Some(format!(
                        "element <{}> uses the undeclared namespace prefix {:?}",
                        e.name().as_ref(),
                        prefix
                    ));
                }
                seen_element = true;
            }
            Ok((_, Event::Eof)) => {
                return (!seen_element).then(|| "the reply is empty".to_string());
            }
            Ok(_) => {}
            Err(e) => return Some(format!("not well-formed XML: {e}")),
        }
    }
}

fn malformed_fault(problem: &str) -> String {
    let text = problem
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" \
         xmlns:vistter=\"urn:vistterstream\"><s:Body><s:Fault>\
         <s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>{MALFORMED_SUBCODE}</s:Value>\
         </s:Subcode></s:Code><s:Reason><s:Text xml:lang=\"en\">{text}</s:Text></s:Reason>\
         </s:Fault></s:Body></s:Envelope>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undeclared_prefixes_are_found() {
        let ipycam = r#"<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><ptz:StopResponse/></s:Body></s:Envelope>"#;
        let problem = namespace_problem(ipycam).unwrap_or_default();
        assert!(problem.contains("ptz"), "{problem}");
        let good = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><tptz:StopResponse xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl"/></s:Body></s:Envelope>"#;
        assert_eq!(namespace_problem(good), None);
        assert!(namespace_problem("<a><b></a>").is_some());
        assert!(namespace_problem("").is_some());
    }
}
