//! Static files embedded in the binary, served with their content type and an `ETag`, so that
//! a browser revalidates them cheaply (`304`) instead of loading them again.

use axum::body::Body;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// The `Content-Type` of a file, by its name's extension (`application/octet-stream` when
/// unknown).
pub fn content_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" => "text/plain; charset=utf-8",
        "vtt" => "text/vtt; charset=utf-8",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

/// The strong `ETag` of some bytes: a 64-bit FNV-1a hash and the length.
pub fn etag(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("\"{hash:016x}-{:x}\"", bytes.len())
}

/// Whether an `If-None-Match` header names `tag` (or is `*`).
fn matches(request: &HeaderMap, tag: &str) -> bool {
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == tag || t == "*")
}

/// Serves an embedded file: `200` with its bytes, its content type, its `ETag` and
/// `Cache-Control: no-cache` (use it, but ask first), or `304` when the request's
/// `If-None-Match` already names it.
pub fn serve(bytes: &'static [u8], content_type: &'static str, request: &HeaderMap) -> Response {
    let tag = etag(bytes);
    let status = if matches(request, &tag) {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    };
    let mut resp = if status == StatusCode::OK {
        Body::from(bytes).into_response()
    } else {
        StatusCode::NOT_MODIFIED.into_response()
    };
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        headers.insert(header::ETAG, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("a/preview.CSS"), "text/css; charset=utf-8");
        assert_eq!(content_type("font.woff2"), "font/woff2");
        assert_eq!(content_type("noextension"), "application/octet-stream");
    }

    #[test]
    fn etag_and_revalidation() {
        let tag = etag(b"ciao");
        assert_ne!(tag, etag(b"ciao!"));
        assert!(tag.starts_with('"') && tag.ends_with("-4\""));
        let resp = serve(b"ciao", "text/plain; charset=utf-8", &HeaderMap::new());
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()[header::ETAG], tag.as_str());
        assert_eq!(resp.headers()[header::CACHE_CONTROL], "no-cache");
        let mut req = HeaderMap::new();
        req.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"other\", W/{tag}")).expect("value"),
        );
        let resp = serve(b"ciao", "text/plain; charset=utf-8", &req);
        assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);
    }
}
