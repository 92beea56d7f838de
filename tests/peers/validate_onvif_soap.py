#!/usr/bin/env python3
"""Validate captured ONVIF SOAP requests against the ONVIF schemas.

Usage: validate_onvif_soap.py --wsdl-dir DIR FILE...

DIR is the `onvif/wsdl` directory of the PyPI package onvif-zeep-async
(devicemgmt.wsdl, media.wsdl, ptz.wsdl, onvif.xsd, ...). Each FILE is one full
SOAP 1.2 envelope exactly as a device received it over HTTP.

How: the request messages (tds:GetCapabilities, tptz:ContinuousMove, ...) are
declared only inside each WSDL's <wsdl:types><xs:schema>. We cut those schemas
out into standalone .xsd files in a temp dir, then write one wrapper schema
that declares a SOAP 1.2 Envelope whose Body must hold exactly one element,
matched by a *strict* wildcard restricted to the device/media/PTZ namespaces.
`xmllint --noout --nonet --schema wrapper.xsd FILE` then checks the envelope
and validates the Body's child against its ONVIF declaration, with the
envelope's own namespace declarations intact (no re-serialisation needed).
The Header is validated laxly (wsa:To is checked, since ws-addr.xsd is loaded;
wsse has no schema and is skipped).

Prints one line per file, `OK <file> <element>` or
`INVALID <file> <element>: <xmllint message>`; exits 1 if any file is invalid
or its body element is from a namespace we have no schema for, 2 on usage or
setup errors. Needs only Python 3 and xmllint (Debian: libxml2-utils).
"""
import argparse
import pathlib
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
# WSDL file -> (conventional prefix, namespace of its request messages)
SERVICES = {
    "devicemgmt.wsdl": ("tds", "http://www.onvif.org/ver10/device/wsdl"),
    "media.wsdl": ("trt", "http://www.onvif.org/ver10/media/wsdl"),
    "ptz.wsdl": ("tptz", "http://www.onvif.org/ver20/ptz/wsdl"),
}
PREFIX = {ns: p for p, ns in SERVICES.values()}


def extract_schema(wsdl: pathlib.Path) -> str:
    """Return the WSDL's embedded <xs:schema> as a standalone document.

    Done on the text, not via ElementTree: ET would rename prefixes and drop
    declarations that are only used inside QName attribute values
    (type="tt:PTZVector"), which would break the schema. Namespace
    declarations of <wsdl:definitions> are copied onto <xs:schema>, and
    relative schemaLocations are made absolute (file: URIs).
    """
    text = wsdl.read_text(encoding="utf-8")
    root = re.search(r"<wsdl:definitions\b[^>]*>", text).group(0)
    m = re.search(r"<xs:schema\b([^>]*)>(.*?)</xs:schema>", text, re.S)
    attrs, body = m.group(1), m.group(2)
    for prefix, uri in re.findall(r'\sxmlns:(\w+)="([^"]*)"', root):
        if f"xmlns:{prefix}=" not in attrs:
            attrs += f' xmlns:{prefix}="{uri}"'

    def absolute(loc: re.Match) -> str:
        target = (wsdl.parent / loc.group(1)).resolve()
        return f'schemaLocation="{target.as_uri()}"'

    body = re.sub(r'schemaLocation="(?![a-z]+:)([^"]*)"', absolute, body)
    return f'<?xml version="1.0" encoding="utf-8"?>\n<xs:schema{attrs}>{body}</xs:schema>\n'


def prepare(wsdl_dir: pathlib.Path, tmp: pathlib.Path) -> pathlib.Path:
    """Write the per-service .xsd files and the SOAP 1.2 wrapper; return it."""
    imports = []
    for name, (prefix, ns) in SERVICES.items():
        xsd = tmp / f"{prefix}.xsd"
        xsd.write_text(extract_schema(wsdl_dir / name), encoding="utf-8")
        imports.append(f'<xs:import namespace="{ns}" schemaLocation="{xsd.as_uri()}"/>')
    # Same shape as W3C's soap-envelope schema, but the Body wildcard is
    # strict and limited to the services above, so an undeclared or
    # misspelled request element is an error rather than silently skipped.
    wrapper = tmp / "soap12-onvif.xsd"
    wrapper.write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:s="{SOAP12}"
           targetNamespace="{SOAP12}" elementFormDefault="qualified">
  {chr(10).join(imports)}
  <xs:element name="Envelope">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="Header" minOccurs="0">
          <xs:complexType>
            <xs:sequence>
              <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
            </xs:sequence>
            <xs:anyAttribute namespace="##other" processContents="lax"/>
          </xs:complexType>
        </xs:element>
        <xs:element name="Body">
          <xs:complexType>
            <xs:sequence>
              <xs:any namespace="{' '.join(PREFIX)}" processContents="strict"/>
            </xs:sequence>
            <xs:anyAttribute namespace="##other" processContents="lax"/>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
      <xs:anyAttribute namespace="##other" processContents="lax"/>
    </xs:complexType>
  </xs:element>
</xs:schema>
""", encoding="utf-8")
    return wrapper


def body_element(path: str) -> str:
    """Name of the SOAP Body's first child, as prefix:Local (for the report)."""
    root = ET.parse(path).getroot()
    body = root.find(f"{{{SOAP12}}}Body")
    if root.tag != f"{{{SOAP12}}}Envelope" or body is None or len(body) == 0:
        raise ValueError("not a SOAP 1.2 envelope with a non-empty Body")
    ns, _, local = body[0].tag[1:].partition("}")
    if ns not in PREFIX:
        raise ValueError(f"no schema known for the namespace of {body[0].tag}")
    return f"{PREFIX[ns]}:{local}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wsdl-dir", required=True, type=pathlib.Path)
    ap.add_argument("files", nargs="+", metavar="FILE")
    args = ap.parse_args()
    bad = 0
    with tempfile.TemporaryDirectory(prefix="onvif-xsd-") as tmp:
        try:
            wrapper = prepare(args.wsdl_dir.resolve(), pathlib.Path(tmp))
        except (OSError, AttributeError) as e:  # missing file / no xs:schema
            print(f"setup error: cannot prepare schemas from {args.wsdl_dir}: {e}",
                  file=sys.stderr)
            return 2
        for f in args.files:
            try:
                element = body_element(f)
            except (ET.ParseError, ValueError) as e:
                print(f"INVALID {f} ?: {e}")
                bad += 1
                continue
            r = subprocess.run(
                ["xmllint", "--noout", "--nonet", "--schema", str(wrapper), f],
                capture_output=True, text=True)
            if r.returncode == 0:
                print(f"OK {f} {element}")
                continue
            # Keep xmllint's error lines, drop its "FILE fails to validate".
            msg = " | ".join(l.strip() for l in r.stderr.splitlines()
                             if l.strip() and not l.endswith("fails to validate"))
            if r.returncode == 5:  # xmllint: the schema could not be compiled
                print(f"setup error (xmllint rc={r.returncode}): {msg}", file=sys.stderr)
                return 2
            print(f"INVALID {f} {element}: {msg}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
