//! Assets (AS-1) and overlay layers (OUT-5): what an operator gives, checked field by field.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{FieldError, Validation, check_text};

/// What an asset is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum AssetKind {
    /// An uploaded PNG, JPEG or WebP picture.
    Image,
    /// A picture fetched from a URL at its own interval.
    UrlImage,
    Text,
    /// A clock: its text is a strftime pattern.
    Clock,
}

impl AssetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::Image => "image",
            AssetKind::UrlImage => "url_image",
            AssetKind::Text => "text",
            AssetKind::Clock => "clock",
        }
    }

    /// A picture (uploaded or fetched), as opposed to something drawn from text.
    pub fn is_picture(self) -> bool {
        matches!(self, AssetKind::Image | AssetKind::UrlImage)
    }
}

/// An asset, as stored and as the API shows it.
#[derive(Clone, Debug, sqlx::FromRow, Serialize, ToSchema)]
pub struct Asset {
    pub id: i64,
    pub name: String,
    pub kind: AssetKind,
    /// Detected from the content (image, url_image once fetched).
    pub mime: Option<String>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub size_bytes: Option<i64>,
    pub url: Option<String>,
    pub refresh_secs: Option<i64>,
    pub text: Option<String>,
    pub font_size: i64,
    pub color: String,
    pub last_fetch_at: Option<String>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// One overlay layer of an output.
#[derive(Clone, Debug, sqlx::FromRow, Serialize, ToSchema)]
pub struct Overlay {
    pub id: i64,
    pub output_id: i64,
    pub asset_id: i64,
    pub x: f64,
    pub y: f64,
    pub width: Option<f64>,
    pub height: Option<f64>,
    pub opacity: f64,
    pub z: i64,
    pub visible: bool,
}

/// The kinds of asset made with JSON (uploads go as multipart).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JsonAssetKind {
    UrlImage,
    Text,
    Clock,
}

/// An asset that is not an upload (uploads go as `multipart/form-data` with a `file` part).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetInput {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    pub kind: JsonAssetKind,
    /// url_image: an http(s) URL of a PNG, JPEG or WebP picture.
    pub url: Option<String>,
    /// url_image: seconds between fetches (5..86400, default 60).
    #[schema(minimum = 5, maximum = 86400)]
    pub refresh_secs: Option<u32>,
    /// text: the text; clock: a strftime pattern (default `%H:%M:%S`).
    pub text: Option<String>,
    /// Pixels (8..200, default 32).
    #[schema(minimum = 8, maximum = 200)]
    pub font_size: Option<u32>,
    /// `#rrggbb` or `#rrggbbaa` (default white).
    #[schema(pattern = "^#([0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")]
    pub color: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidAsset {
    pub name: String,
    pub kind: AssetKind,
    pub url: Option<String>,
    pub refresh_secs: Option<u32>,
    pub text: Option<String>,
    pub font_size: u32,
    pub color: String,
}

/// What decoding a picture found: its type (by content), size in pixels and in bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PictureFacts {
    pub mime: String,
    pub width: u32,
    pub height: u32,
    pub size_bytes: usize,
}

impl ValidAsset {
    /// An uploaded picture named `name` (its facts are stored beside it).
    pub fn upload(name: String) -> Self {
        Self {
            name,
            kind: AssetKind::Image,
            url: None,
            refresh_secs: None,
            text: None,
            font_size: 32,
            color: "#ffffff".into(),
        }
    }
}

/// `#rrggbb` / `#rrggbbaa` → RGBA.
pub fn parse_color(s: &str) -> Option<[u8; 4]> {
    let hex = s.strip_prefix('#')?;
    if !(hex.len() == 6 || hex.len() == 8) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([
        byte(0)?,
        byte(2)?,
        byte(4)?,
        if hex.len() == 8 { byte(6)? } else { 255 },
    ])
}

fn valid_strftime(pattern: &str) -> bool {
    use chrono::format::{Item, StrftimeItems};
    !StrftimeItems::new(pattern).any(|i| matches!(i, Item::Error))
}

pub fn validate(input: &AssetInput) -> Result<ValidAsset, Vec<FieldError>> {
    let mut v = Validation::default();
    let name = check_text(&mut v, "name", &input.name, 1, 100);
    let font_size = input.font_size.unwrap_or(32);
    if !(8..=200).contains(&font_size) {
        v.error(
            "font_size",
            format!("must be between 8 and 200 (got {font_size})"),
        );
    }
    let color = input.color.clone().unwrap_or_else(|| "#ffffff".into());
    if parse_color(&color).is_none() {
        v.error("color", "must be #rrggbb or #rrggbbaa");
    }
    // A field of another kind is a mistake to name, not to drop silently.
    let is_url_image = matches!(input.kind, JsonAssetKind::UrlImage);
    if !is_url_image {
        for (field, given) in [
            ("url", input.url.is_some()),
            ("refresh_secs", input.refresh_secs.is_some()),
        ] {
            if given {
                v.error(field, "applies to url_image assets only");
            }
        }
    } else if input.text.is_some() {
        v.error("text", "applies to text and clock assets only");
    }
    let (kind, url, refresh_secs, text) = match input.kind {
        JsonAssetKind::UrlImage => {
            let url = match input.url.as_deref().map(str::trim) {
                None | Some("") => {
                    v.error("url", "is required for a URL image");
                    None
                }
                Some(raw) => match url::Url::parse(raw) {
                    Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
                        if !u.username().is_empty() || u.password().is_some() {
                            v.error("url", "must not carry credentials");
                        }
                        if u.port() == Some(0) {
                            v.error("url", "has port 0; the port must be between 1 and 65535");
                        }
                        Some(u.to_string())
                    }
                    Ok(_) => {
                        v.error("url", "must be an http:// or https:// URL with a host");
                        None
                    }
                    Err(e) => {
                        v.error("url", format!("is not a valid URL ({e})"));
                        None
                    }
                },
            };
            let refresh = input.refresh_secs.unwrap_or(60);
            if !(5..=86_400).contains(&refresh) {
                v.error(
                    "refresh_secs",
                    format!("must be between 5 and 86400 (got {refresh})"),
                );
            }
            (AssetKind::UrlImage, url, Some(refresh), None)
        }
        JsonAssetKind::Text => {
            let text = check_text(&mut v, "text", input.text.as_deref().unwrap_or(""), 1, 200);
            (AssetKind::Text, None, None, Some(text))
        }
        JsonAssetKind::Clock => {
            let pattern = input.text.clone().unwrap_or_else(|| "%H:%M:%S".into());
            let pattern = check_text(&mut v, "text", &pattern, 1, 100);
            if !valid_strftime(&pattern) {
                v.error("text", "is not a valid strftime pattern (e.g. %H:%M:%S)");
            }
            (AssetKind::Clock, None, None, Some(pattern))
        }
    };
    v.finish(ValidAsset {
        name,
        kind,
        url,
        refresh_secs,
        text,
        font_size,
        color,
    })
}

/// One overlay layer on an output.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverlayInput {
    pub asset_id: i64,
    /// Left edge as a fraction of the program width (0..1).
    #[schema(minimum = 0, maximum = 1)]
    pub x: f64,
    /// Top edge as a fraction of the program height (0..1).
    #[schema(minimum = 0, maximum = 1)]
    pub y: f64,
    /// Width as a fraction of the program width (0..1]; default the picture's own size.
    #[schema(exclusive_minimum = 0, maximum = 1)]
    pub width: Option<f64>,
    /// Height as a fraction of the program height (0..1]; default keeps the aspect ratio.
    #[schema(exclusive_minimum = 0, maximum = 1)]
    pub height: Option<f64>,
    /// 0..1, default 1.
    #[schema(minimum = 0, maximum = 1)]
    pub opacity: Option<f64>,
    /// Stacking order (-100..100): higher is in front.
    #[schema(minimum = -100, maximum = 100)]
    pub z: Option<i64>,
    pub visible: Option<bool>,
}

pub fn validate_layers(layers: &[OverlayInput]) -> Result<(), Vec<FieldError>> {
    let mut v = Validation::default();
    if layers.len() > 16 {
        v.error("", "at most 16 overlay layers per output");
    }
    for (i, l) in layers.iter().enumerate() {
        let f = |name: &str| format!("[{i}].{name}");
        for (name, value) in [("x", Some(l.x)), ("y", Some(l.y)), ("opacity", l.opacity)] {
            if let Some(value) = value
                && !(0.0..=1.0).contains(&value)
            {
                v.error(&f(name), format!("must be between 0 and 1 (got {value})"));
            }
        }
        for (name, value) in [("width", l.width), ("height", l.height)] {
            if let Some(value) = value
                && !(value > 0.0 && value <= 1.0)
            {
                v.error(
                    &f(name),
                    format!("must be above 0 and at most 1 (got {value})"),
                );
            }
        }
        if l.z.is_some_and(|z| !(-100..=100).contains(&z)) {
            v.error(&f("z"), "must be between -100 and 100");
        }
    }
    v.finish(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: JsonAssetKind) -> AssetInput {
        AssetInput {
            name: "a".into(),
            kind,
            url: None,
            refresh_secs: None,
            text: None,
            font_size: None,
            color: None,
        }
    }

    #[test]
    fn colors() {
        assert_eq!(parse_color("#ff8000"), Some([255, 128, 0, 255]));
        assert_eq!(parse_color("#ff800080"), Some([255, 128, 0, 128]));
        assert_eq!(parse_color("ff8000"), None);
        assert_eq!(parse_color("#ff80"), None);
    }

    #[test]
    fn url_images_need_an_http_url() {
        let e = validate(&input(JsonAssetKind::UrlImage)).unwrap_err();
        assert_eq!(e[0].field, "url");
        let mut i = input(JsonAssetKind::UrlImage);
        i.url = Some("file:///etc/passwd".into());
        assert_eq!(validate(&i).unwrap_err()[0].field, "url");
        i.url = Some("https://example.com/w.png".into());
        i.refresh_secs = Some(1);
        assert_eq!(validate(&i).unwrap_err()[0].field, "refresh_secs");
    }

    #[test]
    fn clock_patterns_are_checked() {
        let mut i = input(JsonAssetKind::Clock);
        assert_eq!(validate(&i).unwrap().text.as_deref(), Some("%H:%M:%S"));
        i.text = Some("%Q".into());
        assert_eq!(validate(&i).unwrap_err()[0].field, "text");
    }

    #[test]
    fn layer_bounds_name_the_layer_and_field() {
        let l = OverlayInput {
            asset_id: 1,
            x: 1.5,
            y: 0.0,
            width: Some(0.0),
            height: None,
            opacity: Some(2.0),
            z: None,
            visible: None,
        };
        let fields: Vec<String> = validate_layers(&[l])
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["[0].x", "[0].opacity", "[0].width"]);
    }
}
