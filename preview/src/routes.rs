//! What each address answers.
//!
//! | address | what |
//! |---|---|
//! | `GET /` | the index: every campaign, its variants, durations and check status |
//! | `GET /c/SLUG` | a campaign's page: the player and the recipient form |
//! | `GET /api/index` | the index as JSON |
//! | `GET /api/state/SLUG` | a campaign's state: diagnostics, form fields, demo recipients |
//! | `POST /api/evaluate/SLUG` | a record (JSON) in, the timeline and the explanation out |
//! | `GET /events` | server-sent events: `campaign` (recompiled), `index` (list changed) |
//! | `GET /static/NAME` | embedded CSS, JS, fonts |
//! | `GET /visual/SLUG/NAME` | a scene's visual, read from the campaign folder |
//! | `GET /audio/SLUG/KEY` | with `--voice`: an evaluation's guide spoken ([`crate::voice`]); `202` while it is being made |
//!
//! Campaigns are looked up by slug among the campaigns found; files are never opened by a path
//! taken from the request, except visuals, which must be a `visual` of the campaign and resolve
//! to a file under the preview's folder.

use std::path::Path;
use std::sync::Arc;

use serde_json::{json, Value as Json};

use super::engine::Outcome;
use super::server::{Req, Resp};
use super::workspace::{self, CampaignState};
use super::{assets, explain, form, App};

/// Largest visual served, in bytes.
const MAX_VISUAL: u64 = 64 * 1024 * 1024;

/// A route's answer.
pub enum Reply {
    /// A complete response.
    Resp(Resp),
    /// Keep the connection as an event stream.
    Events,
    /// A response made whole elsewhere (a static file, with its `ETag`).
    Http(guide_web::axum::response::Response),
}

impl From<Resp> for Reply {
    fn from(r: Resp) -> Reply {
        Reply::Resp(r)
    }
}

/// Dispatches a request.
pub fn route(app: &App, req: &Req) -> Reply {
    let path = req.path.as_str();
    let get = req.method == "GET";
    let post = req.method == "POST";
    if get && path == "/events" {
        return Reply::Events;
    }
    let resp = if path == "/" {
        only(get, || index_page(app))
    } else if path == "/api/index" {
        only(get, || Resp::json(200, &index_json(app)))
    } else if path == "/favicon.ico" {
        return static_asset(get, "favicon.svg", req);
    } else if let Some(name) = path.strip_prefix("/static/") {
        return static_asset(get, name, req);
    } else if let Some(slug) = path.strip_prefix("/c/") {
        only(get, || campaign_page(app, slug))
    } else if let Some(slug) = path.strip_prefix("/api/state/") {
        only(get, || state(app, slug))
    } else if let Some(slug) = path.strip_prefix("/api/evaluate/") {
        only(post, || evaluate(app, slug, req))
    } else if let Some(rest) = path.strip_prefix("/audio/") {
        only(get, || audio(app, rest))
    } else if let Some(rest) = path.strip_prefix("/visual/") {
        only(get, || visual(app, rest))
    } else {
        not_found(app)
    };
    Reply::Resp(resp)
}

fn only(allowed: bool, f: impl FnOnce() -> Resp) -> Resp {
    if allowed {
        f()
    } else {
        Resp::text(405, "method not allowed")
    }
}

fn static_asset(get: bool, name: &str, req: &Req) -> Reply {
    match assets::get(name) {
        _ if !get => Resp::text(405, "method not allowed").into(),
        Some(a) => Reply::Http(guide_web::assets::serve(
            a.bytes,
            a.content_type,
            &req.headers,
        )),
        None => Resp::text(404, "not found").into(),
    }
}

fn page(app: &App, status: u16, template: &str, data: &Json) -> Resp {
    match app.templates.render(template, data) {
        Ok(html) => Resp::new(status, "text/html; charset=utf-8", html),
        Err(e) => Resp::text(500, &format!("cannot render the page: {e}")),
    }
}

fn not_found(app: &App) -> Resp {
    page(
        app,
        404,
        "error",
        &json!({"title": "Pagina non trovata", "message": "Questo indirizzo non corrisponde a nessuna pagina dell'anteprima."}),
    )
}

fn campaign(app: &App, slug: &str) -> Option<Arc<CampaignState>> {
    app.workspace.read().ok()?.get(slug)
}

fn root_display(app: &App) -> String {
    app.workspace
        .read()
        .map(|w| w.root().display().to_string())
        .unwrap_or_default()
}

/// `m:ss` of a duration in ms, rounded to the nearest second (3:59.6 is 4:00, not 3:59).
pub fn clock(ms: u64) -> String {
    let s = ms.saturating_add(500) / 1000;
    format!("{}:{:02}", s / 60, s % 60)
}

fn status(c: &CampaignState) -> (&'static str, String) {
    if c.pending && c.good.is_none() && c.fatal.is_none() {
        return ("pending", "Compilazione in corso".into());
    }
    let (errors, warnings) = (c.errors(), c.warnings());
    if errors > 0 {
        let w = if warnings > 0 {
            format!(", {warnings} {}", plural(warnings, "avviso", "avvisi"))
        } else {
            String::new()
        };
        (
            "errors",
            format!("{errors} {}{w}", plural(errors, "errore", "errori")),
        )
    } else if warnings > 0 {
        (
            "warnings",
            format!("{warnings} {}", plural(warnings, "avviso", "avvisi")),
        )
    } else {
        ("clean", "Nessun problema".into())
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// The `/c/...` address of a campaign, each part percent-encoded.
pub fn href(slug: &str) -> String {
    let parts: Vec<String> = slug.split('/').map(encode).collect();
    format!("/c/{}", parts.join("/"))
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn index_entry(c: &CampaignState) -> Json {
    let (status_class, status_text) = status(c);
    let (variants, variants_note, durations, durations_note) = match &c.good {
        Some(g) => {
            let (n, what) = workspace::variant_count(g);
            match workspace::duration_range(g) {
                Some((min, max, over)) => {
                    let d = if min == max {
                        clock(min)
                    } else {
                        format!("{}–{}", clock(min), clock(max))
                    };
                    (n.to_string(), what, d, over)
                }
                None => (n.to_string(), what, "—".into(), ""),
            }
        }
        None => ("—".into(), "", "—".into(), ""),
    };
    json!({
        "slug": c.slug,
        "href": href(&c.slug),
        "id": c.id,
        "title": c.title,
        "dir": c.dir.display().to_string(),
        "variants": variants,
        "variants_note": variants_note,
        "duration": durations,
        "duration_note": durations_note,
        "status": status_class,
        "status_text": status_text,
        "errors": c.errors(),
        "warnings": c.warnings(),
        "generation": c.generation,
        "compiling": c.pending,
        "demos": c.demos.len(),
    })
}

fn index_json(app: &App) -> Json {
    let campaigns = app
        .workspace
        .read()
        .map(|w| w.campaigns())
        .unwrap_or_default();
    json!({
        "root": root_display(app),
        "campaigns": campaigns.iter().map(|c| index_entry(c)).collect::<Vec<_>>(),
    })
}

fn index_page(app: &App) -> Resp {
    page(app, 200, "index", &index_json(app))
}

fn campaign_page(app: &App, slug: &str) -> Resp {
    let Some(c) = campaign(app, slug) else {
        return not_found(app);
    };
    let (status_class, status_text) = status(&c);
    page(
        app,
        200,
        "campaign",
        &json!({
            "slug": c.slug,
            "id": c.id,
            "title": c.title,
            "dir": c.dir.display().to_string(),
            "status": status_class,
            "status_text": status_text,
            "root": root_display(app),
        }),
    )
}

fn diagnostics_json(c: &CampaignState) -> Vec<Json> {
    let mut out: Vec<Json> = c
        .all_diagnostics()
        .into_iter()
        .map(|d| {
            let mut j = d.to_json();
            j["text"] = json!(d.render(false));
            j
        })
        .collect();
    if let Some(f) = &c.fatal {
        out.insert(
            0,
            json!({"severity": "error", "code": "", "message": f, "file": c.dir.display().to_string(), "line": null, "text": format!("error: {f}")}),
        );
    }
    out
}

fn state(app: &App, slug: &str) -> Resp {
    let Some(c) = campaign(app, slug) else {
        return Resp::json(404, &json!({"error": "no such campaign"}));
    };
    let (status_class, status_text) = status(&c);
    let good = c.good.as_deref();
    let demos: Vec<Json> = c
        .demos
        .iter()
        .map(|d| {
            let summary = good.and_then(|g| {
                g.demo_outcomes
                    .iter()
                    .find(|(n, _)| *n == d.name)
                    .and_then(|(_, s)| s.clone())
            });
            json!({
                "name": d.name,
                "record": d.record,
                "variant": summary.as_ref().map(|s| s.0.clone()),
                "duration_ms": summary.map(|s| s.1),
                "broken": d.broken,
            })
        })
        .collect();
    let witnesses: Vec<Json> = good
        .and_then(|g| g.analysis.get())
        .map(|a| a.witnesses.clone())
        .unwrap_or_default();
    let root = app
        .workspace
        .read()
        .map(|w| w.root_canon().to_path_buf())
        .unwrap_or_default();
    let visuals_present: Vec<String> = good
        .map(|g| visuals(&g.campaign))
        .unwrap_or_default()
        .into_iter()
        .filter(|v| visual_file(&root, &c.dir, v).is_some())
        .collect();
    Resp::json(
        200,
        &json!({
            "slug": c.slug,
            "id": c.id,
            "title": c.title,
            "dir": c.dir.display().to_string(),
            "generation": c.generation,
            "compiling": c.pending,
            "status": status_class,
            "status_text": status_text,
            "errors": c.errors(),
            "warnings": c.warnings(),
            "diagnostics": diagnostics_json(&c),
            "playable": good.is_some(),
            "good_generation": good.map(|g| g.generation),
            "good_is_current": c.good_is_current(),
            "fields": good.map(|g| form::fields(&g.campaign.schema)).unwrap_or_default(),
            "gender": good.and_then(|g| g.campaign.schema.gender.as_ref().map(|x| x.attribute.clone())),
            "demos": demos,
            "witnesses": witnesses,
            "analysed": good.is_some_and(|g| g.analysis.get().is_some()),
            "demo_problems": c.demo_problems,
            "visuals_present": visuals_present,
        }),
    )
}

fn evaluate(app: &App, slug: &str, req: &Req) -> Resp {
    let Some(c) = campaign(app, slug) else {
        return Resp::json(404, &json!({"error": "no such campaign"}));
    };
    let json_body = req.content_type.as_deref().is_some_and(|t| {
        t.trim_start()
            .to_ascii_lowercase()
            .starts_with("application/json")
    });
    if !json_body {
        return Resp::json(
            415,
            &json!({"error": "send the record as application/json"}),
        );
    }
    let body: Json = match serde_json::from_slice(&req.body) {
        Ok(b) => b,
        Err(_) => return Resp::json(400, &json!({"error": "the body is not valid JSON"})),
    };
    // The reference date the campaign's `today` reads: the form's own control, or today.
    let as_of = match body.get("as_of") {
        None | Some(Json::Null) => crate::engine::today(),
        Some(Json::String(s)) if s.is_empty() => crate::engine::today(),
        Some(v) => match v.as_str().and_then(guide_runtime::Date::parse_iso) {
            Some(d) => d,
            None => {
                return Resp::json(
                    400,
                    &json!({"error": "as_of must be a date written YYYY-MM-DD"}),
                )
            }
        },
    };
    let record = body.get("record").cloned().unwrap_or(body);
    let Some(good) = c.good.clone() else {
        return Resp::json(
            200,
            &json!({"status": "unavailable", "message": "Non c'è ancora una versione della campagna senza errori da riprodurre."}),
        );
    };
    let explanation = good
        .engine
        .record(&record)
        .ok()
        .map(|r| explain::explain_at(&good.campaign, good.engine.program(), &r, as_of));
    let base = json!({"generation": good.generation, "explanation": explanation});
    let mut out = match good.engine.evaluate_at(&record, as_of) {
        Outcome::Timeline(t) => {
            let mut ok = json!({
                "status": "ok",
                "variant": t["variant"],
                "timeline": t,
                "notifications": good.engine.notifications(&record, as_of),
            });
            if let Some(v) = &app.voice {
                let key = v.remember(&c.slug, good.generation, &record);
                ok["audio"] = json!(format!("/audio/{}/{key}", c.slug));
            }
            ok
        }
        Outcome::NotEligible(why) => json!({"status": "not_eligible", "message": why}),
        Outcome::RecordError { path, message } => {
            // The form field the error belongs to: the top-level attribute of the path.
            let field = path
                .split(['.', '['])
                .next()
                .unwrap_or_default()
                .to_string();
            json!({"status": "record_error", "path": path, "field": field, "message": message})
        }
        Outcome::Failed(message) => json!({"status": "failed", "message": message}),
    };
    if let (Json::Object(o), Json::Object(b)) = (&mut out, base) {
        o.extend(b);
    }
    Resp::json(200, &out)
}

/// An evaluation's guide spoken (`rest`: `SLUG/KEY`).
fn audio(app: &App, rest: &str) -> Resp {
    let nope = || Resp::text(404, "not found");
    let (Some(v), Some((slug, key))) = (&app.voice, rest.rsplit_once('/')) else {
        return nope();
    };
    let Some(good) = campaign(app, slug).and_then(|c| c.good.clone()) else {
        return nope();
    };
    match v.audio(slug, key, &good) {
        crate::voice::Spoken::Ready(bytes) => Resp::new(200, v.content_type(), bytes),
        crate::voice::Spoken::Pending => {
            Resp::new(202, "text/plain; charset=utf-8", "in preparazione")
        }
        crate::voice::Spoken::Missing => nope(),
    }
}

fn visual(app: &App, rest: &str) -> Resp {
    let nope = || Resp::text(404, "not found");
    // The slug may contain `/`: the visual is what follows the longest known slug.
    let Ok(ws) = app.workspace.read() else {
        return nope();
    };
    let Some(c) = ws
        .campaigns()
        .into_iter()
        .filter(|c| rest.starts_with(&format!("{}/", c.slug)))
        .max_by_key(|c| c.slug.len())
    else {
        return nope();
    };
    let name = &rest[c.slug.len() + 1..];
    let Some(good) = &c.good else {
        return nope();
    };
    if !visuals(&good.campaign).iter().any(|v| v == name) {
        return nope();
    }
    let root = ws.root_canon().to_path_buf();
    drop(ws);
    let Some((real, content_type)) = visual_file(&root, &c.dir, name) else {
        return nope();
    };
    match std::fs::read(real) {
        Ok(bytes) => Resp::new(200, content_type, bytes),
        Err(_) => nope(),
    }
}

/// The file of a visual: in the campaign folder, a media file, and really under the preview's
/// folder once links and `..` are resolved.
fn visual_file(root: &Path, dir: &Path, name: &str) -> Option<(std::path::PathBuf, &'static str)> {
    let real = dir.join(name).canonicalize().ok()?;
    if !real.starts_with(root) || !real.is_file() {
        return None;
    }
    if std::fs::metadata(&real).map_or(true, |m| m.len() > MAX_VISUAL) {
        return None;
    }
    let content_type = media_type(&real)?;
    Some((real, content_type))
}

fn media_type(p: &Path) -> Option<&'static str> {
    let ext = p.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => return None,
    })
}

/// Every `visual` of a campaign.
pub fn visuals(c: &guide_compiler::ir::Campaign) -> Vec<String> {
    let mut out: Vec<String> = explain::all_scenes(c)
        .into_iter()
        .filter_map(|s| s.visual.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn clock_rounds_to_the_nearest_second() {
        assert_eq!(super::clock(239_600), "4:00");
        assert_eq!(super::clock(239_400), "3:59");
        assert_eq!(super::clock(0), "0:00");
    }
}
