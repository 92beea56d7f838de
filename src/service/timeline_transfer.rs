//! Timelines in and out (TL-6): our own versioned document, and the existing system's
//! timeline JSON, with camera, preset and asset ids mapped by a supplied table or by name.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::context::Context;
use super::error::{Result, ServiceError};
use super::lookup;
use super::timelines::{self, Timeline};
use crate::auth::Principal;
use crate::domain::FieldError;
use crate::domain::timeline::TimelineInput;
use crate::domain::timeline::document::{
    DocumentReferences, NamedId, NamedPreset, SCHEMA_VERSION, TimelineDocument,
};
use crate::domain::timeline::id_map::{IdMap, Referenced};
use crate::domain::timeline::seed_format::{SeedTimeline, from_seed};
use crate::store::{assets, cameras, presets, timelines as timeline_store};

/// An id of the document → an id here, by kind.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdTables {
    #[serde(default)]
    pub cameras: HashMap<String, i64>,
    #[serde(default)]
    pub presets: HashMap<String, i64>,
    #[serde(default)]
    pub assets: HashMap<String, i64>,
}

/// An id of the document → the name of what it was there (matched by name here).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NameTables {
    #[serde(default)]
    pub cameras: HashMap<String, String>,
    #[serde(default)]
    pub presets: HashMap<String, String>,
    #[serde(default)]
    pub assets: HashMap<String, String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportInput {
    /// Our export document (it has `schema_version`), or the existing system's timeline
    /// JSON exactly as its API accepts it.
    #[schema(value_type = Object)]
    pub timeline: serde_json::Value,
    /// Ids mapped explicitly (they win over names).
    #[serde(default)]
    pub map: IdTables,
    /// Ids mapped by name (our documents carry their names already).
    #[serde(default)]
    pub names: NameTables,
}

#[derive(Serialize, ToSchema)]
pub struct Imported {
    pub timeline: Timeline,
    /// What the import changed or left out, by the source's paths.
    pub notes: Vec<String>,
}

/// The timeline as a document another appliance (or this one) imports.
pub async fn export(ctx: &Context, id: i64) -> Result<TimelineDocument> {
    let row = lookup::timeline(ctx, id).await?;
    let timeline = TimelineInput {
        name: row.name,
        description: row.description,
        duration_s: row.duration_s,
        looping: row.looping,
        tracks: row.tracks.0,
        broadcast: row.broadcast.map(|b| b.0),
    };
    let used = Referenced::of(&timeline);
    let mut references = DocumentReferences::default();
    for id in used.cameras {
        if let Some(c) = cameras::get(&ctx.pool, id).await? {
            references.cameras.push(NamedId { id, name: c.name });
        }
    }
    for id in used.presets {
        if let Some(p) = presets::get(&ctx.pool, id).await? {
            references.presets.push(NamedPreset {
                id,
                name: p.name,
                camera_id: p.camera_id,
            });
        }
    }
    for id in used.assets {
        if let Some(a) = assets::get(&ctx.pool, id).await? {
            references.assets.push(NamedId { id, name: a.name });
        }
    }
    Ok(TimelineDocument {
        schema_version: SCHEMA_VERSION,
        timeline,
        references,
    })
}

fn parse_ids(
    table: &HashMap<String, i64>,
    kind: &str,
    errors: &mut Vec<FieldError>,
) -> HashMap<i64, i64> {
    table
        .iter()
        .filter_map(|(from, to)| match from.trim().parse::<i64>() {
            Ok(from) => Some((from, *to)),
            Err(_) => {
                errors.push(FieldError::new(
                    format!("map.{kind}"),
                    format!("\"{from}\" is not an id"),
                ));
                None
            }
        })
        .collect()
}

fn parse_names(table: &HashMap<String, String>) -> HashMap<i64, String> {
    table
        .iter()
        .filter_map(|(id, name)| Some((id.trim().parse().ok()?, name.clone())))
        .collect()
}

/// The names a document's ids had, as known from the request and the document itself.
struct Names {
    cameras: HashMap<i64, String>,
    presets: HashMap<i64, String>,
    assets: HashMap<i64, String>,
}

/// Build the id map: explicit ids first, then names matched here.
async fn id_map(
    ctx: &Context,
    input: &ImportInput,
    used: &Referenced,
    names: Names,
) -> Result<IdMap> {
    let mut errors = Vec::new();
    let mut map = IdMap {
        cameras: parse_ids(&input.map.cameras, "cameras", &mut errors),
        presets: parse_ids(&input.map.presets, "presets", &mut errors),
        assets: parse_ids(&input.map.assets, "assets", &mut errors),
    };
    let here_cameras = cameras::list(&ctx.pool).await?;
    for id in &used.cameras {
        if map.cameras.contains_key(id) {
            continue;
        }
        if let Some(name) = names.cameras.get(id) {
            match here_cameras.iter().find(|c| c.name == *name) {
                Some(c) => {
                    map.cameras.insert(*id, c.id);
                }
                None => errors.push(FieldError::new(
                    format!("names.cameras.{id}"),
                    format!("no camera here is named \"{name}\""),
                )),
            }
        }
    }
    let mut here_presets = Vec::new();
    for c in &here_cameras {
        here_presets.extend(presets::list(&ctx.pool, c.id).await?);
    }
    let mapped_cameras: Vec<i64> = map.cameras.values().copied().collect();
    for id in &used.presets {
        if map.presets.contains_key(id) {
            continue;
        }
        if let Some(name) = names.presets.get(id) {
            let named: Vec<_> = here_presets.iter().filter(|p| p.name == *name).collect();
            let on_mapped: Vec<_> = named
                .iter()
                .copied()
                .filter(|p| mapped_cameras.contains(&p.camera_id))
                .collect();
            let chosen = match (named.as_slice(), on_mapped.as_slice()) {
                ([one], _) | (_, [one]) => Some(one.id),
                _ => None,
            };
            match chosen {
                Some(here) => {
                    map.presets.insert(*id, here);
                }
                None => errors.push(FieldError::new(
                    format!("names.presets.{id}"),
                    if named.is_empty() {
                        format!("no preset here is named \"{name}\"")
                    } else {
                        format!("several presets here are named \"{name}\"; map it by id")
                    },
                )),
            }
        }
    }
    let here_assets = assets::list(&ctx.pool).await?;
    for id in &used.assets {
        if map.assets.contains_key(id) {
            continue;
        }
        if let Some(name) = names.assets.get(id) {
            match here_assets.iter().find(|a| a.name == *name) {
                Some(a) => {
                    map.assets.insert(*id, a.id);
                }
                None => errors.push(FieldError::new(
                    format!("names.assets.{id}"),
                    format!("no asset here is named \"{name}\""),
                )),
            }
        }
    }
    if errors.is_empty() {
        Ok(map)
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

/// The document's own errors, under `timeline.`.
fn under_timeline(errors: Vec<FieldError>) -> ServiceError {
    ServiceError::Invalid(
        errors
            .into_iter()
            .map(|e| FieldError::new(format!("timeline.{}", e.field), e.message))
            .collect(),
    )
}

fn parse<T: serde::de::DeserializeOwned>(value: &serde_json::Value, what: &str) -> Result<T> {
    serde_json::from_value(value.clone())
        .map_err(|e| ServiceError::field("timeline", format!("not {what}: {e}")))
}

/// Import a timeline; it is stored under a free name ("<name> (2)" when taken).
pub async fn import(ctx: &Context, who: &Principal, input: ImportInput) -> Result<Imported> {
    let request_names = Names {
        cameras: parse_names(&input.names.cameras),
        presets: parse_names(&input.names.presets),
        assets: parse_names(&input.names.assets),
    };
    let (mut timeline, notes) = if input.timeline.get("schema_version").is_some() {
        let doc: TimelineDocument = parse(&input.timeline, "a VistterStream timeline document")?;
        if doc.schema_version != SCHEMA_VERSION {
            return Err(ServiceError::field(
                "timeline.schema_version",
                format!(
                    "version {} is not one this appliance reads ({SCHEMA_VERSION})",
                    doc.schema_version
                ),
            ));
        }
        let used = Referenced::of(&doc.timeline);
        let mut names = request_names;
        let r = &doc.references;
        for c in &r.cameras {
            names.cameras.entry(c.id).or_insert_with(|| c.name.clone());
        }
        for p in &r.presets {
            names.presets.entry(p.id).or_insert_with(|| p.name.clone());
        }
        for a in &r.assets {
            names.assets.entry(a.id).or_insert_with(|| a.name.clone());
        }
        let map = id_map(ctx, &input, &used, names).await?;
        let mut timeline = doc.timeline;
        map.apply(&mut timeline);
        (timeline, Vec::new())
    } else {
        let doc: SeedTimeline = parse(&input.timeline, "a timeline of the existing system")?;
        let map = id_map(ctx, &input, &doc.references(), request_names).await?;
        from_seed(&doc, &map).map_err(under_timeline)?
    };
    let mut notes = notes;
    let base: String = timeline.name.chars().take(90).collect();
    let mut n = 2;
    while timeline_store::name_taken(&ctx.pool, &timeline.name).await? {
        timeline.name = format!("{base} ({n})");
        n += 1;
    }
    if timeline.name != base && n > 2 {
        notes.push(format!(
            "the name was taken; stored as \"{}\"",
            timeline.name
        ));
    }
    let timeline = timelines::create(ctx, who, timeline).await?;
    Ok(Imported { timeline, notes })
}
